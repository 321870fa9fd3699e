//! `sendmsg` `call-command: unicast` on a channel carrying real RTP: what the phone sends reaches the
//! unicast peer as L16 (host byte order, 320-byte frames), and L16 the peer sends reaches the phone
//! as PCMU. Header names and defaults from FreeSWITCH's switch_ivr.c as quoted in seed 002 §3.9.1.3.

mod common;

use std::sync::Arc;
use std::time::Duration;

use common::{Client, server, switch};
use parking_lot::Mutex;
use switchyard_core::media::MediaPort;
use switchyard_core::tech::{DialStringError, Endpoint, LocalEvent, RemoteAction, Tech};
use switchyard_core::{OriginateRequest, OriginateTarget, Switch};
use switchyard_media::rtp::{self, RtpHeader};
use switchyard_media::{Codec, MediaConfig, MediaEngine, g711};
use tokio::net::UdpSocket;
use tokio::time::Instant;

/// A far end that answers at once and carries the media port it was given.
struct RtpEnd(Arc<dyn MediaPort>, bool);

impl Endpoint for RtpEnd {
    fn next_deadline(&self) -> Option<Instant> {
        (!self.1).then(Instant::now)
    }
    fn on_deadline(&mut self, _now: Instant) -> Option<RemoteAction> {
        self.1 = true;
        Some(RemoteAction::Answer)
    }
    fn on_local(&mut self, _event: LocalEvent, _now: Instant) {}
    fn media(&self) -> Option<Arc<dyn MediaPort>> {
        Some(self.0.clone())
    }
}

/// `rtpphone/…`: hands out the port set before the call.
#[derive(Default)]
struct RtpTech(Mutex<Option<Arc<dyn MediaPort>>>);

impl Tech for RtpTech {
    fn name(&self) -> &'static str {
        "rtpphone"
    }
    fn request(&self, _switch: &Switch, _resource: &str) -> Result<Box<dyn Endpoint>, DialStringError> {
        Ok(Box::new(RtpEnd(self.0.lock().take().expect("a port for the call"), false)))
    }
}

/// A UDP port free a moment ago (unicast's `local-port` must be named).
fn free_udp_port() -> u16 {
    std::net::UdpSocket::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

/// Sends `payload` every 20 ms until the task is aborted (a paced stream, as a phone or modem would).
fn stream(socket: Arc<UdpSocket>, payload: impl Fn(u16) -> Vec<u8> + Send + 'static) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(Duration::from_millis(20));
        for seq in 0u16.. {
            tick.tick().await;
            let _ = socket.send(&payload(seq)).await;
        }
    })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unicast_streams_l16_both_ways_on_an_rtp_channel() {
    let sw = switch();
    let addr = server(&sw).await;
    let base = 34000 + (std::process::id() % 300) as u16 * 20;
    let engine = MediaEngine::start(MediaConfig { ports: base..=base + 19, ..MediaConfig::default() }).await.unwrap();
    let session = engine.open().unwrap();
    let phone = Arc::new(UdpSocket::bind("127.0.0.1:0").await.unwrap());
    phone.connect(session.local_addr()).await.unwrap();
    session.set_remote(phone.local_addr().unwrap(), Codec::Pcmu, 0, Some(101));
    let tech = Arc::new(RtpTech::default());
    *tech.0.lock() = Some(session.port());
    sw.techs().register(tech);
    let pending = sw.originate(OriginateRequest::new("rtpphone/x", OriginateTarget::Park)).unwrap();
    let uuid = pending.channel.id();

    let peer = Arc::new(UdpSocket::bind("127.0.0.1:0").await.unwrap());
    let local_port = free_udp_port();
    peer.connect(("127.0.0.1", local_port)).await.unwrap();
    let mut c = Client::authed(addr).await;
    let msg = format!(
        "sendmsg {uuid}\ncall-command: unicast\nlocal-ip: 127.0.0.1\nlocal-port: {local_port}\n\
         remote-ip: 127.0.0.1\nremote-port: {}\ntransport: udp",
        peer.local_addr().unwrap().port()
    );
    assert_eq!(c.cmd(&msg).await.get("Reply-Text"), Some("+OK"));

    let talk = g711::ulaw_encode(1000);
    let phone_stream = stream(phone.clone(), move |seq| {
        let mut buf = vec![talk; rtp::HEADER_LEN + 160];
        RtpHeader { marker: seq == 0, payload_type: 0, seq, timestamp: u32::from(seq) * 160, ssrc: 7 }.write(&mut buf);
        buf
    });
    let heard = -2000i16;
    let peer_stream = stream(peer.clone(), move |_| heard.to_ne_bytes().repeat(160));

    let expect_l16 = g711::ulaw_decode(talk);
    let got_l16 = tokio::time::timeout(Duration::from_secs(5), async {
        let mut buf = [0u8; 2048];
        loop {
            let n = peer.recv(&mut buf).await.unwrap();
            let samples: Vec<i16> = buf[..n].chunks_exact(2).map(|b| i16::from_ne_bytes([b[0], b[1]])).collect();
            if n == 320 && samples.iter().all(|&s| s == expect_l16) {
                return samples.len();
            }
        }
    });
    assert_eq!(got_l16.await.expect("the phone's audio as L16 at the unicast peer"), 160);

    let want = g711::ulaw_encode(heard);
    let got_rtp = tokio::time::timeout(Duration::from_secs(5), async {
        let mut buf = [0u8; 2048];
        loop {
            let n = phone.recv(&mut buf).await.unwrap();
            let packet = rtp::parse(&buf[..n]).unwrap();
            let payload = &buf[packet.payload_start..packet.payload_end];
            if packet.header.payload_type == 0 && payload.len() == 160 && payload.iter().all(|&b| b == want) {
                return payload.len();
            }
        }
    });
    assert_eq!(got_rtp.await.expect("the peer's L16 as PCMU at the phone"), 160);
    phone_stream.abort();
    peer_stream.abort();
    c.cmd(&format!("api uuid_kill {uuid}")).await;
}
