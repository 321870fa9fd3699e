//! The event bus: publishing never blocks, each subscriber reads at its own pace within a bounded lag,
//! learns how many events it lost when it falls behind, and can resume from a sequence number.
//!
//! All events live once in a shared ring (the replay window), by value: an event takes a slot that the
//! event leaving the window gave up, so publishing allocates nothing for the event itself. A subscriber
//! is a cursor into the ring with its own bound (its queue size) and receives copies (an event's
//! payload is shared by `Arc`, so a copy is a few reference counts): publishing costs the same whatever
//! the number of subscribers.

use std::collections::VecDeque;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Weak};

use parking_lot::Mutex;
use tokio::sync::Notify;

use crate::clock::Clock;
use crate::event::{Event, EventKind};
use crate::retire;
use crate::snapshot::ChannelSnapshot;

/// What a subscriber receives.
#[derive(Clone, Debug)]
pub enum BusItem {
    /// The next event (a copy of the ring's; what it points to is shared).
    Event(Event),
    /// The subscriber fell behind (or resumed from outside the window): this many events are gone.
    Lost(u64),
}

/// Sizes of the bus.
#[derive(Clone, Copy, Debug)]
pub struct BusConfig {
    /// How many recent events are kept for replay (and the largest possible subscriber lag).
    pub replay_window: usize,
    /// The default per-subscriber bound: a subscriber further behind than this loses the excess.
    pub subscriber_queue: usize,
}

impl Default for BusConfig {
    fn default() -> Self {
        Self { replay_window: 65_536, subscriber_queue: 16_384 }
    }
}

/// An event as the ring keeps it: without its sequence number (its place in the ring gives it), in
/// one cache line (the window is 4 MB and cold where events enter and leave it: a slot that
/// straddled two lines would cost two misses).
#[repr(align(64))]
pub(crate) struct Slot {
    pub(crate) timestamp: crate::clock::Timestamp,
    pub(crate) kind: EventKind,
    pub(crate) channel: Option<Arc<ChannelSnapshot>>,
}

// A slot that grew past a line would make every publish touch two.
const _: () = assert!(std::mem::size_of::<Slot>() == 64);

struct Ring {
    events: VecDeque<Slot>,
    next_seq: u64,
    /// Events that left the window, freed together once there are `retire::BATCH` of them.
    retired: Vec<Slot>,
}

impl Ring {
    fn oldest_seq(&self) -> u64 {
        self.next_seq - self.events.len() as u64
    }
}

/// Counters of one subscriber, kept for metrics.
#[derive(Debug)]
pub struct SubscriberStats {
    /// The subscriber's label (e.g. `ami:127.0.0.1:40000`).
    pub name: String,
    /// Events delivered.
    pub delivered: AtomicU64,
    /// Events lost to overflow.
    pub lost: AtomicU64,
}

struct BusInner {
    ring: Mutex<Ring>,
    notify: Notify,
    /// Set by a subscriber about to wait, cleared by the publish that wakes the waiters: publishes
    /// with nobody waiting skip `Notify` (its lock) altogether.
    waiting: AtomicBool,
    clock: Arc<dyn Clock>,
    config: BusConfig,
    lost_total: AtomicU64,
    subscribers: Mutex<Vec<Weak<SubscriberStats>>>,
}

/// The bus handle; cheap to clone.
#[derive(Clone)]
pub struct EventBus(Arc<BusInner>);

impl EventBus {
    /// A bus with the given sizes, stamping events with `clock`.
    pub fn new(config: BusConfig, clock: Arc<dyn Clock>) -> Self {
        let config = BusConfig {
            replay_window: config.replay_window.max(1),
            subscriber_queue: config.subscriber_queue.clamp(1, config.replay_window.max(1)),
        };
        let ring = Ring { events: VecDeque::with_capacity(config.replay_window), next_seq: 1, retired: Vec::new() };
        Self(Arc::new(BusInner {
            ring: Mutex::new(ring),
            notify: Notify::new(),
            waiting: AtomicBool::new(false),
            clock,
            config,
            lost_total: AtomicU64::new(0),
            subscribers: Mutex::new(Vec::new()),
        }))
    }

