//! `Playback`/`playback` and `Background`: play a list of sounds (`file1&file2,options`, or a
//! FreeSWITCH path); Background stops at a received digit and leaves it queued for `WaitExten`.

use std::sync::Arc;

use switchyard_core::Channel;
use switchyard_core::app::{AppResult, Application, BoxFuture};

use super::Media;
use super::play::{Played, answer_if_needed, load, play};

/// FreeSWITCH's application responses.
const PLAYED: &str = "FILE PLAYED";
const NOT_FOUND: &str = "FILE NOT FOUND";

/// The sound names and options of `file1&file2,options` (a FreeSWITCH path is one name).
fn split_args(args: &str) -> (Vec<&str>, &str) {
    let (files, options) = args.split_once(',').unwrap_or((args, ""));
    (files.split('&').map(str::trim).filter(|f| !f.is_empty()).collect(), options.trim())
}

/// How a list of sounds went.
enum ListOutcome {
    Played,
    Failed,
    Digit,
}

/// Plays each sound in turn; stops at the first missing one, a stop, or (with `barge_in`) a digit,
/// which is put back in the queue.
async fn play_list(
    media: &Arc<Media>,
    chan: &mut Channel,
    files: &[&str],
    barge_in: bool,
) -> Result<ListOutcome, switchyard_core::Interrupted> {
    for name in files {
        let pcm = match load(media, name).await {
            Ok(pcm) => pcm,
            Err(e) => {
                tracing::warn!(channel = %chan.current().name, "playback: {e}");
                return Ok(ListOutcome::Failed);
            }
        };
        match play(chan, pcm, barge_in).await? {
            Played::Finished => {}
            Played::Stopped => return Ok(ListOutcome::Played),
            Played::Digit(d) => {
                chan.unread_digit(d);
                return Ok(ListOutcome::Digit);
            }
        }
    }
    Ok(ListOutcome::Played)
}

/// Asterisk `Playback(file[&file2…][,options])` (`skip`, `noanswer`), FreeSWITCH `playback <path>`.
/// Sets `PLAYBACKSTATUS` to `SUCCESS` or `FAILED`.
pub(crate) struct PlaybackApp(pub Arc<Media>);

impl Application for PlaybackApp {
    fn names(&self) -> &'static [&'static str] {
        &["Playback"]
    }
    fn execute<'a>(&'a self, chan: &'a mut Channel, args: &'a str) -> BoxFuture<'a, AppResult> {
        Box::pin(async move {
            let (files, options) = split_args(args);
            let up = chan.current().state.line() == switchyard_core::LineState::Up;
            if !up && options.contains("skip") {
                chan.set_var("PLAYBACKSTATUS", "SUCCESS");
                return Ok(String::new());
            }
            if !options.contains("noanswer") {
                answer_if_needed(chan)?;
            }
            let outcome = play_list(&self.0, chan, &files, false).await;
            let failed = matches!(outcome, Ok(ListOutcome::Failed)) || files.is_empty();
            chan.set_var("PLAYBACKSTATUS", if failed { "FAILED" } else { "SUCCESS" });
            outcome?;
            Ok(if failed { NOT_FOUND } else { PLAYED }.to_owned())
        })
    }
}

/// Asterisk `Background(file[&file2…][,options])` (`s` skip when not up, `n` no answer): returns as
/// soon as a digit arrives, leaving it for `WaitExten`/`Read`. Sets `BACKGROUNDSTATUS`.
pub(crate) struct BackgroundApp(pub Arc<Media>);

impl Application for BackgroundApp {
    fn names(&self) -> &'static [&'static str] {
        &["Background"]
    }
    fn execute<'a>(&'a self, chan: &'a mut Channel, args: &'a str) -> BoxFuture<'a, AppResult> {
        Box::pin(async move {
            let (files, options) = split_args(args);
            let up = chan.current().state.line() == switchyard_core::LineState::Up;
            if !up && options.contains('s') {
                chan.set_var("BACKGROUNDSTATUS", "SUCCESS");
                return Ok(String::new());
            }
            if !options.contains('n') {
                answer_if_needed(chan)?;
            }
            let outcome = play_list(&self.0, chan, &files, true).await;
            let failed = matches!(outcome, Ok(ListOutcome::Failed));
            chan.set_var("BACKGROUNDSTATUS", if failed { "FAILED" } else { "SUCCESS" });
            outcome?;
            Ok(String::new())
        })
    }
}

#[cfg(test)]
mod tests {
    use super::split_args;

    #[test]
    fn asterisk_and_freeswitch_arguments_split_into_files_and_options() {
        assert_eq!(split_args("hello-world&digits/1,noanswer"), (vec!["hello-world", "digits/1"], "noanswer"));
        assert_eq!(split_args("/usr/share/sounds/a.wav"), (vec!["/usr/share/sounds/a.wav"], ""));
        assert_eq!(split_args(""), (vec![], ""));
    }
}
