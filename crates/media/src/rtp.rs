//! RTP fixed header (RFC 3550 §5.1): parse and write over byte slices without allocating, and
//! in-place rewriting of the fields a relay changes.

/// Length of the fixed header without CSRCs.
pub const HEADER_LEN: usize = 12;

/// Why a datagram is not an RTP packet we accept.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum RtpError {
    /// Shorter than the header it announces.
    #[error("RTP packet too short: {len} bytes, header needs {need}")]
    TooShort {
        /// Datagram length.
        len: usize,
        /// Bytes the header needs.
        need: usize,
    },
    /// Version field is not 2.
    #[error("RTP version {0}, expected 2")]
    Version(u8),
    /// Padding count larger than the payload.
    #[error("RTP padding of {0} bytes exceeds the payload")]
    Padding(u8),
}

/// The fields of an RTP header that media handling needs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RtpHeader {
    /// Marker bit (start of a talkspurt, start of a DTMF event).
    pub marker: bool,
    /// Payload type (7 bits).
    pub payload_type: u8,
    /// Sequence number.
    pub seq: u16,
    /// Media timestamp.
    pub timestamp: u32,
    /// Synchronisation source.
    pub ssrc: u32,
}

/// A parsed packet: the header and where the payload lies in the datagram.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RtpPacket {
    /// The header fields.
    pub header: RtpHeader,
    /// Offset of the payload (after CSRCs and any extension).
    pub payload_start: usize,
    /// End of the payload (before any padding).
    pub payload_end: usize,
}

/// Parses the header of `buf`.
pub fn parse(buf: &[u8]) -> Result<RtpPacket, RtpError> {
    if buf.len() < HEADER_LEN {
        return Err(RtpError::TooShort { len: buf.len(), need: HEADER_LEN });
    }
    let version = buf[0] >> 6;
    if version != 2 {
        return Err(RtpError::Version(version));
    }
    let csrc_count = usize::from(buf[0] & 0x0F);
    let mut start = HEADER_LEN + 4 * csrc_count;
    if buf[0] & 0x10 != 0 {
        let need = start + 4;
        if buf.len() < need {
            return Err(RtpError::TooShort { len: buf.len(), need });
        }
        let words = usize::from(u16::from_be_bytes([buf[start + 2], buf[start + 3]]));
        start = need + 4 * words;
    }
    if buf.len() < start {
        return Err(RtpError::TooShort { len: buf.len(), need: start });
    }
    let mut end = buf.len();
    if buf[0] & 0x20 != 0 {
        let pad = buf[buf.len() - 1];
        if pad == 0 || usize::from(pad) > end - start {
            return Err(RtpError::Padding(pad));
        }
        end -= usize::from(pad);
    }
    let header = RtpHeader {
        marker: buf[1] & 0x80 != 0,
        payload_type: buf[1] & 0x7F,
        seq: u16::from_be_bytes([buf[2], buf[3]]),
        timestamp: u32::from_be_bytes([buf[4], buf[5], buf[6], buf[7]]),
        ssrc: u32::from_be_bytes([buf[8], buf[9], buf[10], buf[11]]),
    };
    Ok(RtpPacket { header, payload_start: start, payload_end: end })
}

impl RtpHeader {
    /// Writes a 12-byte header (no CSRC, extension or padding) into `out`; returns 12.
    ///
    /// # Panics
    /// When `out` is shorter than [`HEADER_LEN`].
    pub fn write(&self, out: &mut [u8]) -> usize {
        out[0] = 0x80;
        self.rewrite(out);
        HEADER_LEN
    }

    /// Overwrites marker, payload type, sequence, timestamp and SSRC in an existing header, keeping
    /// its flags, CSRCs and extension.
    ///
    /// # Panics
    /// When `out` is shorter than [`HEADER_LEN`].
    pub fn rewrite(&self, out: &mut [u8]) {
        out[1] = (u8::from(self.marker) << 7) | (self.payload_type & 0x7F);
        out[2..4].copy_from_slice(&self.seq.to_be_bytes());
        out[4..8].copy_from_slice(&self.timestamp.to_be_bytes());
        out[8..12].copy_from_slice(&self.ssrc.to_be_bytes());
    }
}

/// Whether a datagram looks like RTCP rather than RTP (RFC 5761 §4: payload types 64–95 with the
/// marker bit are RTCP packet types 192–223).
pub fn is_rtcp(buf: &[u8]) -> bool {
    buf.len() >= 2 && (192..=223).contains(&buf[1])
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn parses_a_pcmu_packet() {
        // A hand-built packet: V=2, M=1, PT=0, seq 0x1234, ts 0xDEADBEEF, SSRC 0x01020304, 2 payload bytes.
        let buf = [0x80, 0x80, 0x12, 0x34, 0xDE, 0xAD, 0xBE, 0xEF, 1, 2, 3, 4, 0xFF, 0xFE];
        let p = parse(&buf).unwrap();
        assert_eq!(
            p.header,
            RtpHeader { marker: true, payload_type: 0, seq: 0x1234, timestamp: 0xDEAD_BEEF, ssrc: 0x0102_0304 }
        );
        assert_eq!((p.payload_start, p.payload_end), (12, 14));
    }

    #[test]
    fn skips_csrcs_extension_and_padding() {
        let mut buf = vec![0xB1, 8, 0, 1, 0, 0, 0, 2, 0, 0, 0, 3];
        buf.extend_from_slice(&[9, 9, 9, 9]); // one CSRC
        buf.extend_from_slice(&[0xBE, 0xDE, 0, 1, 7, 7, 7, 7]); // extension, one word
        buf.extend_from_slice(&[0x55, 0x55, 0, 0, 3]); // payload + 3 padding bytes
        let p = parse(&buf).unwrap();
        assert_eq!(&buf[p.payload_start..p.payload_end], &[0x55, 0x55]);
    }

    #[test]
    fn rejects_what_is_not_rtp() {
        assert_eq!(parse(&[0x80; 5]), Err(RtpError::TooShort { len: 5, need: 12 }));
        assert_eq!(parse(&[0x40; 12]), Err(RtpError::Version(1)));
        let mut padded = [0x80u8; 13];
        padded[0] = 0xA0;
        padded[12] = 9;
        assert_eq!(parse(&padded), Err(RtpError::Padding(9)));
        assert!(matches!(parse(&[0x8F; 20]), Err(RtpError::TooShort { .. })));
    }

    #[test]
    fn recognises_rtcp_sender_reports() {
        assert!(is_rtcp(&[0x80, 200, 0, 6]));
        assert!(!is_rtcp(&[0x80, 0, 0, 6]));
    }

    proptest! {
        #[test]
        fn write_then_parse_gives_the_header(m in any::<bool>(), pt in 0u8..128, seq in any::<u16>(),
                                             ts in any::<u32>(), ssrc in any::<u32>()) {
            let h = RtpHeader { marker: m, payload_type: pt, seq, timestamp: ts, ssrc };
            let mut buf = [0u8; 20];
            let n = h.write(&mut buf);
            let p = parse(&buf).unwrap();
            prop_assert_eq!(p.header, h);
            prop_assert_eq!((p.payload_start, p.payload_end), (n, 20));
        }

        #[test]
        fn parse_never_panics(buf in proptest::collection::vec(any::<u8>(), 0..64)) {
            if let Ok(p) = parse(&buf) {
                prop_assert!(p.payload_start <= p.payload_end && p.payload_end <= buf.len());
            }
        }
    }
}
