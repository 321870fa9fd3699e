//! Running a script on its own OS thread: a fresh Lua state with `freeswitch`, `argv`, and `session`
//! or `stream`; an instruction hook that stops the script when asked (channel long gone, shutdown);
//! errors logged as `script:line: message`.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use mlua::{HookTriggers, Lua, VmState};
use switchyard_core::Switch;
use tokio::sync::oneshot;

use crate::LuaSettings;
use crate::api::Stream;
use crate::call::CallSender;
use crate::script::ScriptCall;
use crate::session::{Link, ScriptExit, Session};

/// What scripts reach the switch through: the switch, and the runtime to wait on async commands.
#[derive(Clone)]
pub(crate) struct Ctx {
    pub(crate) switch: Switch,
    pub(crate) rt: tokio::runtime::Handle,
}

/// How a script ended.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ScriptEnd {
    /// The error message (`script:line: …`), if it failed.
    pub error: Option<String>,
    /// What it wrote to `stream`.
    pub output: String,
}

/// The script's own channel, for the `session` object.
pub(crate) struct SessionSeed {
    pub(crate) uuid: String,
    pub(crate) calls: CallSender,
}

/// Starts Lua scripts. Cheap to clone.
#[derive(Clone)]
pub struct LuaEngine {
    switch: Switch,
    settings: Arc<LuaSettings>,
}

impl LuaEngine {
    /// An engine for `switch`.
    pub fn new(switch: Switch, settings: LuaSettings) -> Self {
        Self { switch, settings: Arc::new(settings) }
    }

    /// The settings.
    pub fn settings(&self) -> &LuaSettings {
        &self.settings
    }

    /// The switch.
    pub fn switch(&self) -> &Switch {
        &self.switch
    }

    /// Runs a script without a session on its own thread; the receiver gets how it ended. Must be
    /// called within the tokio runtime.
    pub fn run(&self, call: ScriptCall) -> oneshot::Receiver<ScriptEnd> {
        self.spawn(call, None, Arc::new(AtomicBool::new(false)))
    }

    pub(crate) fn spawn(
        &self,
        call: ScriptCall,
        session: Option<SessionSeed>,
        abort: Arc<AtomicBool>,
    ) -> oneshot::Receiver<ScriptEnd> {
        let ctx = Ctx { switch: self.switch.clone(), rt: tokio::runtime::Handle::current() };
        let (tx, rx) = oneshot::channel();
        let body = move || {
            let end = run_script(&ctx, &call, session, &abort);
            let _ = tx.send(end);
        };
        if let Err(e) = std::thread::Builder::new().name("lua".into()).spawn(body) {
            tracing::error!(target: "lua", "cannot start a thread for a script: {e}");
        }
        rx
    }
}

fn run_script(ctx: &Ctx, call: &ScriptCall, session: Option<SessionSeed>, abort: &Arc<AtomicBool>) -> ScriptEnd {
    let lua = Lua::new();
    let stream = Stream::default();
    let result = prepare(&lua, ctx, call, session, &stream, abort).and_then(|chunk| {
        let outcome = chunk.call::<()>(mlua::MultiValue::from_iter(
            call.args
                .iter()
                .map(|a| lua.create_string(a).map(mlua::Value::String))
                .collect::<mlua::Result<Vec<_>>>()?,
        ));
        let finished = finish_session(&lua);
        outcome.and(finished)
    });
    let error = result.err().filter(|e| !is_exit(e)).map(|e| describe(&e));
    if let Some(msg) = &error {
        tracing::error!(target: "lua", "{msg}");
    }
    let output = stream.0.borrow().clone();
    ScriptEnd { error, output }
}

fn prepare(
    lua: &Lua,
    ctx: &Ctx,
    call: &ScriptCall,
    session: Option<SessionSeed>,
    stream: &Stream,
    abort: &Arc<AtomicBool>,
) -> mlua::Result<mlua::Function> {
    let globals = lua.globals();
    globals.set("freeswitch", crate::freeswitch::table(lua, ctx)?)?;
    let argv = lua.create_table()?;
    argv.set(0, call.name.as_str())?;
    for (i, a) in call.args.iter().enumerate() {
        argv.set(i + 1, a.as_str())?;
    }
    globals.set("argv", argv)?;
    globals.set("stream", stream.clone())?;
    if let Some(seed) = session {
        globals.set("session", Session::new(seed.uuid, Link::Local(seed.calls)))?;
    }
    let (abort, switch) = (abort.clone(), ctx.switch.clone());
    lua.set_hook(HookTriggers::new().every_nth_instruction(10_000), move |_, _| {
        if abort.load(Ordering::Relaxed) || switch.is_shutting_down() {
            return Err(mlua::Error::runtime("script aborted"));
        }
        Ok(VmState::Continue)
    })?;
    let (source, chunk_name) = call.source().map_err(mlua::Error::external)?;
    lua.load(source).set_name(chunk_name).into_function()
}

/// Runs the hangup hook if the channel went away while the script ran and the hook has not run yet.
fn finish_session(lua: &Lua) -> mlua::Result<()> {
    match lua.globals().get::<mlua::AnyUserData>("session") {
        Ok(ud) => match ud.borrow::<Session>() {
            Ok(session) => session.finish(lua),
            Err(_) => Ok(()),
        },
        Err(_) => Ok(()),
    }
}

fn is_exit(e: &mlua::Error) -> bool {
    match e {
        mlua::Error::ExternalError(inner) => inner.is::<ScriptExit>(),
        mlua::Error::CallbackError { cause, .. } => is_exit(cause),
        mlua::Error::WithContext { cause, .. } => is_exit(cause),
        _ => false,
    }
}

/// The first line of an error: `script:line: message` for syntax and runtime errors.
fn describe(e: &mlua::Error) -> String {
    match e {
        mlua::Error::CallbackError { cause, traceback } => {
            let where_ = traceback.lines().find(|l| l.contains(".lua:")).map(str::trim).unwrap_or("");
            format!("{where_} {}", describe(cause)).trim().to_owned()
        }
        other => other.to_string().lines().next().unwrap_or("").to_owned(),
    }
}
