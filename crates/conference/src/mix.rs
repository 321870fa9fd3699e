//! Audio for members whose channels carry media: each member's received audio is captured (a record
//! sink on the read leg), a 20 ms tick sums everyone but the listener with the media crate's `Mixer`
//! (plus the files the conference plays) and plays each listener its mix; talking is detected from
//! each frame's mean amplitude (mod_conference's score) compared with the member's energy level, and
//! a smoothed score (mod_conference's `score_iir`) is reported for the floor.

use std::collections::VecDeque;
use std::sync::{Arc, Weak};

use futures::FutureExt;
use parking_lot::Mutex;
use switchyard_core::media::{MediaFuture, MediaPort, PlayOutcome, RecordLeg, RecordSink};
use switchyard_media::Mixer;
use switchyard_media::jitter::Frame;
use switchyard_media::mixer::ParticipantId;

use crate::files::{FileDone, FilePlay, Files, Stop};

/// Frames kept per member between ticks (older ones are dropped: latency stays bounded).
const INBOX: usize = 3;
/// Plays queued on a port before its mix is skipped for a tick.
const MAX_PENDING: usize = 2;
/// Quiet frames before a talking member is said to stop (300 ms).
const HANGOVER: u32 = 15;
/// Weight of the previous smoothed score (mod_conference `SCORE_DECAY`).
const SCORE_DECAY: f64 = 0.8;
/// Ceiling of the smoothed score (`SCORE_MAX_IIR`).
const SCORE_MAX_IIR: u32 = 25_000;

/// A change of a member's talking state, found by a tick.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Talk {
    pub(crate) id: u32,
    pub(crate) talking: bool,
}

/// A mixed frame to play to member `id` on its port.
type Play = (u32, Arc<dyn MediaPort>, Arc<[i16]>);

/// What one tick found.
#[derive(Debug, Default)]
pub(crate) struct TickReport {
    /// Talking changes.
    pub(crate) talks: Vec<Talk>,
    /// Files that ended.
    pub(crate) ended: Vec<FileDone>,
    /// Per member with media: (id, this frame's score, smoothed score).
    pub(crate) scores: Vec<(u32, u32, u32)>,
}

struct MixMember {
    id: u32,
    pid: ParticipantId,
    port: Arc<dyn MediaPort>,
    inbox: VecDeque<Frame>,
    pending: VecDeque<MediaFuture<PlayOutcome>>,
    hear: bool,
    speak: bool,
    energy_level: i32,
    talking: bool,
    quiet: u32,
    score: u32,
    score_iir: u32,
}

#[derive(Default)]
struct MixState {
    mixer: Mixer,
    members: Vec<MixMember>,
    files: Files,
    /// The mixer slot the conference's files speak through (everyone hears it).
    file_pid: Option<ParticipantId>,
}

/// One conference's mixer. Cheap to clone.
#[derive(Clone, Default)]
pub(crate) struct MixBus(Arc<Mutex<MixState>>);

impl std::fmt::Debug for MixBus {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MixBus").field("members", &self.len()).finish()
    }
}

struct MemberSink {
    bus: Weak<Mutex<MixState>>,
    id: u32,
}

impl RecordSink for MemberSink {
    fn frame(&mut self, pcm: &[i16]) {
        let Some(bus) = self.bus.upgrade() else { return };
        let mut st = bus.lock();
        if let Some(m) = st.members.iter_mut().find(|m| m.id == self.id) {
            let mut frame = [0i16; switchyard_core::media::FRAME_SAMPLES];
            let n = pcm.len().min(frame.len());
            frame[..n].copy_from_slice(&pcm[..n]);
            if m.inbox.len() == INBOX {
                m.inbox.pop_front();
            }
            m.inbox.push_back(frame);
        }
    }

    fn finish(&mut self) {}
}

impl MixBus {
    /// Adds member `id`'s media: its received audio is captured from now on.
    pub(crate) fn add(&self, id: u32, port: Arc<dyn MediaPort>, energy_level: i32, hear: bool, speak: bool) {
        let sink = MemberSink { bus: Arc::downgrade(&self.0), id };
        {
            let mut st = self.0.lock();
            let pid = st.mixer.join();
            let member = MixMember {
                id,
                pid,
                port: port.clone(),
                inbox: VecDeque::with_capacity(INBOX),
                pending: VecDeque::new(),
                hear,
                speak,
                energy_level,
                talking: false,
                quiet: 0,
                score: 0,
                score_iir: 0,
            };
            st.members.push(member);
        }
        port.start_record(RecordLeg::Read, Box::new(sink));
    }

    /// Removes member `id` (its capture stops).
    pub(crate) fn remove(&self, id: u32) {
        let removed = {
            let mut st = self.0.lock();
            st.files.forget_member(id);
            let pos = st.members.iter().position(|m| m.id == id);
            pos.map(|i| st.members.remove(i)).inspect(|m| st.mixer.leave(m.pid))
        };
        if let Some(m) = removed {
            m.port.stop_record();
        }
    }

