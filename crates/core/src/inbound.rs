//! Incoming calls: a channel offered to the switch (by SIP, or the second leg of a Local or loopback
//! pair) that rings and goes straight to the dialplan or an application.

use crate::channel::{ChannelHandle, ChannelPlan, spawn_channel};
use crate::id::ChannelId;
use crate::originate::{OriginateError, OriginateTarget};
use crate::snapshot::{CallerId, ChannelSnapshot, Direction};
use crate::switch::Switch;
use crate::tech::Endpoint;

/// An incoming call to create.
#[derive(Clone, Debug)]
pub struct InboundCall {
    /// Technology name, e.g. `Local`.
    pub tech: String,
    /// Full channel name, e.g. `Local/100@default-00000001;2`.
    pub name: String,
    /// Caller id.
    pub caller: CallerId,
    /// What was dialed (DNID / `destination_number`).
    pub dialed: String,
    /// Variables set before the dialplan starts.
    pub variables: Vec<(String, String)>,
    /// A preset id.
    pub channel_id: Option<ChannelId>,
    /// The call chain it belongs to.
    pub linked_id: Option<ChannelId>,
    /// Where it goes.
    pub target: OriginateTarget,
}

impl Switch {
    /// Creates an incoming channel whose far end is `endpoint`; it starts ringing and runs its target.
    pub fn spawn_inbound(
        &self,
        call: InboundCall,
        endpoint: Box<dyn Endpoint>,
    ) -> Result<ChannelHandle, OriginateError> {
        let (snap, target) = self.inbound_snapshot(call)?;
        Ok(spawn_channel(self, snap, endpoint, ChannelPlan::Inbound { target, hold: None }))
    }

    /// As `spawn_inbound`, but the channel waits (announced, answering commands) until the returned
    /// sender fires or is dropped: a Local `;2` exists from the request and runs once `;1` is dialed.
    pub fn spawn_inbound_held(
        &self,
        call: InboundCall,
        endpoint: Box<dyn Endpoint>,
    ) -> Result<(ChannelHandle, tokio::sync::oneshot::Sender<()>), OriginateError> {
        let (snap, target) = self.inbound_snapshot(call)?;
        let (tx, rx) = tokio::sync::oneshot::channel();
        Ok((spawn_channel(self, snap, endpoint, ChannelPlan::Inbound { target, hold: Some(rx) }), tx))
    }

    fn inbound_snapshot(&self, call: InboundCall) -> Result<(ChannelSnapshot, OriginateTarget), OriginateError> {
        self.admit(call.channel_id)?;
        let id = call.channel_id.unwrap_or_else(ChannelId::new_v4);
        let mut snap = self.blank_snapshot(id, &call.tech, call.name, Direction::Inbound);
        snap.linked_id = call.linked_id.unwrap_or(id);
        snap.caller = call.caller;
        snap.dialed = call.dialed.into();
        for (k, v) in &call.variables {
            snap.variables.set(k, v);
        }
        Ok((snap, call.target))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bus::BusItem;
    use crate::event::EventKind;
    use crate::state::LineState;
    use crate::tech::{NullTech, Tech};

    #[tokio::test]
    async fn an_inbound_call_rings_then_runs_its_target() {
        let sw = crate::command::tests::test_switch();
        let mut sub = sw.bus().subscribe("t");
        let call = InboundCall {
            tech: "null".into(),
            name: "null/in-00000001".into(),
            caller: CallerId::new("100", "Alice"),
            dialed: "200".into(),
            variables: vec![("x".into(), "y".into())],
            channel_id: None,
            linked_id: None,
            target: OriginateTarget::App { name: "Answer".into(), args: String::new() },
        };
        let endpoint = NullTech.request(&sw, "in").unwrap();
        let handle = sw.spawn_inbound(call, endpoint).unwrap();
        let mut lines = Vec::new();
        loop {
            let BusItem::Event(e) = sub.recv().await else { continue };
            let Some(snap) = e.channel.clone() else { continue }; // device states have no channel
            assert_eq!((snap.id, snap.direction), (handle.id(), Direction::Inbound));
            assert_eq!(snap.variables.get("x"), Some("y"));
            if let EventKind::ChannelState { .. } = e.kind {
                lines.push(snap.state.line());
            }
            if matches!(e.kind, EventKind::ChannelDestroy) {
                break;
            }
        }
        assert_eq!(lines.first(), Some(&LineState::Ring));
        assert!(lines.contains(&LineState::Up));
    }
}
