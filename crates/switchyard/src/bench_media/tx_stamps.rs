//! Kernel send times for the generator's datagrams: `SO_TIMESTAMPING` software transmit stamps with
//! per-datagram ids, read back from the socket's error queue in `recvmmsg` batches. A send time taken
//! by the kernel as the datagram leaves does not move when the generator thread is preempted between
//! reading the clock and sending, so transit and added jitter measure the switch alone.

use std::collections::VecDeque;
use std::io::IoSliceMut;
use std::os::fd::{AsFd, AsRawFd};

use nix::libc;
use nix::sys::socket::{
    ControlMessageOwned, MsgFlags, MultiHeaders, SockaddrStorage, TimestampingFlag, recvmmsg, setsockopt, sockopt,
};

/// Stamps taken per `recvmmsg` on the error queue.
const BATCH: usize = 64;
/// `SOF_TIMESTAMPING_OPT_RX_FILTER` (Linux 6.2+; nix has no name for it): software stamps are reported
/// for sends only, so received datagrams keep carrying just their `SO_TIMESTAMPNS` time.
const OPT_RX_FILTER: u32 = 1 << 17;

/// Asks the kernel to stamp every datagram sent on `socket` as it leaves, with a running id.
pub fn enable(socket: &impl AsFd) -> std::io::Result<()> {
    let flags = TimestampingFlag::SOF_TIMESTAMPING_SOFTWARE
        | TimestampingFlag::SOF_TIMESTAMPING_TX_SOFTWARE
        | TimestampingFlag::SOF_TIMESTAMPING_OPT_ID
        | TimestampingFlag::SOF_TIMESTAMPING_OPT_TSONLY
        | TimestampingFlag::from_bits_retain(OPT_RX_FILTER);
    setsockopt(socket, sockopt::Timestamping, &flags)?;
    Ok(())
}

/// One socket's datagrams awaiting their stamps, in send order, and the reader of its error queue.
pub struct TxStamps<K> {
    /// The id the kernel gives the next datagram sent (it counts from 0 when stamping is enabled).
    next_id: u32,
    pending: VecDeque<(u32, K)>,
    headers: MultiHeaders<SockaddrStorage>,
}

impl<K: Copy> TxStamps<K> {
    /// Nothing sent yet.
    pub fn new() -> Self {
        // The stamp, the error record with its (empty) offender address, and the `SO_TIMESTAMPNS` time
        // a socket that also has receive times enabled adds to every message, error queue included.
        let cmsg = nix::cmsg_space!(
            nix::sys::socket::Timestamps,
            libc::sock_extended_err,
            libc::sockaddr_in,
            nix::sys::time::TimeSpec
        );
        Self { next_id: 0, pending: VecDeque::new(), headers: MultiHeaders::preallocate(BATCH, Some(cmsg)) }
    }

    /// Notes that the datagrams known by `keys` were sent, in this order.
    pub fn sent(&mut self, keys: impl IntoIterator<Item = K>) {
        for key in keys {
            self.pending.push_back((self.next_id, key));
            self.next_id = self.next_id.wrapping_add(1);
        }
    }

    /// Reads every stamp queued on `socket` and hands each datagram's key with its send time (ns
    /// since the Unix epoch) to `each`. Datagrams whose stamp never came are forgotten.
    pub fn drain(&mut self, socket: &impl AsRawFd, mut each: impl FnMut(K, u64)) {
        loop {
            let stamps = self.read_batch(socket);
            self.settle(&stamps, &mut each);
            if stamps.len() < BATCH {
                return;
            }
        }
    }

    /// Pairs stamps with the pending datagrams by id; datagrams passed over had no stamp.
    fn settle(&mut self, stamps: &[(u32, u64)], each: &mut impl FnMut(K, u64)) {
        for &(id, ns) in stamps {
            while let Some(&(pending_id, key)) = self.pending.front() {
                if pending_id.wrapping_sub(id) as i32 > 0 {
                    break;
                }
                self.pending.pop_front();
                if pending_id == id {
                    each(key, ns);
                    break;
                }
            }
        }
    }

    /// One `recvmmsg` on the error queue: (id, ns) of each transmit stamp in it.
    fn read_batch(&mut self, socket: &impl AsRawFd) -> Vec<(u32, u64)> {
        let mut bufs = [[0u8; 1]; BATCH];
        let mut iovs: Vec<[IoSliceMut<'_>; 1]> = bufs.iter_mut().map(|b| [IoSliceMut::new(&mut b[..])]).collect();
        let flags = MsgFlags::MSG_ERRQUEUE | MsgFlags::MSG_DONTWAIT;
        let Ok(msgs) = recvmmsg(socket.as_raw_fd(), &mut self.headers, iovs.iter_mut(), flags, None) else {
            return Vec::new();
        };
        msgs.filter_map(|m| stamp_of(m.cmsgs().ok()?)).collect()
    }
}

/// The (id, ns) a transmit-stamp message carries.
fn stamp_of(cmsgs: impl Iterator<Item = ControlMessageOwned>) -> Option<(u32, u64)> {
    let (mut id, mut ns) = (None, None);
    for c in cmsgs {
        match c {
            ControlMessageOwned::ScmTimestampsns(t) => {
                let (s, n) = (u64::try_from(t.system.tv_sec()).ok()?, u64::try_from(t.system.tv_nsec()).ok()?);
                ns = Some(s * 1_000_000_000 + n);
            }
            ControlMessageOwned::Ipv4RecvErr(err, _) if err.ee_origin == libc::SO_EE_ORIGIN_TIMESTAMPING => {
                id = Some(err.ee_data);
            }
            _ => {}
        }
    }
    Some((id?, ns?))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::net::UdpSocket;

    #[test]
    fn every_datagram_sent_gets_its_kernel_send_time_under_its_key() {
        let rx = UdpSocket::bind("127.0.0.1:0").unwrap();
        let tx = UdpSocket::bind("127.0.0.1:0").unwrap();
        enable(&tx).unwrap();
        switchyard_media::batch::enable_timestamps(&tx).unwrap();
        let mut stamps = TxStamps::new();
        let before = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_nanos() as u64;
        for key in 0..150u32 {
            tx.send_to(&key.to_be_bytes(), rx.local_addr().unwrap()).unwrap();
        }
        stamps.sent(0..150u32);
        let mut got = Vec::new();
        stamps.drain(&tx, |key, ns| got.push((key, ns)));
        assert_eq!(got.iter().map(|&(k, _)| k).collect::<Vec<_>>(), (0..150).collect::<Vec<_>>());
        assert!(got.windows(2).all(|w| w[0].1 <= w[1].1), "send times run forward");
        assert!(got[0].1 >= before);
        let mut buf = [0u8; 8];
        assert_eq!(rx.recv(&mut buf).unwrap(), 4, "the datagrams themselves arrive unchanged");
    }

    #[test]
    fn a_datagram_whose_stamp_is_missing_is_skipped() {
        let mut stamps = TxStamps::new();
        stamps.sent(['a', 'b', 'c', 'd']);
        let mut got = Vec::new();
        stamps.settle(&[(0, 10), (2, 30)], &mut |key, ns| got.push((key, ns)));
        stamps.settle(&[(3, 40)], &mut |key, ns| got.push((key, ns)));
        assert_eq!(got, vec![('a', 10), ('c', 30), ('d', 40)]);
        assert!(stamps.pending.is_empty());
    }
}
