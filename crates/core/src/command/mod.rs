//! The command registry: one set of typed console/API commands that the CLI, AMI `Command` and ESL
//! `api`/`bgapi` all call. Each command prints what the original (Asterisk or FreeSWITCH) prints.

mod args;
mod asterisk_channels;
mod asterisk_core;
mod asterisk_hangup;
mod asterisk_originate;
mod fs_bridge;
mod fs_info;
mod fs_originate;
mod fs_show;
mod fs_show_calls;
mod fs_show_xml;
mod fs_simple;
mod fs_status;
mod fs_uuid_control;
mod fs_uuid_vars;
mod table;
mod timefmt;

use std::collections::BTreeMap;
use std::sync::Arc;

use crate::app::BoxFuture;
use crate::switch::Switch;

pub use args::split_args;
pub(crate) use fs_info::expand;
pub use table::{render_csv, render_json};
pub use timefmt::{civil_from_days, format_utc, uptime_parts};

/// Which original a command imitates (decides error and usage conventions).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Flavor {
    /// An Asterisk CLI command.
    Asterisk,
    /// A FreeSWITCH API command.
    FreeSwitch,
}

/// Name, syntax and help of a command.
#[derive(Debug)]
pub struct CommandSpec {
    /// Words that select the command, e.g. `core show channels`.
    pub name: &'static str,
    /// One-line syntax.
    pub syntax: &'static str,
    /// One-line summary (`core show help`).
    pub summary: &'static str,
    /// Full usage text shown on bad arguments (Asterisk) or `-USAGE:` (FreeSWITCH).
    pub usage: &'static str,
    /// Which original it imitates.
    pub flavor: Flavor,
}

/// How a command ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CommandStatus {
    /// It ran.
    Success,
    /// The arguments were wrong; the text is the usage.
    ShowUsage,
    /// It failed; the text says why.
    Failure,
}

/// Text output of a command.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CommandOutput {
    /// Exactly what the original prints.
    pub text: String,
    /// How it ended.
    pub status: CommandStatus,
}

impl CommandOutput {
    /// A successful output.
    pub fn ok(text: impl Into<String>) -> Self {
        Self { text: text.into(), status: CommandStatus::Success }
    }

    /// A failure.
    pub fn failure(text: impl Into<String>) -> Self {
        Self { text: text.into(), status: CommandStatus::Failure }
    }

    /// The usage of `spec`, in its flavor's convention.
    pub fn usage(spec: &CommandSpec) -> Self {
        let text = match spec.flavor {
            Flavor::Asterisk => spec.usage.to_owned(),
            Flavor::FreeSwitch => format!("-USAGE: {}\n", spec.syntax),
        };
        Self { text, status: CommandStatus::ShowUsage }
    }
}

/// A console/API command.
pub trait Command: Send + Sync + 'static {
    /// Its name and help.
    fn spec(&self) -> &'static CommandSpec;
    /// Runs it with the words after its name.
    fn run<'a>(&'a self, switch: &'a Switch, args: &'a [String]) -> BoxFuture<'a, CommandOutput>;
}

/// A line that names no command.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("No such command '{0}' (type 'core show help {0}' for other possible commands)")]
pub struct UnknownCommand(pub String);

impl UnknownCommand {
    /// FreeSWITCH's wording (`-ERR <cmd> Command not found!`).
    pub fn freeswitch_text(&self) -> String {
        let first = self.0.split_whitespace().next().unwrap_or("");
        format!("-ERR {first} Command not found!\n")
    }
}

/// Commands by lower-case name.
#[derive(Default)]
pub struct CommandRegistry(parking_lot::RwLock<BTreeMap<String, Arc<dyn Command>>>);

impl CommandRegistry {
    /// A registry with the core's commands.
    pub fn with_builtins() -> Self {
        let reg = Self::default();
        asterisk_core::register(&reg);
        asterisk_channels::register(&reg);
        asterisk_hangup::register(&reg);
        asterisk_originate::register(&reg);
        fs_status::register(&reg);
        fs_show::register(&reg);
        fs_originate::register(&reg);
        fs_bridge::register(&reg);
        fs_info::register(&reg);
        fs_uuid_vars::register(&reg);
        fs_uuid_control::register(&reg);
        fs_show_calls::register(&reg);
        reg
    }

    /// Adds or replaces a command.
    pub fn register(&self, cmd: Arc<dyn Command>) {
        self.0.write().insert(cmd.spec().name.to_ascii_lowercase(), cmd);
    }

    /// The command selected by the longest run of leading words, and the remaining words.
    pub fn resolve(&self, line: &str) -> Result<(Arc<dyn Command>, Vec<String>), UnknownCommand> {
        let words = split_args(line);
        let map = self.0.read();
        for n in (1..=words.len()).rev() {
            let name = words[..n].join(" ").to_ascii_lowercase();
            if let Some(cmd) = map.get(&name) {
                return Ok((cmd.clone(), words[n..].to_vec()));
            }
        }
        Err(UnknownCommand(words.join(" ")))
    }

    /// Runs one command line.
    pub async fn execute(&self, switch: &Switch, line: &str) -> Result<CommandOutput, UnknownCommand> {
        let (cmd, args) = self.resolve(line)?;
        Ok(cmd.run(switch, &args).await)
    }

    /// All specs, sorted by name.
    pub fn specs(&self) -> Vec<&'static CommandSpec> {
        self.0.read().values().map(|c| c.spec()).collect()
    }
}

/// Plural `s` as Asterisk's `ESS()`.
pub(crate) fn ess(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}

#[cfg(test)]
pub(crate) mod tests;
