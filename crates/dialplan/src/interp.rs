//! The interpreter loop: find the priority at the channel's location, substitute its arguments,
//! run the application, advance or follow a jump; the `h` extension and hangup handlers at hangup.

use std::sync::Arc;

use switchyard_core::app::Application;
use switchyard_core::{Channel, HangupCause, Interrupted, SharedStr};

use crate::engine::Engine;
use crate::ir::{Priority, Step};
use crate::state::{jump, pc};
use crate::subst::fill_into;

/// How a run of the loop ended.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum End {
    /// The internal Gosub being run returned.
    Returned,
    /// The channel is hanging up (or an app failed).
    HungUp,
    /// There was no priority to run.
    Fell,
    /// A redirect sent the channel into another dialplan (XML): the dialplan router takes over.
    Handoff,
}

/// Runs the dialplan from the channel's location until it leaves it.
pub(crate) async fn run(engine: &Arc<Engine>, chan: &mut Channel) {
    pc(chan).ran = true;
    if run_loop(engine, chan, None).await == End::Fell && chan.hangup_cause().is_none() {
        let loc = &chan.current().location;
        tracing::debug!(
            "Auto fallthrough, channel '{}' ({},{},{})",
            chan.current().name,
            loc.context,
            loc.exten,
            loc.priority
        );
        chan.request_hangup(HangupCause::NORMAL_CLEARING, "dialplan ended");
    }
}

/// At hangup: the `h` extension of the current context (if the channel ran the dialplan), then the
/// hangup handlers, newest first, including any pushed while they run.
pub(crate) async fn run_hangup(engine: &Arc<Engine>, chan: &mut Channel) {
    pc(chan).in_hangup = true;
    engine.dials.forget(chan.id());
    let ran = pc(chan).ran;
    let ctx = chan.current().location.context.clone();
    if ran && engine.plan().exists(&ctx, "h", &chan.current().caller.number) {
        jump(chan, &ctx, "h", 1);
        run_loop(engine, chan, None).await;
    }
    while let Some(handler) = engine.handlers.take_next(chan) {
        chan.publish(switchyard_core::EventKind::HangupHandlerRun { handler: handler.clone() });
        tracing::debug!("{} Internal Gosub({handler}) start", chan.current().name);
        run_sub(engine, chan, &handler).await;
        tracing::debug!("{} Internal Gosub({handler}) complete", chan.current().name);
    }
    engine.handlers.forget(chan.id());
}

/// Runs `spec` (`[[context,]exten,]priority[(args)]`) as a Gosub that returns here, then puts the
/// location back. Returns how it ended.
pub(crate) async fn run_sub(engine: &Arc<Engine>, chan: &mut Channel, spec: &str) -> End {
    let saved = chan.current().location.clone();
    let depth = pc(chan).frames.len();
    if let Err(e) = crate::apps::gosub::push(engine, chan, spec, None) {
        tracing::warn!(channel = %chan.current().name, "Gosub({spec}): {e}");
        return End::Fell;
    }
    let end = Box::pin(run_loop(engine, chan, Some(depth + 1))).await;
    while pc(chan).frames.len() > depth {
        crate::apps::gosub::pop(chan);
    }
    chan.set_location(&saved.context, &saved.exten, saved.priority);
    end
}

/// Runs priorities until the channel leaves the dialplan, or, with `stop_depth`, until the Gosub
/// stack is shallower than it.
pub(crate) async fn run_loop(engine: &Arc<Engine>, chan: &mut Channel, stop_depth: Option<usize>) -> End {
    // The buffer each step substitutes its arguments into (kept for its allocation).
    let mut text = String::new();
    loop {
        let (depth, in_hangup) = {
            let state = pc(chan);
            (state.frames.len(), state.in_hangup)
        };
        if stop_depth.is_some_and(|d| depth < d) {
            return End::Returned;
        }
        if !in_hangup {
            match chan.check() {
                Ok(()) => {}
                Err(Interrupted::HungUp(_)) => return End::HungUp,
                Err(Interrupted::Redirected { context, exten, priority }) => {
                    if let Some(end) = follow_redirect(engine, chan, &context, &exten, priority) {
                        return end;
                    }
                    continue;
                }
            }
        }
        if let Some(end) = step(engine, chan, &mut text).await {
            return end;
        }
    }
}

