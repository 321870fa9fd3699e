//! RTCP on the wire (RFC 3550 §6): the compound packet we send (SR or RR, then SDES with a CNAME,
//! §6.1) and a parser for received compounds. Sans-io; the session's task sends and receives them
//! (`rtcp_session`), [`crate::rtcp_stats`] computes the report blocks.

use switchyard_core::rtcp::{RtcpReportBlock, RtcpSenderInfo};

/// Sender report.
pub const SR: u8 = 200;
/// Receiver report.
pub const RR: u8 = 201;
/// Source description.
pub const SDES: u8 = 202;
const SDES_CNAME: u8 = 1;
const BLOCK_LEN: usize = 24;
const SENDER_INFO_LEN: usize = 20;

/// Why a datagram is not a valid RTCP compound packet (offsets are bytes into the datagram).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RtcpError {
    /// Fewer than 4 bytes where a packet header should start.
    #[error("RTCP: {left} byte(s) at offset {at}, too short for a packet header")]
    Short {
        /// Offset.
        at: usize,
        /// Bytes left.
        left: usize,
    },
    /// Version other than 2.
    #[error("RTCP: version {version} at offset {at} (expected 2)")]
    Version {
        /// Offset.
        at: usize,
        /// The version bits.
        version: u8,
    },
    /// The length field says more than the datagram holds.
    #[error("RTCP: packet at offset {at} claims {claimed} bytes, only {left} left")]
    Length {
        /// Offset.
        at: usize,
        /// Bytes the length field claims.
        claimed: usize,
        /// Bytes left.
        left: usize,
    },
    /// A compound must start with an SR or RR (RFC 3550 §6.1).
    #[error("RTCP: compound starts with packet type {0}, not SR (200) or RR (201)")]
    NotReport(u8),
    /// The report's blocks do not fit its length.
    #[error("RTCP: packet type {pt} with {count} report block(s) needs {needed} bytes, has {len}")]
    Truncated {
        /// Packet type.
        pt: u8,
        /// Report count.
        count: usize,
        /// Bytes needed.
        needed: usize,
        /// Packet length.
        len: usize,
    },
}

/// What a received compound said.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Compound {
    /// SSRC of the sender of the first report.
    pub ssrc: u32,
    /// Its sender info, for an SR.
    pub sender: Option<RtcpSenderInfo>,
    /// The first report's blocks.
    pub blocks: Vec<RtcpReportBlock>,
    /// The first CNAME of an SDES packet, if any (lossily decoded).
    pub cname: Option<String>,
    /// Packets in the compound.
    pub packets: usize,
}

/// Parses a compound RTCP datagram. Packets after the first report other than SDES are skipped.
pub fn parse(buf: &[u8]) -> Result<Compound, RtcpError> {
    let mut at = 0;
    let mut out: Option<Compound> = None;
    while at < buf.len() {
        let (pt, count, body) = packet(buf, at)?;
        match (&mut out, pt) {
            (None, SR | RR) => out = Some(report(pt, count, body)?),
            (None, other) => return Err(RtcpError::NotReport(other)),
            (Some(c), SDES) if c.cname.is_none() => c.cname = cname(body),
            _ => {}
        }
        if let Some(c) = out.as_mut() {
            c.packets += 1;
        }
        at += 4 + body.len();
    }
    out.ok_or(RtcpError::Short { at: 0, left: buf.len() })
}

/// One packet at `at`: (type, count field, bytes after the 4-byte header).
fn packet(buf: &[u8], at: usize) -> Result<(u8, usize, &[u8]), RtcpError> {
    let left = buf.len() - at;
    if left < 4 {
        return Err(RtcpError::Short { at, left });
    }
    let h = &buf[at..at + 4];
    if h[0] >> 6 != 2 {
        return Err(RtcpError::Version { at, version: h[0] >> 6 });
    }
    let claimed = 4 * (usize::from(u16::from_be_bytes([h[2], h[3]])) + 1);
    if claimed > left {
        return Err(RtcpError::Length { at, claimed, left });
    }
    Ok((h[1], usize::from(h[0] & 0x1F), &buf[at + 4..at + claimed]))
}

