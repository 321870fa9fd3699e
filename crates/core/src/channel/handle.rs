//! The cloneable handle through which everything outside a channel's task talks to it.

use std::sync::Arc;

use parking_lot::RwLock;
use tokio::sync::mpsc;

use crate::cause::HangupCause;
use crate::channel::ChannelCommand;
use crate::id::ChannelId;
use crate::media::MediaPort;
use crate::snapshot::ChannelSnapshot;
use crate::tech::RemoteAction;

/// State shared between a channel's task and its handles: the latest published snapshot, and the media.
pub(crate) struct ChannelShared {
    pub(crate) snapshot: RwLock<Arc<ChannelSnapshot>>,
    pub(crate) media: Option<Arc<dyn MediaPort>>,
}

impl std::fmt::Debug for ChannelShared {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ChannelShared").field("snapshot", &self.snapshot).field("media", &self.media.is_some()).finish()
    }
}

/// The channel is gone: its task has ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("no such channel")]
pub struct ChannelGone;

/// A handle to a live channel. Cheap to clone; holds no lock.
#[derive(Clone, Debug)]
pub struct ChannelHandle {
    id: ChannelId,
    shared: Arc<ChannelShared>,
    tx: mpsc::UnboundedSender<ChannelCommand>,
}

impl ChannelHandle {
    pub(crate) fn new(id: ChannelId, shared: Arc<ChannelShared>, tx: mpsc::UnboundedSender<ChannelCommand>) -> Self {
        Self { id, shared, tx }
    }

    /// The channel's id.
    pub fn id(&self) -> ChannelId {
        self.id
    }

    /// The latest snapshot.
    pub fn snapshot(&self) -> Arc<ChannelSnapshot> {
        self.shared.snapshot.read().clone()
    }

    /// A channel variable as last published.
    pub fn var(&self, name: &str) -> Option<String> {
        self.shared.snapshot.read().variables.get(name).map(str::to_owned)
    }

    /// Sends any command.
    pub fn send(&self, cmd: ChannelCommand) -> Result<(), ChannelGone> {
        self.tx.send(cmd).map_err(|_| ChannelGone)
    }

    /// Requests hangup.
    pub fn hangup(&self, cause: HangupCause, source: &str) -> Result<(), ChannelGone> {
        self.send(ChannelCommand::Hangup { cause, source: source.to_owned() })
    }

    /// Sets a variable.
    pub fn set_var(&self, name: &str, value: &str) -> Result<(), ChannelGone> {
        self.send(ChannelCommand::SetVar { name: name.to_owned(), value: value.to_owned() })
    }

    /// Answers.
    pub fn answer(&self) -> Result<(), ChannelGone> {
        self.send(ChannelCommand::Answer)
    }

    /// Puts the channel on hold or takes it off (publishes `Hold`; see `Channel::set_hold`).
    pub fn hold(&self, on: bool) -> Result<(), ChannelGone> {
        self.send(ChannelCommand::Hold { on })
    }

    /// Delivers something the far end did.
    pub fn remote(&self, action: RemoteAction) -> Result<(), ChannelGone> {
        self.send(ChannelCommand::Remote(action))
    }

    /// The channel's media, when its far end carries any (for `uuid_broadcast`, `uuid_record`, …).
    pub fn media(&self) -> Option<Arc<dyn MediaPort>> {
        self.shared.media.clone()
    }

    /// True while the task runs.
    pub fn is_alive(&self) -> bool {
        !self.tx.is_closed()
    }
}
