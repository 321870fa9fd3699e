//! Call progress: `pre_answer` (early media), `ring_ready` (ringing) and `respond <code> [reason]`
//! (a SIP-style response: 18x rings or pre-answers, 2xx answers, 4xx–6xx hang up with the cause
//! FreeSWITCH maps the code to). `answer` and `hangup` are the shared applications.

use std::sync::Arc;

use switchyard_core::app::{AppResult, BoxFuture};
use switchyard_core::{Channel, HangupCause};

use crate::fsxml::XmlEngine;

type R<'a> = BoxFuture<'a, AppResult>;

pub(crate) fn pre_answer<'a>(_e: &'a Arc<XmlEngine>, chan: &'a mut Channel, _args: &'a str) -> R<'a> {
    Box::pin(async move { chan.progress().map(|_| String::new()) })
}

pub(crate) fn ring_ready<'a>(_e: &'a Arc<XmlEngine>, chan: &'a mut Channel, _args: &'a str) -> R<'a> {
    Box::pin(async move { chan.ring().map(|_| String::new()) })
}

/// The hangup cause FreeSWITCH gives a SIP failure response (`sofia_glue_sip_cause_to_freeswitch`).
pub(crate) fn cause_for_sip(code: u16) -> HangupCause {
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
        502 => 27,
        405 => 63,
        406 | 415 | 501 => 79,
        482 | 483 => 25,
        487 => 487,
        _ => 31,
    };
    HangupCause::from_number(n)
}

pub(crate) fn respond<'a>(_e: &'a Arc<XmlEngine>, chan: &'a mut Channel, args: &'a str) -> R<'a> {
    Box::pin(async move {
        let code: u16 = args.split_whitespace().next().and_then(|c| c.parse().ok()).unwrap_or(0);
        match code {
            180 => chan.ring()?,
            181..=189 => chan.progress()?,
            200..=299 => chan.answer()?,
            300..=699 => return Err(chan.hangup(cause_for_sip(code))),
            _ => {
                tracing::warn!(channel = %chan.current().name, "respond: a SIP response code is required (got '{args}')")
            }
        }
        Ok(String::new())
    })
}

#[cfg(test)]
mod tests {
    use super::cause_for_sip;

    #[test]
    fn sip_codes_map_to_freeswitch_causes() {
        assert_eq!(cause_for_sip(486).fs_name(), "USER_BUSY");
        assert_eq!(cause_for_sip(404).fs_name(), "UNALLOCATED_NUMBER");
        assert_eq!(cause_for_sip(603).fs_name(), "CALL_REJECTED");
        assert_eq!(cause_for_sip(480).fs_name(), "NO_USER_RESPONSE");
    }
}
