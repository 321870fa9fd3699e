//! Asterisk's `core show channels [concise|verbose|count]` and `core show channel <name>`.

use std::fmt::Write;
use std::sync::Arc;

use super::{Command, CommandOutput, CommandRegistry, CommandSpec, Flavor, ess};
use crate::app::BoxFuture;
use crate::clock::Timestamp;
use crate::snapshot::ChannelSnapshot;
use crate::state::Phase;
use crate::switch::Switch;

pub(super) fn register(reg: &CommandRegistry) {
    reg.register(Arc::new(ShowChannels));
    reg.register(Arc::new(ShowChannel));
}

static CHANNELS: CommandSpec = CommandSpec {
    name: "core show channels",
    syntax: "core show channels [concise|verbose|count]",
    summary: "Display information on channels",
    usage: "Usage: core show channels [concise|verbose|count]\n       Lists currently defined channels and some \
            information about them. If\n       'concise' is specified, the format is abridged and in a more \
            easily\n       machine parsable format. If 'verbose' is specified, the output includes\n       more \
            and longer fields. If 'count' is specified only the channel and call\n       count is output.\n",
    flavor: Flavor::Asterisk,
};

#[derive(Clone, Copy, PartialEq, Eq)]
enum ListStyle {
    Normal,
    Concise,
    Verbose,
    Count,
}

struct ShowChannels;
impl Command for ShowChannels {
    fn spec(&self) -> &'static CommandSpec {
        &CHANNELS
    }
    fn run<'a>(&'a self, sw: &'a Switch, args: &'a [String]) -> BoxFuture<'a, CommandOutput> {
        Box::pin(async move {
            let style = match args.first().map(|a| a.to_ascii_lowercase()).as_deref() {
                None => ListStyle::Normal,
                Some("concise") if args.len() == 1 => ListStyle::Concise,
                Some("verbose") if args.len() == 1 => ListStyle::Verbose,
                Some("count") if args.len() == 1 => ListStyle::Count,
                _ => return CommandOutput::usage(&CHANNELS),
            };
            CommandOutput::ok(list_channels(sw, style))
        })
    }
}

fn list_channels(sw: &Switch, style: ListStyle) -> String {
    let snaps = sw.channels().snapshots();
    let now = sw.now();
    let mut out = String::new();
    match style {
        ListStyle::Normal => out.push_str(&normal_row("Channel", "Location", "State", "Application(Data)")),
        ListStyle::Verbose => out.push_str(&verbose_header()),
        _ => {}
    }
    for s in &snaps {
        match style {
            ListStyle::Normal => out.push_str(&normal_line(s)),
            ListStyle::Concise => out.push_str(&concise_line(s, now)),
            ListStyle::Verbose => out.push_str(&verbose_line(s, now)),
            ListStyle::Count => {}
        }
    }
    if style != ListStyle::Concise {
        let calls = snaps.iter().filter(|s| is_in_call(s)).count();
        let processed = sw.stats().sessions_since_startup() as usize;
        let _ = write!(
            out,
            "{} active channel{}\n{calls} active call{}\n{processed} call{} processed\n",
            snaps.len(),
            ess(snaps.len()),
            ess(calls),
            ess(processed)
        );
    }
    out
}

/// A channel counts as a call while it runs an application or the dialplan, as Asterisk counts
/// channels inside the PBX.
fn is_in_call(s: &ChannelSnapshot) -> bool {
    matches!(s.state.phase(), Phase::Routing | Phase::Execute | Phase::Park | Phase::ExchangeMedia)
}

fn normal_row(chan: &str, loc: &str, state: &str, app: &str) -> String {
    format!("{chan:<64.64} {loc:<32.32} {state:<7.7} {app:<30.30}\n")
}

/// `%.39s`: Asterisk formats these into 40-byte buffers.
fn clip39(s: String) -> String {
    s.chars().take(39).collect()
}

fn normal_line(s: &ChannelSnapshot) -> String {
    let l = &s.location;
    let loc = if l.context.is_empty() || l.exten.is_empty() {
        "(None)".to_owned()
    } else {
        clip39(format!("{}@{}:{}", l.exten, l.context, l.priority))
    };
    let app = l.app().map_or_else(|| "(None)".to_owned(), |a| clip39(format!("{a}({})", l.app_data())));
    normal_row(&s.name, &loc, s.state.line().asterisk_name(), &app)
}

fn concise_line(s: &ChannelSnapshot, now: Timestamp) -> String {
    let l = &s.location;
    format!(
        "{}!{}!{}!{}!{}!{}!{}!{}!{}!{}!{}!{}!{}!{}\n",
        s.name,
        l.context,
        l.exten,
        l.priority,
        s.state.line().asterisk_name(),
        l.app().map_or("(None)", |a| a.as_str()),
        l.app_data(),
        s.caller.number,
        s.account_code,
        "",
        3,
        s.duration_secs(now),
        s.bridge_id.as_deref().unwrap_or(""),
        s.id
    )
}

