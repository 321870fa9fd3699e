//! RFC 4733 telephone-events: the 4-byte payload, a receiver that reports each digit's begin and end once (however
//! many times its end packet is retransmitted), and a sender that turns a digit into packets.

/// Payload length of one telephone-event.
pub const EVENT_LEN: usize = 4;

/// One telephone-event payload (RFC 4733 §2.3).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TelephoneEvent {
    /// Event code (0–9, 10 `*`, 11 `#`, 12–15 `A`–`D`).
    pub event: u8,
    /// End of the event.
    pub end: bool,
    /// Volume in -dBm0 (0–63).
    pub volume: u8,
    /// Duration so far, in timestamp units.
    pub duration: u16,
}

/// A telephone-event payload that cannot be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("telephone-event payload of {0} bytes, expected at least 4")]
pub struct EventError(pub usize);

impl TelephoneEvent {
    /// Reads the first event in `payload`.
    pub fn parse(payload: &[u8]) -> Result<Self, EventError> {
        let [event, flags, d0, d1, ..] = *payload else { return Err(EventError(payload.len())) };
        Ok(Self { event, end: flags & 0x80 != 0, volume: flags & 0x3F, duration: u16::from_be_bytes([d0, d1]) })
    }

    /// Writes the event into `out[..4]`.
    pub fn write(&self, out: &mut [u8]) -> usize {
        out[0] = self.event;
        out[1] = (u8::from(self.end) << 7) | (self.volume & 0x3F);
        out[2..4].copy_from_slice(&self.duration.to_be_bytes());
        EVENT_LEN
    }
}

/// The event code of a DTMF digit.
pub fn digit_to_event(digit: char) -> Option<u8> {
    match digit.to_ascii_uppercase() {
        d @ '0'..='9' => Some(d as u8 - b'0'),
        '*' => Some(10),
        '#' => Some(11),
        d @ 'A'..='D' => Some(d as u8 - b'A' + 12),
        _ => None,
    }
}

/// The DTMF digit of an event code (other events, like flash, are not digits).
pub fn event_to_digit(event: u8) -> Option<char> {
    match event {
        0..=9 => Some((b'0' + event) as char),
        10 => Some('*'),
        11 => Some('#'),
        12..=15 => Some((b'A' + event - 12) as char),
        _ => None,
    }
}

/// What the receiver learnt from a packet.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DtmfSignal {
    /// A new digit started (reported once per event).
    Begin(char),
    /// The digit ended, after `duration_ms` (reported once per event, always after its `Begin`).
    End(char, u32),
}

/// Samples (150 ms at 8 kHz) past the last known end of an event after which an audio packet shows
/// the event is over although its end packets were lost.
const AUDIO_RESUMED_AFTER: u32 = 1200;

/// The event being received.
#[derive(Debug, Clone, Copy)]
struct Current {
    timestamp: u32,
    digit: char,
    /// Latest duration seen, in samples.
    duration: u16,
    ended: bool,
}

/// Receives telephone-event packets of one stream. Every digit gets one `Begin` and one `End`: when
/// its end packets are lost, the end is reported with the last duration seen once another event
/// starts or audio resumes past it.
#[derive(Debug, Default)]
pub struct DtmfReceiver {
    current: Option<Current>,
}

impl DtmfReceiver {
    /// Feeds one telephone-event packet (its RTP timestamp and payload); `emit` gets what it means.
    pub fn on_packet(&mut self, timestamp: u32, payload: &[u8], mut emit: impl FnMut(DtmfSignal)) {
        let Ok(ev) = TelephoneEvent::parse(payload) else { return };
        let Some(digit) = event_to_digit(ev.event) else { return };
        match &mut self.current {
            Some(cur) if cur.timestamp == timestamp && cur.digit == digit => {
                if !cur.ended {
                    cur.duration = cur.duration.max(ev.duration);
                    if ev.end {
                        cur.ended = true;
                        emit(DtmfSignal::End(digit, ms(cur.duration)));
                    }
                }
            }
            _ => {
                self.end_lost(&mut emit);
                self.current = Some(Current { timestamp, digit, duration: ev.duration, ended: ev.end });
                emit(DtmfSignal::Begin(digit));
                if ev.end {
                    emit(DtmfSignal::End(digit, ms(ev.duration)));
                }
            }
        }
    }

    /// Notes an audio packet: if it comes well after the current event, that event is over.
    pub fn on_audio(&mut self, timestamp: u32, emit: impl FnMut(DtmfSignal)) {
        let Some(cur) = self.current.filter(|c| !c.ended) else { return };
        let since = timestamp.wrapping_sub(cur.timestamp);
        if since < u32::MAX / 2 && since > u32::from(cur.duration) + AUDIO_RESUMED_AFTER {
            self.end_lost(emit);
        }
    }

