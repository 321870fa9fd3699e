//! Log output: human-readable by default, JSON lines with `--log-format json`; `RUST_LOG` filters.

use tracing_subscriber::EnvFilter;
use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::util::SubscriberInitExt;

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
    let stderr = tracing_subscriber::fmt::layer().with_writer(std::io::stderr);
    // Event Socket `log <level>` listeners see the same lines (see log_feed.rs).
    let registry = tracing_subscriber::registry().with(filter).with(crate::log_feed::EslLogFeed);
    let _ = if json { registry.with(stderr.json()).try_init() } else { registry.with(stderr).try_init() };
}
