//! DTMF on a channel: digits the far end sends (whole, or begin then end with the real duration, as
//! RFC 4733 reports them) and signals the local side sends its far end (Asterisk `SendDTMF`, busy or
//! congestion indications before answer).

use std::time::Duration;

use tokio::time::Instant;

use crate::channel::Channel;
use crate::event::{DtmfPhase, EventKind};

/// Duration reported for a received digit whose start and end come together (SIP INFO without
/// `Duration=`, simulated far ends): Asterisk's default digit length.
pub const DEFAULT_DTMF_MS: u32 = 100;

/// A received digit whose end never comes (its end packets lost, the far end silent) is ended this
/// long after it began, with the time it lasted so far.
pub const DTMF_END_TIMEOUT: Duration = Duration::from_secs(5);

impl Channel {
    /// Sends one digit to the far end and publishes a `Dtmf` event with `received: false`.
    pub fn send_dtmf(&mut self, digit: char, duration_ms: u32) {
        self.endpoint.on_dtmf(digit, Instant::now());
        self.publish(EventKind::Dtmf { digit, duration_ms, received: false, phase: DtmfPhase::Whole });
    }

    /// Tells the far end the call failed with `cause` (busy, congestion) before answer.
    pub fn indicate(&mut self, cause: crate::cause::HangupCause) {
        self.endpoint.on_indicate(cause, Instant::now());
    }

    /// A whole digit from the far end: queued for the dialplan, one event with the default duration.
    pub(crate) fn dtmf_received(&mut self, digit: char) {
        self.close_open_dtmf();
        self.dtmf.push_back(digit);
        self.publish_received(digit, DEFAULT_DTMF_MS, DtmfPhase::Whole);
    }

    /// A digit started: queued for the dialplan now (once), its end reported later.
    pub(crate) fn dtmf_begin(&mut self, digit: char) {
        self.close_open_dtmf();
        self.dtmf.push_back(digit);
        self.dtmf_open = Some((digit, Instant::now()));
        self.publish_received(digit, 0, DtmfPhase::Begin);
    }

    /// The digit that began ended. An end that matches no open digit (already ended by a later
    /// digit or the timeout) is dropped: the digit was delivered and reported once already.
    pub(crate) fn dtmf_end(&mut self, digit: char, duration_ms: u32) {
        match self.dtmf_open {
            Some((open, _)) if open == digit => {
                self.dtmf_open = None;
                self.publish_received(digit, duration_ms, DtmfPhase::End);
            }
            _ => tracing::debug!(channel = %self.current().name, "DTMF end of '{digit}' without its begin: dropped"),
        }
    }

    /// When the open digit, if any, is ended without its end.
    pub(crate) fn dtmf_end_deadline(&self) -> Option<Instant> {
        self.dtmf_open.map(|(_, began)| began + DTMF_END_TIMEOUT)
    }

    /// The open digit's end did not come in time.
    pub(crate) fn dtmf_timed_out(&mut self) {
        self.close_open_dtmf();
    }

    /// Ends the open digit, if any, with the time it lasted so far (its end was lost, or the call
    /// or another digit came first).
    pub(crate) fn close_open_dtmf(&mut self) {
        if let Some((digit, began)) = self.dtmf_open.take() {
            let ms = u32::try_from(began.elapsed().as_millis()).unwrap_or(u32::MAX);
            self.publish_received(digit, ms, DtmfPhase::End);
        }
    }

    fn publish_received(&mut self, digit: char, duration_ms: u32, phase: DtmfPhase) {
        self.publish(EventKind::Dtmf { digit, duration_ms, received: true, phase });
    }
}

#[cfg(test)]
mod tests {
    use crate::bus::{BusItem, Subscription};
    use crate::event::{DtmfPhase, EventKind};
    use crate::originate::{OriginateRequest, OriginateTarget};
    use crate::tech::RemoteAction;

    /// The next received-DTMF event: digit, duration, phase.
    async fn next_dtmf(sub: &mut Subscription) -> (char, u32, DtmfPhase) {
        loop {
            let BusItem::Event(e) = sub.recv().await else { continue };
            if let EventKind::Dtmf { digit, duration_ms, received: true, phase } = e.kind {
                return (digit, duration_ms, phase);
            }
        }
    }

    #[tokio::test(start_paused = true)]
    async fn a_digit_is_published_at_its_begin_then_at_its_end_with_the_far_ends_duration() {
        let sw = crate::command::tests::test_switch();
        let mut sub = sw.bus().subscribe("t");
        let id = sw.originate_and_wait(OriginateRequest::new("sim/dtmf", OriginateTarget::Park)).await.unwrap();
        let h = sw.channels().get(id.channel_id).unwrap();
        h.remote(RemoteAction::DtmfBegin('5')).unwrap();
        h.remote(RemoteAction::DtmfEnd('5', 140)).unwrap();
        assert_eq!(next_dtmf(&mut sub).await, ('5', 0, DtmfPhase::Begin));
        assert_eq!(next_dtmf(&mut sub).await, ('5', 140, DtmfPhase::End));

        // An end without its begin (already ended) is dropped; a whole digit is both at once.
        h.remote(RemoteAction::DtmfEnd('5', 140)).unwrap();
        h.remote(RemoteAction::Dtmf('1')).unwrap();
        assert_eq!(next_dtmf(&mut sub).await, ('1', 100, DtmfPhase::Whole));

        // A digit whose end is lost is ended by the next digit, else by the timeout.
        h.remote(RemoteAction::DtmfBegin('6')).unwrap();
        h.remote(RemoteAction::DtmfBegin('7')).unwrap();
        assert_eq!(next_dtmf(&mut sub).await, ('6', 0, DtmfPhase::Begin));
        assert_eq!(next_dtmf(&mut sub).await, ('6', 0, DtmfPhase::End));
        assert_eq!(next_dtmf(&mut sub).await, ('7', 0, DtmfPhase::Begin));
        let ms = super::DTMF_END_TIMEOUT.as_millis() as u32;
        assert_eq!(next_dtmf(&mut sub).await, ('7', ms, DtmfPhase::End));
        h.remote(RemoteAction::DtmfEnd('7', 9000)).unwrap();
        h.remote(RemoteAction::Dtmf('8')).unwrap();
        assert_eq!(next_dtmf(&mut sub).await, ('8', 100, DtmfPhase::Whole), "the late end of 7 was dropped");
    }
}
