//! Switchyard dialplans: the IR and interpreter (apps, functions, expressions, hangup handlers,
//! Gosub), the `extensions.conf` front-end, AstDB and dialplan console commands, and `Local/`
//! channels. It plugs into the core through `DialplanEngine`, the app/tech/command registries; it
//! does not read the switch's config (the binary passes file paths) and owns no sockets.
#![forbid(unsafe_code)]

pub mod apps;
pub mod args;
pub mod astconf;
pub mod commands;
pub mod dptools;
pub mod engine;
pub mod error;
mod exception;
pub mod expr;
pub mod fsxml;
pub mod funcs;
pub mod handlers;
mod interp;
pub mod ir;
pub mod local;
mod local_optimize;
pub mod localtime;
pub mod pattern;
mod state;
mod subst;
pub mod template;
pub mod timespec;
pub mod vars;

use std::path::PathBuf;
use std::sync::Arc;

use switchyard_core::Switch;
use switchyard_store::Store;

pub use engine::{Engine, EngineHook};
pub use error::DialplanError;
pub use ir::Dialplan;

/// Loads the `extensions.conf` files and installs everything on `switch`: the engine (as the
/// switch's dialplan), the applications, the console commands and the `Local` technology.
pub fn install(switch: &Switch, store: Arc<dyn Store>, files: &[PathBuf]) -> Result<Arc<Engine>, DialplanError> {
    let plan = astconf::load_files(files)?;
    Ok(install_plan(switch, store, plan, files))
}

/// Installs an already built dialplan (tests, benchmarks, other front-ends); `files` are read
/// again by `dialplan reload`.
pub fn install_plan(switch: &Switch, store: Arc<dyn Store>, plan: Dialplan, files: &[PathBuf]) -> Arc<Engine> {
    for warning in unknown_apps(&plan) {
        tracing::warn!("{warning}");
    }
    let engine = Engine::new(switch.clone(), store, Dialplan::default(), files.to_vec());
    engine.swap(plan);
    apps::register(switch, &engine);
    commands::register(switch, &engine);
    switch.techs().register(Arc::new(local::LocalTech));
    switch.set_dialplan(Arc::new(EngineHook(engine.clone())));
    engine
}

/// Validates dialplan files without a switch (`switchyard check`): Ok with warnings (unknown
/// applications), or the first error.
pub fn check(files: &[PathBuf]) -> Result<Vec<String>, DialplanError> {
    let plan = astconf::load_files(files)?;
    Ok(unknown_apps(&plan))
}

/// Applications the binary registers from other crates (the Event Socket's `socket`, the scheduler's
/// apps), known here so that `switchyard check` and load warnings do not call them unknown.
const PROVIDED_BY_OTHER_CRATES: &[&str] =
    &["Socket", "sched_hangup", "sched_transfer", "sched_broadcast", "sched_cancel"];

/// One warning per use of an application or function this switch does not have.
pub fn unknown_apps(plan: &Dialplan) -> Vec<String> {
    let provided_elsewhere = PROVIDED_BY_OTHER_CRATES.iter().copied();
    let known: Vec<String> = apps::known_names().chain(provided_elsewhere).map(str::to_ascii_lowercase).collect();
    let mut out = Vec::new();
    for p in plan.apps() {
        if !known.contains(&p.app.to_ascii_lowercase()) {
            out.push(format!(
                "{}:{}: unknown application '{}' (the call will hang up there)",
                p.source.file, p.source.line, p.app
            ));
        }
        let mut names = Vec::new();
        function_names(&p.template, &mut names);
        if p.app.eq_ignore_ascii_case("Set") {
            names.extend(p.args.split_once('=').and_then(|(n, _)| n.split_once('(')).map(|(f, _)| f.trim().to_owned()));
        }
        for f in names.into_iter().filter(|f| !funcs::NAMES.contains(&f.to_ascii_uppercase().as_str())) {
            out.push(format!("{}:{}: unknown function '{f}' (it reads as empty)", p.source.file, p.source.line));
        }
    }
    out.sort();
    out.dedup();
    out
}

/// Names of functions called as `${NAME(…)}` with a literal name.
fn function_names(t: &template::Template, out: &mut Vec<String>) {
    for piece in &t.0 {
        match piece {
            template::Piece::Var(inner) => {
                if let Some(template::Piece::Lit(text)) = inner.0.first()
                    && let Some((name, _)) = text.split_once('(')
                    && !name.is_empty()
                    && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
                {
                    out.push(name.to_owned());
                }
                function_names(inner, out);
            }
            template::Piece::Expr(inner) => function_names(inner, out),
            template::Piece::Lit(_) => {}
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn unknown_applications_and_functions_are_reported_with_their_line() {
        let text = "[c]\nexten => 1,1,Queue(x)\nsame => n,Set(A=${NOPE(1)}${LEN(x)})\nsame => n,Set(BAD(x)=1)\nsame => n,NoOp(${ARG1})\n";
        let plan = crate::astconf::parse_str("x.conf", text).unwrap();
        assert_eq!(
            super::unknown_apps(&plan),
            vec![
                "x.conf:2: unknown application 'Queue' (the call will hang up there)",
                "x.conf:3: unknown function 'NOPE' (it reads as empty)",
                "x.conf:4: unknown function 'BAD' (it reads as empty)",
            ]
        );
    }
}
