//! Sound files played into a conference (`conference <name> play`): the conference's queue (played in
//! turn to everyone), its one `async` file (played over the queue; a new one replaces it), and each
//! member's own queue (`play <file> <member_id> [nomux]`), as mod_conference keeps its file nodes.
//! Sans-io: the mixer takes one 20 ms frame per tick and is told which files ended.

use std::collections::VecDeque;
use std::sync::Arc;

use switchyard_core::media::{FRAME_SAMPLES, SAMPLE_RATE};
use switchyard_media::jitter::Frame;

/// Which files `conference <name> stop` ends (mod_conference's `FILE_STOP_*`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Stop {
    /// The file playing now.
    Current,
    /// Every queued file and the async one.
    All,
    /// The async file.
    Async,
}

impl Stop {
    /// `current`, `all` or `async`; no word means `all`.
    pub(crate) fn parse(word: Option<&str>) -> Option<Self> {
        match word.map(str::to_ascii_lowercase).as_deref() {
            None | Some("all") => Some(Self::All),
            Some("current") => Some(Self::Current),
            Some("async") => Some(Self::Async),
            _ => None,
        }
    }
}

/// One file being played.
#[derive(Debug)]
pub(crate) struct FilePlay {
    /// The name the API was given (reported in events).
    pub(crate) file: String,
    pcm: Arc<[i16]>,
    pos: usize,
    /// Ended by `stop`: removed (and reported) at the next tick.
    done: bool,
    pub(crate) is_async: bool,
    /// Played to this member only.
    pub(crate) member: Option<u32>,
    /// Mixed with the conference (`false`: the member hears the file alone).
    pub(crate) mux: bool,
}

/// A file that ended (played out or stopped), for `play-file-done` / `play-file-member-done`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct FileDone {
    pub(crate) file: String,
    pub(crate) is_async: bool,
    pub(crate) member: Option<u32>,
    /// Samples played (8 kHz).
    pub(crate) samples: usize,
}

impl FileDone {
    /// `seconds`, `milliseconds`, `samples` as mod_conference reports them (whole numbers).
    pub(crate) fn duration_headers(&self) -> Vec<(String, String)> {
        let rate = SAMPLE_RATE as usize;
        [("seconds", self.samples / rate), ("milliseconds", self.samples / (rate / 1000)), ("samples", self.samples)]
            .into_iter()
            .map(|(k, v)| (k.to_owned(), v.to_string()))
            .collect()
    }
}

impl FilePlay {
    /// A file of `pcm` (8 kHz samples).
    pub(crate) fn new(file: &str, pcm: Arc<[i16]>, is_async: bool, member: Option<u32>, mux: bool) -> Self {
        Self { file: file.to_owned(), pcm, pos: 0, done: false, is_async, member, mux }
    }

    /// Adds the next 20 ms of the file into `out` (saturating); false when nothing was left.
    fn add_next(&mut self, out: &mut Frame) -> bool {
        if self.done || self.pos >= self.pcm.len() {
            return false;
        }
        let end = (self.pos + FRAME_SAMPLES).min(self.pcm.len());
        for (o, s) in out.iter_mut().zip(&self.pcm[self.pos..end]) {
            *o = o.saturating_add(*s);
        }
        self.pos = end;
        true
    }

    fn finished(&self) -> bool {
        self.done || self.pos >= self.pcm.len()
    }

    fn report(self) -> FileDone {
        FileDone { file: self.file, is_async: self.is_async, member: self.member, samples: self.pos }
    }
}

/// Everything a conference is playing.
#[derive(Debug, Default)]
pub(crate) struct Files {
    queue: VecDeque<FilePlay>,
    async_file: Option<FilePlay>,
    members: Vec<FilePlay>,
    /// Ended files not yet reported.
    ended: Vec<FileDone>,
}

impl Files {
    /// Queues `play`: after the conference's (or that member's) current files; an async file replaces
    /// the one playing, which ends.
    pub(crate) fn push(&mut self, play: FilePlay) {
        match (play.member, play.is_async) {
            (Some(_), _) => self.members.push(play),
            (None, true) => {
                if let Some(old) = self.async_file.replace(play) {
                    self.ended.push(old.report());
                }
            }
            (None, false) => self.queue.push_back(play),
        }
    }

    /// Nothing to play and nothing to report.
    pub(crate) fn is_idle(&self) -> bool {
        self.queue.is_empty() && self.async_file.is_none() && self.members.is_empty() && self.ended.is_empty()
    }

    /// Marks the conference's files `which` as ended; how many.
    pub(crate) fn stop(&mut self, which: Stop) -> u32 {
        let mut n = 0;
        let mut end = |f: &mut FilePlay| {
            if !f.done {
                f.done = true;
                n += 1;
            }
        };
        match which {
            Stop::Current => self.queue.front_mut().into_iter().for_each(&mut end),
            Stop::All => self.queue.iter_mut().chain(self.async_file.as_mut()).for_each(&mut end),
            Stop::Async => self.async_file.as_mut().into_iter().for_each(&mut end),
        }
        n
    }

    /// Marks member `id`'s files as ended (`current`: the one playing); how many.
    pub(crate) fn stop_member(&mut self, id: u32, which: Stop) -> u32 {
        let mut n = 0;
        for f in self.members.iter_mut().filter(|f| f.member == Some(id) && !f.done) {
            f.done = true;
            n += 1;
            if which == Stop::Current {
                break;
            }
        }
        n
    }

