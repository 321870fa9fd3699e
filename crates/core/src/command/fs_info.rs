//! FreeSWITCH facts and small utilities: `version`, `uptime`, `hostname`, `create_uuid`, `echo`,
//! `global_getvar`, `global_setvar`, `eval`.

use std::sync::Arc;

use super::fs_simple::{SyncCommand, SyncFn};
use super::{CommandOutput, CommandRegistry, CommandSpec};
use crate::fs_spec;
use crate::switch::Switch;

/// The FreeSWITCH release Switchyard follows (also printed by `status`).
const FS_VERSION: &str = "1.11.1";

static VERSION: CommandSpec = fs_spec!("version", "[short]", "Version");
static UPTIME: CommandSpec =
    fs_spec!("uptime", "[us|ms|s|m|h|d|microseconds|milliseconds|seconds|minutes|hours|days]", "Show uptime");
static HOSTNAME: CommandSpec = fs_spec!("hostname", "", "Return Hostname");
static CREATE_UUID: CommandSpec = fs_spec!("create_uuid", "", "Create a uuid");
static ECHO: CommandSpec = fs_spec!("echo", "<data>", "Echo");
static GLOBAL_GETVAR: CommandSpec = fs_spec!("global_getvar", "<var>", "Get global var");
static GLOBAL_SETVAR: CommandSpec = fs_spec!("global_setvar", "<var>=<value> [=<value2>]", "Set global var");
static EVAL: CommandSpec = fs_spec!("eval", "[uuid:<uuid> ]<expression>", "eval (noop)");

pub(super) fn register(reg: &CommandRegistry) {
    let table: [(&'static CommandSpec, SyncFn); 8] = [
        (&VERSION, version),
        (&UPTIME, uptime),
        (&HOSTNAME, |sw, _| CommandOutput::ok(sw.info().hostname.clone())),
        (&CREATE_UUID, |_, _| CommandOutput::ok(uuid::Uuid::new_v4().to_string())),
        (&ECHO, |_, args| CommandOutput::ok(args.join(" "))),
        (&GLOBAL_GETVAR, global_getvar),
        (&GLOBAL_SETVAR, global_setvar),
        (&EVAL, eval),
    ];
    for (spec, run) in table {
        reg.register(Arc::new(SyncCommand { spec, run }));
    }
}

fn version(sw: &Switch, args: &[String]) -> CommandOutput {
    let v = &sw.info().version;
    match args.first().map(String::as_str) {
        Some("short") => CommandOutput::ok(format!("{FS_VERSION}\n")),
        _ => CommandOutput::ok(format!("FreeSWITCH Version {FS_VERSION}-switchyard-{v}~64bit (switchyard {v})\n")),
    }
}

fn uptime(sw: &Switch, args: &[String]) -> CommandOutput {
    let micros = (sw.now().0 - sw.started().0).max(0);
    let divisor = match args.first().map(String::as_str).unwrap_or("s") {
        "us" | "microseconds" => 1,
        "ms" | "milliseconds" => 1_000,
        "s" | "seconds" => 1_000_000,
        "m" | "minutes" => 60_000_000,
        "h" | "hours" => 3_600_000_000,
        "d" | "days" => 86_400_000_000,
        _ => return CommandOutput::usage(&UPTIME),
    };
    CommandOutput::ok(format!("{}\n", micros / divisor))
}

fn global_getvar(sw: &Switch, args: &[String]) -> CommandOutput {
    match args.first() {
        Some(name) => CommandOutput::ok(sw.globals().get(name).unwrap_or_default()),
        None => {
            let all = sw.globals().snapshot();
            CommandOutput::ok(all.iter().map(|(k, v)| format!("{k}={v}\n")).collect::<String>())
        }
    }
}

fn global_setvar(sw: &Switch, args: &[String]) -> CommandOutput {
    let line = args.join(" ");
    let Some((name, value)) = line.split_once('=') else { return CommandOutput::usage(&GLOBAL_SETVAR) };
    sw.globals().set(name.trim(), value.trim());
    CommandOutput::ok("+OK\n")
}

fn eval(sw: &Switch, args: &[String]) -> CommandOutput {
    let mut words = args.to_vec();
    let channel = match words.first().and_then(|w| w.strip_prefix("uuid:")) {
        Some(id) => {
            let handle = sw.channels().find(id);
            words.remove(0);
            handle
        }
        None => None,
    };
    let snap = channel.map(|h| h.snapshot());
    let lookup = |name: &str| {
        snap.as_ref().and_then(|s| s.variables.get(name).map(str::to_owned)).or_else(|| sw.globals().get(name))
    };
    CommandOutput::ok(expand(&words.join(" "), &lookup))
}

/// Replaces `${name}` with the variable's value (empty when unset).
pub(crate) fn expand(text: &str, lookup: &dyn Fn(&str) -> Option<String>) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(start) = rest.find("${") {
        out.push_str(&rest[..start]);
        let after = &rest[start + 2..];
        let Some(end) = after.find('}') else {
            out.push_str(&rest[start..]);
            return out;
        };
        out.push_str(&lookup(&after[..end]).unwrap_or_default());
        rest = &after[end + 1..];
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn expansion_replaces_known_variables_and_blanks_unknown_ones() {
        let lookup = |n: &str| (n == "a").then(|| "1".to_owned());
        assert_eq!(expand("x${a}y${b}z${", &lookup), "x1yz${");
    }
}
