//! FreeSWITCH's `status`: uptime, readiness, session counts and rates.

use std::fmt::Write;
use std::sync::Arc;

use super::{Command, CommandOutput, CommandRegistry, CommandSpec, Flavor, uptime_parts};
use crate::app::BoxFuture;
use crate::switch::Switch;

/// The FreeSWITCH release whose behaviour Switchyard follows, printed so version-sniffing clients work.
pub const FREESWITCH_COMPAT: &str = "1.11.1";

/// FreeSWITCH's default `max-sessions-per-second`, printed as the rate limit.
const MAX_SESSIONS_PER_SEC: u32 = 1000;

pub(super) fn register(reg: &CommandRegistry) {
    reg.register(Arc::new(Status));
}

static STATUS: CommandSpec =
    CommandSpec { name: "status", syntax: "", summary: "status", usage: "", flavor: Flavor::FreeSwitch };

fn plural(n: i64) -> &'static str {
    if n == 1 { "" } else { "s" }
}

struct Status;
impl Command for Status {
    fn spec(&self) -> &'static CommandSpec {
        &STATUS
    }
    fn run<'a>(&'a self, sw: &'a Switch, _args: &'a [String]) -> BoxFuture<'a, CommandOutput> {
        Box::pin(async move { CommandOutput::ok(status_text(sw)) })
    }
}

fn status_text(sw: &Switch) -> String {
    let now = sw.now();
    let [y, d, h, m, s, ms, us] = uptime_parts(now.0 - sw.started().0);
    let stats = sw.stats();
    let active = sw.channels().len() as u64;
    let (rate, peak_rate, rate_5min) = stats.rates(now);
    let ready = if sw.is_shutting_down() { "not ready" } else { "ready" };
    let mut out = String::new();
    let _ = writeln!(
        out,
        "UP {y} year{}, {d} day{}, {h} hour{}, {m} minute{}, {s} second{}, {ms} millisecond{}, {us} microsecond{}",
        plural(y),
        plural(d),
        plural(h),
        plural(m),
        plural(s),
        plural(ms),
        plural(us)
    );
    let version = &sw.info().version;
    let _ = writeln!(out, "FreeSWITCH (Version {FREESWITCH_COMPAT}-switchyard-{version}  64bit) is {ready}");
    let _ = writeln!(out, "{} session(s) since startup", stats.sessions_since_startup());
    let _ = writeln!(out, "{active} session(s) - peak {}, last 5min {} ", stats.peak(), stats.peak_last_5min(now));
    let _ = writeln!(
        out,
        "{rate} session(s) per Sec out of max {MAX_SESSIONS_PER_SEC}, peak {peak_rate}, last 5min {rate_5min} "
    );
    let _ = writeln!(out, "{} session(s) max", sw.max_channels());
    let _ = writeln!(out, "min idle cpu 0.00/{:.2}", sw.idle_cpu());
    let _ = writeln!(out, "Current Stack Size/Max 2048K/2048K");
    out
}
