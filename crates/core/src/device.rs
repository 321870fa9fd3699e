//! Device states derived from channels, as Asterisk's devicestate core does: a device (`SIP/1000`,
//! `Local/100@test`) is its channel name without the `-0000000a` (and `;1`) suffix, and its state is
//! the aggregate of its live channels' states (Asterisk's `ast_state_chan2dev` + `ast_devstate_aggregate`).

use std::collections::HashMap;

use parking_lot::Mutex;

use crate::event::DeviceState;
use crate::id::ChannelId;
use crate::state::LineState;

/// One channel's contribution to its device.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Member {
    line: LineState,
    on_hold: bool,
}

#[derive(Debug, Default)]
struct Device {
    channels: HashMap<ChannelId, Member>,
    last: Option<DeviceState>,
}

/// Every device with a live channel.
#[derive(Debug, Default)]
pub struct DeviceStates {
    devices: Mutex<HashMap<String, Device>>,
}

/// What changed on a device: publish `DeviceStateChange` with these.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DeviceChange {
    /// Device name.
    pub device: String,
    /// Its new state.
    pub state: DeviceState,
}

impl DeviceStates {
    /// Records a channel's line/hold state (or its end when `member` is None) and returns the
    /// device's state to publish. `Local` devices report every change, even to the same state
    /// (Asterisk does not cache them); other devices only report a different state.
    /// `publish` runs under the lock so that changes reach the bus in the order they were made.
    pub fn update(
        &self,
        channel_name: &str,
        id: ChannelId,
        member: Option<(LineState, bool)>,
        publish: impl FnOnce(DeviceChange),
    ) {
        let name = device_name(channel_name);
        let mut map = self.devices.lock();
        let device = map.entry(name.to_owned()).or_default();
        match member {
            Some((line, on_hold)) => {
                device.channels.insert(id, Member { line, on_hold });
            }
            None => {
                device.channels.remove(&id);
            }
        }
        let state = aggregate(device.channels.values());
        let cachable = !name.starts_with("Local/");
        if device.last != Some(state) || !cachable {
            device.last = Some(state);
            publish(DeviceChange { device: name.to_owned(), state });
        }
        if device.channels.is_empty() {
            map.remove(name);
        }
    }
}

/// The device a channel belongs to: `SIP/1000-0000001a` → `SIP/1000`, `Local/100@test-0000000a;2`
/// → `Local/100@test`; other names are their own device.
pub fn device_name(channel: &str) -> &str {
    let base = channel.rsplit_once(';').filter(|(_, leg)| leg.len() == 1).map_or(channel, |(b, _)| b);
    match base.rsplit_once('-') {
        Some((dev, n)) if n.len() == 8 && n.bytes().all(|b| b.is_ascii_hexdigit()) => dev,
        _ => base,
    }
}

/// `ast_state_chan2dev` for one channel.
fn chan2dev(m: Member) -> DeviceState {
    if m.on_hold {
        return DeviceState::OnHold;
    }
    match m.line {
        LineState::Down => DeviceState::NotInUse,
        LineState::Ringing | LineState::PreRing => DeviceState::Ringing,
        LineState::Busy => DeviceState::Busy,
        _ => DeviceState::InUse,
    }
}

/// `ast_devstate_aggregate`: ringing and in use together is RINGINUSE; then ringing, busy, in use,
/// on hold; no channel (or only idle ones) is NOT_INUSE.
fn aggregate<'a>(members: impl Iterator<Item = &'a Member>) -> DeviceState {
    let (mut ringing, mut busy, mut inuse, mut hold) = (false, false, false, false);
    for m in members {
        match chan2dev(*m) {
            DeviceState::Ringing => ringing = true,
            DeviceState::Busy => busy = true,
            DeviceState::InUse => inuse = true,
            DeviceState::OnHold => hold = true,
            _ => {}
        }
    }
    match (ringing, busy, inuse, hold) {
        (true, _, true, _) => DeviceState::RingInUse,
        (true, ..) => DeviceState::Ringing,
        (_, true, ..) => DeviceState::Busy,
        (_, _, true, _) => DeviceState::InUse,
        (.., true) => DeviceState::OnHold,
        _ => DeviceState::NotInUse,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn device_names_drop_the_channel_number_and_the_local_leg() {
        assert_eq!(device_name("SIP/1000-0000001a"), "SIP/1000");
        assert_eq!(device_name("PJSIP/alice-00000001"), "PJSIP/alice");
        assert_eq!(device_name("Local/100@test-00000000;2"), "Local/100@test");
        assert_eq!(device_name("sofia/internal/1000@host"), "sofia/internal/1000@host");
        assert_eq!(device_name("loopback/1000-a"), "loopback/1000-a");
    }

    fn collect(states: &DeviceStates, name: &str, id: ChannelId, m: Option<(LineState, bool)>) -> Vec<String> {
        let mut out = Vec::new();
        states.update(name, id, m, |c| out.push(format!("{} {}", c.device, c.state.asterisk_name())));
        out
    }

    #[test]
    fn a_sip_device_reports_only_changes_and_aggregates_its_channels() {
        let s = DeviceStates::default();
        let (a, b) = (ChannelId::new_v4(), ChannelId::new_v4());
        assert_eq!(collect(&s, "SIP/1000-00000001", a, Some((LineState::Up, false))), ["SIP/1000 INUSE"]);
        assert!(collect(&s, "SIP/1000-00000001", a, Some((LineState::Up, false))).is_empty());
        assert_eq!(collect(&s, "SIP/1000-00000002", b, Some((LineState::Ringing, false))), ["SIP/1000 RINGINUSE"]);
        assert_eq!(collect(&s, "SIP/1000-00000002", b, None), ["SIP/1000 INUSE"]);
        assert_eq!(collect(&s, "SIP/1000-00000001", a, Some((LineState::Up, true))), ["SIP/1000 ONHOLD"]);
        assert_eq!(collect(&s, "SIP/1000-00000001", a, None), ["SIP/1000 NOT_INUSE"]);
    }

    #[test]
    fn local_devices_report_every_change_as_asterisk_does_not_cache_them() {
        let s = DeviceStates::default();
        let (a, b) = (ChannelId::new_v4(), ChannelId::new_v4());
        assert_eq!(collect(&s, "Local/100@test-00000000;1", a, Some((LineState::Up, false))).len(), 1);
        assert_eq!(collect(&s, "Local/100@test-00000000;2", b, Some((LineState::Up, false))).len(), 1);
        assert_eq!(collect(&s, "Local/100@test-00000000;2", b, None), ["Local/100@test INUSE"]);
        assert_eq!(collect(&s, "Local/100@test-00000000;1", a, None), ["Local/100@test NOT_INUSE"]);
    }
}
