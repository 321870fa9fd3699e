//! The control socket: a Unix socket in the data directory (mode 0600) that runs console commands for
//! `switchyard cli`.

use std::os::unix::fs::PermissionsExt;
use std::path::Path;

use anyhow::Context;
use switchyard_core::Switch;
use switchyard_core::command::CommandStatus;
use tokio::io::{AsyncBufRead, AsyncBufReadExt, BufReader};
use tokio::net::{UnixListener, UnixStream};

use crate::control_proto::{MAX_LINE, write_reply};

/// A bound control socket.
pub struct ControlServer {
    listener: UnixListener,
    switch: Switch,
}

impl ControlServer {
    /// Binds the socket, replacing a stale one left by a crashed switch (the data-directory lock
    /// guarantees no live switch owns it).
    pub fn bind(path: &Path, switch: Switch) -> anyhow::Result<Self> {
        let _ = std::fs::remove_file(path);
        let listener = UnixListener::bind(path).with_context(|| format!("cannot bind {}", path.display()))?;
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600))?;
        Ok(Self { listener, switch })
    }

    /// Accepts connections until the task is aborted.
    pub async fn serve(self) {
        loop {
            match self.listener.accept().await {
                Ok((stream, _)) => {
                    tokio::spawn(session(stream, self.switch.clone()));
                }
                Err(e) => tracing::warn!("control socket accept failed: {e}"),
            }
        }
    }
}

async fn session(stream: UnixStream, switch: Switch) {
    let (read, mut write) = stream.into_split();
    let mut reader = BufReader::new(read);
    loop {
        let line = match read_line_limited(&mut reader, MAX_LINE).await {
            Ok(Some(Ok(line))) => line,
            Ok(Some(Err(TooLong))) => {
                let msg = format!("command line longer than {MAX_LINE} bytes refused\n");
                let _ = write_reply(&mut write, "error", &msg).await;
                continue;
            }
            Ok(None) | Err(_) => return,
        };
        let (status, text) = execute(&switch, line.trim()).await;
        if write_reply(&mut write, status, &text).await.is_err() {
            return;
        }
    }
}

/// A line over the limit (its bytes are discarded up to the next newline).
struct TooLong;

/// Reads one `\n`-terminated line of at most `max` bytes; None at end of stream.
async fn read_line_limited<R: AsyncBufRead + Unpin>(
    r: &mut R,
    max: usize,
) -> std::io::Result<Option<Result<String, TooLong>>> {
    let mut line = Vec::new();
    let mut too_long = false;
    loop {
        let buf = r.fill_buf().await?;
        if buf.is_empty() {
            return Ok((!line.is_empty() || too_long).then(|| finish(line, too_long)));
        }
        let (chunk, done) = match buf.iter().position(|&b| b == b'\n') {
            Some(i) => (&buf[..=i], true),
            None => (buf, false),
        };
        if !too_long && line.len() + chunk.len() <= max + 1 {
            line.extend_from_slice(chunk);
        } else {
            too_long = true;
            line.clear();
        }
        let used = chunk.len();
        r.consume(used);
        if done {
            return Ok(Some(finish(line, too_long)));
        }
    }
}

fn finish(line: Vec<u8>, too_long: bool) -> Result<String, TooLong> {
    if too_long { Err(TooLong) } else { Ok(String::from_utf8_lossy(&line).into_owned()) }
}

async fn execute(switch: &Switch, line: &str) -> (&'static str, String) {
    if line.is_empty() {
        return ("ok", String::new());
    }
    match switch.commands().execute(switch, line).await {
        Ok(out) => {
            let status = match out.status {
                CommandStatus::Success => "ok",
                CommandStatus::ShowUsage => "usage",
                CommandStatus::Failure => "error",
            };
            (status, out.text)
        }
        Err(unknown) => ("unknown", format!("{unknown}\n")),
    }
}
