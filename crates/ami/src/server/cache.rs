//! Render-once fan-out: each core event becomes AMI bytes once, whatever the number of sessions; the
//! bytes are shared (`Bytes`). The variant with our `SwitchyardSeq` header is rendered on first use.

use std::sync::{Arc, OnceLock};

use bytes::{Bytes, BytesMut};
use parking_lot::Mutex;
use switchyard_core::Event;

use crate::proto::render::RenderContext;
use crate::proto::{AmiEvent, Privilege, render};

/// One AMI event ready for delivery.
#[derive(Debug)]
pub struct PreparedEvent {
    /// Its class.
    pub privilege: Privilege,
    /// The wire bytes.
    pub bytes: Bytes,
    seq: u64,
    with_seq: OnceLock<Bytes>,
}

impl PreparedEvent {
    fn new(ev: &AmiEvent, seq: u64) -> Self {
        Self {
            privilege: ev.privilege.unwrap_or(Privilege::NONE),
            bytes: ev.to_bytes(),
            seq,
            with_seq: OnceLock::new(),
        }
    }

    /// The bytes with `SwitchyardSeq: <n>` as the last header (for sessions that asked for it).
    pub fn bytes_with_seq(&self) -> Bytes {
        self.with_seq
            .get_or_init(|| {
                let mut out = BytesMut::with_capacity(self.bytes.len() + 32);
                out.extend_from_slice(&self.bytes[..self.bytes.len() - 2]);
                out.extend_from_slice(format!("SwitchyardSeq: {}\r\n\r\n", self.seq).as_bytes());
                out.freeze()
            })
            .clone()
    }

    /// The text, for `Filter` regexes.
    pub fn text(&self) -> &str {
        std::str::from_utf8(&self.bytes).unwrap_or("")
    }
}

/// The AMI events one core event stands for.
pub type Prepared = Arc<Vec<PreparedEvent>>;

/// Enough for sessions that drift apart by a full bus queue to still share renders.
const SLOTS: usize = 16_384;

/// Recently prepared events by sequence number, shared by every session.
pub struct RenderCache {
    ctx: RenderContext,
    slots: Mutex<Vec<Option<(u64, Prepared)>>>,
}

impl Default for RenderCache {
    fn default() -> Self {
        Self { ctx: RenderContext::default(), slots: Mutex::new(vec![None; SLOTS]) }
    }
}

impl RenderCache {
    /// Facts the renderer keeps (originate destinations).
    pub fn context(&self) -> &RenderContext {
        &self.ctx
    }

    /// The prepared events for `ev`, rendering it if no session did yet. The slot lock is held while
    /// rendering so that an event is rendered exactly once (the renderer consumes per-event facts).
    pub fn prepare(&self, ev: &Event) -> Prepared {
        let index = (ev.seq % SLOTS as u64) as usize;
        let mut slots = self.slots.lock();
        if let Some((seq, p)) = &slots[index]
            && *seq == ev.seq
        {
            return p.clone();
        }
        let prepared: Prepared =
            Arc::new(render(ev, &self.ctx).iter().map(|e| PreparedEvent::new(e, ev.seq)).collect());
        slots[index] = Some((ev.seq, prepared.clone()));
        prepared
    }
}
