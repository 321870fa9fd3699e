//! The immutable picture of a channel that events carry and commands list.

use crate::cause::HangupCause;
use crate::clock::Timestamp;
use crate::id::ChannelId;
use crate::state::ChannelState;
use crate::vars::Variables;

/// Which way the call goes, from the switch's point of view.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Direction {
    /// Offered to the switch by the far end.
    Inbound,
    /// Placed by the switch (originate, Dial, bridge).
    Outbound,
}

impl Direction {
    /// FreeSWITCH's `Call-Direction` text.
    pub fn fs_name(self) -> &'static str {
        match self {
            Self::Inbound => "inbound",
            Self::Outbound => "outbound",
        }
    }
}

/// A caller-id pair.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CallerId {
    /// The number (`CALLERID(num)`, `Caller-Caller-ID-Number`).
    pub number: String,
    /// The name (`CALLERID(name)`, `Caller-Caller-ID-Name`).
    pub name: String,
}

impl CallerId {
    /// A caller id from number and name.
    pub fn new(number: impl Into<String>, name: impl Into<String>) -> Self {
        Self { number: number.into(), name: name.into() }
    }
}

/// Where the channel is in a dialplan and what it runs.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct DialplanLocation {
    /// Context.
    pub context: String,
    /// Extension.
    pub exten: String,
    /// Priority (1-based; 0 before the dialplan starts).
    pub priority: u32,
    /// The application running now, if any.
    pub app: Option<String>,
    /// Its arguments.
    pub app_data: String,
}

/// A channel as it was at one moment. Shared by `Arc` among events and readers; never mutated.
#[derive(Clone, Debug)]
pub struct ChannelSnapshot {
    /// Unique id.
    pub id: ChannelId,
    /// Linked id: the id of the channel that started the call chain.
    pub linked_id: ChannelId,
    /// Name, e.g. `sim/alice-00000001`.
    pub name: String,
    /// Technology, e.g. `sim`.
    pub tech: String,
    /// Direction.
    pub direction: Direction,
    /// State machine (both views).
    pub state: ChannelState,
    /// Caller id.
    pub caller: CallerId,
    /// Connected line.
    pub connected: CallerId,
    /// What was dialed to create it (the resource of the dial string).
    pub dialed: String,
    /// Dialplan position.
    pub location: DialplanLocation,
    /// Account code.
    pub account_code: String,
    /// Language.
    pub language: String,
    /// Channel variables.
    pub variables: Variables,
    /// Creation time.
    pub created: Timestamp,
    /// Answer time.
    pub answered: Option<Timestamp>,
    /// Hangup time.
    pub hungup: Option<Timestamp>,
    /// Hangup cause once known.
    pub hangup_cause: Option<HangupCause>,
    /// The bridge it is in, if any.
    pub bridge_id: Option<String>,
}

impl ChannelSnapshot {
    /// Seconds since creation at `now` (Asterisk's `Duration`).
    pub fn duration_secs(&self, now: Timestamp) -> i64 {
        (now.0 - self.created.0).max(0) / 1_000_000
    }

    /// Seconds since answer at `now` (0 if unanswered).
    pub fn billsec(&self, now: Timestamp) -> i64 {
        let end = self.hungup.unwrap_or(now);
        self.answered.map_or(0, |a| (end.0 - a.0).max(0) / 1_000_000)
    }
}
