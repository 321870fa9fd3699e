//! The channel state machine, seen as Asterisk line states (0–9), FreeSWITCH `CS_*` states and call states.

use std::fmt;

/// Asterisk's channel (line) state, `ast_channel_state` 0–9.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[repr(u8)]
pub enum LineState {
    /// Channel is down and available.
    Down = 0,
    /// Channel is down, but reserved.
    Reserved = 1,
    /// Channel is off hook.
    OffHook = 2,
    /// Digits (or equivalent) have been dialed.
    Dialing = 3,
    /// Line is ringing (incoming call offered to us).
    Ring = 4,
    /// Remote end is ringing.
    Ringing = 5,
    /// Line is up.
    Up = 6,
    /// Line is busy.
    Busy = 7,
    /// Digits have been dialed while off hook.
    DialingOffhook = 8,
    /// Channel has detected an incoming call and is waiting for ring.
    PreRing = 9,
}

impl LineState {
    /// Asterisk's text (`ast_state2str`), as in AMI `ChannelStateDesc` and `core show channels`.
    pub fn asterisk_name(self) -> &'static str {
        match self {
            Self::Down => "Down",
            Self::Reserved => "Rsrvd",
            Self::OffHook => "OffHook",
            Self::Dialing => "Dialing",
            Self::Ring => "Ring",
            Self::Ringing => "Ringing",
            Self::Up => "Up",
            Self::Busy => "Busy",
            Self::DialingOffhook => "Dialing Offhook",
            Self::PreRing => "Pre-ring",
        }
    }

    /// The number AMI prints as `ChannelState`.
    pub fn number(self) -> u8 {
        self as u8
    }
}

/// FreeSWITCH's channel state (`CS_*`): where the channel is in its life, not what the line does.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[repr(u8)]
pub enum Phase {
    /// `CS_NEW`: just created.
    New = 0,
    /// `CS_INIT`: initialised.
    Init = 1,
    /// `CS_ROUTING`: looking for a dialplan extension.
    Routing = 2,
    /// `CS_SOFT_EXECUTE`: ready to execute from another thread.
    SoftExecute = 3,
    /// `CS_EXECUTE`: running the dialplan or an application.
    Execute = 4,
    /// `CS_EXCHANGE_MEDIA`: bridged to another channel.
    ExchangeMedia = 5,
    /// `CS_PARK`: parked, waiting for commands.
    Park = 6,
    /// `CS_CONSUME_MEDIA`: reading media and discarding it.
    ConsumeMedia = 7,
    /// `CS_HIBERNATE`: sleeping.
    Hibernate = 8,
    /// `CS_RESET`: being reset.
    Reset = 9,
    /// `CS_HANGUP`: hanging up; hangup handlers run here.
    Hangup = 10,
    /// `CS_REPORTING`: writing CDRs and final events.
    Reporting = 11,
    /// `CS_DESTROY`: about to be freed.
    Destroy = 12,
}

impl Phase {
    /// The wire name with its `CS_` prefix, as in ESL `Channel-State`.
    pub fn fs_name(self) -> &'static str {
        match self {
            Self::New => "CS_NEW",
            Self::Init => "CS_INIT",
            Self::Routing => "CS_ROUTING",
            Self::SoftExecute => "CS_SOFT_EXECUTE",
            Self::Execute => "CS_EXECUTE",
            Self::ExchangeMedia => "CS_EXCHANGE_MEDIA",
            Self::Park => "CS_PARK",
            Self::ConsumeMedia => "CS_CONSUME_MEDIA",
            Self::Hibernate => "CS_HIBERNATE",
            Self::Reset => "CS_RESET",
            Self::Hangup => "CS_HANGUP",
            Self::Reporting => "CS_REPORTING",
            Self::Destroy => "CS_DESTROY",
        }
    }

    /// The number ESL prints as `Channel-State-Number`.
    pub fn number(self) -> u8 {
        self as u8
    }

    /// True once the channel is hanging up or later.
    pub fn is_ending(self) -> bool {
        self >= Self::Hangup
    }
}

