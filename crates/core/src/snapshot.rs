//! The immutable picture of a channel that events carry and commands list.

use std::sync::Arc;

use crate::cause::HangupCause;
use crate::clock::Timestamp;
use crate::execution::Execution;
use crate::id::ChannelId;
use crate::state::ChannelState;
use crate::text::SharedStr;
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
    pub number: SharedStr,
    /// The name (`CALLERID(name)`, `Caller-Caller-ID-Name`).
    pub name: SharedStr,
}

impl CallerId {
    /// A caller id from number and name.
    pub fn new(number: impl Into<SharedStr>, name: impl Into<SharedStr>) -> Self {
        Self { number: number.into(), name: name.into() }
    }
}

/// Where the channel is in a dialplan and what it runs.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct DialplanLocation {
    /// Context.
    pub context: SharedStr,
    /// Extension.
    pub exten: SharedStr,
    /// Priority (1-based; 0 before the dialplan starts).
    pub priority: u32,
    /// The application running now (name and arguments), if any: the execution its `Execute` event
    /// reported, shared with it (a snapshot then holds one pointer, not two strings).
    pub exec: Option<Arc<Execution>>,
}

impl DialplanLocation {
    /// The application running now, if any.
    pub fn app(&self) -> Option<&SharedStr> {
        self.exec.as_ref().map(|exec| &exec.app)
    }

    /// Its arguments (empty when none runs).
    pub fn app_data(&self) -> &str {
        self.exec.as_ref().map_or("", |exec| exec.data.as_str())
    }
}

/// The parts of a channel snapshot that seldom change once the call is set up (names, caller ids,
/// times, cause). A snapshot shares them by `Arc` with the snapshots before it: copying a snapshot
/// (which happens at each dialplan step) costs one reference count for all of them, and changing one
/// copies this part once (copy on write).
#[derive(Clone, Debug)]
pub struct ChannelDetails {
    /// Unique id.
    pub id: ChannelId,
    /// Linked id: the id of the channel that started the call chain.
    pub linked_id: ChannelId,
    /// Name, e.g. `sim/alice-00000001`.
    pub name: SharedStr,
    /// Technology, e.g. `sim`.
    pub tech: SharedStr,
    /// Direction.
    pub direction: Direction,
    /// Caller id.
    pub caller: CallerId,
    /// Connected line.
    pub connected: CallerId,
    /// What was dialed to create it (the resource of the dial string).
    pub dialed: SharedStr,
    /// Account code.
    pub account_code: SharedStr,
    /// Language.
    pub language: SharedStr,
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

/// A channel as it was at one moment. Shared by `Arc` among events and readers; never mutated.
///
/// What changes at every dialplan step (state, location, variables) is held here; the rest is in
/// `ChannelDetails`, shared between consecutive snapshots and reached through `Deref` (so
/// `snap.name` reads, and `snap.name = …` on a snapshot being built writes, as if it were a field).
#[derive(Clone, Debug)]
pub struct ChannelSnapshot {
    details: Arc<ChannelDetails>,
    /// State machine (both views).
    pub state: ChannelState,
    /// Dialplan position.
    pub location: DialplanLocation,
    /// Channel variables.
    pub variables: Variables,
}

impl std::ops::Deref for ChannelSnapshot {
    type Target = ChannelDetails;
    fn deref(&self) -> &ChannelDetails {
        &self.details
    }
}

impl std::ops::DerefMut for ChannelSnapshot {
    /// Copies the details first when another snapshot still shares them.
    fn deref_mut(&mut self) -> &mut ChannelDetails {
        Arc::make_mut(&mut self.details)
    }
}

impl ChannelSnapshot {
    /// A snapshot of `details` in `state`, with no dialplan location and no variables yet.
    pub fn new(details: ChannelDetails, state: ChannelState) -> Self {
        Self {
            details: Arc::new(details),
            state,
            location: DialplanLocation::default(),
            variables: Variables::default(),
        }
    }

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

/// A channel's working state as its task holds it: reading is free, publishing shares it (`share`,
/// no copy), and the first change after a publish copies it once (copy on write). A channel that
/// publishes several events without changing in between publishes one snapshot.
#[derive(Clone, Debug)]
pub(crate) struct WorkingSnapshot(Arc<ChannelSnapshot>);

impl WorkingSnapshot {
    /// The working state as an immutable, shareable snapshot. Only `Channel::publish_snapshot` (and
    /// the channel's creation) share it, and both make it the handles' snapshot: so a working state
    /// that is shared is already the published one (`is_published`).
    pub(crate) fn share(&self) -> Arc<ChannelSnapshot> {
        self.0.clone()
    }

    /// True when the working state has not changed since it was last published.
    pub(crate) fn is_published(&self) -> bool {
        Arc::strong_count(&self.0) > 1
    }
}

impl From<ChannelSnapshot> for WorkingSnapshot {
    fn from(snap: ChannelSnapshot) -> Self {
        Self(Arc::new(snap))
    }
}

impl std::ops::Deref for WorkingSnapshot {
    type Target = ChannelSnapshot;
    fn deref(&self) -> &ChannelSnapshot {
        &self.0
    }
}

impl std::ops::DerefMut for WorkingSnapshot {
    /// Copies the state first when a published snapshot still shares it.
    fn deref_mut(&mut self) -> &mut ChannelSnapshot {
        Arc::make_mut(&mut self.0)
    }
}
