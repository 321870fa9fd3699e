//! Parsing a message into a `Request`: Asterisk's header names, defaults and error texts for
//! missing or invalid headers.

use std::time::Duration;

use super::action::{Action, ActionError, Location, Originate, OriginateDestination, Request};
use super::message::Message;

fn err(text: &str) -> ActionError {
    ActionError(text.to_owned())
}

impl Request {
    /// Parses a message. `Err` carries the `ActionID` (if any) and the error text.
    pub fn parse(msg: &Message) -> Result<Self, (Option<String>, ActionError)> {
        let action_id = msg.get("ActionID").map(str::to_owned);
        let Some(name) = msg.get_nonempty("Action").map(str::to_owned) else {
            return Err((action_id, err("Missing action in request")));
        };
        match parse_action(&name, msg) {
            Ok(action) => Ok(Self { action_id, name, action }),
            Err(e) => Err((action_id, e)),
        }
    }
}

fn parse_action(name: &str, m: &Message) -> Result<Action, ActionError> {
    let opt = |h: &str| m.get_nonempty(h).map(str::to_owned);
    let need = |h: &str, e: &str| opt(h).ok_or_else(|| err(e));
    Ok(match name.to_ascii_lowercase().as_str() {
        "login" => Action::Login {
            username: opt("Username").unwrap_or_default(),
            secret: m.get("Secret").map(str::to_owned),
            auth_type: opt("AuthType"),
            key: opt("Key"),
            events: opt("Events"),
            seq: opt("SwitchyardSeq").is_some_and(|v| is_true(&v)),
        },
        "logoff" => Action::Logoff,
        "challenge" => Action::Challenge { auth_type: opt("AuthType").unwrap_or_default() },
        "ping" => Action::Ping,
        "events" => Action::Events { mask: opt("EventMask").unwrap_or_default() },
        "filter" => Action::Filter {
            operation: opt("Operation").unwrap_or_else(|| "Add".into()),
            filter: m.get("Filter").unwrap_or("").to_owned(),
        },
        "command" => Action::Command { command: need("Command", "No command provided")? },
        "coresettings" => Action::CoreSettings,
        "corestatus" => Action::CoreStatus,
        "coreshowchannels" => Action::CoreShowChannels,
        "status" => Action::Status {
            channel: opt("Channel").filter(|c| !c.eq_ignore_ascii_case("all")),
            variables: opt("Variables").map(|v| split_list(&v)).unwrap_or_default(),
        },
        "hangup" => Action::Hangup {
            channel: need("Channel", "No channel specified")?,
            cause: opt("Cause").and_then(|c| c.trim().parse().ok()),
        },
        "originate" => Action::Originate(Box::new(parse_originate(m)?)),
        "redirect" => parse_redirect(m)?,
        "getvar" => Action::Getvar { channel: opt("Channel"), variable: need("Variable", "No variable specified")? },
        "setvar" => Action::Setvar {
            channel: opt("Channel"),
            variable: need("Variable", "No variable specified")?,
            value: m.get("Value").unwrap_or("").to_owned(),
        },
        "dbget" => {
            Action::DbGet { family: need("Family", "No family specified.")?, key: need("Key", "No key specified.")? }
        }
        "dbput" => Action::DbPut {
            family: need("Family", "No family specified")?,
            key: need("Key", "No key specified")?,
            value: m.get("Val").unwrap_or("").to_owned(),
        },
        "dbdel" => {
            Action::DbDel { family: need("Family", "No family specified.")?, key: need("Key", "No key specified.")? }
        }
        "dbdeltree" => Action::DbDelTree { family: need("Family", "No family specified.")?, key: opt("Key") },
        "userevent" => Action::UserEvent {
            name: m.get("UserEvent").unwrap_or("").to_owned(),
            headers: m
                .headers
                .iter()
                .filter(|(k, _)| !k.eq_ignore_ascii_case("Action") && !k.eq_ignore_ascii_case("UserEvent"))
                .cloned()
                .collect(),
        },
        "listcommands" => Action::ListCommands,
        "absolutetimeout" => Action::AbsoluteTimeout {
            channel: need("Channel", "No channel specified")?,
            seconds: need("Timeout", "No timeout specified")?
                .trim()
                .parse()
                .map_err(|_| err("No timeout specified"))?,
        },
        "playdtmf" => Action::PlayDtmf {
            channel: need("Channel", "Channel not found")?,
            digit: need("Digit", "No digit specified")?.chars().next().unwrap_or('0'),
            duration_ms: opt("Duration").and_then(|d| d.parse().ok()).unwrap_or(250),
        },
        "blindtransfer" => Action::BlindTransfer {
            channel: need("Channel", "No channel specified")?,
            exten: need("Exten", "No extension specified")?,
            context: opt("Context"),
        },
        "extensionstate" => Action::ExtensionState {
            exten: need("Exten", "Extension not specified")?,
            context: opt("Context").unwrap_or_else(|| "default".into()),
        },
        "showdialplan" => Action::ShowDialPlan { context: opt("Context"), extension: opt("Extension") },
        "atxfer" => Action::Atxfer {
            channel: need("Channel", "No channel specified")?,
            exten: need("Exten", "No extension specified")?,
            context: opt("Context"),
        },
        "reload" => Action::Reload { module: opt("Module") },
        "bridge" => Action::Bridge {
            channel1: need("Channel1", "Channel1 name must be provided")?,
            channel2: need("Channel2", "Channel2 name must be provided")?,
        },
        "bridgelist" => Action::BridgeList { bridge_type: opt("BridgeType") },
        "bridgeinfo" => Action::BridgeInfo { bridge_id: need("BridgeUniqueid", "BridgeUniqueid must be provided")? },
        "waitevent" => Action::WaitEvent { timeout_s: opt("Timeout").and_then(|t| t.trim().parse().ok()) },
        "resumeevents" => Action::ResumeEvents {
            from: need("Seq", "No Seq specified")?.trim().parse().map_err(|_| err("Invalid Seq"))?,
        },
        _ => Action::Unknown,
    })
}

