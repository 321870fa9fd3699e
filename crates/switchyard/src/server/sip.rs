//! Starts SIP from `[sip]`: the UDP/TCP listeners, the registrar for `[[sip.users]]`, and the `SIP`,
//! `PJSIP`, `sofia` and `user` channel technologies. A listener that cannot bind is reported and SIP
//! stays off; the rest of the switch runs on.

use std::net::SocketAddr;
use std::sync::Arc;

use switchyard_core::Switch;
use switchyard_sip::media::{MediaBackend, NoMedia};
use switchyard_sip::registrar::Account;
use switchyard_sip::wire::Transport;
use switchyard_sip::{SipConfig, SipServer};

use crate::config::{Config, SipTransport};

/// Starts SIP; returns the bound listeners (empty when SIP could not start).
pub async fn start(cfg: &Config, switch: Switch, media: Option<Arc<dyn MediaBackend>>) -> Vec<(Transport, SocketAddr)> {
    let sip = &cfg.sip;
    if sip.listen.is_empty() {
        return Vec::new();
    }
    let listen: Vec<_> = sip
        .listen
        .iter()
        .map(|l| match l.transport {
            SipTransport::Udp => (Transport::Udp, l.addr),
            SipTransport::Tcp => (Transport::Tcp, l.addr),
        })
        .collect();
    let media = media.unwrap_or_else(|| {
        let ip = listen[0].1.ip();
        Arc::new(NoMedia::new(ip, sip.rtp_ports.first, sip.rtp_ports.last))
    });
    let accounts = sip
        .users
        .iter()
        .map(|u| Account { username: u.username.clone(), password: u.password.clone(), context: u.context.clone() })
        .collect();
    let guest_context = Some(sip.guest_context.clone()).filter(|c| !c.is_empty());
    let config = SipConfig { listen, accounts, guest_context, realm: sip.realm.clone(), media };
    match SipServer::start(switch, config).await {
        Ok(started) => started.bound,
        Err(e) => {
            tracing::error!(
                "SIP: cannot listen on {:?}: {e}; SIP is off",
                sip.listen.iter().map(|l| l.to_string()).collect::<Vec<_>>()
            );
            Vec::new()
        }
    }
}
