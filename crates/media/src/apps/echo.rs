//! Asterisk `Echo` / FreeSWITCH `echo`: the far end hears itself until it hangs up (or sends `#`).

use switchyard_core::Channel;
use switchyard_core::app::{AppResult, Application, BoxFuture};
use switchyard_core::channel::{WaitFor, Woken};

/// The echo application; on channels without media it just waits for the hangup.
pub(crate) struct EchoApp;

impl Application for EchoApp {
    fn names(&self) -> &'static [&'static str] {
        &["Echo"]
    }
    fn execute<'a>(&'a self, chan: &'a mut Channel, _args: &'a str) -> BoxFuture<'a, AppResult> {
        Box::pin(async move {
            let port = chan.media();
            if let Some(p) = &port {
                p.set_echo(true);
            }
            let want = WaitFor { digit: true, ..WaitFor::default() };
            let result = loop {
                match chan.wait_until(None, want).await {
                    Ok(Woken::Digit('#')) => break Ok(String::new()),
                    Ok(_) => {}
                    Err(i) => break Err(i),
                }
            };
            if let Some(p) = &port {
                p.set_echo(false);
            }
            result
        })
    }
}
