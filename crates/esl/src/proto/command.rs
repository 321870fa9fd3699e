//! The typed client command, parsed once from a frame. Handlers never re-split text.

use bytes::Bytes;

use super::frame::Frame;
use super::sendmsg::{SendMsg, parse_sendmsg};

/// FreeSWITCH's limit on an argument carried in a header (`execute-app-arg`): longer ones go in a body.
pub const MAX_ARG_OCTETS: usize = 2048;

/// Wire format of events sent to a listener.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum EventFormat {
    /// `text/event-plain`.
    Plain,
    /// `text/event-json`.
    Json,
    /// `text/event-xml`.
    Xml,
}

impl EventFormat {
    /// Parses `plain`, `json` or `xml` (any case).
    pub fn parse(word: &str) -> Option<Self> {
        match word.to_ascii_lowercase().as_str() {
            "plain" => Some(Self::Plain),
            "json" => Some(Self::Json),
            "xml" => Some(Self::Xml),
            _ => None,
        }
    }

    /// The lower-case name.
    pub fn name(self) -> &'static str {
        match self {
            Self::Plain => "plain",
            Self::Json => "json",
            Self::Xml => "xml",
        }
    }

    /// The frame's `Content-Type`.
    pub fn content_type(self) -> &'static str {
        match self {
            Self::Plain => "text/event-plain",
            Self::Json => "text/event-json",
            Self::Xml => "text/event-xml",
        }
    }
}

/// Event names and CUSTOM subclasses named by `event`/`nixevent`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct EventNames {
    /// Upper-case event names (`ALL` included as given).
    pub names: Vec<String>,
    /// Subclasses listed after `CUSTOM`.
    pub subclasses: Vec<String>,
}

/// One client command.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Command {
    /// `auth <password>`.
    Auth(String),
    /// `userauth <user>@<domain>:<password>` (or `<user>:<password>@<domain>`).
    UserAuth {
        /// User.
        user: String,
        /// Domain (may be empty).
        domain: String,
        /// Password.
        password: String,
    },
    /// `api <cmd> [args]`.
    Api(String),
    /// `bgapi <cmd> [args]` with an optional client `Job-UUID`.
    BgApi {
        /// The command line.
        line: String,
        /// The client's job id.
        job_uuid: Option<String>,
    },
    /// `event [format] <names…>`.
    Event {
        /// Format, when given.
        format: Option<EventFormat>,
        /// Names.
        names: EventNames,
    },
    /// `nixevent <names…>`.
    NixEvent(EventNames),
    /// `noevents`.
    NoEvents,
    /// `myevents [format] [uuid]` in either order.
    MyEvents {
        /// Channel uuid (none in outbound mode: the controlled channel).
        uuid: Option<String>,
        /// Format, when given.
        format: Option<EventFormat>,
    },
    /// `divert_events on|off`.
    DivertEvents(bool),
    /// `filter [add] <header> <value>`.
    Filter {
        /// Header name.
        header: String,
        /// Value (may start with `+`/`-`, or be a `/regex/`).
        value: String,
    },
    /// `filter delete <header> [<value>]` (`all` clears every filter).
    FilterDelete {
        /// Header name, or `all`.
        header: String,
        /// Value, when only that one goes.
        value: Option<String>,
    },
    /// `sendevent <NAME>` with headers and an optional body.
    SendEvent {
        /// Event name as given (may be empty: CUSTOM).
        name: String,
        /// The request headers, verbatim.
        headers: Vec<(String, String)>,
        /// Body.
        body: Option<Bytes>,
    },
    /// `sendmsg [uuid]`.
    SendMsg {
        /// Target channel (command line, else `session-id` header).
        uuid: Option<String>,
        /// The message.
        msg: SendMsg,
    },
    /// `linger [seconds]` (none = forever).
    Linger(Option<u32>),
    /// `nolinger`.
    NoLinger,
    /// `log [level]`.
    Log(Option<String>),
    /// `nolog`.
    NoLog,
    /// `resume`.
    Resume,
    /// `exit` (or `...`).
    Exit,
    /// `connect` (outbound mode).
    Connect,
    /// `getvar <name>` (outbound mode).
    GetVar(String),
    /// Anything else.
    Unknown(String),
}

