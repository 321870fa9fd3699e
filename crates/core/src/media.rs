//! The media a channel carries, as applications see it: play, record, echo, DTMF out, bridge to a peer.
//! The media engine (crate `switchyard-media`) implements it over RTP; the core only holds it.

use std::any::Any;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

/// Internal audio format: signed 16-bit linear PCM, mono, at this rate.
pub const SAMPLE_RATE: u32 = 8000;

/// Samples in one 20 ms frame at [`SAMPLE_RATE`].
pub const FRAME_SAMPLES: usize = 160;

/// A future that owns everything it uses.
pub type MediaFuture<T> = Pin<Box<dyn Future<Output = T> + Send + 'static>>;

/// How a playback ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PlayOutcome {
    /// Every sample was sent.
    Finished,
    /// [`MediaPort::stop_playback`] was called (DTMF barge-in, `uuid_break`, hangup).
    Stopped,
    /// The media session is closed.
    Closed,
}

/// Which direction(s) a recording captures.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RecordLeg {
    /// What the far end sends us.
    Read,
    /// What we send the far end.
    Write,
    /// Both, mixed.
    Both,
}

/// Receives recorded audio, one 20 ms frame ([`FRAME_SAMPLES`] samples) at a time.
pub trait RecordSink: Send + 'static {
    /// A frame of audio (silence when nothing was received).
    fn frame(&mut self, pcm: &[i16]);
    /// The recording stopped; flush and close.
    fn finish(&mut self);
}

/// A channel's media. Cheap to share (`Arc<dyn MediaPort>`); every method returns at once.
pub trait MediaPort: Send + Sync + 'static {
    /// The codec negotiated with the far end, e.g. `PCMU`, `PCMA` (FreeSWITCH `read_codec`).
    fn codec(&self) -> &'static str;
    /// Plays `pcm` (8 kHz mono) to the far end in real time, after anything already queued;
    /// resolves when it has been sent or was stopped.
    fn play(&self, pcm: Arc<[i16]>) -> MediaFuture<PlayOutcome>;
    /// Stops the current playback and drops the queued ones.
    fn stop_playback(&self);
    /// Starts sending back what the far end sends (Asterisk `Echo`, FreeSWITCH `echo`); `false` stops.
    fn set_echo(&self, on: bool);
    /// Starts recording into `sink` (replacing any recording in progress).
    fn start_record(&self, leg: RecordLeg, sink: Box<dyn RecordSink>);
    /// Stops recording (the sink's `finish` is called).
    fn stop_record(&self);
    /// Sends a DTMF digit out of band (RFC 4733 telephone-event) lasting `duration_ms`.
    fn send_dtmf(&self, digit: char, duration_ms: u32);
    /// Connects this channel's media to `peer`'s (both ways) for a bridge; replaces an earlier link.
    fn link(&self, peer: &Arc<dyn MediaPort>);
    /// Undoes [`MediaPort::link`] on both sides.
    fn unlink(&self);
    /// For implementations to recognise their own ports in [`MediaPort::link`].
    fn as_any(&self) -> &dyn Any;
}

impl crate::channel::Channel {
    /// Puts a digit back at the head of the channel's DTMF queue: a prompt interrupted by a digit
    /// (Asterisk `Background`) leaves it for the `WaitExten`/`Read` that follows.
    pub fn unread_digit(&mut self, digit: char) {
        self.dtmf.push_front(digit);
    }
}
