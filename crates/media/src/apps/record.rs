//! Recording: Asterisk `Record(file.wav[,silence[,maxduration[,options]]])` and FreeSWITCH
//! `record <path> [time_limit_secs [silence_thresh [silence_hits]]]` record what the caller says until
//! `#`, silence, the time limit or hangup; `record_session`/`stop_record_session` record both
//! directions in the background.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use switchyard_core::app::{AppResult, Application, BoxFuture};
use switchyard_core::channel::{WaitFor, Woken};
use switchyard_core::media::RecordLeg;
use switchyard_core::{Channel, Interrupted};
use tokio::time::Instant;

use super::Media;
use super::play::{answer_if_needed, beep, play};
use crate::wav::{RecordProgress, WavSink};

/// How often the recording's silence counter is looked at.
const POLL: Duration = Duration::from_millis(100);

/// A parsed `Record`/`record` request.
#[derive(Debug, PartialEq)]
struct Request {
    file: String,
    silence: Option<Duration>,
    max: Option<Duration>,
    options: String,
}

fn secs(v: Option<&str>) -> Option<Duration> {
    let s: f64 = v?.trim().parse().ok()?;
    (s.is_finite() && s > 0.0).then(|| Duration::from_secs_f64(s.min(86_400.0)))
}

fn parse(args: &str) -> Request {
    let args = args.trim();
    if args.contains(',') || !args.contains(char::is_whitespace) {
        let a: Vec<&str> = args.split(',').collect();
        let options = a.get(3).map_or("", |o| o.trim()).to_owned();
        return Request {
            file: a[0].trim().to_owned(),
            silence: secs(a.get(1).copied()),
            max: secs(a.get(2).copied()),
            options,
        };
    }
    let w: Vec<&str> = args.split_whitespace().collect();
    // FreeSWITCH counts silence in "hits"; one hit is taken as one second here.
    Request {
        file: w[0].to_owned(),
        silence: secs(w.get(3).copied()),
        max: secs(w.get(1).copied()),
        options: String::new(),
    }
}

static UNIQUE: AtomicU64 = AtomicU64::new(1);

/// Asterisk replaces `%d` in the name with a number that makes it new.
fn unique_name(file: &str) -> String {
    if !file.contains("%d") {
        return file.to_owned();
    }
    let n = UNIQUE.fetch_add(1, Ordering::Relaxed);
    file.replace("%d", &format!("{}{n}", std::process::id()))
}

async fn create_sink(path: PathBuf) -> Result<WavSink, String> {
    let job = tokio::task::spawn_blocking(move || WavSink::create(&path));
    match job.await {
        Ok(Ok(sink)) => Ok(sink),
        Ok(Err(e)) => Err(e.to_string()),
        Err(e) => Err(e.to_string()),
    }
}

/// The Record application.
pub(crate) struct RecordApp(pub Arc<Media>);

impl Application for RecordApp {
    fn names(&self) -> &'static [&'static str] {
        &["Record"]
    }
    fn execute<'a>(&'a self, chan: &'a mut Channel, args: &'a str) -> BoxFuture<'a, AppResult> {
        Box::pin(async move {
            let req = parse(args);
            let path = self.0.recording_path(&unique_name(&req.file));
            let up = chan.current().state.line() == switchyard_core::LineState::Up;
            if !up && req.options.contains('s') {
                chan.set_var("RECORD_STATUS", "SKIP");
                return Ok(String::new());
            }
            if !req.options.contains('n') {
                answer_if_needed(chan)?;
            }
            chan.set_var("RECORDED_FILE", &path.with_extension("").to_string_lossy());
            if !req.options.contains('q') && chan.media().is_some() {
                play(chan, beep(250), false).await?;
            }
            let sink = match create_sink(path.clone()).await {
                Ok(sink) => sink,
                Err(e) => {
                    tracing::warn!(channel = %chan.current().name, "Record: {e}");
                    chan.set_var("RECORD_STATUS", "ERROR");
                    return Ok(String::new());
                }
            };
            let status = record(chan, sink, &req).await;
            chan.set_var("RECORD_STATUS", status.as_ref().map_or("HANGUP", |s| *s));
            status.map(|_| String::new())
        })
    }
}