fn word(b: &[u8], at: usize) -> u32 {
    u32::from_be_bytes([b[at], b[at + 1], b[at + 2], b[at + 3]])
}

fn report(pt: u8, count: usize, body: &[u8]) -> Result<Compound, RtcpError> {
    let info = if pt == SR { SENDER_INFO_LEN } else { 0 };
    let needed = 4 + info + count * BLOCK_LEN;
    if body.len() < needed {
        return Err(RtcpError::Truncated { pt, count, needed: needed + 4, len: body.len() + 4 });
    }
    let sender = (pt == SR).then(|| RtcpSenderInfo {
        ntp: (u64::from(word(body, 4)) << 32) | u64::from(word(body, 8)),
        rtp_timestamp: word(body, 12),
        packets: word(body, 16),
        octets: word(body, 20),
    });
    let blocks = (0..count).map(|i| block(&body[4 + info + i * BLOCK_LEN..])).collect();
    Ok(Compound { ssrc: word(body, 0), sender, blocks, cname: None, packets: 0 })
}

fn block(b: &[u8]) -> RtcpReportBlock {
    let lost = word(b, 4) & 0x00FF_FFFF;
    RtcpReportBlock {
        source_ssrc: word(b, 0),
        fraction_lost: b[4],
        // 24-bit two's complement.
        cumulative_lost: ((lost << 8) as i32) >> 8,
        highest_sequence: word(b, 8),
        jitter: word(b, 12),
        lsr: word(b, 16),
        dlsr: word(b, 20),
    }
}

/// The CNAME of the first SDES chunk, if it has one.
fn cname(body: &[u8]) -> Option<String> {
    let mut at = 4;
    while at + 2 <= body.len() && body[at] != 0 {
        let (kind, len) = (body[at], usize::from(body[at + 1]));
        let text = body.get(at + 2..at + 2 + len)?;
        if kind == SDES_CNAME {
            return Some(String::from_utf8_lossy(text).into_owned());
        }
        at += 2 + len;
    }
    None
}

