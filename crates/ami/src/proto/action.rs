//! Actions: the typed `Action` a message becomes (once, in `parse`); handlers never look at headers
//! again. Also the list `ListCommands` prints.

use std::time::Duration;

pub use super::render::OriginateDestination;

/// An action with its `ActionID`.
#[derive(Clone, Debug, PartialEq)]
pub struct Request {
    /// `ActionID`, echoed on the response.
    pub action_id: Option<String>,
    /// The action, as the client spelled it (for errors and security events).
    pub name: String,
    /// The parsed action.
    pub action: Action,
}

/// A rejected action: the `Message:` of the `Response: Error`.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct ActionError(pub String);

/// `Originate`.
#[derive(Clone, Debug, PartialEq)]
pub struct Originate {
    /// Dial string (`Channel`).
    pub channel: String,
    /// Where the answered channel goes.
    pub destination: OriginateDestination,
    /// `Priority` for an extension.
    pub priority: u32,
    /// Ring timeout (`Timeout`, milliseconds; Asterisk's default 30 s).
    pub timeout: Duration,
    /// `CallerID`: (number, name).
    pub caller_id: Option<(String, String)>,
    /// `Variable` headers (repeatable, each `a=b` or `a=b,c=d`).
    pub variables: Vec<(String, String)>,
    /// `Account`.
    pub account: String,
    /// `Async`.
    pub asynchronous: bool,
    /// `ChannelId`.
    pub channel_id: Option<String>,
    /// `OtherChannelId` (accepted; our originate creates one channel).
    pub other_channel_id: Option<String>,
}

/// A place in the dialplan (`Redirect`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Location {
    /// Context.
    pub context: String,
    /// Extension.
    pub exten: String,
    /// Priority.
    pub priority: u32,
}

/// Every action this server knows.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub enum Action {
    /// `Login`.
    Login {
        /// `Username`.
        username: String,
        /// `Secret` (plain).
        secret: Option<String>,
        /// `AuthType` (`md5`).
        auth_type: Option<String>,
        /// `Key` (MD5 answer).
        key: Option<String>,
        /// `Events` (on/off/classes).
        events: Option<String>,
        /// Switchyard's `SwitchyardSeq: yes`: end every event with its bus sequence number.
        seq: bool,
    },
    /// `Logoff`.
    Logoff,
    /// `Challenge` with `AuthType`.
    Challenge {
        /// `AuthType`.
        auth_type: String,
    },
    /// `Ping`.
    Ping,
    /// `Events` with `EventMask`.
    Events {
        /// The mask text.
        mask: String,
    },
    /// `Filter` (`Operation: Add`, `Filter: [!]regex`).
    Filter {
        /// `Operation` (`Add`).
        operation: String,
        /// `Filter`.
        filter: String,
    },
    /// `Command`.
    Command {
        /// The CLI line.
        command: String,
    },
    /// `CoreSettings`.
    CoreSettings,
    /// `CoreStatus`.
    CoreStatus,
    /// `CoreShowChannels`.
    CoreShowChannels,
    /// `Status` (one channel or all).
    Status {
        /// `Channel`.
        channel: Option<String>,
        /// `Variables` (comma separated).
        variables: Vec<String>,
    },
    /// `Hangup` (`Channel` may be `/regex/`).
    Hangup {
        /// `Channel`.
        channel: String,
        /// `Cause` (Q.850 code).
        cause: Option<u16>,
    },
    /// `Originate`.
    Originate(Box<Originate>),
    /// `Redirect` (with `ExtraChannel`).
    Redirect {
        /// `Channel`.
        channel: String,
        /// Where it goes.
        to: Location,
        /// `ExtraChannel` and where it goes.
        extra: Option<(String, Location)>,
    },
    /// `Getvar` (global without `Channel`).
    Getvar {
        /// `Channel`.
        channel: Option<String>,
        /// `Variable`.
        variable: String,
    },
    /// `Setvar`.
    Setvar {
        /// `Channel`.
        channel: Option<String>,
        /// `Variable`.
        variable: String,
        /// `Value`.
        value: String,
    },
    /// `DBGet`.
    DbGet {
        /// `Family`.
        family: String,
        /// `Key`.
        key: String,
    },
    /// `DBPut`.
    DbPut {
        /// `Family`.
        family: String,
        /// `Key`.
        key: String,
        /// `Val`.
        value: String,
    },
    /// `DBDel`.
    DbDel {
        /// `Family`.
        family: String,
        /// `Key`.
        key: String,
    },
    /// `DBDelTree`.
    DbDelTree {
        /// `Family`.
        family: String,
        /// `Key`.
        key: Option<String>,
    },
    /// `UserEvent`.
    UserEvent {
        /// `UserEvent`.
        name: String,
        /// The other headers, in order (`ActionID` included, as Asterisk).
        headers: Vec<(String, String)>,
    },
    /// `ListCommands`.
    ListCommands,
    /// `AbsoluteTimeout` (seconds; 0 cancels).
    AbsoluteTimeout {
        /// `Channel`.
        channel: String,
        /// `Timeout`.
        seconds: f64,
    },
    /// `PlayDTMF`.
    PlayDtmf {
        /// `Channel`.
        channel: String,
        /// `Digit`.
        digit: char,
        /// `Duration` in ms.
        duration_ms: u32,
    },
    /// `BlindTransfer`: the channel's bridge peer goes to `Exten`@`Context`; the channel leaves.
    BlindTransfer {
        /// `Channel` (the transferer).
        channel: String,
        /// `Exten`.
        exten: String,
        /// `Context` (default: the transferer's).
        context: Option<String>,
    },
    /// `ExtensionState` (hint state; no hints exist yet, so always -1).
    ExtensionState {
        /// `Exten`.
        exten: String,
        /// `Context` (default `default`).
        context: String,
    },
    /// `ShowDialPlan` (optionally one `Context` and/or `Extension`).
    ShowDialPlan {
        /// `Context`.
        context: Option<String>,
        /// `Extension`.
        extension: Option<String>,
    },
    /// `Atxfer` (attended transfer through the DTMF feature code).
    Atxfer {
        /// `Channel` (the transferer).
        channel: String,
        /// `Exten`.
        exten: String,
        /// `Context` (sets the channel's `TRANSFER_CONTEXT`).
        context: Option<String>,
    },
    /// `Reload` (`Module` optional; the dialplan is what can be reloaded).
    Reload {
        /// `Module`.
        module: Option<String>,
    },
    /// `WaitEvent` (`Timeout` seconds; none: wait without limit).
    WaitEvent {
        /// `Timeout`.
        timeout_s: Option<u64>,
    },
    /// Switchyard's `ResumeEvents`: replay the bus from `Seq` (see README).
    ResumeEvents {
        /// The first sequence number wanted.
        from: u64,
    },
    /// `Bridge`: joins two live channels in a new bridge.
    Bridge {
        /// `Channel1`.
        channel1: String,
        /// `Channel2`.
        channel2: String,
    },
    /// `BridgeList` (optionally only bridges of one `BridgeType`).
    BridgeList {
        /// `BridgeType`.
        bridge_type: Option<String>,
    },
    /// `BridgeInfo`: the channels of one bridge.
    BridgeInfo {
        /// `BridgeUniqueid`.
        bridge_id: String,
    },
    /// A name we do not know.
    Unknown,
}

