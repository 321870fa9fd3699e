//! Messages a channel's task accepts from its handles.

use crate::cause::HangupCause;
use crate::channel::ChannelHandle;
use crate::tech::RemoteAction;

/// A request sent to a channel's task.
#[derive(Debug)]
#[non_exhaustive]
pub enum ChannelCommand {
    /// Hang up with a cause; `source` says who asked (for logs and events).
    Hangup {
        /// Cause.
        cause: HangupCause,
        /// Requester, e.g. `cli`, `ami`, `esl`.
        source: String,
    },
    /// Set a channel variable.
    SetVar {
        /// Name.
        name: String,
        /// Value.
        value: String,
    },
    /// Answer the channel.
    Answer,
    /// Something the far end did (SIP message, sim script, test).
    Remote(RemoteAction),
    /// Leave the current dialplan position and continue at another one.
    Redirect {
        /// Context.
        context: String,
        /// Extension.
        exten: String,
        /// Priority.
        priority: u32,
    },
    /// Queue an application to run (when parked, or after the current one).
    Execute {
        /// Application name.
        app: String,
        /// Arguments.
        args: String,
    },
    /// Join a two-party bridge with `peer`.
    JoinBridge {
        /// Bridge id.
        bridge_id: String,
        /// The other channel.
        peer: ChannelHandle,
    },
    /// The peer left the bridge (it hung up or was taken elsewhere).
    PeerLeft {
        /// Bridge id.
        bridge_id: String,
    },
    /// Leave a bridge (when still in it), telling the peer or not.
    LeaveBridge {
        /// Bridge id.
        bridge_id: String,
        /// False when the peer is being given another partner (a Local pair optimised away).
        notify_peer: bool,
    },
    /// Stay in the bridge with another peer (it took the old peer's place).
    ReplacePeer {
        /// Bridge id.
        bridge_id: String,
        /// The new peer.
        peer: ChannelHandle,
    },
    /// Put the channel on hold (`on`) or take it off (`uuid_hold`, SIP re-INVITE).
    Hold {
        /// True for hold.
        on: bool,
    },
    /// Publish an event about the channel with its current snapshot (the media side's reports, e.g.
    /// RTCP, which happen outside the channel's task).
    Publish(crate::event::EventKind),
}
