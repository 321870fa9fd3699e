//! The channel technologies `SIP`, `PJSIP`, `sofia` and `user`, and the endpoint that links a
//! channel to its SIP call: local events go to the driver, remote actions come back via the handle.

use std::sync::Arc;

use switchyard_core::ChannelHandle;
use switchyard_core::media::MediaPort;
use switchyard_core::switch::Switch;
use switchyard_core::tech::{DialStringError, Endpoint, LocalEvent, Tech};
use tokio::sync::mpsc;
use tokio::time::Instant;

use crate::dialstring::{self, Route};
use crate::driver::{DriverMsg, Shared};
use crate::engine::{CallEvent, CallKey};
use crate::media::MediaLeg;

/// One of the SIP technology names.
pub struct SipTech {
    name: &'static str,
    shared: Arc<Shared>,
}

impl SipTech {
    /// The four techs over one driver.
    pub(crate) fn all(shared: &Arc<Shared>) -> Vec<SipTech> {
        ["SIP", "PJSIP", "sofia", "user"].into_iter().map(|name| SipTech { name, shared: shared.clone() }).collect()
    }
}

impl Tech for SipTech {
    fn name(&self) -> &'static str {
        self.name
    }

    fn request(&self, _switch: &Switch, resource: &str) -> Result<Box<dyn Endpoint>, DialStringError> {
        let route = dialstring::parse(self.name, resource, &|name| self.shared.trunks.contains_key(name))?;
        if let Route::Trunk { trunk, .. } = &route
            && !self.shared.trunks.contains_key(trunk)
        {
            return Err(DialStringError::BadValue {
                option: "trunk".into(),
                dial: format!("{}/{resource}", self.name),
                reason: format!("no [[sip.trunks]] named '{trunk}'"),
            });
        }
        let leg = self.shared.media.open().map_err(|reason| DialStringError::BadValue {
            option: "media".into(),
            dial: format!("{}/{resource}", self.name),
            reason,
        })?;
        let key = self.shared.next_key();
        let port = leg.port();
        let (fs_style, pjsip) = (matches!(self.name, "sofia" | "user"), self.name == "PJSIP");
        let plan = Some(Plan { route, leg, fs_style, pjsip });
        Ok(Box::new(SipEndpoint { key, tx: self.shared.tx.clone(), port, plan, own: None }))
    }

    fn channel_name(&self, resource: &str, n: u32) -> String {
        match self.name {
            "sofia" => format!("sofia/{resource}"),
            "user" => {
                let user = resource.split('@').next().unwrap_or(resource);
                match self.shared.location_of(user) {
                    Some(b) => format!("sofia/internal/{user}@{}", b.source),
                    None => format!("sofia/internal/{user}"),
                }
            }
            _ => {
                let end = resource.find(['@', '/']).unwrap_or(resource.len());
                format!("{}/{}-{n:08x}", self.name, &resource[..end])
            }
        }
    }
}

/// What an outgoing call will do when the switch dials.
pub(crate) struct Plan {
    pub route: Route,
    pub leg: Box<dyn MediaLeg>,
    pub fs_style: bool,
    /// Dialed as `PJSIP/` (chan_pjsip's causes where they differ from chan_sip's).
    pub pjsip: bool,
}

/// The far end of a SIP channel.
pub(crate) struct SipEndpoint {
    pub key: CallKey,
    pub tx: mpsc::UnboundedSender<DriverMsg>,
    pub port: Option<Arc<dyn MediaPort>>,
    pub plan: Option<Plan>,
    pub own: Option<ChannelHandle>,
}

impl SipEndpoint {
    fn event(&self, event: CallEvent) {
        let _ = self.tx.send(DriverMsg::Local { key: self.key, event });
    }
}

impl Endpoint for SipEndpoint {
    fn bind(&mut self, own: &ChannelHandle) {
        self.own = Some(own.clone());
    }

    fn next_deadline(&self) -> Option<Instant> {
        None
    }

    fn on_deadline(&mut self, _now: Instant) -> Option<switchyard_core::tech::RemoteAction> {
        None
    }

    fn on_local(&mut self, event: LocalEvent, _now: Instant) {
        match event {
            LocalEvent::Dialing => {
                let (Some(plan), Some(handle)) = (self.plan.take(), self.own.clone()) else { return };
                let _ = self.tx.send(DriverMsg::Originate { key: self.key, plan, handle });
            }
            LocalEvent::Up => self.event(CallEvent::Answer),
            LocalEvent::Hangup(cause) => self.event(CallEvent::Hangup(cause)),
        }
    }

    fn on_ringing(&mut self, _now: Instant) -> bool {
        self.event(CallEvent::Ringing);
        true
    }

    fn on_progress(&mut self, _now: Instant) {
        self.event(CallEvent::Progress);
    }

    fn on_indicate(&mut self, cause: switchyard_core::HangupCause, _now: Instant) {
        self.event(CallEvent::Hangup(cause));
    }

    fn media_mode(&self) -> &'static str {
        if self.port.is_some() { "rtp" } else { "sip" }
    }

    fn media(&self) -> Option<Arc<dyn MediaPort>> {
        self.port.clone()
    }
}
