//! The `freeswitch` table: `API`, `Session`, `Event`, `consoleLog`, `msleep`, `getGlobalVariable`,
//! `setGlobalVariable`.

use std::time::Duration;

use mlua::{Lua, Table};
use switchyard_core::bus::BusItem;
use switchyard_core::{ChannelId, EventKind, OriginateRequest, OriginateTarget, Phase, Subscription};

use crate::api::Api;
use crate::event::LuaEvent;
use crate::remote::RemoteSession;
use crate::runner::Ctx;
use crate::session::{Link, Session};

/// Logs a script message at FreeSWITCH level `level` (`err`, `warning`, `notice`, `info`, `debug`, …).
pub(crate) fn console_log(level: &str, msg: &str) {
    let msg = msg.trim_end();
    match level.to_ascii_lowercase().as_str() {
        "emerg" | "alert" | "crit" | "err" | "error" => tracing::error!(target: "lua", "{msg}"),
        "warning" | "warn" => tracing::warn!(target: "lua", "{msg}"),
        "notice" | "info" | "console" => tracing::info!(target: "lua", "{msg}"),
        _ => tracing::debug!(target: "lua", "{msg}"),
    }
}

/// Waits (at most 5 s) for channel `id` to be parked or gone, from its events.
async fn until_parked(events: &mut Subscription, id: ChannelId) {
    let parked = async {
        loop {
            let BusItem::Event(e) = events.recv().await else { continue };
            let Some(snap) = e.channel.as_ref().filter(|s| s.id == id) else { continue };
            if snap.state.phase() == Phase::Park || matches!(e.kind, EventKind::ChannelDestroy) {
                return;
            }
        }
    };
    if tokio::time::timeout(Duration::from_secs(5), parked).await.is_err() {
        tracing::warn!(target: "lua", "freeswitch.Session: channel {id} answered but was not parked within 5 s");
    }
}

/// Builds the table.
pub(crate) fn table(lua: &Lua, ctx: &Ctx) -> mlua::Result<Table> {
    let fs = lua.create_table()?;
    let c = ctx.clone();
    fs.set("API", lua.create_function(move |_, _: mlua::MultiValue| Ok(Api(c.clone())))?)?;
    let c = ctx.clone();
    fs.set(
        "Event",
        lua.create_function(move |_, (kind, sub): (String, Option<String>)| {
            Ok(LuaEvent::new(c.switch.clone(), kind, sub))
        })?,
    )?;
    let c = ctx.clone();
    fs.set("Session", lua.create_function(move |_, target: String| new_session(&c, &target))?)?;
    fs.set(
        "consoleLog",
        lua.create_function(|_, (level, msg): (String, String)| {
            console_log(&level, &msg);
            Ok(())
        })?,
    )?;
    fs.set(
        "msleep",
        lua.create_function(|_, ms: u64| {
            std::thread::sleep(Duration::from_millis(ms));
            Ok(())
        })?,
    )?;
    let c = ctx.clone();
    fs.set("getGlobalVariable", lua.create_function(move |_, name: String| Ok(c.switch.globals().get(&name)))?)?;
    let c = ctx.clone();
    fs.set(
        "setGlobalVariable",
        lua.create_function(move |_, (name, value): (String, String)| {
            c.switch.globals().set(&name, &value);
            Ok(())
        })?,
    )?;
    Ok(fs)
}

/// `freeswitch.Session(uuid)` attaches to a live channel; `freeswitch.Session(dialstring)` originates
/// one and waits for the outcome and, when answered, for the channel to be parked (it parks in its
/// own task after the answer: the script must not see it half way).
fn new_session(ctx: &Ctx, target: &str) -> mlua::Result<Session> {
    if let Some(handle) = target.parse::<ChannelId>().ok().and_then(|id| ctx.switch.channels().get(id)) {
        return Ok(Session::new(target.to_owned(), Link::Remote(RemoteSession { handle })));
    }
    let req = OriginateRequest::new(target, OriginateTarget::Park);
    // The channel's task is spawned on the switch's runtime from this script thread.
    let _runtime = ctx.rt.enter();
    let mut events = ctx.switch.bus().subscribe("lua:session");
    let pending = ctx.switch.originate(req).map_err(|e| mlua::Error::runtime(format!("originate {target}: {e}")))?;
    let handle = pending.channel.clone();
    let outcome = ctx.rt.block_on(pending.outcome());
    if outcome.answered {
        ctx.rt.block_on(until_parked(&mut events, handle.id()));
    } else {
        tracing::info!(target: "lua", "freeswitch.Session({target}): {}", outcome.cause.fs_name());
    }
    Ok(Session::new(handle.id().to_string(), Link::Remote(RemoteSession { handle })))
}
