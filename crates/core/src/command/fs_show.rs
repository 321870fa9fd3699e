//! FreeSWITCH's `show channels [count|like <text>] [as json]`: the channels table as CSV or JSON.

use std::sync::Arc;

use super::{Command, CommandOutput, CommandRegistry, CommandSpec, Flavor, format_utc, render_csv, render_json};
use crate::app::BoxFuture;
use crate::snapshot::ChannelSnapshot;
use crate::switch::Switch;

pub(super) fn register(reg: &CommandRegistry) {
    reg.register(Arc::new(ShowChannels));
}

static SHOW_CHANNELS: CommandSpec = CommandSpec {
    name: "show channels",
    syntax: "show channels [count|like <match string>] [as json|as xml]",
    summary: "show channels",
    usage: "",
    flavor: Flavor::FreeSwitch,
};

/// The `channels` table columns, in FreeSWITCH's order.
const COLUMNS: [&str; 38] = [
    "uuid",
    "direction",
    "created",
    "created_epoch",
    "name",
    "state",
    "cid_name",
    "cid_num",
    "ip_addr",
    "dest",
    "application",
    "application_data",
    "dialplan",
    "context",
    "read_codec",
    "read_rate",
    "read_bit_rate",
    "write_codec",
    "write_rate",
    "write_bit_rate",
    "secure",
    "hostname",
    "presence_id",
    "presence_data",
    "accountcode",
    "callstate",
    "callee_name",
    "callee_num",
    "callee_direction",
    "call_uuid",
    "sent_callee_name",
    "sent_callee_num",
    "initial_cid_name",
    "initial_cid_num",
    "initial_ip_addr",
    "initial_dest",
    "initial_dialplan",
    "initial_context",
];

/// Parsed arguments.
#[derive(Debug, PartialEq, Eq)]
struct ShowArgs {
    count_only: bool,
    like: Option<String>,
    json: bool,
}

fn parse(args: &[String]) -> Option<ShowArgs> {
    let mut words: Vec<&str> = args.iter().map(String::as_str).collect();
    let json = words.len() >= 2 && words[words.len() - 2] == "as" && words[words.len() - 1] == "json";
    if json {
        words.truncate(words.len() - 2);
    }
    match words.as_slice() {
        [] => Some(ShowArgs { count_only: false, like: None, json }),
        ["count"] => Some(ShowArgs { count_only: true, like: None, json }),
        ["like", text] => Some(ShowArgs { count_only: false, like: Some((*text).to_owned()), json }),
        _ => None,
    }
}

struct ShowChannels;
impl Command for ShowChannels {
    fn spec(&self) -> &'static CommandSpec {
        &SHOW_CHANNELS
    }
    fn run<'a>(&'a self, sw: &'a Switch, args: &'a [String]) -> BoxFuture<'a, CommandOutput> {
        Box::pin(async move {
            let (args, xml) = super::fs_show_xml::strip_as_xml(args);
            let Some(a) = parse(args) else { return CommandOutput::usage(&SHOW_CHANNELS) };
            let host = sw.info().hostname.clone();
            let rows: Vec<Vec<String>> = sw
                .channels()
                .snapshots()
                .iter()
                .map(|s| row(s, &host))
                .filter(|r| a.like.as_ref().is_none_or(|l| [0, 4, 6, 7, 9].iter().any(|&i| r[i].contains(l.as_str()))))
                .collect();
            if xml {
                return CommandOutput::ok(super::fs_show_xml::xml(&COLUMNS, &rows, a.count_only));
            }
            CommandOutput::ok(match (a.count_only, a.json) {
                (true, false) => format!("\n{} total.\n", rows.len()),
                (true, true) => format!("{{\"row_count\":{}}}", rows.len()),
                (false, false) => render_csv(&COLUMNS, &rows),
                (false, true) => render_json(&COLUMNS, &rows),
            })
        })
    }
}

fn row(s: &ChannelSnapshot, host: &str) -> Vec<String> {
    let l = &s.location;
    let dest = if l.exten.is_empty() { s.dialed.as_str().to_owned() } else { l.exten.as_str().to_owned() };
    let mut r = vec![String::new(); COLUMNS.len()];
    r[0] = s.id.to_string();
    r[1] = s.direction.fs_name().to_owned();
    r[2] = format_utc(s.created);
    r[3] = s.created.secs().to_string();
    r[4] = s.name.as_str().to_owned();
    r[5] = s.state.phase().fs_name().to_owned();
    r[6] = s.caller.name.as_str().to_owned();
    r[7] = s.caller.number.as_str().to_owned();
    r[9].clone_from(&dest);
    r[10] = l.app().map_or("", |a| a.as_str()).to_owned();
    r[11] = l.app_data().to_owned();
    r[13] = l.context.as_str().to_owned();
    r[21] = host.to_owned();
    r[24] = s.account_code.as_str().to_owned();
    r[25] = s.state.call_state().fs_name().to_owned();
    r[32] = s.caller.name.as_str().to_owned();
    r[33] = s.caller.number.as_str().to_owned();
    r[35] = dest;
    r[37] = l.context.as_str().to_owned();
    r
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_rows_prints_only_the_footer() {
        let none: [Vec<String>; 0] = [];
        assert_eq!(render_csv(&COLUMNS, &none), "\n0 total.\n");
    }

    #[test]
    fn rows_come_after_the_header_and_before_the_footer() {
        let r = vec!["x".to_owned(); COLUMNS.len()];
        let out = render_csv(&COLUMNS, &[r]);
        assert!(out.starts_with("uuid,direction,created,created_epoch,name,state,"));
        assert!(out.ends_with("\n\n1 total.\n"));
    }

    #[test]
    fn arguments_parse() {
        let w = |s: &str| super::super::split_args(s);
        assert_eq!(parse(&w("as json")), Some(ShowArgs { count_only: false, like: None, json: true }));
        assert_eq!(parse(&w("count")), Some(ShowArgs { count_only: true, like: None, json: false }));
        assert!(parse(&w("sideways")).is_none());
    }
}
