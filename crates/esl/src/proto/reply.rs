//! Encoders for the frames the server sends that are not events: greeting, replies, api responses,
//! disconnect notices.

use bytes::{BufMut, BytesMut};

/// The body FreeSWITCH sends when it closes a connection.
pub const GOODBYE: &str = "Disconnected, goodbye.\nSee you at ClueCon! http://www.cluecon.com/\n";

/// `Content-Type: auth/request`.
pub fn auth_request(out: &mut BytesMut) {
    out.put_slice(b"Content-Type: auth/request\n\n");
}

/// `Content-Type: command/reply` with `Reply-Text`.
pub fn command_reply(text: &str, out: &mut BytesMut) {
    command_reply_with(text, &[], out);
}

/// A command reply with extra headers after `Reply-Text` (bgapi, userauth).
pub fn command_reply_with(text: &str, extra: &[(&str, &str)], out: &mut BytesMut) {
    out.put_slice(b"Content-Type: command/reply\nReply-Text: ");
    out.put_slice(one_line(text).as_bytes());
    out.put_u8(b'\n');
    for (k, v) in extra {
        put_header(out, k, v);
    }
    out.put_u8(b'\n');
}

/// `Content-Type: api/response` with the output as body.
pub fn api_response(body: &str, out: &mut BytesMut) {
    out.put_slice(b"Content-Type: api/response\n");
    put_header(out, "Content-Length", &body.len().to_string());
    out.put_u8(b'\n');
    out.put_slice(body.as_bytes());
}

/// `text/disconnect-notice`; with a controlled session, its uuid and `Content-Disposition: disconnect`.
pub fn disconnect_notice(session: Option<&str>, body: &str, out: &mut BytesMut) {
    out.put_slice(b"Content-Type: text/disconnect-notice\n");
    if let Some(uuid) = session {
        put_header(out, "Controlled-Session-UUID", uuid);
        put_header(out, "Content-Disposition", "disconnect");
    }
    put_header(out, "Content-Length", &body.len().to_string());
    out.put_u8(b'\n');
    out.put_slice(body.as_bytes());
}

/// The linger notice sent once when a controlled channel hangs up and the socket lingers.
pub fn linger_notice(session: &str, channel_name: &str, linger_secs: Option<u32>, out: &mut BytesMut) {
    out.put_slice(b"Content-Type: text/disconnect-notice\n");
    put_header(out, "Controlled-Session-UUID", session);
    put_header(out, "Content-Disposition", "linger");
    put_header(out, "Channel-Name", channel_name);
    put_header(out, "Linger-Time", &linger_secs.map_or("-1".to_owned(), |s| s.to_string()));
    out.put_slice(b"Content-Length: 0\n\n");
}

/// A `log/data` frame (mod_event_socket.c's header order).
pub fn log_data(level: u8, file: &str, func: &str, line: u32, text: &str, out: &mut BytesMut) {
    out.put_slice(b"Content-Type: log/data\n");
    put_header(out, "Content-Length", &text.len().to_string());
    put_header(out, "Log-Level", &level.to_string());
    put_header(out, "Text-Channel", "3");
    put_header(out, "Log-File", file);
    put_header(out, "Log-Func", func);
    put_header(out, "Log-Line", &line.to_string());
    put_header(out, "User-Data", "");
    out.put_u8(b'\n');
    out.put_slice(text.as_bytes());
}

/// The ACL rejection (`text/rude-rejection`).
pub fn rude_rejection(out: &mut BytesMut) {
    out.put_slice(b"Content-Type: text/rude-rejection\nContent-Length: 24\n\nAccess Denied, go away.\n");
}

fn put_header(out: &mut BytesMut, name: &str, value: &str) {
    out.put_slice(name.as_bytes());
    out.put_slice(b": ");
    out.put_slice(one_line(value).as_bytes());
    out.put_u8(b'\n');
}

/// Header values must not break the framing: anything after a line break is dropped.
fn one_line(text: &str) -> &str {
    text.split(['\n', '\r']).next().unwrap_or("")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bytes(f: impl FnOnce(&mut BytesMut)) -> String {
        let mut out = BytesMut::new();
        f(&mut out);
        String::from_utf8(out.to_vec()).unwrap()
    }

    #[test]
    fn exit_closes_with_the_goodbye_notice_of_67_bytes() {
        assert_eq!(GOODBYE.len(), 67);
        assert_eq!(
            bytes(|o| disconnect_notice(None, GOODBYE, o)),
            format!("Content-Type: text/disconnect-notice\nContent-Length: 67\n\n{GOODBYE}")
        );
    }

    #[test]
    fn bgapi_reply_repeats_the_job_uuid_as_a_header() {
        assert_eq!(
            bytes(|o| command_reply_with("+OK Job-UUID: j1", &[("Job-UUID", "j1")], o)),
            "Content-Type: command/reply\nReply-Text: +OK Job-UUID: j1\nJob-UUID: j1\n\n"
        );
    }

    #[test]
    fn api_response_counts_bytes_not_characters() {
        assert_eq!(bytes(|o| api_response("é\n", o)), "Content-Type: api/response\nContent-Length: 3\n\né\n");
    }

    #[test]
    fn a_reply_text_cannot_smuggle_a_blank_line() {
        assert_eq!(
            bytes(|o| command_reply("-ERR x\n\nEvil: 1", o)),
            "Content-Type: command/reply\nReply-Text: -ERR x\n\n"
        );
    }
}
