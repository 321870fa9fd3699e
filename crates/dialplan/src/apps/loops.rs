//! `While`/`EndWhile`/`ExitWhile`/`ContinueWhile`: loops found by scanning the current extension's
//! priorities for the matching partner, nesting counted.

use std::sync::Arc;

use switchyard_core::Channel;
use switchyard_core::app::{AppResult, BoxFuture};

use crate::engine::Engine;
use crate::funcs::strings::truthy;
use crate::ir::Step;
use crate::state::jump;

/// The apps of the current extension in priority order, and the current priority.
fn extension_apps(engine: &Engine, chan: &Channel) -> (Vec<(u32, String)>, u32) {
    let loc = &chan.current().location;
    let plan = engine.plan();
    let found = plan.find(&loc.context, &loc.exten, &chan.current().caller.number, Step::Number(loc.priority));
    let apps = found
        .map(|(ext, _)| ext.priorities.values().map(|p| (p.number, p.app.to_ascii_lowercase())).collect())
        .unwrap_or_default();
    (apps, loc.priority)
}

/// The priority of the `EndWhile` matching the `While` at `from`.
fn matching_end(apps: &[(u32, String)], from: u32) -> Option<u32> {
    let mut depth = 0;
    for (n, app) in apps.iter().filter(|(n, _)| *n > from) {
        match app.as_str() {
            "while" => depth += 1,
            "endwhile" if depth == 0 => return Some(*n),
            "endwhile" => depth -= 1,
            _ => {}
        }
    }
    None
}

/// The priority of the `While` enclosing `from`.
fn enclosing_while(apps: &[(u32, String)], from: u32) -> Option<u32> {
    let mut depth = 0;
    for (n, app) in apps.iter().rev().filter(|(n, _)| *n < from) {
        match app.as_str() {
            "endwhile" => depth += 1,
            "while" if depth == 0 => return Some(*n),
            "while" => depth -= 1,
            _ => {}
        }
    }
    None
}

fn to(chan: &mut Channel, priority: u32) -> AppResult {
    let loc = chan.current().location.clone();
    jump(chan, &loc.context, &loc.exten, priority);
    Ok(String::new())
}

fn leave(e: &Engine, chan: &mut Channel, while_at: u32) -> AppResult {
    let (apps, _) = extension_apps(e, chan);
    let end = matching_end(&apps, while_at);
    let past = end.map_or_else(|| apps.last().map_or(while_at + 1, |(n, _)| n + 1), |n| n + 1);
    to(chan, past)
}

pub(crate) fn while_app<'a>(e: &'a Arc<Engine>, chan: &'a mut Channel, args: &'a str) -> BoxFuture<'a, AppResult> {
    Box::pin(async move {
        if truthy(args) {
            return Ok(String::new());
        }
        let here = chan.current().location.priority;
        leave(e, chan, here)
    })
}

pub(crate) fn end_while<'a>(e: &'a Arc<Engine>, chan: &'a mut Channel, _args: &'a str) -> BoxFuture<'a, AppResult> {
    Box::pin(async move {
        let (apps, here) = extension_apps(e, chan);
        match enclosing_while(&apps, here) {
            Some(w) => to(chan, w),
            None => Ok(String::new()),
        }
    })
}

pub(crate) fn exit_while<'a>(e: &'a Arc<Engine>, chan: &'a mut Channel, _args: &'a str) -> BoxFuture<'a, AppResult> {
    Box::pin(async move {
        let (apps, here) = extension_apps(e, chan);
        match enclosing_while(&apps, here) {
            Some(w) => leave(e, chan, w),
            None => Ok(String::new()),
        }
    })
}

pub(crate) fn continue_while<'a>(
    e: &'a Arc<Engine>,
    chan: &'a mut Channel,
    _args: &'a str,
) -> BoxFuture<'a, AppResult> {
    Box::pin(async move {
        let (apps, here) = extension_apps(e, chan);
        match enclosing_while(&apps, here) {
            Some(w) => to(chan, w),
            None => Ok(String::new()),
        }
    })
}
