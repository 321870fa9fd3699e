//! Requests a script's `session` sends to its channel's task, and the replies.

use tokio::sync::{mpsc, oneshot};

/// One `session` operation.
#[derive(Debug)]
pub(crate) enum Op {
    Answer,
    PreAnswer,
    Ready,
    Answered,
    Hangup(String),
    Sleep(u64),
    /// Waits up to this many ms for one digit (input callbacks).
    WaitDigit(u64),
    StreamFile(String),
    GetDigits(Collect),
    PlayAndGetDigits(Box<Prompted>),
    Execute(String, String),
    SetVariable(String, Option<String>),
    GetVariable(String),
    GetState,
    HangupCause,
    Transfer(String),
    FlushDigits,
    SetAutoHangup(bool),
}

/// How to collect digits (`getDigits`, and after each prompt of `playAndGetDigits`/`read`).
#[derive(Clone, Debug, Default)]
pub(crate) struct Collect {
    pub(crate) max: usize,
    pub(crate) terminators: String,
    /// Wait for the first digit, ms.
    pub(crate) timeout: u64,
    /// Wait between digits, ms (0: `timeout`).
    pub(crate) interdigit: u64,
}

/// `playAndGetDigits` / `read`.
#[derive(Clone, Debug, Default)]
pub(crate) struct Prompted {
    pub(crate) min: usize,
    pub(crate) collect: Collect,
    pub(crate) tries: u32,
    pub(crate) file: String,
    pub(crate) invalid_file: String,
    pub(crate) regex: String,
    pub(crate) var: String,
}

/// What an operation returns to Lua.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Value {
    Nil,
    Bool(bool),
    Str(String),
}

/// A reply: the value, and whether the channel is gone (or sent elsewhere) now.
#[derive(Debug)]
pub(crate) struct Reply {
    pub(crate) value: Value,
    pub(crate) hung_up: bool,
}

/// An operation with its reply slot.
#[derive(Debug)]
pub(crate) struct Call {
    pub(crate) op: Op,
    pub(crate) reply: oneshot::Sender<Reply>,
}

/// The script side of the link to a channel task.
pub(crate) type CallSender = mpsc::UnboundedSender<Call>;

/// The channel side.
pub(crate) type CallReceiver = mpsc::UnboundedReceiver<Call>;
