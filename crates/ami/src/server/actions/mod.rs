//! Action dispatch: the login gate, unknown actions, write-permission checks, then one handler per
//! action family.

mod bridges;
mod channel;
mod db;
mod dialplan;
mod info;
mod originate;
mod session_control;
mod system;
mod transfer;

use super::auth::Credentials;
use super::session::Session;
use crate::proto::security::SecurityEvent;
use crate::proto::{Action, Message, Privilege, Request, Response};

/// Handles one message from the client.
pub async fn handle(s: &mut Session, msg: &Message) {
    let id = msg.get("ActionID").map(str::to_owned);
    let Some(name) = msg.get_nonempty("Action").map(str::to_owned) else {
        s.report(SecurityEvent::RequestBadFormat { request_type: "NONE".into() }, account(s).as_deref());
        return Response::error(id.as_deref(), "Missing action in request").write(&mut s.out);
    };
    let pre_login = matches!(name.to_ascii_lowercase().as_str(), "login" | "logoff" | "challenge");
    if s.user.is_none() && !pre_login {
        s.report(SecurityEvent::RequestNotAllowed { request_type: name.clone() }, None);
        return Response::error(id.as_deref(), "Permission denied").write(&mut s.out);
    }
    let req = match Request::parse(msg) {
        Ok(req) => req,
        Err((id, e)) => return Response::error(id.as_deref(), &e.0).write(&mut s.out),
    };
    if req.action == Action::Unknown {
        return unknown(s, &req);
    }
    let need = required(&req.action);
    if let Some(user) = &s.user
        && !need.is_empty()
        && !user.write.intersects(need)
    {
        s.report(SecurityEvent::RequestNotAllowed { request_type: name }, account(s).as_deref());
        return Response::error(req.action_id.as_deref(), "Permission denied").write(&mut s.out);
    }
    dispatch(s, req).await;
}

fn account(s: &Session) -> Option<String> {
    s.user.as_ref().map(|u| u.name.clone())
}

fn unknown(s: &mut Session, req: &Request) {
    let text = format!("Invalid/unknown command: {}. Use Action: ListCommands to show available commands.", req.name);
    Response::error(req.action_id.as_deref(), &text).write(&mut s.out);
    let request_type = format!("Action: {}", req.name);
    s.report(SecurityEvent::RequestBadFormat { request_type }, account(s).as_deref());
}

/// The classes an action needs; any one of them is enough (manager.c checks `writeperm & authority`).
pub fn required(action: &Action) -> Privilege {
    use Privilege as P;
    match action {
        Action::Command { .. } => P::COMMAND,
        Action::CoreSettings | Action::CoreStatus | Action::CoreShowChannels => P::SYSTEM.or(P::REPORTING),
        Action::Status { .. } => P::SYSTEM.or(P::CALL).or(P::REPORTING),
        Action::Hangup { .. } | Action::AbsoluteTimeout { .. } => P::SYSTEM.or(P::CALL),
        Action::Originate(_) => P::ORIGINATE,
        Action::Redirect { .. } | Action::Setvar { .. } | Action::PlayDtmf { .. } => P::CALL,
        Action::Getvar { .. } | Action::ExtensionState { .. } => P::CALL.or(P::REPORTING),
        Action::ShowDialPlan { .. } => P::CONFIG.or(P::REPORTING),
        Action::DbGet { .. } => P::SYSTEM.or(P::REPORTING),
        Action::DbPut { .. } | Action::DbDel { .. } | Action::DbDelTree { .. } | Action::Filter { .. } => P::SYSTEM,
        Action::UserEvent { .. } => P::USER,
        Action::BlindTransfer { .. } | Action::Atxfer { .. } | Action::Bridge { .. } => P::CALL,
        Action::Reload { .. } => P::SYSTEM.or(P::CONFIG),
        Action::BridgeList { .. } | Action::BridgeInfo { .. } => P::REPORTING,
        _ => P::NONE,
    }
}

async fn dispatch(s: &mut Session, req: Request) {
    let id = req.action_id.as_deref();
    match &req.action {
        Action::Login { username, secret, auth_type, key, events, seq } => {
            s.with_seq |= *seq;
            let c = Credentials {
                username,
                secret: secret.as_deref(),
                auth_type: auth_type.as_deref(),
                key: key.as_deref(),
                events: events.as_deref(),
            };
            s.login(id, c).await;
        }
        Action::Challenge { auth_type } => s.challenge(id, auth_type),
        Action::Logoff | Action::Ping | Action::Events { .. } | Action::Filter { .. } | Action::ListCommands => {
            session_control::handle(s, id, &req.action)
        }
        Action::ResumeEvents { from } => session_control::resume(s, id, *from),
        Action::Command { command } => info::command(s, id, command).await,
        Action::CoreSettings => info::core_settings(s, id),
        Action::CoreStatus => info::core_status(s, id),
        Action::CoreShowChannels => info::core_show_channels(s, id),
        Action::Status { channel, variables } => info::status(s, id, channel.as_deref(), variables),
        Action::Originate(o) => originate::originate(s, id, o),
        Action::DbGet { .. } | Action::DbPut { .. } | Action::DbDel { .. } | Action::DbDelTree { .. } => {
            db::handle(s, id, &req.action).await
        }
        Action::BlindTransfer { channel, exten, context } => transfer::blind(s, id, channel, exten, context.as_deref()),
        Action::ShowDialPlan { context, extension } => dialplan::show(s, id, context.as_deref(), extension.as_deref()),
        Action::Atxfer { channel, exten, context } => transfer::attended(s, id, channel, exten, context.as_deref()),
        Action::ExtensionState { exten, context } => system::extension_state(s, id, exten, context),
        Action::Reload { module } => system::reload(s, id, module.as_deref()).await,
        Action::WaitEvent { timeout_s } => system::wait_event(s, id, *timeout_s),
        Action::Bridge { channel1, channel2 } => bridges::bridge(s, id, channel1, channel2),
        Action::BridgeList { bridge_type } => bridges::list(s, id, bridge_type.as_deref()),
        Action::BridgeInfo { bridge_id } => bridges::info(s, id, bridge_id),
        _ => channel::handle(s, id, &req.action).await,
    }
}
