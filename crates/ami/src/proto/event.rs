//! An AMI event as headers, its wire form, and the standard channel block every channel event carries.

use bytes::{BufMut, Bytes, BytesMut};
use switchyard_core::ChannelSnapshot;

use super::privilege::Privilege;
use super::response::put_header;

/// One event to send.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AmiEvent {
    /// `Event:`.
    pub name: &'static str,
    /// Its class (`Privilege:`); None for list items answering an action, which carry no class.
    pub privilege: Option<Privilege>,
    /// The headers after `Privilege`, in order.
    pub headers: Vec<(String, String)>,
}

impl AmiEvent {
    /// An event of this class with no headers yet.
    pub fn new(name: &'static str, privilege: Privilege) -> Self {
        Self { name, privilege: Some(privilege), headers: Vec::with_capacity(20) }
    }

    /// A list item (no `Privilege`), e.g. `CoreShowChannel`.
    pub fn list_item(name: &'static str) -> Self {
        Self { name, privilege: None, headers: Vec::with_capacity(20) }
    }

    /// Appends a header.
    pub fn push(&mut self, name: impl Into<String>, value: impl Into<String>) -> &mut Self {
        self.headers.push((name.into(), value.into()));
        self
    }

    /// Appends a channel block, field names prefixed (`Dest`, `LocalOne`…).
    pub fn channel(&mut self, prefix: &str, snap: &ChannelSnapshot) -> &mut Self {
        for (k, v) in channel_block(snap) {
            self.headers.push((format!("{prefix}{k}"), v));
        }
        self
    }

    /// A header's value, for filters and tests.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(k, _)| k.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }

    /// Writes it, ended by the empty line.
    pub fn write(&self, out: &mut BytesMut) {
        put_header(out, "Event", self.name);
        if let Some(p) = self.privilege {
            put_header(out, "Privilege", &p.to_string());
        }
        for (k, v) in &self.headers {
            put_header(out, k, v);
        }
        out.put_slice(b"\r\n");
    }

    /// Its bytes.
    pub fn to_bytes(&self) -> Bytes {
        let mut out = BytesMut::with_capacity(512);
        self.write(&mut out);
        out.freeze()
    }
}

/// Asterisk prints an unset caller id as `<unknown>`.
fn or_unknown(s: &str) -> String {
    if s.is_empty() { "<unknown>".to_owned() } else { s.to_owned() }
}

/// The channel block in Asterisk's order (`ast_manager_build_channel_state_string_prefix`).
/// `Uniqueid` and `Linkedid` are our channel ids (UUIDs, not Asterisk's `epoch.n`).
pub fn channel_block(s: &ChannelSnapshot) -> [(&'static str, String); 14] {
    let line = s.state.line();
    let language = if s.language.is_empty() { "en" } else { s.language.as_str() };
    [
        ("Channel", s.name.as_str().to_owned()),
        ("ChannelState", line.number().to_string()),
        ("ChannelStateDesc", line.asterisk_name().to_owned()),
        ("CallerIDNum", or_unknown(&s.caller.number)),
        ("CallerIDName", or_unknown(&s.caller.name)),
        ("ConnectedLineNum", or_unknown(&s.connected.number)),
        ("ConnectedLineName", or_unknown(&s.connected.name)),
        ("Language", language.to_owned()),
        ("AccountCode", s.account_code.as_str().to_owned()),
        ("Context", s.location.context.as_str().to_owned()),
        ("Exten", s.location.exten.as_str().to_owned()),
        ("Priority", s.location.priority.to_string()),
        ("Uniqueid", s.id.to_string()),
        ("Linkedid", s.linked_id.to_string()),
    ]
}
