//! FreeSWITCH call-control commands: `uuid_answer`, `uuid_park`, `uuid_transfer`, `uuid_break`,
//! `uuid_hold`, `uuid_send_dtmf`, `uuid_broadcast`.

use std::sync::Arc;

use super::fs_simple::{SyncCommand, SyncFn};
use super::fs_uuid_vars::live;
use super::{CommandOutput, CommandRegistry, CommandSpec};
use crate::channel::ChannelCommand;
use crate::fs_spec;
use crate::switch::Switch;
use crate::tech::RemoteAction;

static UUID_ANSWER: CommandSpec = fs_spec!("uuid_answer", "<uuid>", "answer");
static UUID_PARK: CommandSpec = fs_spec!("uuid_park", "<uuid>", "Park channel");
static UUID_TRANSFER: CommandSpec =
    fs_spec!("uuid_transfer", "<uuid> [-bleg|-both] <dest-exten> [<dialplan>] [<context>]", "Transfer a session");
static UUID_BREAK: CommandSpec = fs_spec!("uuid_break", "<uuid> [all]", "Break out of media sent to channel");
static UUID_HOLD: CommandSpec = fs_spec!("uuid_hold", "[off|toggle] <uuid> [<display>]", "Place call on hold");
static UUID_SEND_DTMF: CommandSpec = fs_spec!("uuid_send_dtmf", "<uuid> <dtmf_data>", "Send dtmf to uuid");
static UUID_BROADCAST: CommandSpec =
    fs_spec!("uuid_broadcast", "<uuid> <path> [aleg|bleg|both]", "Execute dialplan application");

