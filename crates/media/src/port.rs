//! The channel's view of an RTP session: [`MediaPort`] over the shared session state.

use std::any::Any;
use std::sync::Arc;

use switchyard_core::media::{MediaFuture, MediaPort, PlayOutcome, RecordLeg, RecordSink};
use tokio::sync::oneshot;

use crate::jitter::JitterBuffer;
use crate::session::{Play, Recording, Shared};

/// Frames a recording's jitter buffers wait for before playing out (40 ms).
const RECORD_DEPTH: usize = 2;

impl MediaPort for Shared {
    fn codec(&self) -> &'static str {
        self.state.lock().codec.name()
    }

    fn play(&self, pcm: Arc<[i16]>) -> MediaFuture<PlayOutcome> {
        if self.is_closed() {
            return Box::pin(async { PlayOutcome::Closed });
        }
        let (tx, rx) = oneshot::channel();
        {
            let mut st = self.state.lock();
            if st.plays.is_empty() {
                st.tx.talkspurt();
            }
            st.plays.push_back(Play { pcm, pos: 0, done: Some(tx) });
        }
        self.wake.notify_one();
        Box::pin(async move { rx.await.unwrap_or(PlayOutcome::Closed) })
    }

    fn stop_playback(&self) {
        let plays = std::mem::take(&mut self.state.lock().plays);
        plays.into_iter().for_each(|p| p.finish(PlayOutcome::Stopped));
        self.wake.notify_one();
    }

    fn set_echo(&self, on: bool) {
        self.state.lock().echo = on;
        self.wake.notify_one();
    }

    fn start_record(&self, leg: RecordLeg, sink: Box<dyn RecordSink>) {
        let rec =
            Recording { leg, sink, read: JitterBuffer::new(RECORD_DEPTH), write: JitterBuffer::new(RECORD_DEPTH) };
        let old = self.state.lock().record.replace(rec);
        if let Some(mut old) = old {
            old.sink.finish();
        }
        self.wake.notify_one();
    }

    fn stop_record(&self) {
        let old = self.state.lock().record.take();
        if let Some(mut old) = old {
            old.sink.finish();
        }
    }

    fn send_dtmf(&self, digit: char, duration_ms: u32) {
        self.state.lock().dtmf_queue.push_back((digit, duration_ms));
        self.wake.notify_one();
    }

    fn link(&self, peer: &Arc<dyn MediaPort>) {
        let Some(other) = peer.as_any().downcast_ref::<Shared>().and_then(|s| s.me.upgrade()) else {
            tracing::warn!("media link: the peer is not an RTP session; media is not bridged");
            return;
        };
        let Some(me) = self.me.upgrade() else { return };
        if Arc::ptr_eq(&me, &other) || self.is_closed() || other.is_closed() {
            return;
        }
        for (a, b) in [(&me, &other), (&other, &me)] {
            let current = a.state.lock().peer.clone();
            if current.is_some_and(|p| !Arc::ptr_eq(&p, b)) {
                unlink(a);
            }
        }
        set_peer(&me, Some(other.clone()));
        set_peer(&other, Some(me));
    }

    fn unlink(&self) {
        unlink(self);
    }

    fn as_any(&self) -> &dyn Any {
        self
    }
}

fn set_peer(session: &Shared, peer: Option<Arc<Shared>>) {
    {
        let mut st = session.state.lock();
        st.peer = peer;
        st.tx.talkspurt();
    }
    session.wake.notify_one();
}

/// Undoes a link on both sides (the other side only if it still points at this one).
pub(crate) fn unlink(session: &Shared) {
    let old = {
        let mut st = session.state.lock();
        st.tx.talkspurt();
        st.peer.take()
    };
    session.wake.notify_one();
    if let Some(other) = old {
        let points_back = other.state.lock().peer.as_ref().is_some_and(|p| std::ptr::eq(Arc::as_ptr(p), session));
        if points_back {
            set_peer(&other, None);
        }
    }
}
