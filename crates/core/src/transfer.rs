//! What transfers and Local channel optimisations report: the facts behind AMI `BlindTransfer`,
//! `AttendedTransfer`, `LocalOptimizationBegin` and `LocalOptimizationEnd` (Asterisk's stasis bridge
//! and unreal messages).

use std::sync::Arc;

use crate::snapshot::ChannelSnapshot;

/// A bridge as a transfer saw it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BridgeSide {
    /// Bridge id.
    pub id: String,
    /// Channels in it at the time.
    pub members: usize,
}

/// How a transfer ended (Asterisk's `ast_transfer_result` texts).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TransferResult {
    /// `Fail`.
    Fail,
    /// `Invalid`.
    Invalid,
    /// `Not Permitted`.
    NotPermitted,
    /// `Success`.
    Success,
}

impl TransferResult {
    /// The AMI `Result:` text.
    pub fn asterisk_name(self) -> &'static str {
        match self {
            Self::Fail => "Fail",
            Self::Invalid => "Invalid",
            Self::NotPermitted => "Not Permitted",
            Self::Success => "Success",
        }
    }
}

/// A blind transfer: the transferer sent its bridge peer to `exten@context`.
#[derive(Clone, Debug)]
pub struct BlindTransfer {
    /// Result.
    pub result: TransferResult,
    /// The channel that transferred.
    pub transferer: Arc<ChannelSnapshot>,
    /// The channel sent away.
    pub transferee: Option<Arc<ChannelSnapshot>>,
    /// The bridge they were in.
    pub bridge: Option<BridgeSide>,
    /// False for a DTMF feature, true when asked from outside (AMI, SIP REFER).
    pub is_external: bool,
    /// Destination context.
    pub context: String,
    /// Destination extension.
    pub exten: String,
}

/// Where an attended transfer left the parties (`DestType`).
#[derive(Clone, Debug)]
pub enum AttendedDestination {
    /// `Bridge`: the surviving bridge.
    Bridge(String),
    /// `App`: the application running.
    App(String),
    /// `Link`: a Local pair links the two bridges.
    Link(Arc<ChannelSnapshot>, Arc<ChannelSnapshot>),
    /// `Fail`.
    Fail,
}

/// An attended transfer: the transferer talked to the target on a second channel, then left the
/// transferee and the target together.
#[derive(Clone, Debug)]
pub struct AttendedTransfer {
    /// Result.
    pub result: TransferResult,
    /// The transferer's channel to the transferee.
    pub orig_transferer: Arc<ChannelSnapshot>,
    /// The transferee's bridge.
    pub orig_bridge: Option<BridgeSide>,
    /// The transferer's channel to the target.
    pub second_transferer: Arc<ChannelSnapshot>,
    /// The target's bridge.
    pub second_bridge: Option<BridgeSide>,
    /// The transferee.
    pub transferee: Option<Arc<ChannelSnapshot>>,
    /// The target.
    pub target: Option<Arc<ChannelSnapshot>>,
    /// False for a DTMF feature.
    pub is_external: bool,
    /// The outcome.
    pub destination: AttendedDestination,
}

/// A Local channel pair being optimised away (its two outer channels bridged directly).
#[derive(Clone, Debug)]
pub enum LocalOptimization {
    /// `LocalOptimizationBegin`.
    Begin {
        /// The `;1` leg.
        one: Arc<ChannelSnapshot>,
        /// The `;2` leg.
        two: Arc<ChannelSnapshot>,
        /// The channel moved into the other leg's bridge.
        source: Option<Arc<ChannelSnapshot>>,
        /// Uniqueid of the leg the source replaces.
        dest_uniqueid: String,
        /// Identifies the optimisation; its End carries the same.
        id: u32,
    },
    /// `LocalOptimizationEnd`.
    End {
        /// The `;1` leg.
        one: Arc<ChannelSnapshot>,
        /// The `;2` leg.
        two: Arc<ChannelSnapshot>,
        /// Whether the pair is gone.
        success: bool,
        /// As in Begin.
        id: u32,
    },
}