fn split_list(text: &str) -> Vec<String> {
    text.split(',').map(str::trim).filter(|s| !s.is_empty()).map(str::to_owned).collect()
}

fn parse_priority(text: Option<&str>, missing: &str, invalid: &str) -> Result<u32, ActionError> {
    let text = text.ok_or_else(|| err(missing))?;
    text.trim().parse().map_err(|_| err(invalid))
}

fn parse_originate(m: &Message) -> Result<Originate, ActionError> {
    let opt = |h: &str| m.get_nonempty(h).map(str::to_owned);
    let channel = opt("Channel").ok_or_else(|| err("Channel not specified"))?;
    let priority = match opt("Priority") {
        Some(p) => p.trim().parse().map_err(|_| err("Invalid priority"))?,
        None => 1,
    };
    let destination = match (opt("Application"), opt("Exten")) {
        (Some(name), _) => OriginateDestination::App { name, data: m.get("Data").unwrap_or("").to_owned() },
        (None, Some(exten)) => {
            let context =
                opt("Context").ok_or_else(|| err("Originate with 'Exten' requires 'Context' and 'Priority'"))?;
            OriginateDestination::Extension { context, exten }
        }
        (None, None) => return Err(err("Originate with 'Exten' requires 'Context' and 'Priority'")),
    };
    let timeout = match opt("Timeout") {
        Some(t) => Duration::from_millis(t.trim().parse().map_err(|_| err("Invalid timeout"))?),
        None => Duration::from_secs(30),
    };
    Ok(Originate {
        channel,
        destination,
        priority,
        timeout,
        caller_id: opt("CallerID").map(|c| parse_caller_id(&c)),
        variables: m.get_all("Variable").flat_map(parse_variables).collect(),
        account: opt("Account").unwrap_or_default(),
        asynchronous: opt("Async").is_some_and(|a| is_true(&a)),
        channel_id: match opt("ChannelId") {
            Some(id) if id.parse::<switchyard_core::ChannelId>().is_err() => {
                return Err(err("ChannelId must be a UUID (Switchyard's channel ids are UUIDs)"));
            }
            other => other,
        },
        other_channel_id: opt("OtherChannelId"),
    })
}

fn parse_redirect(m: &Message) -> Result<Action, ActionError> {
    let opt = |h: &str| m.get_nonempty(h).map(str::to_owned);
    let channel = opt("Channel").ok_or_else(|| err("Channel not specified"))?;
    let context = opt("Context").ok_or_else(|| err("Context not specified"))?;
    let exten = opt("Exten").ok_or_else(|| err("Exten not specified"))?;
    let priority = parse_priority(m.get_nonempty("Priority"), "Priority not specified", "Priority is invalid")?;
    let to = Location { context: context.clone(), exten, priority };
    let extra = match opt("ExtraChannel") {
        None => None,
        Some(chan) => {
            let exten = opt("ExtraExten").ok_or_else(|| err("ExtraExten not specified"))?;
            let priority = parse_priority(
                m.get_nonempty("ExtraPriority"),
                "ExtraPriority not specified",
                "ExtraPriority is invalid",
            )?;
            let context = opt("ExtraContext").unwrap_or(context);
            Some((chan, Location { context, exten, priority }))
        }
    };
    Ok(Action::Redirect { channel, to, extra })
}

