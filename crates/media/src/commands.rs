//! FreeSWITCH commands that need files or music: `uuid_record <uuid> start|stop <path> [<limit>]` and
//! `uuid_hold` with music on hold for the held channel's bridge peer. Registered from here because the
//! core does no file I/O; they replace the core's media-less versions.

use std::sync::Arc;
use std::time::Duration;

use parking_lot::Mutex;
use switchyard_core::app::BoxFuture;
use switchyard_core::command::{Command, CommandOutput, CommandSpec, Flavor};
use switchyard_core::media::{MediaPort, PlayOutcome, RecordLeg};
use switchyard_core::{ChannelHandle, ChannelId, Switch};

use crate::apps::Media;
use crate::wav::WavSink;

static UUID_RECORD: CommandSpec = CommandSpec {
    name: "uuid_record",
    syntax: "<uuid> [start|stop|mask|unmask] <path> [<limit>]",
    summary: "Record session audio",
    usage: "",
    flavor: Flavor::FreeSwitch,
};

static UUID_HOLD: CommandSpec = CommandSpec {
    name: "uuid_hold",
    syntax: "[off|toggle] <uuid> [<display>]",
    summary: "Place call on hold",
    usage: "",
    flavor: Flavor::FreeSwitch,
};

const NO_SUCH_CHANNEL: &str = "-ERR No such channel!\n";

pub(crate) fn register(switch: &Switch, media: Arc<Media>) {
    let reg = switch.commands();
    reg.register(Arc::new(UuidRecord(media.clone())));
    let inner = reg.resolve("uuid_hold").ok().map(|(cmd, _)| cmd);
    reg.register(Arc::new(UuidHold { media, inner, held: Mutex::default() }));
}

fn live(sw: &Switch, id: &str) -> Option<ChannelHandle> {
    sw.channels().find(id).filter(ChannelHandle::is_alive)
}

struct UuidRecord(Arc<Media>);

impl Command for UuidRecord {
    fn spec(&self) -> &'static CommandSpec {
        &UUID_RECORD
    }
    fn run<'a>(&'a self, sw: &'a Switch, args: &'a [String]) -> BoxFuture<'a, CommandOutput> {
        Box::pin(async move {
            let [id, action, path, rest @ ..] = args else { return CommandOutput::usage(&UUID_RECORD) };
            let Some(h) = live(sw, id) else { return CommandOutput::failure(NO_SUCH_CHANNEL) };
            let Some(port) = h.media() else {
                return CommandOutput::failure("-ERR Cannot record a channel without media\n");
            };
            match action.as_str() {
                "start" => self.start(port, path, rest.first()).await,
                "stop" => {
                    port.stop_record();
                    CommandOutput::ok("+OK Success\n")
                }
                "mask" | "unmask" => CommandOutput::ok("+OK Success\n"),
                _ => CommandOutput::usage(&UUID_RECORD),
            }
        })
    }
}

impl UuidRecord {
    async fn start(&self, port: Arc<dyn MediaPort>, path: &str, limit: Option<&String>) -> CommandOutput {
        let path = self.0.recording_path(path);
        let shown = path.display().to_string();
        let sink = match tokio::task::spawn_blocking(move || WavSink::create(&path)).await {
            Ok(Ok(sink)) => sink,
            Ok(Err(e)) => return CommandOutput::failure(format!("-ERR {e}\n")),
            Err(e) => return CommandOutput::failure(format!("-ERR {e}\n")),
        };
        port.start_record(RecordLeg::Both, Box::new(sink));
        if let Some(secs) = limit.and_then(|l| l.parse::<u64>().ok()).filter(|s| *s > 0) {
            tokio::spawn(async move {
                tokio::time::sleep(Duration::from_secs(secs)).await;
                port.stop_record();
            });
        }
        tracing::debug!("uuid_record: recording to {shown}");
        CommandOutput::ok("+OK Success\n")
    }
}

/// Holds: the held channel's bridge peer hears the default music-on-hold class in a loop until
/// `uuid_hold off`; then the core's `uuid_hold` (which marks the channel held and publishes the hold
/// events) runs as well. Signalling the hold to the phone (re-INVITE) is the SIP layer's.
struct UuidHold {
    media: Arc<Media>,
    inner: Option<Arc<dyn Command>>,
    held: Mutex<std::collections::HashMap<ChannelId, Arc<dyn MediaPort>>>,
}

impl Command for UuidHold {
    fn spec(&self) -> &'static CommandSpec {
        &UUID_HOLD
    }
    fn run<'a>(&'a self, sw: &'a Switch, args: &'a [String]) -> BoxFuture<'a, CommandOutput> {
        Box::pin(async move {
            let mode = args.first().map(String::as_str).filter(|m| matches!(*m, "off" | "toggle"));
            let Some(id) = args.get(usize::from(mode.is_some())) else { return CommandOutput::usage(&UUID_HOLD) };
            let h = live(sw, id).filter(|h| h.media().is_some());
            let Some(h) = h else { return self.run_inner(sw, args).await };
            let on = match mode {
                Some("off") => false,
                Some(_) => !self.held.lock().contains_key(&h.id()),
                None => true,
            };
            if on {
                self.hold(sw, &h).await
            } else {
                self.unhold(&h)
            }
            let _ = self.run_inner(sw, args).await;
            CommandOutput::ok("+OK Success\n")
        })
    }
}

impl UuidHold {
    async fn run_inner(&self, sw: &Switch, args: &[String]) -> CommandOutput {
        match &self.inner {
            Some(inner) => inner.run(sw, args).await,
            None => CommandOutput::failure("-ERR Operation failed\n"),
        }
    }

    async fn hold(&self, sw: &Switch, h: &ChannelHandle) {
        let Some(listener) = bridge_peer(sw, h).and_then(|p| p.media()) else { return };
        let files = self.media.library.moh_files("default");
        let Some(first) = files.first().cloned() else { return };
        let media = self.media.clone();
        let pcm = match tokio::task::spawn_blocking(move || media.library.load_file(&first)).await {
            Ok(Ok(pcm)) => pcm,
            _ => return,
        };
        if let Some(old) = self.held.lock().insert(h.id(), listener.clone()) {
            old.stop_playback();
        }
        tokio::spawn(async move { while listener.play(pcm.clone()).await == PlayOutcome::Finished {} });
    }

    fn unhold(&self, h: &ChannelHandle) {
        if let Some(listener) = self.held.lock().remove(&h.id()) {
            listener.stop_playback();
        }
    }
}

/// The other channel in `h`'s bridge.
fn bridge_peer(sw: &Switch, h: &ChannelHandle) -> Option<ChannelHandle> {
    let bridge = h.snapshot().bridge_id.clone()?;
    sw.channels().handles().into_iter().find(|o| o.id() != h.id() && o.snapshot().bridge_id.as_deref() == Some(&bridge))
}
