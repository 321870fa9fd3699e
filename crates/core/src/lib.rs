//! Switchyard's call core: channels (async tasks driven through handles), the one state machine with
//! its Asterisk and FreeSWITCH views, hangup causes, the event bus, the command registry, the `sim/` and
//! `null/` technologies and originate.
//!
//! The core does no network or file I/O: time comes from an injected `Clock` (and tokio's timer), and
//! protocols (AMI, ESL), dialplans and storage plug in from other crates through `Switch`, the
//! `DialplanEngine` and `Application` traits, and the command registry.
#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod app;
pub mod bridges;
pub mod bus;
pub mod cause;
pub mod channel;
pub mod clock;
pub mod command;
pub mod device;
pub mod dialplan;
pub mod event;
mod event_payload;
pub mod execution;
pub mod features;
pub mod id;
pub mod inbound;
pub mod media;
pub mod originate;
pub mod registry;
mod retire;
pub mod rtcp;
pub mod snapshot;
pub mod state;
pub mod stats;
pub mod switch;
pub mod tech;
pub mod text;
pub mod transfer;
pub mod vars;

pub use bus::{BusConfig, BusItem, EventBus, Subscription};
pub use cause::HangupCause;
pub use channel::{Channel, ChannelCommand, ChannelHandle, Interrupted};
pub use clock::{Clock, ManualClock, SystemClock, Timestamp};
pub use event::{
    BackgroundJobEvent, CodecInfo, ConferenceEvent, CustomEvent, DeviceState, DtmfPhase, Event, EventKind,
    LocalBridgeEvent, ScheduleEvent, ScheduleOp,
};
pub use execution::{AppUuid, Execution};
pub use id::ChannelId;
pub use inbound::InboundCall;
pub use originate::{OriginateOutcome, OriginateReason, OriginateRequest, OriginateTarget};
pub use snapshot::{CallerId, ChannelDetails, ChannelSnapshot, Direction};
pub use state::{CallState, ChannelState, LineState, Phase};
pub use switch::{BridgeError, Switch, SwitchConfig, SwitchInfo};
pub use text::SharedStr;
