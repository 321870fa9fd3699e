//! FreeSWITCH call-control commands: `uuid_answer`, `uuid_park`, `uuid_transfer`, `uuid_break`,
//! `uuid_hold`, `uuid_send_dtmf`.

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

pub(super) fn register(reg: &CommandRegistry) {
    let table: [(&'static CommandSpec, SyncFn); 6] = [
        (&UUID_ANSWER, answer),
        (&UUID_PARK, park),
        (&UUID_TRANSFER, transfer),
        (&UUID_BREAK, break_media),
        (&UUID_HOLD, hold),
        (&UUID_SEND_DTMF, send_dtmf),
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
    let (id, exten, context) = match words.as_slice() {
        [id, exten] => (*id, *exten, "default"),
        [id, exten, _dialplan] => (*id, *exten, "default"),
        [id, exten, _dialplan, context, ..] => (*id, *exten, *context),
        _ => return CommandOutput::usage(&UUID_TRANSFER),
    };
    let cmd = ChannelCommand::Redirect { context: context.to_owned(), exten: exten.to_owned(), priority: 1 };
    match live(sw, id).map(|h| h.send(cmd)) {
        Some(Ok(())) => CommandOutput::ok("+OK\n"),
        _ => CommandOutput::failure(NO_SUCH_CHANNEL),
    }
}

/// Switchyard has no media to interrupt yet: the channel is checked and nothing else happens.
fn break_media(sw: &Switch, args: &[String]) -> CommandOutput {
    let Some(id) = args.first() else { return CommandOutput::usage(&UUID_BREAK) };
    match live(sw, id) {
        Some(_) => CommandOutput::ok("+OK\n"),
        None => CommandOutput::failure(NO_SUCH_CHANNEL),
    }
}

/// Without media, hold is not available: FreeSWITCH's failure text.
fn hold(sw: &Switch, args: &[String]) -> CommandOutput {
    let _ = sw;
    match args.iter().find(|a| !matches!(a.as_str(), "off" | "toggle")) {
        Some(_) => CommandOutput::failure("-ERR Operation failed\n"),
        None => CommandOutput::usage(&UUID_HOLD),
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
