//! Login (plain secret or MD5 challenge), the per-user `permit` ACL, and the security events each
//! outcome reports.

use std::time::Duration;

use super::AmiUser;
use super::session::{LoggedIn, Session};
use crate::proto::security::SecurityEvent;
use crate::proto::{Privilege, Response, md5_key, parse_classes};

/// What a `Login` carried.
pub struct Credentials<'a> {
    pub username: &'a str,
    pub secret: Option<&'a str>,
    pub auth_type: Option<&'a str>,
    pub key: Option<&'a str>,
    pub events: Option<&'a str>,
}

/// Compares without an early exit, so the time taken does not tell how much of a secret matched.
pub fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    let mut diff = a.len() ^ b.len();
    for (i, x) in a.iter().enumerate() {
        diff |= usize::from(x ^ b.get(i).copied().unwrap_or(!x));
    }
    diff == 0
}

impl Session {
    /// `Login`. On failure: the security event, Asterisk's one-second pause, the error, and close.
    pub(super) async fn login(&mut self, id: Option<&str>, c: Credentials<'_>) {
        if self.user.is_some() {
            Response::ack(id, "Already authenticated").write(&mut self.out);
            return;
        }
        let user = match self.check(&c) {
            Ok(user) => user,
            Err(event) => return self.fail(id, c.username, event).await,
        };
        self.accept(id, &user, c.events);
    }

    fn check(&self, c: &Credentials<'_>) -> Result<AmiUser, SecurityEvent> {
        let user = self.shared.user(c.username).ok_or(SecurityEvent::InvalidAccountId)?.clone();
        if user.permit.as_ref().is_some_and(|allow| !allow(self.peer.ip())) {
            return Err(SecurityEvent::FailedAcl);
        }
        match c.auth_type.map(str::to_ascii_lowercase).as_deref() {
            Some("md5") => self.check_md5(&user, c.key.unwrap_or("")),
            Some(other) => Err(SecurityEvent::AuthMethodNotAllowed { method: other.to_owned() }),
            None if constant_time_eq(c.secret.unwrap_or("").as_bytes(), user.secret.as_bytes()) => Ok(user),
            None => Err(SecurityEvent::InvalidPassword),
        }
    }

    fn check_md5(&self, user: &AmiUser, key: &str) -> Result<AmiUser, SecurityEvent> {
        let challenge = self.challenge.clone().unwrap_or_default();
        let expected = md5_key(&challenge, &user.secret);
        if !challenge.is_empty() && constant_time_eq(key.to_ascii_lowercase().as_bytes(), expected.as_bytes()) {
            return Ok(user.clone());
        }
        Err(SecurityEvent::ChallengeResponseFailed { challenge, response: key.to_owned(), expected })
    }

    async fn fail(&mut self, id: Option<&str>, username: &str, event: SecurityEvent) {
        tracing::warn!(peer = %self.peer, user = username, "manager login failed");
        let account = (!username.is_empty()).then_some(username);
        self.report(event, account);
        let delay: Duration = self.shared.config.auth_failure_delay;
        tokio::time::sleep(delay).await;
        Response::error(id, "Authentication failed").write(&mut self.out);
        self.closing = true;
    }

    fn accept(&mut self, id: Option<&str>, user: &AmiUser, events: Option<&str>) {
        if let Some(mask) = events.and_then(parse_classes) {
            self.send_events = mask;
        }
        self.unauth = None;
        self.user = Some(LoggedIn { name: user.username.clone(), read: user.read, write: user.write });
        if !self.send_events.is_empty() {
            self.subscribe(None);
        }
        tracing::info!(peer = %self.peer, user = %user.username, "manager login");
        Response::ack(id, "Authentication accepted").write(&mut self.out);
        if self.send_events.contains(Privilege::SYSTEM) {
            self.fully_booted();
        }
        self.report(SecurityEvent::SuccessfulAuth { using_password: false }, Some(&user.username));
    }

    /// `FullyBooted`, written straight after the login response as Asterisk does.
    fn fully_booted(&mut self) {
        let sw = &self.shared.switch;
        let now = sw.now().secs();
        let mut e = crate::proto::AmiEvent::new("FullyBooted", Privilege::SYSTEM);
        e.push("Uptime", (now - sw.started().secs()).to_string())
            .push("LastReload", (now - sw.last_reload().secs()).to_string())
            .push("Status", "Fully Booted");
        e.write(&mut self.out);
    }

    /// `Challenge` with `AuthType: md5`: a random number kept for this session.
    pub(super) fn challenge(&mut self, id: Option<&str>, auth_type: &str) {
        if !auth_type.eq_ignore_ascii_case("md5") {
            Response::error(id, "Must specify AuthType").write(&mut self.out);
            return;
        }
        let challenge = self.challenge.get_or_insert_with(|| (rand::random::<u32>() >> 1).to_string()).clone();
        Response::success(id).header("Challenge", challenge.clone()).write(&mut self.out);
        self.report(SecurityEvent::ChallengeSent { challenge }, None);
    }
}

#[cfg(test)]
mod tests {
    use super::constant_time_eq;

    #[test]
    fn constant_time_eq_compares_content_and_length() {
        assert!(constant_time_eq(b"secret", b"secret"));
        assert!(!constant_time_eq(b"secret", b"secreT"));
        assert!(!constant_time_eq(b"secret", b"secret1"));
        assert!(!constant_time_eq(b"", b"x"));
        assert!(constant_time_eq(b"", b""));
    }
}
