//! SIP registrar events (published by the SIP crate as FreeSWITCH-style `sofia::*` custom events) as
//! Asterisk's AMI shows registrations: `ContactStatus` (`Created` when a contact registers, `Removed` when
//! it is removed or expires), `PeerStatus` (chan_pjsip: `Reachable` / `Unreachable`) and the security events
//! `InvalidAccountID` and `ChallengeResponseFailed` for failed authentication.

use super::event::AmiEvent;
use super::privilege::Privilege;

fn header<'a>(headers: &'a [(String, String)], name: &str) -> &'a str {
    headers.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str()).unwrap_or_default()
}

/// The AMI events for a `sofia::*` registrar event; `None` for other custom events.
pub fn render(name: &str, headers: &[(String, String)]) -> Option<Vec<AmiEvent>> {
    let user = header(headers, "username");
    match name {
        "sofia::register" => Some(vec![contact_status(headers, "Created"), peer_status(user, "Reachable")]),
        "sofia::unregister" | "sofia::expire" => {
            Some(vec![contact_status(headers, "Removed"), peer_status(user, "Unreachable")])
        }
        "sofia::register_failure" => {
            let kind = match header(headers, "reason") {
                "unknown user" => "InvalidAccountID",
                "wrong password" => "ChallengeResponseFailed",
                _ => return None,
            };
            let mut e = AmiEvent::new(kind, Privilege::SECURITY);
            e.push("Severity", "Error").push("Service", "PJSIP").push("EventVersion", "1");
            e.push("AccountID", header(headers, "to-user"));
            let remote = format!("IPV4/UDP/{}/{}", header(headers, "network-ip"), header(headers, "network-port"));
            e.push("RemoteAddress", remote);
            Some(vec![e])
        }
        _ => None,
    }
}

fn contact_status(headers: &[(String, String)], status: &str) -> AmiEvent {
    let user = header(headers, "username");
    let mut e = AmiEvent::new("ContactStatus", Privilege::SYSTEM);
    e.push("URI", header(headers, "contact")).push("ContactStatus", status);
    e.push("AOR", user).push("EndpointName", user).push("RoundtripUsec", "0");
    if status == "Created" {
        e.push("UserAgent", header(headers, "user-agent"));
    }
    e
}

fn peer_status(user: &str, status: &str) -> AmiEvent {
    let mut e = AmiEvent::new("PeerStatus", Privilege::SYSTEM);
    e.push("ChannelType", "PJSIP").push("Peer", format!("PJSIP/{user}")).push("PeerStatus", status);
    e
}

#[cfg(test)]
mod tests {
    use super::*;

    fn h(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
    }

    #[test]
    fn registrations_become_peer_status_and_failures_security_events() {
        let reg = render("sofia::register", &h(&[("username", "1000"), ("contact", "sip:1000@h")])).unwrap();
        assert_eq!((reg[0].get("URI"), reg[0].get("ContactStatus")), (Some("sip:1000@h"), Some("Created")));
        assert_eq!((reg[1].get("Peer"), reg[1].get("PeerStatus")), (Some("PJSIP/1000"), Some("Reachable")));
        let gone = render("sofia::expire", &h(&[("username", "1000")])).unwrap();
        assert_eq!(gone[0].get("ContactStatus"), Some("Removed"));
        assert_eq!(gone[1].get("PeerStatus"), Some("Unreachable"));
        let bad = render("sofia::register_failure", &h(&[("to-user", "1000"), ("reason", "wrong password")])).unwrap();
        assert_eq!(bad[0].get("AccountID"), Some("1000"));
        assert!(render("sofia::register_failure", &h(&[("reason", "rate limited")])).is_none());
        assert!(render("my::event", &[]).is_none());
    }
}
