//! The `luarun <script> [args]` API (starts the script and replies `+OK` at once) and the
//! `lua <script> [args]` API (waits and returns what the script wrote to `stream`).

use std::sync::Arc;

use switchyard_core::Switch;
use switchyard_core::app::BoxFuture;
use switchyard_core::command::{Command, CommandOutput, CommandSpec, Flavor};

use crate::runner::LuaEngine;
use crate::script::ScriptCall;

static LUA: CommandSpec = CommandSpec {
    name: "lua",
    syntax: "<script>",
    summary: "run a script as an api function",
    usage: "",
    flavor: Flavor::FreeSwitch,
};

static LUARUN: CommandSpec =
    CommandSpec { name: "luarun", syntax: "<script>", summary: "run a script", usage: "", flavor: Flavor::FreeSwitch };

/// Registers both commands.
pub(crate) fn register(engine: &LuaEngine) {
    let reg = engine.switch().commands();
    reg.register(Arc::new(LuaCommand { engine: engine.clone(), detached: false }));
    reg.register(Arc::new(LuaCommand { engine: engine.clone(), detached: true }));
}

struct LuaCommand {
    engine: LuaEngine,
    detached: bool,
}

impl Command for LuaCommand {
    fn spec(&self) -> &'static CommandSpec {
        if self.detached { &LUARUN } else { &LUA }
    }

    fn run<'a>(&'a self, _switch: &'a Switch, args: &'a [String]) -> BoxFuture<'a, CommandOutput> {
        Box::pin(async move {
            let line = join_args(args);
            let call = match ScriptCall::parse(&line, &self.engine.settings().scripts_dir) {
                Ok(call) => call,
                Err(_) => return CommandOutput::usage(self.spec()),
            };
            if let Some(path) = call.path.as_ref().filter(|p| !p.is_file()) {
                return CommandOutput::failure(format!("-ERR Cannot open {}\n", path.display()));
            }
            let done = self.engine.run(call);
            if self.detached {
                return CommandOutput::ok("+OK\n");
            }
            let end = done.await.unwrap_or_default();
            match end.error {
                Some(e) if end.output.is_empty() => CommandOutput::failure(format!("-ERR {e}\n")),
                _ => CommandOutput::ok(end.output),
            }
        })
    }
}

/// Words back into one line, quoting those with spaces so the script sees the same arguments.
fn join_args(args: &[String]) -> String {
    let quote = |a: &String| if a.contains(' ') { format!("'{a}'") } else { a.clone() };
    args.iter().map(quote).collect::<Vec<_>>().join(" ")
}
