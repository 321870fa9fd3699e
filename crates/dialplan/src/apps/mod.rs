//! The dialplan applications this crate adds to the switch's registry (Answer, Hangup, Wait and
//! NoOp are the core's). Each is a function over the shared engine, the channel and its arguments.

pub(crate) mod dial;
mod dial_features;
mod dtmf;
mod exec;
pub(crate) mod gosub;
mod goto;
mod loops;
mod misc;
mod system;
mod transfer;
mod vars;

use std::sync::Arc;

use switchyard_core::app::{AppResult, Application, BoxFuture};
use switchyard_core::{Channel, Switch};

use crate::engine::Engine;

/// An application body.
pub(crate) type AppFn = for<'a> fn(&'a Arc<Engine>, &'a mut Channel, &'a str) -> BoxFuture<'a, AppResult>;

/// An application backed by an engine function.
struct EngineApp {
    names: &'static [&'static str],
    engine: Arc<Engine>,
    run: AppFn,
}

impl Application for EngineApp {
    fn names(&self) -> &'static [&'static str] {
        self.names
    }
    fn execute<'a>(&'a self, chan: &'a mut Channel, args: &'a str) -> BoxFuture<'a, AppResult> {
        (self.run)(&self.engine, chan, args)
    }
}

const APPS: &[(&[&str], AppFn)] = &[
    (&["Set"], vars::set),
    (&["MSet"], vars::mset),
    (&["Goto"], goto::goto),
    (&["GotoIf"], goto::goto_if),
    (&["GotoIfTime"], goto::goto_if_time),
    (&["Gosub"], gosub::gosub),
    (&["GosubIf"], gosub::gosub_if),
    (&["Return"], gosub::return_app),
    (&["StackPop"], gosub::stack_pop),
    (&["RaiseException"], goto::raise_exception),
    (&["While"], loops::while_app),
    (&["EndWhile"], loops::end_while),
    (&["ExitWhile"], loops::exit_while),
    (&["ContinueWhile"], loops::continue_while),
    (&["Exec"], exec::exec),
    (&["TryExec"], exec::try_exec),
    (&["ExecIf"], exec::exec_if),
    (&["System"], system::system),
    (&["TrySystem"], system::try_system),
    (&["Verbose"], misc::verbose),
    (&["Log"], misc::log),
    (&["Progress"], misc::progress),
    (&["Ringing"], misc::ringing),
    (&["Busy"], misc::busy),
    (&["Congestion"], misc::congestion),
    (&["UserEvent"], misc::user_event),
    (&["Echo"], misc::echo),
    (&["Playback"], misc::playback),
    (&["Background"], misc::background),
    (&["DumpChan"], misc::dump_chan),
    (&["SendDTMF"], dtmf::send_dtmf),
    (&["Read"], dtmf::read),
    (&["WaitExten"], dtmf::wait_exten),
    (&["Dial"], dial::dial),
    (&["AppDial2"], dial::callee),
    (&["Originate"], dial::originate_app),
];

/// Registers every application on the switch.
pub(crate) fn register(switch: &Switch, engine: &Arc<Engine>) {
    for (names, run) in APPS {
        switch.apps().register(Arc::new(EngineApp { names, engine: engine.clone(), run: *run }));
    }
}

/// Application names this crate and the core provide (for load-time checks).
pub fn known_names() -> impl Iterator<Item = &'static str> {
    APPS.iter()
        .flat_map(|(n, _)| n.iter().copied())
        .chain(["Answer", "Hangup", "Wait", "NoOp", "sleep", "park"])
        // The media crate's applications (it replaces Echo/Playback/Background/SendDTMF above).
        .chain(["MusicOnHold", "Record", "endless_playback", "record_session", "stop_record_session", "send_dtmf"])
}
