//! Channel technologies: a tech turns a dial-string resource into an endpoint (the far end of a channel).

mod dialstring;
mod duration;
mod loopback;
mod null;
mod sim;

use std::collections::HashMap;
use std::sync::Arc;

use tokio::time::Instant;

use crate::cause::HangupCause;

pub use dialstring::{DialString, DialStringError};
pub use duration::{DurationError, parse_duration};
pub use loopback::{LoopbackSpec, LoopbackTech};
pub use null::NullTech;
pub use sim::{SimSpec, SimTech};

/// Something the far end did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RemoteAction {
    /// It is ringing (180).
    Ringing,
    /// Early media (183).
    Progress,
    /// It answered (200).
    Answer,
    /// It refused the call before answer (busy, congestion, unavailable…).
    Reject(HangupCause),
    /// It hung up.
    Hangup(HangupCause),
    /// It sent a whole DTMF digit (start and end at once, default duration).
    Dtmf(char),
    /// A DTMF digit started (RFC 4733 first event packet); `DtmfEnd` follows.
    DtmfBegin(char),
    /// The digit that began with `DtmfBegin` ended after this many milliseconds.
    DtmfEnd(char, u32),
}

/// Something the local side did that the far end may react to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LocalEvent {
    /// The switch started calling the far end (outbound channels).
    Dialing,
    /// The call is up: the switch answered an inbound call or the far end answered ours.
    Up,
    /// The switch hung up with this cause.
    Hangup(HangupCause),
}

/// The far end of a channel, driven by time and by local events. Sans-io: it is told the time.
pub trait Endpoint: Send + 'static {
    /// Called once, right after the channel is created, with its own handle (a far end that is
    /// another channel, like a Local or loopback pair, keeps it to report back).
    fn bind(&mut self, _own: &crate::channel::ChannelHandle) {}
    /// Called once the channel is announced (`ChannelCreate` published), before its task runs: a
    /// Local `;1` creates its `;2` here, as Asterisk creates both legs at request time.
    fn on_created(&mut self, _now: Instant) {}
    /// When the far end next wants to act, if ever.
    fn next_deadline(&self) -> Option<Instant>;
    /// The deadline has come: what the far end does now.
    fn on_deadline(&mut self, now: Instant) -> Option<RemoteAction>;
    /// The local side did something.
    fn on_local(&mut self, event: LocalEvent, now: Instant);
    /// The local side sent a DTMF digit to the far end (Asterisk `SendDTMF`); ignored by default.
    fn on_dtmf(&mut self, _digit: char, _now: Instant) {}
    /// The local side indicated busy or congestion before answer (Asterisk `Busy`, `Congestion`);
    /// ignored by default.
    fn on_indicate(&mut self, _cause: crate::cause::HangupCause, _now: Instant) {}
    /// The local side indicated ringing before answer (Asterisk `Ringing`, or `Dial` relaying a
    /// callee's ringing). Returns true when the channel itself then shows `Ringing` (a phone line,
    /// the default); a far end that only passes the indication on (a Local `;2` to its `;1`) returns
    /// false, as Asterisk changes the state of `;1`, not of `;2`.
    fn on_ringing(&mut self, _now: Instant) -> bool {
        true
    }
    /// The local side indicated progress (early media) before answer; ignored by default.
    fn on_progress(&mut self, _now: Instant) {}
    /// The channel entered a bridge (its `Bridge` event is published); a Local pair checks here
    /// whether it can optimise itself away. Ignored by default.
    fn on_bridged(&mut self, _now: Instant) {}
    /// How the far end treats media (for `core show channel` and the media layer later).
    fn media_mode(&self) -> &'static str {
        "none"
    }
    /// The far end's media, if it carries any (SIP with RTP); read once when the channel is created.
    fn media(&self) -> Option<std::sync::Arc<dyn crate::media::MediaPort>> {
        None
    }
}

/// A channel technology (`sim`, `null`, later `SIP`, `PJSIP`, `sofia`, `Local`, `loopback`).
pub trait Tech: Send + Sync + 'static {
    /// The technology name as written in dial strings.
    fn name(&self) -> &'static str;
    /// Checks a resource and builds the far end for it.
    fn request(&self, switch: &crate::switch::Switch, resource: &str) -> Result<Box<dyn Endpoint>, DialStringError>;
    /// The channel name for `resource` and the switch-wide counter `n`; Asterisk style by default
    /// (`sim/alice-00000001`).
    fn channel_name(&self, resource: &str, n: u32) -> String {
        let end = resource.find(['?', '@', '/', ';']).unwrap_or(resource.len());
        format!("{}/{}-{n:08x}", self.name(), &resource[..end])
    }
}

/// The technologies known to the switch, by case-insensitive name.
#[derive(Default)]
pub struct TechRegistry {
    techs: parking_lot::RwLock<HashMap<String, Arc<dyn Tech>>>,
}

impl TechRegistry {
    /// A registry with the built-in `sim` and `null` technologies.
    pub fn with_builtins() -> Self {
        let reg = Self::default();
        reg.register(Arc::new(SimTech));
        reg.register(Arc::new(NullTech));
        reg.register(Arc::new(LoopbackTech));
        reg
    }

    /// Adds (or replaces) a technology.
    pub fn register(&self, tech: Arc<dyn Tech>) {
        self.techs.write().insert(tech.name().to_ascii_lowercase(), tech);
    }

    /// Finds a technology.
    pub fn get(&self, name: &str) -> Option<Arc<dyn Tech>> {
        self.techs.read().get(&name.to_ascii_lowercase()).cloned()
    }

    /// Known names, sorted.
    pub fn names(&self) -> Vec<String> {
        let mut names: Vec<_> = self.techs.read().keys().cloned().collect();
        names.sort();
        names
    }
}
