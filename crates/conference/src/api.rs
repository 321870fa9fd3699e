//! The `conference` API command with mod_conference's reply texts (conference_api.c, FreeSWITCH 1.8 and
//! later: `+OK …` / `-ERR …`): `conference list`,
//! `conference <name> list|count|kick|hup|mute|unmute|deaf|undeaf|lock|unlock|play|stop|dial`.

use std::time::Duration;

use switchyard_core::app::BoxFuture;
use switchyard_core::command::{Command, CommandOutput, CommandSpec, Flavor};
use switchyard_core::snapshot::CallerId;
use switchyard_core::{OriginateRequest, OriginateTarget, Switch};

use crate::events;
use crate::play::{PLAY_SYNTAX, STOP_SYNTAX};
use crate::room::{Conferences, Leave, Room};

static SPEC: CommandSpec = CommandSpec {
    name: "conference",
    syntax: "<conf name> list|count|kick|hup|mute|unmute|deaf|undeaf|lock|unlock|play|stop|dial …",
    summary: "Conference module commands",
    usage: "",
    flavor: Flavor::FreeSwitch,
};

/// Sub-commands aimed at members, with the syntax printed when the target is missing.
const MEMBER_COMMANDS: &[(&str, &str)] = &[
    ("kick", "<[member_id|all|last|non_moderator]> [<optional sound file>]"),
    ("hup", "<[member_id|all|last|non_moderator]>"),
    ("mute", "<[member_id|all]|last|non_moderator> [<quiet>]"),
    ("unmute", "<[member_id|all]|last|non_moderator> [<quiet>]"),
    ("deaf", "<[member_id|all]|last|non_moderator>"),
    ("undeaf", "<[member_id|all]|last|non_moderator>"),
];

const DIAL_SYNTAX: &str = "dial <endpoint_module_name>/<destination> <callerid number> <callerid name>";

/// The `conference` API.
pub(crate) struct ConferenceCommand(pub(crate) Conferences);

impl Command for ConferenceCommand {
    fn spec(&self) -> &'static CommandSpec {
        &SPEC
    }

    fn run<'a>(&'a self, _switch: &'a Switch, args: &'a [String]) -> BoxFuture<'a, CommandOutput> {
        Box::pin(async move { CommandOutput::ok(dispatch(&self.0, args).await) })
    }
}

async fn dispatch(conf: &Conferences, args: &[String]) -> String {
    let Some(name) = args.first() else { return help() };
    let sub = args.get(1).map(|s| s.to_ascii_lowercase());
    if conf.member_count(name).is_none() {
        return match (name.to_ascii_lowercase().as_str(), sub.as_deref()) {
            ("list", _) => list_all(conf, &args[1..]),
            ("help" | "commands", _) => help(),
            (_, Some("dial")) => dial(conf, name, &args[2..]).await,
            _ => format!("-ERR Conference {name} not found\n"),
        };
    }
    let Some(sub) = sub else { return "Conference command, not specified.\nTry 'help'\n".to_owned() };
    let rest = &args[2..];
    match sub.as_str() {
        "list" => list_one(conf, name, rest),
        "count" => conf.member_count(name).unwrap_or(0).to_string(),
        "lock" | "unlock" => lock(conf, name, sub == "lock"),
        "play" => crate::play::play(conf, name, rest).await,
        "stop" => crate::play::stop(conf, name, rest),
        "dial" => dial(conf, name, rest).await,
        other => match MEMBER_COMMANDS.iter().find(|(n, _)| *n == other) {
            Some((cmd, syntax)) => member_command(conf, name, cmd, syntax, rest),
            None => format!("-ERR Conference command '{}' not found.\n", args[1]),
        },
    }
}

fn help() -> String {
    let mut out = String::new();
    for line in ["list [delim <string>]|[count]", "count", "lock", "unlock", PLAY_SYNTAX, STOP_SYNTAX, DIAL_SYNTAX] {
        out.push_str(&format!("<conf name> {line}\n"));
    }
    for (cmd, syntax) in MEMBER_COMMANDS {
        out.push_str(&format!("<conf name> {cmd} {syntax}\n"));
    }
    out
}

/// `delim <d>` changes the separator; `count` prints the member count only.
fn list_options(args: &[String]) -> (String, bool) {
    match args.first().map(|s| s.to_ascii_lowercase()).as_deref() {
        Some("delim") => (args.get(1).map_or(";", |d| d.trim_matches('"')).to_owned(), false),
        Some("count") => (";".to_owned(), true),
        _ => (";".to_owned(), false),
    }
}

fn member_lines(room: &Room, delim: &str) -> String {
    room.members.iter().map(|m| m.list_line(delim, room.floor == Some(m.id))).collect()
}