    /// The conference's next 20 ms (current queued file plus the async one); None when silent.
    pub(crate) fn conference_frame(&mut self) -> Option<Frame> {
        let mut out: Frame = [0; FRAME_SAMPLES];
        let mut any = false;
        while let Some(front) = self.queue.front_mut() {
            if front.add_next(&mut out) {
                any = true;
                break;
            }
            let ended = self.queue.pop_front().map(FilePlay::report);
            self.ended.extend(ended);
        }
        if let Some(f) = self.async_file.as_mut() {
            any |= f.add_next(&mut out);
        }
        any.then_some(out)
    }

    /// Member `id`'s next 20 ms (its first file) and whether it is mixed with the conference.
    pub(crate) fn member_frame(&mut self, id: u32) -> Option<(Frame, bool)> {
        let mut out: Frame = [0; FRAME_SAMPLES];
        let f = self.members.iter_mut().find(|f| f.member == Some(id) && !f.finished())?;
        f.add_next(&mut out);
        Some((out, f.mux))
    }

    /// Advances the files of members that were not mixed this tick (no media, deaf, or left).
    pub(crate) fn advance_members_except(&mut self, mixed: &[u32]) {
        let mut seen: Vec<u32> = mixed.to_vec();
        let mut sink: Frame = [0; FRAME_SAMPLES];
        for f in self.members.iter_mut().filter(|f| !f.finished()) {
            let id = f.member.unwrap_or(0);
            if !seen.contains(&id) {
                seen.push(id);
                f.add_next(&mut sink);
            }
        }
    }

    /// Ends the files of member `id` (it left).
    pub(crate) fn forget_member(&mut self, id: u32) {
        self.members.iter_mut().filter(|f| f.member == Some(id)).for_each(|f| f.done = true);
    }

    /// Files that ended since the last call, oldest first (async and stopped ones included).
    pub(crate) fn take_ended(&mut self) -> Vec<FileDone> {
        if self.async_file.as_ref().is_some_and(FilePlay::finished) {
            let ended = self.async_file.take().map(FilePlay::report);
            self.ended.extend(ended);
        }
        if self.queue.front().is_some_and(FilePlay::finished) {
            let ended = self.queue.pop_front().map(FilePlay::report);
            self.ended.extend(ended);
        }
        let (gone, playing): (Vec<_>, Vec<_>) = self.members.drain(..).partition(FilePlay::finished);
        self.members = playing;
        self.ended.extend(gone.into_iter().map(FilePlay::report));
        std::mem::take(&mut self.ended)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn play(name: &str, samples: usize, is_async: bool, member: Option<u32>) -> FilePlay {
        FilePlay::new(name, vec![100i16; samples].into(), is_async, member, true)
    }

    #[test]
    fn queued_files_play_in_turn_and_the_async_one_over_them() {
        let mut files = Files::default();
        files.push(play("a", 200, false, None));
        files.push(play("b", 160, false, None));
        files.push(play("bg", 160, true, None));
        let first = files.conference_frame().unwrap();
        assert_eq!((first[0], first[159]), (200, 200), "a and the async file");
        let second = files.conference_frame().unwrap();
        assert_eq!((second[0], second[39], second[40]), (100, 100, 0), "the rest of a");
        let ended = files.take_ended();
        assert_eq!(ended.iter().map(|d| (d.file.as_str(), d.samples)).collect::<Vec<_>>(), [("bg", 160), ("a", 200)]);
        assert_eq!(files.conference_frame().unwrap()[0], 100, "b");
        assert!(files.conference_frame().is_none());
        assert_eq!(files.take_ended()[0].file, "b");
        assert!(files.is_idle());
    }

    #[test]
    fn a_new_async_file_ends_the_old_one_and_stop_counts_what_it_ends() {
        let mut files = Files::default();
        files.push(play("bg1", 1600, true, None));
        files.push(play("bg2", 1600, true, None));
        assert_eq!(files.take_ended()[0].file, "bg1");
        files.push(play("a", 1600, false, None));
        files.push(play("b", 1600, false, None));
        assert_eq!(files.stop(Stop::Current), 1);
        assert_eq!(files.stop(Stop::All), 2, "b and bg2; a is already stopped");
        assert!(files.conference_frame().is_none());
        let names: Vec<String> = files.take_ended().into_iter().map(|d| d.file).collect();
        assert_eq!(names, ["a", "b", "bg2"]);
        assert_eq!(Stop::parse(Some("last")), None);
        assert_eq!(Stop::parse(None), Some(Stop::All));
    }

    #[test]
    fn member_files_play_to_their_member_one_at_a_time() {
        let mut files = Files::default();
        files.push(play("m1", 160, false, Some(7)));
        files.push(play("m2", 160, false, Some(7)));
        files.push(play("other", 320, false, Some(8)));
        assert_eq!(files.member_frame(7).map(|(f, mux)| (f[0], mux)), Some((100, true)));
        files.advance_members_except(&[7]);
        assert_eq!(files.take_ended().iter().map(|d| d.file.as_str()).collect::<Vec<_>>(), ["m1"]);
        assert_eq!(files.stop_member(7, Stop::All), 1);
        files.forget_member(8);
        let done = files.take_ended();
        assert_eq!((done[0].samples, done[1].samples), (0, 160), "m2 stopped unplayed, other half played");
        assert!(files.is_idle());
        let d = FileDone { file: "x".into(), is_async: false, member: None, samples: 12_000 };
        assert_eq!(d.duration_headers()[..2], [("seconds".into(), "1".into()), ("milliseconds".into(), "1500".into())]);
    }
}
