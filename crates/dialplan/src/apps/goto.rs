//! `Goto`, `GotoIf` and `GotoIfTime`, and resolving `[[context,]exten,]priority|label` targets.

use std::sync::Arc;

use switchyard_core::app::{AppResult, BoxFuture};
use switchyard_core::{Channel, HangupCause, SharedStr};

use crate::engine::Engine;
use crate::funcs::strings::truthy;
use crate::ir::Step;
use crate::state::jump;

/// A resolved target (shared strings: a short context or extension is copied, not allocated).
pub(crate) type Target = (SharedStr, SharedStr, u32);

/// Resolves `[[context,]exten,]priority` from the channel's location; labels and `+n`/`-n` too.
pub(crate) fn resolve(engine: &Engine, chan: &Channel, spec: &str) -> Result<Target, String> {
    let here = &chan.current().location;
    let mut parts = spec.split(',').map(str::trim);
    let (ctx, exten, prio) = match [parts.next(), parts.next(), parts.next(), parts.next()] {
        [Some(p), None, ..] => (here.context.as_str(), here.exten.as_str(), p),
        [Some(e), Some(p), None, _] => (here.context.as_str(), e, p),
        [Some(c), Some(e), Some(p), None] => (c, e, p),
        _ => return Err(format!("'{spec}' is not [[context,]exten,]priority")),
    };
    let (ctx, exten) =
        (if ctx.is_empty() { &here.context } else { ctx }, if exten.is_empty() { &here.exten } else { exten });
    let number = match prio.parse::<u32>() {
        Ok(n) if !prio.starts_with('+') => n,
        _ => match (prio.strip_prefix('+'), prio.strip_prefix('-')) {
            (Some(n), _) => here.priority + n.parse::<u32>().map_err(|_| format!("bad priority '{prio}'"))?,
            (_, Some(n)) => here.priority.saturating_sub(n.parse().map_err(|_| format!("bad priority '{prio}'"))?),
            _ => {
                let cid = &chan.current().caller.number;
                let plan = engine.plan();
                let found = plan.find(ctx, exten, cid, Step::Label(prio));
                found
                    .map(|(_, p)| p.number)
                    .ok_or_else(|| format!("Priority '{prio}' must be a number > 0, or valid label ({ctx},{exten})"))?
            }
        },
    };
    if number == 0 {
        return Err(format!("Priority '{prio}' must be a number > 0, or valid label"));
    }
    Ok((SharedStr::from(ctx), SharedStr::from(exten), number))
}

/// Jumps to `spec`, or hangs up when it cannot be resolved (as Asterisk's app failure does).
pub(crate) fn go(engine: &Engine, chan: &mut Channel, spec: &str) -> AppResult {
    match resolve(engine, chan, spec) {
        Ok((c, e, p)) => {
            jump(chan, &c, &e, p);
            Ok(String::new())
        }
        Err(why) => {
            tracing::warn!(channel = %chan.current().name, "Goto ({spec}) failed: {why}");
            Err(chan.hangup(HangupCause::NORMAL_CLEARING))
        }
    }
}

pub(crate) fn goto<'a>(e: &'a Arc<Engine>, chan: &'a mut Channel, args: &'a str) -> BoxFuture<'a, AppResult> {
    Box::pin(async move { go(e, chan, args) })
}

/// `cond?[true][:false]` into the branch to take (None: continue).
pub(crate) fn branch(args: &str, cond_true: impl FnOnce(&str) -> bool) -> Option<String> {
    let (cond, rest) = args.split_once('?')?;
    let (yes, no) = rest.split_once(':').unwrap_or((rest, ""));
    let chosen = if cond_true(cond) { yes } else { no };
    (!chosen.trim().is_empty()).then(|| chosen.trim().to_owned())
}

pub(crate) fn goto_if<'a>(e: &'a Arc<Engine>, chan: &'a mut Channel, args: &'a str) -> BoxFuture<'a, AppResult> {
    Box::pin(async move {
        match branch(args, truthy) {
            Some(spec) => go(e, chan, &spec),
            None => Ok(String::new()),
        }
    })
}

pub(crate) fn goto_if_time<'a>(e: &'a Arc<Engine>, chan: &'a mut Channel, args: &'a str) -> BoxFuture<'a, AppResult> {
    Box::pin(async move {
        let now = chan.switch().now().0 / 1_000_000;
        match branch(args, |spec| crate::timespec::matches(spec, now)) {
            Some(spec) => go(e, chan, &spec),
            None => Ok(String::new()),
        }
    })
}

/// `RaiseException(reason)`: to `e` in the current context, or hang up when there is none.
pub(crate) fn raise_exception<'a>(
    e: &'a Arc<Engine>,
    chan: &'a mut Channel,
    args: &'a str,
) -> BoxFuture<'a, AppResult> {
    Box::pin(async move {
        let ctx = chan.current().location.context.clone();
        if crate::exception::raise(e, chan, &ctx, args.trim()) {
            Ok(String::new())
        } else {
            Err(chan.hangup(HangupCause::NORMAL_CLEARING))
        }
    })
}