/// Writes our compound packet: an SR (with `sender`) or RR, then SDES with `cname` (at most 255 bytes).
pub fn write_compound(
    ssrc: u32,
    sender: Option<&RtcpSenderInfo>,
    blocks: &[RtcpReportBlock],
    cname: &str,
    out: &mut Vec<u8>,
) {
    let blocks = &blocks[..blocks.len().min(31)];
    let pt = if sender.is_some() { SR } else { RR };
    let words = 1 + sender.map_or(0, |_| 5) + 6 * blocks.len();
    out.extend_from_slice(&[0x80 | blocks.len() as u8, pt]);
    out.extend_from_slice(&(words as u16).to_be_bytes());
    out.extend_from_slice(&ssrc.to_be_bytes());
    if let Some(s) = sender {
        for w in [(s.ntp >> 32) as u32, s.ntp as u32, s.rtp_timestamp, s.packets, s.octets] {
            out.extend_from_slice(&w.to_be_bytes());
        }
    }
    for b in blocks {
        let lost = (b.cumulative_lost.clamp(-0x80_0000, 0x7F_FFFF) as u32) & 0x00FF_FFFF;
        let words =
            [b.source_ssrc, (u32::from(b.fraction_lost) << 24) | lost, b.highest_sequence, b.jitter, b.lsr, b.dlsr];
        words.iter().for_each(|w| out.extend_from_slice(&w.to_be_bytes()));
    }
    let name = &cname.as_bytes()[..cname.len().min(255)];
    // Chunk: SSRC, CNAME item, a zero item type, padded to a 32-bit boundary.
    let chunk = 4 + 2 + name.len() + 1;
    let padded = chunk.div_ceil(4) * 4;
    out.extend_from_slice(&[0x81, SDES]);
    out.extend_from_slice(&((padded / 4) as u16).to_be_bytes());
    out.extend_from_slice(&ssrc.to_be_bytes());
    out.extend_from_slice(&[SDES_CNAME, name.len() as u8]);
    out.extend_from_slice(name);
    out.resize(out.len() + padded - chunk + 1, 0);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample_block() -> RtcpReportBlock {
        RtcpReportBlock {
            source_ssrc: 0xAABB_CCDD,
            fraction_lost: 25,
            cumulative_lost: -3,
            highest_sequence: 0x0001_0005,
            jitter: 17,
            lsr: 0x1234_5678,
            dlsr: 65_536,
        }
    }

    #[test]
    fn sr_with_sdes_round_trips() {
        let info = RtcpSenderInfo { ntp: 0xE000_0000_8000_0000, rtp_timestamp: 160, packets: 3, octets: 480 };
        let mut out = Vec::new();
        write_compound(0x0102_0304, Some(&info), &[sample_block()], "switchyard@127.0.0.1", &mut out);
        // RFC 3550 §6.4.1: SR header + sender info = 28 bytes, one block = 24; SDES padded to 32 bits.
        assert_eq!(&out[..4], &[0x81, 200, 0, 12]);
        assert_eq!(out.len() % 4, 0);
        assert_eq!(out[52..54], [0x81, 202]);
        let c = parse(&out).unwrap();
        assert_eq!(c.ssrc, 0x0102_0304);
        assert_eq!(c.sender, Some(info));
        assert_eq!(c.blocks, vec![sample_block()]);
        assert_eq!(c.cname.as_deref(), Some("switchyard@127.0.0.1"));
        assert_eq!(c.packets, 2);
    }

    #[test]
    fn rr_without_blocks_is_eight_bytes_then_sdes() {
        let mut out = Vec::new();
        write_compound(7, None, &[], "abc", &mut out);
        assert_eq!(&out[..8], &[0x80, 201, 0, 1, 0, 0, 0, 7]);
        // SDES: header, SSRC, item 1 len 3 "abc", end byte: 4 + 4 + 5 + 1 = 14 → 16 bytes.
        assert_eq!(&out[8..12], &[0x81, 202, 0, 3]);
        assert_eq!(out.len(), 24);
        let c = parse(&out).unwrap();
        assert_eq!((c.sender, c.blocks.len(), c.cname.as_deref()), (None, 0, Some("abc")));
    }

    #[test]
    fn cname_exactly_filling_a_word_still_gets_a_terminator() {
        for len in 0..12 {
            let name = "x".repeat(len);
            let mut out = Vec::new();
            write_compound(1, None, &[], &name, &mut out);
            assert_eq!(out.len() % 4, 0, "len {len}");
            assert_eq!(parse(&out).unwrap().cname.as_deref(), Some(name.as_str()));
        }
    }

    #[test]
    fn bad_input_is_refused_with_where_and_what() {
        assert_eq!(parse(&[0x80, 201]), Err(RtcpError::Short { at: 0, left: 2 }));
        assert_eq!(parse(&[0x40, 201, 0, 1, 0, 0, 0, 0]), Err(RtcpError::Version { at: 0, version: 1 }));
        assert_eq!(parse(&[0x80, 201, 0, 9, 0, 0, 0, 0]), Err(RtcpError::Length { at: 0, claimed: 40, left: 8 }));
        assert_eq!(parse(&[0x80, 202, 0, 1, 0, 0, 0, 0]), Err(RtcpError::NotReport(202)));
        let err = parse(&[0x81, 201, 0, 1, 0, 0, 0, 0]).unwrap_err();
        assert!(matches!(err, RtcpError::Truncated { pt: 201, count: 1, .. }), "{err}");
        assert!(parse(&[]).is_err());
    }

    #[test]
    fn sdes_items_running_past_the_packet_give_no_cname() {
        let mut out = Vec::new();
        write_compound(1, None, &[], "abcd", &mut out);
        out[8 + 9] = 200; // the CNAME length now runs past the packet
        assert_eq!(parse(&out).unwrap().cname, None);
    }
}
