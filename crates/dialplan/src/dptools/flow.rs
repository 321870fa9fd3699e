//! Moving through the dialplan: `transfer [-bleg|-both] <exten> [<dialplan> [<context>]]` (the
//! running dialplan lets go and routing starts again there; the dialplan and context default to
//! the channel's own) and `execute_extension <exten> [<dialplan> [<context>]]` (runs that
//! extension's actions here, then carries on).

use std::sync::Arc;

use switchyard_core::app::{AppResult, BoxFuture};
use switchyard_core::{Channel, ChannelCommand};

use crate::fsxml::XmlEngine;
use crate::fsxml::route::{self, Kind};

type R<'a> = BoxFuture<'a, AppResult>;

/// `<exten> [<dialplan> [<context>]]` with the channel's defaults.
pub(crate) fn destination(chan: &mut Channel, words: &[&str]) -> Option<(String, Kind, String)> {
    let exten = (*words.first()?).to_owned();
    let kind = words.get(1).and_then(|d| Kind::parse(d)).unwrap_or_else(|| route::flavour(chan));
    let context = words.get(2).map_or_else(|| chan.current().location.context.as_str().to_owned(), |c| (*c).to_owned());
    let context = if context.is_empty() { "default".to_owned() } else { context };
    Some((exten, kind, context))
}

pub(crate) fn transfer<'a>(_e: &'a Arc<XmlEngine>, chan: &'a mut Channel, args: &'a str) -> R<'a> {
    Box::pin(async move {
        let mut words: Vec<&str> = args.split_whitespace().collect();
        let leg = words.first().copied().filter(|w| matches!(*w, "-bleg" | "-both"));
        if leg.is_some() {
            words.remove(0);
        }
        let Some((exten, kind, context)) = destination(chan, &words) else {
            tracing::warn!(channel = %chan.current().name, "transfer: usage <exten> [<dialplan> [<context>]]");
            return Ok(String::new());
        };
        if leg.is_some() {
            transfer_peer(chan, &exten, kind, &context);
            if leg == Some("-bleg") {
                return Ok(String::new());
            }
        }
        Err(route::transfer(chan, &exten, kind, &context))
    })
}

/// Sends the bridged peer (if any) to `exten@context` of `kind`.
fn transfer_peer(chan: &Channel, exten: &str, kind: Kind, context: &str) {
    let Some(h) = peer(chan) else { return };
    let _ = h.send(ChannelCommand::SetVar { name: "dialplan".into(), value: kind.name().into() });
    let _ = h.send(ChannelCommand::Redirect { context: context.into(), exten: exten.into(), priority: 1 });
}

/// `execute_extension` nesting depth on a channel (an extension that runs itself stops here).
#[derive(Default)]
struct Nesting(usize);

const MAX_NESTING: usize = 32;

pub(crate) fn execute_extension<'a>(e: &'a Arc<XmlEngine>, chan: &'a mut Channel, args: &'a str) -> R<'a> {
    Box::pin(async move {
        if chan.extensions.get_or_default::<Nesting>().0 >= MAX_NESTING {
            tracing::warn!(channel = %chan.current().name, "execute_extension {args}: nested {MAX_NESTING} deep, not run");
            return Ok(String::new());
        }
        chan.extensions.get_or_default::<Nesting>().0 += 1;
        let result = run_extension(e, chan, args).await;
        chan.extensions.get_or_default::<Nesting>().0 -= 1;
        result
    })
}

async fn run_extension(e: &Arc<XmlEngine>, chan: &mut Channel, args: &str) -> AppResult {
    {
        let words: Vec<&str> = args.split_whitespace().collect();
        let Some((exten, kind, context)) = destination(chan, &words) else {
            tracing::warn!(channel = %chan.current().name, "execute_extension: usage <exten> [<dialplan> [<context>]]");
            return Ok(String::new());
        };
        match kind {
            Kind::Asterisk => {
                crate::interp::run_sub(&e.asterisk, chan, &format!("{context},{exten},1")).await;
                chan.check().map(|_| String::new())
            }
            Kind::Inline => e.execute(chan, &crate::fsxml::inline::parse(&exten)).await.map(|_| String::new()),
            Kind::Xml => {
                let saved = chan.current().location.clone();
                chan.set_location(&context, &exten, 1);
                let actions = e.hunt(chan, &context).await.unwrap_or_default();
                chan.set_location(&saved.context, &saved.exten, saved.priority);
                e.execute(chan, &actions).await.map(|_| String::new())
            }
        }
    }
}

/// The channel bridged with `chan`, if any.
pub(crate) fn peer(chan: &Channel) -> Option<switchyard_core::ChannelHandle> {
    let bridge = chan.current().bridge_id.clone()?;
    let me = chan.id();
    chan.switch()
        .channels()
        .handles()
        .into_iter()
        .find(|h| h.id() != me && h.snapshot().bridge_id.as_deref() == Some(&bridge))
}
