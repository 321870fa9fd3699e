//! Asterisk's `channel originate <tech/data> application <app> [data] | extension [exten@][context]`.

use std::sync::Arc;
use std::time::Duration;

use super::{Command, CommandOutput, CommandRegistry, CommandSpec, Flavor};
use crate::app::BoxFuture;
use crate::originate::{OriginateRequest, OriginateTarget};
use crate::switch::Switch;

pub(super) fn register(reg: &CommandRegistry) {
    reg.register(Arc::new(ChannelOriginate));
}

static ORIGINATE: CommandSpec = CommandSpec {
    name: "channel originate",
    syntax: "channel originate <tech/data> application <appname> [appdata] | extension [exten@][context]",
    summary: "Originate a call",
    usage: "  There are two ways to use this command. A call can be originated between a\nchannel and a specific \
            application, or between a channel and an extension in\nthe dialplan. This is similar to call files or \
            the manager originate action.\nCalls originated with this command are given a timeout of 30 \
            seconds.\n\nUsage1: channel originate <tech/data> application <appname> [appdata]\n  This will \
            originate a call between the specified channel tech/data and the\ngiven application. Arguments to the \
            application are optional. If the given\narguments to the application include spaces, all of the \
            arguments to the\napplication need to be placed in quotation marks.\n\nUsage2: channel originate \
            <tech/data> extension [exten@][context]\n  This will originate a call between the specified channel \
            tech/data and the\ngiven extension. If no context is specified, the 'default' context will be\nused. \
            If no extension is given, the 's' extension will be used.\n",
    flavor: Flavor::Asterisk,
};

/// Parsed arguments of `channel originate`.
#[derive(Debug, PartialEq, Eq)]
struct OriginateArgs {
    dial: String,
    target: OriginateTarget,
}

fn parse(args: &[String]) -> Option<OriginateArgs> {
    let (dial, kind) = (args.first()?, args.get(1)?);
    let target = if kind.eq_ignore_ascii_case("application") {
        let name = args.get(2)?.clone();
        let rest = args.get(3).cloned().unwrap_or_default();
        OriginateTarget::App { name, args: rest }
    } else if kind.eq_ignore_ascii_case("extension") {
        let spec = args.get(2).map_or("", String::as_str);
        let (exten, context) = spec.split_once('@').unwrap_or((spec, ""));
        let or = |s: &str, d: &str| if s.is_empty() { d.to_owned() } else { s.to_owned() };
        OriginateTarget::Extension { context: or(context, "default"), exten: or(exten, "s"), priority: 1 }
    } else {
        return None;
    };
    Some(OriginateArgs { dial: dial.clone(), target })
}

struct ChannelOriginate;
impl Command for ChannelOriginate {
    fn spec(&self) -> &'static CommandSpec {
        &ORIGINATE
    }
    fn run<'a>(&'a self, sw: &'a Switch, args: &'a [String]) -> BoxFuture<'a, CommandOutput> {
        Box::pin(async move {
            let Some(parsed) = parse(args) else { return CommandOutput::usage(&ORIGINATE) };
            let mut req = OriginateRequest::new(parsed.dial, parsed.target);
            req.timeout = Duration::from_secs(30);
            // As in Asterisk, the CLI does not wait for the call: it runs in the background.
            match sw.originate(req) {
                Ok(pending) => {
                    let sw = sw.clone();
                    tokio::spawn(async move {
                        let outcome = pending.outcome().await;
                        sw.stats().originate_finished(outcome.answered);
                    });
                    CommandOutput::ok("")
                }
                Err(e) => CommandOutput::failure(format!("{e}\n")),
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(s: &str) -> Vec<String> {
        super::super::split_args(s)
    }

    #[test]
    fn application_form_takes_app_and_data() {
        let a = parse(&words("sim/a application Wait 2")).unwrap();
        assert_eq!(a.target, OriginateTarget::App { name: "Wait".into(), args: "2".into() });
    }

    #[test]
    fn extension_form_defaults_to_s_at_default() {
        let a = parse(&words("sim/a extension")).unwrap();
        let expect = OriginateTarget::Extension { context: "default".into(), exten: "s".into(), priority: 1 };
        assert_eq!(a.target, expect);
        let b = parse(&words("sim/a extension 100@ctx")).unwrap();
        assert!(
            matches!(b.target, OriginateTarget::Extension { ref exten, ref context, .. } if exten == "100" && context == "ctx")
        );
    }

    #[test]
    fn anything_else_is_a_usage_error() {
        assert!(parse(&words("sim/a dance")).is_none());
        assert!(parse(&words("sim/a application")).is_none());
    }
}
