//! Actions about the session itself: Ping, Events, Filter, Logoff, ListCommands, and our ResumeEvents.

use crate::proto::action::ACTIONS;
use crate::proto::{Action, Privilege, Response, parse_classes};
use crate::server::session::Session;

/// Ping, Events, Filter, Logoff, ListCommands.
pub fn handle(s: &mut Session, id: Option<&str>, action: &Action) {
    match action {
        Action::Ping => {
            let ts = s.shared.switch.now().asterisk_format();
            Response::success(id).header("Ping", "Pong").header("Timestamp", ts).write(&mut s.out);
        }
        Action::Events { mask } => events(s, id, mask),
        Action::Filter { operation, filter } => add_filter(s, id, operation, filter),
        Action::Logoff => {
            Response::new("Goodbye", id).header("Message", "Thanks for all the fish.").write(&mut s.out);
            s.closing = true;
        }
        Action::ListCommands => list_commands(s, id),
        _ => {}
    }
}

/// `Events: on|off|<classes>`: `Events: On` when any class is left, `Events: Off` otherwise.
fn events(s: &mut Session, id: Option<&str>, mask: &str) {
    let Some(set) = parse_classes(mask) else {
        return Response::error(id, "Invalid event mask").write(&mut s.out);
    };
    s.send_events = set;
    // A session with events off holds no bus subscription (it cannot fall behind or count as lost).
    match set.is_empty() {
        true => s.sub = None,
        false if s.sub.is_none() => s.subscribe(None),
        false => {}
    }
    let state = if set.is_empty() { "Off" } else { "On" };
    Response::success(id).header("Events", state).write(&mut s.out);
}

fn add_filter(s: &mut Session, id: Option<&str>, operation: &str, filter: &str) {
    if !operation.eq_ignore_ascii_case("add") {
        return Response::error(id, "Unknown operation").write(&mut s.out);
    }
    match s.filters.add(filter) {
        Ok(()) => Response::ack(id, "Success").write(&mut s.out),
        Err(_) => {
            Response::error(id, "Filter did not compile.  Check the syntax of the filter given.").write(&mut s.out)
        }
    }
}

/// One `Name: Synopsis (Priv: classes)` header per action the user may run, as Asterisk.
fn list_commands(s: &mut Session, id: Option<&str>) {
    let write = s.user.as_ref().map_or(Privilege::NONE, |u| u.write);
    let mut r = Response::success(id);
    for (name, synopsis, privs) in ACTIONS {
        let need = parse_classes(privs.trim_end_matches(",all")).unwrap_or(Privilege::NONE);
        if need.is_empty() || write.intersects(need) {
            r = r.header(name, format!("{synopsis} (Priv: {privs})"));
        }
    }
    r.write(&mut s.out);
}

/// Switchyard's `ResumeEvents` (`Seq: <n>`): replays the bus from sequence number `n` (what a client
/// last saw plus one) and tags events with `SwitchyardSeq`. Events older than the replay window are
/// reported with `EventsLost`.
pub fn resume(s: &mut Session, id: Option<&str>, from: u64) {
    s.subscribe(Some(from));
    s.with_seq = true;
    let next = s.shared.switch.bus().next_seq();
    Response::ack(id, "Resuming events")
        .header("Seq", from.to_string())
        .header("NextSeq", next.to_string())
        .write(&mut s.out);
}