fn list_one(conf: &Conferences, name: &str, args: &[String]) -> String {
    let (delim, count_only) = list_options(args);
    conf.with_room(name, |room, _| match count_only {
        true => room.members.len().to_string(),
        false => member_lines(room, &delim),
    })
    .unwrap_or_default()
}

/// `Conference <name> (<n> member[s] rate: 8000[ locked] flags: …)` then the member lines.
fn list_all(conf: &Conferences, args: &[String]) -> String {
    let (delim, _) = list_options(args);
    let mut out = String::new();
    conf.each_room(|room| {
        let n = room.members.len();
        let locked = if room.locked { " locked" } else { "" };
        let lock_flag = if room.locked { "locked|" } else { "" };
        let plural = if n == 1 { "" } else { "s" };
        out.push_str(&format!(
            "Conference {} ({n} member{plural} rate: 8000{locked} flags: {lock_flag}running|answered|enforce_min|dynamic|exit_sound|enter_sound)\n",
            room.name
        ));
        out.push_str(&member_lines(room, &delim));
    });
    if out.is_empty() { "+OK No active conferences.\n".to_owned() } else { out }
}

fn lock(conf: &Conferences, name: &str, on: bool) -> String {
    conf.with_room(name, |room, switch| {
        room.locked = on;
        events::room_event(switch, room, if on { "lock" } else { "unlock" }, vec![]);
    });
    format!("+OK {name} {}\n", if on { "locked" } else { "unlocked" })
}

/// Originates `dialstring` into the conference and waits for the outcome (mod_conference `dial`).
async fn dial(conf: &Conferences, name: &str, args: &[String]) -> String {
    let Some(dialstring) = args.first() else { return format!("-ERR Bad Args\n{DIAL_SYNTAX}") };
    let mut req = OriginateRequest::new(
        dialstring.clone(),
        OriginateTarget::App { name: "conference".to_owned(), args: name.to_owned() },
    );
    req.timeout = Duration::from_secs(60);
    req.caller_id = CallerId::new(args.get(1).cloned().unwrap_or_default(), args.get(2).cloned().unwrap_or_default());
    let cause = match conf.switch().originate_and_wait(req).await {
        Ok(outcome) if outcome.answered => "SUCCESS",
        Ok(outcome) => outcome.cause.fs_name(),
        Err(e) => e.cause().fs_name(),
    };
    format!("+OK Call Requested: result: [{cause}]\n")
}

/// Which members a target word selects: an id, `all`, `last` (the newest) or `non_moderator`.
fn targets(room: &Room, word: &str) -> Option<Vec<u32>> {
    if let Ok(id) = word.parse::<u32>() {
        return (id != 0).then(|| vec![id]);
    }
    match word.to_ascii_lowercase().as_str() {
        "all" => Some(room.members.iter().map(|m| m.id).collect()),
        "non_moderator" => Some(room.members.iter().filter(|m| !m.moderator).map(|m| m.id).collect()),
        "last" => Some(room.members.iter().map(|m| m.id).max().into_iter().collect()),
        _ => None,
    }
}

fn member_command(conf: &Conferences, name: &str, cmd: &str, syntax: &str, args: &[String]) -> String {
    let usage = format!("{cmd} {syntax}");
    let Some(word) = args.first() else { return usage };
    conf.with_room(name, |room, switch| {
        let Some(ids) = targets(room, word) else { return usage };
        let single = word.parse::<u32>().is_ok();
        let mut out = String::new();
        for id in ids {
            match apply(room, id, cmd) {
                Some((text, action)) => {
                    room.sync_mix(id);
                    out.push_str(&text);
                    events::member_event(switch, room, id, action, vec![]);
                }
                None if single => out.push_str(&format!("-ERR Non-Existant ID {id}\n")),
                None => {}
            }
        }
        out
    })
    .unwrap_or_default()
}

/// Applies `cmd` to member `id`: the reply text and the event action, or None when absent.
fn apply(room: &mut Room, id: u32, cmd: &str) -> Option<(String, &'static str)> {
    let m = room.member_mut(id)?;
    let reply = match cmd {
        "mute" => {
            (m.can_speak, m.talking) = (false, false);
            (format!("+OK mute {id}\n"), "mute-member")
        }
        "unmute" => {
            m.can_speak = true;
            (format!("+OK unmute {id}\n"), "unmute-member")
        }
        "deaf" => {
            m.can_hear = false;
            (format!("+OK deaf {id}\n"), "deaf-member")
        }
        "undeaf" => {
            m.can_hear = true;
            (format!("+OK undeaf {id}\n"), "undeaf-member")
        }
        "kick" => {
            let _ = m.leave.send(Leave::Kicked);
            (format!("+OK kicked {id}\n"), "kick-member")
        }
        _ => {
            let _ = m.leave.send(Leave::Hup);
            (format!("+OK hup {id}\n"), "hup-member")
        }
    };
    Some(reply)
}
