//! Outgoing calls: where a dialed route goes (a registered user's contact, a trunk, a host), its host
//! name resolved first when it is one ([`super::resolve`]), then the INVITE handed to the engine. The
//! Request-URI and To keep the name, as a real UA does; only the datagram goes to the address.
//!
//! A host that does not resolve fails the call with the cause the originals give:
//! - `SIP/`: chan_sip's `sip_request_call` answers a failed `create_addr` ("No such host") with
//!   `AST_CAUSE_UNREGISTERED` (20, SUBSCRIBER_ABSENT; Dial reports CHANUNAVAIL);
//! - `PJSIP/`: pjproject ends the INVITE transaction whose destination does not resolve with
//!   `PJSIP_SC_TSX_TRANSPORT_ERROR` (= 503) and chan_pjsip's `hangup_sip2cause` turns 503 into
//!   `AST_CAUSE_CONGESTION` (34, NORMAL_CIRCUIT_CONGESTION; Dial reports CONGESTION);
//! - `sofia/`: sofia-sip's nta answers a failed lookup with a local `503 DNS Error`
//!   (`SIPDNS_503_ERROR` in nta.c), which FreeSWITCH maps to NORMAL_TEMPORARY_FAILURE like any 503.

use std::net::{IpAddr, SocketAddr};
use std::time::Instant;

use switchyard_core::tech::RemoteAction;
use switchyard_core::{CallerId, ChannelHandle, HangupCause};

use super::resolve::ResolveError;
use super::{Driver, DriverMsg, Slot};
use crate::dialstring::Route;
use crate::engine::{CallKey, Input, OutboundTarget};
use crate::host::Host;
use crate::tech::Plan;
use crate::wire::Transport;

/// A call waiting for its host name to resolve.
pub(super) struct Unresolved {
    /// The target; its `dest` port is the one dialed, its IP filled in once resolved.
    target: OutboundTarget,
    media: SocketAddr,
    cause: HangupCause,
}

/// Request-URI user, host, port, transport and trunk credentials of a dialed route.
type Destination = (String, Host, u16, Transport, Option<(String, String)>);

/// The cause for a destination that does not resolve (see the module comment).
fn unresolvable_cause(fs_style: bool, pjsip: bool) -> HangupCause {
    match (fs_style, pjsip) {
        (true, _) => HangupCause::NORMAL_TEMPORARY_FAILURE,
        (false, true) => HangupCause::NORMAL_CIRCUIT_CONGESTION,
        (false, false) => HangupCause::SUBSCRIBER_ABSENT,
    }
}

impl Driver {
    pub(super) fn originate(&mut self, key: CallKey, plan: Plan, handle: ChannelHandle) {
        let Plan { route, mut leg, fs_style, pjsip } = plan;
        let account = match &route {
            Route::Registered { user } => Some(user.clone()),
            _ => None,
        };
        let Some((user, host, port, transport, auth)) = self.destination(route) else {
            let cause = if fs_style { HangupCause::USER_NOT_REGISTERED } else { HangupCause::SUBSCRIBER_ABSENT };
            leg.close();
            let _ = handle.remote(RemoteAction::Reject(cause));
            return;
        };
        leg.set_dtmf_sink(handle.clone());
        let media = leg.local_addr();
        let caller: CallerId = handle.snapshot().caller.clone();
        let request_uri = match user.is_empty() {
            true => format!("sip:{}", host.with_port(port)),
            false => format!("sip:{user}@{}", host.with_port(port)),
        };
        let (caller_number, caller_name) = (caller.number.as_str().to_owned(), caller.name.as_str().to_owned());
        let dest = SocketAddr::new(IpAddr::from([0, 0, 0, 0]), port);
        let target = OutboundTarget { request_uri, dest, transport, caller_number, caller_name, auth };
        self.slots.insert(key, Slot { handle: Some(handle), leg, account });
        let call = Unresolved { target, media, cause: unresolvable_cause(fs_style, pjsip) };
        match host {
            Host::Ip(ip) => self.place(key, call, Ok(ip)),
            Host::Name(name) => self.resolve_then_place(key, name, call),
        }
    }

