//! What an RTCP report said (RFC 3550 §6.4), as the media side publishes it for every compound packet
//! it sends or receives (AMI `RTCPSent`/`RTCPReceived`). Plain data: parsing and writing live in the
//! media crate.

use std::net::SocketAddr;

/// The sender information of a sender report (SR, packet type 200).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RtcpSenderInfo {
    /// NTP timestamp: seconds since 1900 (high word) and fraction (low word).
    pub ntp: u64,
    /// RTP timestamp matching the NTP time.
    pub rtp_timestamp: u32,
    /// Packets sent so far.
    pub packets: u32,
    /// Payload octets sent so far.
    pub octets: u32,
}

/// One reception report block.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct RtcpReportBlock {
    /// SSRC of the source this block is about.
    pub source_ssrc: u32,
    /// Fraction lost since the previous report, in 1/256.
    pub fraction_lost: u8,
    /// Cumulative packets lost (24-bit signed).
    pub cumulative_lost: i32,
    /// Extended highest sequence number received (cycles in the high 16 bits).
    pub highest_sequence: u32,
    /// Interarrival jitter, in timestamp units.
    pub jitter: u32,
    /// Middle 32 bits of the NTP time of the last SR received (LSR).
    pub lsr: u32,
    /// Delay since that SR, in 1/65536 s (DLSR).
    pub dlsr: u32,
}

/// A sender or receiver report with where it went or came from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RtcpReport {
    /// Our RTCP address.
    pub local: SocketAddr,
    /// The far end's RTCP address.
    pub remote: SocketAddr,
    /// SSRC of the report's sender.
    pub ssrc: u32,
    /// Present for an SR, absent for an RR.
    pub sender: Option<RtcpSenderInfo>,
    /// Reception report blocks.
    pub blocks: Vec<RtcpReportBlock>,
}

impl RtcpReport {
    /// The RTCP packet type: 200 (SR) or 201 (RR).
    pub fn packet_type(&self) -> u8 {
        if self.sender.is_some() { 200 } else { 201 }
    }
}
