//! Which dialplan a channel uses. Every channel carries its dialplan type in the `dialplan`
//! variable (FreeSWITCH's `Caller-Dialplan`): `XML` → the XML dialplan, `asterisk` →
//! extensions.conf, `inline` → the inline dialplan (`app:args,app:args`). Without the variable,
//! FreeSWITCH-style technologies (`loopback`, `sofia`, `user`) use XML and the others
//! extensions.conf. When the chosen dialplan has no contexts loaded, the other one is used, so a
//! switch with only one dialplan routes every channel through it.

use std::sync::Arc;

use switchyard_core::app::BoxFuture;
use switchyard_core::dialplan::DialplanEngine;
use switchyard_core::{Channel, HangupCause};

use super::engine::{Pass, XmlEngine};

/// A dialplan type.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// FreeSWITCH XML.
    Xml,
    /// Asterisk extensions.conf (FreeSWITCH's name for its own asterisk-syntax dialplan).
    Asterisk,
    /// FreeSWITCH's inline dialplan: the destination is `app:args,app:args`.
    Inline,
}

impl Kind {
    /// Parses a dialplan name as `originate` and `transfer` take it (case-insensitive).
    pub fn parse(name: &str) -> Option<Self> {
        match name.to_ascii_lowercase().as_str() {
            "xml" => Some(Self::Xml),
            "asterisk" => Some(Self::Asterisk),
            "inline" => Some(Self::Inline),
            _ => None,
        }
    }

    /// The name stored in the `dialplan` variable.
    pub fn name(self) -> &'static str {
        match self {
            Self::Xml => "XML",
            Self::Asterisk => "asterisk",
            Self::Inline => "inline",
        }
    }
}

/// The dialplan the channel asks for (its `dialplan` variable, else its technology).
pub fn requested(chan: &Channel) -> Kind {
    if let Some(kind) = chan.var("dialplan").and_then(Kind::parse) {
        return kind;
    }
    match chan.current().tech.to_ascii_lowercase().as_str() {
        "loopback" | "sofia" | "user" => Kind::Xml,
        _ => Kind::Asterisk,
    }
}

/// The dialplan the channel is running now (recorded by the router), else the one it asks for.
/// FreeSWITCH-named applications that clash with Asterisk ones (`log`, `read`) follow it.
pub fn flavour(chan: &mut Channel) -> Kind {
    match chan.extensions.get_or_default::<Running>().0 {
        Some(kind) => kind,
        None => requested(chan),
    }
}

/// The dialplan a channel's router chose last.
#[derive(Default)]
struct Running(Option<Kind>);

/// Set when extensions.conf handed the channel back to the router.
#[derive(Default)]
struct HandedOff(bool);

/// Asked by the extensions.conf interpreter at every redirect: true (and the router is told) when
/// this router runs the channel through extensions.conf and its `dialplan` variable now names
/// another dialplan (`transfer … XML`, `uuid_transfer … XML`), so extensions.conf lets it go.
pub(crate) fn leaves_asterisk(chan: &mut Channel) -> bool {
    let routed_here = chan.extensions.get_or_default::<Running>().0 == Some(Kind::Asterisk);
    let elsewhere = matches!(chan.var("dialplan").and_then(Kind::parse), Some(Kind::Xml | Kind::Inline));
    let leave = routed_here && elsewhere;
    if leave {
        chan.extensions.get_or_default::<HandedOff>().0 = true;
    }
    leave
}

/// The core's dialplan hook when XML is installed: dispatches each channel.
pub struct Router(pub Arc<XmlEngine>);

impl Router {
    fn effective(&self, chan: &Channel) -> Kind {
        let kind = requested(chan);
        let xml_loaded = !self.0.plan().contexts.is_empty();
        let asterisk_loaded = !self.0.asterisk.plan().contexts.is_empty();
        match kind {
            Kind::Xml if !xml_loaded && asterisk_loaded => Kind::Asterisk,
            Kind::Asterisk if !asterisk_loaded && xml_loaded => Kind::Xml,
            k => k,
        }
    }

    async fn route(&self, chan: &mut Channel) {
        loop {
            let kind = self.effective(chan);
            chan.extensions.get_or_default::<Running>().0 = Some(kind);
            match kind {
                Kind::Asterisk => {
                    crate::interp::run(&self.0.asterisk, chan).await;
                    if !std::mem::take(&mut chan.extensions.get_or_default::<HandedOff>().0) {
                        return;
                    }
                }
                Kind::Xml => {
                    if self.0.run_pass(chan).await == Pass::Done {
                        return;
                    }
                }
                Kind::Inline => {
                    if super::inline::run(&self.0, chan).await == Pass::Done {
                        return;
                    }
                }
            }
            if chan.hangup_cause().is_some() {
                return;
            }
        }
    }
}

impl DialplanEngine for Router {
    fn run<'a>(&'a self, chan: &'a mut Channel) -> BoxFuture<'a, ()> {
        Box::pin(self.route(chan))
    }

    fn run_hangup<'a>(&'a self, chan: &'a mut Channel) -> BoxFuture<'a, ()> {
        Box::pin(crate::interp::run_hangup(&self.0.asterisk, chan))
    }

    /// Known for extensions.conf; with XML loaded a missing extension is unknown (XML conditions
    /// need the channel), an existing one in extensions.conf is enough.
    fn extension_exists(&self, context: &str, exten: &str) -> Option<bool> {
        let in_asterisk = self.0.asterisk.plan().exists(context, exten, "");
        match in_asterisk || self.0.plan().contexts.is_empty() {
            true => Some(in_asterisk),
            false => None,
        }
    }
}

/// Moves the channel to `exten` in `context` of dialplan `kind` and returns the interruption that
/// makes the running dialplan let go (FreeSWITCH's transfer).
pub fn transfer(chan: &mut Channel, exten: &str, kind: Kind, context: &str) -> switchyard_core::Interrupted {
    if chan.var("dialplan") != Some(kind.name()) {
        chan.set_var("dialplan", kind.name());
    }
    if chan.hangup_cause().is_some() {
        return switchyard_core::Interrupted::HungUp(chan.hangup_cause().unwrap_or(HangupCause::NORMAL_CLEARING));
    }
    switchyard_core::Interrupted::Redirected { context: context.to_owned(), exten: exten.to_owned(), priority: 1 }
}
