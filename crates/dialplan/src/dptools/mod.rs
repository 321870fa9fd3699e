//! FreeSWITCH dialplan applications (mod_dptools names). Where FreeSWITCH and Asterisk mean the
//! same thing the one implementation serves both names (`answer`, `hangup`, `set`, `sleep`, `park`
//! are the core's and extensions.conf's); where the names clash with different arguments (`log`,
//! `read`) the channel's dialplan type picks the flavour. Media apps (playback, record, echo,
//! send_dtmf…), `socket`, the `sched_*` apps, `lua` and `conference` come from other crates.

mod bridge;
mod call;
mod db;
mod digits;
mod flow;
mod info;
mod vars;

use std::sync::Arc;

use switchyard_core::Channel;
use switchyard_core::app::{AppResult, Application, BoxFuture};

use crate::fsxml::{Kind, XmlEngine, route};

/// Application names this module adds (for load-time checks), besides the shared ones.
pub const NAMES: &[&str] = &[
    "answer",
    "pre_answer",
    "ring_ready",
    "hangup",
    "set",
    "export",
    "unset",
    "multiset",
    "set_global",
    "bridge",
    "park",
    "transfer",
    "execute_extension",
    "sleep",
    "log",
    "info",
    "event",
    "respond",
    "db",
    "read",
    "play_and_get_digits",
];

/// A dptool body.
pub(crate) type DpFn = for<'a> fn(&'a Arc<XmlEngine>, &'a mut Channel, &'a str) -> BoxFuture<'a, AppResult>;

struct DpApp {
    names: &'static [&'static str],
    engine: Arc<XmlEngine>,
    run: DpFn,
}

impl Application for DpApp {
    fn names(&self) -> &'static [&'static str] {
        self.names
    }
    fn execute<'a>(&'a self, chan: &'a mut Channel, args: &'a str) -> BoxFuture<'a, AppResult> {
        (self.run)(&self.engine, chan, args)
    }
}

/// A name both dialplans use with different arguments: FreeSWITCH's on XML (and inline)
/// channels, the previously registered (Asterisk) one otherwise.
struct Flavoured {
    names: &'static [&'static str],
    engine: Arc<XmlEngine>,
    fs: DpFn,
    asterisk: Arc<dyn Application>,
}

impl Application for Flavoured {
    fn names(&self) -> &'static [&'static str] {
        self.names
    }
    fn execute<'a>(&'a self, chan: &'a mut Channel, args: &'a str) -> BoxFuture<'a, AppResult> {
        match route::flavour(chan) {
            Kind::Asterisk => self.asterisk.execute(chan, args),
            Kind::Xml | Kind::Inline => (self.fs)(&self.engine, chan, args),
        }
    }
}

const APPS: &[(&[&str], DpFn)] = &[
    (&["pre_answer"], call::pre_answer),
    (&["ring_ready"], call::ring_ready),
    (&["respond"], call::respond),
    (&["export"], vars::export),
    (&["unset"], vars::unset),
    (&["multiset"], vars::multiset),
    (&["set_global"], vars::set_global),
    (&["bridge"], bridge::bridge),
    (&["transfer"], flow::transfer),
    (&["execute_extension"], flow::execute_extension),
    (&["info"], info::info),
    (&["event"], info::event),
    (&["db"], db::db_app),
    (&["play_and_get_digits"], digits::play_and_get_digits),
];

/// Same-name applications whose arguments differ between the two worlds.
const FLAVOURED: &[(&[&str], DpFn)] = &[(&["log"], info::log), (&["read"], digits::read)];

/// Registers the dptools on the engine's switch (after the extensions.conf applications).
pub(crate) fn register(engine: &Arc<XmlEngine>) {
    let apps = engine.switch().apps();
    for (names, run) in APPS {
        apps.register(Arc::new(DpApp { names, engine: engine.clone(), run: *run }));
    }
    for (names, fs) in FLAVOURED {
        let fs_app: Arc<dyn Application> = Arc::new(DpApp { names, engine: engine.clone(), run: *fs });
        let app = match apps.get(names[0]) {
            Some(asterisk) => Arc::new(Flavoured { names, engine: engine.clone(), fs: *fs, asterisk }),
            None => fs_app,
        };
        apps.register(app);
    }
}

/// Registers the dptools' API commands (`db`, `cond`).
pub(crate) fn register_commands(engine: &Arc<XmlEngine>) {
    db::register_api(engine);
    info::register_cond(engine);
}
