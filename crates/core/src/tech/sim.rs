//! `sim/`: a scripted far end, so tests and benchmarks get deterministic calls without a network.
//!
//! Syntax: `sim/<name>[?option&option…]`. Options:
//! - outcome, one of `answer` (default), `busy`, `noanswer`, `congestion`, `unavailable`, `reject=<cause>`;
//! - `ring=<duration>`: ring this long before the outcome (`noanswer` rings until the caller gives up);
//! - `early`: send early media (183) first;
//! - `dtmf=<digits>` sent after answer, `dtmf_delay=<duration>` (default 500ms), `dtmf_gap=<duration>` (100ms);
//! - `hangup=<duration>` after answer, with `cause=<cause>` (default NORMAL_CLEARING);
//! - `media=consume|echo|silence` (default consume).

use std::collections::VecDeque;
use std::time::Duration;

use tokio::time::Instant;

use super::{DialStringError, Endpoint, LocalEvent, RemoteAction, Tech, parse_duration};
use crate::cause::HangupCause;

const KNOWN: &str = "answer, busy, noanswer, congestion, unavailable, reject, ring, early, dtmf, dtmf_delay, \
                     dtmf_gap, hangup, cause, media";

/// What the far end does when called.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SimOutcome {
    /// Answers.
    Answer,
    /// Never answers.
    NoAnswer,
    /// Refuses with a cause (busy, congestion, unavailable, …).
    Reject(HangupCause),
}

/// A parsed `sim/` resource.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SimSpec {
    /// The name before `?`.
    pub name: String,
    /// Outcome of the call attempt.
    pub outcome: SimOutcome,
    /// Ringing time before the outcome.
    pub ring: Duration,
    /// Early media first.
    pub early: bool,
    /// Digits sent after answer.
    pub dtmf: String,
    /// Delay before the first digit.
    pub dtmf_delay: Duration,
    /// Gap between digits.
    pub dtmf_gap: Duration,
    /// Hang up this long after answer.
    pub hangup_after: Option<Duration>,
    /// Cause used for that hangup.
    pub hangup_cause: HangupCause,
    /// Media behaviour.
    pub media: &'static str,
}

impl SimSpec {
    /// Parses the resource part of a `sim/` dial string.
    pub fn parse(resource: &str) -> Result<Self, DialStringError> {
        let dial = format!("sim/{resource}");
        let (name, query) = resource.split_once('?').unwrap_or((resource, ""));
        let mut spec = Self::named(name);
        for opt in query.split('&').filter(|o| !o.is_empty()) {
            let (key, value) = opt.split_once('=').map_or((opt, None), |(k, v)| (k, Some(v)));
            spec.apply(key, value).map_err(|e| e.into_error(key, &dial))?;
        }
        Ok(spec)
    }

    fn named(name: &str) -> Self {
        Self {
            name: name.to_owned(),
            outcome: SimOutcome::Answer,
            ring: Duration::ZERO,
            early: false,
            dtmf: String::new(),
            dtmf_delay: Duration::from_millis(500),
            dtmf_gap: Duration::from_millis(100),
            hangup_after: None,
            hangup_cause: HangupCause::NORMAL_CLEARING,
            media: "consume",
        }
    }

    fn apply(&mut self, key: &str, value: Option<&str>) -> Result<(), OptionError> {
        let value_of = || value.ok_or(OptionError::Bad("a value is required".into()));
        let duration = || parse_duration(value_of()?).map_err(|e| OptionError::Bad(e.to_string()));
        let cause = || HangupCause::parse(value_of()?).map_err(|e| OptionError::Bad(e.to_string()));
        match key {
            "answer" => self.outcome = SimOutcome::Answer,
            "busy" => self.outcome = SimOutcome::Reject(HangupCause::USER_BUSY),
            "noanswer" => self.outcome = SimOutcome::NoAnswer,
            "congestion" => self.outcome = SimOutcome::Reject(HangupCause::NORMAL_CIRCUIT_CONGESTION),
            "unavailable" => self.outcome = SimOutcome::Reject(HangupCause::REQUESTED_CHAN_UNAVAIL),
            "reject" => self.outcome = SimOutcome::Reject(cause()?),
            "ring" => self.ring = duration()?,
            "early" => self.early = true,
            "dtmf" => self.dtmf = parse_digits(value_of()?)?,
            "dtmf_delay" => self.dtmf_delay = duration()?,
            "dtmf_gap" => self.dtmf_gap = duration()?,
            "hangup" => self.hangup_after = Some(duration()?),
            "cause" => self.hangup_cause = cause()?,
            "media" => self.media = parse_media(value_of()?)?,
            _ => return Err(OptionError::Unknown),
        }
        Ok(())
    }
}

