//! Feeds log events to Event Socket connections that sent `log <level>` (as `log/data` frames).

use std::fmt::Write;

use switchyard_esl::logs::{LogLine, has_listeners, publish};
use tracing::field::{Field, Visit};
use tracing::{Event, Level, Subscriber};
use tracing_subscriber::layer::{Context, Layer};

/// The tracing layer; it formats nothing while no connection listens.
pub struct EslLogFeed;

impl<S: Subscriber> Layer<S> for EslLogFeed {
    fn on_event(&self, event: &Event<'_>, _ctx: Context<'_, S>) {
        if !has_listeners() {
            return;
        }
        let meta = event.metadata();
        let mut text = Text::default();
        event.record(&mut text);
        let (level, name) = fs_level(*meta.level());
        let file = meta.file().unwrap_or("").rsplit('/').next().unwrap_or("").to_owned();
        let line = meta.line().unwrap_or(0);
        let stamp = switchyard_core::command::format_utc(switchyard_core::Clock::now(&switchyard_core::SystemClock));
        let text = format!("{stamp} [{name}] {file}:{line} {}\n", text.0);
        publish(LogLine { level, file, func: meta.target().to_owned(), line, text });
    }
}

/// FreeSWITCH's level number and name for a tracing level.
fn fs_level(level: Level) -> (u8, &'static str) {
    match level {
        Level::ERROR => (3, "ERR"),
        Level::WARN => (4, "WARNING"),
        Level::INFO => (6, "INFO"),
        Level::DEBUG | Level::TRACE => (7, "DEBUG"),
    }
}

/// The message, then `key=value` for the other fields.
#[derive(Default)]
struct Text(String);

impl Visit for Text {
    fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
        if field.name() == "message" {
            let _ = write!(self.0, "{value:?}");
        } else {
            let _ = write!(self.0, " {}={value:?}", field.name());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tracing_levels_map_to_freeswitch_levels() {
        assert_eq!(fs_level(Level::WARN), (4, "WARNING"));
        assert_eq!(fs_level(Level::TRACE), (7, "DEBUG"));
    }
}
