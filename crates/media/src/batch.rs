//! Batched UDP system calls: `recvmmsg` and `sendmmsg` (through nix), many datagrams per kernel
//! crossing, with optional kernel receive timestamps (`SO_TIMESTAMPNS`).

use std::io::{IoSlice, IoSliceMut};
use std::net::SocketAddr;
use std::os::fd::AsRawFd;
use std::time::Duration;

use nix::sys::socket::{
    ControlMessage, ControlMessageOwned, MsgFlags, MultiHeaders, SockaddrStorage, recvmmsg, sendmmsg, setsockopt,
    sockopt,
};

/// Largest datagram received whole.
pub const MAX_DATAGRAM: usize = 1500;
/// Most datagrams one [`RecvBatch::recv`] takes (its I/O vectors live on the stack).
pub const MAX_BATCH: usize = 64;

/// What one received datagram was.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Received {
    /// Its length (bytes in the slot).
    pub len: usize,
    /// Who sent it.
    pub from: Option<SocketAddr>,
    /// When the kernel queued it (since the Unix epoch), when timestamps were asked for.
    pub at: Option<Duration>,
}

/// Buffers for receiving up to `capacity` datagrams in one `recvmmsg`.
pub struct RecvBatch {
    slots: Vec<[u8; MAX_DATAGRAM]>,
    received: Vec<Received>,
    headers: MultiHeaders<SockaddrStorage>,
    timestamps: bool,
    /// A datagram of the last batch came without a timestamp: the kernel then shrank its header's
    /// control length to zero (nix does not restore it), so the headers are made afresh.
    stale: bool,
}

impl RecvBatch {
    /// Room for `capacity` datagrams (1 to [`MAX_BATCH`]); `timestamps` asks for kernel receive times
    /// (the socket must have them enabled: [`enable_timestamps`]).
    pub fn new(capacity: usize, timestamps: bool) -> Self {
        let capacity = capacity.clamp(1, MAX_BATCH);
        let cmsg = timestamps.then(|| nix::cmsg_space!(nix::sys::time::TimeSpec));
        Self {
            slots: vec![[0; MAX_DATAGRAM]; capacity],
            received: Vec::with_capacity(capacity),
            headers: MultiHeaders::preallocate(capacity, cmsg),
            timestamps,
            stale: false,
        }
    }

    /// How many datagrams one call can return.
    pub fn capacity(&self) -> usize {
        self.slots.len()
    }

