//! `uuid_dump <uuid> [json]`: a channel's event headers, one `Name: value` line each (or JSON).

use switchyard_core::app::BoxFuture;
use switchyard_core::command::{Command, CommandOutput, CommandSpec, Flavor};
use switchyard_core::{ChannelId, Switch};

use crate::proto::{RenderContext, append_channel_data, base_at};

static UUID_DUMP: CommandSpec = CommandSpec {
    name: "uuid_dump",
    syntax: "<uuid> [format]",
    summary: "Dump session vars",
    usage: "",
    flavor: Flavor::FreeSwitch,
};

pub(super) struct UuidDump {
    pub(super) ctx: RenderContext,
}

impl Command for UuidDump {
    fn spec(&self) -> &'static CommandSpec {
        &UUID_DUMP
    }
    fn run<'a>(&'a self, sw: &'a Switch, args: &'a [String]) -> BoxFuture<'a, CommandOutput> {
        let out = dump(&self.ctx, sw, args);
        Box::pin(async move { out })
    }
}

fn dump(ctx: &RenderContext, sw: &Switch, args: &[String]) -> CommandOutput {
    let Some(id) = args.first() else { return CommandOutput::usage(&UUID_DUMP) };
    let handle = id.parse::<ChannelId>().ok().and_then(|id| sw.channels().get(id));
    let Some(h) = handle else { return CommandOutput::failure("-ERR No such channel!\n") };
    let mut ev = base_at(sw.bus().next_seq(), sw.now(), ctx, "CHANNEL_DATA");
    append_channel_data(&mut ev, &h.snapshot(), "CHANNEL_DATA");
    if args.get(1).is_some_and(|f| f == "json") {
        return CommandOutput::ok(String::from_utf8_lossy(&ev.to_json()).into_owned());
    }
    let mut text: String = ev.headers.iter().map(|(k, v)| format!("{k}: {v}\n")).collect();
    text.push('\n');
    CommandOutput::ok(text)
}