    /// Ends the current event if its end was never seen.
    fn end_lost(&mut self, mut emit: impl FnMut(DtmfSignal)) {
        if let Some(cur) = self.current.as_mut().filter(|c| !c.ended) {
            cur.ended = true;
            emit(DtmfSignal::End(cur.digit, ms(cur.duration)));
        }
    }
}

/// Milliseconds of a telephone-event duration (8 kHz timestamp units).
fn ms(samples: u16) -> u32 {
    u32::from(samples) / 8
}

/// Turns one digit into telephone-event packets, one per 20 ms tick: a first packet (marker set), updates
/// with growing duration, then the end packet three times (RFC 4733 §2.5.1.4).
#[derive(Debug, Clone)]
pub struct DtmfSender {
    event: u8,
    total: u32,
    elapsed: u32,
    ends_sent: u8,
}

/// One packet the sender wants sent.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DtmfPacket {
    /// Marker bit (first packet of the event).
    pub marker: bool,
    /// The payload.
    pub event: TelephoneEvent,
}

impl DtmfSender {
    /// A sender for `digit` lasting `duration_ms` (at least 40 ms); None for a non-digit.
    pub fn new(digit: char, duration_ms: u32) -> Option<Self> {
        let event = digit_to_event(digit)?;
        let total = (duration_ms.clamp(40, 8000) * 8).div_ceil(160) * 160;
        Some(Self { event, total, elapsed: 0, ends_sent: 0 })
    }

    /// The next packet, or None when the event is over. `duration` counts samples since the start.
    pub fn next_packet(&mut self) -> Option<DtmfPacket> {
        if self.ends_sent >= 3 {
            return None;
        }
        let marker = self.elapsed == 0;
        self.elapsed = (self.elapsed + 160).min(self.total);
        let end = self.elapsed >= self.total;
        if end {
            self.ends_sent += 1;
        }
        let duration = self.elapsed.min(u32::from(u16::MAX)) as u16;
        Some(DtmfPacket { marker, event: TelephoneEvent { event: self.event, end, volume: 10, duration } })
    }

