//! `Local/exten@context[/n]`: a pair of channels. `;1` is the outbound leg the dialer holds; `;2`
//! is created with it (as Asterisk's request does) and runs the dialplan at `exten@context` once `;1`
//! is dialed. Answer, hangup and
//! DTMF cross between the legs, and busy/congestion from `;2` reject `;1`; `;2` inherits `;1`'s variables.
//! Without `/n` the pair optimises itself away once both legs are bridged (see `local_optimize`).

use std::sync::Arc;
use std::sync::atomic::AtomicBool;

use switchyard_core::channel::ChannelHandle;
use switchyard_core::tech::{DialStringError, Endpoint, LocalEvent, RemoteAction, Tech};
use switchyard_core::{EventKind, HangupCause, InboundCall, LocalBridgeEvent, OriginateTarget, Switch};
use tokio::time::Instant;

/// The `Local` technology.
pub struct LocalTech;

/// `exten@context[/n]` parsed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LocalSpec {
    /// Extension.
    pub exten: String,
    /// Context (`default` when not given).
    pub context: String,
    /// `/n`: no optimisation (both legs stay).
    pub no_optimize: bool,
}

impl LocalSpec {
    /// Parses the resource of a `Local/` dial string.
    pub fn parse(resource: &str) -> Result<Self, DialStringError> {
        let (main, opts) = resource.split_once('/').unwrap_or((resource, ""));
        let (exten, context) = main.split_once('@').unwrap_or((main, "default"));
        if exten.is_empty() {
            return Err(DialStringError::Malformed(format!("Local/{resource}")));
        }
        let context = if context.is_empty() { "default" } else { context };
        Ok(Self { exten: exten.to_owned(), context: context.to_owned(), no_optimize: opts.contains('n') })
    }
}

impl Tech for LocalTech {
    fn name(&self) -> &'static str {
        "Local"
    }

    fn request(&self, switch: &Switch, resource: &str) -> Result<Box<dyn Endpoint>, DialStringError> {
        let spec = LocalSpec::parse(resource)?;
        let begun = Arc::new(AtomicBool::new(false));
        Ok(Box::new(LocalOne {
            switch: switch.clone(),
            spec,
            own: None,
            two: None,
            start: None,
            release: false,
            pending: Vec::new(),
            begun,
        }))
    }

    fn channel_name(&self, resource: &str, n: u32) -> String {
        let main = resource.split('/').next().unwrap_or(resource);
        format!("Local/{main}-{n:08x};1")
    }
}

/// The far end of `;1`: the `;2` channel.
struct LocalOne {
    switch: Switch,
    spec: LocalSpec,
    own: Option<ChannelHandle>,
    two: Option<ChannelHandle>,
    /// Starts `;2`'s dialplan (it exists from the request, as in Asterisk).
    start: Option<tokio::sync::oneshot::Sender<()>>,
    /// `;1` was dialed: `;2` starts once `;1` waits (after its `DialBegin`).
    release: bool,
    pending: Vec<RemoteAction>,
    /// Shared with `;2`: set once the pair's optimisation began.
    begun: Arc<AtomicBool>,
}

impl LocalOne {
    fn spawn_two(&mut self) {
        let Some(own) = &self.own else { return };
        let snap = own.snapshot();
        let call = InboundCall {
            tech: "Local".into(),
            name: snap.name.trim_end_matches(";1").to_owned() + ";2",
            caller: snap.caller.clone(),
            dialed: self.spec.exten.clone(),
            variables: snap.variables.iter().map(|(k, v)| (k.to_owned(), v.to_owned())).collect(),
            channel_id: None,
            linked_id: Some(snap.linked_id),
            target: OriginateTarget::Extension {
                context: self.spec.context.clone(),
                exten: self.spec.exten.clone(),
                priority: 1,
            },
        };
        let endpoint = Box::new(LocalTwo {
            one: own.clone(),
            own: None,
            cause: None,
            optimize: (!self.spec.no_optimize).then(|| (self.switch.clone(), self.begun.clone())),
        });
        match self.switch.spawn_inbound_held(call, endpoint) {
            Ok((h, start)) => {
                self.two = Some(h);
                self.start = Some(start);
            }
            Err(e) => {
                tracing::warn!("Local: cannot create the ;2 leg: {e}");
                self.pending.push(RemoteAction::Reject(HangupCause::REQUESTED_CHAN_UNAVAIL));
            }
        }
    }

    /// `;1` is dialed: AMI `LocalBridge` (Asterisk publishes it from `local_call`).
    fn dialed(&mut self) {
        let (Some(own), Some(two)) = (&self.own, &self.two) else { return };
        let kind = EventKind::from(LocalBridgeEvent {
            one: own.snapshot(),
            two: two.snapshot(),
            context: self.spec.context.clone(),
            exten: self.spec.exten.clone(),
            optimize: !self.spec.no_optimize,
        });
        self.switch.bus().publish(kind, None);
        self.release = true;
    }
}

