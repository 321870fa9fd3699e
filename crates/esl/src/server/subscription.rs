//! What one listener wants: event names (with ALL, nixed names and CUSTOM subclasses) and header
//! filters, evaluated as FreeSWITCH does.

use std::collections::HashSet;

use regex::Regex;

use super::cache::PreparedEvent;
use crate::proto::{EventNames, known_event_name};

/// The event types `myevents` subscribes to (mod_event_socket.c).
pub const MYEVENTS: &[&str] = &[
    "CHANNEL_ANSWER",
    "CHANNEL_APPLICATION",
    "CHANNEL_BRIDGE",
    "CHANNEL_CREATE",
    "CHANNEL_DATA",
    "CHANNEL_DESTROY",
    "CHANNEL_EXECUTE",
    "CHANNEL_EXECUTE_COMPLETE",
    "CHANNEL_HANGUP",
    "CHANNEL_HANGUP_COMPLETE",
    "CHANNEL_ORIGINATE",
    "CHANNEL_UUID",
    "CHANNEL_OUTGOING",
    "CHANNEL_PARK",
    "CHANNEL_PROGRESS",
    "CHANNEL_PROGRESS_MEDIA",
    "CHANNEL_STATE",
    "CHANNEL_UNBRIDGE",
    "CHANNEL_UNPARK",
    "DETECTED_SPEECH",
    "DTMF",
    "NOTALK",
    "TALK",
];

/// Event names a listener subscribed to.
#[derive(Debug, Default)]
pub struct EventSet {
    all: bool,
    names: HashSet<String>,
    nixed: HashSet<String>,
    subclasses: HashSet<String>,
}

impl EventSet {
    /// Adds names; false when none of them is a known event (FreeSWITCH: `-ERR no keywords supplied`).
    pub fn add(&mut self, req: &EventNames) -> bool {
        let mut any = false;
        for name in &req.names {
            match known_event_name(name) {
                Some("ALL") => {
                    self.all = true;
                    self.nixed.clear();
                }
                Some(n) => {
                    self.nixed.remove(n);
                    self.names.insert(n.to_owned());
                }
                None => continue,
            }
            any = true;
        }
        self.subclasses.extend(req.subclasses.iter().cloned());
        any || !req.subclasses.is_empty()
    }

    /// Adds names by their canonical spelling.
    pub fn add_all(&mut self, names: &[&str]) {
        self.names.extend(names.iter().map(|n| (*n).to_owned()));
    }

    /// Removes names (`nixevent`).
    pub fn remove(&mut self, req: &EventNames) {
        for name in &req.names {
            match known_event_name(name) {
                Some("ALL") => *self = Self::default(),
                Some(n) => {
                    self.names.remove(n);
                    if self.all {
                        self.nixed.insert(n.to_owned());
                    }
                }
                None => {}
            }
        }
        for sub in &req.subclasses {
            self.subclasses.remove(sub);
        }
    }

    /// True when nothing is subscribed.
    pub fn is_empty(&self) -> bool {
        !self.all && self.names.is_empty() && self.subclasses.is_empty()
    }

    /// Whether this name was subscribed by name (not only through ALL).
    pub fn named(&self, name: &str) -> bool {
        self.names.contains(name)
    }

    /// Whether an event with this name (and subclass) is wanted.
    pub fn wants(&self, name: &str, subclass: Option<&str>) -> bool {
        if name == "CUSTOM" {
            let sub = subclass.unwrap_or("");
            return (self.all && !self.nixed.contains("CUSTOM")) || self.subclasses.contains(sub);
        }
        (self.all && !self.nixed.contains(name)) || self.names.contains(name)
    }
}

/// One `filter <header> <value>`.
#[derive(Debug)]
struct Filter {
    header: String,
    value: String,
    exclude: bool,
    regex: Option<Regex>,
}

impl Filter {
    fn new(header: &str, raw: &str) -> Self {
        let (exclude, value) = match raw.strip_prefix('-') {
            Some(v) => (true, v.trim_start()),
            None => (false, raw.strip_prefix('+').unwrap_or(raw).trim_start()),
        };
        Self { header: header.to_owned(), value: value.to_owned(), exclude, regex: parse_regex(value) }
    }

