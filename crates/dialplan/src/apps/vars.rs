//! `Set(name=value)` (variables or function writes) and `MSet(n1=v1,n2=v2…)`.

use std::sync::Arc;

use switchyard_core::Channel;
use switchyard_core::app::{AppResult, BoxFuture};

use crate::engine::Engine;

/// Assigns one `name=value`: a function write when the name is `FUNC(args)`.
pub(crate) async fn assign(engine: &Arc<Engine>, chan: &mut Channel, name: &str, value: &str) {
    let name = name.trim();
    match crate::args::call(name).filter(|_| name.ends_with(')')) {
        Some((func, args)) => {
            if let Err(e) = crate::funcs::write(engine, chan, func, args, value).await {
                tracing::warn!(channel = %chan.current().name, "Set {name}: {e}");
            }
        }
        None => crate::vars::set(chan, name, value),
    }
}

pub(crate) fn set<'a>(e: &'a Arc<Engine>, chan: &'a mut Channel, args: &'a str) -> BoxFuture<'a, AppResult> {
    Box::pin(async move {
        match args.split_once('=') {
            Some((name, value)) if !name.trim().is_empty() => assign(e, chan, name, value).await,
            _ => tracing::warn!("Set requires an argument (0={args})"),
        }
        Ok(String::new())
    })
}

pub(crate) fn mset<'a>(e: &'a Arc<Engine>, chan: &'a mut Channel, args: &'a str) -> BoxFuture<'a, AppResult> {
    Box::pin(async move {
        for pair in crate::args::split(args, ',') {
            if let Some((name, value)) = pair.split_once('=') {
                assign(e, chan, name, value).await;
            }
        }
        Ok(String::new())
    })
}
