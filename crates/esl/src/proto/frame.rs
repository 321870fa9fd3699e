//! Client input framing: a command line, optional `Name: value` header lines, a blank line, then an
//! optional body of exactly `Content-Length` bytes. Checked against size limits before any parsing.

use bytes::{Buf, Bytes, BytesMut};

/// Size limits for client input.
#[derive(Clone, Copy, Debug)]
pub struct Limits {
    /// Largest header block (command line plus headers), in bytes.
    pub max_header_block: usize,
    /// Largest body (`Content-Length`), in bytes.
    pub max_body: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Self { max_header_block: 64 * 1024, max_body: 4 * 1024 * 1024 }
    }
}

/// One client message, not yet interpreted.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Frame {
    /// The first line (the command).
    pub line: String,
    /// Later `Name: value` lines in order (values not URL-decoded, as FreeSWITCH).
    pub headers: Vec<(String, String)>,
    /// The body, when a `Content-Length` header announced one.
    pub body: Option<Bytes>,
}

impl Frame {
    /// The first header named `name` (case-insensitive).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(k, _)| k.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }
}

/// Input the framer cannot accept. After one of these the stream cannot be resynchronised.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum FrameError {
    /// The header block grew past the limit before its blank line.
    #[error("header block longer than {limit} bytes")]
    HeaderTooLong {
        /// The limit.
        limit: usize,
    },
    /// `Content-Length` is not a number or is larger than allowed.
    #[error("Content-Length '{value}' out of range (limit {limit} bytes)")]
    BadContentLength {
        /// What the client sent.
        value: String,
        /// The limit.
        limit: usize,
    },
    /// The header block is not UTF-8.
    #[error("command is not valid UTF-8")]
    NotUtf8,
}

/// Splits a byte stream into frames. Feed bytes, then take frames until `Ok(None)`.
#[derive(Debug, Default)]
pub struct Decoder {
    buf: BytesMut,
    limits: Limits,
    /// Header block parsed, waiting for this many body bytes.
    pending: Option<(Frame, usize)>,
}

impl Decoder {
    /// A decoder with these limits.
    pub fn new(limits: Limits) -> Self {
        Self { buf: BytesMut::new(), limits, pending: None }
    }

    /// Adds received bytes.
    pub fn feed(&mut self, bytes: &[u8]) {
        self.buf.extend_from_slice(bytes);
    }

    /// The next complete frame; `Ok(None)` = more bytes are needed.
    pub fn next_frame(&mut self) -> Result<Option<Frame>, FrameError> {
        if self.pending.is_none() {
            self.skip_leading_blank_lines();
            let Some(end) = find_blank_line(&self.buf) else {
                return self.check_header_size().map(|()| None);
            };
            // The same limit whether or not the blank line arrived in the same read.
            if end.header_len > self.limits.max_header_block {
                return Err(FrameError::HeaderTooLong { limit: self.limits.max_header_block });
            }
            let head = self.buf.split_to(end.header_len);
            self.buf.advance(end.separator_len);
            let frame = parse_head(&head)?;
            let len = self.body_len(&frame)?;
            self.pending = Some((frame, len));
        }
        self.take_body()
    }

    fn take_body(&mut self) -> Result<Option<Frame>, FrameError> {
        let Some((_, len)) = &self.pending else { return Ok(None) };
        if self.buf.len() < *len {
            return Ok(None);
        }
        let (mut frame, len) = self.pending.take().expect("checked above");
        if len > 0 || frame.header("content-length").is_some() {
            frame.body = Some(self.buf.split_to(len).freeze());
        }
        Ok(Some(frame))
    }

    fn body_len(&self, frame: &Frame) -> Result<usize, FrameError> {
        let Some(value) = frame.header("content-length") else { return Ok(0) };
        let limit = self.limits.max_body;
        match value.trim().parse::<usize>() {
            Ok(n) if n <= limit => Ok(n),
            _ => Err(FrameError::BadContentLength { value: value.to_owned(), limit }),
        }
    }

    fn skip_leading_blank_lines(&mut self) {
        let n = self.buf.iter().take_while(|b| **b == b'\n' || **b == b'\r').count();
        self.buf.advance(n);
    }

    fn check_header_size(&self) -> Result<(), FrameError> {
        // Up to 4 buffered bytes may still turn out to be the `\r\n\r\n` separator.
        let limit = self.limits.max_header_block;
        if self.buf.len() > limit + 4 { Err(FrameError::HeaderTooLong { limit }) } else { Ok(()) }
    }
}

struct BlankLine {
    header_len: usize,
    separator_len: usize,
}

