//! Where a SIP message's head and body end: CRLF CRLF, then Content-Length bytes (RFC 3261 §18.3).
//! A stream must carry Content-Length; a datagram without one has its body run to the datagram's end.

use std::ops::Range;

use super::{MAX_MESSAGE, Transport, WireError};

/// The offset just past the blank line that ends the headers.
pub(crate) fn head_end(data: &[u8]) -> Option<usize> {
    data.windows(4).position(|w| w == b"\r\n\r\n").map(|p| p + 4)
}

/// The Content-Length header's value in a head, if present (compact form `l` too).
fn content_length(head: &[u8]) -> Result<Option<usize>, WireError> {
    for line in head.split(|&b| b == b'\n') {
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        let Some(colon) = line.iter().position(|&b| b == b':') else { continue };
        let name = line[..colon].trim_ascii();
        if name.eq_ignore_ascii_case(b"content-length") || name.eq_ignore_ascii_case(b"l") {
            let value = String::from_utf8_lossy(line[colon + 1..].trim_ascii()).into_owned();
            return value.parse::<usize>().map(Some).map_err(|_| WireError::ContentLength(value));
        }
    }
    Ok(None)
}

/// The body's byte range in a whole message whose head ends at `head_end`.
pub(crate) fn body_range(data: &[u8], head_end: usize, transport: Transport) -> Result<Range<usize>, WireError> {
    let available = data.len() - head_end;
    match (content_length(&data[..head_end])?, transport) {
        (Some(n), _) if n > available => {
            Err(WireError::ContentLength(format!("{n} but only {available} bytes follow the headers")))
        }
        (Some(n), _) => Ok(head_end..head_end + n),
        (None, Transport::Udp) => Ok(head_end..data.len()),
        (None, Transport::Tcp) => Err(WireError::ContentLength("missing on a stream".into())),
    }
}

/// Why a stream cannot be framed: the connection should be closed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FrameError {
    /// The head or the announced message is larger than we accept.
    #[error("message larger than {MAX_MESSAGE} bytes")]
    TooLarge,
    /// Content-Length is missing or not a number.
    #[error("{0}")]
    Bad(WireError),
}

/// Cuts the first whole message off a stream buffer: `Ok(Some(len))` when `buf[..len]` is one message,
/// `Ok(None)` when more bytes are needed. Blank lines between messages (keep-alives) are skipped by
/// the caller via [`skip_keepalive`].
pub fn frame_stream(buf: &[u8]) -> Result<Option<usize>, FrameError> {
    let Some(end) = head_end(buf) else {
        return if buf.len() > MAX_MESSAGE { Err(FrameError::TooLarge) } else { Ok(None) };
    };
    let len = content_length(&buf[..end]).map_err(FrameError::Bad)?;
    let len = len.ok_or(FrameError::Bad(WireError::ContentLength("missing on a stream".into())))?;
    if end + len > MAX_MESSAGE {
        return Err(FrameError::TooLarge);
    }
    Ok((buf.len() >= end + len).then_some(end + len))
}

/// How many leading CR/LF bytes (RFC 5626 keep-alives) a stream buffer starts with.
pub fn skip_keepalive(buf: &[u8]) -> usize {
    buf.iter().take_while(|&&b| b == b'\r' || b == b'\n').count()
}
