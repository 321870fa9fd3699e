//! Call detail records, with Asterisk's CDR fields.

/// One call detail record. Times are microseconds since the Unix epoch.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Cdr {
    /// Account code.
    pub accountcode: String,
    /// Caller id number.
    pub src: String,
    /// Destination extension.
    pub dst: String,
    /// Destination context.
    pub dcontext: String,
    /// Caller id with text (`"Name" <number>`).
    pub clid: String,
    /// Channel name.
    pub channel: String,
    /// Destination channel name.
    pub dstchannel: String,
    /// Last application run.
    pub lastapp: String,
    /// Arguments of the last application.
    pub lastdata: String,
    /// When the call started.
    pub start_us: i64,
    /// When the call was answered, if it was.
    pub answer_us: Option<i64>,
    /// When the call ended.
    pub end_us: i64,
    /// Seconds from start to end.
    pub duration: i64,
    /// Seconds from answer to end.
    pub billsec: i64,
    /// `ANSWERED`, `NO ANSWER`, `BUSY`, `FAILED`, `CONGESTION`.
    pub disposition: String,
    /// `DOCUMENTATION`, `BILLING`, `OMIT`.
    pub amaflags: String,
    /// Channel unique id.
    pub uniqueid: String,
    /// Linked id of the call.
    pub linkedid: String,
    /// User field.
    pub userfield: String,
    /// Q.850 hangup cause.
    pub hangup_cause: u16,
}
