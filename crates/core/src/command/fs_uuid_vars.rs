//! FreeSWITCH channel-variable commands: `uuid_getvar`, `uuid_setvar`, `uuid_setvar_multi`,
//! `uuid_exists`. Setting waits until the channel applied the change, so a following get sees it.

use std::sync::Arc;
use std::time::Duration;

use super::fs_simple::{AsyncCommand, SyncCommand};
use super::{CommandOutput, CommandRegistry, CommandSpec};
use crate::app::BoxFuture;
use crate::bus::BusItem;
use crate::channel::ChannelHandle;
use crate::event::EventKind;
use crate::fs_spec;
use crate::switch::Switch;

/// How long a set waits for the channel to apply it.
const APPLY_TIMEOUT: Duration = Duration::from_secs(2);

static UUID_GETVAR: CommandSpec = fs_spec!("uuid_getvar", "<uuid> <var>", "Get a variable from a channel");
static UUID_SETVAR: CommandSpec = fs_spec!("uuid_setvar", "<uuid> <var> [value]", "Set a variable");
static UUID_SETVAR_MULTI: CommandSpec =
    fs_spec!("uuid_setvar_multi", "<uuid> <var>=<value>;<var>=<value>...", "Set multiple variables");
static UUID_EXISTS: CommandSpec = fs_spec!("uuid_exists", "<uuid>", "Check if a uuid exists");

pub(super) fn register(reg: &CommandRegistry) {
    reg.register(Arc::new(SyncCommand { spec: &UUID_GETVAR, run: getvar }));
    reg.register(Arc::new(SyncCommand { spec: &UUID_EXISTS, run: exists }));
    reg.register(Arc::new(AsyncCommand { spec: &UUID_SETVAR, run: setvar }));
    reg.register(Arc::new(AsyncCommand { spec: &UUID_SETVAR_MULTI, run: setvar_multi }));
}

pub(super) fn live(sw: &Switch, id: &str) -> Option<ChannelHandle> {
    sw.channels().find(id).filter(ChannelHandle::is_alive)
}

fn getvar(sw: &Switch, args: &[String]) -> CommandOutput {
    let [id, name] = args else { return CommandOutput::usage(&UUID_GETVAR) };
    match live(sw, id) {
        Some(h) => CommandOutput::ok(h.var(name).filter(|v| !v.is_empty()).unwrap_or_else(|| "_undef_".into())),
        None => CommandOutput::failure("-ERR No such channel!\n"),
    }
}

fn exists(sw: &Switch, args: &[String]) -> CommandOutput {
    let [id] = args else { return CommandOutput::usage(&UUID_EXISTS) };
    CommandOutput::ok(if live(sw, id).is_some() { "true" } else { "false" })
}

fn setvar<'a>(sw: &'a Switch, args: &'a [String]) -> BoxFuture<'a, CommandOutput> {
    Box::pin(async move {
        let (id, name, value) = match args {
            [id, name] => (id, name, String::new()),
            [id, name, rest @ ..] => (id, name, rest.join(" ")),
            _ => return CommandOutput::usage(&UUID_SETVAR),
        };
        set_all(sw, id, vec![(name.clone(), value)]).await
    })
}

fn setvar_multi<'a>(sw: &'a Switch, args: &'a [String]) -> BoxFuture<'a, CommandOutput> {
    Box::pin(async move {
        let [id, rest @ ..] = args else { return CommandOutput::usage(&UUID_SETVAR_MULTI) };
        let joined = rest.join(" ");
        let pairs: Vec<(String, String)> = joined
            .split(';')
            .filter_map(|p| p.split_once('='))
            .map(|(k, v)| (k.trim().to_owned(), v.to_owned()))
            .collect();
        if pairs.is_empty() {
            return CommandOutput::usage(&UUID_SETVAR_MULTI);
        }
        set_all(sw, id, pairs).await
    })
}

async fn set_all(sw: &Switch, id: &str, pairs: Vec<(String, String)>) -> CommandOutput {
    let Some(h) = live(sw, id) else { return CommandOutput::failure("-ERR No such channel!\n") };
    let mut sub = sw.bus().subscribe("uuid_setvar");
    let last = pairs.last().map(|(k, _)| k.clone()).unwrap_or_default();
    for (k, v) in &pairs {
        if h.set_var(k, v).is_err() {
            return CommandOutput::failure("-ERR No such channel!\n");
        }
    }
    let applied = async {
        loop {
            if let BusItem::Event(e) = sub.recv().await
                && matches!(&e.kind, EventKind::VarSet { name, .. } if *name == last)
                && e.channel.as_ref().is_some_and(|s| s.id == h.id())
            {
                return;
            }
        }
    };
    let _ = tokio::time::timeout(APPLY_TIMEOUT, applied).await;
    CommandOutput::ok("+OK\n")
}

#[cfg(test)]
mod tests {
    use crate::command::tests::test_switch;
    use crate::originate::{OriginateRequest, OriginateTarget};

    async fn run(sw: &crate::switch::Switch, line: &str) -> String {
        sw.commands().execute(sw, line).await.unwrap().text
    }

    #[tokio::test]
    async fn a_variable_set_by_uuid_setvar_is_read_back_by_uuid_getvar() {
        let sw = test_switch();
        let req = OriginateRequest::new("sim/a", OriginateTarget::Park);
        let id = sw.originate_and_wait(req).await.unwrap().channel_id.to_string();
        assert_eq!(run(&sw, &format!("uuid_getvar {id} color")).await, "_undef_");
        assert_eq!(run(&sw, &format!("uuid_setvar {id} color blue")).await, "+OK\n");
        assert_eq!(run(&sw, &format!("uuid_getvar {id} color")).await, "blue");
        assert_eq!(run(&sw, &format!("uuid_setvar_multi {id} a=1;b=2")).await, "+OK\n");
        assert_eq!(run(&sw, &format!("uuid_getvar {id} b")).await, "2");
        assert_eq!(run(&sw, &format!("eval uuid:{id} ${{color}}-${{a}}")).await, "blue-1");
        assert_eq!(run(&sw, &format!("uuid_exists {id}")).await, "true");
        assert_eq!(run(&sw, "uuid_exists 00000000-0000-4000-8000-000000000000").await, "false");
        assert_eq!(run(&sw, "uuid_getvar 00000000-0000-4000-8000-000000000000 x").await, "-ERR No such channel!\n");
    }

    #[tokio::test]
    async fn globals_version_uptime_and_uuids_answer_like_freeswitch() {
        let sw = test_switch();
        assert_eq!(run(&sw, "global_setvar x=y").await, "+OK\n");
        assert_eq!(run(&sw, "global_getvar x").await, "y");
        assert_eq!(run(&sw, "version short").await, "1.11.1\n");
        assert!(run(&sw, "version").await.starts_with("FreeSWITCH Version 1.11.1"));
        assert!(run(&sw, "uptime ms").await.ends_with('\n'));
        assert!(run(&sw, "uptime weeks").await.starts_with("-USAGE:"));
        assert_eq!(run(&sw, "create_uuid").await.len(), 36);
        assert_eq!(run(&sw, "echo hello  world").await, "hello world");
        assert_eq!(run(&sw, "show calls").await, "\n0 total.\n");
    }
}
