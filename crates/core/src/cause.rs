//! Hangup causes: the Q.850 table with FreeSWITCH names and Asterisk `Cause-txt` texts as views of one number.

use std::fmt;

/// A hangup cause. The number is the Q.850 cause (or a FreeSWITCH extension above 127); Asterisk's
/// cause text and FreeSWITCH's name are two views of it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct HangupCause(u16);

/// One row of the cause table: number, FreeSWITCH name, Asterisk text (None where that side has no such cause).
struct CauseRow(u16, Option<&'static str>, Option<&'static str>);

/// Numbers from the FreeSWITCH cause enum and Q.850; texts from Asterisk's cause table (`ast_cause2str`).
const TABLE: &[CauseRow] = &[
    CauseRow(0, Some("NONE"), None),
    CauseRow(1, Some("UNALLOCATED_NUMBER"), Some("Unallocated (unassigned) number")),
    CauseRow(2, Some("NO_ROUTE_TRANSIT_NET"), Some("No route to specified transmit network")),
    CauseRow(3, Some("NO_ROUTE_DESTINATION"), Some("No route to destination")),
    CauseRow(5, None, Some("Misdialed trunk prefix")),
    CauseRow(6, Some("CHANNEL_UNACCEPTABLE"), Some("Channel unacceptable")),
    CauseRow(7, Some("CALL_AWARDED_DELIVERED"), Some("Call awarded and being delivered in an established channel")),
    CauseRow(8, None, Some("Pre-empted")),
    CauseRow(14, None, Some("Number ported elsewhere")),
    CauseRow(16, Some("NORMAL_CLEARING"), Some("Normal Clearing")),
    CauseRow(17, Some("USER_BUSY"), Some("User busy")),
    CauseRow(18, Some("NO_USER_RESPONSE"), Some("No user responding")),
    CauseRow(19, Some("NO_ANSWER"), Some("User alerting, no answer")),
    CauseRow(20, Some("SUBSCRIBER_ABSENT"), Some("Subscriber absent")),
    CauseRow(21, Some("CALL_REJECTED"), Some("Call Rejected")),
    CauseRow(22, Some("NUMBER_CHANGED"), Some("Number changed")),
    CauseRow(23, Some("REDIRECTION_TO_NEW_DESTINATION"), Some("Redirected to new destination")),
    CauseRow(25, Some("EXCHANGE_ROUTING_ERROR"), None),
    CauseRow(26, None, Some("Answered elsewhere")),
    CauseRow(27, Some("DESTINATION_OUT_OF_ORDER"), Some("Destination out of order")),
    CauseRow(28, Some("INVALID_NUMBER_FORMAT"), Some("Invalid number format")),
    CauseRow(29, Some("FACILITY_REJECTED"), Some("Facility rejected")),
    CauseRow(30, Some("RESPONSE_TO_STATUS_ENQUIRY"), Some("Response to STATus ENQuiry")),
    CauseRow(31, Some("NORMAL_UNSPECIFIED"), Some("Normal, unspecified")),
    CauseRow(34, Some("NORMAL_CIRCUIT_CONGESTION"), Some("Circuit/channel congestion")),
    CauseRow(38, Some("NETWORK_OUT_OF_ORDER"), Some("Network out of order")),
    CauseRow(41, Some("NORMAL_TEMPORARY_FAILURE"), Some("Temporary failure")),
    CauseRow(42, Some("SWITCH_CONGESTION"), Some("Switching equipment congestion")),
    CauseRow(43, Some("ACCESS_INFO_DISCARDED"), Some("Access information discarded")),
    CauseRow(44, Some("REQUESTED_CHAN_UNAVAIL"), Some("Requested channel not available")),
    CauseRow(45, Some("PRE_EMPTED"), None),
    CauseRow(50, Some("FACILITY_NOT_SUBSCRIBED"), Some("Facility not subscribed")),
    CauseRow(52, Some("OUTGOING_CALL_BARRED"), Some("Outgoing call barred")),
    CauseRow(54, Some("INCOMING_CALL_BARRED"), Some("Incoming call barred")),
    CauseRow(57, Some("BEARERCAPABILITY_NOTAUTH"), Some("Bearer capability not authorized")),
    CauseRow(58, Some("BEARERCAPABILITY_NOTAVAIL"), Some("Bearer capability not available")),
    CauseRow(63, Some("SERVICE_UNAVAILABLE"), None),
    CauseRow(65, Some("BEARERCAPABILITY_NOTIMPL"), Some("Bearer capability not implemented")),
    CauseRow(66, Some("CHAN_NOT_IMPLEMENTED"), Some("Channel not implemented")),
    CauseRow(69, Some("FACILITY_NOT_IMPLEMENTED"), Some("Facility not implemented")),
    CauseRow(79, Some("SERVICE_NOT_IMPLEMENTED"), None),
    CauseRow(81, Some("INVALID_CALL_REFERENCE"), Some("Invalid call reference value")),
    CauseRow(88, Some("INCOMPATIBLE_DESTINATION"), Some("Incompatible destination")),
    CauseRow(95, Some("INVALID_MSG_UNSPECIFIED"), Some("Invalid message unspecified")),
    CauseRow(96, Some("MANDATORY_IE_MISSING"), Some("Mandatory information element is missing")),
    CauseRow(97, Some("MESSAGE_TYPE_NONEXIST"), Some("Message type nonexist.")),
    CauseRow(98, Some("WRONG_MESSAGE"), Some("Wrong message")),
    CauseRow(99, Some("IE_NONEXIST"), Some("Info. element nonexist or not implemented")),
    CauseRow(100, Some("INVALID_IE_CONTENTS"), Some("Invalid information element contents")),
    CauseRow(101, Some("WRONG_CALL_STATE"), Some("Message not compatible with call state")),
    CauseRow(102, Some("RECOVERY_ON_TIMER_EXPIRE"), Some("Recover on timer expiry")),
    CauseRow(103, Some("MANDATORY_IE_LENGTH_ERROR"), Some("Mandatory IE length error")),
    CauseRow(111, Some("PROTOCOL_ERROR"), Some("Protocol error, unspecified")),
    CauseRow(127, Some("INTERWORKING"), Some("Interworking, unspecified")),
    CauseRow(142, Some("SUCCESS"), None),
    CauseRow(487, Some("ORIGINATOR_CANCEL"), None),
    CauseRow(700, Some("CRASH"), None),
    CauseRow(701, Some("SYSTEM_SHUTDOWN"), None),
    CauseRow(702, Some("LOSE_RACE"), None),
    CauseRow(703, Some("MANAGER_REQUEST"), None),
    CauseRow(800, Some("BLIND_TRANSFER"), None),
    CauseRow(801, Some("ATTENDED_TRANSFER"), None),
    CauseRow(802, Some("ALLOTTED_TIMEOUT"), None),
    CauseRow(803, Some("USER_CHALLENGE"), None),
    CauseRow(804, Some("MEDIA_TIMEOUT"), None),
    CauseRow(805, Some("PICKED_OFF"), None),
    CauseRow(806, Some("USER_NOT_REGISTERED"), None),
    CauseRow(807, Some("PROGRESS_TIMEOUT"), None),
    CauseRow(808, Some("INVALID_GATEWAY"), None),
    CauseRow(809, Some("GATEWAY_DOWN"), None),
    CauseRow(810, Some("INVALID_URL"), None),
    CauseRow(811, Some("INVALID_PROFILE"), None),
    CauseRow(812, Some("NO_PICKUP"), None),
    CauseRow(813, Some("SRTP_READ_ERROR"), None),
    CauseRow(814, Some("BOWOUT"), None),
    CauseRow(815, Some("BUSY_EVERYWHERE"), None),
    CauseRow(816, Some("DECLINE"), None),
    CauseRow(817, Some("DOES_NOT_EXIST_ANYWHERE"), None),
    CauseRow(818, Some("NOT_ACCEPTABLE"), None),
    CauseRow(819, Some("UNWANTED"), None),
    CauseRow(820, Some("NO_IDENTITY"), None),
    CauseRow(821, Some("BAD_IDENTITY_INFO"), None),
    CauseRow(822, Some("UNSUPPORTED_CERTIFICATE"), None),
    CauseRow(823, Some("INVALID_IDENTITY"), None),
    CauseRow(824, Some("STALE_DATE"), None),
    CauseRow(825, Some("REJECT_ALL"), None),
];

