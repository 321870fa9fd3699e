//! The `lua <script> [args]` application: the script runs on its own thread while the channel's task
//! serves its `session` requests; when the script ends the channel hangs up (FreeSWITCH's auto
//! hangup) unless it was transferred, hung up already, or `session:setAutoHangup(false)` was called.

use std::sync::Arc;
use std::sync::atomic::AtomicBool;

use switchyard_core::Channel;
use switchyard_core::app::{AppResult, Application, BoxFuture};
use tokio::sync::mpsc;

use crate::runner::{LuaEngine, SessionSeed};
use crate::script::ScriptCall;
use crate::serve::{SessionState, serve};

/// The `lua` application.
pub(crate) struct LuaApp(pub(crate) LuaEngine);

impl Application for LuaApp {
    fn names(&self) -> &'static [&'static str] {
        &["lua"]
    }

    fn execute<'a>(&'a self, chan: &'a mut Channel, args: &'a str) -> BoxFuture<'a, AppResult> {
        Box::pin(run(&self.0, chan, args))
    }
}

async fn run(engine: &LuaEngine, chan: &mut Channel, args: &str) -> AppResult {
    let mut state = SessionState::default();
    match ScriptCall::parse(args, &engine.settings().scripts_dir) {
        Ok(call) => {
            let (calls, requests) = mpsc::unbounded_channel();
            let abort = Arc::new(AtomicBool::new(false));
            let seed = SessionSeed { uuid: chan.id().to_string(), calls };
            let done = engine.spawn(call, Some(seed), abort.clone());
            serve(chan, requests, &mut state, &abort, engine.settings().hangup_grace).await;
            let _ = done.await;
        }
        Err(e) => tracing::error!(target: "lua", channel = %chan.current().name, "{e}"),
    }
    state.outcome(chan)
}