/// FreeSWITCH's call state (`Channel-Call-State`), derived from the line state and phase.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[repr(u8)]
pub enum CallState {
    /// `DOWN`
    Down = 0,
    /// `DIALING`
    Dialing = 1,
    /// `RINGING`
    Ringing = 2,
    /// `EARLY`: early media.
    Early = 3,
    /// `ACTIVE`: answered.
    Active = 4,
    /// `HELD`
    Held = 5,
    /// `RING_WAIT`
    RingWait = 6,
    /// `HANGUP`
    Hangup = 7,
    /// `UNHELD`
    Unheld = 8,
}

impl CallState {
    /// The wire name (no prefix).
    pub fn fs_name(self) -> &'static str {
        match self {
            Self::Down => "DOWN",
            Self::Dialing => "DIALING",
            Self::Ringing => "RINGING",
            Self::Early => "EARLY",
            Self::Active => "ACTIVE",
            Self::Held => "HELD",
            Self::RingWait => "RING_WAIT",
            Self::Hangup => "HANGUP",
            Self::Unheld => "UNHELD",
        }
    }
}

/// A transition the state machine refuses.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("channel state transition refused: {from} -> {to}")]
pub struct TransitionError {
    /// The state before.
    pub from: String,
    /// The requested state.
    pub to: String,
}

/// The one state machine of a channel; Asterisk and FreeSWITCH states are views of it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ChannelState {
    line: LineState,
    phase: Phase,
    early_media: bool,
    held: bool,
}

impl Default for ChannelState {
    fn default() -> Self {
        Self { line: LineState::Down, phase: Phase::New, early_media: false, held: false }
    }
}

impl ChannelState {
    /// Asterisk's view.
    pub fn line(&self) -> LineState {
        self.line
    }

    /// FreeSWITCH's `CS_*` view.
    pub fn phase(&self) -> Phase {
        self.phase
    }

    /// FreeSWITCH's call-state view.
    pub fn call_state(&self) -> CallState {
        if self.phase.is_ending() {
            return CallState::Hangup;
        }
        match self.line {
            LineState::Up if self.held => CallState::Held,
            LineState::Up => CallState::Active,
            _ if self.early_media => CallState::Early,
            LineState::Ring | LineState::Ringing => CallState::Ringing,
            LineState::Dialing | LineState::DialingOffhook => CallState::Dialing,
            _ => CallState::Down,
        }
    }

    /// ESL `Answer-State`: `answered`, `early`, `ringing`, `hangup` or `unanswered`.
    pub fn answer_state(&self) -> &'static str {
        match self.call_state() {
            CallState::Hangup => "hangup",
            CallState::Active | CallState::Held | CallState::Unheld => "answered",
            CallState::Early => "early",
            CallState::Ringing => "ringing",
            _ => "unanswered",
        }
    }

    /// True once answered (line Up), even while hanging up afterwards.
    pub fn is_up(&self) -> bool {
        self.line == LineState::Up
    }

    /// Moves the line to `to`. Once hanging up the line is frozen; once up it cannot ring again.
    pub fn set_line(&mut self, to: LineState) -> Result<(), TransitionError> {
        let ringing = matches!(to, LineState::Ring | LineState::Ringing | LineState::PreRing);
        if self.phase.is_ending() || (self.line == LineState::Up && ringing) {
            return Err(self.refused(to.asterisk_name()));
        }
        self.line = to;
        Ok(())
    }

    /// Marks early media (183 / pre_answer).
    pub fn set_early_media(&mut self) -> Result<(), TransitionError> {
        if self.phase.is_ending() {
            return Err(self.refused("EARLY"));
        }
        self.early_media = true;
        Ok(())
    }

    /// Holds or unholds an answered line.
    pub fn set_held(&mut self, held: bool) -> Result<(), TransitionError> {
        if self.line != LineState::Up || self.phase.is_ending() {
            return Err(self.refused(if held { "HELD" } else { "UNHELD" }));
        }
        self.held = held;
        Ok(())
    }

    /// Moves the life-cycle phase; it only moves forward through hangup → reporting → destroy, and
    /// never back out of them.
    pub fn set_phase(&mut self, to: Phase) -> Result<(), TransitionError> {
        let backwards = self.phase.is_ending() && to <= self.phase;
        let skips_hangup = to > Phase::Hangup && !self.phase.is_ending();
        if backwards || skips_hangup {
            return Err(self.refused(to.fs_name()));
        }
        self.phase = to;
        Ok(())
    }

    fn refused(&self, to: &str) -> TransitionError {
        TransitionError { from: format!("{}/{}", self.line.asterisk_name(), self.phase.fs_name()), to: to.into() }
    }
}

