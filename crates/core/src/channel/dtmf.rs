//! Sending DTMF to the far end (Asterisk `SendDTMF`): the endpoint hears it and an event says so.

use tokio::time::Instant;

use crate::channel::Channel;
use crate::event::EventKind;

impl Channel {
    /// Sends one digit to the far end and publishes a `Dtmf` event with `received: false`.
    pub fn send_dtmf(&mut self, digit: char, duration_ms: u32) {
        self.endpoint.on_dtmf(digit, Instant::now());
        self.publish(EventKind::Dtmf { digit, duration_ms, received: false });
    }
}