/// Runs one priority, substituting its arguments into `text`; `Some` when the loop must stop.
async fn step(engine: &Arc<Engine>, chan: &mut Channel, text: &mut String) -> Option<End> {
    let plan = engine.plan();
    let snap = chan.current();
    let (loc, cid) = (&snap.location, &snap.caller.number);
    let number = loc.priority;
    let Some((_, prio)) = plan.find(&loc.context, &loc.exten, cid, Step::Number(number)) else {
        let (ctx, exten) = (loc.context.clone(), loc.exten.clone());
        return missing(engine, chan, &ctx, &exten, number);
    };
    text.clear();
    fill_into(engine, chan, &prio.template, text).await;
    let args = SharedStr::from(text.as_str());
    pc(chan).jumped = false;
    let loc = &chan.current().location;
    tracing::debug!(
        "Executing [{}@{}:{number}] {}(\"{}\", \"{args}\") in new stack",
        loc.exten,
        loc.context,
        prio.app,
        chan.current().name,
    );
    let Some((name, app)) = application(chan, prio) else {
        let (file, line) = (&prio.source.file, prio.source.line);
        tracing::warn!(channel = %chan.current().name, "no application '{}' ({file}:{line})", prio.app);
        chan.request_hangup(HangupCause::NORMAL_CLEARING, "no such application");
        return Some(End::HungUp);
    };
    match chan.execute_app(app.get(), name, args).await {
        Ok(_) => {}
        Err(Interrupted::HungUp(_)) => return Some(End::HungUp),
        Err(Interrupted::Redirected { context, exten, priority }) => {
            return follow_redirect(engine, chan, &context, &exten, priority);
        }
    }
    if !pc(chan).jumped {
        chan.current_mut().location.priority = number + 1;
    }
    None
}

/// An application kept by the priority, or just looked up.
enum Held<'p> {
    Kept(&'p dyn Application),
    Found(Arc<dyn Application>),
}

impl Held<'_> {
    fn get(&self) -> &dyn Application {
        match self {
            Self::Kept(app) => *app,
            Self::Found(app) => &**app,
        }
    }
}

/// The priority's application and its name: as resolved at an earlier run unless applications were
/// registered since, else looked up (and kept). None when there is no such application.
fn application<'p>(chan: &Channel, prio: &'p Priority) -> Option<(SharedStr, Held<'p>)> {
    let generation = chan.switch().apps().generation();
    if let Some((name, app)) = prio.resolved.get(generation) {
        return Some((name.clone(), Held::Kept(app)));
    }
    let found = chan.switch().apps().get(&prio.app)?;
    let name = SharedStr::from(prio.app.as_str());
    prio.resolved.set(generation, name.clone(), found.clone());
    Some((name, Held::Found(found)))
}

/// Moves the channel where a redirect sends it. The redirect to `T` that `TIMEOUT(absolute)` scheduled
/// is the absolute timeout expiring: as Asterisk, `T` in the context the channel is in now, else `e`
/// (`EXCEPTION(reason)` = `ABSOLUTETIMEOUT`), else hangup (ALLOTTED_TIMEOUT).
fn follow_redirect(engine: &Arc<Engine>, chan: &mut Channel, context: &str, exten: &str, priority: u32) -> Option<End> {
    if crate::fsxml::route::leaves_asterisk(chan) {
        chan.set_location(context, exten, priority);
        return Some(End::Handoff);
    }
    let timed_out = exten == "T" && priority == 1 && pc(chan).absolute_timeout_task.take().is_some();
    if timed_out {
        pc(chan).absolute_deadline_us = None;
    }
    if !timed_out {
        chan.set_location(context, exten, priority);
        return None;
    }
    let here = chan.current().location.context.clone();
    if engine.plan().exists(&here, "T", &chan.current().caller.number) {
        jump(chan, &here, "T", 1);
        return None;
    }
    if crate::exception::raise(engine, chan, &here, "ABSOLUTETIMEOUT") {
        return None;
    }
    chan.request_hangup(HangupCause::ALLOTTED_TIMEOUT, "absolute timeout");
    Some(End::HungUp)
}

/// No priority at the location: an unknown extension goes to `i` (or hangs up); the end of an
/// extension ends the run.
fn missing(engine: &Arc<Engine>, chan: &mut Channel, ctx: &str, exten: &str, priority: u32) -> Option<End> {
    let plan = engine.plan();
    let cid = chan.current().caller.number.clone();
    let in_hangup = pc(chan).in_hangup;
    if priority == 1 && !plan.exists(ctx, exten, &cid) && !in_hangup && exten != "i" {
        if plan.exists(ctx, "i", &cid) {
            chan.set_var("INVALID_EXTEN", exten);
            jump(chan, ctx, "i", 1);
            return None;
        }
        if crate::exception::raise(engine, chan, ctx, "INVALID") {
            return None;
        }
        tracing::warn!(
            "Channel '{}' sent to invalid extension but no invalid handler: context,exten,priority={ctx},{exten},{priority}",
            chan.current().name
        );
        chan.request_hangup(HangupCause::NO_ROUTE_DESTINATION, "invalid extension");
        return Some(End::HungUp);
    }
    Some(End::Fell)
}
