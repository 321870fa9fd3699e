//! Two RTP sessions linked as a bridge: what one far end sends reaches the other, rewritten into the
//! second session's stream, transcoded when the codecs differ, with RFC 4733 DTMF passed through and
//! the remote address latched to where packets come from.

mod common;

use common::{engine, packet, phone, recv_where};
use switchyard_media::Codec;
use switchyard_media::dtmf::TelephoneEvent;
use switchyard_media::g711;

/// A payload no silence or tone generator produces: bytes counting from `first`.
fn marked(first: u8) -> Vec<u8> {
    (0..160).map(|i| first.wrapping_add(i as u8) | 0x01).collect()
}

#[tokio::test]
async fn linked_sessions_relay_rtp_with_continuous_seq_and_timestamps() {
    let engine = engine().await;
    let (a, b) = (engine.open().unwrap(), engine.open().unwrap());
    let (pa, pb) = (phone().await, phone().await);
    a.set_remote(pa.local_addr().unwrap(), Codec::Pcmu, 0, Some(101));
    b.set_remote(pb.local_addr().unwrap(), Codec::Pcmu, 0, Some(101));
    a.port().link(&b.port());
    b.port().link(&a.port());

    let mut got = Vec::new();
    for i in 0..10u16 {
        let payload = marked(i as u8 * 7);
        pa.send_to(&packet(0, 5000 + i, 80_000 + 160 * u32::from(i), 0xAAAA, &payload), a.local_addr()).await.unwrap();
        let (h, _) = recv_where(&pb, |_, p| p == payload.as_slice()).await;
        assert_eq!(h.payload_type, 0);
        got.push(h);
    }
    for w in got.windows(2) {
        assert_eq!(w[1].seq, w[0].seq.wrapping_add(1));
        assert_eq!(w[1].timestamp, w[0].timestamp.wrapping_add(160));
        assert_eq!(w[1].ssrc, w[0].ssrc);
    }
    assert_ne!(got[0].ssrc, 0xAAAA, "the relay sends in its own stream");
    assert!(a.stats().packets_received >= 10 && b.stats().packets_sent >= 10);
}

#[tokio::test]
async fn ulaw_is_transcoded_to_alaw_across_the_link() {
    let engine = engine().await;
    let (a, b) = (engine.open().unwrap(), engine.open().unwrap());
    let (pa, pb) = (phone().await, phone().await);
    a.set_remote(pa.local_addr().unwrap(), Codec::Pcmu, 0, None);
    b.set_remote(pb.local_addr().unwrap(), Codec::Pcma, 8, None);
    a.port().link(&b.port());
    assert_eq!(b.port().codec(), "PCMA");

    let ulaw = marked(3);
    let expected: Vec<u8> = ulaw.iter().map(|u| g711::alaw_encode(g711::ulaw_decode(*u))).collect();
    pa.send_to(&packet(0, 1, 160, 7, &ulaw), a.local_addr()).await.unwrap();
    let (h, _) = recv_where(&pb, |h, p| h.payload_type == 8 && p == expected.as_slice()).await;
    assert_eq!(h.payload_type, 8);

    // And back: A-law from B's phone arrives at A's phone as µ-law.
    let alaw = marked(9);
    let back: Vec<u8> = alaw.iter().map(|x| g711::ulaw_encode(g711::alaw_decode(*x))).collect();
    pb.send_to(&packet(8, 1, 160, 8, &alaw), b.local_addr()).await.unwrap();
    recv_where(&pa, |h, p| h.payload_type == 0 && p == back.as_slice()).await;
}

#[tokio::test]
async fn rfc4733_events_pass_through_with_the_peers_payload_type() {
    let engine = engine().await;
    let (a, b) = (engine.open().unwrap(), engine.open().unwrap());
    let (pa, pb) = (phone().await, phone().await);
    a.set_remote(pa.local_addr().unwrap(), Codec::Pcmu, 0, Some(101));
    b.set_remote(pb.local_addr().unwrap(), Codec::Pcmu, 0, Some(96));
    a.port().link(&b.port());

    let mut ev = [0u8; 4];
    TelephoneEvent { event: 11, end: true, volume: 10, duration: 800 }.write(&mut ev);
    pa.send_to(&packet(101, 9, 4000, 7, &ev), a.local_addr()).await.unwrap();
    let (_, payload) = recv_where(&pb, |h, _| h.payload_type == 96).await;
    assert_eq!(TelephoneEvent::parse(&payload).unwrap().event, 11);
}

#[tokio::test]
async fn the_remote_latches_to_where_packets_come_from() {
    let engine = engine().await;
    let (a, b) = (engine.open().unwrap(), engine.open().unwrap());
    let (pa, pb, moved) = (phone().await, phone().await, phone().await);
    a.set_remote(pa.local_addr().unwrap(), Codec::Pcmu, 0, None);
    b.set_remote(pb.local_addr().unwrap(), Codec::Pcmu, 0, None);
    a.port().link(&b.port());

    // A's far end is really behind NAT at `moved`: its first packet teaches A where to send.
    let hello = marked(1);
    moved.send_to(&packet(0, 1, 160, 3, &hello), a.local_addr()).await.unwrap();
    recv_where(&pb, |_, p| p == hello.as_slice()).await;
    assert_eq!(a.remote(), Some(moved.local_addr().unwrap()));

    let reply = marked(2);
    pb.send_to(&packet(0, 1, 160, 4, &reply), b.local_addr()).await.unwrap();
    recv_where(&moved, |_, p| p == reply.as_slice()).await;
}

#[tokio::test]
async fn unlinked_sessions_send_comfort_silence_and_closing_frees_the_port() {
    let engine = engine().await;
    let a = engine.open().unwrap();
    let pa = phone().await;
    a.set_remote(pa.local_addr().unwrap(), Codec::Pcma, 8, None);
    let (h, payload) = recv_where(&pa, |_, _| true).await;
    assert_eq!(h.payload_type, 8);
    assert!(payload.iter().all(|b| *b == Codec::Pcma.silence_byte()));
    let addr = a.local_addr();
    a.close();
    // The port can be bound again once the session's task has let go of it.
    let mut rebound = None;
    for _ in 0..100 {
        if let Ok(s) = std::net::UdpSocket::bind(addr) {
            rebound = Some(s);
            break;
        }
        tokio::task::yield_now().await;
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
    assert!(rebound.is_some(), "port {addr} still bound after close");
}
