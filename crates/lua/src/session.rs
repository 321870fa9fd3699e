//! The Lua `session` object (FreeSWITCH's CoreSession methods): each call becomes a request to the
//! channel (its own task for the script's channel, its handle for one made by `freeswitch.Session`).
//! The hangup hook runs on the script's thread as soon as a reply says the channel is gone.

use std::cell::{Cell, RefCell};

use mlua::{Function, Lua, MultiValue, UserData, UserDataMethods, Value as LuaValue};
use tokio::sync::oneshot;

use crate::call::{Call, CallSender, Collect, Op, Prompted, Reply, Value};
use crate::remote::RemoteSession;

/// How requests reach the channel.
pub(crate) enum Link {
    /// The channel running the script: its task serves the requests.
    Local(CallSender),
    /// Another channel (`freeswitch.Session(…)`): driven through its handle.
    Remote(RemoteSession),
}

/// A `session` object.
pub(crate) struct Session {
    uuid: String,
    link: Link,
    hook: RefCell<Option<(LuaValue, LuaValue)>>,
    hook_ran: Cell<bool>,
    input_callback: RefCell<Option<(LuaValue, LuaValue)>>,
}

/// The script asked to stop (`exit`/`die` from a hook): ends the script without an error log.
#[derive(Debug, thiserror::Error)]
#[error("script exit requested by its hangup hook")]
pub(crate) struct ScriptExit;

impl Session {
    pub(crate) fn new(uuid: String, link: Link) -> Self {
        Self { uuid, link, hook: RefCell::new(None), hook_ran: Cell::new(false), input_callback: RefCell::new(None) }
    }

    fn call(&self, op: Op) -> Reply {
        match &self.link {
            Link::Local(tx) => {
                let (reply, rx) = oneshot::channel();
                if tx.send(Call { op, reply }).is_err() {
                    return Reply { value: Value::Nil, hung_up: true };
                }
                rx.blocking_recv().unwrap_or(Reply { value: Value::Nil, hung_up: true })
            }
            Link::Remote(remote) => remote.call(op),
        }
    }

    /// Performs `op`, runs the hangup hook when the channel is gone, and returns the value to Lua.
    fn perform(&self, lua: &Lua, op: Op) -> mlua::Result<LuaValue> {
        let reply = self.call(op);
        if reply.hung_up {
            self.run_hangup_hook(lua)?;
        }
        to_lua(lua, reply.value)
    }

    /// Calls the hook set with `setHangupHook` once, with `(session, "hangup"[, arg])`.
    pub(crate) fn run_hangup_hook(&self, lua: &Lua) -> mlua::Result<()> {
        let Some((hook, arg)) = self.hook.borrow().clone() else { return Ok(()) };
        if self.hook_ran.replace(true) {
            return Ok(());
        }
        let func = resolve_function(lua, &hook)?;
        let session: LuaValue = lua.globals().get("session")?;
        let result: LuaValue = func.call((session, "hangup", arg))?;
        match result.as_string().map(|s| s.to_string_lossy().to_ascii_lowercase()) {
            Some(word) if word == "exit" || word == "die" => Err(mlua::Error::external(ScriptExit)),
            _ => Ok(()),
        }
    }

    /// Whether the channel is gone: asked at the end of a script so the hook still runs.
    pub(crate) fn finish(&self, lua: &Lua) -> mlua::Result<()> {
        if self.hook.borrow().is_some() && !self.hook_ran.get() && self.call(Op::Ready).hung_up {
            self.run_hangup_hook(lua)?;
        }
        Ok(())
    }

    /// `sleep` with an input callback: digits are handed to the callback; `break` ends the wait.
    fn sleep(&self, lua: &Lua, ms: u64) -> mlua::Result<LuaValue> {
        let callback = self.input_callback.borrow().clone();
        let Some((cb, arg)) = callback else { return self.perform(lua, Op::Sleep(ms)) };
        let deadline = std::time::Instant::now() + std::time::Duration::from_millis(ms);
        loop {
            let left = deadline.saturating_duration_since(std::time::Instant::now()).as_millis() as u64;
            let reply = self.call(Op::WaitDigit(left));
            if reply.hung_up {
                self.run_hangup_hook(lua)?;
                return Ok(LuaValue::Nil);
            }
            match reply.value {
                Value::Str(d) if !d.is_empty() => {
                    if deliver_digit(lua, &cb, &arg, &d)? {
                        return Ok(LuaValue::Nil);
                    }
                }
                _ => return Ok(LuaValue::Nil),
            }
        }
    }