/// Finds the end of the header block: two `\n` with only `\r` between them (FreeSWITCH counts LFs
/// and ignores CRs, so `\r\n\r\n` also ends a block).
fn find_blank_line(buf: &[u8]) -> Option<BlankLine> {
    let mut last_lf: Option<usize> = None;
    for (i, &b) in buf.iter().enumerate() {
        match (b, last_lf) {
            (b'\n', Some(prev)) => {
                let header_len = buf[..prev].strip_suffix(b"\r").map_or(prev, <[u8]>::len);
                return Some(BlankLine { header_len, separator_len: i + 1 - header_len });
            }
            (b'\n', None) => last_lf = Some(i),
            (b'\r', _) => {}
            _ => last_lf = None,
        }
    }
    None
}

fn parse_head(head: &[u8]) -> Result<Frame, FrameError> {
    let text = std::str::from_utf8(head).map_err(|_| FrameError::NotUtf8)?;
    let mut lines = text.split('\n').map(|l| l.trim_end_matches('\r'));
    let line = lines.next().unwrap_or("").to_owned();
    let headers = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_owned(), v.trim_start().to_owned()))
        .collect();
    Ok(Frame { line, headers, body: None })
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn frames(input: &[u8]) -> Vec<Frame> {
        let mut d = Decoder::default();
        d.feed(input);
        std::iter::from_fn(|| d.next_frame().unwrap()).collect()
    }

    #[test]
    fn a_command_ends_at_a_blank_line() {
        let f = frames(b"api status\n\n");
        assert_eq!(f[0].line, "api status");
        assert!(f[0].headers.is_empty() && f[0].body.is_none());
    }

    #[test]
    fn crlf_framing_is_accepted() {
        let f = frames(b"auth x\r\n\r\napi status\r\n\r\n");
        assert_eq!([f[0].line.as_str(), f[1].line.as_str()], ["auth x", "api status"]);
    }

    #[test]
    fn headers_and_a_body_follow_the_command() {
        let f = frames(b"sendmsg abc\ncall-command: execute\ncontent-length: 5\n\nhello\nexit\n\n");
        assert_eq!(f[0].header("Call-Command"), Some("execute"));
        assert_eq!(f[0].body.as_deref(), Some(&b"hello"[..]));
        assert_eq!(f[1].line, "exit");
    }

    #[test]
    fn a_body_split_across_reads_waits_for_the_rest() {
        let mut d = Decoder::default();
        d.feed(b"sendevent CUSTOM\nContent-Length: 4\n\nab");
        assert_eq!(d.next_frame().unwrap(), None);
        d.feed(b"cd");
        assert_eq!(d.next_frame().unwrap().unwrap().body.as_deref(), Some(&b"abcd"[..]));
    }

    #[test]
    fn leading_blank_lines_are_skipped() {
        assert_eq!(frames(b"\n\n\nexit\n\n")[0].line, "exit");
    }

    #[test]
    fn an_endless_header_line_is_refused_at_the_limit() {
        let mut d = Decoder::new(Limits { max_header_block: 100, max_body: 10 });
        d.feed(&[b'a'; 105]);
        assert_eq!(d.next_frame(), Err(FrameError::HeaderTooLong { limit: 100 }));
    }

    #[test]
    fn a_header_block_past_the_limit_is_refused_even_when_complete() {
        let mut d = Decoder::new(Limits { max_header_block: 10, max_body: 10 });
        d.feed(b"api status and more\n\n");
        assert_eq!(d.next_frame(), Err(FrameError::HeaderTooLong { limit: 10 }));
    }

    #[test]
    fn a_content_length_past_the_limit_is_refused() {
        let mut d = Decoder::new(Limits { max_header_block: 100, max_body: 10 });
        d.feed(b"sendevent X\nContent-Length: 11\n\n");
        assert!(matches!(d.next_frame(), Err(FrameError::BadContentLength { .. })));
    }

    #[test]
    fn non_utf8_commands_are_refused() {
        let mut d = Decoder::default();
        d.feed(b"api \xff\xfe\n\n");
        assert_eq!(d.next_frame(), Err(FrameError::NotUtf8));
    }

    proptest! {
        #[test]
        fn any_split_of_the_input_gives_the_same_frames(split in 0usize..60) {
            let input = b"api status\n\nsendmsg\nContent-Length: 3\n\nabcevent plain ALL\n\n";
            let whole = frames(input);
            let mut d = Decoder::default();
            let split = split.min(input.len());
            d.feed(&input[..split]);
            let mut got: Vec<Frame> = std::iter::from_fn(|| d.next_frame().unwrap()).collect();
            d.feed(&input[split..]);
            got.extend(std::iter::from_fn(|| d.next_frame().unwrap()));
            prop_assert_eq!(got, whole);
        }

        #[test]
        fn arbitrary_bytes_never_panic(data in proptest::collection::vec(any::<u8>(), 0..512)) {
            let mut d = Decoder::new(Limits { max_header_block: 128, max_body: 64 });
            d.feed(&data);
            while let Ok(Some(_)) = d.next_frame() {}
        }
    }
}