    fn matches(&self, got: &str) -> bool {
        match &self.regex {
            Some(re) => re.is_match(got),
            None => got.eq_ignore_ascii_case(&self.value),
        }
    }
}

/// `/expr/[i][s]` as a regex.
fn parse_regex(value: &str) -> Option<Regex> {
    let body = value.strip_prefix('/')?;
    let end = body.rfind('/')?;
    let (expr, flags) = (&body[..end], &body[end + 1..]);
    let mut prefix = String::new();
    for (flag, inline) in [('i', "(?i)"), ('s', "(?s)")] {
        if flags.contains(flag) {
            prefix.push_str(inline);
        }
    }
    Regex::new(&format!("{prefix}{expr}")).ok()
}

/// A listener's filters.
#[derive(Debug, Default)]
pub struct Filters(Vec<(String, String, Filter)>);

impl Filters {
    /// Adds one.
    pub fn add(&mut self, header: &str, value: &str) {
        self.0.push((header.to_owned(), value.to_owned(), Filter::new(header, value)));
    }

    /// Removes all of `header` (or only `value`); `all` clears.
    pub fn delete(&mut self, header: &str, value: Option<&str>) {
        if header.eq_ignore_ascii_case("all") && value.is_none() {
            self.0.clear();
            return;
        }
        self.0.retain(|(h, v, _)| !(h.eq_ignore_ascii_case(header) && value.is_none_or(|want| want == v)));
    }

    /// FreeSWITCH's semantics: with filters, an event passes only if an include filter matches one of
    /// its headers and no exclude filter does.
    pub fn pass(&self, ev: &PreparedEvent) -> bool {
        if self.0.is_empty() {
            return true;
        }
        let mut send = false;
        for (_, _, f) in &self.0 {
            let Some(got) = ev.event.header(&f.header) else { continue };
            if f.matches(got) {
                if f.exclude {
                    return false;
                }
                send = true;
            }
        }
        send
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::proto::EslEvent;

    fn ev(name: &str, uuid: &str) -> PreparedEvent {
        let mut e = EslEvent::default();
        e.push("Event-Name", name.to_owned());
        e.push("Unique-ID", uuid.to_owned());
        PreparedEvent::new(e)
    }

    fn names(list: &[&str]) -> EventNames {
        EventNames { names: list.iter().map(|s| s.to_string()).collect(), subclasses: vec![] }
    }

    #[test]
    fn all_then_nixevent_keeps_everything_but_the_nixed_name() {
        let mut set = EventSet::default();
        assert!(set.add(&names(&["ALL"])));
        set.remove(&names(&["DTMF"]));
        assert!(set.wants("CHANNEL_CREATE", None));
        assert!(!set.wants("DTMF", None));
    }

    #[test]
    fn unknown_names_alone_are_no_keywords() {
        assert!(!EventSet::default().add(&names(&["NOT_AN_EVENT"])));
    }

    #[test]
    fn custom_events_need_their_subclass_unless_all() {
        let mut set = EventSet::default();
        set.add(&EventNames { names: vec!["CUSTOM".into()], subclasses: vec!["a::b".into()] });
        assert!(set.wants("CUSTOM", Some("a::b")));
        assert!(!set.wants("CUSTOM", Some("c::d")));
    }

    #[test]
    fn filters_let_through_only_matching_events() {
        let mut f = Filters::default();
        f.add("Unique-ID", "u1");
        f.add("Event-Name", "HEARTBEAT");
        assert!(f.pass(&ev("CHANNEL_CREATE", "u1")));
        assert!(f.pass(&ev("HEARTBEAT", "u9")));
        assert!(!f.pass(&ev("CHANNEL_CREATE", "u2")));
        f.delete("Unique-ID", None);
        assert!(!f.pass(&ev("CHANNEL_CREATE", "u1")));
    }

    #[test]
    fn an_exclude_filter_wins_and_regexes_match() {
        let mut f = Filters::default();
        f.add("Event-Name", "/^CHANNEL_/");
        f.add("Unique-ID", "-u2");
        assert!(f.pass(&ev("CHANNEL_CREATE", "u1")));
        assert!(!f.pass(&ev("CHANNEL_CREATE", "u2")));
        assert!(!f.pass(&ev("HEARTBEAT", "u1")));
    }
}