/// The names `ListCommands` prints, with the classes each needs (empty: none).
pub const ACTIONS: &[(&str, &str, &str)] = &[
    ("AbsoluteTimeout", "Set absolute timeout.", "system,call,all"),
    ("Challenge", "Generate Challenge for MD5 Auth.", "<none>"),
    ("Command", "Execute Asterisk CLI Command.", "command,all"),
    ("Atxfer", "Attended transfer.", "call,all"),
    ("BlindTransfer", "Blind transfer channel(s) to the given destination", "call,all"),
    ("Bridge", "Bridge two channels already in the PBX.", "call,all"),
    ("BridgeInfo", "Get information about a bridge.", "reporting,all"),
    ("BridgeList", "Get a list of bridges in the system.", "reporting,all"),
    ("CoreSettings", "Show PBX core settings (version etc).", "system,reporting,all"),
    ("CoreShowChannels", "List currently active channels.", "system,reporting,all"),
    ("CoreStatus", "Show PBX core status variables.", "system,reporting,all"),
    ("DBDel", "Delete DB entry.", "system,all"),
    ("DBDelTree", "Delete DB Tree.", "system,all"),
    ("DBGet", "Get DB Entry.", "system,reporting,all"),
    ("DBPut", "Put DB entry.", "system,all"),
    ("Events", "Control Event Flow.", "<none>"),
    ("ExtensionState", "Check Extension Status.", "call,reporting,all"),
    ("Filter", "Dynamically add filters for the current manager session.", "system,all"),
    ("Getvar", "Gets a channel variable or function value.", "call,reporting,all"),
    ("Hangup", "Hangup channel.", "system,call,all"),
    ("ListCommands", "List available manager commands.", "<none>"),
    ("Login", "Login Manager.", "<none>"),
    ("Logoff", "Logoff Manager.", "<none>"),
    ("Originate", "Originate a call.", "originate,all"),
    ("Ping", "Keepalive command.", "<none>"),
    ("PlayDTMF", "Play DTMF signal on a specific channel.", "call,all"),
    ("Redirect", "Redirect (transfer) a call.", "call,all"),
    ("Reload", "Send a reload event.", "system,config,all"),
    ("ResumeEvents", "Replay events from a sequence number (Switchyard).", "<none>"),
    ("Setvar", "Sets a channel variable or function value.", "call,all"),
    ("ShowDialPlan", "Show dialplan contexts and extensions", "config,reporting,all"),
    ("Status", "List channel status.", "system,call,reporting,all"),
    ("UserEvent", "Send an arbitrary event.", "user,all"),
    ("WaitEvent", "Wait for an event to occur.", "<none>"),
];
