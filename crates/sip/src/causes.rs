//! SIP status codes ↔ hangup causes, as FreeSWITCH maps them (its documented Hangup Cause Code Table for
//! `hangup_cause_to_sip`: unlisted causes → 480; and `sofia_glue_sip_cause_to_freeswitch` for the other way).
//! Asterisk agrees on the common codes (486 busy, 404 unallocated, 487 cancel, 503 congestion).

use switchyard_core::HangupCause;

/// The cause for a final failure response received to our INVITE.
pub fn cause_for_status(code: u16) -> HangupCause {
    let n = match code {
        200 => 16,
        401 | 402 | 403 | 407 | 603 | 608 => 21,
        404 => 1,
        485 | 604 => 3,
        408 | 504 => 102,
        410 => 22,
        413 | 414 | 416 | 420 | 421 | 423 | 505 | 513 => 127,
        480 => 18,
        400 | 481 | 500 | 503 => 41,
        486 | 600 => 17,
        484 => 28,
        488 | 606 => 88,
        502 => 38,
        405 => 63,
        406 | 415 | 501 => 79,
        482 | 483 => 25,
        487 => 487,
        _ if (400..500).contains(&code) => 21,
        _ if (500..600).contains(&code) => 41,
        _ => 31,
    };
    HangupCause::from_number(n)
}

/// The final response we send to an INVITE we refuse for this cause.
pub fn status_for_cause(cause: HangupCause) -> u16 {
    match cause.number() {
        1..=3 => 404,
        17 => 486,
        18 => 408,
        19 | 20 | 806 => 480,
        21 => 603,
        22 | 23 => 410,
        25 => 483,
        27 => 502,
        28 => 484,
        29 => 501,
        34 | 38 | 41 | 42 | 44 | 58 | 63 => 503,
        88 => 488,
        102 => 504,
        487 => 487,
        _ => 480,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn common_codes_map_both_ways() {
        for (code, cause) in [
            (486, HangupCause::USER_BUSY),
            (404, HangupCause::UNALLOCATED_NUMBER),
            (487, HangupCause::ORIGINATOR_CANCEL),
        ] {
            assert_eq!(cause_for_status(code), cause);
            assert_eq!(status_for_cause(cause), code);
        }
        assert_eq!(cause_for_status(480), HangupCause::NO_USER_RESPONSE);
        assert_eq!(status_for_cause(HangupCause::NO_USER_RESPONSE), 408);
        assert_eq!(status_for_cause(HangupCause::NO_ANSWER), 480);
        assert_eq!(status_for_cause(HangupCause::NORMAL_CLEARING), 480);
        assert_eq!(cause_for_status(503), HangupCause::NORMAL_TEMPORARY_FAILURE);
        assert_eq!(status_for_cause(HangupCause::NORMAL_CIRCUIT_CONGESTION), 503);
        assert_eq!(status_for_cause(HangupCause::CALL_REJECTED), 603);
    }
}