enum OptionError {
    Unknown,
    Bad(String),
}

impl OptionError {
    fn into_error(self, key: &str, dial: &str) -> DialStringError {
        match self {
            Self::Unknown => DialStringError::UnknownOption { option: key.into(), dial: dial.into(), known: KNOWN },
            Self::Bad(reason) => DialStringError::BadValue { option: key.into(), dial: dial.into(), reason },
        }
    }
}

fn parse_digits(v: &str) -> Result<String, OptionError> {
    let ok = !v.is_empty() && v.chars().all(|c| c.is_ascii_digit() || "*#ABCDabcd".contains(c));
    ok.then(|| v.to_ascii_uppercase())
        .ok_or_else(|| OptionError::Bad(format!("'{v}' is not a DTMF string (0-9, *, #, A-D)")))
}

fn parse_media(v: &str) -> Result<&'static str, OptionError> {
    ["consume", "echo", "silence"]
        .into_iter()
        .find(|m| *m == v)
        .ok_or_else(|| OptionError::Bad(format!("'{v}' is not one of consume, echo, silence")))
}

/// The `sim` technology.
pub struct SimTech;

impl Tech for SimTech {
    fn name(&self) -> &'static str {
        "sim"
    }

    fn request(&self, _switch: &crate::switch::Switch, resource: &str) -> Result<Box<dyn Endpoint>, DialStringError> {
        Ok(Box::new(SimEndpoint { spec: SimSpec::parse(resource)?, timeline: VecDeque::new() }))
    }
}

/// The far end playing a `SimSpec`.
struct SimEndpoint {
    spec: SimSpec,
    timeline: VecDeque<(Instant, RemoteAction)>,
}

impl SimEndpoint {
    fn schedule(&mut self, at: Instant, action: RemoteAction) {
        let pos = self.timeline.iter().position(|(t, _)| *t > at).unwrap_or(self.timeline.len());
        self.timeline.insert(pos, (at, action));
    }

    fn on_dialing(&mut self, now: Instant) {
        if self.spec.early {
            self.schedule(now, RemoteAction::Progress);
        }
        if !self.spec.ring.is_zero() || self.spec.outcome == SimOutcome::NoAnswer {
            self.schedule(now, RemoteAction::Ringing);
        }
        let at = now + self.spec.ring;
        match self.spec.outcome {
            SimOutcome::Answer => self.schedule(at, RemoteAction::Answer),
            SimOutcome::Reject(cause) => self.schedule(at, RemoteAction::Reject(cause)),
            SimOutcome::NoAnswer => {}
        }
    }

    fn on_up(&mut self, now: Instant) {
        let digits: Vec<char> = self.spec.dtmf.chars().collect();
        for (i, digit) in digits.into_iter().enumerate() {
            let at = now + self.spec.dtmf_delay + self.spec.dtmf_gap * i as u32;
            self.schedule(at, RemoteAction::Dtmf(digit));
        }
        if let Some(after) = self.spec.hangup_after {
            self.schedule(now + after, RemoteAction::Hangup(self.spec.hangup_cause));
        }
    }
}

impl Endpoint for SimEndpoint {
    fn next_deadline(&self) -> Option<Instant> {
        self.timeline.front().map(|(t, _)| *t)
    }

