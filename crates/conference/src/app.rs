//! The `conference` application: answer, join the room, stay until hung up, redirected or told to
//! leave (kick, hup, end of conference); then the dialplan goes on.

use switchyard_core::app::{AppResult, Application, BoxFuture};
use switchyard_core::channel::WaitFor;
use switchyard_core::{Channel, Interrupted};

use crate::args::JoinRequest;
use crate::room::{Conferences, Leave, Membership};

/// `conference <name>[@profile][+flags{…}]`.
pub(crate) struct ConferenceApp(pub(crate) Conferences);

impl Application for ConferenceApp {
    fn names(&self) -> &'static [&'static str] {
        &["conference"]
    }

    fn execute<'a>(&'a self, chan: &'a mut Channel, args: &'a str) -> BoxFuture<'a, AppResult> {
        Box::pin(run(&self.0, chan, args))
    }
}

async fn run(conferences: &Conferences, chan: &mut Channel, args: &str) -> AppResult {
    let Some(req) = JoinRequest::parse(args) else {
        tracing::error!(channel = %chan.current().name, "conference: no conference name given");
        return Ok(String::new());
    };
    chan.answer()?;
    let domain = chan.var("domain_name").map(str::to_owned);
    chan.publish_snapshot();
    let handle = conferences.switch().channels().get(chan.id());
    let Some(handle) = handle else { return Ok(String::new()) };
    let Ok(mut membership) = conferences.join(handle, &req, domain) else {
        return Ok(String::new());
    };
    set_member_vars(chan, &membership);
    let result = stay(chan, &mut membership).await;
    drop(membership);
    result.map(|leave| {
        tracing::debug!(channel = %chan.current().name, "left conference {}: {leave:?}", req.name);
        String::new()
    })
}

fn set_member_vars(chan: &mut Channel, m: &Membership) {
    chan.set_var("conference_name", &m.name);
    chan.set_var("conference_member_id", &m.id.to_string());
    chan.set_var("conference_uuid", &m.uuid);
}

/// Waits until the member is told to leave; channel commands are handled meanwhile.
async fn stay(chan: &mut Channel, m: &mut Membership) -> Result<Leave, Interrupted> {
    loop {
        tokio::select! {
            waited = chan.wait_until(None, WaitFor::default()) => {
                waited?;
            }
            leave = m.leave.recv() => return Ok(leave.unwrap_or(Leave::Ended)),
        }
    }
}
