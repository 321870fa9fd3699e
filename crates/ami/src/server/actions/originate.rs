//! `Originate`, sync or `Async`: the call runs in its own task so the session keeps answering other
//! actions. Async replies `Originate successfully queued` at once and later publishes the outcome on
//! the bus (rendered as `OriginateResponse` to every session); sync replies when the outcome is known.

use std::sync::Arc;

use bytes::BytesMut;
use switchyard_core::{
    CallerId, ChannelId, Direction, EventKind, HangupCause, OriginateOutcome, OriginateReason, OriginateRequest,
    OriginateTarget, Switch,
};

use crate::proto::{Originate, OriginateDestination, Response};
use crate::server::Shared;
use crate::server::session::Session;

/// Starts the originate.
pub fn originate(s: &mut Session, id: Option<&str>, o: &Originate) {
    let req = request(o);
    let (shared, id) = (s.shared.clone(), id.map(str::to_owned));
    let destination = o.destination.clone();
    if o.asynchronous {
        Response::ack(id.as_deref(), "Originate successfully queued").write(&mut s.out);
        tokio::spawn(run_async(shared, req, destination, id));
        return;
    }
    let later = s.later_tx.clone();
    tokio::spawn(async move {
        let ok = shared.switch.originate_and_wait(req).await.is_ok_and(|o| o.answered);
        let mut out = BytesMut::new();
        match ok {
            true => Response::ack(id.as_deref(), "Originate successfully queued").write(&mut out),
            false => Response::error(id.as_deref(), "Originate failed").write(&mut out),
        }
        let _ = later.send(out.freeze());
    });
}

async fn run_async(shared: Arc<Shared>, req: OriginateRequest, dest: OriginateDestination, id: Option<String>) {
    let dial = req.dial.clone();
    let outcome = match shared.switch.originate_and_wait(req).await {
        Ok(outcome) => outcome,
        Err(e) => {
            tracing::info!("manager originate {dial}: {e}");
            not_started(&shared.switch, &dial, e.cause())
        }
    };
    shared.cache.context().remember_destination(outcome.channel_id, dest);
    shared.switch.bus().publish(EventKind::OriginateResult { request_id: id, outcome: Box::new(outcome) }, None);
}

/// The outcome of an originate whose channel could not even be created (Reason 0).
fn not_started(switch: &Switch, dial: &str, cause: HangupCause) -> OriginateOutcome {
    let snap = switch.blank_snapshot(ChannelId::new_v4(), "", dial.to_owned(), Direction::Outbound);
    OriginateOutcome {
        channel_id: snap.id,
        channel_name: dial.to_owned(),
        answered: false,
        reason: OriginateReason::Failed,
        cause,
        snapshot: Arc::new(snap),
    }
}

fn request(o: &Originate) -> OriginateRequest {
    let target = match &o.destination {
        OriginateDestination::App { name, data } => OriginateTarget::App { name: name.clone(), args: data.clone() },
        OriginateDestination::Extension { context, exten } => {
            OriginateTarget::Extension { context: context.clone(), exten: exten.clone(), priority: o.priority }
        }
    };
    let mut req = OriginateRequest::new(o.channel.clone(), target);
    req.timeout = o.timeout;
    if let Some((number, name)) = &o.caller_id {
        req.caller_id = CallerId::new(number.clone(), name.clone());
    }
    req.variables = o.variables.clone();
    req.account = o.account.clone();
    req.channel_id = o.channel_id.as_deref().and_then(|c| c.parse().ok());
    req
}
