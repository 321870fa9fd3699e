//! What `Dial` does while the two parties talk: the `L(x[:y[:z]])` time limit with its warnings, and
//! the blind transfer feature that `t` (callee) and `T` (caller) allow: `#` then the extension, as
//! Asterisk's built-in feature map (no features.conf) has it.

use std::sync::Arc;
use std::time::Duration;

use switchyard_core::channel::{ChannelHandle, WaitFor, Woken};
use switchyard_core::{Channel, ChannelCommand, HangupCause, Interrupted};
use tokio::time::Instant;

use crate::engine::Engine;

/// Asterisk's default blind transfer feature code (`blindxfer` when features.conf sets none).
pub(crate) const BLIND_TRANSFER_CODE: char = '#';
/// Asterisk's default `transferdigittimeout`: seconds allowed between the digits of the destination.
const TRANSFER_DIGIT_TIMEOUT: Duration = Duration::from_secs(3);

/// `L(x[:y[:z]])`: the call lasts at most `x`; a warning `y` before the end, repeated every `z`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct TimeLimit {
    pub total: Duration,
    pub warn_before: Option<Duration>,
    pub repeat: Option<Duration>,
}

impl TimeLimit {
    /// Parses `x[:y[:z]]` in milliseconds; None when `x` is missing or zero.
    pub(crate) fn parse(text: &str) -> Option<Self> {
        let mut parts = text.split(':').map(|p| p.trim().parse::<u64>().ok().filter(|v| *v > 0));
        let total = Duration::from_millis(parts.next().flatten()?);
        let warn_before = parts.next().flatten().map(Duration::from_millis).filter(|w| *w < total);
        let repeat = parts.next().flatten().map(Duration::from_millis);
        Some(Self { total, warn_before, repeat })
    }

    /// When the warnings fall, measured from the answer: `y` before the end, then every `z` while
    /// time is left.
    pub(crate) fn warnings(&self) -> Vec<Duration> {
        let Some(before) = self.warn_before else { return Vec::new() };
        let mut at = self.total - before;
        let mut out = vec![at];
        if let Some(step) = self.repeat {
            while at + step < self.total && out.len() < 10_000 {
                at += step;
                out.push(at);
            }
        }
        out
    }
}

/// How the bridged wait of one party ended.
pub(crate) enum TalkEnd {
    /// The bridge ended (the other party left).
    Unbridged,
    /// The time limit ran out.
    TimeUp,
    /// This party blind-transferred the other and hangs up.
    Transferred,
}

/// One party's wait while bridged: warnings and the end of `limit` (caller only), and the blind
/// transfer feature when `may_transfer` (`peer` is sent to the extension dialed in `context`).
pub(crate) async fn talk(
    e: &Arc<Engine>,
    chan: &mut Channel,
    limit: Option<(Instant, TimeLimit)>,
    transfer: Option<(&ChannelHandle, &str)>,
) -> Result<TalkEnd, Interrupted> {
    let mut warnings = limit.map(|(from, l)| l.warnings().into_iter().map(move |w| from + w)).into_iter().flatten();
    let mut next_warning = warnings.next();
    let end = limit.map(|(from, l)| from + l.total);
    let want = WaitFor { unbridged: true, digit: transfer.is_some(), ..WaitFor::default() };
    loop {
        let deadline = [next_warning, end].into_iter().flatten().min();
        match chan.wait_until(deadline, want).await? {
            // Every warning due is given, even late ones (a busy machine), before the end is checked.
            Woken::Timeout if next_warning.is_some_and(|w| Instant::now() >= w) => {
                if let Some(t) = end {
                    warn_time_left(chan, t.saturating_duration_since(Instant::now()));
                }
                next_warning = warnings.next();
            }
            Woken::Timeout if end.is_some_and(|t| Instant::now() >= t) => return Ok(TalkEnd::TimeUp),
            Woken::Timeout => {}
            Woken::Digit(BLIND_TRANSFER_CODE) => {
                if let Some((peer, context)) = transfer
                    && let Some(exten) = transfer_destination(e, chan, context).await?
                {
                    blind_transfer(chan, peer, context, &exten);
                    return Ok(TalkEnd::Transferred);
                }
            }
            Woken::Digit(_) | Woken::Answered | Woken::QueuedApp => {}
            Woken::Unbridged => return Ok(TalkEnd::Unbridged),
        }
    }
}

