//! `loopback/<exten>[/<context>]` with FreeSWITCH semantics: a pair of channels. The `-a` leg is the
//! one that was dialed; the `-b` leg is created when `-a` is dialed and runs the dialplan at
//! `exten@context` (`default`). Answer and hangup cross between the legs; each knows the other's id
//! (`other_loopback_leg_uuid`) and its own letter (`loopback_leg`).

use tokio::time::Instant;

use super::{DialStringError, Endpoint, LocalEvent, RemoteAction, Tech};
use crate::cause::HangupCause;
use crate::channel::ChannelHandle;
use crate::inbound::InboundCall;
use crate::originate::OriginateTarget;
use crate::switch::Switch;

/// The `loopback` technology.
pub struct LoopbackTech;

/// `exten[/context]` parsed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LoopbackSpec {
    /// Extension.
    pub exten: String,
    /// Context (`default` when not given).
    pub context: String,
}

impl LoopbackSpec {
    /// Parses the resource of a `loopback/` dial string.
    pub fn parse(resource: &str) -> Result<Self, DialStringError> {
        let mut parts = resource.split('/');
        let exten = parts.next().unwrap_or("");
        let context = parts.next().filter(|c| !c.is_empty()).unwrap_or("default");
        if exten.is_empty() {
            return Err(DialStringError::Malformed(format!("loopback/{resource}")));
        }
        Ok(Self { exten: exten.to_owned(), context: context.to_owned() })
    }
}

impl Tech for LoopbackTech {
    fn name(&self) -> &'static str {
        "loopback"
    }

    fn request(&self, switch: &Switch, resource: &str) -> Result<Box<dyn Endpoint>, DialStringError> {
        let spec = LoopbackSpec::parse(resource)?;
        Ok(Box::new(LegA { switch: switch.clone(), spec, own: None, b: None, pending: Vec::new() }))
    }

    fn channel_name(&self, resource: &str, _n: u32) -> String {
        let exten = resource.split('/').next().unwrap_or(resource);
        format!("loopback/{exten}-a")
    }
}

/// The far end of the `-a` leg: the `-b` channel.
struct LegA {
    switch: Switch,
    spec: LoopbackSpec,
    own: Option<ChannelHandle>,
    b: Option<ChannelHandle>,
    pending: Vec<RemoteAction>,
}

impl LegA {
    fn spawn_b(&mut self) {
        let Some(own) = &self.own else { return };
        let snap = own.snapshot();
        let b_id = crate::id::ChannelId::new_v4();
        let mut variables: Vec<(String, String)> =
            snap.variables.iter().map(|(k, v)| (k.to_owned(), v.to_owned())).collect();
        variables.retain(|(k, _)| k != "origination_uuid" && k != "loopback_leg" && k != "other_loopback_leg_uuid");
        variables.push(("other_loopback_leg_uuid".into(), snap.id.to_string()));
        variables.push(("loopback_leg".into(), "B".into()));
        let call = InboundCall {
            tech: "loopback".into(),
            name: format!("loopback/{}-b", self.spec.exten),
            caller: snap.caller.clone(),
            dialed: self.spec.exten.clone(),
            variables,
            channel_id: Some(b_id),
            linked_id: Some(snap.linked_id),
            target: OriginateTarget::Extension {
                context: self.spec.context.clone(),
                exten: self.spec.exten.clone(),
                priority: 1,
            },
        };
        let _ = own.set_var("other_loopback_leg_uuid", &b_id.to_string());
        let _ = own.set_var("loopback_leg", "A");
        match self.switch.spawn_inbound(call, Box::new(LegB { a: own.clone() })) {
            Ok(h) => self.b = Some(h),
            Err(e) => {
                tracing::warn!("loopback: cannot create the -b leg: {e}");
                self.pending.push(RemoteAction::Reject(HangupCause::REQUESTED_CHAN_UNAVAIL));
            }
        }
    }
}

impl Endpoint for LegA {
    fn bind(&mut self, own: &ChannelHandle) {
        self.own = Some(own.clone());
    }

    fn next_deadline(&self) -> Option<Instant> {
        (!self.pending.is_empty()).then(Instant::now)
    }

