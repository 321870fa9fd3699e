//! The media engine: owns the RTP port range and opens one [`RtpSession`] (an RTP/RTCP socket pair
//! with its task) per call leg.

use std::net::{IpAddr, Ipv4Addr, SocketAddr, UdpSocket};
use std::ops::RangeInclusive;
use std::sync::Arc;

use parking_lot::Mutex;
use socket2::{Domain, Protocol, Socket, Type};

use crate::error::MediaError;
use crate::session::RtpSession;
use crate::threads::Runtimes;

/// What the engine binds.
#[derive(Clone, Debug)]
pub struct MediaConfig {
    /// Address the RTP sockets bind to.
    pub bind_ip: IpAddr,
    /// RTP ports (even start; RTCP uses port + 1).
    pub ports: RangeInclusive<u16>,
    /// Requested SO_RCVBUF/SO_SNDBUF per socket; the kernel may cap it.
    pub socket_buffer: usize,
    /// Dedicated media threads sessions are spread over; 0 runs them on the runtime that starts the
    /// engine.
    pub threads: usize,
    /// Run the media threads at real-time round-robin priority (needs root or CAP_SYS_NICE; refused
    /// otherwise with a warning).
    pub realtime: bool,
}

impl Default for MediaConfig {
    fn default() -> Self {
        Self {
            bind_ip: IpAddr::V4(Ipv4Addr::LOCALHOST),
            ports: 20000..=30000,
            socket_buffer: 4 << 20,
            threads: 0,
            realtime: false,
        }
    }
}

struct EngineInner {
    config: MediaConfig,
    runtimes: Runtimes,
    next_port: Mutex<u16>,
}

/// The media engine (cheap to clone).
#[derive(Clone)]
pub struct MediaEngine(Arc<EngineInner>);

impl MediaEngine {
    /// Checks the configuration and starts the engine: on its own media threads, or with
    /// `threads = 0` on the current tokio runtime.
    pub async fn start(config: MediaConfig) -> Result<MediaEngine, MediaError> {
        let (start, end) = (*config.ports.start(), *config.ports.end());
        if start % 2 != 0 || end <= start {
            return Err(MediaError::BadRange(config.ports.clone()));
        }
        let runtimes = Runtimes::start(config.threads, config.realtime)?.ok_or(MediaError::NoRuntime)?;
        let next_port = Mutex::new(start);
        Ok(MediaEngine(Arc::new(EngineInner { config, runtimes, next_port })))
    }

    /// The configuration it runs with.
    pub fn config(&self) -> &MediaConfig {
        &self.0.config
    }

    /// Opens a session on the next free even port of the range (RTCP on the port above).
    pub fn open(&self) -> Result<RtpSession, MediaError> {
        let cfg = &self.0.config;
        let (start, end) = (*cfg.ports.start(), *cfg.ports.end());
        let pairs = (u32::from(end) - u32::from(start)).div_ceil(2);
        for _ in 0..pairs {
            let port = self.next_candidate(start, end);
            if let Ok(pair) = self.bind_pair(port) {
                let _guard = self.0.runtimes.handle().enter();
                return Ok(RtpSession::start(pair.0, pair.1)?);
            }
        }
        Err(MediaError::NoFreePort { ip: cfg.bind_ip, range: cfg.ports.clone() })
    }

    /// Round robin over the range, so a port just freed is not reused at once.
    fn next_candidate(&self, start: u16, end: u16) -> u16 {
        let mut next = self.0.next_port.lock();
        let port = *next;
        *next = if u32::from(port) + 2 < u32::from(end) { port + 2 } else { start };
        port
    }

    fn bind_pair(&self, port: u16) -> std::io::Result<(UdpSocket, UdpSocket)> {
        let rtp = bind(SocketAddr::new(self.0.config.bind_ip, port), self.0.config.socket_buffer)?;
        let rtcp = bind(SocketAddr::new(self.0.config.bind_ip, port + 1), 64 << 10)?;
        Ok((rtp, rtcp))
    }
}

/// A non-blocking UDP socket with large buffers (best effort: the kernel caps them at rmem_max).
fn bind(addr: SocketAddr, buffer: usize) -> std::io::Result<UdpSocket> {
    let socket = Socket::new(Domain::for_address(addr), Type::DGRAM, Some(Protocol::UDP))?;
    if let Err(e) = socket.set_recv_buffer_size(buffer) {
        tracing::debug!("SO_RCVBUF {buffer}: {e}");
    }
    if let Err(e) = socket.set_send_buffer_size(buffer) {
        tracing::debug!("SO_SNDBUF {buffer}: {e}");
    }
    socket.bind(&addr.into())?;
    socket.set_nonblocking(true)?;
    Ok(socket.into())
}
