//! Responses to actions: `Response:`, `ActionID:`, then headers in the order Asterisk prints them.

use bytes::{BufMut, BytesMut};

/// A response being built.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Response {
    headers: Vec<(&'static str, String)>,
}

impl Response {
    /// `Response: <kind>` followed by `ActionID` when the action had one.
    pub fn new(kind: &str, action_id: Option<&str>) -> Self {
        let mut headers = vec![("Response", kind.to_owned())];
        if let Some(id) = action_id {
            headers.push(("ActionID", id.to_owned()));
        }
        Self { headers }
    }

    /// `Response: Success` with a `Message` (Asterisk's `astman_send_ack`).
    pub fn ack(action_id: Option<&str>, message: &str) -> Self {
        Self::new("Success", action_id).header("Message", message)
    }

    /// `Response: Success` without a message (`astman_start_ack` with none).
    pub fn success(action_id: Option<&str>) -> Self {
        Self::new("Success", action_id)
    }

    /// `Response: Error` with a `Message` (`astman_send_error`).
    pub fn error(action_id: Option<&str>, message: &str) -> Self {
        Self::new("Error", action_id).header("Message", message)
    }

    /// The start of a list: `EventList: start` then the message (`astman_send_listack`).
    pub fn list_start(action_id: Option<&str>, message: &str) -> Self {
        Self::new("Success", action_id).header("EventList", "start").header("Message", message)
    }

    /// Adds a header.
    pub fn header(mut self, name: &'static str, value: impl Into<String>) -> Self {
        self.headers.push((name, value.into()));
        self
    }

    /// Writes it, ended by the empty line.
    pub fn write(&self, out: &mut BytesMut) {
        self.write_open(out);
        out.put_slice(b"\r\n");
    }

    /// Writes the headers without the closing empty line (for `Output:` lines that follow).
    pub fn write_open(&self, out: &mut BytesMut) {
        for (k, v) in &self.headers {
            put_header(out, k, v);
        }
    }

    /// The value of a header, for tests.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(k, _)| k.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }
}

/// `Name: value\r\n`. Line breaks in values would split the message, so they become spaces.
pub fn put_header(out: &mut BytesMut, name: &str, value: &str) {
    out.reserve(name.len() + value.len() + 4);
    out.put_slice(name.as_bytes());
    out.put_slice(b": ");
    if value.contains(['\r', '\n']) {
        out.put_slice(value.replace(['\r', '\n'], " ").as_bytes());
    } else {
        out.put_slice(value.as_bytes());
    }
    out.put_slice(b"\r\n");
}

/// `Command` output as Asterisk 14+: one `Output:` header per line, then the empty line.
pub fn command_output(action_id: Option<&str>, text: &str, out: &mut BytesMut) {
    Response::ack(action_id, "Command output follows").write_open(out);
    for line in text.lines() {
        put_header(out, "Output", line);
    }
    out.put_slice(b"\r\n");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_error_echoes_the_action_id_before_the_message() {
        let mut out = BytesMut::new();
        Response::error(Some("dbget-2"), "Database entry not found").write(&mut out);
        assert_eq!(&out[..], b"Response: Error\r\nActionID: dbget-2\r\nMessage: Database entry not found\r\n\r\n");
    }

    #[test]
    fn command_output_is_one_output_header_per_line() {
        let mut out = BytesMut::new();
        command_output(Some("c"), "a\nb\n", &mut out);
        let want =
            "Response: Success\r\nActionID: c\r\nMessage: Command output follows\r\nOutput: a\r\nOutput: b\r\n\r\n";
        assert_eq!(std::str::from_utf8(&out).unwrap(), want);
    }

    #[test]
    fn values_cannot_inject_headers() {
        let mut out = BytesMut::new();
        put_header(&mut out, "Value", "x\r\n\r\nEvent: Fake");
        assert_eq!(&out[..], b"Value: x    Event: Fake\r\n");
    }
}
