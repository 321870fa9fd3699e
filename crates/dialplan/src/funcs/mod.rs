//! Dialplan functions (`${FUNC(args)}` reads, `Set(FUNC(args)=value)` writes), by name.

mod channel;
mod db;
mod net;
pub(crate) mod strings;
mod time;

use std::sync::Arc;

use switchyard_core::Channel;

use crate::engine::Engine;

pub(crate) use db::blocking as db_blocking;
pub use strings::{math, uri_decode, uri_encode};
pub use time::strftime;

/// A function call that failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum FuncError {
    /// No such function.
    #[error("unknown function '{0}'")]
    Unknown(String),
    /// The function cannot be read (write-only) or written (read-only).
    #[error("function '{0}' cannot be {1}")]
    Direction(String, &'static str),
    /// Bad arguments.
    #[error("{0}")]
    Bad(String),
}

fn upper(name: &str) -> String {
    name.trim().to_ascii_uppercase()
}

/// `name` upper-cased in `buf` when it fits (function names do), without allocating.
fn upper_in<'b>(name: &str, buf: &'b mut [u8; 32]) -> Option<&'b str> {
    let name = name.trim().as_bytes();
    let out = buf.get_mut(..name.len())?;
    out.copy_from_slice(name);
    out.make_ascii_uppercase();
    std::str::from_utf8(out).ok()
}

/// Reads `name(args)`; `args` is already substituted.
pub(crate) async fn read(
    engine: &Arc<Engine>,
    chan: &mut Channel,
    name: &str,
    args: &str,
) -> Result<String, FuncError> {
    let mut buf = [0u8; 32];
    let n = match upper_in(name, &mut buf) {
        Some(n) => n,
        None => return Err(FuncError::Unknown(upper(name))),
    };
    match n {
        "CHANNEL" => channel::read(chan, args),
        "CALLERID" => channel::callerid_read(chan, args),
        "HANGUPCAUSE" => Ok(channel::hangupcause(chan, args)),
        "TIMEOUT" => channel::timeout_read(chan, args),
        "DB" => db::read(engine, chan, args).await,
        "DB_EXISTS" => db::exists(engine, chan, args).await,
        "DB_DELETE" => db::delete(engine, chan, args).await,
        "DB_KEYS" => db::keys(engine, args).await,
        "GLOBAL" => Ok(chan.switch().globals().get(args.trim()).unwrap_or_default()),
        "LOCAL" => Ok(crate::vars::get(chan, args.trim()).unwrap_or_default()),
        "STRFTIME" => Ok(time::strftime_func(chan, args)),
        "IFTIME" => Ok(iftime(chan, args)),
        "EXCEPTION" => Ok(crate::exception::read(chan, args)),
        "SHELL" => net::shell(args).await,
        "CURL" => net::curl(chan, args).await,
        "CURLOPT" => Ok(net::curlopt_read(chan, args)),
        _ => strings::read(chan, n, args).ok_or_else(|| FuncError::Unknown(n.to_owned())),
    }
}

/// Writes `value` to `name(args)`.
pub(crate) async fn write(
    engine: &Arc<Engine>,
    chan: &mut Channel,
    name: &str,
    args: &str,
    value: &str,
) -> Result<(), FuncError> {
    let n = upper(name);
    match n.as_str() {
        "CHANNEL" => channel::write(engine, chan, args, value),
        "CALLERID" => channel::callerid_write(chan, args, value),
        "TIMEOUT" => channel::timeout_write(chan, args, value).await,
        "DB" => db::write(engine, args, value).await,
        "GLOBAL" => {
            match value {
                "" => chan.switch().globals().unset(args.trim()),
                v => {
                    chan.switch().globals().set(args.trim(), v);
                    true
                }
            };
            Ok(())
        }
        "LOCAL" => {
            crate::apps::gosub::set_local(chan, args.trim(), value);
            Ok(())
        }
        "CURLOPT" => net::curlopt_write(chan, args, value),
        "DB_EXISTS" | "DB_DELETE" | "DB_KEYS" | "LEN" | "CUT" | "IF" | "ISNULL" | "EXISTS" | "RAND" | "MATH"
        | "REGEX" | "REPLACE" | "FILTER" | "TOUPPER" | "TOLOWER" | "URIENCODE" | "URIDECODE" | "STRFTIME" | "SHELL"
        | "CURL" | "HANGUPCAUSE" | "IFTIME" | "EXCEPTION" => Err(FuncError::Direction(n, "written")),
        _ => Err(FuncError::Unknown(n)),
    }
}

/// `IFTIME(timespec?true[:false])` against the switch's clock, in the spec's zone or the machine's.
fn iftime(chan: &Channel, args: &str) -> String {
    let now = chan.switch().now().0 / 1_000_000;
    let (spec, branches) = args.split_once('?').unwrap_or((args, ""));
    let (yes, no) = branches.split_once(':').unwrap_or((branches, ""));
    (if crate::timespec::matches(spec, now) { yes } else { no }).to_owned()
}

/// Function names this engine knows (for load-time checks).
pub const NAMES: &[&str] = &[
    "CHANNEL",
    "CALLERID",
    "HANGUPCAUSE",
    "TIMEOUT",
    "DB",
    "DB_EXISTS",
    "DB_DELETE",
    "DB_KEYS",
    "GLOBAL",
    "LOCAL",
    "STRFTIME",
    "IFTIME",
    "EXCEPTION",
    "SHELL",
    "CURL",
    "CURLOPT",
    "LEN",
    "CUT",
    "IF",
    "ISNULL",
    "EXISTS",
    "RAND",
    "MATH",
    "REGEX",
    "REPLACE",
    "FILTER",
    "TOUPPER",
    "TOLOWER",
    "URIENCODE",
    "URIDECODE",
];
