//! The FreeSWITCH XML dialplan front-end: files (with `X-PRE-PROCESS` and `$${globals}`) parsed
//! into the XML IR (`model`), hunted and executed with FreeSWITCH's two-phase semantics
//! (`hunt`, `engine`), `${…}` expansion (`expand`), time conditions (`time`), the per-channel
//! choice between XML and extensions.conf (`route`), and `reloadxml` (`commands`).

mod commands;
mod engine;
mod env;
pub mod expand;
pub mod glob;
pub mod hunt;
pub mod index;
pub mod inline;
pub mod model;
pub mod parse;
pub mod route;
pub mod time;

#[cfg(test)]
mod tests;

use std::path::PathBuf;
use std::sync::Arc;

pub use engine::XmlEngine;
pub use env::{lookup, profile_field};
pub use model::XmlDialplan;
pub use route::{Kind, Router};

use crate::engine::Engine;
use crate::error::DialplanError;

/// Loads every file matching `patterns` (in order; each pattern's matches sorted).
pub fn load_files(patterns: &[PathBuf]) -> Result<XmlDialplan, DialplanError> {
    let mut loader = parse::Loader::default();
    for pattern in patterns {
        for file in glob::expand(pattern) {
            loader.load_file(&file)?;
        }
    }
    Ok(loader.finish())
}

/// Parses one document given as text (tests, benchmarks, fuzzing); includes resolve from the
/// working directory.
pub fn parse_str(file: &str, text: &str) -> Result<XmlDialplan, DialplanError> {
    let mut loader = parse::Loader::default();
    loader.parse(file, text, None)?;
    Ok(loader.finish())
}

/// Parses text from an untrusted source: like [`parse_str`], but `X-PRE-PROCESS cmd="include"` is
/// an error instead of reading files.
pub fn parse_untrusted(file: &str, text: &str) -> Result<XmlDialplan, DialplanError> {
    let mut loader = parse::Loader::default();
    loader.no_includes = true;
    loader.parse(file, text, None)?;
    Ok(loader.finish())
}

/// Validates XML dialplan files (`switchyard check`): Ok with warnings (unknown applications),
/// or the first error.
pub fn check(patterns: &[PathBuf]) -> Result<Vec<String>, DialplanError> {
    let plan = load_files(patterns)?;
    Ok(unknown_apps(&plan))
}

/// One warning per action naming an application this switch does not have.
pub fn unknown_apps(plan: &XmlDialplan) -> Vec<String> {
    let known: Vec<String> = crate::apps::known_names()
        .chain(crate::dptools::NAMES.iter().copied())
        .chain(PROVIDED_ELSEWHERE.iter().copied())
        .map(str::to_ascii_lowercase)
        .collect();
    let mut out: Vec<String> = plan
        .actions()
        .filter(|a| !a.app.contains("${") && !known.contains(&a.app.to_ascii_lowercase()))
        .map(|a| {
            format!(
                "{}:{}: unknown application '{}' (the call will hang up there)",
                a.source.file, a.source.line, a.app
            )
        })
        .collect();
    out.sort();
    out.dedup();
    out
}

/// FreeSWITCH applications other crates of the switch register (media, scheduler, Event Socket,
/// Lua, conference), known here so checks do not call them unknown.
const PROVIDED_ELSEWHERE: &[&str] = &[
    "socket",
    "sched_hangup",
    "sched_transfer",
    "sched_broadcast",
    "sched_cancel",
    "playback",
    "endless_playback",
    "record",
    "record_session",
    "echo",
    "send_dtmf",
    "lua",
    "conference",
];

/// Loads the XML files and installs the XML dialplan next to the extensions.conf `asterisk`
/// engine: the router becomes the switch's dialplan, the dptools and `reloadxml` are registered.
pub fn install(asterisk: &Arc<Engine>, patterns: &[PathBuf]) -> Result<Arc<XmlEngine>, DialplanError> {
    let plan = load_files(patterns)?;
    Ok(install_plan(asterisk, plan, patterns))
}

/// Installs an already built XML dialplan (tests, benchmarks); `patterns` are read again by `reloadxml`.
pub fn install_plan(asterisk: &Arc<Engine>, plan: XmlDialplan, patterns: &[PathBuf]) -> Arc<XmlEngine> {
    for warning in unknown_apps(&plan) {
        tracing::warn!("{warning}");
    }
    let engine = XmlEngine::new(asterisk.clone(), XmlDialplan::default(), patterns.to_vec());
    engine.swap(plan);
    crate::dptools::register(&engine);
    commands::register(&engine);
    let switch = engine.switch().clone();
    switch.set_dialplan(Arc::new(Router(engine.clone())));
    engine
}
