//! Writing SIP messages: a response to a request (Via/From/To/Call-ID/CSeq copied, To tag added) or a
//! request from scratch. Content-Length is always written.

use std::fmt::Write as _;

use bytes::Bytes;

use super::{Message, StartLine};

/// Our User-Agent / Server header value.
pub const AGENT: &str = concat!("Switchyard ", env!("CARGO_PKG_VERSION"));

/// A message being written.
#[derive(Debug)]
pub struct MessageBuilder {
    text: String,
    body: Option<(String, Bytes)>,
}

impl MessageBuilder {
    /// A request line.
    pub fn request(method: &str, uri: &str) -> Self {
        Self { text: format!("{method} {uri} SIP/2.0\r\n"), body: None }
    }

    /// A status line.
    pub fn status(code: u16, reason: &str) -> Self {
        Self { text: format!("SIP/2.0 {code} {reason}\r\n"), body: None }
    }

    /// Adds a header.
    pub fn header(mut self, name: &str, value: impl std::fmt::Display) -> Self {
        let _ = write!(self.text, "{name}: {value}\r\n");
        self
    }

    /// Sets the body and its Content-Type.
    pub fn body(mut self, content_type: &str, body: impl Into<Bytes>) -> Self {
        self.body = Some((content_type.to_owned(), body.into()));
        self
    }

    /// The bytes to send.
    pub fn finish(mut self) -> Bytes {
        let body = match self.body.take() {
            Some((ct, body)) => {
                let _ = write!(self.text, "Content-Type: {ct}\r\n");
                body
            }
            None => Bytes::new(),
        };
        let _ = write!(self.text, "Content-Length: {}\r\n\r\n", body.len());
        let mut out = self.text.into_bytes();
        out.extend_from_slice(&body);
        Bytes::from(out)
    }
}

/// The standard reason phrase for the codes we send.
pub fn reason(code: u16) -> &'static str {
    match code {
        100 => "Trying",
        180 => "Ringing",
        183 => "Session Progress",
        200 => "OK",
        202 => "Accepted",
        400 => "Bad Request",
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "Not Found",
        405 => "Method Not Allowed",
        408 => "Request Timeout",
        415 => "Unsupported Media Type",
        480 => "Temporarily Unavailable",
        481 => "Call/Transaction Does Not Exist",
        484 => "Address Incomplete",
        486 => "Busy Here",
        487 => "Request Terminated",
        488 => "Not Acceptable Here",
        500 => "Server Internal Error",
        501 => "Not Implemented",
        502 => "Bad Gateway",
        503 => "Service Unavailable",
        504 => "Server Time-out",
        600 => "Busy Everywhere",
        603 => "Decline",
        604 => "Does Not Exist Anywhere",
        _ => "Unknown",
    }
}

/// A response to `req` with `code`: Via, From, Call-ID and CSeq copied; To copied with `to_tag` added
/// when it has none (and a tag is given).
pub fn response_to(req: &Message, code: u16, to_tag: Option<&str>) -> MessageBuilder {
    let mut b = MessageBuilder::status(code, reason(code));
    for (name, value) in &req.headers {
        if name.eq_ignore_ascii_case("Via") {
            b = b.header("Via", value);
        }
    }
    b = b.header("From", req.header("From").unwrap_or_default());
    let to = req.header("To").unwrap_or_default();
    b = match to_tag {
        Some(tag) if req.to_tag().is_empty() => b.header("To", format_args!("{to};tag={tag}")),
        _ => b.header("To", to),
    };
    b.header("Call-ID", req.call_id()).header("CSeq", req.header("CSeq").unwrap_or_default()).header("Server", AGENT)
}

/// Whether `msg` is a request with this method.
pub fn is_request(msg: &Message, method: &str) -> bool {
    matches!(&msg.start, StartLine::Request { method: m, .. } if m == method)
}

/// A 400 for bytes that did not parse, when they look enough like a request to answer: a request
/// line and the Via, From, To, Call-ID and CSeq headers, found by a plain line split. `None` means
/// drop the bytes (a response, or too broken to answer).
pub fn bad_request(data: &[u8], why: &str) -> Option<Bytes> {
    let text = std::str::from_utf8(data.get(..data.len().min(super::MAX_MESSAGE))?).ok()?;
    let head = text.split("\r\n\r\n").next()?;
    let mut lines = head.split("\r\n");
    let first = lines.next()?;
    if first.starts_with("SIP/") || !first.ends_with("SIP/2.0") || first.starts_with("ACK ") {
        return None;
    }
    let mut found: Vec<(&str, &str)> = Vec::new();
    for line in lines {
        let (name, value) = line.split_once(':')?;
        let name = match name.trim() {
            "v" => "Via",
            "f" => "From",
            "t" => "To",
            "i" => "Call-ID",
            n => n,
        };
        found.push((name, value.trim()));
    }
    let get = |n: &str| found.iter().find(|(k, _)| k.eq_ignore_ascii_case(n)).map(|(_, v)| *v);
    let reason: String = why.chars().filter(|c| !c.is_control()).take(100).collect();
    let mut b = MessageBuilder::status(400, &format!("Bad Request ({reason})"));
    for (k, v) in &found {
        if k.eq_ignore_ascii_case("Via") {
            b = b.header("Via", v);
        }
    }
    for n in ["From", "To", "Call-ID", "CSeq"] {
        b = b.header(n, get(n)?);
    }
    Some(b.header("Server", AGENT).finish())
}
