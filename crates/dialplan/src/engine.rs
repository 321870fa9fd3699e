//! The engine shared by every channel: the current dialplan (swapped atomically on reload), the
//! store, the hangup-handler stacks and pending Dial plans; and the core's `DialplanEngine` hook.

use std::cell::RefCell;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use parking_lot::{Mutex, RwLock};
use switchyard_core::app::BoxFuture;
use switchyard_core::dialplan::DialplanEngine;
use switchyard_core::{Channel, Switch};
use switchyard_store::Store;

use crate::apps::dial::DialRegistry;
use crate::error::DialplanError;
use crate::handlers::HandlerRegistry;
use crate::ir::Dialplan;

/// Shared state of the Asterisk dialplan engine.
pub struct Engine {
    /// The dialplan in force and its id (unique in the process, see `next_plan_id`).
    plan: RwLock<(u64, Arc<Dialplan>)>,
    /// The id of the dialplan in force, read without the lock.
    plan_id: AtomicU64,
    files: Mutex<Vec<PathBuf>>,
    pub(crate) store: Arc<dyn Store>,
    pub(crate) handlers: HandlerRegistry,
    pub(crate) dials: DialRegistry,
    pub(crate) switch: Switch,
}

impl Engine {
    /// An engine over `plan`, read from `files`.
    pub fn new(switch: Switch, store: Arc<dyn Store>, plan: Dialplan, files: Vec<PathBuf>) -> Arc<Self> {
        let id = next_plan_id();
        Arc::new(Self {
            plan: RwLock::new((id, Arc::new(plan))),
            plan_id: AtomicU64::new(id),
            files: Mutex::new(files),
            store,
            handlers: HandlerRegistry::default(),
            dials: DialRegistry::default(),
            switch,
        })
    }

    /// The dialplan in force. Each thread keeps the last one it read, with its id, and reads the
    /// shared one again only when the id in force changed: a dialplan step takes no lock.
    pub fn plan(&self) -> Arc<Dialplan> {
        thread_local! {
            static LAST: RefCell<Option<(u64, Arc<Dialplan>)>> = const { RefCell::new(None) };
        }
        let id = self.plan_id.load(Ordering::Acquire);
        LAST.with(|last| {
            let mut last = last.borrow_mut();
            match &*last {
                Some((kept, plan)) if *kept == id => plan.clone(),
                _ => {
                    let (id, plan) = self.plan.read().clone();
                    *last = Some((id, plan.clone()));
                    plan
                }
            }
        })
    }

    /// Replaces the dialplan at once and applies its globals; channels pick it up at their next step.
    pub fn swap(&self, plan: Dialplan) {
        for (k, v) in &plan.globals {
            self.switch.globals().set(k, v);
        }
        let id = next_plan_id();
        *self.plan.write() = (id, Arc::new(plan));
        self.plan_id.store(id, Ordering::Release);
        self.switch.mark_reloaded();
    }

    /// Compiles the files again; on success swaps, on error keeps the old dialplan.
    pub fn reload(&self) -> Result<usize, DialplanError> {
        let files = self.files.lock().clone();
        let result = crate::astconf::load_files(&files);
        let status = if result.is_ok() { 0 } else { 3 };
        let kind = switchyard_core::EventKind::Reload { module: "pbx_config.so".to_owned(), status };
        self.switch.bus().publish(kind, None);
        let plan = result?;
        let n = plan.contexts.len();
        self.swap(plan);
        Ok(n)
    }
}

/// A new dialplan id, never used before in this process by any engine (so that what a thread kept
/// from one engine is never taken for another's).
fn next_plan_id() -> u64 {
    static NEXT: AtomicU64 = AtomicU64::new(1);
    NEXT.fetch_add(1, Ordering::Relaxed)
}

/// The hook the core calls; wraps the shared engine.
pub struct EngineHook(pub Arc<Engine>);

impl DialplanEngine for EngineHook {
    fn run<'a>(&'a self, chan: &'a mut Channel) -> BoxFuture<'a, ()> {
        Box::pin(crate::interp::run(&self.0, chan))
    }

    fn run_hangup<'a>(&'a self, chan: &'a mut Channel) -> BoxFuture<'a, ()> {
        Box::pin(crate::interp::run_hangup(&self.0, chan))
    }

    fn extension_exists(&self, context: &str, exten: &str) -> Option<bool> {
        Some(self.0.plan().exists(context, exten, ""))
    }
}
