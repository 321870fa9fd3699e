//! The Event Socket server: the inbound listener (greeting, ACL, sessions), the outbound `socket`
//! application, and the HEARTBEAT timer. Sessions render events through one shared cache.

mod auth;
mod cache;
mod commands;
mod outbound;
mod permissions;
mod sendmsg;
mod session;
mod subscription;
mod unicast;

use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;

use bytes::BytesMut;
use switchyard_core::{EventKind, Switch};
use tokio::io::AsyncWriteExt;
use tokio::net::{TcpListener, TcpStream};
use tokio::task::JoinHandle;

pub use cache::{PreparedEvent, RenderCache};
pub use commands::run_api;
pub use outbound::SocketApp;
pub use permissions::EslUser;
pub use session::Mode;

use crate::proto::{self, Limits, RenderContext};

/// FreeSWITCH's default `event-heartbeat-interval`.
pub const HEARTBEAT_INTERVAL: Duration = Duration::from_secs(20);

/// Which client addresses may connect.
pub type Acl = Arc<dyn Fn(IpAddr) -> bool + Send + Sync>;

/// What the binary hands the server.
#[derive(Clone)]
pub struct EslServerConfig {
    /// Listening address.
    pub listen: SocketAddr,
    /// The `auth` password.
    pub password: String,
    /// The ACL; None lets every address in.
    pub acl: Option<Acl>,
    /// Input size limits.
    pub limits: Limits,
    /// `userauth` accounts.
    pub users: Vec<EslUser>,
}

/// State shared by all connections.
pub struct Shared {
    pub(crate) switch: Switch,
    pub(crate) cache: RenderCache,
    pub(crate) password: String,
    pub(crate) limits: Limits,
    pub(crate) users: Vec<EslUser>,
}

/// Binds the listener, installs the outbound side (see [`install`]) and accepts connections; returns
/// the bound address and the accept task.
pub async fn serve(config: EslServerConfig, switch: Switch) -> std::io::Result<(SocketAddr, JoinHandle<()>)> {
    let listener = TcpListener::bind(config.listen).await?;
    let addr = listener.local_addr()?;
    let shared = install(&switch, addr, config.password, config.limits, config.users);
    tracing::info!("event socket listening on {addr}");
    Ok((addr, tokio::spawn(accept_loop(listener, shared, config.acl))))
}

/// Registers the `socket` app and the ESL API commands and starts HEARTBEAT. Enough for outbound
/// mode on its own (when `[esl]` is disabled); `serve` calls it too. `addr` gives `FreeSWITCH-IPv4`.
pub fn install(
    switch: &Switch,
    addr: SocketAddr,
    password: String,
    limits: Limits,
    users: Vec<EslUser>,
) -> Arc<Shared> {
    let ctx = render_context(switch, addr);
    crate::api::register(switch, ctx.clone());
    let shared = Arc::new(Shared { cache: RenderCache::new(ctx), switch: switch.clone(), password, limits, users });
    switch.apps().register(Arc::new(SocketApp { shared: shared.clone() }));
    tokio::spawn(heartbeat(switch.clone()));
    shared
}

fn render_context(switch: &Switch, addr: SocketAddr) -> RenderContext {
    let info = switch.info();
    let ipv4 = match addr.ip() {
        IpAddr::V4(ip) if !ip.is_unspecified() => ip.to_string(),
        _ => "127.0.0.1".to_owned(),
    };
    let ipv6 = match addr.ip() {
        IpAddr::V6(ip) if !ip.is_unspecified() => ip.to_string(),
        _ => "::1".to_owned(),
    };
    RenderContext {
        core_uuid: info.core_uuid.clone(),
        hostname: info.hostname.clone(),
        ipv4,
        ipv6,
        time_zone: jiff::tz::TimeZone::system(),
        version: format!("1.11.1-switchyard-{}", info.version),
        started: switch.started(),
        max_sessions: info.max_channels,
    }
}

async fn accept_loop(listener: TcpListener, shared: Arc<Shared>, acl: Option<Acl>) {
    loop {
        let (stream, peer) = match listener.accept().await {
            Ok(x) => x,
            Err(e) => {
                tracing::warn!("event socket accept: {e}");
                tokio::time::sleep(Duration::from_millis(50)).await;
                continue;
            }
        };
        if acl.as_ref().is_some_and(|allow| !allow(peer.ip())) {
            tokio::spawn(reject(stream, peer));
            continue;
        }
        let shared = shared.clone();
        tokio::spawn(async move {
            let mut greeting = BytesMut::new();
            proto::auth_request(&mut greeting);
            let mut stream = stream;
            if stream.write_all(&greeting).await.is_ok() {
                session::Session::new(shared, Mode::Inbound, None, peer.to_string()).run(stream).await;
            }
        });
    }
}

/// FreeSWITCH's ACL rejection: `text/rude-rejection`, the goodbye notice, close.
async fn reject(mut stream: TcpStream, peer: SocketAddr) {
    tracing::warn!("IP {} Rejected by acl \"esl\"", peer.ip());
    let mut out = BytesMut::new();
    proto::rude_rejection(&mut out);
    proto::disconnect_notice(None, proto::GOODBYE, &mut out);
    let _ = stream.write_all(&out).await;
    let _ = stream.shutdown().await;
}

async fn heartbeat(switch: Switch) {
    let mut tick = tokio::time::interval(HEARTBEAT_INTERVAL);
    tick.tick().await;
    loop {
        tick.tick().await;
        let stats = switch.stats();
        let kind = EventKind::Heartbeat {
            sessions: switch.channels().len(),
            since_startup: stats.sessions_since_startup(),
            peak: stats.peak(),
        };
        switch.bus().publish(kind, None);
    }
}
