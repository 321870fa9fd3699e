//! FreeSWITCH's `originate <call url> <exten>|&<app>(<args>) [<dialplan>] [<context>] [<cid_name>]
//! [<cid_num>] [<timeout_sec>]`: blocks until answer, `+OK <uuid>` or `-ERR <CAUSE>`.

use std::sync::Arc;
use std::time::Duration;

use super::{Command, CommandOutput, CommandRegistry, CommandSpec, Flavor};
use crate::app::BoxFuture;
use crate::originate::{OriginateRequest, OriginateTarget};
use crate::snapshot::CallerId;
use crate::switch::Switch;

pub(super) fn register(reg: &CommandRegistry) {
    reg.register(Arc::new(Originate));
}

static ORIGINATE: CommandSpec = CommandSpec {
    name: "originate",
    syntax: "<call url> <exten>|&<application_name>(<app_args>) [<dialplan>] [<context>] [<cid_name>] \
             [<cid_num>] [<timeout_sec>]",
    summary: "Originate a call",
    usage: "",
    flavor: Flavor::FreeSwitch,
};

/// `&app(args)` or `&app args-less`, or an extension.
fn parse_target(word: &str, context: &str) -> OriginateTarget {
    let Some(app) = word.strip_prefix('&') else {
        return OriginateTarget::Extension { context: context.to_owned(), exten: word.to_owned(), priority: 1 };
    };
    match app.split_once('(') {
        Some((name, rest)) => {
            let args = rest.split_once(')').map_or(rest, |(a, _)| a);
            OriginateTarget::App { name: name.to_owned(), args: args.to_owned() }
        }
        None => OriginateTarget::App { name: app.to_owned(), args: String::new() },
    }
}

fn arg(args: &[String], i: usize) -> Option<&str> {
    args.get(i).map(String::as_str).filter(|a| *a != "undef")
}

fn parse(args: &[String]) -> Option<OriginateRequest> {
    if !(2..=7).contains(&args.len()) {
        return None;
    }
    let context = arg(args, 3).unwrap_or("default");
    let mut req = OriginateRequest::new(args[0].clone(), parse_target(&args[1], context));
    // The dialplan type rides on the channel as FreeSWITCH's `dialplan` (default XML); the dialplan
    // router falls back to extensions.conf when no XML dialplan is loaded.
    req.variables.push(("dialplan".to_owned(), arg(args, 2).unwrap_or("XML").to_owned()));
    let cid = CallerId::new(arg(args, 5).unwrap_or(""), arg(args, 4).unwrap_or(""));
    req.caller_id = cid;
    let timeout = arg(args, 6).map_or(Some(60), |t| t.parse::<u64>().ok())?;
    req.timeout = Duration::from_secs(timeout);
    Some(req)
}

struct Originate;
impl Command for Originate {
    fn spec(&self) -> &'static CommandSpec {
        &ORIGINATE
    }
    fn run<'a>(&'a self, sw: &'a Switch, args: &'a [String]) -> BoxFuture<'a, CommandOutput> {
        Box::pin(async move {
            let Some(req) = parse(args) else { return CommandOutput::usage(&ORIGINATE) };
            match sw.originate_and_wait(req).await {
                Ok(o) if o.answered => CommandOutput::ok(format!("+OK {}\n", o.channel_id)),
                Ok(o) => CommandOutput::failure(format!("-ERR {}\n", o.cause)),
                Err(e) => CommandOutput::failure(format!("-ERR {}\n", e.cause())),
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn app_arguments_end_at_the_first_parenthesis() {
        assert_eq!(parse_target("&park()", "d"), OriginateTarget::App { name: "park".into(), args: "".into() });
        assert_eq!(
            parse_target("&sleep(500)x)", "d"),
            OriginateTarget::App { name: "sleep".into(), args: "500".into() }
        );
        assert_eq!(parse_target("&echo", "d"), OriginateTarget::App { name: "echo".into(), args: "".into() });
    }

    #[test]
    fn optional_arguments_take_undef_as_skipped() {
        let args: Vec<String> = ["sim/a", "1000", "XML", "undef", "Bob", "200", "5"].map(String::from).to_vec();
        let req = parse(&args).unwrap();
        assert_eq!(
            req.target,
            OriginateTarget::Extension { context: "default".into(), exten: "1000".into(), priority: 1 }
        );
        assert_eq!((req.caller_id.name.as_str(), req.caller_id.number.as_str()), ("Bob", "200"));
        assert_eq!(req.timeout, Duration::from_secs(5));
    }

    #[test]
    fn wrong_argument_counts_and_bad_timeouts_are_usage_errors() {
        assert!(parse(&["sim/a".to_string()]).is_none());
        let args: Vec<String> = ["sim/a", "&park", "XML", "default", "n", "1", "soon"].map(String::from).to_vec();
        assert!(parse(&args).is_none());
    }
}