fn verbose_header() -> String {
    format!(
        "{:<80.80} {:<24.24} {:<24.24} {:<4.4} {:<7.7} {:<12.12} {:<25.25} {:<15.15} {:>8.8} {:<11.11} {:<11.11} {:<20.20}\n",
        "Channel",
        "Context",
        "Extension",
        "Priority",
        "State",
        "Application",
        "Data",
        "CallerID",
        "Duration",
        "Accountcode",
        "PeerAccount",
        "BridgeID"
    )
}

fn verbose_line(s: &ChannelSnapshot, now: Timestamp) -> String {
    let d = s.duration_secs(now);
    let dur = format!("{:02}:{:02}:{:02}", d / 3600, d % 3600 / 60, d % 60);
    let l = &s.location;
    let data = if l.app_data().is_empty() { "(Empty)" } else { l.app_data() };
    format!(
        "{:<80.80} {:<24.24} {:<24.24} {:>4} {:<7.7} {:<12.12} {:<25.25} {:<15.15} {:>8.8} {:<11.11} {:<11.11} {:<20.20}\n",
        s.name,
        l.context,
        l.exten,
        l.priority,
        s.state.line().asterisk_name(),
        l.app().map_or("(None)", |a| a.as_str()),
        data,
        s.caller.number,
        dur,
        s.account_code,
        "",
        s.bridge_id.as_deref().unwrap_or("")
    )
}

static CHANNEL: CommandSpec = CommandSpec {
    name: "core show channel",
    syntax: "core show channel <channel>",
    summary: "Display information on a specific channel",
    usage: "Usage: core show channel <channel>\n       Shows lots of information about the specified channel.\n",
    flavor: Flavor::Asterisk,
};

struct ShowChannel;
impl Command for ShowChannel {
    fn spec(&self) -> &'static CommandSpec {
        &CHANNEL
    }
    fn run<'a>(&'a self, sw: &'a Switch, args: &'a [String]) -> BoxFuture<'a, CommandOutput> {
        Box::pin(async move {
            let [name] = args else { return CommandOutput::usage(&CHANNEL) };
            match sw.channels().by_name(name) {
                Some(h) => CommandOutput::ok(channel_details(&h.snapshot(), sw.now())),
                None => CommandOutput::ok(format!("{name} is not a known channel\n")),
            }
        })
    }
}

fn or_na(s: &str) -> &str {
    if s.is_empty() { "(N/A)" } else { s }
}

fn channel_details(s: &ChannelSnapshot, now: Timestamp) -> String {
    let d = s.duration_secs(now);
    let l = &s.location;
    let mut out = format!(
        " -- General --\n           Name: {}\n           Type: {}\n       UniqueID: {}\n       LinkedID: {}\n      \
         Caller ID: {}\n Caller ID Name: {}\nConnected Line ID: {}\nConnected Line ID Name: {}\n\
         Eff. Connected Line ID: {}\nEff. Connected Line ID Name: {}\n    DNID Digits: {}\n       Language: {}\n          \
         State: {} ({})\n  NativeFormats: (ulaw|alaw)\n    WriteFormat: ulaw\n     ReadFormat: ulaw\n \
         WriteTranscode: No \n  ReadTranscode: No \n Time to Hangup: 0\n   Elapsed Time: {}h{}m{}s\n      \
         Bridge ID: {}\n --   PBX   --\n        Context: {}\n      Extension: {}\n       Priority: {}\n     \
         Call Group: 0\n   Pickup Group: 0\n    Application: {}\n           Data: {}\n Call Identifier: (None)\n",
        s.name,
        s.tech,
        s.id,
        s.linked_id,
        or_na(&s.caller.number),
        or_na(&s.caller.name),
        or_na(&s.connected.number),
        or_na(&s.connected.name),
        or_na(&s.connected.number),
        or_na(&s.connected.name),
        or_na(&s.dialed),
        s.language,
        s.state.line().asterisk_name(),
        s.state.line().number(),
        d / 3600,
        d % 3600 / 60,
        d % 60,
        s.bridge_id.as_deref().unwrap_or("(Not bridged)"),
        l.context,
        l.exten,
        l.priority,
        l.app().map_or("(N/A)", |a| a.as_str()),
        if l.app_data().is_empty() { "(Empty)" } else { l.app_data() },
    );
    out.push_str("      Variables:\n");
    for (k, v) in s.variables.iter() {
        let _ = writeln!(out, "{k}={v}");
    }
    out
}
