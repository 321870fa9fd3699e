//! RFC 4733 telephone-events: the 4-byte payload, a receiver that reports each digit once (however
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
    /// The digit ended, after `duration_ms` (reported once per event).
    End(char, u32),
}

/// Receives telephone-event packets of one stream.
#[derive(Debug, Default)]
pub struct DtmfReceiver {
    /// Timestamp and digit of the current (or last) event, and whether its end was reported.
    current: Option<(u32, char, bool)>,
}

impl DtmfReceiver {
    /// Feeds one packet (its RTP timestamp and payload).
    pub fn on_packet(&mut self, timestamp: u32, payload: &[u8]) -> Option<DtmfSignal> {
        let ev = TelephoneEvent::parse(payload).ok()?;
        let digit = event_to_digit(ev.event)?;
        match self.current {
            Some((ts, d, ended)) if ts == timestamp && d == digit => {
                if ev.end && !ended {
                    self.current = Some((ts, d, true));
                    return Some(DtmfSignal::End(d, u32::from(ev.duration) / 8));
                }
                None
            }
            _ => {
                self.current = Some((timestamp, digit, ev.end));
                Some(DtmfSignal::Begin(digit))
            }
        }
    }
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

    #[test]
    fn a_digit_is_reported_once_despite_retransmitted_ends() {
        let mut rx = DtmfReceiver::default();
        let pkt = |end: bool, dur: u16| {
            let mut b = [0u8; 4];
            TelephoneEvent { event: 1, end, volume: 10, duration: dur }.write(&mut b);
            b
        };
        assert_eq!(rx.on_packet(1000, &pkt(false, 160)), Some(DtmfSignal::Begin('1')));
        assert_eq!(rx.on_packet(1000, &pkt(false, 320)), None);
        assert_eq!(rx.on_packet(1000, &pkt(true, 800)), Some(DtmfSignal::End('1', 100)));
        assert_eq!(rx.on_packet(1000, &pkt(true, 800)), None);
        assert_eq!(rx.on_packet(1000, &pkt(true, 800)), None);
        // The same digit again is a new event (new timestamp).
        assert_eq!(rx.on_packet(2600, &pkt(true, 800)), Some(DtmfSignal::Begin('1')));
        assert_eq!(rx.on_packet(2600, &pkt(true, 800)), None);
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
        fn sent_digits_are_received_exactly_once(digits in "[0-9*#A-D]{1,8}", ms in 40u32..400) {
            let mut rx = DtmfReceiver::default();
            let mut got = String::new();
            for (i, d) in digits.chars().enumerate() {
                let mut tx = DtmfSender::new(d, ms).unwrap();
                while let Some(p) = tx.next_packet() {
                    let mut b = [0u8; 4];
                    p.event.write(&mut b);
                    if let Some(DtmfSignal::Begin(c)) = rx.on_packet(i as u32 * 10_000, &b) {
                        got.push(c);
                    }
                }
            }
            prop_assert_eq!(got, digits);
        }
    }
}
