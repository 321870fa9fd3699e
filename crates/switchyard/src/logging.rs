//! Log output: human-readable by default, JSON lines with `--log-format json`; `RUST_LOG` filters.

use tracing_subscriber::EnvFilter;

use crate::args::LogFormatArg;
use crate::config::LogFormat;

/// Installs the global subscriber (stderr).
pub fn init(flag: Option<LogFormatArg>, configured: LogFormat) {
    let json = match flag {
        Some(LogFormatArg::Json) => true,
        Some(LogFormatArg::Human) => false,
        None => configured == LogFormat::Json,
    };
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info"));
    let builder = tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr);
    let _ = if json { builder.json().try_init() } else { builder.try_init() };
}