    /// Publishes an event; returns its sequence number. Never blocks on subscribers.
    pub fn publish(&self, kind: EventKind, channel: Option<Arc<ChannelSnapshot>>) -> u64 {
        let timestamp = self.0.clock.now();
        let (seq, retired) = {
            let mut ring = self.0.ring.lock();
            let seq = ring.next_seq;
            ring.next_seq += 1;
            let mut retired = None;
            if ring.events.len() == self.0.config.replay_window
                && let Some(oldest) = ring.events.pop_front()
            {
                ring.retired.push(oldest);
                if ring.retired.len() >= retire::BATCH {
                    retired = Some(std::mem::replace(&mut ring.retired, Vec::with_capacity(retire::BATCH)));
                }
            }
            ring.events.push_back(Slot { timestamp, kind, channel });
            (seq, retired)
        };
        // A subscriber sets `waiting` before it registers and then looks at the ring under the lock:
        // either it sees this event, or its flag (stored before its lock, so seen after ours) is
        // seen here and it is woken. The plain load spares the locked swap when nobody waits.
        if self.0.waiting.load(Ordering::Relaxed) && self.0.waiting.swap(false, Ordering::SeqCst) {
            self.0.notify.notify_waiters();
        }
        // Events that left the window are freed outside the lock, a batch at a time.
        if let Some(batch) = retired {
            retire::free(batch);
        }
        seq
    }

    /// The sequence number the next event will get.
    pub fn next_seq(&self) -> u64 {
        self.0.ring.lock().next_seq
    }

    /// A subscriber that sees events published from now on, with the default queue bound.
    pub fn subscribe(&self, name: impl Into<String>) -> Subscription {
        let from = self.next_seq();
        self.subscribe_from(name, from, self.0.config.subscriber_queue)
    }

    /// A subscriber starting at sequence number `from` (replay). Events before the window are reported
    /// as lost; `queue` bounds how far behind it may fall.
    pub fn subscribe_from(&self, name: impl Into<String>, from: u64, queue: usize) -> Subscription {
        let stats =
            Arc::new(SubscriberStats { name: name.into(), delivered: AtomicU64::new(0), lost: AtomicU64::new(0) });
        let mut subs = self.0.subscribers.lock();
        subs.retain(|w| w.strong_count() > 0);
        subs.push(Arc::downgrade(&stats));
        let max_lag = queue.clamp(1, self.0.config.replay_window) as u64;
        Subscription { bus: self.clone(), cursor: Cursor { next: from.max(1), max_lag, stats } }
    }

    /// Total events published so far.
    pub fn published(&self) -> u64 {
        self.next_seq() - 1
    }

    /// Total events lost by all subscribers so far.
    pub fn lost_total(&self) -> u64 {
        self.0.lost_total.load(Ordering::Relaxed)
    }

    /// Counters of the live subscribers.
    pub fn subscriber_stats(&self) -> Vec<Arc<SubscriberStats>> {
        self.0.subscribers.lock().iter().filter_map(Weak::upgrade).collect()
    }

    /// Sizes in force.
    pub fn config(&self) -> BusConfig {
        self.0.config
    }
}

/// One reader of the bus. Dropping it unsubscribes.
pub struct Subscription {
    bus: EventBus,
    cursor: Cursor,
}

/// Where a subscriber is in the ring, and how far behind it may fall.
struct Cursor {
    next: u64,
    max_lag: u64,
    stats: Arc<SubscriberStats>,
}

impl Subscription {
    /// The next item if one is ready.
    pub fn try_recv(&mut self) -> Option<BusItem> {
        let inner = &self.bus.0;
        let ring = inner.ring.lock();
        if let Some(lost) = self.cursor.skip_lost(&ring, inner) {
            return Some(BusItem::Lost(lost));
        }
        self.cursor.take(&ring).map(BusItem::Event)
    }

