//! The media applications on channels: over RTP when the far end carries media (a test technology
//! whose endpoint exposes an [`RtpSession`]'s port), and by waiting on channels without media.

mod common;

use std::sync::Arc;
use std::time::Duration;

use common::{engine, packet, phone, recv};
use parking_lot::Mutex;
use switchyard_core::media::MediaPort;
use switchyard_core::tech::{DialStringError, Endpoint, LocalEvent, RemoteAction, Tech};
use switchyard_core::{
    BusConfig, BusItem, EventKind, OriginateRequest, OriginateTarget, Switch, SwitchConfig, SwitchInfo, SystemClock,
};
use switchyard_media::dtmf::TelephoneEvent;
use switchyard_media::{Codec, MediaSettings, g711};
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

fn switch(prompts: &std::path::Path) -> (Switch, Arc<RtpTech>) {
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
    let settings = MediaSettings {
        prompts_dir: prompts.to_owned(),
        moh_dir: prompts.join("moh"),
        recordings_dir: prompts.join("rec"),
    };
    switchyard_media::install(&sw, settings);
    let tech = Arc::new(RtpTech::default());
    sw.techs().register(tech.clone());
    (sw, tech)
}

fn write_tone(path: &std::path::Path, ms: u32) {
    let spec =
        hound::WavSpec { channels: 1, sample_rate: 8000, bits_per_sample: 16, sample_format: hound::SampleFormat::Int };
    let mut w = hound::WavWriter::create(path, spec).unwrap();
    (0..ms * 8).for_each(|i| w.write_sample((4000.0 + 2000.0 * (f64::from(i) * 0.1).sin()) as i16).unwrap());
    w.finalize().unwrap();
}

/// The response of the first `ExecuteComplete` for `app`.
async fn completed(sub: &mut switchyard_core::Subscription, app: &str) -> String {
    let wait = async {
        loop {
            if let BusItem::Event(e) = sub.recv().await
                && let EventKind::ExecuteComplete { exec, response } = &e.kind
                && exec.app.eq_ignore_ascii_case(app)
            {
                return response.clone();
            }
        }
    };
    tokio::time::timeout(Duration::from_secs(10), wait).await.expect("the application completed")
}

#[tokio::test]
async fn playback_sends_the_prompt_over_rtp_and_reports_file_played() {
    let dir = tempfile::tempdir().unwrap();
    write_tone(&dir.path().join("hello.wav"), 400);
    let (sw, tech) = switch(dir.path());
    let engine = engine().await;
    let session = engine.open().unwrap();
    let ear = phone().await;
    session.set_remote(ear.local_addr().unwrap(), Codec::Pcmu, 0, Some(101));
    *tech.0.lock() = Some(session.port());
    let mut sub = sw.bus().subscribe("test");
    let app = OriginateTarget::App { name: "Playback".into(), args: "hello".into() };
    sw.originate(OriginateRequest::new("rtptest/a", app)).unwrap();

    let mut voiced = 0;
    while voiced < 400 / 20 {
        let (_, payload, _) = recv(&ear).await;
        if payload.iter().any(|b| *b != Codec::Pcmu.silence_byte()) {
            voiced += 1;
        }
    }
    assert_eq!(completed(&mut sub, "Playback").await, "FILE PLAYED");
}

#[tokio::test]
async fn background_stops_at_an_rfc4733_digit() {
    let dir = tempfile::tempdir().unwrap();
    write_tone(&dir.path().join("long.wav"), 30_000);
    let (sw, tech) = switch(dir.path());
    let engine = engine().await;
    let session = engine.open().unwrap();
    let caller = phone().await;
    session.set_remote(caller.local_addr().unwrap(), Codec::Pcmu, 0, Some(101));
    *tech.0.lock() = Some(session.port());
    let mut sub = sw.bus().subscribe("test");
    let app = OriginateTarget::App { name: "Background".into(), args: "long".into() };
    let pending = sw.originate(OriginateRequest::new("rtptest/b", app)).unwrap();
    // The channel exists now: its digits go to it.
    session.set_dtmf_sink(pending.channel.clone());
    recv(&caller).await; // the prompt is playing

    let mut ev = [0u8; 4];
    TelephoneEvent { event: 5, end: false, volume: 10, duration: 160 }.write(&mut ev);
    caller.send_to(&packet(101, 1, 8000, 77, &ev), session.local_addr()).await.unwrap();
    assert_eq!(completed(&mut sub, "Background").await, "");
}

#[tokio::test]
async fn playback_on_a_channel_without_media_waits_and_reports_missing_files() {
    let dir = tempfile::tempdir().unwrap();
    write_tone(&dir.path().join("short.wav"), 100);
    let (sw, _) = switch(dir.path());
    let mut sub = sw.bus().subscribe("test");
    let app = OriginateTarget::App { name: "Playback".into(), args: "short&missing".into() };
    sw.originate(OriginateRequest::new("sim/x", app)).unwrap();
    assert_eq!(completed(&mut sub, "Playback").await, "FILE NOT FOUND");
    let app = OriginateTarget::App { name: "playback".into(), args: "short".into() };
    sw.originate(OriginateRequest::new("sim/y", app)).unwrap();
    assert_eq!(completed(&mut sub, "playback").await, "FILE PLAYED");
}

