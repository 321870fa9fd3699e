//! `Gosub`, `GosubIf`, `Return`, `StackPop` and `LOCAL()`: frames that save `ARGn`/`ARGC` and
//! local variables and put them back on return.

use std::borrow::Cow;
use std::sync::{Arc, OnceLock};

use switchyard_core::app::{AppResult, BoxFuture};
use switchyard_core::{Channel, HangupCause, SharedStr};

use crate::engine::Engine;
use crate::funcs::strings::truthy;
use crate::state::{Frame, jump, pc};

/// `[[context,]exten,]priority[(args)]` into the location and the arguments.
fn split_spec(spec: &str) -> (&str, Vec<String>) {
    match spec.find('(') {
        Some(p) => {
            let inner = &spec[p + 1..];
            let inner = inner.strip_suffix(')').unwrap_or(inner);
            (&spec[..p], crate::args::split(inner, ','))
        }
        None => (spec, Vec::new()),
    }
}

/// Pushes a frame and jumps to `spec`. `ret` is where `Return` continues; None for an internal
/// Gosub whose caller resumes itself.
pub(crate) fn push(
    engine: &Engine,
    chan: &mut Channel,
    spec: &str,
    ret: Option<(SharedStr, SharedStr, u32)>,
) -> Result<(), String> {
    let (loc, args) = split_spec(spec.trim());
    let (ctx, exten, prio) = super::goto::resolve(engine, chan, loc)?;
    let cid = chan.current().caller.number.clone();
    if engine.plan().find(&ctx, &exten, &cid, crate::ir::Step::Number(prio)).is_none() {
        return Err(format!("Attempt to reach a non-existent destination for Gosub: ({ctx},{exten},{prio})"));
    }
    let prev_argc: usize = chan.var("ARGC").and_then(|v| v.parse().ok()).unwrap_or(0);
    let mut frame = Frame { ret, saved: Vec::new() };
    let count = args.len().max(prev_argc);
    for i in 1..=count {
        save(chan, &mut frame, &arg_name(i));
    }
    save(chan, &mut frame, "ARGC");
    pc(chan).frames.push(frame);
    for i in 1..=count {
        match args.get(i - 1) {
            Some(v) => set_frame_var(chan, &arg_name(i), v),
            None => chan.unset_var(&arg_name(i)),
        }
    }
    set_frame_var(chan, "ARGC", &args.len().to_string());
    jump(chan, &ctx, &exten, prio);
    Ok(())
}

/// Sets a frame variable; its `VarSet` names it `LOCAL(name)`, as Asterisk's Gosub does (the oracle
/// transcript shows `Variable: LOCAL(ARG1)`).
fn set_frame_var(chan: &mut Channel, name: &str, value: &str) {
    let (_, value) = chan.current_mut().variables.set_shared(name, value);
    chan.publish(switchyard_core::EventKind::VarSet { name: local_name(name), value });
}

/// Names of the first arguments, made once (a Gosub saves and sets them at every call).
const ARG_NAMES: [&str; 9] = ["ARG1", "ARG2", "ARG3", "ARG4", "ARG5", "ARG6", "ARG7", "ARG8", "ARG9"];

/// `ARG{i}`.
fn arg_name(i: usize) -> Cow<'static, str> {
    match ARG_NAMES.get(i.wrapping_sub(1)) {
        Some(name) => Cow::Borrowed(name),
        None => Cow::Owned(format!("ARG{i}")),
    }
}

/// `LOCAL(name)`, shared for `ARGC` and the first arguments.
fn local_name(name: &str) -> SharedStr {
    static USUAL: OnceLock<Vec<(&'static str, SharedStr)>> = OnceLock::new();
    let usual = USUAL.get_or_init(|| {
        ARG_NAMES.iter().chain(&["ARGC"]).map(|n| (*n, SharedStr::from(format!("LOCAL({n})").as_str()))).collect()
    });
    match usual.iter().find(|(n, _)| *n == name) {
        Some((_, local)) => local.clone(),
        None => SharedStr::from(format!("LOCAL({name})").as_str()),
    }
}

fn save(chan: &Channel, frame: &mut Frame, name: &str) {
    if !frame.saved.iter().any(|(n, _)| n == name) {
        frame.saved.push((SharedStr::from(name), chan.var(name).map(SharedStr::from)));
    }
}

/// Pops the innermost frame, restoring what it saved.
pub(crate) fn pop(chan: &mut Channel) -> Option<Frame> {
    let frame = pc(chan).frames.pop()?;
    for (name, old) in frame.saved.iter().rev() {
        match old {
            Some(v) => chan.set_var(name, v),
            None => chan.unset_var(name),
        }
    }
    Some(frame)
}

/// `LOCAL(name)=value`: saved in the innermost frame, then set.
pub(crate) fn set_local(chan: &mut Channel, name: &str, value: &str) {
    let old = chan.var(name).map(SharedStr::from);
    if let Some(frame) = pc(chan).frames.last_mut()
        && !frame.saved.iter().any(|(n, _)| n == name)
    {
        frame.saved.push((SharedStr::from(name), old));
    }
    crate::vars::set(chan, name, value);
}

fn gosub_to(e: &Engine, chan: &mut Channel, spec: &str) -> AppResult {
    let here = &chan.current().location;
    let ret = Some((here.context.clone(), here.exten.clone(), here.priority + 1));
    match push(e, chan, spec, ret) {
        Ok(()) => Ok(String::new()),
        Err(why) => {
            tracing::warn!(channel = %chan.current().name, "{why}");
            Err(chan.hangup(HangupCause::NORMAL_CLEARING))
        }
    }
}

pub(crate) fn gosub<'a>(e: &'a Arc<Engine>, chan: &'a mut Channel, args: &'a str) -> BoxFuture<'a, AppResult> {
    Box::pin(async move { gosub_to(e, chan, args) })
}

pub(crate) fn gosub_if<'a>(e: &'a Arc<Engine>, chan: &'a mut Channel, args: &'a str) -> BoxFuture<'a, AppResult> {
    Box::pin(async move {
        let Some((cond, rest)) = args.split_once('?') else { return Ok(String::new()) };
        let parts = crate::args::split_raw(rest, ':');
        let chosen = if truthy(cond) { parts.first() } else { parts.get(1) };
        match chosen.map(|s| s.trim()).filter(|s| !s.is_empty()) {
            Some(spec) => gosub_to(e, chan, spec),
            None => Ok(String::new()),
        }
    })
}

pub(crate) fn return_app<'a>(_e: &'a Arc<Engine>, chan: &'a mut Channel, args: &'a str) -> BoxFuture<'a, AppResult> {
    Box::pin(async move {
        let Some(frame) = pop(chan) else {
            tracing::warn!(channel = %chan.current().name, "Return without Gosub: stack is empty");
            return Err(chan.hangup(HangupCause::NORMAL_CLEARING));
        };
        chan.set_var("GOSUB_RETVAL", args);
        match frame.ret {
            Some((c, e, p)) => jump(chan, &c, &e, p),
            None => pc(chan).jumped = true,
        }
        Ok(String::new())
    })
}

pub(crate) fn stack_pop<'a>(_e: &'a Arc<Engine>, chan: &'a mut Channel, _args: &'a str) -> BoxFuture<'a, AppResult> {
    Box::pin(async move {
        if pop(chan).is_none() {
            tracing::warn!(channel = %chan.current().name, "StackPop: stack is empty");
        }
        Ok(String::new())
    })
}
