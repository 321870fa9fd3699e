//! Shared helpers for the media integration tests: an engine on loopback, a "phone" socket, RTP
//! packet building and receiving with a timeout.

#![allow(dead_code)]

use std::net::SocketAddr;
use std::time::Duration;

use switchyard_media::rtp::{self, RtpHeader};
use switchyard_media::{MediaConfig, MediaEngine};
use tokio::net::UdpSocket;

/// An engine on 127.0.0.1 with a port range of its own (tests in parallel processes pick different
/// bases; a taken pair is skipped anyway).
pub async fn engine() -> MediaEngine {
    let base = 31000 + (std::process::id() % 500) as u16 * 40;
    let config =
        MediaConfig { bind_ip: "127.0.0.1".parse().unwrap(), ports: base..=base + 39, ..MediaConfig::default() };
    MediaEngine::start(config).await.unwrap()
}

/// A far end: a plain UDP socket on loopback.
pub async fn phone() -> UdpSocket {
    UdpSocket::bind("127.0.0.1:0").await.unwrap()
}

/// An RTP packet with a 12-byte header.
pub fn packet(pt: u8, seq: u16, ts: u32, ssrc: u32, payload: &[u8]) -> Vec<u8> {
    let mut buf = vec![0u8; rtp::HEADER_LEN + payload.len()];
    RtpHeader { marker: false, payload_type: pt, seq, timestamp: ts, ssrc }.write(&mut buf);
    buf[rtp::HEADER_LEN..].copy_from_slice(payload);
    buf
}

/// The next datagram, parsed (panics after 3 s of nothing).
pub async fn recv(sock: &UdpSocket) -> (RtpHeader, Vec<u8>, SocketAddr) {
    let mut buf = [0u8; 1500];
    let (n, from) = tokio::time::timeout(Duration::from_secs(3), sock.recv_from(&mut buf))
        .await
        .expect("no RTP within 3 s")
        .unwrap();
    let p = rtp::parse(&buf[..n]).unwrap();
    (p.header, buf[p.payload_start..p.payload_end].to_vec(), from)
}

/// The next packet that satisfies `want` (comfort silence and others are skipped).
pub async fn recv_where(sock: &UdpSocket, want: impl Fn(&RtpHeader, &[u8]) -> bool) -> (RtpHeader, Vec<u8>) {
    for _ in 0..500 {
        let (h, payload, _) = recv(sock).await;
        if want(&h, &payload) {
            return (h, payload);
        }
    }
    panic!("500 packets without the one wanted");
}
