//! The seam to the media engine: SIP opens one media leg per call, reads its local RTP address for the
//! SDP, points it at the far end once negotiated, and hands its [`MediaPort`] to the channel. The
//! binary plugs in the RTP engine (`switchyard-media`); [`NoMedia`] stands in without one (signalling
//! only: SDP advertises a port from the range, nothing listens on it).

use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};

use switchyard_core::ChannelHandle;
use switchyard_core::media::MediaPort;

use crate::sdp::Negotiated;

/// Opens media legs.
pub trait MediaBackend: Send + Sync + 'static {
    /// A new leg with a local RTP port.
    fn open(&self) -> Result<Box<dyn MediaLeg>, String>;
}

/// One call's media.
pub trait MediaLeg: Send + 'static {
    /// Our RTP address (for SDP).
    fn local_addr(&self) -> SocketAddr;
    /// The negotiated far end (answer, re-INVITE).
    fn set_remote(&mut self, n: &Negotiated);
    /// The media the channel holds.
    fn port(&self) -> Option<Arc<dyn MediaPort>>;
    /// Where received RFC 4733 digits go.
    fn set_dtmf_sink(&mut self, handle: ChannelHandle);
    /// Releases the port.
    fn close(&mut self);
}

/// Signalling only: advertises ports from a range, carries no media.
pub struct NoMedia {
    ip: IpAddr,
    first: u16,
    count: u32,
    next: AtomicU32,
}

impl NoMedia {
    /// Advertises `ip` and even ports in `first..=last`.
    pub fn new(ip: IpAddr, first: u16, last: u16) -> Self {
        Self { ip, first, count: ((last.saturating_sub(first)) / 2).max(1) as u32, next: AtomicU32::new(0) }
    }
}

struct NoLeg(SocketAddr);

impl MediaBackend for NoMedia {
    fn open(&self) -> Result<Box<dyn MediaLeg>, String> {
        let n = self.next.fetch_add(1, Ordering::Relaxed) % self.count;
        Ok(Box::new(NoLeg(SocketAddr::new(self.ip, self.first + (n * 2) as u16))))
    }
}

impl MediaLeg for NoLeg {
    fn local_addr(&self) -> SocketAddr {
        self.0
    }
    fn set_remote(&mut self, _n: &Negotiated) {}
    fn port(&self) -> Option<Arc<dyn MediaPort>> {
        None
    }
    fn set_dtmf_sink(&mut self, _handle: ChannelHandle) {}
    fn close(&mut self) {}
}