    /// Where a route goes; `None` when nowhere (an unknown trunk, a user not registered).
    fn destination(&self, route: Route) -> Option<Destination> {
        match route {
            Route::Direct { user, host, port } => Some((user, host, port, Transport::Udp, None)),
            Route::Trunk { user, trunk } => {
                let t = self.shared.trunks.get(&trunk)?;
                Some((user, t.host.clone(), t.port, t.transport, t.auth.clone()))
            }
            Route::Registered { user } => self.shared.location_of(&user).map(|b| {
                let user = crate::wire::uri_user(&b.contact).to_owned();
                (user, Host::Ip(b.source.ip()), b.source.port(), b.transport, None)
            }),
        }
    }

    /// Whether we listen on IPv4 for `transport` (the family a name's address is picked in).
    pub(super) fn listens_v4(&self, transport: Transport) -> bool {
        let found = self.bound.iter().find(|(t, _)| *t == transport).or(self.bound.first());
        found.is_none_or(|(_, a)| a.is_ipv4())
    }

    fn resolve_then_place(&mut self, key: CallKey, name: String, call: Unresolved) {
        let v4 = self.listens_v4(call.target.transport);
        if let Some(hit) = self.resolver.cached(&name, v4, Instant::now()) {
            return self.place(key, call, hit);
        }
        self.unresolved.insert(key, call);
        let (resolver, tx) = (self.resolver.clone(), self.shared.tx.clone());
        tokio::spawn(async move {
            let result = resolver.resolve(&name, v4).await;
            let _ = tx.send(DriverMsg::CallResolved { key, result });
        });
    }

    /// A lookup for a call finished (nothing to do if the call hung up meanwhile).
    pub(super) fn on_call_resolved(&mut self, key: CallKey, result: Result<IpAddr, ResolveError>) {
        if let Some(call) = self.unresolved.remove(&key) {
            self.place(key, call, result);
        }
    }

    /// The channel hung up while its host was being resolved: drop the call. True if it was one.
    pub(super) fn drop_unresolved(&mut self, key: CallKey) -> bool {
        if self.unresolved.remove(&key).is_none() {
            return false;
        }
        if let Some(mut s) = self.slots.remove(&key) {
            s.leg.close();
        }
        true
    }

    /// Sends the INVITE to the resolved address, or fails the call.
    fn place(&mut self, key: CallKey, call: Unresolved, ip: Result<IpAddr, ResolveError>) {
        let Unresolved { mut target, media, cause } = call;
        match ip {
            Ok(ip) => {
                target.dest.set_ip(ip);
                self.feed(Input::Originate { key, target, media });
            }
            Err(e) => {
                tracing::warn!("SIP call to {} failed: {e}", target.request_uri);
                let Some(mut slot) = self.slots.remove(&key) else { return };
                slot.leg.close();
                if let Some(h) = slot.handle {
                    let _ = h.remote(RemoteAction::Reject(cause));
                }
            }
        }
    }

    /// A trunk registration is due and its host is a name: the address from the cache, or a lookup
    /// whose answer comes back as [`DriverMsg::TrunkResolved`].
    pub(super) fn resolve_trunk(&mut self, trunk: String) -> Option<Input> {
        let Some(t) = self.shared.trunks.get(&trunk) else { return Some(Input::TrunkAddress { trunk, addr: None }) };
        let (Host::Name(name), port, v4) = (t.host.clone(), t.port, self.listens_v4(t.transport)) else {
            let addr = t.host.socket_addr(t.port);
            return Some(Input::TrunkAddress { trunk, addr });
        };
        if let Some(hit) = self.resolver.cached(&name, v4, Instant::now()) {
            return Some(trunk_address(trunk, port, hit));
        }
        let (resolver, tx) = (self.resolver.clone(), self.shared.tx.clone());
        tokio::spawn(async move {
            let result = resolver.resolve(&name, v4).await;
            let _ = tx.send(DriverMsg::TrunkResolved(trunk_address(trunk, port, result)));
        });
        None
    }
}

/// The engine input for a trunk lookup's result (a failure logged here).
fn trunk_address(trunk: String, port: u16, result: Result<IpAddr, ResolveError>) -> Input {
    let addr = match result {
        Ok(ip) => Some(SocketAddr::new(ip, port)),
        Err(e) => {
            tracing::warn!("SIP trunk '{trunk}': cannot register: {e}");
            None
        }
    };
    Input::TrunkAddress { trunk, addr }
}