    /// Updates what member `id` may do.
    pub(crate) fn set_flags(&self, id: u32, hear: bool, speak: bool) {
        if let Some(m) = self.0.lock().members.iter_mut().find(|m| m.id == id) {
            (m.hear, m.speak) = (hear, speak);
        }
    }

    /// Members with media.
    pub(crate) fn len(&self) -> usize {
        self.0.lock().members.len()
    }

    /// No member with media and no file to play or report: the mixing task may stop.
    pub(crate) fn is_idle(&self) -> bool {
        let st = self.0.lock();
        st.members.is_empty() && st.files.is_idle()
    }

    /// Member `id` just took the floor: its smoothed score starts again from 0 (mod_conference).
    pub(crate) fn reset_score(&self, id: u32) {
        if let Some(m) = self.0.lock().members.iter_mut().find(|m| m.id == id) {
            m.score_iir = 0;
        }
    }

    /// Queues a file (see [`Files::push`]).
    pub(crate) fn play(&self, play: FilePlay) {
        self.0.lock().files.push(play);
    }

    /// Ends the conference's files (`member` None) or a member's; how many.
    pub(crate) fn stop(&self, which: Stop, member: Option<u32>) -> u32 {
        let mut st = self.0.lock();
        match member {
            Some(id) => st.files.stop_member(id, which),
            None => st.files.stop(which),
        }
    }

    /// One 20 ms step: mix, play, and report what changed. The ports are called after the mixer's
    /// lock is released: the media engine hands frames to our sinks while holding a port's lock, so
    /// taking a port's lock under ours could deadlock.
    pub(crate) fn tick(&self) -> TickReport {
        let (report, plays) = self.mix_step();
        let started: Vec<(u32, MediaFuture<PlayOutcome>)> =
            plays.into_iter().map(|(id, port, pcm)| (id, port.play(pcm))).collect();
        let mut st = self.0.lock();
        for (id, future) in started {
            if let Some(m) = st.members.iter_mut().find(|m| m.id == id) {
                m.pending.push_back(future);
            }
        }
        report
    }

    /// Under the lock: takes each member's frame, mixes, and returns the frames to play.
    fn mix_step(&self) -> (TickReport, Vec<Play>) {
        let mut st = self.0.lock();
        let MixState { mixer, members, files, file_pid } = &mut *st;
        let mut report = TickReport::default();
        for m in members.iter_mut() {
            let frame = m.inbox.pop_front();
            m.score = frame.as_ref().map_or(0, mean_amplitude);
            if let Some(change) = m.detect_talking() {
                report.talks.push(Talk { id: m.id, talking: change });
            }
            m.smooth_score();
            report.scores.push((m.id, m.score, m.score_iir));
            if let Some(frame) = frame.filter(|_| m.speak) {
                mixer.push(m.pid, &frame);
            }
        }
        if let Some(sound) = files.conference_frame() {
            let pid = *file_pid.get_or_insert_with(|| mixer.join());
            mixer.push(pid, &sound);
        }
        let mut out: Frame = [0; switchyard_core::media::FRAME_SAMPLES];
        let mut plays = Vec::new();
        let mut played_files = Vec::new();
        for m in members.iter_mut().filter(|m| m.hear) {
            m.pending.retain_mut(|p| p.as_mut().now_or_never().is_none());
            if m.pending.len() < MAX_PENDING {
                mixer.pull(m.pid, &mut out);
                if let Some((sound, mux)) = files.member_frame(m.id) {
                    overlay(&mut out, &sound, mux);
                    played_files.push(m.id);
                }
                plays.push((m.id, m.port.clone(), Arc::from(&out[..])));
            }
        }
        files.advance_members_except(&played_files);
        mixer.end_tick();
        report.ended = files.take_ended();
        (report, plays)
    }
}

/// mod_conference's score of a frame: its mean absolute amplitude.
fn mean_amplitude(frame: &Frame) -> u32 {
    (frame.iter().map(|s| u64::from(s.unsigned_abs())).sum::<u64>() / frame.len() as u64) as u32
}

/// A member's own file over its mix (`mux`), or instead of it.
fn overlay(out: &mut Frame, sound: &Frame, mux: bool) {
    for (o, s) in out.iter_mut().zip(sound) {
        *o = if mux { o.saturating_add(*s) } else { *s };
    }
}

impl MixMember {
    /// The smoothed score, as mod_conference's input loop keeps it (reset when talking stops).
    fn smooth_score(&mut self) {
        if !self.speak {
            return;
        }
        let iir = (1.0 - SCORE_DECAY) * f64::from(self.score) + SCORE_DECAY * f64::from(self.score_iir);
        self.score_iir = (iir as u32).min(SCORE_MAX_IIR);
    }

    /// Some(new state) when this frame's score starts or (after the hangover) ends talking.
    fn detect_talking(&mut self) -> Option<bool> {
        let loud = self.speak && i64::from(self.score) > i64::from(self.energy_level);
        match (self.talking, loud) {
            (false, true) => {
                (self.talking, self.quiet) = (true, 0);
                Some(true)
            }
            (true, true) => {
                self.quiet = 0;
                None
            }
            (true, false) => {
                self.quiet += 1;
                (self.quiet >= HANGOVER).then(|| {
                    self.talking = false;
                    self.score_iir = 0;
                    false
                })
            }
            (false, false) => None,
        }
    }
}

