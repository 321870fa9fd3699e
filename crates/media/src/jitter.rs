//! A bounded jitter buffer for decoded 20 ms frames: reorders by RTP sequence number, waits for a
//! small depth before playing out, skips lost frames, drops late and duplicate ones. Fixed memory.

use switchyard_core::media::FRAME_SAMPLES;

/// A decoded frame.
pub type Frame = [i16; FRAME_SAMPLES];

/// Slots (frames the buffer can hold ahead of the play-out point).
pub const CAPACITY: usize = 16;

/// The reorder buffer.
#[derive(Debug)]
pub struct JitterBuffer {
    slots: Box<[Option<(u16, Frame)>; CAPACITY]>,
    next: Option<u16>,
    len: usize,
    target: usize,
    primed: bool,
    /// Frames dropped because they came after their play-out time or twice.
    pub late: u64,
}

impl JitterBuffer {
    /// A buffer that starts playing out once `target` frames are queued (1..=CAPACITY/2).
    pub fn new(target: usize) -> Self {
        Self {
            slots: Box::new([None; CAPACITY]),
            next: None,
            len: 0,
            target: target.clamp(1, CAPACITY / 2),
            primed: false,
            late: 0,
        }
    }

    /// Frames currently held.
    pub fn len(&self) -> usize {
        self.len
    }

    /// Whether nothing is held.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Adds the frame with sequence number `seq`.
    pub fn push(&mut self, seq: u16, frame: &Frame) {
        let next = *self.next.get_or_insert(seq);
        let ahead = seq.wrapping_sub(next) as i16;
        if ahead < 0 {
            self.late += 1;
            return;
        }
        if ahead as usize >= CAPACITY {
            // Far ahead (a jump in the stream): restart from this frame.
            self.clear();
            self.next = Some(seq);
        }
        let slot = &mut self.slots[usize::from(seq) % CAPACITY];
        if slot.is_some_and(|(s, _)| s == seq) {
            self.late += 1;
            return;
        }
        if slot.is_none() {
            self.len += 1;
        }
        *slot = Some((seq, *frame));
    }

    /// The next frame in order, or None (play silence) when it is missing or the buffer is priming.
    pub fn pop(&mut self) -> Option<Frame> {
        if !self.primed {
            if self.len < self.target {
                return None;
            }
            self.primed = true;
        }
        if self.len == 0 {
            self.primed = false;
            return None;
        }
        let next = self.next?;
        self.next = Some(next.wrapping_add(1));
        let slot = &mut self.slots[usize::from(next) % CAPACITY];
        match slot.take() {
            Some((seq, frame)) if seq == next => {
                self.len -= 1;
                Some(frame)
            }
            other => {
                *slot = other;
                None
            }
        }
    }

    /// The next frame without waiting for the target depth (at the end of a stream).
    pub fn pop_remaining(&mut self) -> Option<Frame> {
        self.primed = self.len > 0;
        self.pop()
    }

    /// Forgets everything.
    pub fn clear(&mut self) {
        *self.slots = [None; CAPACITY];
        self.len = 0;
        self.next = None;
        self.primed = false;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn frame(v: i16) -> Frame {
        [v; FRAME_SAMPLES]
    }

    fn drain(jb: &mut JitterBuffer, n: usize) -> Vec<Option<i16>> {
        (0..n).map(|_| jb.pop().map(|f| f[0])).collect()
    }

    #[test]
    fn reorders_frames_by_sequence() {
        let mut jb = JitterBuffer::new(2);
        for seq in [10u16, 12, 11, 13] {
            jb.push(seq, &frame(seq as i16));
        }
        assert_eq!(drain(&mut jb, 5), vec![Some(10), Some(11), Some(12), Some(13), None]);
    }

    #[test]
    fn skips_a_lost_frame_and_drops_late_ones() {
        let mut jb = JitterBuffer::new(1);
        jb.push(1, &frame(1));
        jb.push(3, &frame(3));
        assert_eq!(drain(&mut jb, 3), vec![Some(1), None, Some(3)]);
        jb.push(2, &frame(2));
        assert_eq!(jb.late, 1);
        jb.push(4, &frame(4));
        jb.push(4, &frame(4));
        assert_eq!(jb.late, 2);
    }

    #[test]
    fn waits_for_the_target_depth_before_playing() {
        let mut jb = JitterBuffer::new(3);
        jb.push(100, &frame(1));
        jb.push(101, &frame(2));
        assert_eq!(jb.pop(), None);
        jb.push(102, &frame(3));
        assert_eq!(drain(&mut jb, 3), vec![Some(1), Some(2), Some(3)]);
    }

    #[test]
    fn wraps_around_the_sequence_space_and_restarts_after_a_jump() {
        let mut jb = JitterBuffer::new(1);
        for seq in [65534u16, 65535, 0, 1] {
            jb.push(seq, &frame(seq as i16));
        }
        assert_eq!(drain(&mut jb, 4), vec![Some(-2), Some(-1), Some(0), Some(1)]);
        jb.push(30000, &frame(7));
        assert_eq!(jb.pop(), Some(frame(7)));
    }

    proptest! {
        #[test]
        fn stays_bounded_and_never_repeats_a_frame(seqs in proptest::collection::vec(any::<u16>(), 0..200)) {
            let mut jb = JitterBuffer::new(2);
            let mut out = Vec::new();
            for s in seqs {
                jb.push(s, &frame(s as i16));
                prop_assert!(jb.len() <= CAPACITY);
                if let Some(f) = jb.pop() { out.push(f[0]); }
            }
            // In-order delivery means no frame value is delivered twice in a row.
            prop_assert!(out.windows(2).all(|w| w[0] != w[1]));
        }

        #[test]
        fn in_order_input_comes_out_unchanged(start in any::<u16>(), n in 1usize..100) {
            let mut jb = JitterBuffer::new(2);
            let mut out = Vec::new();
            for i in 0..n {
                let seq = start.wrapping_add(i as u16);
                jb.push(seq, &frame(seq as i16));
                if let Some(f) = jb.pop() { out.push(f[0]); }
            }
            while let Some(f) = jb.pop_remaining() { out.push(f[0]); }
            let expected: Vec<i16> = (0..n).map(|i| start.wrapping_add(i as u16) as i16).collect();
            prop_assert_eq!(out, expected);
        }
    }
}
