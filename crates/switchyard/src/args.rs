//! The command line: `switchyard [run|check|cli|bench]` and what each mode needs.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Context;
use clap::{Parser, Subcommand, ValueEnum};

use crate::config::{self, Config};

/// Switchyard: one switch speaking Asterisk AMI/dialplan and FreeSWITCH ESL over the same calls.
#[derive(Parser, Debug)]
#[command(name = "switchyard", version, about)]
pub struct Args {
    #[command(subcommand)]
    pub mode: Option<Mode>,
    /// Log format (overrides `general.log_format`).
    #[arg(long, global = true, value_enum)]
    pub log_format: Option<LogFormatArg>,
}

/// `--log-format`.
#[derive(Clone, Copy, Debug, ValueEnum)]
pub enum LogFormatArg {
    Human,
    Json,
}

/// What to do.
#[derive(Subcommand, Debug)]
pub enum Mode {
    /// Run the switch (the default, on the embedded default config).
    Run {
        /// Config file (TOML). Without it, the embedded default is used.
        #[arg(long, short)]
        config: Option<PathBuf>,
    },
    /// Validate a config file (and the dialplan files it names) without starting.
    Check {
        /// Config file (TOML).
        #[arg(long, short)]
        config: Option<PathBuf>,
        /// More config files to check.
        files: Vec<PathBuf>,
    },
    /// Run console commands against the running switch (interactive without -x).
    Cli {
        /// Config file of the running switch (to find its data directory).
        #[arg(long, short)]
        config: Option<PathBuf>,
        /// Run one command and exit.
        #[arg(short = 'x', long = "execute")]
        execute: Option<String>,
    },
    /// Load runs against an in-process switch.
    Bench {
        #[command(subcommand)]
        what: crate::bench::BenchKind,
    },
}

/// Runs the chosen mode.
pub fn dispatch(args: Args) -> anyhow::Result<ExitCode> {
    match args.mode.unwrap_or(Mode::Run { config: None }) {
        Mode::Run { config } => {
            let cfg = load(config.as_deref())?;
            crate::logging::init(args.log_format, cfg.general.log_format);
            crate::server::run(cfg, config.is_none())?;
            Ok(ExitCode::SUCCESS)
        }
        Mode::Check { config, files } => Ok(check(config.into_iter().chain(files))),
        Mode::Cli { config, execute } => {
            let cfg = load(config.as_deref())?;
            crate::cli_client::run(&cfg.general.data_dir, execute.as_deref())
        }
        Mode::Bench { what } => {
            crate::logging::init(args.log_format, config::LogFormat::Human);
            crate::bench::run(what)
        }
    }
}

/// The config from `path`, or the embedded default.
pub fn load(path: Option<&Path>) -> anyhow::Result<Config> {
    match path {
        Some(p) => config::load_file(p).with_context(|| "invalid configuration".to_owned()),
        None => Ok(config::embedded_default()),
    }
}

/// Both dialplans of a config: warnings, or the first error (which names file:line).
fn check_dialplans(cfg: &Config) -> Result<Vec<String>, switchyard_dialplan::DialplanError> {
    let mut warnings = switchyard_dialplan::check(&cfg.dialplan.asterisk)?;
    warnings.extend(switchyard_dialplan::fsxml::check(&cfg.dialplan.freeswitch)?);
    if let Some(path) = &cfg.dialplan.features {
        warnings.extend(switchyard_dialplan::astconf::load_features(path)?.1);
    }
    Ok(warnings)
}

fn check(files: impl Iterator<Item = PathBuf>) -> ExitCode {
    let mut failed = false;
    let mut any = false;
    for file in files {
        any = true;
        match config::check_file(&file) {
            Ok(cfg) => match check_dialplans(&cfg) {
                Ok(warnings) => {
                    warnings.iter().for_each(|w| eprintln!("warning: {w}"));
                    println!("{}: OK", file.display());
                }
                Err(e) => {
                    eprintln!("{e}");
                    failed = true;
                }
            },
            Err(e) => {
                eprintln!("{e}");
                failed = true;
            }
        }
    }
    if !any {
        eprintln!("switchyard check: name a config file: switchyard check --config switchyard.toml");
        return ExitCode::from(2);
    }
    if failed { ExitCode::FAILURE } else { ExitCode::SUCCESS }
}
