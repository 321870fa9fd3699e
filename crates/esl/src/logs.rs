//! Log lines for `log <level>` listeners: the binary feeds its log events in, sessions subscribe.
//! A process-wide feed, like the logger it mirrors; nothing is formatted while nobody listens.

use std::sync::{Arc, OnceLock};

use tokio::sync::broadcast;

/// One log line as `log/data` carries it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LogLine {
    /// FreeSWITCH level: 0 CONSOLE … 3 ERR, 4 WARNING, 5 NOTICE, 6 INFO, 7 DEBUG.
    pub level: u8,
    /// Source file (`Log-File`).
    pub file: String,
    /// Function or module (`Log-Func`).
    pub func: String,
    /// Source line (`Log-Line`).
    pub line: u32,
    /// The text, ending with a newline.
    pub text: String,
}

/// Lines kept for a listener that is behind; older ones are dropped for it.
const BUFFER: usize = 4096;

fn feed() -> &'static broadcast::Sender<Arc<LogLine>> {
    static FEED: OnceLock<broadcast::Sender<Arc<LogLine>>> = OnceLock::new();
    FEED.get_or_init(|| broadcast::channel(BUFFER).0)
}

/// True when some connection asked for logs (so the logger can skip formatting otherwise).
pub fn has_listeners() -> bool {
    feed().receiver_count() > 0
}

/// Hands a line to every listening connection.
pub fn publish(line: LogLine) {
    let _ = feed().send(Arc::new(line));
}

/// A new listener.
pub fn subscribe() -> broadcast::Receiver<Arc<LogLine>> {
    feed().subscribe()
}