/// A command that names something known but is malformed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum CommandError {
    /// `event`/`nixevent` without any name.
    #[error("-ERR no keywords supplied")]
    NoKeywords,
    /// `filter` with a missing part.
    #[error("-ERR invalid syntax")]
    FilterSyntax,
    /// `divert_events` without on/off.
    #[error("-ERR missing value.")]
    MissingValue,
    /// `execute-app-arg` longer than FreeSWITCH's limit.
    #[error("-ERR execute-app-arg longer than {MAX_ARG_OCTETS} octets: send it as a text/plain body")]
    ArgTooLong,
    /// `sendmsg` with an unusable header.
    #[error("-ERR {0}")]
    BadMessage(String),
}

impl Command {
    /// Interprets a frame.
    pub fn parse(frame: Frame) -> Result<Self, CommandError> {
        let line = frame.line.trim();
        let (word, rest) = line.split_once(char::is_whitespace).unwrap_or((line, ""));
        let rest = rest.trim();
        let cmd = match word.to_ascii_lowercase().as_str() {
            "auth" => Self::Auth(rest.to_owned()),
            "userauth" => parse_userauth(rest),
            "api" => Self::Api(rest.to_owned()),
            "bgapi" => Self::BgApi {
                line: rest.to_owned(),
                job_uuid: frame.header("job-uuid").map(|j| j.chars().take(36).collect()),
            },
            "event" | "events" => parse_event(rest)?,
            "nixevent" => Self::NixEvent(non_empty(event_names(rest.split_whitespace()))?),
            "noevents" => Self::NoEvents,
            "myevents" => parse_myevents(rest),
            "divert_events" => parse_divert(rest)?,
            "filter" => parse_filter(rest)?,
            "sendevent" => Self::SendEvent { name: rest.to_owned(), headers: frame.headers, body: frame.body },
            "sendmsg" => parse_sendmsg_command(rest, &frame)?,
            "linger" => Self::Linger(if rest.is_empty() { None } else { Some(rest.parse().unwrap_or(0)) }),
            "nolinger" => Self::NoLinger,
            "log" => Self::Log((!rest.is_empty()).then(|| rest.to_owned())),
            "nolog" => Self::NoLog,
            "resume" => Self::Resume,
            "exit" | "..." => Self::Exit,
            "connect" => Self::Connect,
            "getvar" => Self::GetVar(rest.to_owned()),
            _ => Self::Unknown(line.to_owned()),
        };
        Ok(cmd)
    }
}

fn parse_userauth(rest: &str) -> Command {
    // `user@domain:pass` or `user:pass@domain`.
    let (left, password) = rest.rsplit_once(':').unwrap_or((rest, ""));
    let (user, domain) = left.split_once('@').unwrap_or((left, ""));
    if let Some((pass, dom)) = password.split_once('@').filter(|_| domain.is_empty()) {
        return Command::UserAuth { user: user.to_owned(), domain: dom.to_owned(), password: pass.to_owned() };
    }
    Command::UserAuth { user: user.to_owned(), domain: domain.to_owned(), password: password.to_owned() }
}

fn parse_event(rest: &str) -> Result<Command, CommandError> {
    let mut words = rest.split_whitespace().peekable();
    let format = words.peek().and_then(|w| EventFormat::parse(w));
    if format.is_some() {
        words.next();
    }
    Ok(Command::Event { format, names: non_empty(event_names(words))? })
}

fn event_names<'a>(words: impl Iterator<Item = &'a str>) -> EventNames {
    let mut names = EventNames::default();
    let mut custom = false;
    for w in words {
        if custom {
            names.subclasses.push(w.to_owned());
            continue;
        }
        let upper = w.to_ascii_uppercase();
        let upper = upper.strip_prefix("SWITCH_EVENT_").map(str::to_owned).unwrap_or(upper);
        custom = upper == "CUSTOM";
        names.names.push(upper);
    }
    names
}

fn non_empty(names: EventNames) -> Result<EventNames, CommandError> {
    if names.names.is_empty() { Err(CommandError::NoKeywords) } else { Ok(names) }
}

fn parse_myevents(rest: &str) -> Command {
    let mut uuid = None;
    let mut format = None;
    for w in rest.split_whitespace() {
        match EventFormat::parse(w) {
            Some(f) => format = Some(f),
            None => uuid = Some(w.to_owned()),
        }
    }
    Command::MyEvents { uuid, format }
}

