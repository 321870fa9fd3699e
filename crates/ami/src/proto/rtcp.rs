//! `RTCPSent` / `RTCPReceived`: the channel block, the addresses, then the report as Asterisk's
//! `rtcp_report_to_ami` (main/rtp_engine.c) writes it — field names and order from the Asterisk
//! documentation of these events (docs.asterisk.org, AMI_Events/RTCPSent), formats from that function:
//! SSRCs in `0x%08x`, `PT: 200(SR)`/`201(RR)`, `SentNTP` as Unix `seconds.microseconds`, the extended
//! highest sequence split into `HighestSequence` (low 16 bits) and `SequenceNumberCycles` (high 16
//! bits), `DLSR` in seconds with four decimals.

use switchyard_core::ChannelSnapshot;
use switchyard_core::rtcp::{RtcpReport, RtcpReportBlock};

use super::event::AmiEvent;
use super::privilege::Privilege;

/// Seconds from 1900 (NTP epoch) to 1970.
const NTP_UNIX_OFFSET: u64 = 2_208_988_800;

/// The AMI event for an RTCP report we sent (`sent`) or received.
pub fn render(s: Option<&ChannelSnapshot>, sent: bool, r: &RtcpReport) -> AmiEvent {
    let mut e = AmiEvent::new(if sent { "RTCPSent" } else { "RTCPReceived" }, Privilege::REPORTING);
    if let Some(s) = s {
        e.channel("", s);
    }
    let (local, remote) = (r.local.to_string(), r.remote.to_string());
    if sent {
        e.push("To", remote).push("From", local);
    } else {
        e.push("From", remote).push("To", local);
    }
    let pt = r.packet_type();
    e.push("SSRC", format!("0x{:08x}", r.ssrc))
        .push("PT", format!("{pt}({})", if pt == 200 { "SR" } else { "RR" }))
        .push("ReportCount", r.blocks.len().to_string());
    if let Some(si) = &r.sender {
        e.push("SentNTP", ntp_to_unix(si.ntp))
            .push("SentRTP", si.rtp_timestamp.to_string())
            .push("SentPackets", si.packets.to_string())
            .push("SentOctets", si.octets.to_string());
    }
    for (i, b) in r.blocks.iter().enumerate() {
        block(&mut e, i, b);
    }
    e
}

fn block(e: &mut AmiEvent, i: usize, b: &RtcpReportBlock) {
    let key = |name: &str| format!("Report{i}{name}");
    e.push(key("SourceSSRC"), format!("0x{:08x}", b.source_ssrc))
        .push(key("FractionLost"), b.fraction_lost.to_string())
        .push(key("CumulativeLost"), b.cumulative_lost.to_string())
        .push(key("HighestSequence"), (b.highest_sequence & 0xFFFF).to_string())
        .push(key("SequenceNumberCycles"), (b.highest_sequence >> 16).to_string())
        .push(key("IAJitter"), b.jitter.to_string())
        .push(key("LSR"), b.lsr.to_string())
        .push(key("DLSR"), format!("{:.4}", f64::from(b.dlsr) / 65_536.0));
}

/// An NTP timestamp as Unix `seconds.microseconds`.
fn ntp_to_unix(ntp: u64) -> String {
    let secs = (ntp >> 32).saturating_sub(NTP_UNIX_OFFSET);
    let micros = ((ntp & 0xFFFF_FFFF) * 1_000_000) >> 32;
    format!("{secs}.{micros:06}")
}

#[cfg(test)]
mod tests {
    use switchyard_core::rtcp::RtcpSenderInfo;

    use super::*;

    fn report(sender: bool) -> RtcpReport {
        RtcpReport {
            local: "127.0.0.1:20001".parse().unwrap(),
            remote: "127.0.0.1:5001".parse().unwrap(),
            ssrc: 0x00ab_cdef,
            sender: sender.then_some(RtcpSenderInfo {
                ntp: ((NTP_UNIX_OFFSET + 1_528_531_551) << 32) | 0x8000_0000,
                rtp_timestamp: 2_075_878_680,
                packets: 251,
                octets: 40_160,
            }),
            blocks: vec![RtcpReportBlock {
                source_ssrc: 0x1234,
                fraction_lost: 3,
                cumulative_lost: 7,
                highest_sequence: (2 << 16) | 900,
                jitter: 12,
                lsr: 99,
                dlsr: 98_304,
            }],
        }
    }

    fn text(e: &AmiEvent) -> String {
        String::from_utf8(e.to_bytes().to_vec()).unwrap()
    }

    #[test]
    fn sent_sender_report_lists_sender_info_then_the_blocks() {
        let t = text(&render(None, true, &report(true)));
        let want = "Event: RTCPSent\r\nPrivilege: reporting,all\r\nTo: 127.0.0.1:5001\r\nFrom: 127.0.0.1:20001\r\n\
                    SSRC: 0x00abcdef\r\nPT: 200(SR)\r\nReportCount: 1\r\nSentNTP: 1528531551.500000\r\n\
                    SentRTP: 2075878680\r\nSentPackets: 251\r\nSentOctets: 40160\r\n\
                    Report0SourceSSRC: 0x00001234\r\nReport0FractionLost: 3\r\nReport0CumulativeLost: 7\r\n\
                    Report0HighestSequence: 900\r\nReport0SequenceNumberCycles: 2\r\nReport0IAJitter: 12\r\n\
                    Report0LSR: 99\r\nReport0DLSR: 1.5000\r\n\r\n";
        assert_eq!(t, want);
    }

    #[test]
    fn received_receiver_report_names_the_sender_first_and_has_no_sender_info() {
        let t = text(&render(None, false, &report(false)));
        assert!(
            t.starts_with(
                "Event: RTCPReceived\r\nPrivilege: reporting,all\r\nFrom: 127.0.0.1:5001\r\nTo: 127.0.0.1:20001\r\n"
            ),
            "{t}"
        );
        assert!(t.contains("PT: 201(RR)\r\nReportCount: 1\r\nReport0SourceSSRC"), "{t}");
        assert!(!t.contains("SentNTP"), "{t}");
    }
}