    fn on_deadline(&mut self, now: Instant) -> Option<RemoteAction> {
        match self.timeline.front() {
            Some((t, _)) if *t <= now => self.timeline.pop_front().map(|(_, a)| a),
            _ => None,
        }
    }

    fn on_local(&mut self, event: LocalEvent, now: Instant) {
        match event {
            LocalEvent::Dialing => self.on_dialing(now),
            LocalEvent::Up => self.on_up(now),
            LocalEvent::Hangup(_) => self.timeline.clear(),
        }
    }

    fn media_mode(&self) -> &'static str {
        self.spec.media
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_default_sim_answers_at_once() {
        let s = SimSpec::parse("alice").unwrap();
        assert_eq!((s.name.as_str(), s.outcome, s.ring), ("alice", SimOutcome::Answer, Duration::ZERO));
    }

    #[test]
    fn options_combine() {
        let s = SimSpec::parse("bob?ring=200ms&dtmf=1#&hangup=5s&cause=USER_BUSY&media=echo").unwrap();
        assert_eq!(s.ring, Duration::from_millis(200));
        assert_eq!(s.dtmf, "1#");
        assert_eq!(s.hangup_after, Some(Duration::from_secs(5)));
        assert_eq!((s.hangup_cause, s.media), (HangupCause::USER_BUSY, "echo"));
    }

    #[test]
    fn each_failure_outcome_has_its_cause() {
        let cause = |r: &str| SimSpec::parse(r).unwrap().outcome;
        assert_eq!(cause("x?busy"), SimOutcome::Reject(HangupCause::USER_BUSY));
        assert_eq!(cause("x?congestion"), SimOutcome::Reject(HangupCause::NORMAL_CIRCUIT_CONGESTION));
        assert_eq!(cause("x?unavailable"), SimOutcome::Reject(HangupCause::REQUESTED_CHAN_UNAVAIL));
        assert_eq!(cause("x?reject=CALL_REJECTED"), SimOutcome::Reject(HangupCause::CALL_REJECTED));
        assert_eq!(cause("x?noanswer"), SimOutcome::NoAnswer);
    }

    #[test]
    fn bad_options_are_named_with_the_dial_string() {
        let err = SimSpec::parse("x?colour=red").unwrap_err().to_string();
        assert!(err.contains("'colour'") && err.contains("sim/x?colour=red"), "{err}");
        let err = SimSpec::parse("x?ring=soon").unwrap_err().to_string();
        assert!(err.contains("'ring'") && err.contains("soon"), "{err}");
        let err = SimSpec::parse("x?dtmf=12x").unwrap_err().to_string();
        assert!(err.contains("DTMF"), "{err}");
        let err = SimSpec::parse("x?hangup").unwrap_err().to_string();
        assert!(err.contains("value is required"), "{err}");
    }

    #[test]
    fn the_timeline_rings_answers_then_sends_digits_and_hangs_up() {
        let sw = crate::command::tests::test_switch();
        let mut ep = SimTech.request(&sw, "x?ring=1s&dtmf=12&hangup=3s").unwrap();
        let t0 = Instant::now();
        ep.on_local(LocalEvent::Dialing, t0);
        assert_eq!(ep.on_deadline(t0), Some(RemoteAction::Ringing));
        assert_eq!(ep.on_deadline(t0), None, "answer is not due yet");
        let t1 = ep.next_deadline().unwrap();
        assert_eq!(t1 - t0, Duration::from_secs(1));
        assert_eq!(ep.on_deadline(t1), Some(RemoteAction::Answer));
        ep.on_local(LocalEvent::Up, t1);
        let mut seen = Vec::new();
        while let Some(t) = ep.next_deadline() {
            seen.push((t - t1, ep.on_deadline(t).unwrap()));
        }
        assert_eq!(
            seen,
            vec![
                (Duration::from_millis(500), RemoteAction::Dtmf('1')),
                (Duration::from_millis(600), RemoteAction::Dtmf('2')),
                (Duration::from_secs(3), RemoteAction::Hangup(HangupCause::NORMAL_CLEARING)),
            ]
        );
    }
}
