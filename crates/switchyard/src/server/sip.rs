//! Starts SIP from `[sip]`: the UDP/TCP listeners, the registrar for `[[sip.users]]`, and the `SIP`,
//! `PJSIP`, `sofia` and `user` channel technologies. A listener that cannot bind is reported and SIP
//! stays off; the rest of the switch runs on. RTP comes from the media engine (`switchyard-media`),
//! started here on the first SIP listener's IP and `[sip] rtp_ports`.

use std::net::SocketAddr;
use std::sync::Arc;

use switchyard_core::ChannelHandle;
use switchyard_core::Switch;
use switchyard_core::media::MediaPort;
use switchyard_media::{Codec, MediaConfig, MediaEngine, RtpSession};
use switchyard_sip::media::{MediaBackend, MediaLeg, NoMedia};
use switchyard_sip::registrar::Account;
use switchyard_sip::sdp::{self, Negotiated};
use switchyard_sip::wire::Transport;
use switchyard_sip::{SipConfig, SipServer, Trunk};

use crate::config::{Config, SipTransport};
use crate::config::{SipTrunk, TrunkTransport};

fn trunk(t: &SipTrunk) -> Trunk {
    let transport = match t.transport {
        TrunkTransport::Udp => Transport::Udp,
        TrunkTransport::Tcp => Transport::Tcp,
    };
    let auth = t.username.clone().map(|u| (u, t.password.clone().unwrap_or_default()));
    let register = t.register.then_some(t.register_expires);
    Trunk { name: t.name.clone(), host: t.host.clone(), port: t.port, transport, auth, register }
}

/// The media engine as SIP's media backend.
struct RtpBackend(MediaEngine);

/// One call's RTP session.
struct RtpLeg(RtpSession);

impl MediaBackend for RtpBackend {
    fn open(&self) -> Result<Box<dyn MediaLeg>, String> {
        let session = self.0.open().map_err(|e| e.to_string())?;
        Ok(Box::new(RtpLeg(session)))
    }
}

impl MediaLeg for RtpLeg {
    fn local_addr(&self) -> SocketAddr {
        self.0.local_addr()
    }

    fn set_remote(&mut self, n: &Negotiated) {
        let codec = match n.codec {
            sdp::Codec::Pcmu => Codec::Pcmu,
            sdp::Codec::Pcma => Codec::Pcma,
        };
        self.0.set_remote(n.remote, codec, n.payload_type, n.dtmf_pt);
    }

    fn port(&self) -> Option<Arc<dyn MediaPort>> {
        Some(self.0.port())
    }

    fn set_dtmf_sink(&mut self, handle: ChannelHandle) {
        self.0.set_dtmf_sink(handle);
    }

    fn close(&mut self) {
        self.0.close();
    }
}

/// Starts the RTP engine for SIP; without it SIP still signals (SDP names ports nobody listens on).
async fn media_backend(cfg: &Config, ip: std::net::IpAddr) -> Arc<dyn MediaBackend> {
    let ports = cfg.sip.rtp_ports;
    let config = MediaConfig {
        bind_ip: ip,
        ports: ports.first..=ports.last,
        socket_buffer: 4 << 20,
        threads: cfg.media.rtp_threads,
        realtime: cfg.media.rtp_realtime,
    };
    match MediaEngine::start(config).await {
        Ok(engine) => Arc::new(RtpBackend(engine)),
        Err(e) => {
            tracing::error!("SIP: media engine not started ({e}): calls will carry no RTP");
            Arc::new(NoMedia::new(ip, ports.first, ports.last))
        }
    }
}

/// Starts SIP; returns the bound listeners (empty when SIP could not start). `media` replaces the
/// RTP engine started from `[sip] rtp_ports` (tests).
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
    let media = match media {
        Some(m) => m,
        None => media_backend(cfg, listen[0].1.ip()).await,
    };
    let accounts = sip
        .users
        .iter()
        .map(|u| Account { username: u.username.clone(), password: u.password.clone(), context: u.context.clone() })
        .collect();
    let guest_context = Some(sip.guest_context.clone()).filter(|c| !c.is_empty());
    let trunks = sip.trunks.iter().map(trunk).collect();
    let digest_algorithms = sip.digest_algorithms.iter().map(|a| digest_algorithm(*a)).collect();
    let realm = sip.realm.clone();
    let config = SipConfig { listen, accounts, guest_context, realm, digest_algorithms, media, trunks };
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

fn digest_algorithm(a: crate::config::DigestAlgorithm) -> switchyard_sip::digest::Algorithm {
    match a {
        crate::config::DigestAlgorithm::Md5 => switchyard_sip::digest::Algorithm::Md5,
        crate::config::DigestAlgorithm::Sha256 => switchyard_sip::digest::Algorithm::Sha256,
    }
}
