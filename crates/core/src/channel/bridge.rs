//! Two-party bridges as the channels see them: joining, the peer leaving, and leaving at hangup.
//! Media joining is the media layer's job; here a bridge is who is joined to whom, and its events.

use crate::cause::HangupCause;
use crate::channel::{Channel, ChannelCommand, ChannelHandle, Interrupted, WaitFor};
use crate::event::EventKind;
use crate::state::Phase;

impl Channel {
    /// The channel's media, when its far end carries any.
    pub fn media(&self) -> Option<std::sync::Arc<dyn crate::media::MediaPort>> {
        self.shared.media.clone()
    }

    /// The bridge this channel is in, if any.
    pub fn bridge_id(&self) -> Option<&str> {
        self.bridge.as_ref().map(|(id, _)| id.as_str())
    }

    /// The other channel of the bridge this channel is in, if any.
    pub fn bridge_peer(&self) -> Option<&ChannelHandle> {
        self.bridge.as_ref().map(|(_, peer)| peer)
    }

    pub(crate) fn join_bridge(&mut self, bridge_id: String, peer: ChannelHandle) {
        if self.hangup_cause().is_some() {
            self.switch.bridge_departure(&bridge_id, self.id());
            let _ = peer.send(ChannelCommand::PeerLeft { bridge_id });
            return;
        }
        self.leave_bridge(false);
        self.phase_before_bridge = self.snap.state.phase();
        self.snap.bridge_id = Some(bridge_id.clone());
        self.set_phase(Phase::ExchangeMedia);
        let other = peer.snapshot();
        if let (Some(mine), Some(theirs)) = (self.media(), peer.media()) {
            mine.link(&theirs);
        }
        self.bridge = Some((bridge_id.clone(), peer));
        let members = self.switch.bridges().enter(&bridge_id, self.id());
        self.publish(EventKind::Bridge { bridge_id, other, members });
        self.endpoint.on_bridged(tokio::time::Instant::now());
    }

    /// The bridge peer was swapped for `peer` (a Local pair optimised away): this channel stays in
    /// the bridge, so no event; its media follows the new peer.
    pub(crate) fn replace_peer(&mut self, bridge_id: &str, peer: ChannelHandle) {
        let Some((id, current)) = self.bridge.as_mut() else { return };
        if id != bridge_id {
            return;
        }
        if let (Some(mine), Some(theirs)) = (self.shared.media.clone(), peer.media()) {
            mine.link(&theirs);
        }
        *current = peer;
    }

    /// Leaves the current bridge without telling the peer (it is about to get another partner).
    pub fn leave_bridge_quietly(&mut self) {
        self.leave_bridge(false);
    }

    /// Leaves `bridge_id` if this channel is in it, telling the peer when `notify_peer`.
    pub(crate) fn leave_bridge_named(&mut self, bridge_id: &str, notify_peer: bool) {
        if self.bridge_id() == Some(bridge_id) {
            self.leave_bridge(notify_peer);
        }
    }

    pub(crate) fn peer_left(&mut self, bridge_id: &str) {
        if self.bridge_id() != Some(bridge_id) {
            return;
        }
        let Some((id, peer)) = self.bridge.take() else { return };
        self.snap.bridge_id = None;
        self.unbridged = true;
        if let Some(media) = self.media() {
            media.unlink();
        }
        self.publish_leave(id, peer.snapshot());
        if self.var("hangup_after_bridge") == Some("true") {
            self.request_hangup(HangupCause::NORMAL_CLEARING, "bridge peer left");
        } else {
            self.set_phase(self.phase_before_bridge);
        }
    }

    /// Leaves the current bridge, telling the peer when `notify_peer`.
    pub(crate) fn leave_bridge(&mut self, notify_peer: bool) {
        let Some((bridge_id, peer)) = self.bridge.take() else { return };
        self.snap.bridge_id = None;
        if let Some(media) = self.media() {
            media.unlink();
        }
        if notify_peer {
            let _ = peer.send(ChannelCommand::PeerLeft { bridge_id: bridge_id.clone() });
        }
        self.publish_leave(bridge_id, peer.snapshot());
    }

    /// `Unbridge` with the members left, then `BridgeDestroy` when this channel was the last.
    fn publish_leave(&mut self, bridge_id: String, other: std::sync::Arc<crate::snapshot::ChannelSnapshot>) {
        let gone = self.switch.bridges().leave(&bridge_id, self.id());
        self.publish(EventKind::Unbridge { bridge_id: bridge_id.clone(), other, members: gone.members });
        if gone.destroyed {
            self.switch.bus().publish(EventKind::BridgeDestroy { bridge_id }, None);
        }
    }

    /// Waits while bridged; returns when the peer leaves (the dialplan then continues, as after
    /// Asterisk's `Dial`), or with the interruption when this channel hangs up.
    pub async fn wait_while_bridged(&mut self) -> Result<(), Interrupted> {
        if self.bridge.is_none() {
            return Ok(());
        }
        let want = WaitFor { unbridged: true, ..WaitFor::default() };
        self.wait_until(None, want).await.map(|_| ())
    }
}
