//! Signals the local side sends its far end: DTMF (Asterisk `SendDTMF`, with an event) and busy or
//! congestion indications before answer.

use tokio::time::Instant;

use crate::channel::Channel;
use crate::event::EventKind;

impl Channel {
    /// Sends one digit to the far end and publishes a `Dtmf` event with `received: false`.
    pub fn send_dtmf(&mut self, digit: char, duration_ms: u32) {
        self.endpoint.on_dtmf(digit, Instant::now());
        self.publish(EventKind::Dtmf { digit, duration_ms, received: false });
    }

    /// Tells the far end the call failed with `cause` (busy, congestion) before answer.
    pub fn indicate(&mut self, cause: crate::cause::HangupCause) {
        self.endpoint.on_indicate(cause, Instant::now());
    }
}
