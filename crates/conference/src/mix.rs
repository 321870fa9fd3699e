//! Audio for members whose channels carry media: each member's received audio is captured (a record
//! sink on the read leg), a 20 ms tick sums everyone but the listener with the media crate's `Mixer`
//! and plays each listener its mix; talking is detected from each frame's mean amplitude, as
//! mod_conference compares its score with the member's energy level.

use std::collections::VecDeque;
use std::sync::{Arc, Weak};

use futures::FutureExt;
use parking_lot::Mutex;
use switchyard_core::media::{MediaFuture, MediaPort, PlayOutcome, RecordLeg, RecordSink};
use switchyard_media::Mixer;
use switchyard_media::jitter::Frame;
use switchyard_media::mixer::ParticipantId;

/// Frames kept per member between ticks (older ones are dropped: latency stays bounded).
const INBOX: usize = 3;
/// Plays queued on a port before its mix is skipped for a tick.
const MAX_PENDING: usize = 2;
/// Quiet frames before a talking member is said to stop (300 ms).
const HANGOVER: u32 = 15;

/// A change of a member's talking state, found by a tick.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Talk {
    pub(crate) id: u32,
    pub(crate) talking: bool,
}

/// A mixed frame to play to member `id` on its port.
type Play = (u32, Arc<dyn MediaPort>, Arc<[i16]>);

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
}

#[derive(Default)]
struct MixState {
    mixer: Mixer,
    members: Vec<MixMember>,
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
            };
            st.members.push(member);
        }
        port.start_record(RecordLeg::Read, Box::new(sink));
    }

    /// Removes member `id` (its capture stops).
    pub(crate) fn remove(&self, id: u32) {
        let removed = {
            let mut st = self.0.lock();
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

    /// One 20 ms step: mix, play, and report talking changes. The ports are called after the mixer's
    /// lock is released: the media engine hands frames to our sinks while holding a port's lock, so
    /// taking a port's lock under ours could deadlock.
    pub(crate) fn tick(&self) -> Vec<Talk> {
        let (talks, plays) = self.mix_step();
        let started: Vec<(u32, MediaFuture<PlayOutcome>)> =
            plays.into_iter().map(|(id, port, pcm)| (id, port.play(pcm))).collect();
        let mut st = self.0.lock();
        for (id, future) in started {
            if let Some(m) = st.members.iter_mut().find(|m| m.id == id) {
                m.pending.push_back(future);
            }
        }
        talks
    }

    /// Under the lock: takes each member's frame, mixes, and returns the frames to play.
    fn mix_step(&self) -> (Vec<Talk>, Vec<Play>) {
        let mut st = self.0.lock();
        let MixState { mixer, members } = &mut *st;
        let mut talks = Vec::new();
        for m in members.iter_mut() {
            let frame = m.inbox.pop_front();
            if let Some(change) = m.detect_talking(frame.as_ref()) {
                talks.push(Talk { id: m.id, talking: change });
            }
            if let Some(frame) = frame.filter(|_| m.speak) {
                mixer.push(m.pid, &frame);
            }
        }
        let mut out: Frame = [0; switchyard_core::media::FRAME_SAMPLES];
        let mut plays = Vec::new();
        for m in members.iter_mut().filter(|m| m.hear) {
            m.pending.retain_mut(|p| p.as_mut().now_or_never().is_none());
            if m.pending.len() < MAX_PENDING {
                mixer.pull(m.pid, &mut out);
                plays.push((m.id, m.port.clone(), Arc::from(&out[..])));
            }
        }
        mixer.end_tick();
        (talks, plays)
    }
}

impl MixMember {
    /// Some(new state) when this frame starts or (after the hangover) ends talking.
    fn detect_talking(&mut self, frame: Option<&Frame>) -> Option<bool> {
        let score = frame.map_or(0, |f| f.iter().map(|s| i64::from(*s).abs()).sum::<i64>() / f.len() as i64);
        let loud = self.speak && score > i64::from(self.energy_level);
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
        let talks = bus.tick();
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
        assert_eq!(bus.tick(), [Talk { id: 1, talking: true }]);
        for _ in 1..HANGOVER {
            assert!(bus.tick().is_empty());
        }
        assert_eq!(bus.tick(), [Talk { id: 1, talking: false }]);
    }
}
