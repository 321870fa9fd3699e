//! FreeSWITCH's `show calls [count] [as json]`: one row per call, the bridged peer in the `b_*` columns.

use std::sync::Arc;

use super::fs_simple::SyncCommand;
use super::{CommandOutput, CommandRegistry, CommandSpec, format_utc, render_csv, render_json};
use crate::fs_spec;
use crate::snapshot::ChannelSnapshot;
use crate::switch::Switch;

static SHOW_CALLS: CommandSpec = fs_spec!("show calls", "show calls [count] [as json]", "show calls");

/// The `basic_calls` view columns, in FreeSWITCH's order.
const COLUMNS: &str = "uuid,direction,created,created_epoch,name,state,cid_name,cid_num,ip_addr,dest,presence_id,\
presence_data,accountcode,callstate,callee_name,callee_num,callee_direction,call_uuid,hostname,sent_callee_name,\
sent_callee_num,b_uuid,b_direction,b_created,b_created_epoch,b_name,b_state,b_cid_name,b_cid_num,b_ip_addr,b_dest,\
b_presence_id,b_presence_data,b_accountcode,b_callstate,b_callee_name,b_callee_num,b_callee_direction,\
b_sent_callee_name,b_sent_callee_num,call_created_epoch";

pub(super) fn register(reg: &CommandRegistry) {
    reg.register(Arc::new(SyncCommand { spec: &SHOW_CALLS, run: show_calls }));
}

fn show_calls(sw: &Switch, args: &[String]) -> CommandOutput {
    let words: Vec<&str> = args.iter().map(String::as_str).collect();
    let (count, json) = match words.as_slice() {
        [] => (false, false),
        ["count"] => (true, false),
        ["as", "json"] => (false, true),
        ["count", "as", "json"] => (true, true),
        _ => return CommandOutput::usage(&SHOW_CALLS),
    };
    let rows = rows(sw);
    CommandOutput::ok(match (count, json) {
        (true, false) => format!("\n{} total.\n", rows.len()),
        (true, true) => format!("{{\"row_count\":{}}}", rows.len()),
        (false, false) => render_csv(&columns(), &rows),
        (false, true) => render_json(&columns(), &rows),
    })
}

/// One row per call: a channel and its bridged peer; the peer gets no row of its own.
fn rows(sw: &Switch) -> Vec<Vec<String>> {
    let mut snaps = sw.channels().snapshots();
    snaps.sort_by_key(|s| s.created);
    let host = &sw.info().hostname;
    let mut seen = std::collections::HashSet::new();
    let mut out = Vec::new();
    for s in &snaps {
        if !seen.insert(s.id) {
            continue;
        }
        let peer =
            s.bridge_id.as_ref().and_then(|b| snaps.iter().find(|o| o.id != s.id && o.bridge_id.as_ref() == Some(b)));
        if let Some(p) = peer {
            seen.insert(p.id);
        }
        let mut row = side(s, Some(host));
        row.extend(peer.map_or_else(|| vec![String::new(); 19], |p| b_side(p)));
        row.push(s.created.secs().to_string());
        out.push(row);
    }
    out
}

/// uuid … sent_callee_num (21 columns).
fn side(s: &ChannelSnapshot, host: Option<&str>) -> Vec<String> {
    let dest =
        if s.location.exten.is_empty() { s.dialed.as_str().to_owned() } else { s.location.exten.as_str().to_owned() };
    let mut r = vec![
        s.id.to_string(),
        s.direction.fs_name().to_owned(),
        format_utc(s.created),
        s.created.secs().to_string(),
        s.name.as_str().to_owned(),
        s.state.phase().fs_name().to_owned(),
        s.caller.name.as_str().to_owned(),
        s.caller.number.as_str().to_owned(),
        String::new(),
        dest,
        String::new(),
        String::new(),
        s.account_code.as_str().to_owned(),
        s.state.call_state().fs_name().to_owned(),
        s.connected.name.as_str().to_owned(),
        s.connected.number.as_str().to_owned(),
        String::new(),
        s.id.to_string(),
    ];
    r.push(host.unwrap_or("").to_owned());
    r.extend([String::new(), String::new()]);
    r
}

/// b_uuid … b_sent_callee_num (19 columns).
fn b_side(p: &ChannelSnapshot) -> Vec<String> {
    let full = side(p, None);
    let mut r: Vec<String> = full[..16].to_vec();
    r.extend([String::new(), String::new(), String::new()]);
    r.truncate(19);
    r[16] = String::new();
    r
}

fn columns() -> Vec<&'static str> {
    COLUMNS.split(',').collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_row_has_as_many_fields_as_the_header() {
        assert_eq!(COLUMNS.split(',').count(), 21 + 19 + 1);
    }
}
