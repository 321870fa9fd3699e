//! Blind transfer asked by the far end (RFC 3515 REFER inside a call): `Refer-To: <sip:EXT@host>` is
//! answered 202 Accepted and a NOTIFY with the sipfrag `SIP/2.0 100 Trying`; the driver transfers
//! (the bridged peer goes to EXT) and reports the outcome, which a last NOTIFY carries
//! (`200 OK`, `404 Not Found`, …) with `Subscription-State: terminated`. A REFER with `Replaces`
//! (attended transfer) is refused with 501.

use std::net::SocketAddr;
use std::time::Instant;

use super::dialog::Phase;
use super::messaging::InDialog;
use super::{CallKey, Engine, Output};
use crate::wire::{Message, Transport, name_addr_uri, reason, response_to, uri_user};

/// The sipfrag body a REFER's NOTIFY carries for `code`.
pub fn sipfrag(code: u16) -> String {
    format!("SIP/2.0 {code} {}\r\n", reason(code))
}

/// The Content-Type of a REFER's NOTIFY body (RFC 3515 §2.4.5).
pub const SIPFRAG: &str = "message/sipfrag;version=2.0";

impl Engine {
    pub(super) fn on_refer(
        &mut self,
        now: Instant,
        key: CallKey,
        transport: Transport,
        source: SocketAddr,
        msg: &Message,
    ) {
        let refer_to = msg.header("Refer-To").map(name_addr_uri).unwrap_or_default().to_owned();
        let exten = uri_user(&refer_to).to_owned();
        let confirmed = self.calls.get(&key).is_some_and(|c| c.phase == Phase::Confirmed);
        let code = match () {
            _ if refer_to.is_empty() || exten.is_empty() => 400,
            _ if refer_to.to_ascii_lowercase().contains("replaces") => 501,
            _ if !confirmed => 403,
            _ => 202,
        };
        self.respond(now, transport, source, msg, response_to(msg, code, None).finish());
        if code != 202 {
            tracing::debug!(refer_to, code, "REFER refused");
            return;
        }
        self.send_refer_notify(now, key, 100);
        self.out.push(Output::Refer { key, exten, uri: refer_to });
    }

    /// The transfer is done: the final NOTIFY.
    pub(super) fn refer_done(&mut self, now: Instant, key: CallKey, code: u16) {
        self.send_refer_notify(now, key, code);
    }

    fn send_refer_notify(&mut self, now: Instant, key: CallKey, code: u16) {
        let state = if code < 200 { "active;expires=60" } else { "terminated;reason=noresource" };
        let headers =
            vec![("Event".to_owned(), "refer".to_owned()), ("Subscription-State".to_owned(), state.to_owned())];
        let req = InDialog { method: "NOTIFY", headers, content_type: SIPFRAG.to_owned(), body: sipfrag(code).into() };
        self.send_in_dialog(now, key, req);
    }
}
