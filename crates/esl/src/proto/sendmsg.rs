//! `sendmsg` bodies: the `call-command` and its headers, typed.

use super::command::{CommandError, MAX_ARG_OCTETS};
use super::frame::Frame;

/// What a `sendmsg` asks the channel to do.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum SendMsg {
    /// `call-command: execute`.
    Execute(Execute),
    /// `call-command: hangup` with its cause text (default NORMAL_CLEARING).
    Hangup(String),
    /// `xferext`: run these `(app, args)` as a transient extension (each `application: <app> <args>`
    /// header, in order), then hang up as FreeSWITCH does when an extension runs out.
    XferExt(Vec<(String, String)>),
    /// `unicast`: stream the channel's audio to a socket and play what comes back.
    Unicast(Unicast),
    /// `nomedia`: take the channel (`nomedia-uuid`, else the sendmsg's) and its bridged peer out of the
    /// media path (SIP media bypass, `uuid_media off`).
    NoMedia(Option<String>),
    /// A media feature Switchyard does not offer (the reason is in the text).
    Unsupported(String),
    /// No or unknown `call-command` (FreeSWITCH logs `Invalid Command!` and replies +OK).
    Invalid(String),
}

/// `call-command: execute`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Execute {
    /// `execute-app-name`.
    pub app: String,
    /// `execute-app-arg`, or the `text/plain` body.
    pub arg: String,
    /// `loops` (default 1; negative = forever).
    pub loops: i64,
    /// `event-lock: true`.
    pub event_lock: bool,
    /// `async: true`.
    pub asynchronous: bool,
    /// `Event-UUID` (becomes `Application-UUID`).
    pub event_uuid: Option<String>,
}

pub(super) fn parse_sendmsg(frame: &Frame) -> Result<SendMsg, CommandError> {
    let command = frame.header("call-command").unwrap_or("").to_ascii_lowercase();
    Ok(match command.as_str() {
        "execute" => SendMsg::Execute(parse_execute(frame)?),
        "hangup" => SendMsg::Hangup(frame.header("hangup-cause").unwrap_or("NORMAL_CLEARING").to_owned()),
        "xferext" => SendMsg::XferExt(parse_xferext(frame)),
        "unicast" => SendMsg::Unicast(parse_unicast(frame)?),
        "nomedia" => SendMsg::NoMedia(frame.header("nomedia-uuid").map(|u| u.trim().to_owned())),
        _ => SendMsg::Invalid(command),
    })
}

/// `call-command: unicast` with FreeSWITCH's defaults (local 127.0.0.1:8025, remote 127.0.0.1:8026, udp).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Unicast {
    /// `local-ip`:`local-port`: where Switchyard listens (udp) or binds before connecting (tcp).
    pub local: std::net::SocketAddr,
    /// `remote-ip`:`remote-port`: where the audio goes.
    pub remote: std::net::SocketAddr,
    /// `transport: tcp` (default udp).
    pub tcp: bool,
    /// `flags: native`: the channel's codec bytes instead of L16.
    pub native: bool,
}

fn parse_unicast(frame: &Frame) -> Result<Unicast, CommandError> {
    let addr = |ip: &str, port: &str, ip_default: &str, port_default: &str| {
        let ip = frame.header(ip).unwrap_or(ip_default).trim().to_owned();
        let port = frame.header(port).unwrap_or(port_default).trim().to_owned();
        let ip: std::net::IpAddr =
            ip.parse().map_err(|_| CommandError::BadMessage(format!("bad unicast ip '{ip}'")))?;
        let port: u16 = port.parse().map_err(|_| CommandError::BadMessage(format!("bad unicast port '{port}'")))?;
        Ok::<_, CommandError>(std::net::SocketAddr::new(ip, port))
    };
    let transport = frame.header("transport").unwrap_or("udp").trim().to_ascii_lowercase();
    if transport != "udp" && transport != "tcp" {
        return Err(CommandError::BadMessage(format!("bad unicast transport '{transport}'")));
    }
    Ok(Unicast {
        local: addr("local-ip", "local-port", "127.0.0.1", "8025")?,
        remote: addr("remote-ip", "remote-port", "127.0.0.1", "8026")?,
        tcp: transport == "tcp",
        native: frame.header("flags").is_some_and(|f| f.contains("native")),
    })
}