/// Asterisk's own names where they differ from FreeSWITCH's (accepted when parsing).
const ASTERISK_ALIASES: &[(&str, u16)] = &[
    ("UNALLOCATED", 1),
    ("MISDIALLED_TRUNK_PREFIX", 5),
    ("NUMBER_PORTED_NOT_HERE", 14),
    ("ANSWERED_ELSEWHERE", 26),
    ("REDIRECTED_TO_NEW_DESTINATION", 23),
    ("BUSY", 17),
    ("NOANSWER", 19),
    ("CONGESTION", 34),
    ("FAILURE", 38),
    ("NORMAL", 16),
    ("UNREGISTERED", 20),
    ("NOSUCHDRIVER", 66),
    ("NOTDEFINED", 0),
];

#[allow(missing_docs)]
impl HangupCause {
    pub const NONE: Self = Self(0);
    pub const UNALLOCATED_NUMBER: Self = Self(1);
    pub const NO_ROUTE_DESTINATION: Self = Self(3);
    pub const NORMAL_CLEARING: Self = Self(16);
    pub const USER_BUSY: Self = Self(17);
    pub const NO_USER_RESPONSE: Self = Self(18);
    pub const NO_ANSWER: Self = Self(19);
    pub const SUBSCRIBER_ABSENT: Self = Self(20);
    pub const CALL_REJECTED: Self = Self(21);
    pub const DESTINATION_OUT_OF_ORDER: Self = Self(27);
    pub const NORMAL_UNSPECIFIED: Self = Self(31);
    pub const NORMAL_CIRCUIT_CONGESTION: Self = Self(34);
    pub const NETWORK_OUT_OF_ORDER: Self = Self(38);
    pub const NORMAL_TEMPORARY_FAILURE: Self = Self(41);
    pub const SWITCH_CONGESTION: Self = Self(42);
    pub const REQUESTED_CHAN_UNAVAIL: Self = Self(44);
    pub const CHAN_NOT_IMPLEMENTED: Self = Self(66);
    pub const INTERWORKING: Self = Self(127);
    pub const ORIGINATOR_CANCEL: Self = Self(487);
    pub const SYSTEM_SHUTDOWN: Self = Self(701);
    pub const LOSE_RACE: Self = Self(702);
    pub const MANAGER_REQUEST: Self = Self(703);
    pub const ALLOTTED_TIMEOUT: Self = Self(802);
    pub const USER_NOT_REGISTERED: Self = Self(806);
}

