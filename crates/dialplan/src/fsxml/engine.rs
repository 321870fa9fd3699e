//! The XML dialplan engine: the loaded plan (swapped atomically by `reloadxml`) and FreeSWITCH's
//! two phases on a channel: hunt the context for the destination, then execute the collected
//! actions in order; when they run out the channel hangs up.

use std::path::PathBuf;
use std::sync::Arc;

use parking_lot::{Mutex, RwLock};
use switchyard_core::{Channel, HangupCause, Interrupted, Phase, Switch};

use super::env::ChannelEnv;
use super::hunt::{Planned, hunt};
use super::model::XmlDialplan;
use crate::engine::Engine;
use crate::error::DialplanError;

/// How one XML routing pass ended.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Pass {
    /// The channel is hanging up (or the actions ran out and it was hung up).
    Done,
    /// The channel was sent to a new location (transfer): route again.
    Redirected,
}

/// Shared state of the XML dialplan.
pub struct XmlEngine {
    plan: RwLock<Arc<XmlDialplan>>,
    files: Mutex<Vec<PathBuf>>,
    /// The extensions.conf engine (its store, Dial and hangup handlers are shared).
    pub asterisk: Arc<Engine>,
}

impl XmlEngine {
    /// An engine over `plan`, read from `files` (patterns).
    pub fn new(asterisk: Arc<Engine>, plan: XmlDialplan, files: Vec<PathBuf>) -> Arc<Self> {
        Arc::new(Self { plan: RwLock::new(Arc::new(plan)), files: Mutex::new(files), asterisk })
    }

    /// The switch.
    pub fn switch(&self) -> &Switch {
        &self.asterisk.switch
    }

    /// The plan in force.
    pub fn plan(&self) -> Arc<XmlDialplan> {
        self.plan.read().clone()
    }

    /// Replaces the plan at once and applies its `X-PRE-PROCESS` globals.
    pub fn swap(&self, plan: XmlDialplan) {
        for (k, v) in &plan.globals {
            self.switch().globals().set(k, v);
        }
        *self.plan.write() = Arc::new(plan);
    }

    /// Compiles every file again; swaps on success, keeps the old plan on error.
    pub fn reload(&self) -> Result<usize, DialplanError> {
        let files = self.files.lock().clone();
        let result = super::load_files(&files);
        let status = if result.is_ok() { 0 } else { 3 };
        let kind = switchyard_core::EventKind::Reload { module: "mod_dialplan_xml".to_owned(), status };
        self.switch().bus().publish(kind, None);
        let plan = result?;
        let n = plan.extension_count();
        self.swap(plan);
        Ok(n)
    }

    /// Hunts the channel's location (`exten@context`); the actions to run.
    pub(crate) async fn hunt(&self, chan: &mut Channel, context: &str) -> Option<Vec<Planned>> {
        let plan = self.plan();
        let ctx = plan.contexts.get(context)?;
        let mut env = ChannelEnv { chan };
        Some(hunt(ctx, &mut env).await)
    }

    /// One routing pass at the channel's location.
    pub(crate) async fn run_pass(&self, chan: &mut Channel) -> Pass {
        chan.set_phase(Phase::Routing);
        let loc = chan.current().location.clone();
        let actions = self.hunt(chan, &loc.context).await.unwrap_or_default();
        if actions.is_empty() {
            tracing::info!(
                "{} Processing {} in context {}: No Route, Aborting",
                chan.current().name,
                loc.exten,
                loc.context
            );
            chan.request_hangup(HangupCause::NO_ROUTE_DESTINATION, "no route");
            return Pass::Done;
        }
        chan.set_phase(Phase::Execute);
        match self.execute(chan, &actions).await {
            Ok(()) => {
                chan.request_hangup(HangupCause::NORMAL_CLEARING, "dialplan ended");
                Pass::Done
            }
            Err(Interrupted::HungUp(_)) => Pass::Done,
            Err(Interrupted::Redirected { context, exten, priority }) => {
                chan.set_location(&context, &exten, priority);
                Pass::Redirected
            }
        }
    }

    /// Runs planned actions in order (also `execute_extension`).
    pub(crate) async fn execute(&self, chan: &mut Channel, actions: &[Planned]) -> Result<(), Interrupted> {
        for a in actions {
            chan.check()?;
            let data = super::env::expand_on(chan, &a.data).await;
            tracing::debug!("{} Execute [depth=0] {}({}) [{}]", chan.current().name, a.app, data, a.source);
            match chan.execute(&a.app, &data).await {
                Ok(result) => {
                    result?;
                }
                Err(no_app) => {
                    tracing::warn!(channel = %chan.current().name, "Invalid Application {} ({no_app}) at {}", a.app, a.source);
                    return Err(chan.hangup(HangupCause::DESTINATION_OUT_OF_ORDER));
                }
            }
        }
        Ok(())
    }
}
