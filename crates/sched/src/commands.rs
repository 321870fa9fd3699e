//! The FreeSWITCH scheduler API commands: `sched_hangup`, `sched_transfer`, `sched_broadcast`,
//! `sched_api`, `unsched_api`, `sched_del` and `show tasks`. Where FreeSWITCH replies without the task
//! id, Switchyard appends it (seed 003) and sets `last_sched_id` on the channel.

use std::sync::Arc;

use switchyard_core::app::BoxFuture;
use switchyard_core::command::{Command, CommandOutput, CommandSpec, Flavor, render_csv, render_json};
use switchyard_core::{HangupCause, Switch};

use crate::action::TaskAction;
use crate::scheduler::{Scheduler, TaskSpec};
use crate::time_spec::TimeSpec;

/// Registers every scheduler command on the switch.
pub fn register(sched: &Scheduler) {
    let reg = sched.switch().commands();
    for spec in [&HANGUP, &TRANSFER, &BROADCAST, &API, &UNSCHED, &DEL, &SHOW] {
        reg.register(Arc::new(SchedCommand { spec, sched: sched.clone() }));
    }
}

macro_rules! spec {
    ($id:ident, $name:literal, $syntax:literal) => {
        static $id: CommandSpec =
            CommandSpec { name: $name, syntax: $syntax, summary: $name, usage: "", flavor: Flavor::FreeSwitch };
    };
}
spec!(HANGUP, "sched_hangup", "[+]<time> <uuid> [<cause>]");
spec!(TRANSFER, "sched_transfer", "[+]<time> <uuid> <extension> [<dialplan>] [<context>]");
spec!(BROADCAST, "sched_broadcast", "[[+]<time>|@time] <uuid> <path> [aleg|bleg|both]");
spec!(API, "sched_api", "[+@]<time> <group_name> <command_string>[&]");
spec!(UNSCHED, "unsched_api", "<task_id>");
spec!(DEL, "sched_del", "<task_id>|<group_id>");
spec!(SHOW, "show tasks", "show tasks [as json]");

struct SchedCommand {
    spec: &'static CommandSpec,
    sched: Scheduler,
}

impl Command for SchedCommand {
    fn spec(&self) -> &'static CommandSpec {
        self.spec
    }
    fn run<'a>(&'a self, _sw: &'a Switch, args: &'a [String]) -> BoxFuture<'a, CommandOutput> {
        Box::pin(async move {
            let result = match self.spec.name {
                "sched_hangup" => sched_hangup(&self.sched, args).await,
                "sched_transfer" => sched_transfer(&self.sched, args).await,
                "sched_broadcast" => sched_broadcast(&self.sched, args).await,
                "sched_api" => sched_api(&self.sched, args).await,
                "unsched_api" => unsched_api(&self.sched, args).await,
                "sched_del" => sched_del(&self.sched, args).await,
                _ => show_tasks(&self.sched, args),
            };
            result.unwrap_or_else(|err| err)
        })
    }
}

type Reply = Result<CommandOutput, CommandOutput>;

fn usage(spec: &CommandSpec) -> CommandOutput {
    CommandOutput::usage(spec)
}

fn fail(text: impl std::fmt::Display) -> CommandOutput {
    CommandOutput::failure(format!("-ERR {text}\n"))
}

fn time_arg(sched: &Scheduler, text: &str) -> Result<i64, CommandOutput> {
    TimeSpec::parse(text).map(|t| t.runtime_ms(sched.now_ms())).map_err(fail)
}

/// The live channel with this uuid, as `-ERR No such channel!` when absent.
fn channel(sched: &Scheduler, uuid: &str) -> Result<switchyard_core::ChannelHandle, CommandOutput> {
    let found = uuid.parse().ok().and_then(|id| sched.switch().channels().get(id));
    found.ok_or_else(|| CommandOutput::failure("-ERR No such channel!\n"))
}

/// Adds a channel task, records `last_sched_id`, and replies `<prefix> <id>`.
async fn add_for_channel(sched: &Scheduler, uuid: &str, at: i64, action: TaskAction, prefix: &str) -> Reply {
    let handle = channel(sched, uuid)?;
    let spec = TaskSpec { runtime_ms: at, group: uuid.to_owned(), repeat_s: None, action };
    let set_last = |id: u64| {
        let _ = handle.set_var("last_sched_id", &id.to_string());
    };
    let id = sched.add_then(spec, set_last).await.map_err(fail)?;
    Ok(CommandOutput::ok(format!("{prefix} {id}\n")))
}

async fn sched_hangup(sched: &Scheduler, args: &[String]) -> Reply {
    let (time, uuid, cause) = match args {
        [t, u] => (t, u, "ALLOTTED_TIMEOUT"),
        [t, u, c] => (t, u, c.as_str()),
        _ => return Err(usage(&HANGUP)),
    };
    let at = time_arg(sched, time)?;
    let cause = HangupCause::parse(cause).map_err(fail)?;
    let action = TaskAction::Hangup { uuid: uuid.clone(), cause: cause.fs_name().to_owned() };
    add_for_channel(sched, uuid, at, action, "+OK").await
}