impl HangupCause {
    /// A cause from its number; numbers outside the table are kept (they render as `UNKNOWN`).
    pub const fn from_number(n: u16) -> Self {
        Self(n)
    }

    /// The cause number (Q.850, or FreeSWITCH's extension numbers above 127).
    pub const fn number(self) -> u16 {
        self.0
    }

    fn row(self) -> Option<&'static CauseRow> {
        TABLE.iter().find(|r| r.0 == self.0)
    }

    /// FreeSWITCH's name (`NORMAL_CLEARING`); `UNKNOWN` for numbers FreeSWITCH does not know.
    pub fn fs_name(self) -> &'static str {
        self.row().and_then(|r| r.1).unwrap_or("UNKNOWN")
    }

    /// The Q.850 number: FreeSWITCH's extension causes above 127 become NORMAL_CLEARING, as FreeSWITCH's
    /// `hangup_cause_q850` does.
    pub fn q850(self) -> u16 {
        if self.0 <= 127 { self.0 } else { Self::NORMAL_CLEARING.0 }
    }

    /// The cause number Asterisk reports (AMI `Cause`): the Q.850 view.
    pub fn asterisk_code(self) -> u16 {
        self.q850()
    }

    /// Asterisk's `Cause-txt` (`ast_cause2str`) for the Q.850 view; `Unknown` where Asterisk has none.
    pub fn asterisk_text(self) -> &'static str {
        Self(self.q850()).row().and_then(|r| r.2).unwrap_or("Unknown")
    }

    /// Parses a cause as FreeSWITCH's `str2cause` does (a leading digit means a number, otherwise a
    /// case-insensitive name) but refuses unknown names instead of silently using NORMAL_CLEARING.
    pub fn parse(s: &str) -> Result<Self, UnknownCause> {
        let s = s.trim();
        if s.starts_with(|c: char| c.is_ascii_digit()) {
            return s.parse::<u16>().map(Self).map_err(|_| UnknownCause(s.to_owned()));
        }
        let upper = s.to_ascii_uppercase();
        let upper = upper.strip_prefix("AST_CAUSE_").unwrap_or(&upper);
        TABLE
            .iter()
            .find(|r| r.1 == Some(upper))
            .map(|r| Self(r.0))
            .or_else(|| ASTERISK_ALIASES.iter().find(|a| a.0 == upper).map(|a| Self(a.1)))
            .ok_or_else(|| UnknownCause(s.to_owned()))
    }

    /// FreeSWITCH's lenient parse: unknown names become NORMAL_CLEARING (`switch_channel_str2cause`).
    pub fn parse_lenient(s: &str) -> Self {
        Self::parse(s).unwrap_or(Self::NORMAL_CLEARING)
    }

    /// Every cause in the table, in number order.
    pub fn all() -> impl Iterator<Item = HangupCause> {
        TABLE.iter().map(|r| Self(r.0))
    }
}