impl Endpoint for LocalOne {
    fn bind(&mut self, own: &ChannelHandle) {
        self.own = Some(own.clone());
    }

    /// Both legs exist from the request (Asterisk's `Newchannel` for `;1` then `;2`).
    fn on_created(&mut self, _now: Instant) {
        self.spawn_two();
    }

    fn next_deadline(&self) -> Option<Instant> {
        (self.release || !self.pending.is_empty()).then(Instant::now)
    }

    fn on_deadline(&mut self, _now: Instant) -> Option<RemoteAction> {
        if std::mem::take(&mut self.release)
            && let Some(start) = self.start.take()
        {
            let _ = start.send(());
        }
        (!self.pending.is_empty()).then(|| self.pending.remove(0))
    }

    fn on_local(&mut self, event: LocalEvent, _now: Instant) {
        match event {
            LocalEvent::Dialing => self.dialed(),
            LocalEvent::Up => {}
            LocalEvent::Hangup(cause) => {
                if let Some(two) = self.two.take() {
                    let _ = two.hangup(cause, "local peer");
                }
            }
        }
    }

    fn on_dtmf(&mut self, digit: char, _now: Instant) {
        if let Some(two) = &self.two {
            let _ = two.remote(RemoteAction::Dtmf(digit));
        }
    }

    fn on_bridged(&mut self, _now: Instant) {
        if let (Some(own), Some(two)) = (&self.own, &self.two)
            && !self.spec.no_optimize
        {
            crate::local_optimize::try_optimize(&self.switch, own, two, &self.begun);
        }
    }
}

/// The far end of `;2`: the `;1` channel. `;2`'s hangup reaches `;1` when `;2` is gone, after its
/// `h` extension and hangup handlers, as in Asterisk.
struct LocalTwo {
    one: ChannelHandle,
    own: Option<ChannelHandle>,
    cause: Option<HangupCause>,
    /// Without `/n`: the switch and the pair's shared flag.
    optimize: Option<(Switch, Arc<AtomicBool>)>,
}

impl Drop for LocalTwo {
    fn drop(&mut self) {
        let cause = self.cause.unwrap_or(HangupCause::NORMAL_CLEARING);
        let _ = self.one.remote(RemoteAction::Hangup(cause));
    }
}

impl Endpoint for LocalTwo {
    fn bind(&mut self, own: &ChannelHandle) {
        self.own = Some(own.clone());
    }

    fn on_bridged(&mut self, _now: Instant) {
        if let (Some(own), Some((switch, begun))) = (&self.own, &self.optimize) {
            crate::local_optimize::try_optimize(switch, &self.one, own, begun);
        }
    }

    fn next_deadline(&self) -> Option<Instant> {
        None
    }

    fn on_deadline(&mut self, _now: Instant) -> Option<RemoteAction> {
        None
    }

    fn on_local(&mut self, event: LocalEvent, _now: Instant) {
        match event {
            LocalEvent::Dialing => {}
            LocalEvent::Up => {
                let _ = self.one.remote(RemoteAction::Answer);
            }
            LocalEvent::Hangup(cause) => self.cause = Some(cause),
        }
    }

    fn on_dtmf(&mut self, digit: char, _now: Instant) {
        let _ = self.one.remote(RemoteAction::Dtmf(digit));
    }

    fn on_indicate(&mut self, cause: HangupCause, _now: Instant) {
        let _ = self.one.remote(RemoteAction::Reject(cause));
    }

    /// `;2` ringing (its dialplan's `Ringing()`, or a `Dial` there relaying a ringing callee) makes
    /// `;1` ring; `;2` keeps its own state, as in Asterisk.
    fn on_ringing(&mut self, _now: Instant) -> bool {
        let _ = self.one.remote(RemoteAction::Ringing);
        false
    }

    fn on_progress(&mut self, _now: Instant) {
        let _ = self.one.remote(RemoteAction::Progress);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn local_resources_parse_with_default_context_and_n() {
        let s = LocalSpec::parse("100@from-queue/n").unwrap();
        assert_eq!((s.exten.as_str(), s.context.as_str(), s.no_optimize), ("100", "from-queue", true));
        assert_eq!(LocalSpec::parse("200").unwrap().context, "default");
        assert!(LocalSpec::parse("@ctx").is_err());
    }

    #[test]
    fn legs_are_named_as_asterisk_does() {
        assert_eq!(LocalTech.channel_name("100@test/n", 1), "Local/100@test-00000001;1");
    }
}