async fn sched_transfer(sched: &Scheduler, args: &[String]) -> Reply {
    if !(3..=5).contains(&args.len()) {
        return Err(usage(&TRANSFER));
    }
    let at = time_arg(sched, &args[0])?;
    let field = |i: usize, default: &str| args.get(i).cloned().unwrap_or_else(|| default.to_owned());
    let action = TaskAction::Transfer {
        uuid: args[1].clone(),
        exten: args[2].clone(),
        dialplan: field(3, "XML"),
        context: field(4, "default"),
    };
    add_for_channel(sched, &args[1], at, action, "+OK").await
}

async fn sched_broadcast(sched: &Scheduler, args: &[String]) -> Reply {
    let (time, uuid, path, leg) = match args {
        [t, u, p] => (t, u, p, "aleg"),
        [t, u, p, l] if ["aleg", "bleg", "both"].contains(&l.as_str()) => (t, u, p, l.as_str()),
        _ => return Err(usage(&BROADCAST)),
    };
    // In sched_broadcast `@N` is an absolute epoch, not a repeat.
    let at = match TimeSpec::parse(time).map_err(fail)? {
        TimeSpec::At(secs) => TimeSpec::Absolute(secs).runtime_ms(sched.now_ms()),
        t => t.runtime_ms(sched.now_ms()),
    };
    let action = TaskAction::Broadcast { uuid: uuid.clone(), path: path.clone(), leg: leg.to_owned() };
    add_for_channel(sched, uuid, at, action, "+OK Message scheduled").await
}

async fn sched_api(sched: &Scheduler, args: &[String]) -> Reply {
    let syntax = || CommandOutput::failure(format!("-ERR Invalid syntax. USAGE: {}\n", API.syntax));
    let [time, group, command @ ..] = args else { return Err(syntax()) };
    if command.is_empty() {
        return Err(syntax());
    }
    let spec = TimeSpec::parse(time).map_err(|_| syntax())?;
    let repeat_s = match spec {
        TimeSpec::At(secs) => Some((secs.round() as i64).max(1)),
        _ => None,
    };
    let line = command.join(" ");
    let line = line.strip_suffix('&').unwrap_or(&line).trim_end().to_owned();
    let task = TaskSpec {
        runtime_ms: spec.runtime_ms(sched.now_ms()),
        group: group.clone(),
        repeat_s,
        action: TaskAction::Api { command: line },
    };
    let id = sched.add(task).await.map_err(fail)?;
    Ok(CommandOutput::ok(format!("+OK Added: {id}\n")))
}

async fn unsched_api(sched: &Scheduler, args: &[String]) -> Reply {
    let [id] = args else { return Err(usage(&UNSCHED)) };
    let id: u64 = id.parse().map_err(|_| fail("No such id"))?;
    match sched.delete(id).await.map_err(fail)? {
        true => Ok(CommandOutput::ok("+OK\n")),
        false => Err(fail("No such id")),
    }
}

async fn sched_del(sched: &Scheduler, args: &[String]) -> Reply {
    let [target] = args else { return Err(fail("Invalid syntax")) };
    let count = match target.parse::<u64>() {
        Ok(id) if target.bytes().all(|b| b.is_ascii_digit()) => usize::from(sched.delete(id).await.map_err(fail)?),
        _ => sched.delete_group(target, None).await.map_err(fail)?,
    };
    Ok(CommandOutput::ok(format!("+OK Deleted: {count}\n")))
}

const COLUMNS: [&str; 6] = ["task_id", "task_desc", "task_group", "task_runtime", "task_sql_manager", "hostname"];

fn show_tasks(sched: &Scheduler, args: &[String]) -> Reply {
    let json = match args {
        [] => false,
        [a, j] if a == "as" && j == "json" => true,
        _ => return Err(usage(&SHOW)),
    };
    let host = sched.host();
    let rows: Vec<[String; 6]> = sched
        .list()
        .iter()
        .map(|t| {
            let desc = t.kind.description().to_owned();
            let runtime = t.runtime_ms.div_euclid(1000).to_string();
            [t.id.to_string(), desc, t.group.to_string(), runtime, "0".to_owned(), host.to_owned()]
        })
        .collect();
    Ok(CommandOutput::ok(if json { render_json(&COLUMNS, &rows) } else { render_csv(&COLUMNS, &rows) }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn show_tasks_prints_freeswitch_columns_and_footer() {
        let row = ["3", "sched_api_function", "none", "1795459441", "0", "vm"].map(String::from);
        assert_eq!(
            render_csv(&COLUMNS, std::slice::from_ref(&row)),
            "task_id,task_desc,task_group,task_runtime,task_sql_manager,hostname\n3,sched_api_function,none,1795459441,0,vm\n\n1 total.\n"
        );
        assert!(render_json(&COLUMNS, &[row]).starts_with("{\"row_count\":1,\"rows\":[{\"task_id\":\"3\""));
    }
}
