//! Sockets: UDP listeners with 4 MiB kernel buffers (bursts of SIPp traffic are otherwise dropped in
//! the kernel), TCP listeners and outgoing TCP connections framed by Content-Length. Everything read
//! goes to the driver as [`Inbound`]; everything sent goes through [`Transports`].

use std::collections::HashMap;
use std::io;
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use bytes::{Buf, Bytes, BytesMut};
use parking_lot::Mutex;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream, UdpSocket};
use tokio::sync::mpsc;

use crate::wire::{FrameError, Transport, frame_stream, skip_keepalive};

/// Kernel socket buffer size for UDP.
pub const UDP_BUFFER: usize = 4 * 1024 * 1024;

/// A message read from the network.
#[derive(Debug)]
pub struct Inbound {
    /// How.
    pub transport: Transport,
    /// From where.
    pub source: SocketAddr,
    /// The bytes of one message.
    pub data: Bytes,
}

/// The sending side of every socket.
#[derive(Clone, Default)]
pub struct Transports {
    udp: Vec<Arc<UdpSocket>>,
    tcp: Arc<Mutex<HashMap<SocketAddr, mpsc::UnboundedSender<Bytes>>>>,
    /// Stream bytes that could not be framed (connection closed), counted.
    pub dropped_streams: Arc<AtomicU64>,
}

fn udp_socket(addr: SocketAddr) -> io::Result<UdpSocket> {
    let domain = if addr.is_ipv4() { socket2::Domain::IPV4 } else { socket2::Domain::IPV6 };
    let sock = socket2::Socket::new(domain, socket2::Type::DGRAM, Some(socket2::Protocol::UDP))?;
    // Best effort: the kernel caps these at net.core.{r,w}mem_max.
    let _ = sock.set_recv_buffer_size(UDP_BUFFER);
    let _ = sock.set_send_buffer_size(UDP_BUFFER);
    sock.bind(&addr.into())?;
    sock.set_nonblocking(true)?;
    UdpSocket::from_std(sock.into())
}

impl Transports {
    /// Binds every listener; returns the bound addresses (port 0 resolved).
    pub async fn bind(
        listen: &[(Transport, SocketAddr)],
        tx: mpsc::UnboundedSender<Inbound>,
    ) -> io::Result<(Transports, Vec<(Transport, SocketAddr)>)> {
        let mut t = Transports::default();
        let mut bound = Vec::new();
        for &(transport, addr) in listen {
            match transport {
                Transport::Udp => {
                    let sock = Arc::new(udp_socket(addr)?);
                    bound.push((Transport::Udp, sock.local_addr()?));
                    tokio::spawn(udp_reader(sock.clone(), tx.clone()));
                    t.udp.push(sock);
                }
                Transport::Tcp => {
                    let l = TcpListener::bind(addr).await?;
                    bound.push((Transport::Tcp, l.local_addr()?));
                    tokio::spawn(tcp_acceptor(l, t.clone(), tx.clone()));
                }
            }
        }
        Ok((t, bound))
    }

    /// Sends one message; TCP opens a connection when there is none to `dest`.
    pub fn send(&self, transport: Transport, dest: SocketAddr, data: Bytes, tx: &mpsc::UnboundedSender<Inbound>) {
        match transport {
            Transport::Udp => {
                let sock = self.udp.iter().find(|s| s.local_addr().is_ok_and(|a| a.is_ipv4() == dest.is_ipv4()));
                if let Some(sock) = sock.or(self.udp.first())
                    && let Err(e) = sock.try_send_to(&data, dest)
                {
                    tracing::debug!(%dest, "UDP send failed: {e}");
                }
            }
            Transport::Tcp => {
                let existing = self.tcp.lock().get(&dest).cloned();
                match existing {
                    Some(w) if w.send(data.clone()).is_ok() => {}
                    _ => {
                        tokio::spawn(tcp_connect(dest, data, self.clone(), tx.clone()));
                    }
                }
            }
        }
    }
}

async fn udp_reader(sock: Arc<UdpSocket>, tx: mpsc::UnboundedSender<Inbound>) {
    let mut buf = vec![0u8; 65536];
    loop {
        match sock.recv_from(&mut buf).await {
            Ok((n, source)) => {
                let data = Bytes::copy_from_slice(&buf[..n]);
                if tx.send(Inbound { transport: Transport::Udp, source, data }).is_err() {
                    return;
                }
            }
            Err(e) => tracing::debug!("UDP receive error: {e}"),
        }
    }
}

async fn tcp_acceptor(l: TcpListener, t: Transports, tx: mpsc::UnboundedSender<Inbound>) {
    loop {
        match l.accept().await {
            Ok((stream, peer)) => {
                let _ = stream.set_nodelay(true);
                tokio::spawn(tcp_connection(stream, peer, t.clone(), tx.clone()));
            }
            Err(e) => tracing::warn!("SIP TCP accept failed: {e}"),
        }
    }
}

async fn tcp_connect(dest: SocketAddr, first: Bytes, t: Transports, tx: mpsc::UnboundedSender<Inbound>) {
    match TcpStream::connect(dest).await {
        Ok(stream) => {
            let _ = stream.set_nodelay(true);
            let w = tcp_connection_start(stream, dest, t, tx);
            let _ = w.send(first);
        }
        Err(e) => tracing::warn!(%dest, "SIP TCP connect failed: {e}"),
    }
}

async fn tcp_connection(stream: TcpStream, peer: SocketAddr, t: Transports, tx: mpsc::UnboundedSender<Inbound>) {
    tcp_connection_start(stream, peer, t, tx);
}

/// Registers the connection for sending and spawns its reader and writer.
fn tcp_connection_start(
    stream: TcpStream,
    peer: SocketAddr,
    t: Transports,
    tx: mpsc::UnboundedSender<Inbound>,
) -> mpsc::UnboundedSender<Bytes> {
    let (mut rd, mut wr) = stream.into_split();
    let (wtx, mut wrx) = mpsc::unbounded_channel::<Bytes>();
    t.tcp.lock().insert(peer, wtx.clone());
    tokio::spawn(async move {
        while let Some(b) = wrx.recv().await {
            if wr.write_all(&b).await.is_err() {
                break;
            }
        }
    });
    let registered = wtx.clone();
    tokio::spawn(async move {
        let mut buf = BytesMut::with_capacity(8192);
        let why = loop {
            match rd.read_buf(&mut buf).await {
                Ok(0) => break None,
                Ok(_) => {}
                Err(e) => break Some(e.to_string()),
            }
            match drain_frames(&mut buf, peer, &tx) {
                Ok(()) => {}
                Err(e) => {
                    t.dropped_streams.fetch_add(1, Ordering::Relaxed);
                    break Some(e.to_string());
                }
            }
        };
        if let Some(why) = why {
            tracing::debug!(%peer, "SIP TCP connection closed: {why}");
        }
        let mut conns = t.tcp.lock();
        if conns.get(&peer).is_some_and(|w| w.same_channel(&registered)) {
            conns.remove(&peer);
        }
    });
    wtx
}

/// Cuts every whole message off `buf` and forwards it.
fn drain_frames(buf: &mut BytesMut, peer: SocketAddr, tx: &mpsc::UnboundedSender<Inbound>) -> Result<(), FrameError> {
    loop {
        let skip = skip_keepalive(buf);
        buf.advance(skip);
        let Some(len) = frame_stream(buf)? else { return Ok(()) };
        let data = buf.split_to(len).freeze();
        let _ = tx.send(Inbound { transport: Transport::Tcp, source: peer, data });
    }
}