fn parse_execute(frame: &Frame) -> Result<Execute, CommandError> {
    let app = frame.header("execute-app-name").unwrap_or("").trim().to_owned();
    if app.is_empty() {
        return Err(CommandError::BadMessage("missing execute-app-name".into()));
    }
    let arg = match frame.header("execute-app-arg") {
        Some(a) if a.len() > MAX_ARG_OCTETS => return Err(CommandError::ArgTooLong),
        Some(a) => a.to_owned(),
        None => body_arg(frame),
    };
    Ok(Execute {
        app,
        arg,
        loops: frame.header("loops").and_then(|l| l.trim().parse().ok()).unwrap_or(1),
        event_lock: is_true(frame.header("event-lock")) || is_true(frame.header("event-lock-pri")),
        asynchronous: is_true(frame.header("async")),
        event_uuid: frame.header("event-uuid").map(str::to_owned),
    })
}

/// Every `application` header: the app name, then its arguments after the first space.
fn parse_xferext(frame: &Frame) -> Vec<(String, String)> {
    let apps = frame.headers.iter().filter(|(k, _)| k.eq_ignore_ascii_case("application"));
    apps.map(|(_, v)| {
        let (app, args) = v.trim().split_once(' ').unwrap_or((v.trim(), ""));
        (app.to_owned(), args.trim().to_owned())
    })
    .filter(|(app, _)| !app.is_empty())
    .collect()
}

fn body_arg(frame: &Frame) -> String {
    let plain = frame.header("content-type").is_some_and(|t| t.eq_ignore_ascii_case("text/plain"));
    match (&frame.body, plain) {
        (Some(body), true) => String::from_utf8_lossy(body).into_owned(),
        _ => String::new(),
    }
}

fn is_true(v: Option<&str>) -> bool {
    v.is_some_and(|v| v.trim().eq_ignore_ascii_case("true"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::proto::{Command, Decoder};

    fn msg(text: &str) -> Result<(Option<String>, SendMsg), CommandError> {
        let mut d = Decoder::default();
        d.feed(text.as_bytes());
        match Command::parse(d.next_frame().unwrap().unwrap())? {
            Command::SendMsg { uuid, msg } => Ok((uuid, msg)),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn execute_reads_app_arg_loops_lock_and_event_uuid() {
        let (uuid, m) =
            msg("sendmsg u1\ncall-command: execute\nexecute-app-name: playback\nexecute-app-arg: /tmp/a.wav\n\
             loops: 2\nevent-lock: true\nEvent-UUID: e1\n\n")
            .unwrap();
        assert_eq!(uuid.as_deref(), Some("u1"));
        let SendMsg::Execute(e) = m else { panic!() };
        assert_eq!((e.app.as_str(), e.arg.as_str(), e.loops, e.event_lock), ("playback", "/tmp/a.wav", 2, true));
        assert_eq!(e.event_uuid.as_deref(), Some("e1"));
    }

    #[test]
    fn a_long_argument_travels_in_a_text_plain_body() {
        let arg = "x".repeat(3000);
        let text = format!(
            "sendmsg\ncall-command: execute\nexecute-app-name: set\ncontent-type: text/plain\ncontent-length: {}\n\n{arg}",
            arg.len()
        );
        let (uuid, SendMsg::Execute(e)) = msg(&text).unwrap() else { panic!() };
        assert_eq!((uuid, e.arg), (None, arg));
    }

    #[test]
    fn an_argument_header_past_2048_octets_is_refused() {
        let text =
            format!("sendmsg\ncall-command: execute\nexecute-app-name: set\nexecute-app-arg: {}\n\n", "y".repeat(2049));
        assert_eq!(msg(&text), Err(CommandError::ArgTooLong));
    }

    #[test]
    fn xferext_lists_every_application_header_in_order() {
        let (_, m) =
            msg("sendmsg u\ncall-command: xferext\napplication: set foo=bar baz\napplication: park\n\n").unwrap();
        let want = vec![("set".to_owned(), "foo=bar baz".to_owned()), ("park".to_owned(), String::new())];
        assert_eq!(m, SendMsg::XferExt(want));
    }

    #[test]
    fn hangup_defaults_to_normal_clearing() {
        assert_eq!(msg("sendmsg u\ncall-command: hangup\n\n").unwrap().1, SendMsg::Hangup("NORMAL_CLEARING".into()));
    }
}