/// A `MediaPort` standing in for a channel's RTP: records what is played, and feeds its record sink
/// on demand (tests and the mixing benchmark).
#[doc(hidden)]
pub mod fake {
    use std::any::Any;
    use std::sync::Arc;

    use parking_lot::Mutex;
    use switchyard_core::media::{MediaFuture, MediaPort, PlayOutcome, RecordLeg, RecordSink};

    /// The fake port.
    #[derive(Default)]
    pub struct FakePort {
        sink: Mutex<Option<Box<dyn RecordSink>>>,
        /// Everything played, in order.
        pub played: Mutex<Vec<Arc<[i16]>>>,
    }

    impl FakePort {
        /// Delivers one received frame to the recording sink, if any.
        pub fn feed(&self, pcm: &[i16]) {
            if let Some(sink) = self.sink.lock().as_mut() {
                sink.frame(pcm);
            }
        }
    }

    impl MediaPort for FakePort {
        fn codec(&self) -> &'static str {
            "PCMU"
        }
        fn play(&self, pcm: Arc<[i16]>) -> MediaFuture<PlayOutcome> {
            self.played.lock().push(pcm);
            Box::pin(async { PlayOutcome::Finished })
        }
        fn stop_playback(&self) {}
        fn set_echo(&self, _on: bool) {}
        fn start_record(&self, _leg: RecordLeg, sink: Box<dyn RecordSink>) {
            *self.sink.lock() = Some(sink);
        }
        fn stop_record(&self) {
            self.sink.lock().take();
        }
        fn send_dtmf(&self, _digit: char, _duration_ms: u32) {}
        fn link(&self, _peer: &Arc<dyn MediaPort>) {}
        fn unlink(&self) {}
        fn as_any(&self) -> &dyn Any {
            self
        }
    }
}

#[cfg(test)]
mod tests {
    use super::fake::FakePort;
    use super::*;

    fn port() -> Arc<FakePort> {
        Arc::new(FakePort::default())
    }

    #[test]
    fn each_member_hears_the_others_mixed_deaf_ones_nothing_and_muted_ones_are_not_heard() {
        let bus = MixBus::default();
        let (a, b, c) = (port(), port(), port());
        bus.add(1, a.clone(), 100, true, true);
        bus.add(2, b.clone(), 100, true, true);
        bus.add(3, c.clone(), 100, false, true);
        a.feed(&[1000; 160]);
        b.feed(&[30; 160]);
        c.feed(&[7; 160]);
        let talks = bus.tick().talks;
        assert_eq!(talks, [Talk { id: 1, talking: true }]);
        assert_eq!(a.played.lock()[0][0], 37);
        assert_eq!(b.played.lock()[0][159], 1007);
        assert!(c.played.lock().is_empty());
        bus.set_flags(1, true, false);
        a.feed(&[1000; 160]);
        bus.tick();
        assert_eq!(b.played.lock()[1][0], 0);
        bus.remove(2);
        assert_eq!(bus.len(), 2);
    }

    #[test]
    fn talking_stops_after_the_hangover() {
        let bus = MixBus::default();
        let a = port();
        bus.add(1, a.clone(), 100, true, true);
        a.feed(&[500; 160]);
        let first = bus.tick();
        assert_eq!(first.talks, [Talk { id: 1, talking: true }]);
        // (1.0 - 0.8) × 500 in doubles is 99.999…, truncated as mod_conference's `(int)` cast does.
        assert_eq!(first.scores, [(1, 500, 99)]);
        for _ in 1..HANGOVER {
            assert!(bus.tick().talks.is_empty());
        }
        let last = bus.tick();
        assert_eq!(last.talks, [Talk { id: 1, talking: false }]);
        assert_eq!(last.scores, [(1, 0, 0)], "the smoothed score resets when talking stops");
    }

    #[test]
    fn conference_files_reach_every_listener_and_member_files_one() {
        let bus = MixBus::default();
        let (a, b) = (port(), port());
        bus.add(1, a.clone(), 100, true, true);
        bus.add(2, b.clone(), 100, true, true);
        bus.play(FilePlay::new("all", vec![300i16; 160].into(), false, None, true));
        bus.play(FilePlay::new("mine", vec![5i16; 320].into(), false, Some(2), false));
        a.feed(&[1000; 160]);
        let report = bus.tick();
        assert_eq!(a.played.lock()[0][0], 300, "a hears the file, not itself");
        assert_eq!(b.played.lock()[0][0], 5, "nomux: b hears its file alone");
        assert_eq!(report.ended.iter().map(|d| d.file.as_str()).collect::<Vec<_>>(), ["all"]);
        let second = bus.tick();
        assert_eq!(b.played.lock()[1][0], 5);
        assert_eq!(second.ended.iter().map(|d| d.file.as_str()).collect::<Vec<_>>(), ["mine"]);
        assert_eq!(bus.stop(Stop::All, None), 0);
        bus.remove(1);
        bus.remove(2);
        assert!(bus.is_idle());
    }
}
