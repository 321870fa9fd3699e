//! Music on hold: Asterisk `MusicOnHold([class[,duration]])` loops a class's files from the MOH
//! directory; FreeSWITCH `endless_playback <file|local_stream://class>` loops a file or a class. Both
//! run until hangup (or the duration), or until `uuid_break` stops them.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use switchyard_core::app::{AppResult, Application, BoxFuture};
use switchyard_core::channel::WaitFor;
use switchyard_core::{Channel, Interrupted};
use tokio::time::Instant;

use super::Media;
use super::play::{Played, load, play};
use crate::prompts::Sound;

/// Loops `files` (or, with none, silence) until stopped, hangup, or `limit`.
async fn loop_files(
    media: &Arc<Media>,
    chan: &mut Channel,
    files: Vec<PathBuf>,
    limit: Option<Duration>,
) -> Result<(), Interrupted> {
    let deadline = limit.map(|d| Instant::now() + d);
    let mut sounds = Vec::new();
    for f in &files {
        match load(media, &f.to_string_lossy()).await {
            Ok(pcm) => sounds.push(pcm),
            Err(e) => tracing::warn!("music on hold: {e}"),
        }
    }
    if sounds.is_empty() {
        chan.wait_until(deadline, WaitFor::default()).await?;
        return Ok(());
    }
    loop {
        for pcm in &sounds {
            let pcm = match deadline {
                Some(d) => truncate(pcm, d.saturating_duration_since(Instant::now())),
                None => pcm.clone(),
            };
            if pcm.is_empty() || play(chan, pcm, false).await? != Played::Finished {
                return Ok(());
            }
        }
    }
}

fn truncate(pcm: &Arc<[i16]>, left: Duration) -> Arc<[i16]> {
    let n = (left.as_millis() as usize * 8).min(pcm.len());
    if n == pcm.len() { pcm.clone() } else { pcm[..n].into() }
}

/// Asterisk `MusicOnHold([class[,duration]])`.
pub(crate) struct MusicOnHoldApp(pub Arc<Media>);

impl Application for MusicOnHoldApp {
    fn names(&self) -> &'static [&'static str] {
        &["MusicOnHold"]
    }
    fn execute<'a>(&'a self, chan: &'a mut Channel, args: &'a str) -> BoxFuture<'a, AppResult> {
        Box::pin(async move {
            let mut parts = args.split(',');
            let class = parts.next().unwrap_or("").trim();
            let limit = parts.next().and_then(|d| d.trim().parse::<f64>().ok()).filter(|d| *d > 0.0);
            let files = self.0.library.moh_files(if class.is_empty() { "default" } else { class });
            loop_files(&self.0, chan, files, limit.map(Duration::from_secs_f64)).await?;
            Ok(String::new())
        })
    }
}

/// FreeSWITCH `endless_playback <file|local_stream://class>`.
pub(crate) struct EndlessPlaybackApp(pub Arc<Media>);

impl Application for EndlessPlaybackApp {
    fn names(&self) -> &'static [&'static str] {
        &["endless_playback"]
    }
    fn execute<'a>(&'a self, chan: &'a mut Channel, args: &'a str) -> BoxFuture<'a, AppResult> {
        Box::pin(async move {
            let files = match self.0.library.resolve(args) {
                Ok(Sound::File(p)) => vec![p],
                Ok(Sound::Moh(class)) => self.0.library.moh_files(&class),
                Ok(Sound::Silence(_)) | Err(_) => Vec::new(),
            };
            loop_files(&self.0, chan, files, None).await?;
            Ok(String::new())
        })
    }
}
