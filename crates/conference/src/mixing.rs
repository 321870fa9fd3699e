//! The task that drives a conference's mixer every 20 ms while any member has media or a file plays,
//! and hands what each period found (talking, energy, ended files) to the conference table.

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
            if conferences.mixing_idle(&name) {
                return;
            }
            conferences.after_tick(&name, bus.tick());
        }
    });
}
