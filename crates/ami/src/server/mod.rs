//! The AMI server: the listener, one task per connection, the render-once event cache and the
//! broadcast of security events among sessions.

mod actions;
mod auth;
mod cache;
mod filter;
mod session;

use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::time::Duration;

use bytes::Bytes;
use switchyard_core::Switch;
use switchyard_sched::Scheduler;
use switchyard_store::Store;
use tokio::net::TcpListener;
use tokio::sync::broadcast;
use tokio::task::JoinHandle;

pub use cache::{PreparedEvent, RenderCache};

use crate::proto::{Limits, Privilege};

/// Which client addresses a user may log in from.
pub type Acl = Arc<dyn Fn(IpAddr) -> bool + Send + Sync>;

/// One manager account.
#[derive(Clone)]
pub struct AmiUser {
    /// `Username`.
    pub username: String,
    /// `Secret`.
    pub secret: String,
    /// Classes of events it receives.
    pub read: Privilege,
    /// Classes of actions it may run.
    pub write: Privilege,
    /// Addresses allowed; None lets every address in.
    pub permit: Option<Acl>,
}

/// One dialplan priority (or include), for `ShowDialPlan`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DialplanEntry {
    /// Context.
    pub context: String,
    /// Extension (pattern text, e.g. `_X.`).
    pub extension: String,
    /// Priority label, if any.
    pub label: Option<String>,
    /// Priority number.
    pub priority: u32,
    /// Application.
    pub application: String,
    /// Its arguments.
    pub app_data: String,
    /// Set for an `include => <context>` line of `context` (the other fields are then unused): listed
    /// after the context's priorities as `ListDialplan` with `IncludeContext`.
    pub include: Option<String>,
}

impl DialplanEntry {
    /// An `include => included` line of `context`.
    pub fn include(context: &str, included: &str) -> Self {
        Self {
            context: context.to_owned(),
            extension: String::new(),
            label: None,
            priority: 0,
            application: String::new(),
            app_data: String::new(),
            include: Some(included.to_owned()),
        }
    }
}

/// Lists the loaded dialplan (the binary reads it from the dialplan engine).
pub type DialplanLister = Arc<dyn Fn() -> Vec<DialplanEntry> + Send + Sync>;

/// What the binary hands the server.
#[derive(Clone)]
pub struct AmiServerConfig {
    /// Listening address.
    pub listen: SocketAddr,
    /// Accounts.
    pub users: Vec<AmiUser>,
    /// Input limits.
    pub limits: Limits,
    /// Events a session may fall behind before it is told it lost some (the bus queue).
    pub event_queue: usize,
    /// How long an unauthenticated connection may stay (Asterisk's `authtimeout`, 30 s).
    pub auth_timeout: Duration,
    /// Pause before `Authentication failed` (Asterisk sleeps 1 s).
    pub auth_failure_delay: Duration,
    /// Most connections not logged in at once (Asterisk's `authlimit`, 50); more are closed at once.
    pub auth_limit: usize,
    /// The AstDB, for the DB actions.
    pub store: Option<Arc<dyn Store>>,
    /// The scheduler, for `AbsoluteTimeout`.
    pub scheduler: Option<Scheduler>,
    /// The dialplan, for `ShowDialPlan`.
    pub dialplan: Option<DialplanLister>,
}

impl AmiServerConfig {
    /// Defaults for everything but the address and the users.
    pub fn new(listen: SocketAddr, users: Vec<AmiUser>) -> Self {
        Self {
            listen,
            users,
            limits: Limits::default(),
            event_queue: 8192,
            auth_timeout: Duration::from_secs(30),
            auth_failure_delay: Duration::from_secs(1),
            auth_limit: 50,
            store: None,
            scheduler: None,
            dialplan: None,
        }
    }
}

/// State shared by all connections.
pub struct Shared {
    pub(crate) switch: Switch,
    pub(crate) config: AmiServerConfig,
    pub(crate) cache: RenderCache,
    pub(crate) local: SocketAddr,
    /// Security events, rendered, for every session that may read them.
    pub(crate) security: broadcast::Sender<Bytes>,
    sessions: AtomicU64,
    unauthenticated: AtomicUsize,
}

/// A place among the connections not logged in yet; freed on login or close.
pub(crate) struct UnauthSlot(Arc<Shared>);

impl UnauthSlot {
    fn take(shared: &Arc<Shared>) -> Option<Self> {
        let limit = shared.config.auth_limit;
        let before = shared.unauthenticated.fetch_add(1, Ordering::AcqRel);
        if before >= limit {
            shared.unauthenticated.fetch_sub(1, Ordering::AcqRel);
            return None;
        }
        Some(Self(shared.clone()))
    }
}

impl Drop for UnauthSlot {
    fn drop(&mut self) {
        self.0.unauthenticated.fetch_sub(1, Ordering::AcqRel);
    }
}

impl Shared {
    /// A new session number.
    pub(crate) fn next_session(&self) -> u64 {
        self.sessions.fetch_add(1, Ordering::Relaxed) + 1
    }

    /// The account called `name` (case-sensitive, as manager.conf sections).
    pub(crate) fn user(&self, name: &str) -> Option<&AmiUser> {
        self.config.users.iter().find(|u| u.username == name)
    }
}

/// Binds the listener and accepts connections; returns the bound address and the accept task.
pub async fn serve(config: AmiServerConfig, switch: Switch) -> std::io::Result<(SocketAddr, JoinHandle<()>)> {
    let listener = TcpListener::bind(config.listen).await?;
    let local = listener.local_addr()?;
    let (security, _) = broadcast::channel(1024);
    let shared = Arc::new(Shared {
        cache: RenderCache::default(),
        switch,
        config,
        local,
        security,
        sessions: AtomicU64::new(0),
        unauthenticated: AtomicUsize::new(0),
    });
    tracing::info!("manager interface listening on {local}");
    Ok((local, tokio::spawn(accept_loop(listener, shared))))
}

async fn accept_loop(listener: TcpListener, shared: Arc<Shared>) {
    loop {
        match listener.accept().await {
            Ok((stream, peer)) => match UnauthSlot::take(&shared) {
                Some(slot) => {
                    let session = session::Session::new(shared.clone(), peer, slot);
                    tokio::spawn(session.run(stream));
                }
                None => tracing::warn!("manager: {peer} refused, too many connections not logged in"),
            },
            Err(e) => {
                tracing::warn!("manager accept: {e}");
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
        }
    }
}
