//! Asterisk's `core show version`, `core show uptime` and `core show help`.

use std::sync::Arc;

use super::{Command, CommandOutput, CommandRegistry, CommandSpec, Flavor};
use crate::app::BoxFuture;
use crate::switch::Switch;

/// The Asterisk release whose behaviour Switchyard follows, printed so version-sniffing clients work.
pub const ASTERISK_COMPAT: &str = "22.0.0";

pub(super) fn register(reg: &CommandRegistry) {
    reg.register(Arc::new(ShowVersion));
    reg.register(Arc::new(ShowUptime));
    reg.register(Arc::new(ShowHelp));
}

static VERSION: CommandSpec = CommandSpec {
    name: "core show version",
    syntax: "core show version",
    summary: "Display version info",
    usage: "Usage: core show version\n       Shows Asterisk version information.\n",
    flavor: Flavor::Asterisk,
};

struct ShowVersion;
impl Command for ShowVersion {
    fn spec(&self) -> &'static CommandSpec {
        &VERSION
    }
    fn run<'a>(&'a self, sw: &'a Switch, args: &'a [String]) -> BoxFuture<'a, CommandOutput> {
        Box::pin(async move {
            if !args.is_empty() {
                return CommandOutput::usage(&VERSION);
            }
            let info = sw.info();
            CommandOutput::ok(format!(
                "Asterisk {ASTERISK_COMPAT} (Switchyard {}) built by switchyard @ {} on a {} running {}\n",
                info.version,
                info.hostname,
                std::env::consts::ARCH,
                std::env::consts::OS
            ))
        })
    }
}

static UPTIME: CommandSpec = CommandSpec {
    name: "core show uptime",
    syntax: "core show uptime [seconds]",
    summary: "Show uptime information",
    usage: "Usage: core show uptime [seconds]\n       Shows Asterisk uptime information.\n       \
            The seconds word returns the uptime in seconds only.\n",
    flavor: Flavor::Asterisk,
};

struct ShowUptime;
impl Command for ShowUptime {
    fn spec(&self) -> &'static CommandSpec {
        &UPTIME
    }
    fn run<'a>(&'a self, sw: &'a Switch, args: &'a [String]) -> BoxFuture<'a, CommandOutput> {
        Box::pin(async move {
            let in_seconds = match args {
                [] => false,
                [w] if w.eq_ignore_ascii_case("seconds") => true,
                _ => return CommandOutput::usage(&UPTIME),
            };
            let now = sw.now();
            let up = now.secs() - sw.started().secs();
            let reload = now.secs() - sw.last_reload().secs();
            let mut out = uptime_line("System uptime: ", up, in_seconds);
            out.push_str(&uptime_line("Last reload: ", reload, in_seconds));
            CommandOutput::ok(out)
        })
    }
}

/// Asterisk's `print_uptimestr`: years, weeks, days, hours, minutes and seconds, largest first.
pub(super) fn uptime_line(prefix: &str, secs: i64, in_seconds: bool) -> String {
    if in_seconds {
        return format!("{prefix}{secs}\n");
    }
    let units = [("year", 365 * 86_400), ("week", 7 * 86_400), ("day", 86_400), ("hour", 3600), ("minute", 60)];
    let mut left = secs.max(0);
    let mut parts = Vec::new();
    for (name, size) in units {
        if left > size {
            let n = left / size;
            left -= n * size;
            parts.push(format!("{n} {name}{}", super::ess(n as usize)));
        }
    }
    if left > 0 || parts.is_empty() {
        parts.push(format!("{left} second{}", super::ess(left as usize)));
    }
    format!("{prefix}{}\n", parts.join(", "))
}

static HELP: CommandSpec = CommandSpec {
    name: "core show help",
    syntax: "core show help [topic]",
    summary: "Display help list, or specific help on a command",
    usage: "Usage: core show help [topic]\n       When called with a topic as an argument, displays usage\n       \
            information on the given command. If called without a\n       topic, it provides a list of commands.\n",
    flavor: Flavor::Asterisk,
};

struct ShowHelp;
impl Command for ShowHelp {
    fn spec(&self) -> &'static CommandSpec {
        &HELP
    }
    fn run<'a>(&'a self, sw: &'a Switch, args: &'a [String]) -> BoxFuture<'a, CommandOutput> {
        Box::pin(async move {
            let topic = args.join(" ").to_ascii_lowercase();
            let specs = sw.commands().specs();
            if let Some(spec) = specs.iter().find(|s| s.name == topic) {
                return CommandOutput::ok(spec.usage.to_owned());
            }
            let lines: String = specs
                .iter()
                .filter(|s| s.name.starts_with(&topic))
                .map(|s| format!("{:<30} -- {}\n", s.name, s.summary))
                .collect();
            if lines.is_empty() {
                return CommandOutput::ok(format!("No such command '{}'.\n", args.join(" ")));
            }
            CommandOutput::ok(lines)
        })
    }
}