/// The `L()` warning: Asterisk plays the time left to the caller; without media Switchyard logs it
/// and sets `LIMIT_WARNING_LEFT_MS` on the channel (one `VarSet` per warning).
fn warn_time_left(chan: &mut Channel, left: Duration) {
    tracing::info!(channel = %chan.current().name, "Dial time limit: {} ms left", left.as_millis());
    chan.set_var("LIMIT_WARNING_LEFT_MS", &left.as_millis().to_string());
}

/// Digits after the feature code, until they name an extension of `context` that no longer digit
/// could extend, or the digit timeout passes. None when nothing valid was dialed.
async fn transfer_destination(e: &Engine, chan: &mut Channel, context: &str) -> Result<Option<String>, Interrupted> {
    let plan = e.plan();
    let cid = chan.current().caller.number.clone();
    let mut digits = String::new();
    let want = WaitFor { digit: true, unbridged: true, ..WaitFor::default() };
    loop {
        if !digits.is_empty() && plan.exists(context, &digits, &cid) && !plan.could_match_more(context, &digits) {
            break;
        }
        match chan.wait_until(Some(Instant::now() + TRANSFER_DIGIT_TIMEOUT), want).await? {
            Woken::Digit(d) => digits.push(d),
            Woken::Unbridged => return Ok(None),
            _ => break,
        }
    }
    if plan.exists(context, &digits, &cid) {
        Ok(Some(digits))
    } else {
        tracing::info!(channel = %chan.current().name, "blind transfer: no extension '{digits}' in '{context}'");
        Ok(None)
    }
}

/// Sends `peer` to `exten@context` and hangs this party up (Asterisk's blind transfer).
fn blind_transfer(chan: &mut Channel, peer: &ChannelHandle, context: &str, exten: &str) {
    tracing::info!(channel = %chan.current().name, "blind transfer to {exten}@{context}");
    chan.set_var("BLINDTRANSFER", &peer.snapshot().name);
    let redirect = ChannelCommand::Redirect { context: context.to_owned(), exten: exten.to_owned(), priority: 1 };
    let _ = peer.send(redirect);
    chan.request_hangup(HangupCause::NORMAL_CLEARING, "blind transfer");
}

/// The context a transfer from `chan` dials in: `TRANSFER_CONTEXT` if set, else `fallback`.
pub(crate) fn transfer_context(chan: &Channel, fallback: &str) -> String {
    chan.var("TRANSFER_CONTEXT").map_or_else(|| fallback.to_owned(), str::to_owned)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ms(v: u64) -> Duration {
        Duration::from_millis(v)
    }

    #[test]
    fn limits_parse_all_three_values() {
        let l = TimeLimit::parse("60000:30000:10000").unwrap();
        assert_eq!((l.total, l.warn_before, l.repeat), (ms(60_000), Some(ms(30_000)), Some(ms(10_000))));
        assert_eq!(l.warnings(), [ms(30_000), ms(40_000), ms(50_000)]);
        assert_eq!(TimeLimit::parse("5000").unwrap().warnings(), []);
        assert_eq!(TimeLimit::parse("5000:1000").unwrap().warnings(), [ms(4000)]);
        assert_eq!(TimeLimit::parse("5000:9000").unwrap().warn_before, None, "a warning past the start is dropped");
        assert_eq!(TimeLimit::parse(""), None);
        assert_eq!(TimeLimit::parse("0:100"), None);
    }
}
