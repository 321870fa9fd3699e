//! Switchyard's persistent scheduler. Tasks (`sched_hangup`, `sched_transfer`, `sched_broadcast`,
//! `sched_api`) are written to the store before the command replies, kept in one timer queue, run on
//! time, never twice, and reloaded after a restart. Tasks owned by a channel die with it.
//!
//! - `time_spec`: `[+]<time>` / `@<time>` arguments; `action`: what a task does, stored as JSON;
//! - `queue`: the sans-io timer queue (time passed in); `scheduler`: the running service (store, queue,
//!   events, execution); `commands` and `apps`: the FreeSWITCH API commands and dialplan apps.
#![forbid(unsafe_code)]

pub mod action;
pub mod apps;
pub mod commands;
pub mod queue;
pub mod scheduler;
pub mod time_spec;
mod writer;

pub use action::TaskAction;
pub use queue::{QueuedTask, TimerQueue};
pub use scheduler::{ScheduleError, Scheduler, SchedulerConfig, TaskSpec};
pub use time_spec::{TimeSpec, TimeSpecError};
