//! `reloadxml`: compile every XML dialplan file again and swap atomically; a bad file keeps the
//! old dialplan. The reply is FreeSWITCH's `+OK [Success]` (its reply carries the error text in
//! the brackets instead when the XML cannot be read, still after `+OK`).

use std::sync::Arc;

use switchyard_core::Switch;
use switchyard_core::app::BoxFuture;
use switchyard_core::command::{Command, CommandOutput, CommandSpec, Flavor};

use super::engine::XmlEngine;

static RELOADXML: CommandSpec =
    CommandSpec { name: "reloadxml", syntax: "", summary: "Reload XML", usage: "", flavor: Flavor::FreeSwitch };

struct ReloadXml(Arc<XmlEngine>);

pub(super) fn register(engine: &Arc<XmlEngine>) {
    engine.switch().commands().register(Arc::new(ReloadXml(engine.clone())));
    crate::dptools::register_commands(engine);
}

impl Command for ReloadXml {
    fn spec(&self) -> &'static CommandSpec {
        &RELOADXML
    }

    fn run<'a>(&'a self, _sw: &'a Switch, _args: &'a [String]) -> BoxFuture<'a, CommandOutput> {
        Box::pin(async move {
            match self.0.reload() {
                Ok(n) => {
                    tracing::info!("reloadxml: {n} XML dialplan extension(s) loaded");
                    CommandOutput::ok("+OK [Success]\n")
                }
                Err(e) => {
                    tracing::error!("reloadxml: {e} (the previous XML dialplan stays in force)");
                    CommandOutput::ok(format!("+OK [{e}]\n"))
                }
            }
        })
    }
}