impl fmt::Display for HangupCause {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.fs_name())
    }
}

/// A cause name or number that is not in the table.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown hangup cause '{0}' (expected a Q.850 number or a name such as NORMAL_CLEARING)")]
pub struct UnknownCause(pub String);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normal_clearing_has_number_name_and_text() {
        let c = HangupCause::parse("NORMAL_CLEARING").unwrap();
        assert_eq!((c.number(), c.fs_name(), c.asterisk_text()), (16, "NORMAL_CLEARING", "Normal Clearing"));
    }

    #[test]
    fn issue_examples_map_as_documented() {
        let cases = [
            ("USER_BUSY", 17, "User busy"),
            ("NO_USER_RESPONSE", 18, "No user responding"),
            ("NO_ANSWER", 19, "User alerting, no answer"),
            ("CALL_REJECTED", 21, "Call Rejected"),
            ("UNALLOCATED_NUMBER", 1, "Unallocated (unassigned) number"),
            ("NORMAL_CIRCUIT_CONGESTION", 34, "Circuit/channel congestion"),
            ("INTERWORKING", 127, "Interworking, unspecified"),
        ];
        for (name, n, text) in cases {
            let c = HangupCause::parse(name).unwrap();
            assert_eq!((c.number(), c.asterisk_text()), (n, text), "{name}");
        }
    }

    #[test]
    fn freeswitch_only_causes_fall_back_to_normal_clearing_for_asterisk() {
        for name in ["ORIGINATOR_CANCEL", "SYSTEM_SHUTDOWN", "MANAGER_REQUEST", "ALLOTTED_TIMEOUT"] {
            let c = HangupCause::parse(name).unwrap();
            assert!(c.number() > 127);
            assert_eq!((c.asterisk_code(), c.asterisk_text()), (16, "Normal Clearing"));
        }
        assert_eq!(HangupCause::ORIGINATOR_CANCEL.number(), 487);
    }

    #[test]
    fn parse_accepts_numbers_lowercase_and_asterisk_aliases() {
        assert_eq!(HangupCause::parse("17").unwrap(), HangupCause::USER_BUSY);
        assert_eq!(HangupCause::parse("user_busy").unwrap(), HangupCause::USER_BUSY);
        assert_eq!(HangupCause::parse("AST_CAUSE_BUSY").unwrap(), HangupCause::USER_BUSY);
        assert_eq!(HangupCause::parse("congestion").unwrap(), HangupCause::NORMAL_CIRCUIT_CONGESTION);
    }

    #[test]
    fn unknown_names_are_refused_strictly_and_cleared_leniently() {
        let err = HangupCause::parse("BOGUS").unwrap_err();
        assert!(err.to_string().contains("'BOGUS'"));
        assert_eq!(HangupCause::parse_lenient("BOGUS"), HangupCause::NORMAL_CLEARING);
    }

    #[test]
    fn unknown_numbers_render_as_unknown() {
        let c = HangupCause::from_number(4);
        assert_eq!((c.fs_name(), c.asterisk_text()), ("UNKNOWN", "Unknown"));
    }

    #[test]
    fn every_fs_name_parses_back_to_its_number() {
        for c in HangupCause::all() {
            if c.fs_name() == "UNKNOWN" {
                continue; // Asterisk-only causes (5, 8, 14, 26) have no FreeSWITCH name.
            }
            assert_eq!(HangupCause::parse(c.fs_name()).unwrap(), c);
        }
    }
}
