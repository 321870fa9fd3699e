//! The hook through which a dialplan engine (extensions.conf, XML) runs inside channel tasks.

use crate::app::BoxFuture;
use crate::channel::Channel;

/// A dialplan engine. The core calls it when a channel enters the dialplan and when it hangs up.
pub trait DialplanEngine: Send + Sync + 'static {
    /// Runs the dialplan from the channel's current location until the channel leaves it.
    fn run<'a>(&'a self, chan: &'a mut Channel) -> BoxFuture<'a, ()>;
    /// Runs what must happen at hangup (the `h` extension, hangup handlers), before the final event.
    fn run_hangup<'a>(&'a self, chan: &'a mut Channel) -> BoxFuture<'a, ()>;
    /// Whether `exten` exists in `context` (checked before a transfer sends a channel there);
    /// `None` when the engine cannot tell without running it (the default).
    fn extension_exists(&self, _context: &str, _exten: &str) -> Option<bool> {
        None
    }
}