fn parse_divert(rest: &str) -> Result<Command, CommandError> {
    if rest.is_empty() {
        return Err(CommandError::MissingValue);
    }
    Ok(Command::DivertEvents(rest.eq_ignore_ascii_case("on")))
}

fn parse_filter(rest: &str) -> Result<Command, CommandError> {
    let (first, tail) = rest.split_once(char::is_whitespace).unwrap_or((rest, ""));
    let tail = tail.trim();
    if first.eq_ignore_ascii_case("delete") {
        let (header, value) = tail.split_once(char::is_whitespace).unwrap_or((tail, ""));
        if header.is_empty() {
            return Err(CommandError::FilterSyntax);
        }
        let value = Some(value.trim()).filter(|v| !v.is_empty()).map(str::to_owned);
        return Ok(Command::FilterDelete { header: header.to_owned(), value });
    }
    let (header, value) = match first.eq_ignore_ascii_case("add") {
        true => tail.split_once(char::is_whitespace).unwrap_or((tail, "")),
        false => (first, tail),
    };
    if header.is_empty() || value.trim().is_empty() {
        return Err(CommandError::FilterSyntax);
    }
    Ok(Command::Filter { header: header.to_owned(), value: value.trim().to_owned() })
}

fn parse_sendmsg_command(rest: &str, frame: &Frame) -> Result<Command, CommandError> {
    let uuid = Some(rest).filter(|r| !r.is_empty()).or_else(|| frame.header("session-id")).map(str::to_owned);
    Ok(Command::SendMsg { uuid, msg: parse_sendmsg(frame)? })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<Command, CommandError> {
        let mut d = super::super::frame::Decoder::default();
        d.feed(text.as_bytes());
        Command::parse(d.next_frame().unwrap().unwrap())
    }

    #[test]
    fn event_takes_an_optional_format_then_names_and_custom_subclasses() {
        let cmd = parse("event json CHANNEL_CREATE custom conference::maintenance\n\n").unwrap();
        let Command::Event { format, names } = cmd else { panic!("{cmd:?}") };
        assert_eq!(format, Some(EventFormat::Json));
        assert_eq!(names.names, ["CHANNEL_CREATE", "CUSTOM"]);
        assert_eq!(names.subclasses, ["conference::maintenance"]);
    }

    #[test]
    fn event_without_names_is_an_error() {
        assert_eq!(parse("event plain\n\n"), Err(CommandError::NoKeywords));
    }

    #[test]
    fn bgapi_keeps_the_client_job_uuid() {
        let cmd = parse("bgapi status\nJob-UUID: d8c7f660\n\n").unwrap();
        assert_eq!(cmd, Command::BgApi { line: "status".into(), job_uuid: Some("d8c7f660".into()) });
    }

    #[test]
    fn filter_forms_are_told_apart() {
        assert_eq!(
            parse("filter Event-Name CHANNEL_EXECUTE\n\n").unwrap(),
            Command::Filter { header: "Event-Name".into(), value: "CHANNEL_EXECUTE".into() }
        );
        assert_eq!(
            parse("filter delete Unique-ID\n\n").unwrap(),
            Command::FilterDelete { header: "Unique-ID".into(), value: None }
        );
        assert_eq!(parse("filter X\n\n"), Err(CommandError::FilterSyntax));
    }

    #[test]
    fn myevents_accepts_the_format_before_or_after_the_uuid() {
        let want = Command::MyEvents { uuid: Some("u1".into()), format: Some(EventFormat::Json) };
        assert_eq!(parse("myevents json u1\n\n").unwrap(), want);
        assert_eq!(parse("myevents u1 json\n\n").unwrap(), want);
    }

    #[test]
    fn userauth_accepts_both_orders() {
        let want = Command::UserAuth { user: "u".into(), domain: "d".into(), password: "p".into() };
        assert_eq!(parse("userauth u@d:p\n\n").unwrap(), want);
        assert_eq!(parse("userauth u:p@d\n\n").unwrap(), want);
    }

    #[test]
    fn linger_without_seconds_means_forever() {
        assert_eq!(parse("linger\n\n").unwrap(), Command::Linger(None));
        assert_eq!(parse("linger 5\n\n").unwrap(), Command::Linger(Some(5)));
    }

    #[test]
    fn unknown_words_are_kept_for_the_error_reply() {
        assert_eq!(parse("frobnicate now\n\n").unwrap(), Command::Unknown("frobnicate now".into()));
    }
}
