//! `CUSTOM conference::maintenance`: the conference headers, the member's channel block (FreeSWITCH's
//! basic channel data: no `variable_*`), the member headers, then `Action` and what follows it
//! (mod_conference `conference_member_add_event_data`, `conference_event_add_data`).

use switchyard_core::Event;

use super::channel_data;
use super::event::EslEvent;
use super::translate::{RenderContext, base};

/// The subclass of every conference event.
pub const SUBCLASS: &str = "conference::maintenance";

/// Renders a core `Conference` event.
pub fn render(
    ev: &Event,
    ctx: &RenderContext,
    action: &str,
    conference: &[(String, String)],
    member: &[(String, String)],
    extra: &[(String, String)],
) -> EslEvent {
    let mut e = EslEvent::default();
    e.push("Event-Subclass", SUBCLASS);
    e.headers.extend(base(ev, ctx, "CUSTOM").headers);
    push_all(&mut e, conference);
    if !member.is_empty() {
        if let Some(snap) = ev.channel.as_deref() {
            // Any name outside the verbose list gives the basic block, as a member without verbose-events.
            channel_data::append(&mut e, snap, "CONFERENCE");
        }
        push_all(&mut e, member);
    }
    e.push("Action", action.to_owned());
    push_all(&mut e, extra);
    e
}

fn push_all(e: &mut EslEvent, headers: &[(String, String)]) {
    for (k, v) in headers {
        e.push(k.clone(), v.clone());
    }
}
