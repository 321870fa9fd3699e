//! Errors of the media engine's I/O side.

use std::net::IpAddr;
use std::ops::RangeInclusive;

/// Why the engine could not start or open a session.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum MediaError {
    /// The configured port range is unusable.
    #[error("RTP port range {0:?} must start on an even port and hold at least two ports")]
    BadRange(RangeInclusive<u16>),
    /// Every port pair in the range is taken.
    #[error("no free RTP port pair in {range:?} on {ip}")]
    NoFreePort {
        /// The address tried.
        ip: IpAddr,
        /// The range tried.
        range: RangeInclusive<u16>,
    },
    /// The engine was started outside a tokio runtime.
    #[error("the media engine needs a tokio runtime")]
    NoRuntime,
    /// A socket operation failed.
    #[error("RTP socket: {0}")]
    Io(#[from] std::io::Error),
}
