//! What `Dial` does while the two parties talk: the `L(x[:y[:z]])` time limit with its warnings, and
//! the feature codes of features.conf (Asterisk's built-in map when none is configured): transfers
//! that `t` (callee) and `T` (caller) allow, disconnect that `h`/`H` allow.

use std::sync::Arc;
use std::time::Duration;

use switchyard_core::channel::{WaitFor, Woken};
use switchyard_core::features::{Allowed, CodeMatch, Feature, match_code};
use switchyard_core::{Channel, Interrupted};
use tokio::time::Instant;

use super::transfer;
use crate::engine::Engine;

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

/// What one party of a Dial bridge may do with feature codes, and where its transfers dial.
#[derive(Clone, Debug, Default)]
pub(crate) struct FeatureRole {
    /// `t`/`T` (transfers), `h`/`H` (disconnect).
    pub allowed: Allowed,
    /// The context a transfer dials in when the channel has no `TRANSFER_CONTEXT`.
    pub context: String,
}

/// How the bridged wait of one party ended.
pub(crate) enum TalkEnd {
    /// The bridge ended (the other party left).
    Unbridged,
    /// The time limit ran out.
    TimeUp,
    /// This party transferred the other and hangs up.
    Transferred,
    /// This party used the disconnect feature.
    Disconnected,
}

/// One party's wait while bridged: warnings and the end of `limit` (caller only), and the feature
/// codes `role` allows, matched as features.conf sets them.
pub(crate) async fn talk(
    e: &Arc<Engine>,
    chan: &mut Channel,
    limit: Option<(Instant, TimeLimit)>,
    role: &FeatureRole,
) -> Result<TalkEnd, Interrupted> {
    let mut warnings = limit.map(|(from, l)| l.warnings().into_iter().map(move |w| from + w)).into_iter().flatten();
    let mut next_warning = warnings.next();
    let end = limit.map(|(from, l)| from + l.total);
    let mut codes = Codes::new(e, role);
    let _pin = (limit.is_some() || !codes.is_empty()).then(|| crate::local_optimize::pin(chan.id()));
    let want = WaitFor { unbridged: true, digit: !codes.is_empty(), ..WaitFor::default() };
    loop {
        let deadline = [next_warning, end, codes.deadline].into_iter().flatten().min();
        let feature = match chan.wait_until(deadline, want).await? {
            // Every warning due is given, even late ones (a busy machine), before the end is checked.
            Woken::Timeout if next_warning.is_some_and(|w| Instant::now() >= w) => {
                if let Some(t) = end {
                    warn_time_left(chan, t.saturating_duration_since(Instant::now()));
                }
                next_warning = warnings.next();
                None
            }
            Woken::Timeout if end.is_some_and(|t| Instant::now() >= t) => return Ok(TalkEnd::TimeUp),
            Woken::Timeout => codes.timed_out(),
            Woken::Digit(d) => codes.digit(d),
            Woken::Answered | Woken::QueuedApp => None,
            Woken::Unbridged => return Ok(TalkEnd::Unbridged),
        };
        if let Some(f) = feature
            && let Some(ended) = run_feature(e, chan, f, role).await?
        {
            return Ok(ended);
        }
    }
}

/// Feature digits collected so far against the codes a party may use.
struct Codes {
    codes: Vec<(String, Feature)>,
    digits: String,
    deadline: Option<Instant>,
    timeout: std::time::Duration,
}

impl Codes {
    fn new(e: &Engine, role: &FeatureRole) -> Self {
        let cfg = e.switch.features();
        let codes = cfg.featuremap.codes(role.allowed).into_iter().map(|(c, f)| (c.to_owned(), f)).collect();
        Self { codes, digits: String::new(), deadline: None, timeout: cfg.feature_digit_timeout }
    }

    fn is_empty(&self) -> bool {
        self.codes.is_empty()
    }

    fn table(&self) -> Vec<(&str, Feature)> {
        self.codes.iter().map(|(c, f)| (c.as_str(), *f)).collect()
    }

    /// A digit arrived: the feature it completes, if any. Digits that start no code are dropped
    /// (Asterisk passes them to the peer; a sim or SIP peer here gets no relayed DTMF yet).
    fn digit(&mut self, d: char) -> Option<Feature> {
        self.digits.push(d);
        match match_code(&self.digits, &self.table()) {
            CodeMatch::Exact(f) => self.reset(Some(f)),
            CodeMatch::Partial(_) => {
                self.deadline = Some(Instant::now() + self.timeout);
                None
            }
            CodeMatch::None => self.reset(None),
        }
    }

    /// The feature digit timeout passed: a code that was also the start of a longer one runs.
    fn timed_out(&mut self) -> Option<Feature> {
        if self.deadline.is_none_or(|t| Instant::now() < t) {
            return None;
        }
        let found = match match_code(&self.digits, &self.table()) {
            CodeMatch::Partial(found) => found,
            _ => None,
        };
        self.reset(found)
    }

    fn reset(&mut self, f: Option<Feature>) -> Option<Feature> {
        self.digits.clear();
        self.deadline = None;
        f
    }
}

/// Runs a feature; Some when it ends this party's part in the bridge.
async fn run_feature(
    e: &Arc<Engine>,
    chan: &mut Channel,
    feature: Feature,
    role: &FeatureRole,
) -> Result<Option<TalkEnd>, Interrupted> {
    if chan.bridge_peer().is_none() {
        return Ok(None);
    }
    let context = transfer_context(chan, &role.context);
    match feature {
        Feature::Disconnect => {
            tracing::info!(channel = %chan.current().name, "disconnect feature");
            Ok(Some(TalkEnd::Disconnected))
        }
        Feature::BlindTransfer => {
            let Some(exten) = transfer::destination(e, chan, &context).await? else { return Ok(None) };
            transfer::blind(e, chan, &context, &exten);
            Ok(Some(TalkEnd::Transferred))
        }
        Feature::AttendedTransfer => {
            let Some(exten) = transfer::destination(e, chan, &context).await? else { return Ok(None) };
            Ok(match transfer::attended(e, chan, &context, &exten).await? {
                transfer::Attended::Completed => Some(TalkEnd::Transferred),
                transfer::Attended::Back | transfer::Attended::WithTarget => None,
            })
        }
    }
}

/// The `L()` warning: Asterisk plays the time left to the caller; without media Switchyard logs it
/// and sets `LIMIT_WARNING_LEFT_MS` on the channel (one `VarSet` per warning).
fn warn_time_left(chan: &mut Channel, left: Duration) {
    tracing::info!(channel = %chan.current().name, "Dial time limit: {} ms left", left.as_millis());
    chan.set_var("LIMIT_WARNING_LEFT_MS", &left.as_millis().to_string());
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
