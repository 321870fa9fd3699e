//! SIP registrar events (published by the SIP crate as FreeSWITCH-style `sofia::*` custom events) as
//! Asterisk's AMI shows registrations: `ContactStatus` (`Created` when a contact registers, `Removed` when
//! it is removed or expires), `PeerStatus` (chan_pjsip: `Reachable` / `Unreachable`) and the security events
//! `InvalidAccountID` and `ChallengeResponseFailed` for failed authentication; and our registrations
//! with trunks (`sofia::gateway_state`) as `Registry`.

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
        "sofia::gateway_state" => Some(vec![registry(headers)]),
        _ => None,
    }
}

/// `Registry` (res_pjsip_outbound_registration): `Registered`, or `Rejected` with the response as
/// `Cause` (`Failed` when nothing answered).
fn registry(headers: &[(String, String)]) -> AmiEvent {
    let mut e = AmiEvent::new("Registry", Privilege::SYSTEM);
    e.push("ChannelType", "PJSIP");
    e.push("Username", header(headers, "Register-Username")).push("Domain", header(headers, "Register-Domain"));
    match (header(headers, "State"), header(headers, "Status")) {
        ("REGED", _) => {
            e.push("Status", "Registered");
        }
        (_, code) => {
            e.push("Status", if code == "408" { "Failed" } else { "Rejected" });
            e.push("Cause", format!("{code} {}", header(headers, "Phrase")));
        }
    }
    e
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
        let failed = h(&[("State", "FAIL_WAIT"), ("Status", "403"), ("Phrase", "Forbidden")]);
        let reg = render("sofia::gateway_state", &failed).unwrap();
        assert_eq!((reg[0].get("Status"), reg[0].get("Cause")), (Some("Rejected"), Some("403 Forbidden")));
        let ok = h(&[("State", "REGED"), ("Register-Username", "sip:u@h"), ("Register-Domain", "sip:h")]);
        let reg = render("sofia::gateway_state", &ok).unwrap();
        assert_eq!((reg[0].get("Status"), reg[0].get("Username")), (Some("Registered"), Some("sip:u@h")));
    }
}