    /// Receives what is queued, up to the capacity, without waiting. Returns how many arrived (an
    /// error of kind `WouldBlock` when none was queued).
    pub fn recv(&mut self, socket: &impl AsRawFd) -> std::io::Result<usize> {
        if self.stale {
            let cmsg = nix::cmsg_space!(nix::sys::time::TimeSpec);
            self.headers = MultiHeaders::preallocate(self.slots.len(), Some(cmsg));
            self.stale = false;
        }
        let Self { slots, received, headers, timestamps, stale } = self;
        received.clear();
        // One I/O vector per slot, on the stack: nothing is allocated per call.
        let count = slots.len();
        let mut free = slots.iter_mut();
        let mut iovs: [[IoSliceMut<'_>; 1]; MAX_BATCH] =
            std::array::from_fn(|_| [IoSliceMut::new(free.next().map_or(&mut [][..], |s| &mut s[..]))]);
        let results = recvmmsg(socket.as_raw_fd(), headers, iovs[..count].iter_mut(), MsgFlags::MSG_DONTWAIT, None)?;
        for msg in results {
            let at = if *timestamps { kernel_time(&msg) } else { None };
            *stale |= *timestamps && at.is_none();
            let from = msg.address.as_ref().and_then(to_socket_addr);
            received.push(Received { len: msg.bytes.min(MAX_DATAGRAM), from, at });
        }
        Ok(received.len())
    }

    /// Datagram `i` of the last [`RecvBatch::recv`]: its bytes (mutable, for rewriting in place) and
    /// what is known of it.
    pub fn get(&mut self, i: usize) -> (&mut [u8], Received) {
        let r = self.received[i];
        (&mut self.slots[i][..r.len], r)
    }
}

fn kernel_time<S>(msg: &nix::sys::socket::RecvMsg<'_, '_, S>) -> Option<Duration> {
    msg.cmsgs().ok()?.find_map(|c| match c {
        ControlMessageOwned::ScmTimestampns(ts) => {
            Some(Duration::new(u64::try_from(ts.tv_sec()).ok()?, u32::try_from(ts.tv_nsec()).ok()?))
        }
        _ => None,
    })
}

fn to_socket_addr(s: &SockaddrStorage) -> Option<SocketAddr> {
    if let Some(v4) = s.as_sockaddr_in() {
        return Some(SocketAddr::V4((*v4).into()));
    }
    s.as_sockaddr_in6().map(|v6| SocketAddr::V6((*v6).into()))
}

/// Asks the kernel to stamp every datagram received on `socket` with its arrival time.
pub fn enable_timestamps(socket: &impl std::os::fd::AsFd) -> std::io::Result<()> {
    setsockopt(socket, sockopt::ReceiveTimestampns, &true)?;
    Ok(())
}

/// Reusable headers for `sendmmsg`.
pub struct SendBatch {
    headers: MultiHeaders<SockaddrStorage>,
    capacity: usize,
}

impl SendBatch {
    /// Room for `capacity` datagrams per call.
    pub fn new(capacity: usize) -> Self {
        let capacity = capacity.max(1);
        Self { headers: MultiHeaders::preallocate(capacity, None), capacity }
    }

    /// Sends each `(datagram, destination)` pair, in order, in as few calls as it takes. Returns how
    /// many the kernel took (it stops at the first refusal).
    pub fn send(&mut self, socket: &impl AsRawFd, datagrams: &[(&[u8], SocketAddr)]) -> std::io::Result<usize> {
        let mut sent = 0;
        for chunk in datagrams.chunks(self.capacity) {
            let slices: Vec<[IoSlice<'_>; 1]> = chunk.iter().map(|(d, _)| [IoSlice::new(d)]).collect();
            let addrs: Vec<Option<SockaddrStorage>> = chunk.iter().map(|&(_, to)| Some(to.into())).collect();
            let none: [ControlMessage<'_>; 0] = [];
            let n = sendmmsg(socket.as_raw_fd(), &mut self.headers, slices.iter(), &addrs, none, MsgFlags::empty())?
                .count();
            sent += n;
            if n < chunk.len() {
                break;
            }
        }
        Ok(sent)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::net::UdpSocket;

    #[test]
    fn a_batch_sent_arrives_as_a_batch_with_senders_and_times() {
        let rx = UdpSocket::bind("127.0.0.1:0").unwrap();
        enable_timestamps(&rx).unwrap();
        let tx = UdpSocket::bind("127.0.0.1:0").unwrap();
        let to = rx.local_addr().unwrap();
        let payloads: Vec<Vec<u8>> = (0..100u8).map(|i| vec![i; 20 + usize::from(i)]).collect();
        let pairs: Vec<(&[u8], SocketAddr)> = payloads.iter().map(|p| (p.as_slice(), to)).collect();
        let mut sender = SendBatch::new(64);
        assert_eq!(sender.send(&tx, &pairs).unwrap(), 100);
        let mut batch = RecvBatch::new(64, true);
        let mut got = Vec::new();
        while got.len() < 100 {
            rx.peek(&mut [0; 1]).unwrap();
            let n = batch.recv(&rx).unwrap();
            for i in 0..n {
                let (bytes, meta) = batch.get(i);
                assert_eq!(meta.from, Some(tx.local_addr().unwrap()));
                assert!(meta.at.is_some_and(|t| t > Duration::from_secs(1_600_000_000)));
                got.push(bytes.to_vec());
            }
        }
        assert_eq!(got, payloads);
        let empty = batch.recv(&rx).unwrap_err();
        assert_eq!(empty.kind(), std::io::ErrorKind::WouldBlock);
    }

    #[test]
    fn a_datagram_without_a_timestamp_does_not_cost_the_next_ones_theirs() {
        let rx = UdpSocket::bind("127.0.0.1:0").unwrap();
        let tx = UdpSocket::bind("127.0.0.1:0").unwrap();
        let mut batch = RecvBatch::new(4, true);
        tx.send_to(b"early", rx.local_addr().unwrap()).unwrap();
        rx.peek(&mut [0; 1]).unwrap();
        assert_eq!(batch.recv(&rx).unwrap(), 1);
        assert_eq!(batch.get(0).1.at, None, "timestamps are not enabled on the socket yet");
        enable_timestamps(&rx).unwrap();
        tx.send_to(b"later", rx.local_addr().unwrap()).unwrap();
        rx.peek(&mut [0; 1]).unwrap();
        assert_eq!(batch.recv(&rx).unwrap(), 1);
        let (bytes, meta) = batch.get(0);
        assert_eq!(bytes, b"later");
        assert!(meta.at.is_some());
    }

    #[test]
    fn without_timestamps_the_time_is_absent() {
        let rx = UdpSocket::bind("127.0.0.1:0").unwrap();
        let tx = UdpSocket::bind("127.0.0.1:0").unwrap();
        tx.send_to(b"hello", rx.local_addr().unwrap()).unwrap();
        rx.peek(&mut [0; 1]).unwrap();
        let mut batch = RecvBatch::new(4, false);
        assert_eq!(batch.recv(&rx).unwrap(), 1);
        let (bytes, meta) = batch.get(0);
        assert_eq!(bytes, b"hello");
        assert_eq!(meta.at, None);
    }
}