/// Records until a terminator, silence, the limit or hangup; returns the `RECORD_STATUS`.
async fn record(chan: &mut Channel, sink: WavSink, req: &Request) -> Result<&'static str, Interrupted> {
    let progress = sink.progress();
    let port = chan.media();
    let mut idle_sink = None;
    match &port {
        Some(p) => p.start_record(RecordLeg::Read, Box::new(sink)),
        None => idle_sink = Some(sink),
    }
    let terminator = if req.options.contains('t') { '*' } else { '#' };
    let ignore_keys = req.options.contains('x');
    let result = wait_for_end(chan, &progress, req, terminator, ignore_keys).await;
    if let Some(p) = &port {
        p.stop_record();
    }
    drop(idle_sink);
    result
}

async fn wait_for_end(
    chan: &mut Channel,
    progress: &RecordProgress,
    req: &Request,
    terminator: char,
    ignore_keys: bool,
) -> Result<&'static str, Interrupted> {
    let end = req.max.map(|m| Instant::now() + m);
    let want = WaitFor { digit: !ignore_keys, ..WaitFor::default() };
    loop {
        let next_poll = req.silence.map(|_| Instant::now() + POLL);
        let deadline = match (next_poll, end) {
            (Some(p), Some(e)) => Some(p.min(e)),
            (p, e) => p.or(e),
        };
        match chan.wait_until(deadline, want).await? {
            Woken::Digit(d) if d == terminator || req.options.contains('y') => {
                return Ok("DTMF");
            }
            Woken::Timeout if end.is_some_and(|e| Instant::now() >= e) => return Ok("TIMEOUT"),
            Woken::Timeout => {
                let silence = req.silence.map_or(u64::MAX, |s| s.as_millis() as u64);
                if progress.written_ms() > 0 && progress.trailing_silence_ms() >= silence {
                    return Ok("SILENCE");
                }
            }
            _ => {}
        }
    }
}

/// FreeSWITCH `record_session <path>`: records both directions until hangup or `stop_record_session`.
pub(crate) struct RecordSessionApp(pub Arc<Media>);

impl Application for RecordSessionApp {
    fn names(&self) -> &'static [&'static str] {
        &["record_session"]
    }
    fn execute<'a>(&'a self, chan: &'a mut Channel, args: &'a str) -> BoxFuture<'a, AppResult> {
        Box::pin(async move {
            let path = self.0.recording_path(args.split_whitespace().next().unwrap_or(""));
            start_background(chan, &path).await;
            Ok(String::new())
        })
    }
}

async fn start_background(chan: &mut Channel, path: &Path) {
    let Some(port) = chan.media() else {
        tracing::info!(channel = %chan.current().name, "record_session: no media on this channel");
        return;
    };
    match create_sink(path.to_owned()).await {
        Ok(sink) => port.start_record(RecordLeg::Both, Box::new(sink)),
        Err(e) => tracing::warn!(channel = %chan.current().name, "record_session: {e}"),
    }
}

/// FreeSWITCH `stop_record_session <path|all>`.
pub(crate) struct StopRecordSessionApp;

impl Application for StopRecordSessionApp {
    fn names(&self) -> &'static [&'static str] {
        &["stop_record_session"]
    }
    fn execute<'a>(&'a self, chan: &'a mut Channel, _args: &'a str) -> BoxFuture<'a, AppResult> {
        if let Some(port) = chan.media() {
            port.stop_record();
        }
        Box::pin(async { Ok(String::new()) })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn asterisk_and_freeswitch_arguments() {
        let a = parse("/tmp/msg.wav,3,20,q");
        assert_eq!(a.file, "/tmp/msg.wav");
        assert_eq!((a.silence, a.max), (Some(Duration::from_secs(3)), Some(Duration::from_secs(20))));
        assert_eq!(a.options, "q");
        let f = parse("/tmp/msg.wav 30 200 3");
        assert_eq!((f.max, f.silence), (Some(Duration::from_secs(30)), Some(Duration::from_secs(3))));
        assert_eq!(parse("x.wav").max, None);
    }

    #[test]
    fn percent_d_makes_names_unique() {
        let (a, b) = (unique_name("msg-%d.wav"), unique_name("msg-%d.wav"));
        assert_ne!(a, b);
        assert_eq!(unique_name("plain.wav"), "plain.wav");
    }
}
