//! FreeSWITCH's `uuid_bridge <uuid> <other_uuid>`: joins two live channels.

use std::sync::Arc;

use super::{Command, CommandOutput, CommandRegistry, CommandSpec, Flavor};
use crate::app::BoxFuture;
use crate::id::ChannelId;
use crate::switch::Switch;

pub(super) fn register(reg: &CommandRegistry) {
    reg.register(Arc::new(UuidBridge));
}

static UUID_BRIDGE: CommandSpec = CommandSpec {
    name: "uuid_bridge",
    syntax: "<uuid> <other_uuid>",
    summary: "Bridge call legs",
    usage: "",
    flavor: Flavor::FreeSwitch,
};

struct UuidBridge;
impl Command for UuidBridge {
    fn spec(&self) -> &'static CommandSpec {
        &UUID_BRIDGE
    }
    fn run<'a>(&'a self, sw: &'a Switch, args: &'a [String]) -> BoxFuture<'a, CommandOutput> {
        Box::pin(async move {
            let [a, b] = args else { return CommandOutput::usage(&UUID_BRIDGE) };
            let ids: Option<(ChannelId, ChannelId)> = a.parse().ok().zip(b.parse().ok());
            match ids.map(|(x, y)| sw.bridge(x, y)) {
                Some(Ok(_)) => CommandOutput::ok(format!("+OK {b}\n")),
                _ => CommandOutput::failure("-ERR Invalid uuid\n"),
            }
        })
    }
}
