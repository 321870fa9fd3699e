//! Events that make SIP send a request, as FreeSWITCH's mod_sofia reacts to them (ESL `sendevent`):
//! `SEND_MESSAGE` → MESSAGE, `NOTIFY` → NOTIFY with the given `event-string`, `MESSAGE_WAITING` →
//! NOTIFY `Event: message-summary` with an RFC 3842 body. Sans-io: event headers in, what to send
//! out; the driver finds where the user is registered.
//!
//! Headers read (names case-insensitive, as mod_sofia's):
//! - `SEND_MESSAGE`: `to_uri` or `to` (`user@host` or a SIP URI) or `user`+`host`; `from_uri` or
//!   `from`; `content-type` (default `text/plain`), `subject`; body = the text.
//! - `NOTIFY`: `event-string` (required), `user`, `host`, `to-uri`, `from-uri`, `content-type`,
//!   `call-id`, `extra-headers` (`Name: value` lines), `no-sub-state` (no Subscription-State
//!   header; otherwise `terminated;reason=noresource`, as for an unsolicited NOTIFY); body.
//! - Both: `uuid` names a channel whose SIP call carries the request inside its dialog (no target
//!   needed then).
//! - `MESSAGE_WAITING`: `MWI-Message-Account` (`sip:1000@host` or `1000@host`, required),
//!   `MWI-Messages-Waiting` (`yes`/`no`), then any other `MWI-*` header becomes a body line without
//!   the prefix (`MWI-Voice-Message: 2/0 (0/0)` → `Voice-Message: 2/0 (0/0)`).

/// A request to send to a user or URI.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Outgoing {
    /// `MESSAGE` or `NOTIFY`.
    pub method: &'static str,
    /// The target URI (`sip:1000@host`); its user is looked up among registrations first.
    pub to: String,
    /// The From URI.
    pub from: String,
    /// Call-ID asked for, if any.
    pub call_id: Option<String>,
    /// The channel whose call carries the request (`uuid` header): sent inside its dialog.
    pub uuid: Option<String>,
    /// Headers besides the base ones.
    pub headers: Vec<(String, String)>,
    /// Content-Type.
    pub content_type: String,
    /// Body.
    pub body: String,
}

/// Why an event cannot be sent.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SendEventError {
    /// A header it needs is missing.
    #[error("{event}: missing header '{header}'")]
    Missing {
        /// Event name.
        event: &'static str,
        /// Header name.
        header: &'static str,
    },
}

/// Where to send for a user who is not registered: the URI's address when it is an IP and not one of
/// our listeners (`user@<our address>` is a local user who is simply not registered).
pub fn direct_target(
    uri: &str,
    ours: &[(crate::wire::Transport, std::net::SocketAddr)],
) -> Result<std::net::SocketAddr, &'static str> {
    let (host, port) = crate::wire::uri_host_port(uri);
    let ip = host.parse::<std::net::IpAddr>().map_err(|_| "is not registered and has no IP address")?;
    if ours.iter().any(|(_, a)| a.ip() == ip && port.is_none_or(|p| p == a.port())) {
        return Err("is not registered");
    }
    Ok(std::net::SocketAddr::new(ip, port.unwrap_or(5060)))
}

fn get<'a>(headers: &'a [(String, String)], name: &str) -> Option<&'a str> {
    headers.iter().find(|(k, _)| k.eq_ignore_ascii_case(name)).map(|(_, v)| v.trim()).filter(|v| !v.is_empty())
}

/// `sip:` in front of a `user@host` (a SIP URI is kept).
fn as_uri(v: &str) -> String {
    let lower = v.to_ascii_lowercase();
    if lower.starts_with("sip:") || lower.starts_with("sips:") { v.to_owned() } else { format!("sip:{v}") }
}

/// `sip:user@host` from the `user` and `host` headers (host defaulting to ours).
fn user_host(headers: &[(String, String)], local_host: &str) -> Option<String> {
    let user = get(headers, "user")?;
    Some(format!("sip:{user}@{}", get(headers, "host").unwrap_or(local_host)))
}

/// What to send for the event `name`; `Ok(None)` when the event is not one SIP acts on.
pub fn outgoing(
    name: &str,
    headers: &[(String, String)],
    body: Option<&str>,
    local_host: &str,
) -> Result<Option<Outgoing>, SendEventError> {
    let body = body.unwrap_or_default().to_owned();
    let out = match name {
        "SEND_MESSAGE" => send_message(headers, body, local_host)?,
        "NOTIFY" => notify(headers, body, local_host)?,
        "MESSAGE_WAITING" => message_waiting(headers)?,
        _ => return Ok(None),
    };
    Ok(Some(out))
}