/// Asterisk's `ast_true`.
pub fn is_true(s: &str) -> bool {
    matches!(s.trim().to_ascii_lowercase().as_str(), "yes" | "true" | "y" | "t" | "1" | "on")
}

/// `"Name" <number>`, `Name <number>`, or a bare number.
pub fn parse_caller_id(text: &str) -> (String, String) {
    let text = text.trim();
    match (text.rfind('<'), text.rfind('>')) {
        (Some(open), Some(close)) if open < close => {
            let number = text[open + 1..close].trim().to_owned();
            let name = text[..open].trim().trim_matches('"').to_owned();
            (number, name)
        }
        _ => (text.to_owned(), String::new()),
    }
}

/// `a=b` or `a=b,c=d` (Asterisk splits a `Variable` header on commas).
fn parse_variables(text: &str) -> Vec<(String, String)> {
    text.split(',')
        .filter_map(|kv| kv.split_once('='))
        .map(|(k, v)| (k.trim().to_owned(), v.to_owned()))
        .filter(|(k, _)| !k.is_empty())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn msg(lines: &[(&str, &str)]) -> Message {
        Message { headers: lines.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect() }
    }

    #[test]
    fn an_async_originate_to_an_application_parses_every_header() {
        let m = msg(&[
            ("Action", "Originate"),
            ("Channel", "sim/100"),
            ("Application", "Wait"),
            ("Data", "1"),
            ("Async", "true"),
            ("CallerID", "\"Oracle\" <5551000>"),
            ("Variable", "a=1,b=2"),
            ("Variable", "c=3"),
            ("Timeout", "5000"),
            ("ActionID", "orig-100"),
        ]);
        let req = Request::parse(&m).unwrap();
        assert_eq!(req.action_id.as_deref(), Some("orig-100"));
        let Action::Originate(o) = req.action else { panic!("not an originate") };
        assert!(o.asynchronous);
        assert_eq!(o.destination, OriginateDestination::App { name: "Wait".into(), data: "1".into() });
        assert_eq!(o.caller_id, Some(("5551000".into(), "Oracle".into())));
        assert_eq!(o.variables.len(), 3);
        assert_eq!(o.timeout, Duration::from_millis(5000));
    }

    #[test]
    fn an_originate_channel_id_must_be_a_uuid() {
        let m = msg(&[("Action", "Originate"), ("Channel", "sim/1"), ("Application", "Wait"), ("ChannelId", "abc")]);
        assert!(Request::parse(&m).unwrap_err().1.0.starts_with("ChannelId must be a UUID"));
    }

    #[test]
    fn a_message_without_action_is_missing_action_in_request() {
        let e = Request::parse(&msg(&[("ActionID", "x")])).unwrap_err();
        assert_eq!(e, (Some("x".into()), err("Missing action in request")));
    }

    #[test]
    fn originate_with_exten_needs_a_context() {
        let m = msg(&[("Action", "Originate"), ("Channel", "sim/1"), ("Exten", "100")]);
        assert_eq!(Request::parse(&m).unwrap_err().1.0, "Originate with 'Exten' requires 'Context' and 'Priority'");
    }

    #[test]
    fn action_names_are_case_insensitive_and_unknown_ones_are_kept() {
        assert_eq!(Request::parse(&msg(&[("action", "PING")])).unwrap().action, Action::Ping);
        let r = Request::parse(&msg(&[("Action", "NoSuchAction")])).unwrap();
        assert_eq!((r.name.as_str(), r.action), ("NoSuchAction", Action::Unknown));
    }

    #[test]
    fn redirect_with_an_extra_channel_defaults_its_context() {
        let m = msg(&[
            ("Action", "Redirect"),
            ("Channel", "a"),
            ("Context", "c"),
            ("Exten", "1"),
            ("Priority", "1"),
            ("ExtraChannel", "b"),
            ("ExtraExten", "2"),
            ("ExtraPriority", "1"),
        ]);
        let Action::Redirect { extra: Some((chan, loc)), .. } = Request::parse(&m).unwrap().action else { panic!() };
        assert_eq!((chan.as_str(), loc.context.as_str(), loc.exten.as_str()), ("b", "c", "2"));
    }
}