impl fmt::Display for ChannelState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} ({})", self.line.asterisk_name(), self.phase.fs_name())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn asterisk_names_match_ast_state2str() {
        let names: Vec<_> = [
            LineState::Down,
            LineState::Reserved,
            LineState::OffHook,
            LineState::Dialing,
            LineState::Ring,
            LineState::Ringing,
            LineState::Up,
            LineState::Busy,
            LineState::DialingOffhook,
            LineState::PreRing,
        ]
        .iter()
        .map(|s| (s.number(), s.asterisk_name()))
        .collect();
        assert_eq!(names[1], (1, "Rsrvd"));
        assert_eq!(names[8], (8, "Dialing Offhook"));
        assert_eq!(names[9], (9, "Pre-ring"));
        assert_eq!(names.iter().map(|n| n.0).collect::<Vec<_>>(), (0..10).collect::<Vec<_>>());
    }

    #[test]
    fn phases_carry_the_cs_prefix_and_freeswitch_numbers() {
        assert_eq!((Phase::Execute.fs_name(), Phase::Execute.number()), ("CS_EXECUTE", 4));
        assert_eq!((Phase::SoftExecute.number(), Phase::Destroy.number()), (3, 12));
    }

    #[test]
    fn call_state_follows_the_line_through_a_normal_call() {
        let mut s = ChannelState::default();
        assert_eq!(s.call_state(), CallState::Down);
        s.set_line(LineState::Ringing).unwrap();
        assert_eq!((s.call_state(), s.answer_state()), (CallState::Ringing, "ringing"));
        s.set_early_media().unwrap();
        assert_eq!(s.call_state(), CallState::Early);
        s.set_line(LineState::Up).unwrap();
        assert_eq!((s.call_state(), s.answer_state()), (CallState::Active, "answered"));
        s.set_held(true).unwrap();
        assert_eq!(s.call_state(), CallState::Held);
        s.set_phase(Phase::Hangup).unwrap();
        assert_eq!((s.call_state(), s.answer_state()), (CallState::Hangup, "hangup"));
    }

    #[test]
    fn an_answered_line_cannot_ring_again() {
        let mut s = ChannelState::default();
        s.set_line(LineState::Up).unwrap();
        assert!(s.set_line(LineState::Ringing).is_err());
    }

    #[test]
    fn hangup_is_final_and_ordered() {
        let mut s = ChannelState::default();
        assert!(s.set_phase(Phase::Reporting).is_err(), "reporting before hangup");
        s.set_phase(Phase::Hangup).unwrap();
        assert!(s.set_phase(Phase::Execute).is_err());
        assert!(s.set_line(LineState::Up).is_err());
        s.set_phase(Phase::Reporting).unwrap();
        s.set_phase(Phase::Destroy).unwrap();
        assert!(s.set_phase(Phase::Hangup).is_err());
    }

    #[test]
    fn hold_needs_an_answered_line() {
        let mut s = ChannelState::default();
        assert!(s.set_held(true).is_err());
    }
}