#[tokio::test]
async fn uuid_record_writes_what_the_channel_hears_and_says() {
    let dir = tempfile::tempdir().unwrap();
    let (sw, tech) = switch(dir.path());
    let engine = engine().await;
    let session = engine.open().unwrap();
    let far = phone().await;
    session.set_remote(far.local_addr().unwrap(), Codec::Pcmu, 0, None);
    *tech.0.lock() = Some(session.port());
    let id = sw.originate_and_wait(OriginateRequest::new("rtptest/c", OriginateTarget::Park)).await.unwrap().channel_id;
    let run = |line: String| {
        let sw = sw.clone();
        async move { sw.commands().execute(&sw, &line).await.unwrap().text }
    };
    assert_eq!(run(format!("uuid_record {id} start call.wav")).await, "+OK Success\n");
    for i in 0..10u16 {
        far.send_to(&packet(0, i, 160 * u32::from(i), 5, &[0x20; 160]), session.local_addr()).await.unwrap();
        recv(&far).await; // paced by the session's own comfort silence
    }
    assert_eq!(run(format!("uuid_record {id} stop call.wav")).await, "+OK Success\n");
    let recorded = switchyard_media::wav::read_prompt(&dir.path().join("rec/call.wav")).unwrap();
    assert!(recorded.iter().any(|s| *s != 0), "the far end's audio is in the recording");
    let nobody = "00000000-0000-4000-8000-000000000001";
    assert_eq!(run(format!("uuid_record {nobody} start x.wav")).await, "-ERR No such channel!\n");
}

/// Starts `app(args)` on an `rtptest/` channel whose far end is `far`; digits it receives go to the channel.
async fn on_rtp_channel(
    sw: &Switch,
    tech: &RtpTech,
    session: &switchyard_media::RtpSession,
    far: &tokio::net::UdpSocket,
    app: &str,
    args: &str,
) {
    session.set_remote(far.local_addr().unwrap(), Codec::Pcmu, 0, Some(101));
    *tech.0.lock() = Some(session.port());
    let target = OriginateTarget::App { name: app.into(), args: args.into() };
    let pending = sw.originate(OriginateRequest::new("rtptest/x", target)).unwrap();
    session.set_dtmf_sink(pending.channel.clone());
}

#[tokio::test]
async fn echo_sends_the_callers_audio_back() {
    let dir = tempfile::tempdir().unwrap();
    let (sw, tech) = switch(dir.path());
    let engine = engine().await;
    let session = engine.open().unwrap();
    let caller = phone().await;
    on_rtp_channel(&sw, &tech, &session, &caller, "echo", "").await;
    let voice: Vec<u8> = (0..160).map(|i| (i as u8) | 0x41).collect();
    // Until the channel runs Echo, the session sends comfort silence: keep talking until it echoes.
    for i in 0..200u16 {
        caller.send_to(&packet(0, i, 160 * u32::from(i), 3, &voice), session.local_addr()).await.unwrap();
        // A busy machine may delay the session's first packets: a quiet second means "send again".
        let mut buf = [0u8; 1500];
        let Ok(Ok(n)) = tokio::time::timeout(Duration::from_secs(1), caller.recv(&mut buf)).await else { continue };
        let p = switchyard_media::rtp::parse(&buf[..n]).unwrap();
        if buf[p.payload_start..p.payload_end] == voice[..] {
            return;
        }
    }
    panic!("no echo");
}

#[tokio::test]
async fn record_stops_at_the_pound_key_and_keeps_the_audio() {
    let dir = tempfile::tempdir().unwrap();
    let (sw, tech) = switch(dir.path());
    let engine = engine().await;
    let session = engine.open().unwrap();
    let caller = phone().await;
    let mut sub = sw.bus().subscribe("test");
    on_rtp_channel(&sw, &tech, &session, &caller, "Record", "msg.wav,0,0,q").await;
    let speech = [g711::ulaw_encode(9000); 160];
    for i in 0..30u16 {
        caller.send_to(&packet(0, i, 160 * u32::from(i), 3, &speech), session.local_addr()).await.unwrap();
        recv(&caller).await; // paced by the session's comfort silence
    }
    let mut ev = [0u8; 4];
    TelephoneEvent { event: 11, end: true, volume: 10, duration: 800 }.write(&mut ev);
    caller.send_to(&packet(101, 30, 4800, 3, &ev), session.local_addr()).await.unwrap();
    completed(&mut sub, "Record").await;
    let recorded = switchyard_media::wav::read_prompt(&dir.path().join("rec/msg.wav")).unwrap();
    assert!(recorded.iter().filter(|s| **s > 8000).count() > 160 * 10, "the speech is in the recording");
}

#[tokio::test]
async fn uuid_broadcast_plays_on_a_parked_channel_and_uuid_break_stops_it() {
    let dir = tempfile::tempdir().unwrap();
    write_tone(&dir.path().join("long.wav"), 30_000);
    let (sw, tech) = switch(dir.path());
    let engine = engine().await;
    let session = engine.open().unwrap();
    let ear = phone().await;
    session.set_remote(ear.local_addr().unwrap(), Codec::Pcmu, 0, None);
    *tech.0.lock() = Some(session.port());
    let id = sw.originate_and_wait(OriginateRequest::new("rtptest/p", OriginateTarget::Park)).await.unwrap().channel_id;
    let mut sub = sw.bus().subscribe("test");
    let run = |line: String| {
        let sw = sw.clone();
        async move { sw.commands().execute(&sw, &line).await.unwrap().text }
    };
    assert_eq!(run(format!("uuid_broadcast {id} long")).await, "+OK Message sent\n");
    // The prompt is flowing once a voiced packet arrives.
    loop {
        let (_, payload, _) = recv(&ear).await;
        if payload.iter().any(|b| *b != Codec::Pcmu.silence_byte()) {
            break;
        }
    }
    assert_eq!(run(format!("uuid_break {id}")).await, "+OK\n");
    assert_eq!(completed(&mut sub, "playback").await, "FILE PLAYED");
    let nobody = "00000000-0000-4000-8000-000000000001";
    assert_eq!(run(format!("uuid_hold {nobody}")).await, "-ERR Operation failed\n");
}
