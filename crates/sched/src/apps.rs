//! The FreeSWITCH scheduler dialplan applications: `sched_hangup`, `sched_transfer`,
//! `sched_broadcast` and `sched_cancel`, acting on the channel that runs them.

use std::sync::Arc;

use switchyard_core::app::{AppResult, Application, BoxFuture};
use switchyard_core::{Channel, HangupCause};

use crate::action::TaskAction;
use crate::scheduler::{Scheduler, TaskSpec};
use crate::time_spec::TimeSpec;

/// Registers the applications on the switch.
pub fn register(sched: &Scheduler) {
    let apps = sched.switch().apps();
    for kind in [AppKind::Hangup, AppKind::Transfer, AppKind::Broadcast, AppKind::Cancel] {
        apps.register(Arc::new(SchedApp { kind, sched: sched.clone() }));
    }
}

#[derive(Clone, Copy)]
enum AppKind {
    Hangup,
    Transfer,
    Broadcast,
    Cancel,
}

struct SchedApp {
    kind: AppKind,
    sched: Scheduler,
}

impl Application for SchedApp {
    fn names(&self) -> &'static [&'static str] {
        match self.kind {
            AppKind::Hangup => &["sched_hangup"],
            AppKind::Transfer => &["sched_transfer"],
            AppKind::Broadcast => &["sched_broadcast"],
            AppKind::Cancel => &["sched_cancel"],
        }
    }

    fn execute<'a>(&'a self, chan: &'a mut Channel, args: &'a str) -> BoxFuture<'a, AppResult> {
        Box::pin(async move {
            let words: Vec<&str> = args.split_whitespace().collect();
            let uuid = chan.id().to_string();
            let result = match self.kind {
                AppKind::Cancel => self.cancel(&uuid, &words).await,
                _ => self.schedule(chan, &uuid, &words).await,
            };
            if let Err(e) = &result {
                tracing::warn!(channel = %chan.current().name, "{}: {e}", self.names()[0]);
            }
            Ok(result.unwrap_or_default())
        })
    }
}

impl SchedApp {
    async fn schedule(&self, chan: &mut Channel, uuid: &str, words: &[&str]) -> Result<String, String> {
        let (time, rest) = words.split_first().ok_or("a time is required")?;
        let at = match TimeSpec::parse(time).map_err(|e| e.to_string())? {
            TimeSpec::At(secs) => TimeSpec::Absolute(secs).runtime_ms(self.sched.now_ms()),
            t => t.runtime_ms(self.sched.now_ms()),
        };
        let action = self.action(uuid, rest)?;
        let spec = TaskSpec { runtime_ms: at, group: uuid.to_owned(), repeat_s: None, action };
        let id = self.sched.add(spec).await.map_err(|e| e.to_string())?;
        if !matches!(self.kind, AppKind::Hangup) {
            chan.set_var("last_sched_id", &id.to_string());
        }
        Ok(id.to_string())
    }

    fn action(&self, uuid: &str, rest: &[&str]) -> Result<TaskAction, String> {
        let uuid = uuid.to_owned();
        Ok(match self.kind {
            AppKind::Hangup => {
                let cause = rest.first().map_or(Ok(HangupCause::ALLOTTED_TIMEOUT), |c| HangupCause::parse(c));
                TaskAction::Hangup { uuid, cause: cause.map_err(|e| e.to_string())?.fs_name().to_owned() }
            }
            AppKind::Transfer => {
                let exten = rest.first().ok_or("an extension is required")?.to_string();
                let context = rest.get(2).unwrap_or(&"default").to_string();
                TaskAction::Transfer { uuid, exten, dialplan: rest.get(1).unwrap_or(&"XML").to_string(), context }
            }
            _ => {
                let path = rest.first().ok_or("a path is required")?.to_string();
                TaskAction::Broadcast { uuid, path, leg: rest.get(1).unwrap_or(&"aleg").to_string() }
            }
        })
    }

    async fn cancel(&self, uuid: &str, words: &[&str]) -> Result<String, String> {
        let target = words.first().copied().unwrap_or(uuid);
        let count = match target.parse::<u64>() {
            Ok(id) => usize::from(self.sched.delete(id).await.map_err(|e| e.to_string())?),
            Err(_) => self.sched.delete_group(target, None).await.map_err(|e| e.to_string())?,
        };
        Ok(count.to_string())
    }
}
