//! Conference audio over real RTP: two members whose channels carry media (a test technology handing
//! each channel an RTP session of the media engine), one phone talks, the other hears it mixed, and
//! the talker's `start-talking` event is published.

use std::sync::Arc;
use std::time::Duration;

use parking_lot::Mutex;
use switchyard_core::media::MediaPort;
use switchyard_core::tech::{DialStringError, Endpoint, LocalEvent, RemoteAction, Tech};
use switchyard_core::{
    BusConfig, BusItem, EventKind, OriginateRequest, OriginateTarget, Switch, SwitchConfig, SwitchInfo, SystemClock,
};
use switchyard_media::rtp::{self, RtpHeader};
use switchyard_media::{Codec, MediaConfig, MediaEngine, RtpSession, g711};
use tokio::net::UdpSocket;
use tokio::time::Instant;

/// A far end that answers at once and carries the media port it was given.
struct RtpEnd {
    port: Arc<dyn MediaPort>,
    answered: bool,
}

impl Endpoint for RtpEnd {
    fn next_deadline(&self) -> Option<Instant> {
        (!self.answered).then(Instant::now)
    }
    fn on_deadline(&mut self, _now: Instant) -> Option<RemoteAction> {
        self.answered = true;
        Some(RemoteAction::Answer)
    }
    fn on_local(&mut self, _event: LocalEvent, _now: Instant) {}
    fn media(&self) -> Option<Arc<dyn MediaPort>> {
        Some(self.port.clone())
    }
}

/// `rtptest/…`: hands out the port set before the call.
#[derive(Default)]
struct RtpTech(Mutex<Option<Arc<dyn MediaPort>>>);

impl Tech for RtpTech {
    fn name(&self) -> &'static str {
        "rtptest"
    }
    fn request(&self, _switch: &Switch, _resource: &str) -> Result<Box<dyn Endpoint>, DialStringError> {
        let port = self.0.lock().take().expect("a port for the call");
        Ok(Box::new(RtpEnd { port, answered: false }))
    }
}

async fn engine() -> MediaEngine {
    let base = 52000 + (std::process::id() % 300) as u16 * 20;
    let config =
        MediaConfig { bind_ip: "127.0.0.1".parse().unwrap(), ports: base..=base + 19, ..MediaConfig::default() };
    MediaEngine::start(config).await.unwrap()
}

/// Puts a channel whose far end is `phone` (talking to `session`) in conference `room`.
async fn join(sw: &Switch, tech: &RtpTech, session: &RtpSession, phone: &UdpSocket, room: &str) {
    session.set_remote(phone.local_addr().unwrap(), Codec::Pcmu, 0, Some(101));
    *tech.0.lock() = Some(session.port());
    let target = OriginateTarget::App { name: "conference".into(), args: room.into() };
    sw.originate_and_wait(OriginateRequest::new("rtptest/x", target)).await.unwrap();
}

fn packet(seq: u16, payload: &[u8]) -> Vec<u8> {
    let mut buf = vec![0u8; rtp::HEADER_LEN + payload.len()];
    RtpHeader { marker: false, payload_type: 0, seq, timestamp: 160 * u32::from(seq), ssrc: 7 }.write(&mut buf);
    buf[rtp::HEADER_LEN..].copy_from_slice(payload);
    buf
}

/// Mean amplitude of a µ-law payload.
fn loudness(payload: &[u8]) -> i64 {
    payload.iter().map(|b| i64::from(g711::ulaw_decode(*b)).abs()).sum::<i64>() / payload.len().max(1) as i64
}

fn switch() -> Switch {
    Switch::new(SwitchConfig {
        info: SwitchInfo {
            version: "0.1.0".into(),
            hostname: "test".into(),
            core_uuid: "00000000-0000-4000-8000-000000000000".into(),
            max_channels: 0,
        },
        bus: BusConfig::default(),
        clock: Arc::new(SystemClock),
    })
}

/// The headers of the next conference event with `action` (conference, member and extra headers).
async fn next_action(sub: &mut switchyard_core::Subscription, want: &str) -> Vec<(String, String)> {
    tokio::time::timeout(Duration::from_secs(10), async {
        loop {
            if let BusItem::Event(e) = sub.recv().await
                && let EventKind::Conference(c) = &e.kind
                && c.action == want
            {
                return c.conference.iter().chain(&c.member).chain(&c.extra).cloned().collect();
            }
        }
    })
    .await
    .unwrap_or_else(|_| panic!("no {want} event"))
}

