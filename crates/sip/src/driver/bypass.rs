//! Media bypass: FreeSWITCH's `uuid_media off <uuid>` (and ESL `nomedia`, which runs it) re-INVITEs
//! the channel and its bridged peer, both SIP, each with the other's RTP address and codec, so the
//! phones send RTP to each other; `uuid_media <uuid>` re-INVITEs both with our own address again. The
//! bridge stays as it was (hangup, transfer and events work as before); what Switchyard does to the
//! audio (recording, playback to one leg) does not reach the phones while bypassed.

use switchyard_core::app::BoxFuture;
use switchyard_core::command::{Command, CommandOutput, CommandSpec, Flavor};
use switchyard_core::switch::Switch;
use switchyard_core::{ChannelHandle, ChannelId};
use tokio::sync::{mpsc, oneshot};

use super::{Driver, DriverMsg};
use crate::engine::{CallKey, Input};

static UUID_MEDIA: CommandSpec = CommandSpec {
    name: "uuid_media",
    syntax: "[off] <uuid>",
    summary: "Reinvite FS in or out of media path",
    usage: "",
    flavor: Flavor::FreeSwitch,
};

/// The reply to a bypass request.
pub(crate) type Reply = oneshot::Sender<Result<(), &'static str>>;

/// `uuid_media [off] <uuid>`.
pub(crate) struct UuidMedia(pub mpsc::UnboundedSender<DriverMsg>);

impl Command for UuidMedia {
    fn spec(&self) -> &'static CommandSpec {
        &UUID_MEDIA
    }

    fn run<'a>(&'a self, sw: &'a Switch, args: &'a [String]) -> BoxFuture<'a, CommandOutput> {
        Box::pin(async move {
            let (bypass, id) = match args {
                [off, id] if off == "off" => (true, id),
                [id] => (false, id),
                _ => return CommandOutput::usage(&UUID_MEDIA),
            };
            let Some(channel) = sw.channels().find(id).filter(ChannelHandle::is_alive).map(|h| h.id()) else {
                return CommandOutput::failure("-ERR No such channel!\n");
            };
            let (reply, answer) = oneshot::channel();
            if self.0.send(DriverMsg::Media { channel, bypass, reply }).is_err() {
                return CommandOutput::failure("-ERR Operation failed\n");
            }
            match answer.await {
                Ok(Ok(())) => CommandOutput::ok("+OK Success\n"),
                Ok(Err(why)) => CommandOutput::failure(format!("-ERR {why}\n")),
                Err(_) => CommandOutput::failure("-ERR Operation failed\n"),
            }
        })
    }
}

impl Driver {
    pub(super) fn key_of(&self, id: ChannelId) -> Option<CallKey> {
        self.slots.iter().find(|(_, s)| s.handle.as_ref().is_some_and(|h| h.id() == id)).map(|(k, _)| *k)
    }

    /// Re-INVITEs the channel and its bridged peer out of (`bypass`) or back into the media path.
    pub(super) fn media_bypass(&mut self, channel: ChannelId, bypass: bool) -> Result<(), &'static str> {
        let a = self.key_of(channel).ok_or("Operation failed: not a SIP channel")?;
        let handle = self.slots.get(&a).and_then(|s| s.handle.clone()).ok_or("Operation failed")?;
        let peer = self.bridge_peer(&handle).ok_or("Operation failed: not bridged")?;
        let b = self.key_of(peer.id()).ok_or("Operation failed: the bridged channel is not SIP")?;
        let (na, nb) = match (self.engine.negotiated(a), self.engine.negotiated(b)) {
            (Some(na), Some(nb)) => (na.clone(), nb.clone()),
            _ => return Err("Operation failed: a call is not answered"),
        };
        let (to_a, to_b) = if bypass { (Some(nb), Some(na)) } else { (None, None) };
        self.feed(Input::Reoffer { key: a, to: to_a });
        self.feed(Input::Reoffer { key: b, to: to_b });
        Ok(())
    }
}