    /// Samples the event lasts (the audio timestamp moves on by this much afterwards).
    pub fn total_samples(&self) -> u32 {
        self.total
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn parses_rfc4733_example_payload() {
        // Digit 5, end bit, volume 10, duration 800 (100 ms at 8 kHz).
        let ev = TelephoneEvent::parse(&[5, 0x8A, 0x03, 0x20]).unwrap();
        assert_eq!(ev, TelephoneEvent { event: 5, end: true, volume: 10, duration: 800 });
        assert_eq!(TelephoneEvent::parse(&[5, 0]), Err(EventError(2)));
    }

    #[test]
    fn digits_map_to_events_and_back() {
        for (d, e) in [('0', 0), ('9', 9), ('*', 10), ('#', 11), ('A', 12), ('d', 15)] {
            assert_eq!(digit_to_event(d), Some(e));
            assert_eq!(event_to_digit(e), Some(d.to_ascii_uppercase()));
        }
        assert_eq!(digit_to_event('x'), None);
        assert_eq!(event_to_digit(16), None);
    }

    fn pkt(event: u8, end: bool, dur: u16) -> [u8; 4] {
        let mut b = [0u8; 4];
        TelephoneEvent { event, end, volume: 10, duration: dur }.write(&mut b);
        b
    }

    fn feed(rx: &mut DtmfReceiver, ts: u32, payload: [u8; 4]) -> Vec<DtmfSignal> {
        let mut got = Vec::new();
        rx.on_packet(ts, &payload, |s| got.push(s));
        got
    }

    #[test]
    fn a_digit_begins_once_and_ends_once_with_its_duration_despite_retransmitted_ends() {
        let mut rx = DtmfReceiver::default();
        assert_eq!(feed(&mut rx, 1000, pkt(1, false, 160)), [DtmfSignal::Begin('1')]);
        assert_eq!(feed(&mut rx, 1000, pkt(1, false, 320)), []);
        assert_eq!(feed(&mut rx, 1000, pkt(1, true, 960)), [DtmfSignal::End('1', 120)]);
        assert_eq!(feed(&mut rx, 1000, pkt(1, true, 960)), []);
        assert_eq!(feed(&mut rx, 1000, pkt(1, true, 960)), []);
        // The same digit again is a new event (new timestamp); seen first by its end packet.
        assert_eq!(feed(&mut rx, 2600, pkt(1, true, 800)), [DtmfSignal::Begin('1'), DtmfSignal::End('1', 100)]);
        assert_eq!(feed(&mut rx, 2600, pkt(1, true, 800)), []);
    }

    #[test]
    fn a_digit_whose_ends_are_lost_ends_when_the_next_starts() {
        let mut rx = DtmfReceiver::default();
        assert_eq!(feed(&mut rx, 1000, pkt(4, false, 400)), [DtmfSignal::Begin('4')]);
        assert_eq!(feed(&mut rx, 1000, pkt(4, false, 640)), []);
        assert_eq!(feed(&mut rx, 5000, pkt(11, false, 160)), [DtmfSignal::End('4', 80), DtmfSignal::Begin('#')]);
    }

    #[test]
    fn a_digit_whose_ends_are_lost_ends_when_audio_resumes_past_it() {
        let mut rx = DtmfReceiver::default();
        let mut got = Vec::new();
        rx.on_packet(1000, &pkt(2, false, 800), |s| got.push(s));
        rx.on_audio(1000 + 800, |s| got.push(s));
        assert_eq!(got, [DtmfSignal::Begin('2')], "audio alongside the event does not end it");
        rx.on_audio(1000 + 800 + AUDIO_RESUMED_AFTER + 160, |s| got.push(s));
        rx.on_audio(1000 + 800 + AUDIO_RESUMED_AFTER + 320, |s| got.push(s));
        assert_eq!(got, [DtmfSignal::Begin('2'), DtmfSignal::End('2', 100)]);
        assert_eq!(feed(&mut rx, 1000, pkt(2, true, 960)), [], "a late end of an ended digit is dropped");
    }

    #[test]
    fn sender_marks_the_first_packet_and_repeats_the_end_three_times() {
        let mut tx = DtmfSender::new('#', 100).unwrap();
        let packets: Vec<DtmfPacket> = std::iter::from_fn(|| tx.next_packet()).collect();
        assert!(packets[0].marker && packets[1..].iter().all(|p| !p.marker));
        let ends: Vec<_> = packets.iter().filter(|p| p.event.end).collect();
        assert_eq!(ends.len(), 3);
        assert!(ends.iter().all(|p| p.event.duration == 800 && p.event.event == 11));
        assert_eq!(packets.len(), 5 + 2);
    }

    proptest! {
        #[test]
        fn write_then_parse(event in any::<u8>(), end in any::<bool>(), volume in 0u8..64, duration in any::<u16>()) {
            let ev = TelephoneEvent { event, end, volume, duration };
            let mut b = [0u8; 4];
            ev.write(&mut b);
            prop_assert_eq!(TelephoneEvent::parse(&b), Ok(ev));
        }

        #[test]
        fn every_digit_begins_then_ends_whatever_arrives(packets in proptest::collection::vec((0u32..4000, 0u8..17, any::<bool>(), any::<u16>(), any::<bool>()), 0..60)) {
            let mut rx = DtmfReceiver::default();
            let mut signals = Vec::new();
            for (ts, event, end, duration, audio) in packets {
                if audio {
                    rx.on_audio(ts, |s| signals.push(s));
                } else {
                    rx.on_packet(ts, &pkt(event, end, duration), |s| signals.push(s));
                }
            }
            let mut open = None;
            for s in signals {
                match s {
                    DtmfSignal::Begin(d) => prop_assert_eq!(open.replace(d), None),
                    DtmfSignal::End(d, _) => prop_assert_eq!(open.take(), Some(d)),
                }
            }
        }

        #[test]
        fn sent_digits_are_received_exactly_once(digits in "[0-9*#A-D]{1,8}", ms in 40u32..400) {
            let mut rx = DtmfReceiver::default();
            let (mut got, mut ends) = (String::new(), Vec::new());
            for (i, d) in digits.chars().enumerate() {
                let mut tx = DtmfSender::new(d, ms).unwrap();
                while let Some(p) = tx.next_packet() {
                    let mut b = [0u8; 4];
                    p.event.write(&mut b);
                    rx.on_packet(i as u32 * 10_000, &b, |s| match s {
                        DtmfSignal::Begin(c) => got.push(c),
                        DtmfSignal::End(c, d) => ends.push((c, d)),
                    });
                }
            }
            let want_ms = (ms * 8).div_ceil(160) * 160 / 8;
            prop_assert_eq!(ends, digits.chars().map(|d| (d, want_ms)).collect::<Vec<_>>());
            prop_assert_eq!(got, digits);
        }
    }
}
