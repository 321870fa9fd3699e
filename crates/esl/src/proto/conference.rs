//! `CUSTOM conference::maintenance`: the conference headers, the member's channel block (FreeSWITCH's
//! basic channel data: no `variable_*`), the member headers, then `Action` and what follows it
//! (mod_conference `conference_member_add_event_data`, `conference_event_add_data`).

use switchyard_core::{ChannelSnapshot, Event};

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
    append(&mut e, ev.channel.as_deref(), action, conference, member, extra);
    e
}

/// Everything after the base block.
fn append(
    e: &mut EslEvent,
    channel: Option<&ChannelSnapshot>,
    action: &str,
    conference: &[(String, String)],
    member: &[(String, String)],
    extra: &[(String, String)],
) {
    push_all(e, conference);
    if !member.is_empty() {
        if let Some(snap) = channel {
            // Any name outside the verbose list gives the basic block, as a member without verbose-events.
            channel_data::append(e, snap, "CONFERENCE");
        }
        push_all(e, member);
    }
    e.push("Action", action.to_owned());
    push_all(e, extra);
}

fn push_all(e: &mut EslEvent, headers: &[(String, String)]) {
    for (k, v) in headers {
        e.push(k.clone(), v.clone());
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use switchyard_core::{BusConfig, ChannelId, Direction, Switch, SwitchConfig, SwitchInfo, SystemClock};

    use super::*;

    fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
        list.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
    }

    #[test]
    fn member_events_put_the_basic_channel_block_between_conference_and_member_headers() {
        let sw = Switch::new(SwitchConfig {
            info: SwitchInfo { version: "0".into(), hostname: "h".into(), core_uuid: "c".into(), max_channels: 0 },
            bus: BusConfig::default(),
            clock: Arc::new(SystemClock),
        });
        let mut snap = sw.blank_snapshot(ChannelId::new_v4(), "sim", "sim/a-00000001".into(), Direction::Outbound);
        snap.variables.set("secret", "x");
        let conference = pairs(&[("Conference-Name", "test1"), ("Conference-Size", "1"), ("Floor", "true")]);
        let member = pairs(&[("Hear", "true"), ("Member-ID", "1")]);
        let mut e = EslEvent::default();
        append(&mut e, Some(&snap), "add-member", &conference, &member, &[]);
        let names: Vec<&str> = e.headers.iter().map(|(k, _)| k.as_ref()).collect();
        let pos = |n: &str| names.iter().position(|h| *h == n).unwrap();
        assert_eq!(names[0], "Conference-Name");
        assert!(pos("Floor") < pos("Unique-ID") && pos("Caller-Unique-ID") < pos("Hear"));
        assert!(!names.iter().any(|n| n.starts_with("variable_")));
        assert_eq!(names.last(), Some(&"Action"));

        let mut whole = EslEvent::default();
        append(&mut whole, Some(&snap), "lock", &conference[..2], &[], &pairs(&[("X", "y")]));
        let names: Vec<&str> = whole.headers.iter().map(|(k, _)| k.as_ref()).collect();
        assert_eq!(names, ["Conference-Name", "Conference-Size", "Action", "X"]);
    }
}
