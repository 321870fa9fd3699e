//! What the interpreter keeps on each channel: the Gosub stack, whether the last app jumped, the
//! hangup phase, and per-channel settings (timeouts, CURL options).

use switchyard_core::{Channel, SharedStr};

/// One Gosub frame. Its texts are shared strings: short ones (the usual names and values) are
/// copied in place, without allocating.
#[derive(Debug, Default)]
pub(crate) struct Frame {
    /// Where `Return` continues (None for an internal Gosub: the caller resumes itself).
    pub ret: Option<(SharedStr, SharedStr, u32)>,
    /// Variables to put back on return, oldest first (None = was unset).
    pub saved: Vec<(SharedStr, Option<SharedStr>)>,
}

/// Interpreter state on a channel.
#[derive(Debug, Default)]
pub(crate) struct Pc {
    /// The last application moved the location itself (Goto, Gosub, Return…).
    pub jumped: bool,
    /// Gosub frames, innermost last.
    pub frames: Vec<Frame>,
    /// Running `h` or hangup handlers: apps complete even though hangup was requested.
    pub in_hangup: bool,
    /// The channel entered the dialplan (so `h` applies).
    pub ran: bool,
    /// `TIMEOUT(response)` and `TIMEOUT(digit)` in seconds.
    pub response_timeout: Option<f64>,
    pub digit_timeout: Option<f64>,
    /// The scheduler task behind `TIMEOUT(absolute)`.
    pub absolute_timeout_task: Option<u64>,
    /// When it expires (switch clock, microseconds), for reading `TIMEOUT(absolute)`.
    pub absolute_deadline_us: Option<i64>,
    /// The last exception raised (`EXCEPTION()`).
    pub exception: Option<crate::exception::Exception>,
    /// `CURLOPT()` settings.
    pub curl_opts: Vec<(String, String)>,
}

/// The channel's interpreter state.
pub(crate) fn pc(chan: &mut Channel) -> &mut Pc {
    chan.extensions.get_or_default::<Pc>()
}

/// Moves the channel to `context,exten,priority` and tells the interpreter not to advance.
pub(crate) fn jump(chan: &mut Channel, context: &str, exten: &str, priority: u32) {
    chan.set_location(context, exten, priority);
    pc(chan).jumped = true;
}