pub(super) fn register(reg: &CommandRegistry) {
    let table: [(&'static CommandSpec, SyncFn); 7] = [
        (&UUID_ANSWER, answer),
        (&UUID_PARK, park),
        (&UUID_TRANSFER, transfer),
        (&UUID_BREAK, break_media),
        (&UUID_HOLD, hold),
        (&UUID_SEND_DTMF, send_dtmf),
        (&UUID_BROADCAST, broadcast),
    ];
    for (spec, run) in table {
        reg.register(Arc::new(SyncCommand { spec, run }));
    }
}

const NO_SUCH_CHANNEL: &str = "-ERR No such channel!\n";

fn answer(sw: &Switch, args: &[String]) -> CommandOutput {
    let [id] = args else { return CommandOutput::usage(&UUID_ANSWER) };
    match live(sw, id).map(|h| h.answer()) {
        Some(Ok(())) => CommandOutput::ok("+OK\n"),
        _ => CommandOutput::failure("-ERROR\n"),
    }
}

/// Switchyard queues `park`: it starts when the running application ends.
fn park(sw: &Switch, args: &[String]) -> CommandOutput {
    let [id] = args else { return CommandOutput::usage(&UUID_PARK) };
    let cmd = ChannelCommand::Execute { app: "park".into(), args: String::new() };
    match live(sw, id).map(|h| h.send(cmd)) {
        Some(Ok(())) => CommandOutput::ok("+OK\n"),
        _ => CommandOutput::failure(NO_SUCH_CHANNEL),
    }
}

fn transfer(sw: &Switch, args: &[String]) -> CommandOutput {
    let mut words: Vec<&str> = args.iter().map(String::as_str).collect();
    words.retain(|w| !matches!(*w, "-bleg" | "-both"));
    let (id, exten, dialplan, context) = match words.as_slice() {
        [id, exten] => (*id, *exten, None, "default"),
        [id, exten, dialplan] => (*id, *exten, Some(*dialplan), "default"),
        [id, exten, dialplan, context, ..] => (*id, *exten, Some(*dialplan), *context),
        _ => return CommandOutput::usage(&UUID_TRANSFER),
    };
    let Some(handle) = live(sw, id) else { return CommandOutput::failure(NO_SUCH_CHANNEL) };
    // A named dialplan (`XML`, `asterisk`, `inline`) is recorded where the dialplan router reads it.
    if let Some(dialplan) = dialplan {
        let _ = handle.send(ChannelCommand::SetVar { name: "dialplan".into(), value: dialplan.to_owned() });
    }
    let cmd = ChannelCommand::Redirect { context: context.to_owned(), exten: exten.to_owned(), priority: 1 };
    match Some(handle).map(|h| h.send(cmd)) {
        Some(Ok(())) => CommandOutput::ok("+OK\n"),
        _ => CommandOutput::failure(NO_SUCH_CHANNEL),
    }
}

/// Stops what the channel is playing (and, Switchyard being queue-less per file, what is queued after
/// it); channels without media are only checked.
fn break_media(sw: &Switch, args: &[String]) -> CommandOutput {
    let Some(id) = args.first() else { return CommandOutput::usage(&UUID_BREAK) };
    match live(sw, id) {
        Some(h) => {
            if let Some(media) = h.media() {
                media.stop_playback();
            }
            CommandOutput::ok("+OK\n")
        }
        None => CommandOutput::failure(NO_SUCH_CHANNEL),
    }
}

/// Marks the channel held (`uuid_hold <uuid>`) or not (`uuid_hold off <uuid>`): the channel publishes
/// the hold events. The core does not know who is held, so `toggle` holds; the media crate replaces
/// this command with one that tracks holds, plays music on hold to the bridge peer and then calls this
/// one with an explicit `off` or not.
fn hold(sw: &Switch, args: &[String]) -> CommandOutput {
    let mode = args.first().map(String::as_str).filter(|a| matches!(*a, "off" | "toggle"));
    let Some(id) = args.get(usize::from(mode.is_some())) else { return CommandOutput::usage(&UUID_HOLD) };
    match live(sw, id).map(|h| h.hold(mode != Some("off"))) {
        Some(Ok(())) => CommandOutput::ok("+OK Success\n"),
        _ => CommandOutput::failure("-ERR Operation failed\n"),
    }
}

/// Delivers the digits as DTMF events on the channel (as if signalled on the call).
fn send_dtmf(sw: &Switch, args: &[String]) -> CommandOutput {
    let [id, digits, ..] = args else { return CommandOutput::usage(&UUID_SEND_DTMF) };
    let Some(h) = live(sw, id) else { return CommandOutput::failure(NO_SUCH_CHANNEL) };
    for d in digits.split('@').next().unwrap_or("").chars().filter(|c| c.is_ascii_alphanumeric() || "*#".contains(*c)) {
        let _ = h.remote(RemoteAction::Dtmf(d.to_ascii_uppercase()));
    }
    CommandOutput::ok("+OK Success\n")
}

/// Queues `app::args` (or `playback <path>`) on the channel; the legs option is accepted for the
/// a-leg only.
fn broadcast(sw: &Switch, args: &[String]) -> CommandOutput {
    let [id, path, ..] = args else { return CommandOutput::usage(&UUID_BROADCAST) };
    let (app, app_args) = match path.split_once("::") {
        Some((app, rest)) => (app.to_owned(), rest.to_owned()),
        None => ("playback".to_owned(), path.clone()),
    };
    match live(sw, id).map(|h| h.send(ChannelCommand::Execute { app, args: app_args })) {
        Some(Ok(())) => CommandOutput::ok("+OK Message sent\n"),
        _ => CommandOutput::failure("-ERR invalid uuid\n"),
    }
}

#[cfg(test)]
mod tests {
    use crate::command::tests::test_switch;
    use crate::originate::{OriginateRequest, OriginateTarget};

    #[tokio::test]
    async fn uuid_broadcast_runs_an_app_on_a_parked_channel() {
        let sw = test_switch();
        let req = OriginateRequest::new("sim/a", OriginateTarget::Park);
        let id = sw.originate_and_wait(req).await.unwrap().channel_id.to_string();
        let mut sub = sw.bus().subscribe("t");
        let run = |line: String| {
            let sw = sw.clone();
            async move { sw.commands().execute(&sw, &line).await.unwrap().text }
        };
        assert_eq!(run(format!("uuid_broadcast {id} sleep::10 aleg")).await, "+OK Message sent\n");
        loop {
            let crate::bus::BusItem::Event(e) = sub.recv().await else { continue };
            if let crate::event::EventKind::ExecuteComplete { exec, .. } = &e.kind {
                assert_eq!((exec.app.as_str(), exec.data.as_str()), ("sleep", "10"));
                break;
            }
        }
        let nobody = "00000000-0000-4000-8000-000000000000";
        assert_eq!(run(format!("uuid_broadcast {nobody} x")).await, "-ERR invalid uuid\n");
        assert_eq!(run(format!("uuid_hold {nobody}")).await, "-ERR Operation failed\n");
        assert_eq!(run(format!("uuid_transfer {nobody} 100")).await, "-ERR No such channel!\n");
        assert_eq!(run(format!("uuid_answer {nobody}")).await, "-ERROR\n");
    }

    #[tokio::test]
    async fn uuid_hold_marks_the_channel_held_and_off_releases_it() {
        let sw = test_switch();
        let req = OriginateRequest::new("sim/a", OriginateTarget::Park);
        let id = sw.originate_and_wait(req).await.unwrap().channel_id.to_string();
        let mut sub = sw.bus().subscribe("t");
        let run = |line: String| {
            let sw = sw.clone();
            async move { sw.commands().execute(&sw, &line).await.unwrap().text }
        };
        for (line, want) in [(format!("uuid_hold {id}"), true), (format!("uuid_hold off {id}"), false)] {
            assert_eq!(run(line).await, "+OK Success\n");
            loop {
                let crate::bus::BusItem::Event(e) = sub.recv().await else { continue };
                if let crate::event::EventKind::Hold { on } = &e.kind {
                    assert_eq!(*on, want);
                    break;
                }
            }
        }
    }
}
