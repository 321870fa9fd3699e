//! Framing: CRLF (or bare LF) lines, a message ends at an empty line; limits on line length, header
//! count and message size that reject one message and keep the connection.

use bytes::{Buf, BytesMut};

use super::message::Message;

/// Input limits.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limits {
    /// Longest line, without its line ending (Asterisk reads into a 1025-byte buffer).
    pub max_line: usize,
    /// Most headers in one message (Asterisk's `AST_MAX_MANHEADERS`).
    pub max_headers: usize,
    /// Largest message, all its lines together.
    pub max_message: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Self { max_line: 1024, max_headers: 128, max_message: 64 * 1024 }
    }
}

/// Why a message was rejected. The decoder skips it and carries on with the next one.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum FrameError {
    /// A line was longer than the limit.
    #[error("Line too long (limit {limit} bytes)")]
    LineTooLong {
        /// The limit.
        limit: usize,
        /// `ActionID` of the rejected message, when one was read.
        action_id: Option<String>,
    },
    /// Too many headers.
    #[error("Too many headers (limit {limit})")]
    TooManyHeaders {
        /// The limit.
        limit: usize,
        /// `ActionID` of the rejected message, when one was read.
        action_id: Option<String>,
    },
    /// The message was too large.
    #[error("Message too large (limit {limit} bytes)")]
    MessageTooLarge {
        /// The limit.
        limit: usize,
        /// `ActionID` of the rejected message, when one was read.
        action_id: Option<String>,
    },
}

impl FrameError {
    /// The `ActionID` to echo in the error response.
    pub fn action_id(&self) -> Option<&str> {
        match self {
            Self::LineTooLong { action_id, .. }
            | Self::TooManyHeaders { action_id, .. }
            | Self::MessageTooLarge { action_id, .. } => action_id.as_deref(),
        }
    }

    fn with_action_id(mut self, id: Option<String>) -> Self {
        match &mut self {
            Self::LineTooLong { action_id, .. }
            | Self::TooManyHeaders { action_id, .. }
            | Self::MessageTooLarge { action_id, .. } => *action_id = id,
        }
        self
    }
}

/// Turns bytes into messages.
#[derive(Debug)]
pub struct Decoder {
    limits: Limits,
    buf: BytesMut,
    current: Message,
    size: usize,
    /// Dropping the rest of an over-long line.
    skipping_line: bool,
    /// The current message was rejected; the error is reported at its blank line.
    broken: Option<FrameError>,
}

impl Decoder {
    /// A decoder with these limits.
    pub fn new(limits: Limits) -> Self {
        Self {
            limits,
            buf: BytesMut::with_capacity(4096),
            current: Message::default(),
            size: 0,
            skipping_line: false,
            broken: None,
        }
    }

    /// Adds received bytes.
    pub fn feed(&mut self, bytes: &[u8]) {
        self.buf.extend_from_slice(bytes);
    }

    /// Bytes held (bounded by the line limit while no line ends).
    pub fn buffered(&self) -> usize {
        self.buf.len()
    }

    /// The next complete message; `Ok(None)` when more bytes are needed.
    pub fn next_message(&mut self) -> Result<Option<Message>, FrameError> {
        loop {
            let Some(nl) = self.buf.iter().position(|&b| b == b'\n') else {
                self.guard_partial_line();
                return Ok(None);
            };
            let line = self.buf.split_to(nl + 1);
            if std::mem::take(&mut self.skipping_line) {
                continue;
            }
            let text = trim_eol(&line);
            if text.len() > self.limits.max_line {
                self.reject(FrameError::LineTooLong { limit: self.limits.max_line, action_id: None });
                continue;
            }
            if let Some(done) = self.on_line(text) {
                return done;
            }
        }
    }

    /// A line with no end yet beyond the limit is dropped now, so the buffer stays bounded.
    fn guard_partial_line(&mut self) {
        if self.buf.len() > self.limits.max_line + 1 {
            self.buf.advance(self.buf.len());
            if !self.skipping_line {
                self.skipping_line = true;
                self.reject(FrameError::LineTooLong { limit: self.limits.max_line, action_id: None });
            }
        }
    }

    fn on_line(&mut self, text: &[u8]) -> Option<Result<Option<Message>, FrameError>> {
        if text.is_empty() {
            return self.end_of_message();
        }
        self.size += text.len() + 2;
        if self.size > self.limits.max_message {
            self.reject(FrameError::MessageTooLarge { limit: self.limits.max_message, action_id: None });
        } else if self.current.headers.len() >= self.limits.max_headers {
            self.reject(FrameError::TooManyHeaders { limit: self.limits.max_headers, action_id: None });
        }
        self.current.headers.push(split_header(&String::from_utf8_lossy(text)));
        if self.broken.is_some() {
            // Keep only what is needed to echo the ActionID.
            self.current.headers.retain(|(k, _)| k.eq_ignore_ascii_case("ActionID"));
        }
        None
    }

    fn end_of_message(&mut self) -> Option<Result<Option<Message>, FrameError>> {
        let msg = std::mem::take(&mut self.current);
        self.size = 0;
        if let Some(err) = self.broken.take() {
            let id = msg.get("ActionID").map(str::to_owned);
            return Some(Err(err.with_action_id(id)));
        }
        // Blank lines between messages are ignored.
        (!msg.headers.is_empty()).then_some(Ok(Some(msg)))
    }

    fn reject(&mut self, err: FrameError) {
        if self.broken.is_none() {
            self.broken = Some(err);
        }
    }
}

