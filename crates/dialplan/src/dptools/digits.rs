//! Collecting DTMF: `read <min> <max> <file> <var> <timeout_ms> <terminators>` and
//! `play_and_get_digits <min> <max> <tries> <timeout_ms> <terminators> <file> <invalid_file>
//! <var> <regex> [<digit_timeout_ms>] [<transfer_on_failure>]`. Prompts go through the `playback`
//! application when one is registered (the media crate's); without it only the timing applies.

use std::sync::Arc;
use std::time::Duration;

use switchyard_core::app::{AppResult, BoxFuture};
use switchyard_core::{Channel, Interrupted};

use crate::fsxml::XmlEngine;

type R<'a> = BoxFuture<'a, AppResult>;

/// What one collection asks for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Collect {
    pub min: usize,
    pub max: usize,
    pub first_timeout: Duration,
    pub digit_timeout: Duration,
    pub terminators: String,
}

/// How a collection ended.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Collected {
    /// Digits, ended by the maximum or a terminator.
    Digits(String),
    /// Nothing (or too little) before the timeout; what there was.
    Timeout(String),
}

fn millis(v: Option<&&str>, default: u64) -> Duration {
    Duration::from_millis(v.and_then(|s| s.parse().ok()).filter(|n| *n > 0).unwrap_or(default))
}

/// Plays `file` with the registered `playback` application, if there is one (and a file).
async fn prompt(chan: &mut Channel, file: &str) -> Result<(), Interrupted> {
    if file.is_empty() || file == "silence" {
        return Ok(());
    }
    match chan.switch().apps().get("playback") {
        Some(app) => app.execute(chan, file).await.map(|_| ()),
        None => Ok(()),
    }
}

/// Reads digits from the channel's queue.
pub(crate) async fn collect(chan: &mut Channel, c: &Collect) -> Result<Collected, Interrupted> {
    let mut digits = String::new();
    loop {
        let wait = if digits.is_empty() { c.first_timeout } else { c.digit_timeout };
        match chan.wait_for_digit(Some(wait)).await? {
            Some(d) if c.terminators.contains(d) => return Ok(Collected::Digits(digits)),
            Some(d) => {
                digits.push(d);
                if digits.len() >= c.max {
                    return Ok(Collected::Digits(digits));
                }
            }
            None if digits.len() >= c.min.max(1) => return Ok(Collected::Digits(digits)),
            None => return Ok(Collected::Timeout(digits)),
        }
    }
}

pub(crate) fn read<'a>(_e: &'a Arc<XmlEngine>, chan: &'a mut Channel, args: &'a str) -> R<'a> {
    Box::pin(async move {
        let w: Vec<&str> = args.split_whitespace().collect();
        let num = |i: usize, d: usize| w.get(i).and_then(|s| s.parse().ok()).unwrap_or(d);
        let timeout = millis(w.get(4), 5000);
        let c = Collect {
            min: num(0, 0),
            max: num(1, 128).max(1),
            first_timeout: timeout,
            digit_timeout: timeout,
            terminators: w.get(5).map_or("#", |t| t).to_owned(),
        };
        let var = w.get(3).copied().unwrap_or("read_digits_var").to_owned();
        prompt(chan, w.get(2).copied().unwrap_or("")).await?;
        let (digits, result) = match collect(chan, &c).await? {
            Collected::Digits(d) if d.len() >= c.min => (d, "success"),
            Collected::Digits(d) => (d, "failure"),
            Collected::Timeout(d) => (d, "timeout"),
        };
        super::vars::assign(chan, &var, &digits);
        chan.set_var("read_result", result);
        Ok(String::new())
    })
}

pub(crate) fn play_and_get_digits<'a>(e: &'a Arc<XmlEngine>, chan: &'a mut Channel, args: &'a str) -> R<'a> {
    Box::pin(async move {
        let w: Vec<&str> = args.split_whitespace().collect();
        if w.len() < 9 {
            tracing::warn!(channel = %chan.current().name, "play_and_get_digits: at least 9 arguments are required");
            return Ok(String::new());
        }
        let num = |i: usize, d: usize| w.get(i).and_then(|s| s.parse().ok()).unwrap_or(d);
        let timeout = millis(w.get(3), 5000);
        let c = Collect {
            min: num(0, 0),
            max: num(1, 128).max(1),
            first_timeout: timeout,
            digit_timeout: millis(w.get(9), timeout.as_millis() as u64),
            terminators: if w[4] == "none" { String::new() } else { w[4].to_owned() },
        };
        let (file, invalid, var) = (w[5], w[6], w[7]);
        let regex = regex::Regex::new(w[8]).ok();
        for _ in 0..num(2, 1).max(1) {
            prompt(chan, file).await?;
            let digits = match collect(chan, &c).await? {
                Collected::Digits(d) | Collected::Timeout(d) => d,
            };
            let valid = digits.len() >= c.min && regex.as_ref().is_none_or(|r| r.is_match(&digits));
            if valid && !digits.is_empty() {
                super::vars::assign(chan, var, &digits);
                return Ok(String::new());
            }
            prompt(chan, invalid).await?;
        }
        chan.unset_var(var);
        if w.len() > 10
            && let Some((exten, kind, context)) = super::flow::destination(chan, &w[10..])
        {
            return Err(crate::fsxml::route::transfer(chan, &exten, kind, &context));
        }
        let _ = e;
        Ok(String::new())
    })
}
