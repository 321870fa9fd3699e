//! DTMF in and out: `SendDTMF`, `Read` and `WaitExten` (digits collected against the dialplan, then
//! `t`/`i` handling as Asterisk).

use std::sync::Arc;
use std::time::Duration;

use switchyard_core::app::{AppResult, BoxFuture};
use switchyard_core::{Channel, HangupCause};

use crate::engine::Engine;
use crate::state::{jump, pc};

type R<'a> = BoxFuture<'a, AppResult>;

fn secs(v: &str) -> Option<Duration> {
    v.trim().parse::<f64>().ok().filter(|s| s.is_finite() && *s > 0.0).map(Duration::from_secs_f64)
}

fn response_timeout(chan: &mut Channel) -> Duration {
    Duration::from_secs_f64(pc(chan).response_timeout.unwrap_or(10.0))
}

fn digit_timeout(chan: &mut Channel) -> Duration {
    Duration::from_secs_f64(pc(chan).digit_timeout.unwrap_or(5.0))
}

/// `SendDTMF(digits[,timeout_ms[,duration_ms]])`; `w` pauses half a second.
pub(crate) fn send_dtmf<'a>(_e: &'a Arc<Engine>, chan: &'a mut Channel, args: &'a str) -> R<'a> {
    Box::pin(async move {
        let a: Vec<&str> = args.split(',').collect();
        let gap = a.get(1).and_then(|v| v.trim().parse().ok()).filter(|v| *v > 0).unwrap_or(250u64);
        let duration = a.get(2).and_then(|v| v.trim().parse().ok()).filter(|v| *v > 0).unwrap_or(100u32);
        for d in a[0].chars() {
            match d.to_ascii_uppercase() {
                'W' => chan.sleep(Duration::from_millis(500)).await?,
                d if d.is_ascii_digit() || "*#ABCD".contains(d) => {
                    chan.send_dtmf(d, duration);
                    chan.sleep(Duration::from_millis(gap)).await?;
                }
                _ => {}
            }
        }
        Ok(String::new())
    })
}

/// `Read(var[,filename[,maxdigits[,options[,attempts[,timeout]]]]])`; `#` ends input.
pub(crate) fn read<'a>(_e: &'a Arc<Engine>, chan: &'a mut Channel, args: &'a str) -> R<'a> {
    Box::pin(async move {
        let a = crate::args::split(args, ',');
        let var = a[0].trim().to_owned();
        let max: usize = a.get(2).and_then(|v| v.trim().parse().ok()).filter(|v| *v > 0).unwrap_or(255);
        let timeout = a.get(5).and_then(|v| secs(v)).unwrap_or_else(|| response_timeout(chan));
        let mut digits = String::new();
        let status = loop {
            match chan.wait_for_digit(Some(timeout)).await {
                Ok(Some('#')) => break "OK",
                Ok(Some(d)) => {
                    digits.push(d);
                    if digits.len() >= max {
                        break "OK";
                    }
                }
                Ok(None) => break if digits.is_empty() { "TIMEOUT" } else { "OK" },
                Err(i) => {
                    chan.set_var("READSTATUS", "HANGUP");
                    return Err(i);
                }
            }
        };
        crate::vars::set(chan, &var, &digits);
        chan.set_var("READSTATUS", status);
        Ok(String::new())
    })
}

/// `WaitExten([seconds])`: collects digits while an extension could still match, then goes there;
/// `i` for no match, `t` on timeout (no `t`: hang up).
pub(crate) fn wait_exten<'a>(e: &'a Arc<Engine>, chan: &'a mut Channel, args: &'a str) -> R<'a> {
    Box::pin(async move {
        let first_wait = secs(args.split(',').next().unwrap_or("")).unwrap_or_else(|| response_timeout(chan));
        let ctx = chan.current().location.context.clone();
        let Some(first) = chan.wait_for_digit(Some(first_wait)).await? else {
            return timeout(e, chan, &ctx);
        };
        let mut digits = first.to_string();
        let gap = digit_timeout(chan);
        while e.plan().could_match_more(&ctx, &digits) {
            match chan.wait_for_digit(Some(gap)).await? {
                Some(d) => digits.push(d),
                None => break,
            }
        }
        let cid = chan.current().caller.number.clone();
        let plan = e.plan();
        if plan.exists(&ctx, &digits, &cid) {
            jump(chan, &ctx, &digits, 1);
        } else if plan.exists(&ctx, "i", &cid) {
            chan.set_var("INVALID_EXTEN", &digits);
            jump(chan, &ctx, "i", 1);
        } else if crate::exception::raise(e, chan, &ctx, "INVALID") {
        } else {
            tracing::warn!("Invalid extension '{digits}', but no rule 'i' in context '{ctx}'");
            return Err(chan.hangup(HangupCause::NORMAL_CLEARING));
        }
        Ok(String::new())
    })
}

fn timeout(e: &Engine, chan: &mut Channel, ctx: &str) -> AppResult {
    if e.plan().exists(ctx, "t", &chan.current().caller.number) {
        jump(chan, ctx, "t", 1);
        return Ok(String::new());
    }
    if crate::exception::raise(e, chan, ctx, "RESPONSETIMEOUT") {
        return Ok(String::new());
    }
    tracing::warn!("Timeout but no rule 't' or 'e' in context '{ctx}'");
    Err(chan.hangup(HangupCause::NORMAL_CLEARING))
}
