//! Command handlers: each typed command changes the session and appends its FreeSWITCH reply.

use switchyard_core::{BackgroundJobEvent, EventKind, Switch};

use super::auth::constant_time_eq;
use super::session::{Controlled, Mode, Session};
use super::subscription::MYEVENTS;
use crate::proto::{self, Command, EventFormat, EventNames, Frame, known_event_name};

/// How long a wrong password waits before its reply (slows guessing).
const AUTH_FAILURE_DELAY: std::time::Duration = std::time::Duration::from_secs(1);

impl Session {
    pub(super) async fn on_frame(&mut self, frame: Frame) {
        let cmd = match Command::parse(frame) {
            Ok(cmd) => cmd,
            Err(e) => return self.reply(&e.to_string()),
        };
        if !self.authed {
            return self.before_auth(cmd).await;
        }
        if let Mode::Outbound { full: false, .. } = self.mode
            && !allowed_without_full(&cmd)
        {
            return self.reply("-ERR command not found");
        }
        self.dispatch(cmd).await;
    }

    async fn before_auth(&mut self, cmd: Command) {
        match cmd {
            Command::Auth(pw) if constant_time_eq(pw.as_bytes(), self.shared.password.as_bytes()) => {
                self.authed = true;
                self.reply("+OK accepted");
            }
            Command::UserAuth { user, domain, password } if self.userauth(&user, &domain, &password) => {}
            Command::Auth(_) | Command::UserAuth { .. } => {
                tracing::warn!(peer = %self.peer, "event socket: authentication failed");
                tokio::time::sleep(AUTH_FAILURE_DELAY).await;
                self.reply("-ERR invalid");
                self.goodbye();
            }
            Command::Exit => self.exit(),
            _ => self.reply("-ERR command not found"),
        }
    }

    /// Accepts a `userauth` account: `+OK accepted` with what it may do.
    fn userauth(&mut self, user: &str, domain: &str, password: &str) -> bool {
        let Some(account) = super::EslUser::find(&self.shared.users, user, domain, password).cloned() else {
            return false;
        };
        let headers = account.reply_headers();
        let extra: Vec<(&str, &str)> = headers.iter().map(|(k, v)| (*k, v.as_str())).collect();
        proto::command_reply_with("+OK accepted", &extra, &mut self.out);
        self.authed = true;
        self.account = Some(account);
        true
    }

    /// A restricted account's refusal, if `cmd` is beyond what it may do.
    fn denied(&self, cmd: &Command) -> bool {
        let Some(account) = &self.account else { return false };
        match cmd {
            Command::Api(line) | Command::BgApi { line, .. } => !account.may_run(line),
            Command::Event { names, .. } => !account.may_subscribe(names.names.iter()),
            Command::Log(_) => !account.allowed_log,
            _ => false,
        }
    }

    async fn dispatch(&mut self, cmd: Command) {
        if self.denied(&cmd) {
            return self.reply("-ERR permission denied");
        }
        match cmd {
            Command::Auth(_) | Command::UserAuth { .. } => self.reply("-ERR already authenticated"),
            Command::Api(line) => {
                let body = run_api(&self.shared.switch, &line).await;
                proto::api_response(&body, &mut self.out);
            }
            Command::BgApi { line, job_uuid } => self.bgapi(line, job_uuid),
            Command::Event { format, names } => self.event(format, &names),
            Command::NixEvent(names) => {
                self.events.remove(&names);
                self.sync_log_feed();
                self.reply("+OK events nixed");
            }
            Command::NoEvents => self.noevents(),
            Command::MyEvents { uuid, format } => self.myevents(uuid, format),
            Command::DivertEvents(on) => self.divert_events(on),
            Command::Filter { header, value } => {
                self.filters.add(&header, &value);
                self.reply(&format!("+OK filter added. [{header}]=[{value}]"));
            }
            Command::FilterDelete { header, value } => {
                self.filters.delete(&header, value.as_deref());
                self.reply(&format!("+OK filter deleted. [{header}][{}]", value.unwrap_or_default()));
            }
            Command::SendEvent { name, headers, body } => self.sendevent(&name, headers, body),
            Command::SendMsg { uuid, msg } => self.sendmsg(uuid, msg).await,
            other => self.dispatch_session(other),
        }
    }

