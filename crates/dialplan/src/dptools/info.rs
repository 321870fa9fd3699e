//! Logging and events: `log [<level>] <message>`, `info` (the channel's data in the log),
//! `event <header>=<value>,…` (fires a CUSTOM event; `Event-Subclass` names it), and the `cond`
//! API command.

use std::sync::Arc;

use switchyard_core::app::{AppResult, BoxFuture};
use switchyard_core::command::{Command, CommandOutput, CommandSpec, Flavor};
use switchyard_core::{Channel, EventKind, Switch};

use crate::fsxml::XmlEngine;

type R<'a> = BoxFuture<'a, AppResult>;

const LEVELS: &[&str] = &["CONSOLE", "ALERT", "CRIT", "ERR", "ERROR", "WARNING", "NOTICE", "INFO", "DEBUG"];

/// Splits `[level] message`: the first word is a level when it names one.
pub(crate) fn level_and_message(args: &str) -> (&'static str, &str) {
    let (first, rest) = args.trim_start().split_once(' ').unwrap_or((args.trim_start(), ""));
    match LEVELS.iter().find(|l| l.eq_ignore_ascii_case(first)) {
        Some(level) => (level, rest),
        None => ("DEBUG", args.trim_start()),
    }
}

pub(crate) fn log<'a>(_e: &'a Arc<XmlEngine>, chan: &'a mut Channel, args: &'a str) -> R<'a> {
    let (level, msg) = level_and_message(args);
    let name = &chan.current().name;
    match level {
        "CONSOLE" | "ALERT" | "CRIT" | "ERR" | "ERROR" => tracing::error!(channel = %name, "{msg}"),
        "WARNING" => tracing::warn!(channel = %name, "{msg}"),
        "NOTICE" | "INFO" => tracing::info!(channel = %name, "{msg}"),
        _ => tracing::debug!(channel = %name, "{msg}"),
    }
    Box::pin(async { Ok(String::new()) })
}

pub(crate) fn info<'a>(_e: &'a Arc<XmlEngine>, chan: &'a mut Channel, _args: &'a str) -> R<'a> {
    let snap = chan.current();
    let mut text = format!(
        "Channel-Name: {}\nUnique-ID: {}\nCaller-Caller-ID-Number: {}\nCaller-Destination-Number: {}\nCaller-Context: {}\n",
        snap.name, snap.id, snap.caller.number, snap.location.exten, snap.location.context
    );
    for (k, v) in snap.variables.iter() {
        text.push_str(&format!("variable_{k}: {v}\n"));
    }
    tracing::info!(channel = %snap.name, "CHANNEL_DATA:\n{text}");
    Box::pin(async { Ok(String::new()) })
}

/// `event` data: comma-separated `name=value` pairs (`^^X` changes the separator).
pub(crate) fn event_headers(args: &str) -> Vec<(String, String)> {
    let (sep, body) = match args.strip_prefix("^^") {
        Some(rest) if !rest.is_empty() => {
            let c = rest.chars().next().unwrap_or(',');
            (c, &rest[c.len_utf8()..])
        }
        _ => (',', args),
    };
    body.split(sep)
        .filter_map(|pair| pair.split_once('='))
        .map(|(k, v)| (k.trim().to_owned(), v.trim().to_owned()))
        .filter(|(k, _)| !k.is_empty())
        .collect()
}

pub(crate) fn event<'a>(_e: &'a Arc<XmlEngine>, chan: &'a mut Channel, args: &'a str) -> R<'a> {
    Box::pin(async move {
        let mut headers = event_headers(args);
        let subclass =
            headers.iter().position(|(k, _)| k.eq_ignore_ascii_case("Event-Subclass")).map(|i| headers.remove(i).1);
        headers.retain(|(k, _)| !k.eq_ignore_ascii_case("Event-Name"));
        let name = subclass.unwrap_or_else(|| "dptools::event".to_owned());
        chan.publish(EventKind::custom(name, headers, None));
        Ok(String::new())
    })
}

static COND: CommandSpec = CommandSpec {
    name: "cond",
    syntax: "<expr> ? <true val> : <false val>",
    summary: "Evaluate a conditional",
    usage: "",
    flavor: Flavor::FreeSwitch,
};

struct Cond;
impl Command for Cond {
    fn spec(&self) -> &'static CommandSpec {
        &COND
    }
    fn run<'a>(&'a self, _sw: &'a Switch, args: &'a [String]) -> BoxFuture<'a, CommandOutput> {
        let text = crate::fsxml::expand::cond(&args.join(" "));
        Box::pin(async move {
            match text {
                Some(t) => CommandOutput::ok(t),
                None => CommandOutput::failure("-ERR\n"),
            }
        })
    }
}

pub(crate) fn register_cond(engine: &Arc<XmlEngine>) {
    engine.switch().commands().register(Arc::new(Cond));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn log_takes_an_optional_level_first() {
        assert_eq!(level_and_message("INFO hello there"), ("INFO", "hello there"));
        assert_eq!(level_and_message("hello there"), ("DEBUG", "hello there"));
        assert_eq!(level_and_message("warning x"), ("WARNING", "x"));
    }

    #[test]
    fn event_data_is_comma_separated_pairs() {
        assert_eq!(
            event_headers("Event-Subclass=my::ev,Foo=bar baz"),
            vec![("Event-Subclass".into(), "my::ev".into()), ("Foo".into(), "bar baz".into())]
        );
        assert_eq!(event_headers("^^;a=1,2;b=3"), vec![("a".into(), "1,2".into()), ("b".into(), "3".into())]);
    }
}
