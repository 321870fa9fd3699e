//! The sans-io protocol core: client input framing and typed commands, reply encoders, and event
//! rendering in plain, JSON and XML. No sockets, no clock: bytes and events in, bytes out.

mod channel_data;
mod command;
mod conference;
mod event;
mod frame;
mod names;
mod reply;
mod sendmsg;
mod translate;
pub mod urlenc;

pub use channel_data::append as append_channel_data;
pub use channel_data::{caller_profile, variables as channel_variables};
pub use command::{Command, CommandError, EventFormat, EventNames, MAX_ARG_OCTETS};
pub use event::EslEvent;
pub use frame::{Decoder, Frame, FrameError, Limits};
pub use names::{EVENT_NAMES, known as known_event_name};
pub use reply::*;
pub use sendmsg::{Execute, SendMsg, Unicast};
pub use translate::{RenderContext, base as base_headers, base_at, rfc822, translate};
