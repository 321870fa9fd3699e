//! One AMI message: ordered `Name: value` headers, looked up case-insensitively as Asterisk does.

/// Headers of one message, in wire order.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Message {
    /// `(name, value)` pairs; the value has its leading blanks removed.
    pub headers: Vec<(String, String)>,
}

impl Message {
    /// The first header with this name (Asterisk's `astman_get_header`), empty values included.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(k, _)| k.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }

    /// The first non-empty value of this header.
    pub fn get_nonempty(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(k, v)| k.eq_ignore_ascii_case(name) && !v.is_empty()).map(|(_, v)| v.as_str())
    }

    /// Every value of a repeatable header (`Variable`).
    pub fn get_all<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a str> + 'a {
        self.headers.iter().filter(move |(k, _)| k.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }

    /// Appends a header.
    pub fn push(&mut self, name: impl Into<String>, value: impl Into<String>) {
        self.headers.push((name.into(), value.into()));
    }

    /// Serialises as the client would send it (CRLF lines, blank line at the end).
    pub fn to_wire(&self) -> Vec<u8> {
        let mut out = Vec::new();
        for (k, v) in &self.headers {
            out.extend_from_slice(format!("{k}: {v}\r\n").as_bytes());
        }
        out.extend_from_slice(b"\r\n");
        out
    }
}
