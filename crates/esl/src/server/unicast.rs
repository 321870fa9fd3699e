//! `sendmsg` `call-command: unicast`: the channel's audio streamed to a UDP or TCP peer (L16 in host
//! byte order, or the channel's G.711 bytes with `flags: native`) and the peer's audio played to the
//! channel, as FreeSWITCH does for mod_spandsp-style socket media.

use std::sync::Arc;
use std::time::Duration;

use switchyard_core::ChannelHandle;
use switchyard_core::media::{FRAME_SAMPLES, MediaPort, RecordLeg, RecordSink};
use switchyard_media::g711;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpSocket, UdpSocket};
use tokio::sync::mpsc;

use crate::proto::Unicast;

/// Frames queued towards a slow peer before new ones are dropped (2 s of audio).
const QUEUE_FRAMES: usize = 100;

/// How the bytes on the socket encode audio.
#[derive(Clone, Copy)]
enum Format {
    L16,
    Ulaw,
    Alaw,
}

impl Format {
    fn of(spec: &Unicast, media: &dyn MediaPort) -> Self {
        match (spec.native, media.codec()) {
            (true, "PCMA") => Format::Alaw,
            (true, _) => Format::Ulaw,
            (false, _) => Format::L16,
        }
    }

    fn encode(self, pcm: &[i16]) -> Vec<u8> {
        match self {
            Format::L16 => pcm.iter().flat_map(|s| s.to_ne_bytes()).collect(),
            Format::Ulaw => pcm.iter().map(|&s| g711::ulaw_encode(s)).collect(),
            Format::Alaw => pcm.iter().map(|&s| g711::alaw_encode(s)).collect(),
        }
    }

    /// Appends the samples in `bytes` to `out`; an odd trailing L16 byte is kept in `carry`.
    fn decode(self, bytes: &[u8], carry: &mut Vec<u8>, out: &mut Vec<i16>) {
        match self {
            Format::L16 => {
                carry.extend_from_slice(bytes);
                let whole = carry.len() / 2 * 2;
                out.extend(carry[..whole].chunks_exact(2).map(|b| i16::from_ne_bytes([b[0], b[1]])));
                carry.drain(..whole);
            }
            Format::Ulaw => out.extend(bytes.iter().map(|&b| g711::ulaw_decode(b))),
            Format::Alaw => out.extend(bytes.iter().map(|&b| g711::alaw_decode(b))),
        }
    }
}

/// Hands each recorded frame to the socket writer; a full queue drops the frame (never blocks media).
struct SocketSink {
    format: Format,
    tx: Option<mpsc::Sender<Vec<u8>>>,
}

impl RecordSink for SocketSink {
    fn frame(&mut self, pcm: &[i16]) {
        if let Some(tx) = &self.tx {
            let _ = tx.try_send(self.format.encode(pcm));
        }
    }
    fn finish(&mut self) {
        self.tx = None;
    }
}

/// Starts streaming; the error text is the reply when the channel has no media or a socket fails.
pub(super) async fn start(handle: &ChannelHandle, spec: Unicast) -> Result<(), String> {
    let media = handle.media().ok_or_else(|| "-ERR unicast: the channel carries no media".to_owned())?;
    let format = Format::of(&spec, media.as_ref());
    let (tx, rx) = mpsc::channel(QUEUE_FRAMES);
    if spec.tcp {
        let socket = TcpSocket::new_v4().map_err(io_err)?;
        socket.bind(spec.local).map_err(io_err)?;
        let stream = socket.connect(spec.remote).await.map_err(io_err)?;
        let (read, write) = stream.into_split();
        tokio::spawn(write_tcp(write, rx));
        tokio::spawn(play_from(handle.clone(), media.clone(), format, Source::Tcp(read)));
    } else {
        let socket = Arc::new(UdpSocket::bind(spec.local).await.map_err(io_err)?);
        socket.connect(spec.remote).await.map_err(io_err)?;
        tokio::spawn(write_udp(socket.clone(), rx));
        tokio::spawn(play_from(handle.clone(), media.clone(), format, Source::Udp(socket)));
    }
    media.start_record(RecordLeg::Read, Box::new(SocketSink { format, tx: Some(tx) }));
    Ok(())
}

fn io_err(e: std::io::Error) -> String {
    format!("-ERR unicast: {e}")
}

async fn write_udp(socket: Arc<UdpSocket>, mut rx: mpsc::Receiver<Vec<u8>>) {
    while let Some(bytes) = rx.recv().await {
        let _ = socket.send(&bytes).await;
    }
}

async fn write_tcp(mut write: tokio::net::tcp::OwnedWriteHalf, mut rx: mpsc::Receiver<Vec<u8>>) {
    while let Some(bytes) = rx.recv().await {
        if write.write_all(&bytes).await.is_err() {
            break;
        }
    }
}

enum Source {
    Udp(Arc<UdpSocket>),
    Tcp(tokio::net::tcp::OwnedReadHalf),
}

impl Source {
    /// Bytes from the peer; `Ok(0)` from TCP means it closed.
    async fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        match self {
            Source::Udp(s) => s.recv(buf).await,
            Source::Tcp(s) => s.read(buf).await,
        }
    }
}

/// Plays what the peer sends, in 20 ms frames, until the channel is gone or a TCP peer closes.
async fn play_from(handle: ChannelHandle, media: Arc<dyn MediaPort>, format: Format, mut source: Source) {
    let (mut buf, mut carry, mut pcm) = (vec![0u8; 4096], Vec::new(), Vec::new());
    while handle.is_alive() {
        // Waking every second notices a channel that hung up while the peer is silent.
        let Ok(read) = tokio::time::timeout(Duration::from_secs(1), source.read(&mut buf)).await else { continue };
        match read {
            Ok(0) if matches!(source, Source::Tcp(_)) => break,
            Ok(n) => format.decode(&buf[..n], &mut carry, &mut pcm),
            Err(e) if matches!(source, Source::Tcp(_)) => {
                tracing::debug!("unicast peer: {e}");
                break;
            }
            Err(_) => continue,
        }
        while pcm.len() >= FRAME_SAMPLES {
            let frame: Arc<[i16]> = pcm.drain(..FRAME_SAMPLES).collect();
            drop(media.play(frame));
        }
    }
    media.stop_record();
}