    fn dispatch_session(&mut self, cmd: Command) {
        match cmd {
            Command::Linger(secs) => self.set_linger(Some(secs)),
            Command::NoLinger => self.set_linger(None),
            Command::Log(level) => self.log(level),
            Command::NoLog => match self.log_level.take() {
                Some(_) => {
                    self.sync_log_feed();
                    self.reply("+OK no longer logging");
                }
                None => self.reply("-ERR not loging"),
            },
            Command::Resume if self.controlled.is_some() => {
                self.resume = true;
                self.reply("+OK");
            }
            Command::Exit => self.exit(),
            Command::Connect if self.mode != Mode::Inbound => self.connect(),
            Command::GetVar(name) if self.mode != Mode::Inbound => self.getvar(&name),
            _ => self.reply("-ERR command not found"),
        }
    }

    fn exit(&mut self) {
        self.reply("+OK bye");
        self.goodbye();
    }

    fn bgapi(&mut self, line: String, job_uuid: Option<String>) {
        let job = job_uuid.unwrap_or_else(|| uuid::Uuid::new_v4().to_string());
        proto::command_reply_with(&format!("+OK Job-UUID: {job}"), &[("Job-UUID", &job)], &mut self.out);
        let switch = self.shared.switch.clone();
        let owner = self.controlled.as_ref().map(|c| c.id.to_string());
        tokio::spawn(async move {
            let output = run_api(&switch, &line).await;
            let (command, args) = line.trim().split_once(char::is_whitespace).unwrap_or((line.trim(), ""));
            let kind = EventKind::from(BackgroundJobEvent {
                job_uuid: job,
                owner,
                command: command.to_owned(),
                args: args.trim().to_owned(),
                output,
            });
            switch.bus().publish(kind, None);
        });
    }

    fn event(&mut self, format: Option<EventFormat>, names: &EventNames) {
        if let Some(f) = format {
            self.format = f;
        }
        if !self.events.add(names) {
            return self.reply("-ERR no keywords supplied");
        }
        self.ensure_subscribed();
        self.sync_log_feed();
        self.listening = true;
        self.reply(&format!("+OK event listener enabled {}", self.format.name()));
    }

    fn noevents(&mut self) {
        if !std::mem::take(&mut self.listening) {
            return self.reply("-ERR not listening for events");
        }
        self.events = Default::default();
        self.sync_log_feed();
        self.reply("+OK no longer listening for events");
    }

    fn myevents(&mut self, uuid: Option<String>, format: Option<EventFormat>) {
        if self.myevents {
            return self.reply("-ERR aready enabled.");
        }
        if self.controlled.is_none() {
            let handle = uuid.and_then(|u| u.parse().ok()).and_then(|id| self.shared.switch.channels().get(id));
            let Some(h) = handle else { return self.reply("-ERR invalid uuid") };
            self.controlled = Some(Controlled { id: h.id(), name: h.snapshot().name.as_str().to_owned() });
        }
        if let Some(f) = format {
            self.format = f;
        }
        self.myevents = true;
        self.events.add_all(MYEVENTS);
        self.listening = true;
        self.ensure_subscribed();
        self.reply("+OK Events Enabled");
    }

    fn divert_events(&mut self, on: bool) {
        if self.controlled.is_none() {
            return self.reply("-ERR not controlling a session.");
        }
        self.divert = on;
        if on {
            self.ensure_subscribed();
        }
        self.reply(if on { "+OK events diverted" } else { "+OK events not diverted" });
    }

    fn sendevent(&mut self, name: &str, mut headers: Vec<(String, String)>, body: Option<bytes::Bytes>) {
        let subclass = headers.iter().find(|(k, _)| k.eq_ignore_ascii_case("Event-Subclass")).map(|(_, v)| v.clone());
        let event_name = match known_event_name(name).filter(|n| !matches!(*n, "CUSTOM" | "ALL")) {
            Some(known) => known.to_owned(),
            None => subclass
                .unwrap_or_else(|| if known_event_name(name).is_some() { String::new() } else { name.to_owned() }),
        };
        let event_uuid = uuid::Uuid::new_v4().to_string();
        headers.retain(|(k, _)| !k.eq_ignore_ascii_case("Event-UUID"));
        headers.push(("Event-UUID".into(), event_uuid.clone()));
        let body = body.map(|b| String::from_utf8_lossy(&b).into_owned());
        // An event naming a live channel carries that channel's data (FreeSWITCH queues it to the session).
        let channel = self.channel_named_in(&mut headers);
        self.shared.switch.bus().publish(EventKind::custom(event_name, headers, body), channel);
        self.reply(&format!("+OK {event_uuid}"));
    }

