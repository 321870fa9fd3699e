//! Security events (class `security`) with the field order of Asterisk's `security_events.c`: the
//! common fields, the event's own, then `SessionTV`.

use super::event::AmiEvent;
use super::privilege::Privilege;

/// Facts about the connection every security event carries.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SessionFacts {
    /// `SessionID` (Asterisk prints a pointer; we print `0x` and a session number).
    pub session_id: String,
    /// `LocalAddress`, e.g. `IPV4/TCP/127.0.0.1/5038`.
    pub local: String,
    /// `RemoteAddress`.
    pub remote: String,
    /// `SessionTV`, when the session started.
    pub session_tv: String,
}

/// Which security event, with its own fields.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SecurityEvent {
    /// Login accepted.
    SuccessfulAuth {
        /// True when a plain secret was used (`UsingPassword: 1`).
        using_password: bool,
    },
    /// Wrong secret.
    InvalidPassword,
    /// `Challenge` answered.
    ChallengeSent {
        /// The challenge.
        challenge: String,
    },
    /// Wrong MD5 key.
    ChallengeResponseFailed {
        /// The challenge.
        challenge: String,
        /// What the client sent.
        response: String,
        /// What was expected.
        expected: String,
    },
    /// The user's `permit` does not cover the address.
    FailedAcl,
    /// No such user.
    InvalidAccountId,
    /// An action before login, or one the user may not run.
    RequestNotAllowed {
        /// `Action: <name>`.
        request_type: String,
    },
    /// A message without an action, or an unknown one.
    RequestBadFormat {
        /// `Action: <name>`.
        request_type: String,
    },
    /// An `AuthType` we do not accept.
    AuthMethodNotAllowed {
        /// The method asked for.
        method: String,
    },
}

impl SecurityEvent {
    fn name(&self) -> &'static str {
        match self {
            Self::SuccessfulAuth { .. } => "SuccessfulAuth",
            Self::InvalidPassword => "InvalidPassword",
            Self::ChallengeSent { .. } => "ChallengeSent",
            Self::ChallengeResponseFailed { .. } => "ChallengeResponseFailed",
            Self::FailedAcl => "FailedACL",
            Self::InvalidAccountId => "InvalidAccountID",
            Self::RequestNotAllowed { .. } => "RequestNotAllowed",
            Self::RequestBadFormat { .. } => "RequestBadFormat",
            Self::AuthMethodNotAllowed { .. } => "AuthMethodNotAllowed",
        }
    }

    fn severity(&self) -> &'static str {
        match self {
            Self::SuccessfulAuth { .. } | Self::ChallengeSent { .. } => "Informational",
            _ => "Error",
        }
    }

    fn own_fields(&self) -> Vec<(&'static str, String)> {
        match self {
            Self::SuccessfulAuth { using_password } => vec![("UsingPassword", u8::from(*using_password).to_string())],
            Self::ChallengeSent { challenge } => vec![("Challenge", challenge.clone())],
            Self::ChallengeResponseFailed { challenge, response, expected } => vec![
                ("Challenge", challenge.clone()),
                ("Response", response.clone()),
                ("ExpectedResponse", expected.clone()),
            ],
            Self::RequestNotAllowed { request_type } | Self::RequestBadFormat { request_type } => {
                vec![("RequestType", request_type.clone())]
            }
            Self::AuthMethodNotAllowed { method } => vec![("AuthMethod", method.clone())],
            _ => Vec::new(),
        }
    }

    /// The event. `account` is the user name (absent before a Login named one).
    pub fn to_event(&self, event_tv: &str, account: Option<&str>, facts: &SessionFacts) -> AmiEvent {
        let mut e = AmiEvent::new(self.name(), Privilege::SECURITY);
        e.push("EventTV", event_tv).push("Severity", self.severity()).push("Service", "AMI").push("EventVersion", "1");
        // RequestBadFormat has the account among its optional fields, after SessionTV.
        let bad_format = matches!(self, Self::RequestBadFormat { .. });
        if let Some(a) = account.filter(|_| !bad_format) {
            e.push("AccountID", a);
        }
        e.push("SessionID", facts.session_id.as_str())
            .push("LocalAddress", facts.local.as_str())
            .push("RemoteAddress", facts.remote.as_str());
        for (k, v) in self.own_fields() {
            e.push(k, v);
        }
        e.push("SessionTV", facts.session_tv.as_str());
        if let Some(a) = account.filter(|_| bad_format) {
            e.push("AccountID", a);
        }
        e
    }
}

/// `IPV4/TCP/<ip>/<port>` as Asterisk prints addresses in security events.
pub fn address(addr: std::net::SocketAddr) -> String {
    let family = if addr.is_ipv4() { "IPV4" } else { "IPV6" };
    format!("{family}/TCP/{}/{}", addr.ip(), addr.port())
}