    /// `streamFile`; with an input callback, digits pressed meanwhile are handed to it afterwards.
    fn stream_file(&self, lua: &Lua, path: String) -> mlua::Result<LuaValue> {
        self.perform(lua, Op::StreamFile(path))?;
        let callback = self.input_callback.borrow().clone();
        if let Some((cb, arg)) = callback {
            while let Value::Str(d) = self.call(Op::WaitDigit(0)).value {
                if d.is_empty() || deliver_digit(lua, &cb, &arg, &d)? {
                    break;
                }
            }
        }
        Ok(LuaValue::Nil)
    }
}

/// Calls an input callback with `(session, "dtmf", {digit=…, duration=…}, arg)`; true on `break`.
fn deliver_digit(lua: &Lua, cb: &LuaValue, arg: &LuaValue, digit: &str) -> mlua::Result<bool> {
    let func = resolve_function(lua, cb)?;
    let data = lua.create_table()?;
    data.set("digit", digit)?;
    data.set("duration", 800)?;
    let session: LuaValue = lua.globals().get("session")?;
    let result: LuaValue = func.call((session, "dtmf", data, arg.clone()))?;
    Ok(result.as_string().is_some_and(|s| s.to_string_lossy().eq_ignore_ascii_case("break")))
}

/// A function value, or the name of a global function (FreeSWITCH passes names).
fn resolve_function(lua: &Lua, v: &LuaValue) -> mlua::Result<Function> {
    match v {
        LuaValue::Function(f) => Ok(f.clone()),
        LuaValue::String(name) => lua.globals().get::<Function>(name.to_str()?.to_string()),
        other => Err(mlua::Error::runtime(format!("expected a function or its name, got {}", other.type_name()))),
    }
}

fn to_lua(lua: &Lua, v: Value) -> mlua::Result<LuaValue> {
    Ok(match v {
        Value::Nil => LuaValue::Nil,
        Value::Bool(b) => LuaValue::Boolean(b),
        Value::Str(s) => LuaValue::String(lua.create_string(&s)?),
    })
}

fn ms(v: Option<i64>) -> u64 {
    v.unwrap_or(0).max(0) as u64
}

impl UserData for Session {
    fn add_fields<F: mlua::UserDataFields<Self>>(fields: &mut F) {
        fields.add_field_method_get("uuid", |_, this| Ok(this.uuid.clone()));
    }

