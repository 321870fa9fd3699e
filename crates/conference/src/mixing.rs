//! The task that drives a conference's mixer every 20 ms while any member has media, and turns the
//! talking changes it finds into events.

use std::time::Duration;

use tokio::time::MissedTickBehavior;

use crate::mix::MixBus;
use crate::room::Conferences;

/// One mixing period.
pub(crate) const TICK: Duration = Duration::from_millis(20);

/// Starts mixing conference `name`; the task ends once no member has media.
pub(crate) fn start(conferences: Conferences, name: String, bus: MixBus) {
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(TICK);
        tick.set_missed_tick_behavior(MissedTickBehavior::Delay);
        loop {
            tick.tick().await;
            if bus.len() == 0 && conferences.mixing_idle(&name) {
                return;
            }
            for talk in bus.tick() {
                conferences.set_talking(&name, talk.id, talk.talking);
            }
        }
    });
}