fn header<'a>(h: &'a [(String, String)], name: &str) -> &'a str {
    h.iter().find(|(k, _)| k == name).map_or("", |(_, v)| v.as_str())
}

#[tokio::test]
async fn the_floor_moves_to_a_loud_member_from_a_quiet_holder() {
    let sw = switch();
    switchyard_conference::install(&sw, no_sounds());
    let tech = Arc::new(RtpTech::default());
    sw.techs().register(tech.clone());
    let engine = engine().await;
    let (quiet_rtp, loud_rtp) = (engine.open().unwrap(), engine.open().unwrap());
    let quiet = UdpSocket::bind("127.0.0.1:0").await.unwrap();
    let loud = UdpSocket::bind("127.0.0.1:0").await.unwrap();
    let mut sub = sw.bus().subscribe("t");
    join(&sw, &tech, &quiet_rtp, &quiet, "floor").await;
    let first = next_action(&mut sub, "floor-change").await;
    assert_eq!((header(&first, "Old-ID"), header(&first, "New-ID")), ("none", "1"));
    join(&sw, &tech, &loud_rtp, &loud, "floor").await;
    let voice = vec![g711::ulaw_encode(3000); 160];
    let sender = tokio::spawn(async move {
        for seq in 0u16..500 {
            loud.send_to(&packet(seq, &voice), loud_rtp.local_addr()).await.unwrap();
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    });
    let change = next_action(&mut sub, "floor-change").await;
    sender.abort();
    assert_eq!((header(&change, "Old-ID"), header(&change, "New-ID")), ("1", "2"));
    assert_eq!((header(&change, "Member-ID"), header(&change, "Floor")), ("2", "true"));
    let energy: u32 = header(&change, "Current-Energy").parse().unwrap();
    assert!((2500..3500).contains(&energy), "{energy}");
}

#[tokio::test]
async fn a_member_hears_the_other_mixed_and_the_talker_starts_talking() {
    let sw = Switch::new(SwitchConfig {
        info: SwitchInfo {
            version: "0.1.0".into(),
            hostname: "test".into(),
            core_uuid: "00000000-0000-4000-8000-000000000000".into(),
            max_channels: 0,
        },
        bus: BusConfig::default(),
        clock: Arc::new(SystemClock),
    });
    switchyard_conference::install(&sw, no_sounds());
    let tech = Arc::new(RtpTech::default());
    sw.techs().register(tech.clone());
    let engine = engine().await;
    let (talker_rtp, listener_rtp) = (engine.open().unwrap(), engine.open().unwrap());
    let talker = UdpSocket::bind("127.0.0.1:0").await.unwrap();
    let listener = UdpSocket::bind("127.0.0.1:0").await.unwrap();
    let mut sub = sw.bus().subscribe("t");
    join(&sw, &tech, &talker_rtp, &talker, "mix").await;
    join(&sw, &tech, &listener_rtp, &listener, "mix").await;

    let voice = vec![g711::ulaw_encode(3000); 160];
    let mut buf = [0u8; 1500];
    let heard = tokio::time::timeout(Duration::from_secs(10), async {
        for seq in 0u16.. {
            talker.send_to(&packet(seq, &voice), talker_rtp.local_addr()).await.unwrap();
            // Drain what the listener got meanwhile; stop at the first loud packet.
            while let Ok(Ok((n, _))) =
                tokio::time::timeout(Duration::from_millis(20), listener.recv_from(&mut buf)).await
            {
                let p = rtp::parse(&buf[..n]).unwrap();
                let level = loudness(&buf[p.payload_start..p.payload_end]);
                if level > 1000 {
                    return level;
                }
            }
        }
        unreachable!()
    })
    .await
    .expect("the listener hears the talker");
    assert!((2500..3500).contains(&heard), "{heard}");
    let action = tokio::time::timeout(Duration::from_secs(5), async {
        loop {
            if let BusItem::Event(e) = sub.recv().await
                && let EventKind::Conference(c) = &e.kind
                && c.action == "start-talking"
            {
                return c.member.iter().find(|(k, _)| k == "Member-ID").map(|(_, v)| v.clone());
            }
        }
    })
    .await
    .expect("start-talking");
    assert_eq!(action.as_deref(), Some("1"));
}

/// A sound library over a directory that does not exist (absolute paths still resolve).
fn no_sounds() -> switchyard_conference::Library {
    switchyard_conference::Library::new("/nonexistent".into(), "/nonexistent".into())
}
