//! `SHELL()` and `CURL()`/`CURLOPT()`: a command's output and an HTTP GET or POST, run off the
//! channel's thread with a timeout.

use std::time::Duration;

use switchyard_core::Channel;

use super::FuncError;
use crate::state::pc;

/// Longest a `CURL()` may take when no `CURLOPT(httptimeout)` is set.
const DEFAULT_HTTP_TIMEOUT: Duration = Duration::from_secs(30);

pub(super) async fn shell(cmd: &str) -> Result<String, FuncError> {
    let out = tokio::process::Command::new("/bin/sh")
        .arg("-c")
        .arg(cmd)
        .stdin(std::process::Stdio::null())
        .output()
        .await
        .map_err(|e| FuncError::Bad(format!("SHELL(): {e}")))?;
    Ok(String::from_utf8_lossy(&out.stdout).into_owned())
}

pub(super) fn curlopt_read(chan: &mut Channel, key: &str) -> String {
    let key = key.trim();
    pc(chan).curl_opts.iter().find(|(k, _)| k == key).map(|(_, v)| v.clone()).unwrap_or_default()
}

pub(super) fn curlopt_write(chan: &mut Channel, key: &str, value: &str) -> Result<(), FuncError> {
    let key = key.trim().to_owned();
    let opts = &mut pc(chan).curl_opts;
    opts.retain(|(k, _)| *k != key);
    opts.push((key, value.to_owned()));
    Ok(())
}

fn timeout_opt(chan: &mut Channel, key: &str) -> Option<Duration> {
    let v = curlopt_read(chan, key);
    v.trim().parse::<f64>().ok().filter(|s| s.is_finite() && *s > 0.0).map(Duration::from_secs_f64)
}

/// `CURL(url[,post-data])`: the response body ("" on failure, as Asterisk).
pub(super) async fn curl(chan: &mut Channel, args: &str) -> Result<String, FuncError> {
    let (url, post) = match args.split_once(',') {
        Some((u, p)) => (u.trim().to_owned(), Some(p.to_owned())),
        None => (args.trim().to_owned(), None),
    };
    if url.is_empty() {
        return Err(FuncError::Bad("CURL requires an argument (URL)".into()));
    }
    let total = timeout_opt(chan, "httptimeout").unwrap_or(DEFAULT_HTTP_TIMEOUT);
    let connect = timeout_opt(chan, "conntimeout");
    let task = tokio::task::spawn_blocking(move || fetch(&url, post.as_deref(), total, connect));
    match task.await {
        Ok(Ok(body)) => Ok(body),
        Ok(Err(e)) => Err(FuncError::Bad(format!("CURL(): {e}"))),
        Err(e) => Err(FuncError::Bad(format!("CURL(): {e}"))),
    }
}

fn fetch(url: &str, post: Option<&str>, total: Duration, connect: Option<Duration>) -> Result<String, ureq::Error> {
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .timeout_global(Some(total))
        .timeout_connect(connect)
        .http_status_as_error(false)
        .build()
        .into();
    let mut resp = match post {
        Some(data) => {
            agent.post(url).header("Content-Type", "application/x-www-form-urlencoded").send(data.as_bytes())?
        }
        None => agent.get(url).call()?,
    };
    resp.body_mut().read_to_string()
}