    fn on_deadline(&mut self, _now: Instant) -> Option<RemoteAction> {
        (!self.pending.is_empty()).then(|| self.pending.remove(0))
    }

    fn on_local(&mut self, event: LocalEvent, _now: Instant) {
        match event {
            LocalEvent::Dialing => self.spawn_b(),
            LocalEvent::Up => {
                if let Some(b) = &self.b {
                    let _ = b.answer();
                }
            }
            LocalEvent::Hangup(cause) => {
                if let Some(b) = self.b.take() {
                    let _ = b.hangup(cause, "loopback peer");
                }
            }
        }
    }
}

/// The far end of the `-b` leg: the `-a` channel.
struct LegB {
    a: ChannelHandle,
}

impl Endpoint for LegB {
    fn next_deadline(&self) -> Option<Instant> {
        None
    }

    fn on_deadline(&mut self, _now: Instant) -> Option<RemoteAction> {
        None
    }

    fn on_local(&mut self, event: LocalEvent, _now: Instant) {
        let action = match event {
            LocalEvent::Dialing => return,
            LocalEvent::Up => RemoteAction::Answer,
            LocalEvent::Hangup(cause) => RemoteAction::Hangup(cause),
        };
        let _ = self.a.remote(action);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::originate::OriginateRequest;

    #[test]
    fn resources_take_an_optional_context() {
        let s = LoopbackSpec::parse("1000/public").unwrap();
        assert_eq!((s.exten.as_str(), s.context.as_str()), ("1000", "public"));
        assert_eq!(LoopbackSpec::parse("1000").unwrap().context, "default");
        assert!(LoopbackSpec::parse("").is_err());
        assert_eq!(LoopbackTech.channel_name("1000/default", 7), "loopback/1000-a");
    }

    #[tokio::test]
    async fn without_a_dialplan_the_b_leg_has_no_route_and_the_a_leg_fails_with_it() {
        let sw = crate::command::tests::test_switch();
        let req = OriginateRequest::new("loopback/1000", OriginateTarget::Park);
        let outcome = sw.originate_and_wait(req).await.unwrap();
        assert!(!outcome.answered);
        assert_eq!(outcome.cause, HangupCause::NO_ROUTE_DESTINATION);
    }

    struct AnswerAll;
    impl crate::dialplan::DialplanEngine for AnswerAll {
        fn run<'a>(&'a self, chan: &'a mut crate::channel::Channel) -> crate::app::BoxFuture<'a, ()> {
            Box::pin(async move {
                let _ = chan.execute("Answer", "").await;
                let _ = chan.execute("park", "").await;
            })
        }
        fn run_hangup<'a>(&'a self, _chan: &'a mut crate::channel::Channel) -> crate::app::BoxFuture<'a, ()> {
            Box::pin(async {})
        }
    }

    #[tokio::test]
    async fn when_the_b_leg_answers_the_a_leg_runs_its_app_and_knows_its_peer() {
        let sw = crate::command::tests::test_switch();
        sw.set_dialplan(std::sync::Arc::new(AnswerAll));
        let req = OriginateRequest::new("loopback/1000/default", OriginateTarget::Park);
        let outcome = sw.originate_and_wait(req).await.unwrap();
        assert!(outcome.answered);
        let a = sw.channels().get(outcome.channel_id).unwrap();
        let b_id = a.var("other_loopback_leg_uuid").unwrap();
        let b = sw.channels().find(&b_id).unwrap();
        assert_eq!(b.snapshot().name, "loopback/1000-b");
        assert_eq!(b.var("other_loopback_leg_uuid"), Some(outcome.channel_id.to_string()));
        assert_eq!((a.var("loopback_leg").as_deref(), b.var("loopback_leg").as_deref()), (Some("A"), Some("B")));
        let mut sub = sw.bus().subscribe("t");
        a.hangup(HangupCause::NORMAL_CLEARING, "test").unwrap();
        loop {
            let crate::bus::BusItem::Event(e) = sub.recv().await else { continue };
            if matches!(e.kind, crate::event::EventKind::ChannelDestroy) && e.channel.as_ref().unwrap().id == b.id() {
                break;
            }
        }
    }
}
