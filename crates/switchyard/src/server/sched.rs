//! Starting the persistent scheduler and registering its commands and applications.

use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use switchyard_core::Switch;
use switchyard_sched::{Scheduler, SchedulerConfig};
use switchyard_store::Store;

use crate::config::Config;

/// Reloads stored tasks and starts the scheduler.
pub async fn start(cfg: &Config, switch: &Switch, store: Arc<dyn Store>) -> anyhow::Result<Scheduler> {
    let config = SchedulerConfig {
        overdue_grace: Duration::from_secs(cfg.scheduler.overdue_grace_s),
        host: switch.info().hostname.clone(),
    };
    let sched = Scheduler::start(switch.clone(), store, config).await.context("starting the scheduler")?;
    switchyard_sched::commands::register(&sched);
    switchyard_sched::apps::register(&sched);
    Ok(sched)
}
