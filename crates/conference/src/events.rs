//! Building `conference::maintenance` events: the conference headers (`conference_event_add_data`),
//! the member headers, and publishing them on the bus with the member's channel.

use switchyard_core::{ConferenceEvent, EventKind, Switch};

use crate::files::FileDone;
use crate::member::MemberState;
use crate::room::Room;

/// `Conference-Name` … `Conference-Unique-ID`.
fn room_headers(room: &Room) -> Vec<(String, String)> {
    let mut h = vec![("Conference-Name".to_owned(), room.name.clone())];
    if let Some(domain) = &room.domain {
        h.push(("Conference-Domain".to_owned(), domain.clone()));
    }
    h.push(("Conference-Size".to_owned(), room.members.len().to_string()));
    h.push(("Conference-Ghosts".to_owned(), "0".to_owned()));
    h.push(("Conference-Profile-Name".to_owned(), room.profile.clone()));
    h.push(("Conference-Unique-ID".to_owned(), room.uuid.clone()));
    h
}

/// An event about the whole conference (`conference-create`, `lock`, `play-file`, …).
pub(crate) fn room_event(switch: &Switch, room: &Room, action: &str, extra: Vec<(String, String)>) {
    let kind = EventKind::from(ConferenceEvent {
        action: action.to_owned(),
        conference: room_headers(room),
        member: Vec::new(),
        extra,
    });
    switch.bus().publish(kind, None);
}

/// An event about member `id` of `room` (no-op when it is not there).
pub(crate) fn member_event(switch: &Switch, room: &Room, id: u32, action: &str, extra: Vec<(String, String)>) {
    if let Some(member) = room.member(id) {
        publish_member(switch, room, member, action, extra);
    }
}

/// `del-member` for a member already taken out of `room`.
pub(crate) fn removed_member_event(switch: &Switch, room: &Room, member: &MemberState) {
    publish_member(switch, room, member, "del-member", vec![]);
}

/// `play-file-done` (conference headers, `seconds`, `milliseconds`, `samples`, `Action`, `File`,
/// `Async: true` for an async file) or `play-file-member-done` (with the member's headers).
pub(crate) fn file_done(switch: &Switch, room: &Room, done: &FileDone) {
    let mut extra = vec![("File".to_owned(), done.file.clone())];
    if done.is_async {
        extra.push(("Async".to_owned(), "true".to_owned()));
    }
    let member = done.member.and_then(|id| room.member(id));
    let action = if done.member.is_some() { "play-file-member-done" } else { "play-file-done" };
    let mut conference = room_headers(room);
    conference.extend(done.duration_headers());
    let (member_headers, snapshot) = match member {
        Some(m) => {
            let floor = if room.floor == Some(m.id) { "true" } else { "false" };
            conference.push(("Floor".to_owned(), floor.to_owned()));
            (m.event_headers(), Some(m.channel.snapshot()))
        }
        None => (Vec::new(), None),
    };
    let kind =
        EventKind::from(ConferenceEvent { action: action.to_owned(), conference, member: member_headers, extra });
    switch.bus().publish(kind, snapshot);
}

fn publish_member(switch: &Switch, room: &Room, m: &MemberState, action: &str, extra: Vec<(String, String)>) {
    let mut conference = room_headers(room);
    let floor = if room.floor == Some(m.id) { "true" } else { "false" };
    conference.push(("Floor".to_owned(), floor.to_owned()));
    let kind =
        EventKind::from(ConferenceEvent { action: action.to_owned(), conference, member: m.event_headers(), extra });
    switch.bus().publish(kind, Some(m.channel.snapshot()));
}
