//! Render-once fan-out: each core event is translated once and each wire format rendered at most once,
//! whatever the number of listeners; the bytes are shared (`Bytes`).

use std::sync::{Arc, OnceLock};

use bytes::Bytes;
use parking_lot::Mutex;
use switchyard_core::Event;

use crate::proto::{EslEvent, EventFormat, RenderContext, translate};

/// One FreeSWITCH event ready for delivery, with its lazily rendered frames.
#[derive(Debug)]
pub struct PreparedEvent {
    /// The headers and body.
    pub event: EslEvent,
    /// `Event-Name`.
    pub name: String,
    /// `Event-Subclass` (CUSTOM events).
    pub subclass: Option<String>,
    /// `Unique-ID`, for myevents.
    pub unique_id: Option<String>,
    /// `Job-Owner-UUID`, for myevents.
    pub job_owner: Option<String>,
    frames: [OnceLock<Bytes>; 3],
}

impl PreparedEvent {
    /// Wraps a translated event.
    pub fn new(event: EslEvent) -> Self {
        let get = |n: &str| event.header(n).map(str::to_owned);
        Self {
            name: event.name().to_owned(),
            subclass: get("Event-Subclass"),
            unique_id: get("Unique-ID"),
            job_owner: get("Job-Owner-UUID"),
            event,
            frames: Default::default(),
        }
    }

    /// The whole frame in `format`, rendered on first use and shared afterwards.
    pub fn frame(&self, format: EventFormat) -> Bytes {
        let slot = match format {
            EventFormat::Plain => &self.frames[0],
            EventFormat::Json => &self.frames[1],
            EventFormat::Xml => &self.frames[2],
        };
        slot.get_or_init(|| self.event.to_frame(format)).clone()
    }
}

/// The FreeSWITCH events one core event stands for.
pub type Prepared = Arc<Vec<PreparedEvent>>;

/// Enough for listeners that drift apart by a full bus queue to still share renders.
const SLOTS: usize = 16_384;

/// Recently prepared events by sequence number, shared by every listener.
pub struct RenderCache {
    ctx: RenderContext,
    slots: Mutex<Vec<Option<(u64, Prepared)>>>,
}

impl RenderCache {
    /// An empty cache rendering with `ctx`.
    pub fn new(ctx: RenderContext) -> Self {
        Self { ctx, slots: Mutex::new(vec![None; SLOTS]) }
    }

    /// Facts printed in base headers.
    pub fn context(&self) -> &RenderContext {
        &self.ctx
    }

    /// The prepared events for `ev`, translating it if no listener did yet.
    pub fn prepare(&self, ev: &Event) -> Prepared {
        let index = (ev.seq % SLOTS as u64) as usize;
        if let Some((seq, p)) = &self.slots.lock()[index]
            && *seq == ev.seq
        {
            return p.clone();
        }
        let prepared: Prepared = Arc::new(translate(ev, &self.ctx).into_iter().map(PreparedEvent::new).collect());
        self.slots.lock()[index] = Some((ev.seq, prepared.clone()));
        prepared
    }
}
