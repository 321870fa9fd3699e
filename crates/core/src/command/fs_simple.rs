//! An adapter for FreeSWITCH API commands that answer at once: a spec and a plain function.

use super::{Command, CommandOutput, CommandSpec};
use crate::app::BoxFuture;
use crate::switch::Switch;

/// The body of a synchronous command.
pub(super) type SyncFn = fn(&Switch, &[String]) -> CommandOutput;

/// A command whose work is a synchronous function of the switch and its arguments.
pub(super) struct SyncCommand {
    pub(super) spec: &'static CommandSpec,
    pub(super) run: SyncFn,
}

impl Command for SyncCommand {
    fn spec(&self) -> &'static CommandSpec {
        self.spec
    }
    fn run<'a>(&'a self, sw: &'a Switch, args: &'a [String]) -> BoxFuture<'a, CommandOutput> {
        let out = (self.run)(sw, args);
        Box::pin(async move { out })
    }
}

/// A FreeSWITCH spec with only a name and syntax.
#[macro_export]
#[doc(hidden)]
macro_rules! fs_spec {
    ($name:literal, $syntax:literal, $summary:literal) => {
        $crate::command::CommandSpec {
            name: $name,
            syntax: $syntax,
            summary: $summary,
            usage: "",
            flavor: $crate::command::Flavor::FreeSwitch,
        }
    };
}

/// A command whose work is an async function of the switch and its arguments.
pub(super) struct AsyncCommand {
    pub(super) spec: &'static CommandSpec,
    pub(super) run: for<'a> fn(&'a Switch, &'a [String]) -> BoxFuture<'a, CommandOutput>,
}

impl Command for AsyncCommand {
    fn spec(&self) -> &'static CommandSpec {
        self.spec
    }
    fn run<'a>(&'a self, sw: &'a Switch, args: &'a [String]) -> BoxFuture<'a, CommandOutput> {
        (self.run)(sw, args)
    }
}
