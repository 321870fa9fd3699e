//! `core show hanguphandlers <channel>|all`, columns `%-30s %s` as Asterisk.

use std::sync::Arc;

use switchyard_core::Switch;
use switchyard_core::app::BoxFuture;
use switchyard_core::command::{Command, CommandOutput, CommandSpec, Flavor};

use crate::engine::Engine;

static SPEC: CommandSpec = CommandSpec {
    name: "core show hanguphandlers",
    syntax: "core show hanguphandlers <channel>|all",
    summary: "Show hangup handlers of a specified channel",
    usage: "Usage: core show hanguphandlers <channel>\n       Show hangup handlers of a specified channel.\n",
    flavor: Flavor::Asterisk,
};

struct ShowHandlers(Arc<Engine>);

pub(super) fn register(switch: &Switch, engine: &Arc<Engine>) {
    switch.commands().register(Arc::new(ShowHandlers(engine.clone())));
}

fn rows(out: &mut String, name: &str, handlers: &[String]) {
    for (i, h) in handlers.iter().enumerate() {
        let first = if i == 0 { name } else { "" };
        out.push_str(&format!("{first:<30} {h}\n"));
    }
}

impl Command for ShowHandlers {
    fn spec(&self) -> &'static CommandSpec {
        &SPEC
    }

    fn run<'a>(&'a self, switch: &'a Switch, args: &'a [String]) -> BoxFuture<'a, CommandOutput> {
        Box::pin(async move {
            let Some(which) = args.first() else { return CommandOutput::usage(&SPEC) };
            let mut out = format!("{:<30} {}\n", "Channel", "Handler");
            if which == "all" {
                for snap in switch.channels().snapshots() {
                    rows(&mut out, &snap.name, &self.0.handlers.list(snap.id));
                }
                return CommandOutput::ok(out);
            }
            let Some(h) = switch.channels().by_name(which) else {
                return CommandOutput::failure("Channel does not exist.\n");
            };
            rows(&mut out, &h.snapshot().name, &self.0.handlers.list(h.id()));
            CommandOutput::ok(out)
        })
    }
}