fn send_message(headers: &[(String, String)], body: String, local_host: &str) -> Result<Outgoing, SendEventError> {
    let missing = SendEventError::Missing { event: "SEND_MESSAGE", header: "to" };
    let uuid = get(headers, "uuid").map(str::to_owned);
    let to = get(headers, "to_uri")
        .or_else(|| get(headers, "to"))
        .map(as_uri)
        .or_else(|| user_host(headers, local_host))
        .or_else(|| uuid.as_ref().map(|_| String::new()))
        .ok_or(missing)?;
    let from = get(headers, "from_uri")
        .or_else(|| get(headers, "from"))
        .map(as_uri)
        .unwrap_or_else(|| format!("sip:switchyard@{local_host}"));
    let mut extra = Vec::new();
    if let Some(subject) = get(headers, "subject") {
        extra.push(("Subject".to_owned(), subject.to_owned()));
    }
    let content_type = get(headers, "content-type").unwrap_or("text/plain").to_owned();
    Ok(Outgoing { method: "MESSAGE", to, from, call_id: None, uuid, headers: extra, content_type, body })
}

fn notify(headers: &[(String, String)], body: String, local_host: &str) -> Result<Outgoing, SendEventError> {
    let event =
        get(headers, "event-string").ok_or(SendEventError::Missing { event: "NOTIFY", header: "event-string" })?;
    let uuid = get(headers, "uuid").map(str::to_owned);
    let to = get(headers, "to-uri")
        .map(as_uri)
        .or_else(|| user_host(headers, local_host))
        .or_else(|| uuid.as_ref().map(|_| String::new()))
        .ok_or(SendEventError::Missing { event: "NOTIFY", header: "user" })?;
    let from = get(headers, "from-uri").map(as_uri).unwrap_or_else(|| to.clone());
    let mut extra = vec![("Event".to_owned(), event.to_owned())];
    if get(headers, "no-sub-state").is_none() {
        extra.push(("Subscription-State".to_owned(), "terminated;reason=noresource".to_owned()));
    }
    for line in get(headers, "extra-headers").unwrap_or_default().lines() {
        if let Some((k, v)) = line.split_once(':')
            && !k.trim().is_empty()
            && !k.contains(char::is_whitespace)
        {
            extra.push((k.trim().to_owned(), v.trim().to_owned()));
        }
    }
    let content_type = get(headers, "content-type").unwrap_or_default().to_owned();
    let call_id = get(headers, "call-id").map(str::to_owned);
    Ok(Outgoing { method: "NOTIFY", to, from, call_id, uuid, headers: extra, content_type, body })
}

/// The RFC 3842 `application/simple-message-summary` body of a `MESSAGE_WAITING` event.
pub fn mwi_body(waiting: bool, account: &str, headers: &[(String, String)]) -> String {
    let mut body =
        format!("Messages-Waiting: {}\r\nMessage-Account: {account}\r\n", if waiting { "yes" } else { "no" });
    for (k, v) in headers {
        let Some(rest) = k.strip_prefix("MWI-").or_else(|| k.strip_prefix("mwi-")) else { continue };
        if !rest.eq_ignore_ascii_case("Messages-Waiting") && !rest.eq_ignore_ascii_case("Message-Account") {
            body.push_str(&format!("{rest}: {}\r\n", v.trim()));
        }
    }
    body
}

