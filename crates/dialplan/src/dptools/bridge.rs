//! `bridge <dial string>`: FreeSWITCH dial strings — `{a=b}` variables for every leg, `[x=y]`
//! for one leg, `,` rings legs at once, `|` tries the next group when a group fails — dialed with
//! the shared `Dial` logic. After the bridge the dialplan goes on unless `hangup_after_bridge`;
//! when every group failed the channel hangs up with the cause unless `continue_on_fail` is true
//! (or lists that cause).

use std::sync::Arc;

use switchyard_core::app::{AppResult, BoxFuture};
use switchyard_core::{Channel, HangupCause};

use crate::apps::dial::{DialOptions, dial_dests};
use crate::fsxml::XmlEngine;
use crate::fsxml::parse::is_true;

/// A parsed dial string: failover groups of simultaneous legs, each a core dial string
/// (`{vars}tech/resource`).
pub(crate) fn parse_dial_string(text: &str, inherited: &[(String, String)]) -> Vec<Vec<String>> {
    let (global, rest) = leading_block(text.trim(), '{', '}');
    let (enterprise, rest) = leading_block(rest, '<', '>');
    let mut common: Vec<(String, String)> = inherited.to_vec();
    common.extend(vars(enterprise));
    common.extend(vars(global));
    split_outside(rest, '|')
        .into_iter()
        .map(|group| {
            split_outside(group, ',')
                .into_iter()
                .map(str::trim)
                .filter(|leg| !leg.is_empty())
                .map(|leg| {
                    let (own, target) = leading_block(leg, '[', ']');
                    let mut all = common.clone();
                    all.extend(vars(own));
                    render(&all, target.trim())
                })
                .collect::<Vec<_>>()
        })
        .filter(|g| !g.is_empty())
        .collect()
}

/// `{k=v,…}target` (later names win).
fn render(all: &[(String, String)], target: &str) -> String {
    let mut seen: Vec<(String, String)> = Vec::new();
    for (k, v) in all {
        seen.retain(|(n, _)| n != k);
        seen.push((k.clone(), v.clone()));
    }
    if seen.is_empty() {
        return target.to_owned();
    }
    let inner: Vec<String> = seen.iter().map(|(k, v)| format!("{k}={v}")).collect();
    format!("{{{}}}{target}", inner.join(","))
}

/// The inside of a leading `open…close` block and what follows it.
fn leading_block(text: &str, open: char, close: char) -> (&str, &str) {
    match text.strip_prefix(open).and_then(|r| r.split_once(close)) {
        Some((inner, rest)) => (inner, rest),
        None => ("", text),
    }
}

fn vars(block: &str) -> Vec<(String, String)> {
    split_outside(block, ',')
        .into_iter()
        .filter_map(|p| p.split_once('='))
        .map(|(k, v)| (k.trim().to_owned(), v.trim().trim_matches('\'').to_owned()))
        .filter(|(k, _)| !k.is_empty())
        .collect()
}

/// Splits on `sep` outside `{}`, `[]` and `<>`.
fn split_outside(text: &str, sep: char) -> Vec<&str> {
    let (mut out, mut depth, mut start) = (Vec::new(), 0i32, 0);
    for (i, c) in text.char_indices() {
        match c {
            '{' | '[' | '<' => depth += 1,
            '}' | ']' | '>' => depth -= 1,
            c if c == sep && depth <= 0 => {
                out.push(&text[start..i]);
                start = i + c.len_utf8();
            }
            _ => {}
        }
    }
    out.push(&text[start..]);
    out
}

/// The FreeSWITCH cause for a `DIALSTATUS`.
fn cause_for(status: &str) -> HangupCause {
    HangupCause::from_number(match status {
        "BUSY" => 17,
        "NOANSWER" => 19,
        "CONGESTION" => 34,
        "CANCEL" => 487,
        _ => 44,
    })
}

/// True when `continue_on_fail` lets the dialplan go on after `cause`.
fn continues(setting: Option<&str>, cause: HangupCause) -> bool {
    let Some(setting) = setting else { return false };
    is_true(setting)
        || setting.split(',').map(str::trim).any(|c| c == cause.fs_name() || c == cause.number().to_string())
}

pub(crate) fn bridge<'a>(e: &'a Arc<XmlEngine>, chan: &'a mut Channel, args: &'a str) -> BoxFuture<'a, AppResult> {
    Box::pin(async move {
        let inherited = super::vars::exported(chan);
        let groups = parse_dial_string(args, &inherited);
        let timeout = ["call_timeout", "originate_timeout"]
            .iter()
            .find_map(|v| chan.var(v).and_then(|t| t.trim().parse::<f64>().ok()))
            .filter(|t| *t > 0.0)
            .unwrap_or(60.0);
        let opts = DialOptions { go_on: true, ..DialOptions::default() };
        let mut status = "CHANUNAVAIL".to_owned();
        for group in &groups {
            dial_dests(&e.asterisk, chan, group, Some(timeout), &opts).await?;
            status = chan.var("DIALSTATUS").unwrap_or("CHANUNAVAIL").to_owned();
            if status == "ANSWER" {
                if chan.var("hangup_after_bridge").is_some_and(is_true) {
                    return Err(chan.hangup(HangupCause::NORMAL_CLEARING));
                }
                return Ok(String::new());
            }
        }
        let cause = cause_for(&status);
        chan.set_var("originate_disposition", cause.fs_name());
        if continues(chan.var("continue_on_fail"), cause) {
            return Ok(String::new());
        }
        Err(chan.hangup(cause))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dial_strings_split_into_failover_groups_of_simultaneous_legs() {
        let got = parse_dial_string("{a=1,b=2}[c=3]sim/x,sim/y|sim/z", &[]);
        assert_eq!(
            got,
            vec![vec!["{a=1,b=2,c=3}sim/x".to_owned(), "{a=1,b=2}sim/y".to_owned()], vec!["{a=1,b=2}sim/z".to_owned()]]
        );
        let got = parse_dial_string("sim/x?ring=1s&dtmf=1", &[("e".into(), "v".into())]);
        assert_eq!(got, vec![vec!["{e=v}sim/x?ring=1s&dtmf=1".to_owned()]]);
        assert_eq!(parse_dial_string("[x=1]sim/a", &[]), vec![vec!["{x=1}sim/a".to_owned()]]);
    }

    #[test]
    fn continue_on_fail_takes_true_or_a_list_of_causes() {
        let busy = HangupCause::USER_BUSY;
        assert!(continues(Some("true"), busy));
        assert!(continues(Some("NO_ANSWER,USER_BUSY"), busy));
        assert!(continues(Some("17"), busy));
        assert!(!continues(Some("NO_ANSWER"), busy));
        assert!(!continues(None, busy));
    }
}