    /// Moves up to `max` ready items into `out` under one lock; returns how many.
    pub fn try_recv_batch(&mut self, out: &mut Vec<BusItem>, max: usize) -> usize {
        let inner = &self.bus.0;
        let ring = inner.ring.lock();
        let start = out.len();
        if let Some(lost) = self.cursor.skip_lost(&ring, inner) {
            out.push(BusItem::Lost(lost));
        }
        while out.len() - start < max {
            match self.cursor.take(&ring) {
                Some(ev) => out.push(BusItem::Event(ev)),
                None => break,
            }
        }
        out.len() - start
    }

    /// Waits for the next item.
    pub async fn recv(&mut self) -> BusItem {
        let bus = self.bus.clone();
        loop {
            let notified = bus.0.notify.notified();
            tokio::pin!(notified);
            bus.0.waiting.store(true, Ordering::SeqCst);
            notified.as_mut().enable();
            if let Some(item) = self.try_recv() {
                return item;
            }
            notified.await;
        }
    }

    /// Waits until at least one item is ready, then moves up to `max` into `out`.
    pub async fn recv_batch(&mut self, out: &mut Vec<BusItem>, max: usize) -> usize {
        let bus = self.bus.clone();
        loop {
            let notified = bus.0.notify.notified();
            tokio::pin!(notified);
            bus.0.waiting.store(true, Ordering::SeqCst);
            notified.as_mut().enable();
            let n = self.try_recv_batch(out, max);
            if n > 0 {
                return n;
            }
            notified.await;
        }
    }

    /// The sequence number of the next event this subscriber will read (for resuming later).
    pub fn position(&self) -> u64 {
        self.cursor.next
    }

    /// This subscriber's counters.
    pub fn stats(&self) -> &Arc<SubscriberStats> {
        &self.cursor.stats
    }
}

impl Cursor {
    fn skip_lost(&mut self, ring: &Ring, inner: &BusInner) -> Option<u64> {
        let floor = ring.oldest_seq().max(ring.next_seq.saturating_sub(self.max_lag));
        if self.next >= floor {
            return None;
        }
        let lost = floor - self.next;
        self.next = floor;
        self.stats.lost.fetch_add(lost, Ordering::Relaxed);
        inner.lost_total.fetch_add(lost, Ordering::Relaxed);
        Some(lost)
    }

