//! Our thin wrapper over rsipstack's SIP parser: bytes in, a [`Message`] view out (start line, headers in
//! order, body). Framing (where the body ends) is ours, because rsipstack's parser gets it wrong: a UDP
//! datagram without Content-Length loses its body, and a Content-Length larger than the data is accepted.

mod build;
mod framing;
mod header;

use bytes::Bytes;
use rsipstack::sip as rsip;

pub use build::{AGENT, MessageBuilder, bad_request, is_request, reason, response_to};
pub use framing::{FrameError, frame_stream, skip_keepalive};
pub use header::{name_addr_uri, param, quoted_or_token, uri_host_port, uri_user};

/// Largest SIP message we accept (headers plus body).
pub const MAX_MESSAGE: usize = 64 * 1024;

/// How the message arrived: UDP datagrams may omit Content-Length, streams may not.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Transport {
    /// One datagram, one message.
    Udp,
    /// A byte stream framed by Content-Length.
    Tcp,
}

impl Transport {
    /// The Via transport token.
    pub fn via_token(self) -> &'static str {
        match self {
            Transport::Udp => "UDP",
            Transport::Tcp => "TCP",
        }
    }
}

/// The first line of a message.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum StartLine {
    /// `METHOD uri SIP/2.0`.
    Request {
        /// The method as written, upper-case.
        method: String,
        /// The Request-URI as written.
        uri: String,
        /// The user part of the Request-URI (empty when none).
        user: String,
    },
    /// `SIP/2.0 code reason`.
    Response {
        /// Status code.
        code: u16,
        /// Reason phrase.
        reason: String,
    },
}

/// A parsed SIP message: what the rest of the crate reads. Parsed once, per datagram or stream frame.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Message {
    /// Request or status line.
    pub start: StartLine,
    /// Headers in order, with compact names expanded (`i` → `Call-ID`).
    pub headers: Vec<(String, String)>,
    /// The body, exactly Content-Length bytes (or the rest of the datagram on UDP without one).
    pub body: Bytes,
}

/// Why bytes are not a SIP message.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum WireError {
    /// No blank line ends the headers.
    #[error("no end of headers (CRLF CRLF) in {0} bytes")]
    Unterminated(usize),
    /// Bigger than [`MAX_MESSAGE`].
    #[error("message of {0} bytes is larger than {MAX_MESSAGE}")]
    TooLarge(usize),
    /// Content-Length is not a number or says more than there is.
    #[error("bad Content-Length: {0}")]
    ContentLength(String),
    /// A header a request must have is missing.
    #[error("missing {0} header")]
    Missing(&'static str),
    /// rsipstack refused the start line or a header.
    #[error("unparsable message: {0}")]
    Syntax(String),
}

impl Message {
    /// Parses one whole message (a UDP datagram or a frame cut by [`frame_stream`]).
    pub fn parse(data: &[u8], transport: Transport) -> Result<Message, WireError> {
        if data.len() > MAX_MESSAGE {
            return Err(WireError::TooLarge(data.len()));
        }
        let head_end = framing::head_end(data).ok_or(WireError::Unterminated(data.len()))?;
        let body = framing::body_range(data, head_end, transport)?;
        let parsed = rsip::parser::parse_message(&data[..head_end]).map_err(|e| WireError::Syntax(e.to_string()))?;
        let (start, headers) = match parsed {
            rsip::SipMessage::Request(r) => {
                let user = r.uri.auth.as_ref().map(|a| a.user.clone()).unwrap_or_default();
                let method = r.method.to_string().to_ascii_uppercase();
                (StartLine::Request { method, uri: r.uri.to_string(), user }, r.headers)
            }
            rsip::SipMessage::Response(r) => {
                let code = r.status_code.code();
                let reason = r.wire_reason.clone().unwrap_or_else(|| r.status_code.text().to_owned());
                (StartLine::Response { code, reason }, r.headers)
            }
        };
        let headers = headers.iter().map(|h| (header::canonical_name(h.name()), h.value().trim().to_owned())).collect();
        let msg = Message { start, headers, body: Bytes::copy_from_slice(&data[body]) };
        msg.check()?;
        Ok(msg)
    }

    fn check(&self) -> Result<(), WireError> {
        for name in ["Via", "From", "To", "Call-ID", "CSeq"] {
            if self.header(name).is_none() {
                return Err(WireError::Missing(name));
            }
        }
        let cseq = self.header("CSeq").unwrap_or_default();
        let mut parts = cseq.split_whitespace();
        let ok = parts.next().is_some_and(|n| n.parse::<u32>().is_ok()) && parts.next().is_some();
        if !ok {
            return Err(WireError::Syntax(format!("CSeq '{cseq}'")));
        }
        Ok(())
    }

    /// The first header of that name (case-insensitive).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(n, _)| n.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }

    /// Every header of that name as written, lists not split (for WWW-Authenticate and the like,
    /// whose values contain commas).
    pub fn headers_named<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a str> + 'a {
        self.headers.iter().filter(move |(n, _)| n.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }

    /// Every value of that header, comma-separated lists split (for Via, Contact, Record-Route).
    pub fn header_values<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a str> + 'a {
        self.headers.iter().filter(move |(n, _)| n.eq_ignore_ascii_case(name)).flat_map(|(_, v)| header::split_list(v))
    }

    /// The request method, `None` for responses.
    pub fn method(&self) -> Option<&str> {
        match &self.start {
            StartLine::Request { method, .. } => Some(method),
            StartLine::Response { .. } => None,
        }
    }

    /// The status code, `None` for requests.
    pub fn code(&self) -> Option<u16> {
        match &self.start {
            StartLine::Response { code, .. } => Some(*code),
            StartLine::Request { .. } => None,
        }
    }

    /// Call-ID.
    pub fn call_id(&self) -> &str {
        self.header("Call-ID").unwrap_or_default()
    }

    /// CSeq number and method.
    pub fn cseq(&self) -> (u32, &str) {
        let v = self.header("CSeq").unwrap_or_default();
        let mut it = v.split_whitespace();
        let n = it.next().and_then(|n| n.parse().ok()).unwrap_or(0);
        (n, it.next().unwrap_or(""))
    }

    /// The top Via's branch parameter.
    pub fn branch(&self) -> &str {
        self.header_values("Via").next().and_then(|v| param(v, "branch")).unwrap_or_default()
    }

    /// The From tag.
    pub fn from_tag(&self) -> &str {
        self.header("From").and_then(|v| param(v, "tag")).unwrap_or_default()
    }

    /// The To tag.
    pub fn to_tag(&self) -> &str {
        self.header("To").and_then(|v| param(v, "tag")).unwrap_or_default()
    }

    /// The Content-Type, lower-cased, without parameters.
    pub fn content_type(&self) -> String {
        let v = self.header("Content-Type").unwrap_or_default();
        v.split(';').next().unwrap_or_default().trim().to_ascii_lowercase()
    }

    /// The Expires header as seconds.
    pub fn expires(&self) -> Option<u32> {
        self.header("Expires").and_then(|v| v.trim().parse().ok())
    }
}

#[cfg(test)]
mod tests;
