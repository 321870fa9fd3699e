//! Playing samples on a channel while it keeps handling its commands: over its media port when it has
//! one, else by waiting the sound's real duration (sim and null channels).

use std::sync::Arc;
use std::time::Duration;

use switchyard_core::channel::{WaitFor, Woken};
use switchyard_core::media::{PlayOutcome, SAMPLE_RATE};
use switchyard_core::{Channel, Interrupted, LineState};
use tokio::time::Instant;

use crate::apps::Media;
use crate::prompts::SoundError;

/// How a play ended without the channel being interrupted.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Played {
    /// All of it was played.
    Finished,
    /// Stopped from outside (`uuid_break`).
    Stopped,
    /// A digit arrived (only when asked for); it was taken from the queue.
    Digit(char),
}

/// Plays `pcm`; with `barge_in`, a received digit stops it.
pub(crate) async fn play(chan: &mut Channel, pcm: Arc<[i16]>, barge_in: bool) -> Result<Played, Interrupted> {
    let want = WaitFor { digit: barge_in, ..WaitFor::default() };
    let Some(port) = chan.media() else {
        let duration = Duration::from_millis(pcm.len() as u64 * 1000 / u64::from(SAMPLE_RATE));
        return match chan.wait_until(Some(Instant::now() + duration), want).await? {
            Woken::Digit(d) => Ok(Played::Digit(d)),
            _ => Ok(Played::Finished),
        };
    };
    let mut playing = port.play(pcm);
    loop {
        tokio::select! {
            outcome = &mut playing => {
                return Ok(if outcome == PlayOutcome::Finished { Played::Finished } else { Played::Stopped });
            }
            woken = chan.wait_until(None, want) => match woken {
                Ok(Woken::Digit(d)) => {
                    port.stop_playback();
                    return Ok(Played::Digit(d));
                }
                Ok(_) => {}
                Err(i) => {
                    port.stop_playback();
                    return Err(i);
                }
            },
        }
    }
}

/// Loads a sound by name off the async threads.
pub(crate) async fn load(media: &Arc<Media>, name: &str) -> Result<Arc<[i16]>, SoundError> {
    let (media, name) = (media.clone(), name.to_owned());
    let job = tokio::task::spawn_blocking(move || media.library.resolve(&name).and_then(|s| media.library.load(&s)));
    job.await.unwrap_or_else(|e| Err(SoundError::NotFound { name: format!("({e})"), dir: String::new() }))
}

/// Answers the channel unless it is up already.
pub(crate) fn answer_if_needed(chan: &mut Channel) -> Result<(), Interrupted> {
    if chan.current().state.line() != LineState::Up {
        chan.answer()?;
    }
    Ok(())
}

/// A 1 kHz tone of `ms` milliseconds (the recording beep).
pub(crate) fn beep(ms: u32) -> Arc<[i16]> {
    let n = (ms * SAMPLE_RATE / 1000) as usize;
    (0..n).map(|i| [0i16, 5793, 8192, 5793, 0, -5793, -8192, -5793][i % 8]).collect()
}
