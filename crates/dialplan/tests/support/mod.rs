//! A switch with an in-memory store and a dialplan from text, and helpers that wait for events.
#![allow(dead_code)]

use std::sync::Arc;
use std::time::Duration;

use switchyard_core::bus::BusItem;
use switchyard_core::{
    BusConfig, ChannelId, Event, EventKind, OriginateRequest, OriginateTarget, Subscription, Switch, SwitchConfig,
    SwitchInfo, SystemClock,
};
use switchyard_store::{SqliteStore, Store};

pub struct Harness {
    pub switch: Switch,
    pub store: Arc<dyn Store>,
    pub engine: Arc<switchyard_dialplan::Engine>,
    pub events: Subscription,
    created: usize,
    destroyed: usize,
}

pub fn harness(conf: &str) -> Harness {
    let switch = Switch::new(SwitchConfig {
        info: SwitchInfo { version: "t".into(), hostname: "h".into(), core_uuid: "u".into(), max_channels: 0 },
        bus: BusConfig { replay_window: 4096, subscriber_queue: 65_536 },
        clock: Arc::new(SystemClock),
    });
    let store: Arc<dyn Store> = Arc::new(SqliteStore::open_in_memory().unwrap());
    let plan = switchyard_dialplan::astconf::parse_str("extensions.conf", conf).unwrap();
    let engine = switchyard_dialplan::install_plan(&switch, store.clone(), plan, &[]);
    let events = switch.bus().subscribe("test");
    Harness { switch, store, engine, events, created: 0, destroyed: 0 }
}

impl Harness {
    /// Starts the persistent scheduler on this switch (for `TIMEOUT(absolute)`).
    pub async fn start_scheduler(&self) -> switchyard_sched::Scheduler {
        let config =
            switchyard_sched::SchedulerConfig { overdue_grace: std::time::Duration::from_secs(60), host: "h".into() };
        let sched = switchyard_sched::Scheduler::start(self.switch.clone(), self.store.clone(), config).await.unwrap();
        switchyard_sched::commands::register(&sched);
        sched
    }

    /// Originates `dial` into `exten@context`; returns the channel id.
    pub fn call(&self, dial: &str, context: &str, exten: &str) -> ChannelId {
        let target = OriginateTarget::Extension { context: context.into(), exten: exten.into(), priority: 1 };
        let mut req = OriginateRequest::new(dial, target);
        req.caller_id = switchyard_core::CallerId::new("5551000", "Oracle");
        self.switch.originate(req).unwrap().channel.id()
    }

    /// Events until every channel created so far is destroyed (at most 20 s). Counted from the
    /// events themselves, so no event published after the last destroy is missed.
    pub async fn until_idle(&mut self) -> Vec<Event> {
        let mut out = Vec::new();
        let work = async {
            loop {
                let e = self.next_event().await;
                out.push(e);
                if self.created > 0 && self.created == self.destroyed {
                    break;
                }
            }
        };
        tokio::time::timeout(Duration::from_secs(20), work).await.expect("calls end within 20 s");
        out
    }

    /// The next event, counting channels created and destroyed.
    pub async fn next_event(&mut self) -> Event {
        loop {
            let BusItem::Event(e) = self.events.recv().await else { continue };
            match e.kind {
                EventKind::ChannelCreate => self.created += 1,
                EventKind::ChannelDestroy => self.destroyed += 1,
                _ => {}
            }
            return e;
        }
    }

    pub fn db(&self, family: &str, key: &str) -> Option<String> {
        self.store.db_get(family, key).unwrap()
    }
}

/// A short description of the events that matter for ordering.
pub fn trace(events: &[Event], id: ChannelId) -> Vec<String> {
    events
        .iter()
        .filter(|e| e.channel.as_ref().is_some_and(|c| c.id == id))
        .filter_map(|e| {
            let loc = &e.channel.as_ref()?.location;
            Some(match &e.kind {
                EventKind::Execute { exec } => {
                    format!("{}@{}:{} {}({})", loc.exten, loc.context, loc.priority, exec.app, exec.data)
                }
                EventKind::HangupHandlerPush { handler } => format!("push {handler}"),
                EventKind::HangupHandlerPop { handler } => format!("pop {handler}"),
                EventKind::HangupHandlerRun { handler } => format!("run {handler}"),
                EventKind::Hangup { cause } => format!("hangup {}", cause.number()),
                _ => return None,
            })
        })
        .collect()
}