    fn channel_named_in(
        &self,
        headers: &mut Vec<(String, String)>,
    ) -> Option<std::sync::Arc<switchyard_core::ChannelSnapshot>> {
        let pos = headers.iter().position(|(k, _)| k.eq_ignore_ascii_case("Unique-ID"))?;
        let handle = headers[pos].1.parse().ok().and_then(|id| self.shared.switch.channels().get(id))?;
        headers.remove(pos);
        Some(handle.snapshot())
    }

    fn set_linger(&mut self, linger: Option<Option<u32>>) {
        if self.controlled.is_none() {
            return self.reply("-ERR not controlling a session");
        }
        self.linger = linger;
        match linger {
            Some(Some(secs)) => self.reply(&format!("+OK will linger {secs} seconds")),
            Some(None) => self.reply("+OK will linger"),
            None => self.reply("+OK will not linger"),
        }
    }

    fn log(&mut self, level: Option<String>) {
        let given = level.unwrap_or_default();
        let Some(n) = log_level(&given) else { return self.reply("-ERR invalid log level") };
        self.log_level = Some(n);
        self.sync_log_feed();
        self.reply(&format!("+OK log level {given} [{n}]"));
    }

    fn getvar(&mut self, name: &str) {
        let value =
            self.controlled.as_ref().and_then(|c| self.shared.switch.channels().get(c.id)).and_then(|h| h.var(name));
        match value.filter(|v| !v.is_empty()) {
            Some(v) => self.reply(&v),
            None => self.reply("-ERR command not found"),
        }
    }
}

/// Runs one API command line through the shared registry, with FreeSWITCH's error bodies.
/// Like FreeSWITCH, every execution also fires an `API` event (`API-Command`, `API-Command-Argument`).
pub async fn run_api(switch: &Switch, line: &str) -> String {
    let (command, args) = line.trim().split_once(char::is_whitespace).unwrap_or((line.trim(), ""));
    let headers = vec![
        ("API-Command".to_owned(), command.to_owned()),
        ("API-Command-Argument".to_owned(), args.trim().to_owned()),
    ];
    switch.bus().publish(EventKind::custom("API", headers, None), None);
    match switch.commands().execute(switch, line).await {
        Ok(out) if out.text.is_empty() => "-ERR no reply\n".to_owned(),
        Ok(out) => out.text,
        Err(unknown) => unknown.freeswitch_text(),
    }
}

/// FreeSWITCH log levels by name or number (`log` with no level = DEBUG).
fn log_level(given: &str) -> Option<u8> {
    const NAMES: [&str; 8] = ["CONSOLE", "ALERT", "CRIT", "ERR", "WARNING", "NOTICE", "INFO", "DEBUG"];
    if given.is_empty() {
        return Some(7);
    }
    if let Ok(n) = given.parse::<i64>() {
        return Some(n.clamp(0, 63) as u8);
    }
    NAMES.iter().position(|n| n.eq_ignore_ascii_case(given)).map(|p| p as u8)
}

/// Outbound sockets without `full` accept only these (mod_event_socket.c).
fn allowed_without_full(cmd: &Command) -> bool {
    matches!(
        cmd,
        Command::Connect
            | Command::MyEvents { .. }
            | Command::GetVar(_)
            | Command::Resume
            | Command::Filter { .. }
            | Command::FilterDelete { .. }
            | Command::DivertEvents(_)
            | Command::SendMsg { .. }
            | Command::Exit
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn log_levels_are_names_or_clamped_numbers() {
        assert_eq!(log_level(""), Some(7));
        assert_eq!(log_level("info"), Some(6));
        assert_eq!(log_level("99"), Some(63));
        assert_eq!(log_level("loud"), None);
    }
}
