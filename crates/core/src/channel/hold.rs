//! Hold, codec and device-state announcements of a channel: the media side changes them, the core
//! publishes the events (ESL `CHANNEL_HOLD`/`CHANNEL_UNHOLD`/`CODEC`, AMI `Hold`/`Unhold`/`DeviceStateChange`).

use crate::channel::Channel;
use crate::event::{CodecInfo, EventKind};
use crate::state::LineState;

/// Whether the channel is on hold (kept in the channel's extensions).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct HoldState(pub bool);

impl Channel {
    /// Puts the channel on hold (`on`) or takes it off: publishes `Hold` and the device's state. No-op
    /// when already in that state. `uuid_hold` and SIP re-INVITEs (sendonly/inactive) call this.
    pub fn set_hold(&mut self, on: bool) {
        let hold = self.extensions.get_or_default::<HoldState>();
        if hold.0 == on {
            return;
        }
        hold.0 = on;
        self.publish(EventKind::Hold { on });
        self.update_device();
    }

    /// True while on hold.
    pub fn is_on_hold(&self) -> bool {
        self.extensions.get::<HoldState>().is_some_and(|h| h.0)
    }

    /// Announces the channel's codecs (ESL `CODEC`): once for the read side, then once for the write
    /// side, as FreeSWITCH's `switch_core_session_set_read_codec`/`set_write_codec` do.
    pub fn publish_codec(&mut self, read: CodecInfo, write: CodecInfo) {
        self.publish(EventKind::Codec { read: read.clone(), write: None });
        self.publish(EventKind::Codec { read, write: Some(Box::new(write)) });
    }

    /// Feeds the channel's line and hold state to its device; publishes `DeviceState` when the
    /// device's aggregate changes.
    pub(crate) fn update_device(&mut self) {
        let member = (self.snap.state.line(), self.is_on_hold());
        self.device_update(Some(member));
    }

    /// The channel is gone from its device.
    pub(crate) fn leave_device(&mut self) {
        self.device_update(None);
    }

    fn device_update(&mut self, member: Option<(LineState, bool)>) {
        let bus = self.switch.bus();
        self.switch.devices().update(&self.snap.name, self.snap.id, member, |c| {
            bus.publish(EventKind::DeviceState { device: c.device, state: c.state }, None);
        });
    }
}
