//! Outbound mode: the `socket` application connects the channel to a client's server, answers its
//! `connect` with the channel data, then runs what it sends: inline without `async`, from park with it.

use std::sync::Arc;

use switchyard_core::app::{AppResult, Application, BoxFuture};
use switchyard_core::channel::{WaitFor, Woken};
use switchyard_core::{Channel, HangupCause, Interrupted, Phase};
use tokio::net::TcpStream;
use tokio::sync::oneshot;

use super::Shared;
use super::session::{Controlled, Mode, Session};
use crate::proto::{self, EslEvent};

/// FreeSWITCH's default outbound port.
const DEFAULT_PORT: u16 = 8084;

/// `socket <host[:port]> [async] [full]` (also `Socket(host:port,async,full)`).
pub struct SocketApp {
    pub(super) shared: Arc<Shared>,
}

impl Application for SocketApp {
    fn names(&self) -> &'static [&'static str] {
        &["socket"]
    }
    fn execute<'a>(&'a self, chan: &'a mut Channel, args: &'a str) -> BoxFuture<'a, AppResult> {
        Box::pin(async move { run_socket(self.shared.clone(), chan, args).await })
    }
}

/// Parsed app data.
#[derive(Debug, PartialEq, Eq)]
struct Target {
    addr: String,
    asynchronous: bool,
    full: bool,
}

fn parse_target(args: &str) -> Target {
    let words: Vec<&str> = args.split([' ', ',']).filter(|w| !w.is_empty()).collect();
    let host = words.first().copied().unwrap_or("").split('|').next().unwrap_or("");
    let addr = match host.rsplit_once(':') {
        Some((_, port)) if port.parse::<u16>().is_ok() && !host.ends_with(']') => host.to_owned(),
        _ => format!("{host}:{DEFAULT_PORT}"),
    };
    let flag = |f: &str| words.iter().skip(1).any(|w| w.eq_ignore_ascii_case(f));
    Target { addr, asynchronous: flag("async"), full: flag("full") }
}

async fn run_socket(shared: Arc<Shared>, chan: &mut Channel, args: &str) -> AppResult {
    let target = parse_target(args);
    chan.set_var("socket_host", &target.addr);
    let stream = match TcpStream::connect(&target.addr).await {
        Ok(s) => s,
        Err(e) => {
            tracing::warn!(channel = %chan.current().name, "socket: cannot connect to {}: {e}", target.addr);
            return Err(chan.hangup(HangupCause::DESTINATION_OUT_OF_ORDER));
        }
    };
    let mode = Mode::Outbound { asynchronous: target.asynchronous, full: target.full };
    let controlled = Controlled { id: chan.id(), name: chan.current().name.as_str().to_owned() };
    let session = Session::new(shared, mode, Some(controlled), target.addr.clone());
    let (done_tx, done_rx) = oneshot::channel();
    tokio::spawn(async move {
        let _ = done_tx.send(session.run(stream).await);
    });
    serve_commands(chan, done_rx, target.asynchronous).await
}

/// Runs queued applications until the socket closes. Then the dialplan goes on when the client sent
/// `resume`; otherwise the call is hung up (FreeSWITCH would leave it parked).
///
/// `async`: the channel parks between commands (CHANNEL_PARK/UNPARK), as FreeSWITCH's socket app
/// parks the session while the listener thread talks. Without `async` the socket app itself runs
/// each command inline, as FreeSWITCH's `listener_run` does on the channel's thread: the channel
/// stays in CS_EXECUTE, the dialplan waits, and `sendmsg` is answered when the app finished.
async fn serve_commands(chan: &mut Channel, mut done: oneshot::Receiver<bool>, asynchronous: bool) -> AppResult {
    let idle = if asynchronous { Phase::Park } else { Phase::Execute };
    chan.set_phase(idle);
    loop {
        let want = WaitFor { queued_app: true, ..WaitFor::default() };
        let woken = tokio::select! {
            r = chan.wait_until(None, want) => r?,
            resume = &mut done => {
                return match resume {
                    Ok(true) => Ok(String::new()),
                    _ => Err(chan.hangup(HangupCause::NORMAL_CLEARING)),
                };
            }
        };
        if woken == Woken::QueuedApp {
            run_queued(chan).await?;
            chan.set_phase(idle);
        }
    }
}

async fn run_queued(chan: &mut Channel) -> Result<(), Interrupted> {
    while let Some((app, args)) = chan.next_queued_app() {
        chan.set_phase(Phase::Execute);
        match Box::pin(chan.execute(&app, &args)).await {
            Ok(result) => {
                result?;
            }
            Err(e) => tracing::warn!(channel = %chan.current().name, "{e}"),
        }
    }
    Ok(())
}

impl Session {
    /// The `connect` reply: the channel data as a plain header block, then the reply headers.
    pub(super) fn connect(&mut self) {
        let Some(c) = &self.controlled else { return self.reply("-ERR command not found") };
        let Some(handle) = self.shared.switch.channels().get(c.id) else {
            return self.reply("-ERR invalid session id");
        };
        let snap = handle.snapshot();
        let sw = &self.shared.switch;
        let mut ev: EslEvent =
            proto::base_at(sw.bus().next_seq(), sw.now(), self.shared.cache.context(), "CHANNEL_DATA");
        proto::caller_profile(&mut ev, &snap, "Channel");
        proto::append_channel_data(&mut ev, &snap, "CHANNEL_DATA");
        ev.push("Content-Type", "command/reply");
        ev.push("Reply-Text", "+OK\n");
        let (socket_mode, control) = match self.mode {
            Mode::Outbound { asynchronous, full } => {
                (if asynchronous { "async" } else { "static" }, if full { "full" } else { "single-channel" })
            }
            Mode::Inbound => ("static", "single-channel"),
        };
        ev.push("Socket-Mode", socket_mode);
        ev.push("Control", control);
        let mut block = Vec::new();
        ev.plain_headers(&mut block);
        block.push(b'\n');
        self.out.extend_from_slice(&block);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn socket_data_takes_host_port_and_flags_in_either_dialplan_syntax() {
        let want = Target { addr: "127.0.0.1:8040".into(), asynchronous: true, full: true };
        assert_eq!(parse_target("127.0.0.1:8040 async full"), want);
        assert_eq!(parse_target("127.0.0.1:8040,async,full"), want);
        assert_eq!(parse_target("localhost").addr, "localhost:8084");
    }
}