    fn add_methods<M: UserDataMethods<Self>>(methods: &mut M) {
        methods.add_method("get_uuid", |_, this, ()| Ok(this.uuid.clone()));
        methods.add_method("answer", |lua, this, ()| this.perform(lua, Op::Answer));
        methods.add_method("preAnswer", |lua, this, ()| this.perform(lua, Op::PreAnswer));
        methods.add_method("ready", |lua, this, ()| this.perform(lua, Op::Ready));
        methods.add_method("mediaReady", |lua, this, ()| this.perform(lua, Op::Ready));
        methods.add_method("answered", |lua, this, ()| this.perform(lua, Op::Answered));
        methods.add_method("hangup", |lua, this, cause: Option<String>| {
            this.perform(lua, Op::Hangup(cause.unwrap_or_default()))
        });
        methods.add_method("sleep", |lua, this, ms_: Option<i64>| this.sleep(lua, ms(ms_)));
        methods.add_method("streamFile", |lua, this, path: String| this.stream_file(lua, path));
        methods.add_method("getDigits", |lua, this, args: MultiValue| {
            let (max, terminators, timeout, interdigit): (Option<i64>, Option<String>, Option<i64>, Option<i64>) =
                lua.unpack_multi(args)?;
            let c = collect_args(max, terminators, timeout, interdigit);
            this.perform(lua, Op::GetDigits(c))
        });
        methods.add_method("playAndGetDigits", |lua, this, args: MultiValue| {
            let p = prompted_args(lua, args)?;
            this.perform(lua, Op::PlayAndGetDigits(Box::new(p)))
        });
        methods.add_method("read", |lua, this, args: MultiValue| {
            let (min, max, file, timeout, terminators): (i64, i64, String, Option<i64>, Option<String>) =
                lua.unpack_multi(args)?;
            let collect = collect_args(Some(max), terminators, timeout, None);
            let p = Prompted { min: min.max(0) as usize, collect, tries: 1, file, ..Prompted::default() };
            this.perform(lua, Op::PlayAndGetDigits(Box::new(p)))
        });
        methods.add_method("execute", |lua, this, (app, data): (String, Option<String>)| {
            this.perform(lua, Op::Execute(app, data.unwrap_or_default()))
        });
        methods.add_method("transfer", |lua, this, (ext, dp, ctx): (String, Option<String>, Option<String>)| {
            let dest = [Some(ext), dp, ctx].into_iter().flatten().collect::<Vec<_>>().join(" ");
            this.perform(lua, Op::Transfer(dest))
        });
        methods.add_method("setVariable", |lua, this, (name, value): (String, Option<String>)| {
            this.perform(lua, Op::SetVariable(name, value))
        });
        methods.add_method("getVariable", |lua, this, name: String| this.perform(lua, Op::GetVariable(name)));
        methods.add_method("getState", |lua, this, ()| this.perform(lua, Op::GetState));
        methods.add_method("hangupCause", |lua, this, ()| this.perform(lua, Op::HangupCause));
        methods.add_method("flushDigits", |lua, this, ()| this.perform(lua, Op::FlushDigits));
        methods.add_method("flushEvents", |_, _, ()| Ok(()));
        methods.add_method("destroy", |_, _, ()| Ok(()));
        methods.add_method("setAutoHangup", |lua, this, on: bool| this.perform(lua, Op::SetAutoHangup(on)));
        methods.add_method("setHangupHook", |_, this, (hook, arg): (LuaValue, Option<LuaValue>)| {
            *this.hook.borrow_mut() = Some((hook, arg.unwrap_or(LuaValue::Nil)));
            Ok(())
        });
        methods.add_method("setInputCallback", |_, this, (cb, arg): (LuaValue, Option<LuaValue>)| {
            *this.input_callback.borrow_mut() = Some((cb, arg.unwrap_or(LuaValue::Nil)));
            Ok(())
        });
        methods.add_method("unsetInputCallback", |_, this, ()| {
            *this.input_callback.borrow_mut() = None;
            Ok(())
        });
        methods.add_method("consoleLog", |_, _, (level, msg): (String, String)| {
            crate::freeswitch::console_log(&level, &msg);
            Ok(())
        });
    }
}

fn collect_args(max: Option<i64>, terminators: Option<String>, timeout: Option<i64>, inter: Option<i64>) -> Collect {
    Collect {
        max: max.unwrap_or(1).max(1) as usize,
        terminators: terminators.unwrap_or_default(),
        timeout: ms(timeout),
        interdigit: ms(inter),
    }
}

/// `playAndGetDigits(min, max, tries, timeout, terminators, file, invalid_file, regex[, var[, digit_timeout]])`.
fn prompted_args(lua: &Lua, args: MultiValue) -> mlua::Result<Prompted> {
    type Args = (i64, i64, i64, i64, Option<String>, Option<String>, Option<String>, Option<String>);
    let mut it = args.into_iter();
    let head: MultiValue = it.by_ref().take(8).collect();
    let (min, max, tries, timeout, terminators, file, invalid, regex): Args = lua.unpack_multi(head)?;
    let (var, digit_timeout): (Option<String>, Option<i64>) = lua.unpack_multi(it.collect())?;
    Ok(Prompted {
        min: min.max(0) as usize,
        collect: collect_args(Some(max), terminators, Some(timeout), digit_timeout),
        tries: tries.max(1) as u32,
        file: file.unwrap_or_default(),
        invalid_file: invalid.unwrap_or_default(),
        regex: regex.unwrap_or_default(),
        var: var.unwrap_or_default(),
    })
}
