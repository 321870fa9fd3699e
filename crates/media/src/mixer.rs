//! An N-party audio mixer for conferences: each participant pushes a 20 ms frame per tick and pulls
//! the saturating sum of everyone else's. Sans-io and allocation-free per tick.

use switchyard_core::media::FRAME_SAMPLES;

use crate::jitter::Frame;

/// A participant's slot in the mixer.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct ParticipantId(usize);

#[derive(Debug)]
struct Slot {
    frame: Frame,
    fresh: bool,
}

/// The mixer.
#[derive(Debug, Default)]
pub struct Mixer {
    slots: Vec<Option<Slot>>,
    sum: Vec<i32>,
    summed: bool,
}

impl Mixer {
    /// An empty mixer.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds a participant (silent until it pushes).
    pub fn join(&mut self) -> ParticipantId {
        let slot = Some(Slot { frame: [0; FRAME_SAMPLES], fresh: false });
        self.summed = false;
        match self.slots.iter().position(Option::is_none) {
            Some(i) => {
                self.slots[i] = slot;
                ParticipantId(i)
            }
            None => {
                self.slots.push(slot);
                ParticipantId(self.slots.len() - 1)
            }
        }
    }

    /// Removes a participant.
    pub fn leave(&mut self, id: ParticipantId) {
        if let Some(s) = self.slots.get_mut(id.0) {
            *s = None;
        }
        self.summed = false;
    }

    /// Participants present.
    pub fn len(&self) -> usize {
        self.slots.iter().flatten().count()
    }

    /// Whether nobody is present.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Sets what `id` said during this tick (missing samples are silence).
    pub fn push(&mut self, id: ParticipantId, pcm: &[i16]) {
        if let Some(Some(slot)) = self.slots.get_mut(id.0) {
            let n = pcm.len().min(FRAME_SAMPLES);
            slot.frame[..n].copy_from_slice(&pcm[..n]);
            slot.frame[n..].fill(0);
            slot.fresh = true;
            self.summed = false;
        }
    }

    /// What `id` hears this tick: everyone else's frames added, clipped to 16 bits.
    pub fn pull(&mut self, id: ParticipantId, out: &mut Frame) {
        self.ensure_sum();
        let own = self.slots.get(id.0).and_then(Option::as_ref).filter(|s| s.fresh).map(|s| &s.frame);
        for (i, o) in out.iter_mut().enumerate() {
            let mine = own.map_or(0, |f| i32::from(f[i]));
            *o = (self.sum[i] - mine).clamp(i32::from(i16::MIN), i32::from(i16::MAX)) as i16;
        }
    }

    /// Ends the tick: every participant is silent until it pushes again.
    pub fn end_tick(&mut self) {
        for slot in self.slots.iter_mut().flatten() {
            slot.fresh = false;
        }
        self.summed = false;
    }

    fn ensure_sum(&mut self) {
        if self.summed {
            return;
        }
        self.sum.clear();
        self.sum.resize(FRAME_SAMPLES, 0);
        for slot in self.slots.iter().flatten().filter(|s| s.fresh) {
            for (acc, s) in self.sum.iter_mut().zip(slot.frame.iter()) {
                *acc += i32::from(*s);
            }
        }
        self.summed = true;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn each_participant_hears_the_others_but_not_itself() {
        let mut m = Mixer::new();
        let (a, b, c) = (m.join(), m.join(), m.join());
        m.push(a, &[100; FRAME_SAMPLES]);
        m.push(b, &[20; FRAME_SAMPLES]);
        m.push(c, &[3; FRAME_SAMPLES]);
        let mut out = [0; FRAME_SAMPLES];
        m.pull(a, &mut out);
        assert_eq!(out[0], 23);
        m.pull(b, &mut out);
        assert_eq!(out[159], 103);
        m.pull(c, &mut out);
        assert_eq!(out[80], 120);
    }

    #[test]
    fn sums_saturate_and_silent_participants_add_nothing() {
        let mut m = Mixer::new();
        let (a, b, c) = (m.join(), m.join(), m.join());
        m.push(a, &[30000; FRAME_SAMPLES]);
        m.push(b, &[30000; FRAME_SAMPLES]);
        let mut out = [0; FRAME_SAMPLES];
        m.pull(c, &mut out);
        assert_eq!(out[0], i16::MAX);
        m.pull(a, &mut out);
        assert_eq!(out[0], 30000);
        m.end_tick();
        m.pull(c, &mut out);
        assert_eq!(out[0], 0);
    }

    #[test]
    fn a_slot_is_reused_after_leave() {
        let mut m = Mixer::new();
        let a = m.join();
        let _b = m.join();
        m.leave(a);
        assert_eq!(m.len(), 1);
        assert_eq!(m.join(), a);
    }

    proptest! {
        #[test]
        fn two_party_mix_is_the_other_party(x in proptest::collection::vec(any::<i16>(), FRAME_SAMPLES),
                                            y in proptest::collection::vec(any::<i16>(), FRAME_SAMPLES)) {
            let mut m = Mixer::new();
            let (a, b) = (m.join(), m.join());
            m.push(a, &x);
            m.push(b, &y);
            let mut out = [0; FRAME_SAMPLES];
            m.pull(a, &mut out);
            prop_assert_eq!(&out[..], &y[..]);
            m.pull(b, &mut out);
            prop_assert_eq!(&out[..], &x[..]);
        }
    }
}
