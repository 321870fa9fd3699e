//! Channels: each is an async task owning its state; everything else holds a `ChannelHandle`.

mod bridge;
mod command;
mod dtmf;
mod extensions;
mod handle;
mod hold;
mod lifecycle;
mod live;
mod on_answer;
mod wait;

pub use command::ChannelCommand;
pub use extensions::Extensions;
pub(crate) use handle::ChannelShared;
pub use handle::{ChannelGone, ChannelHandle};
pub use hold::HoldState;
pub(crate) use lifecycle::{ChannelPlan, spawn_channel};
pub use live::{Channel, Interrupted};
pub use wait::{WaitFor, Woken};