fn trim_eol(line: &[u8]) -> &[u8] {
    let line = line.strip_suffix(b"\n").unwrap_or(line);
    line.strip_suffix(b"\r").unwrap_or(line)
}

/// `Name: value` (Asterisk also accepts no blank after the colon). A line with no colon becomes a
/// header with an empty value.
fn split_header(line: &str) -> (String, String) {
    match line.split_once(':') {
        Some((k, v)) => (k.trim().to_owned(), v.trim_start().to_owned()),
        None => (line.trim().to_owned(), String::new()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn decode_all(input: &[u8]) -> Vec<Result<Message, FrameError>> {
        let mut d = Decoder::new(Limits::default());
        d.feed(input);
        let mut out = Vec::new();
        loop {
            match d.next_message() {
                Ok(Some(m)) => out.push(Ok(m)),
                Ok(None) => return out,
                Err(e) => out.push(Err(e)),
            }
        }
    }

    #[test]
    fn a_message_ends_at_the_empty_line() {
        let got = decode_all(b"Action: Ping\r\nActionID: 1\r\n\r\nAction: Logoff\r\n");
        assert_eq!(got.len(), 1);
        let m = got[0].as_ref().unwrap();
        assert_eq!(m.get("action"), Some("Ping"));
        assert_eq!(m.get("ActionID"), Some("1"));
    }

    #[test]
    fn bare_lf_and_missing_blank_after_colon_are_accepted() {
        let got = decode_all(b"Action:Ping\n\n");
        assert_eq!(got[0].as_ref().unwrap().get("Action"), Some("Ping"));
    }

    #[test]
    fn an_over_long_line_rejects_its_message_and_the_next_one_decodes() {
        let mut input = b"Action: Ping\r\nActionID: a1\r\nX: ".to_vec();
        input.extend(std::iter::repeat_n(b'x', 2048));
        input.extend_from_slice(b"\r\n\r\nAction: Ping\r\n\r\n");
        let got = decode_all(&input);
        assert_eq!(got.len(), 2);
        let err = got[0].as_ref().unwrap_err();
        assert!(matches!(err, FrameError::LineTooLong { limit: 1024, .. }));
        assert_eq!(err.action_id(), Some("a1"));
        assert_eq!(got[1].as_ref().unwrap().get("Action"), Some("Ping"));
    }

    #[test]
    fn garbage_without_line_ends_keeps_the_buffer_bounded() {
        let mut d = Decoder::new(Limits::default());
        for _ in 0..100 {
            d.feed(&[b'z'; 1000]);
            let _ = d.next_message();
            assert!(d.buffered() <= 1025 + 1000);
        }
        d.feed(b"\r\n\r\nAction: Ping\r\n\r\n");
        assert!(d.next_message().is_err());
        assert_eq!(d.next_message().unwrap().unwrap().get("Action"), Some("Ping"));
    }

    #[test]
    fn too_many_headers_is_an_error_for_that_message_only() {
        let mut input = Vec::new();
        for i in 0..200 {
            input.extend_from_slice(format!("H{i}: v\r\n").as_bytes());
        }
        input.extend_from_slice(b"\r\nAction: Ping\r\n\r\n");
        let got = decode_all(&input);
        assert!(matches!(got[0], Err(FrameError::TooManyHeaders { .. })));
        assert!(got[1].is_ok());
    }

    use proptest::strategy::Just;

    proptest::proptest! {
        #[test]
        fn decoding_is_independent_of_read_boundaries(split in 0usize..60) {
            let input = b"Action: Login\r\nUsername: a\r\nSecret: b\r\n\r\nAction: Ping\r\n\r\n";
            let split = split.min(input.len());
            let mut d = Decoder::new(Limits::default());
            d.feed(&input[..split]);
            let mut got = Vec::new();
            while let Ok(Some(m)) = d.next_message() { got.push(m); }
            d.feed(&input[split..]);
            while let Ok(Some(m)) = d.next_message() { got.push(m); }
            proptest::prop_assert_eq!(got.len(), 2);
        }

        #[test]
        fn arbitrary_bytes_decode_the_same_whatever_the_read_boundary(
            data in proptest::collection::vec(proptest::prop_oneof![
                Just(b'\r'), Just(b'\n'), Just(b':'), Just(b' '), Just(b'A'), proptest::num::u8::ANY
            ], 0..400),
            split in 0usize..400,
        ) {
            let limits = Limits { max_line: 16, max_headers: 4, max_message: 64 };
            let run = |chunks: &[&[u8]]| {
                let mut d = Decoder::new(limits);
                let mut out = Vec::new();
                for c in chunks {
                    d.feed(c);
                    loop {
                        match d.next_message() {
                            Ok(Some(m)) => out.push(Ok(m)),
                            Ok(None) => break,
                            Err(e) => out.push(Err(e)),
                        }
                    }
                }
                out
            };
            let split = split.min(data.len());
            proptest::prop_assert_eq!(run(&[&data]), run(&[&data[..split], &data[split..]]));
        }

        #[test]
        fn serialised_messages_parse_back(headers in proptest::collection::vec(("[A-Za-z][A-Za-z0-9-]{0,10}", "[ -~&&[^:]]{0,20}"), 1..10)) {
            let msg = Message { headers: headers.iter().map(|(k, v)| (k.clone(), v.trim_start().to_owned())).collect() };
            let mut d = Decoder::new(Limits::default());
            d.feed(&msg.to_wire());
            let back = d.next_message().unwrap().unwrap();
            let want: Vec<_> = msg.headers.iter().map(|(k, v)| (k.trim().to_owned(), v.clone())).collect();
            proptest::prop_assert_eq!(back.headers, want);
        }
    }
}