fn message_waiting(headers: &[(String, String)]) -> Result<Outgoing, SendEventError> {
    let missing = SendEventError::Missing { event: "MESSAGE_WAITING", header: "MWI-Message-Account" };
    let account = get(headers, "MWI-Message-Account").map(as_uri).ok_or(missing)?;
    let waiting = get(headers, "MWI-Messages-Waiting").is_some_and(|v| v.eq_ignore_ascii_case("yes"));
    let body = mwi_body(waiting, &account, headers);
    let extra = vec![
        ("Event".to_owned(), "message-summary".to_owned()),
        ("Subscription-State".to_owned(), "terminated;reason=noresource".to_owned()),
    ];
    Ok(Outgoing {
        method: "NOTIFY",
        to: account.clone(),
        from: account,
        call_id: None,
        uuid: None,
        headers: extra,
        content_type: "application/simple-message-summary".to_owned(),
        body,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn h(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
    }

    #[test]
    fn send_message_targets() {
        let hs = h(&[("profile", "internal"), ("to", "1000@10.0.0.1"), ("from", "2000@10.0.0.1")]);
        let o = outgoing("SEND_MESSAGE", &hs, Some("hi"), "127.0.0.1").unwrap().unwrap();
        assert_eq!((o.method, o.to.as_str(), o.from.as_str()), ("MESSAGE", "sip:1000@10.0.0.1", "sip:2000@10.0.0.1"));
        assert_eq!((o.content_type.as_str(), o.body.as_str()), ("text/plain", "hi"));
        let hs = h(&[("to_uri", "sip:1001@h:5070"), ("user", "1000"), ("content-type", "text/html")]);
        let o = outgoing("SEND_MESSAGE", &hs, None, "127.0.0.1").unwrap().unwrap();
        assert_eq!((o.to.as_str(), o.content_type.as_str()), ("sip:1001@h:5070", "text/html"));
        let o = outgoing("SEND_MESSAGE", &h(&[("User", "1000")]), None, "127.0.0.1").unwrap().unwrap();
        assert_eq!((o.to.as_str(), o.from.as_str()), ("sip:1000@127.0.0.1", "sip:switchyard@127.0.0.1"));
        let err = outgoing("SEND_MESSAGE", &h(&[("profile", "internal")]), None, "h").unwrap_err();
        assert_eq!(err.to_string(), "SEND_MESSAGE: missing header 'to'");
        assert_eq!(outgoing("CUSTOM", &[], None, "h"), Ok(None));
    }

    #[test]
    fn unregistered_targets() {
        let ours = [(crate::wire::Transport::Udp, "127.0.0.1:5080".parse().unwrap())];
        assert_eq!(direct_target("sip:1000@127.0.0.1", &ours), Err("is not registered"));
        assert_eq!(direct_target("sip:1000@127.0.0.1:5080", &ours), Err("is not registered"));
        assert_eq!(direct_target("sip:1000@127.0.0.1:5090", &ours), Ok("127.0.0.1:5090".parse().unwrap()));
        assert_eq!(direct_target("sip:1000@10.0.0.9", &ours), Ok("10.0.0.9:5060".parse().unwrap()));
        assert!(direct_target("sip:1000@pbx.example", &ours).is_err());
    }

    #[test]
    fn notify_headers() {
        let hs = h(&[
            ("event-string", "check-sync;reboot=false"),
            ("user", "1000"),
            ("host", "10.0.0.1"),
            ("content-type", "application/simple-message-summary"),
            ("extra-headers", "X-A: 1\nbad line\nX-B:2"),
        ]);
        let o = outgoing("NOTIFY", &hs, Some("OK"), "h").unwrap().unwrap();
        assert_eq!(o.to, "sip:1000@10.0.0.1");
        assert_eq!(o.headers[0], ("Event".to_owned(), "check-sync;reboot=false".to_owned()));
        assert_eq!(o.headers[1].0, "Subscription-State");
        assert_eq!(&o.headers[2..], &h(&[("X-A", "1"), ("X-B", "2")]));
        let hs = h(&[("event-string", "talk"), ("to-uri", "sip:1@h"), ("no-sub-state", "true")]);
        let o = outgoing("NOTIFY", &hs, None, "h").unwrap().unwrap();
        assert_eq!(o.headers, h(&[("Event", "talk")]));
        assert!(outgoing("NOTIFY", &h(&[("user", "1000")]), None, "h").is_err());
        // Inside a call: no target needed.
        let o = outgoing("NOTIFY", &h(&[("event-string", "talk"), ("uuid", "u-1")]), None, "h").unwrap().unwrap();
        assert_eq!((o.uuid.as_deref(), o.to.as_str()), (Some("u-1"), ""));
        let o = outgoing("SEND_MESSAGE", &h(&[("uuid", "u-2")]), Some("hi"), "h").unwrap().unwrap();
        assert_eq!(o.uuid.as_deref(), Some("u-2"));
    }

    #[test]
    fn mwi_summary_body() {
        // RFC 3842 §5 body lines: Messages-Waiting, Message-Account, then the message-class lines.
        let hs = h(&[
            ("MWI-Messages-Waiting", "yes"),
            ("MWI-Message-Account", "sip:1000@10.0.0.1"),
            ("MWI-Voice-Message", "2/0 (0/0)"),
        ]);
        let o = outgoing("MESSAGE_WAITING", &hs, None, "h").unwrap().unwrap();
        assert_eq!(o.to, "sip:1000@10.0.0.1");
        assert_eq!(o.content_type, "application/simple-message-summary");
        assert_eq!(o.headers[0], ("Event".to_owned(), "message-summary".to_owned()));
        assert_eq!(
            o.body,
            "Messages-Waiting: yes\r\nMessage-Account: sip:1000@10.0.0.1\r\nVoice-Message: 2/0 (0/0)\r\n"
        );
        let o = outgoing("MESSAGE_WAITING", &h(&[("MWI-Message-Account", "1000@h")]), None, "h").unwrap().unwrap();
        assert_eq!(o.body, "Messages-Waiting: no\r\nMessage-Account: sip:1000@h\r\n");
    }
}
