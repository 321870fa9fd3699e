//! The `bgapi <command> [args]` API command (FreeSWITCH mod_commands): runs the command in the
//! background, answers `+OK Job-UUID: <id>` at once, and publishes BACKGROUND_JOB when it ends.

use switchyard_core::app::BoxFuture;
use switchyard_core::command::{Command, CommandOutput, CommandSpec, Flavor};
use switchyard_core::{BackgroundJobEvent, EventKind, Switch};

static BGAPI: CommandSpec = CommandSpec {
    name: "bgapi",
    syntax: "<command>[ <arg>]",
    summary: "Execute an api command in a thread",
    usage: "",
    flavor: Flavor::FreeSwitch,
};

pub(super) struct BgApi;

impl Command for BgApi {
    fn spec(&self) -> &'static CommandSpec {
        &BGAPI
    }
    fn run<'a>(&'a self, sw: &'a Switch, args: &'a [String]) -> BoxFuture<'a, CommandOutput> {
        let out = start(sw, args);
        Box::pin(async move { out })
    }
}

fn start(sw: &Switch, args: &[String]) -> CommandOutput {
    let Some((command, rest)) = args.split_first() else { return CommandOutput::usage(&BGAPI) };
    let job = uuid::Uuid::new_v4().to_string();
    let (switch, command, rest, job_uuid) = (sw.clone(), command.clone(), rest.join(" "), job.clone());
    tokio::spawn(async move {
        let line = format!("{command} {rest}");
        let output = match switch.commands().execute(&switch, &line).await {
            Ok(out) => out.text,
            Err(_) => format!("{command}: Command not found!\n"),
        };
        let kind = EventKind::from(BackgroundJobEvent { job_uuid, owner: None, command, args: rest, output });
        switch.bus().publish(kind, None);
    });
    CommandOutput::ok(format!("+OK Job-UUID: {job}\n"))
}
