//! `null/`: a far end that answers at once and then stays silent until hung up.

use tokio::time::Instant;

use super::{DialStringError, Endpoint, LocalEvent, RemoteAction, Tech};

/// The `null` technology.
pub struct NullTech;

impl Tech for NullTech {
    fn name(&self) -> &'static str {
        "null"
    }

    fn request(&self, _switch: &crate::switch::Switch, _resource: &str) -> Result<Box<dyn Endpoint>, DialStringError> {
        Ok(Box::new(NullEndpoint { answer_due: None }))
    }
}

struct NullEndpoint {
    answer_due: Option<Instant>,
}

impl Endpoint for NullEndpoint {
    fn next_deadline(&self) -> Option<Instant> {
        self.answer_due
    }

    fn on_deadline(&mut self, _now: Instant) -> Option<RemoteAction> {
        self.answer_due.take().map(|_| RemoteAction::Answer)
    }

    fn on_local(&mut self, event: LocalEvent, now: Instant) {
        self.answer_due = (event == LocalEvent::Dialing).then_some(now);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn null_answers_as_soon_as_it_is_dialed_and_then_stays_quiet() {
        let sw = crate::command::tests::test_switch();
        let mut ep = NullTech.request(&sw, "anything").unwrap();
        let now = Instant::now();
        ep.on_local(LocalEvent::Dialing, now);
        assert_eq!(ep.on_deadline(now), Some(RemoteAction::Answer));
        ep.on_local(LocalEvent::Up, now);
        assert_eq!(ep.next_deadline(), None);
    }
}