    fn take(&mut self, ring: &Ring) -> Option<Event> {
        if self.next >= ring.next_seq {
            return None;
        }
        let index = (self.next - ring.oldest_seq()) as usize;
        let slot = ring.events.get(index)?;
        let event =
            Event { seq: self.next, timestamp: slot.timestamp, kind: slot.kind.clone(), channel: slot.channel.clone() };
        self.next += 1;
        self.stats.delivered.fetch_add(1, Ordering::Relaxed);
        Some(event)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::clock::SystemClock;
    use crate::execution::{AppUuid, Execution};

    fn bus(window: usize, queue: usize) -> EventBus {
        EventBus::new(BusConfig { replay_window: window, subscriber_queue: queue }, Arc::new(SystemClock))
    }

    fn seq(item: Option<BusItem>) -> u64 {
        match item {
            Some(BusItem::Event(e)) => e.seq,
            other => panic!("expected an event, got {other:?}"),
        }
    }

    #[test]
    fn subscribers_see_every_event_in_order() {
        let bus = bus(16, 16);
        let mut a = bus.subscribe("a");
        let mut b = bus.subscribe("b");
        for _ in 0..3 {
            bus.publish(EventKind::Shutdown, None);
        }
        for s in [&mut a, &mut b] {
            assert_eq!([seq(s.try_recv()), seq(s.try_recv()), seq(s.try_recv())], [1, 2, 3]);
            assert!(s.try_recv().is_none());
        }
    }

    #[test]
    fn a_slow_subscriber_is_told_how_many_it_lost_and_the_counter_moves() {
        let bus = bus(64, 4);
        let mut slow = bus.subscribe("slow");
        for _ in 0..10 {
            bus.publish(EventKind::Shutdown, None);
        }
        assert!(matches!(slow.try_recv(), Some(BusItem::Lost(6))));
        assert_eq!(seq(slow.try_recv()), 7);
        assert_eq!(slow.stats().lost.load(Ordering::Relaxed), 6);
        assert_eq!(bus.lost_total(), 6);
    }

    #[test]
    fn publishing_never_waits_for_a_subscriber_that_never_reads() {
        let bus = bus(8, 8);
        let _idle = bus.subscribe("idle");
        for _ in 0..10_000 {
            bus.publish(EventKind::Shutdown, None);
        }
        assert_eq!(bus.published(), 10_000);
    }

    #[test]
    fn events_that_left_the_window_are_freed_a_batch_at_a_time() {
        let bus = bus(4, 4);
        let mut sub = bus.subscribe("s");
        let exec = Arc::new(Execution { app: "A".into(), data: "".into(), app_uuid: AppUuid::fresh() });
        let first = Arc::downgrade(&exec);
        bus.publish(EventKind::Execute { exec }, None);
        assert!(matches!(sub.try_recv(), Some(BusItem::Event(e)) if e.seq == 1));
        // Out of the window at the 5th publish, kept until 32 have left it, then freed with them.
        for _ in 0..crate::retire::BATCH + 2 {
            bus.publish(EventKind::Shutdown, None);
        }
        assert!(first.upgrade().is_some());
        bus.publish(EventKind::Shutdown, None);
        assert!(first.upgrade().is_none());
        let mut late = bus.subscribe_from("late", 1, 4);
        assert!(matches!(late.try_recv(), Some(BusItem::Lost(32))), "the window holds exactly 4");
    }

    #[test]
    fn resuming_inside_the_window_loses_nothing() {
        let bus = bus(100, 100);
        for _ in 0..50 {
            bus.publish(EventKind::Shutdown, None);
        }
        let mut again = bus.subscribe_from("again", 20, 100);
        let mut out = Vec::new();
        assert_eq!(again.try_recv_batch(&mut out, 1000), 31);
        assert!(matches!(&out[0], BusItem::Event(e) if e.seq == 20));
        assert!(matches!(out.last(), Some(BusItem::Event(e)) if e.seq == 50));
    }

    #[test]
    fn resuming_before_the_window_reports_the_gap() {
        let bus = bus(10, 10);
        for _ in 0..30 {
            bus.publish(EventKind::Shutdown, None);
        }
        let mut late = bus.subscribe_from("late", 5, 10);
        assert!(matches!(late.try_recv(), Some(BusItem::Lost(16))));
        assert_eq!(seq(late.try_recv()), 21);
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn waiting_subscribers_are_woken_for_every_burst_on_another_thread() {
        let bus = bus(4096, 4096);
        let readers: Vec<_> = (0..3)
            .map(|_| {
                let mut sub = bus.subscribe("r");
                tokio::spawn(async move {
                    let mut last = 0;
                    while last < 3000 {
                        last = seq(Some(sub.recv().await));
                    }
                })
            })
            .collect();
        let publisher = bus.clone();
        std::thread::spawn(move || {
            for i in 0..3000 {
                publisher.publish(EventKind::Shutdown, None);
                if i % 7 == 0 {
                    std::thread::yield_now();
                }
            }
        });
        for r in readers {
            tokio::time::timeout(std::time::Duration::from_secs(20), r).await.expect("no lost wake-up").unwrap();
        }
    }

    #[tokio::test]
    async fn recv_wakes_when_an_event_is_published() {
        let bus = bus(8, 8);
        let mut sub = bus.subscribe("w");
        let publisher = bus.clone();
        let task = tokio::spawn(async move { seq(Some(sub.recv().await)) });
        tokio::task::yield_now().await;
        publisher.publish(EventKind::Shutdown, None);
        assert_eq!(task.await.unwrap(), 1);
    }
}
