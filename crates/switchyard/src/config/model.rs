//! The typed `switchyard.toml`: one struct per section, each with the defaults used when the section or
//! key is absent, and no key that the file may not spell.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use serde::Deserialize;

use super::cidr::Cidr;
use super::scalars::{DigestAlgorithm, RtpPorts, SipListen, SipTransport, StoreUrl, sip_host, socket_addr};

/// The whole configuration. After loading, every path in it is resolved against the config file's
/// directory (or the working directory for the embedded default) and `store.url` is always `Some`.
#[derive(Debug, Clone, PartialEq, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Config {
    pub general: GeneralConfig,
    pub store: StoreConfig,
    pub dialplan: DialplanConfig,
    pub ami: AmiConfig,
    pub esl: EslConfig,
    pub sip: SipConfig,
    pub metrics: MetricsConfig,
    pub bus: BusConfig,
    pub core: CoreConfig,
    pub scheduler: SchedulerConfig,
    pub media: MediaConfig,
    pub lua: LuaConfig,
}

impl Config {
    /// The store URL: the configured one, or the SQLite database `switchyard.db` in the data directory.
    pub fn store_url(&self) -> StoreUrl {
        self.store.url.clone().unwrap_or_else(|| default_store_url(&self.general.data_dir))
    }
}

/// `sqlite:<data_dir>/switchyard.db`.
pub fn default_store_url(data_dir: &Path) -> StoreUrl {
    StoreUrl::Sqlite(data_dir.join("switchyard.db"))
}

/// `[general]`
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct GeneralConfig {
    /// Store, control socket and generated credentials live here.
    pub data_dir: PathBuf,
    pub log_format: LogFormat,
}

impl Default for GeneralConfig {
    fn default() -> Self {
        GeneralConfig { data_dir: PathBuf::from("switchyard-data"), log_format: LogFormat::Human }
    }
}

/// How log lines are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LogFormat {
    #[default]
    Human,
    Json,
}

/// `[store]`
#[derive(Debug, Clone, PartialEq, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct StoreConfig {
    /// `None` in the file means `sqlite:<data_dir>/switchyard.db`; loading fills it in.
    pub url: Option<StoreUrl>,
}

/// `[dialplan]`: files in their native formats.
#[derive(Debug, Clone, PartialEq, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct DialplanConfig {
    /// Asterisk `extensions.conf` files (their `#include`s are followed by the dialplan loader).
    pub asterisk: Vec<PathBuf>,
    /// FreeSWITCH XML dialplan files; glob patterns (`dialplan/*.xml`), expanded by the dialplan loader.
    pub freeswitch: Vec<PathBuf>,
    /// Asterisk `features.conf` (feature codes, transfer timeouts); Asterisk's built-in defaults when absent.
    pub features: Option<PathBuf>,
}

/// `[ami]`: the Asterisk Manager Interface listener.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct AmiConfig {
    pub enabled: bool,
    #[serde(deserialize_with = "socket_addr")]
    pub listen: SocketAddr,
    pub users: Vec<AmiUser>,
}

impl Default for AmiConfig {
    fn default() -> Self {
        AmiConfig { enabled: true, listen: loopback(5038), users: Vec::new() }
    }
}

/// `[[ami.users]]`: one manager.conf-style account.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AmiUser {
    pub username: String,
    pub secret: String,
    /// Comma-separated manager.conf read classes (`system,call,log`, `all`, `none`).
    #[serde(default = "all_classes")]
    pub read: String,
    /// Comma-separated manager.conf write classes.
    #[serde(default = "all_classes")]
    pub write: String,
    /// When set, logins from addresses outside these blocks are refused.
    #[serde(default)]
    pub permit: Option<Vec<Cidr>>,
}

fn all_classes() -> String {
    "all".to_string()
}

/// `[esl]`: the FreeSWITCH Event Socket inbound listener.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct EslConfig {
    pub enabled: bool,
    #[serde(deserialize_with = "socket_addr")]
    pub listen: SocketAddr,
    /// `None` in the file: one is generated into the data directory (see `ensure_credentials`).
    pub password: Option<String>,
    /// When set, connections from addresses outside these blocks are refused.
    pub acl: Option<Vec<Cidr>>,
    /// Accounts for `userauth user@domain:password` (FreeSWITCH's directory `esl-*` params).
    pub users: Vec<EslUser>,
}

impl Default for EslConfig {
    fn default() -> Self {
        EslConfig { enabled: true, listen: loopback(8021), password: None, acl: None, users: Vec::new() }
    }
}

/// `[[esl.users]]`: one `userauth` account and what it may do.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EslUser {
    /// `user@domain`.
    pub user: String,
    pub password: String,
    /// Space- or comma-separated event names it may subscribe to, or `all`.
    #[serde(default = "all_classes")]
    pub allowed_events: String,
    /// Space- or comma-separated API commands it may run, or `all`.
    #[serde(default = "all_classes")]
    pub allowed_api: String,
    /// Whether it may use `log`.
    #[serde(default = "yes")]
    pub allowed_log: bool,
}

fn yes() -> bool {
    true
}

/// `[sip]`
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SipConfig {
    pub listen: Vec<SipListen>,
    pub rtp_ports: RtpPorts,
    pub users: Vec<SipUser>,
    /// Dialplan context for INVITEs from callers that are not `[[sip.users]]` (FreeSWITCH's `public`);
    /// empty refuses them with 403.
    pub guest_context: String,
    /// Digest realm of the registrar.
    pub realm: String,
    /// Digest algorithms offered in challenges, in order of preference (one header each).
    pub digest_algorithms: Vec<DigestAlgorithm>,
    /// Peers reached by name.
    pub trunks: Vec<SipTrunk>,
}

impl Default for SipConfig {
    fn default() -> Self {
        let on = |transport| SipListen { transport, addr: loopback(5060) };
        SipConfig {
            listen: vec![on(SipTransport::Udp), on(SipTransport::Tcp)],
            rtp_ports: RtpPorts { first: 20000, last: 30000 },
            users: Vec::new(),
            guest_context: "public".to_string(),
            realm: "switchyard".to_string(),
            digest_algorithms: vec![DigestAlgorithm::Md5],
            trunks: Vec::new(),
        }
    }
}

/// `[[sip.users]]`: a registrar account, also the FreeSWITCH `user/<username>` directory entry.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SipUser {
    pub username: String,
    pub password: String,
    /// Dialplan context for calls this user places.
    #[serde(default = "default_context")]
    pub context: String,
}

/// `[[sip.trunks]]`: a SIP peer reached by name (`PJSIP/<number>@<name>`, `SIP/<name>/<number>`,
/// `sofia/gateway/<name>/<number>`); `username`/`password` answer its digest challenges.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SipTrunk {
    pub name: String,
    /// An IP address or a DNS host name (resolved by SIP, A/AAAA only).
    #[serde(deserialize_with = "sip_host")]
    pub host: switchyard_sip::host::Host,
    #[serde(default = "default_sip_port")]
    pub port: u16,
    #[serde(default)]
    pub transport: TrunkTransport,
    pub username: Option<String>,
    pub password: Option<String>,
    /// Register with the trunk (needs `username` and `password`).
    #[serde(default)]
    pub register: bool,
    /// Expiry asked for when registering, seconds.
    #[serde(default = "default_register_expires")]
    pub register_expires: u32,
}

fn default_register_expires() -> u32 {
    3600
}

/// A trunk's transport.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum TrunkTransport {
    #[default]
    Udp,
    Tcp,
}

fn default_sip_port() -> u16 {
    5060
}

fn default_context() -> String {
    "default".to_string()
}

/// `[metrics]`: the Prometheus scrape endpoint.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct MetricsConfig {
    pub enabled: bool,
    #[serde(deserialize_with = "socket_addr")]
    pub listen: SocketAddr,
}

impl Default for MetricsConfig {
    fn default() -> Self {
        MetricsConfig { enabled: false, listen: loopback(9464) }
    }
}

/// `[bus]`: event bus sizes, in events.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct BusConfig {
    /// How many recent events are kept for subscribers that reconnect or lag.
    pub replay_window: usize,
    /// Bounded queue per subscriber; overflow is counted and reported, never blocks the core.
    pub subscriber_queue: usize,
}

impl Default for BusConfig {
    fn default() -> Self {
        BusConfig { replay_window: 65536, subscriber_queue: 16384 }
    }
}

/// `[core]`
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct CoreConfig {
    /// 0 means unlimited.
    pub max_channels: usize,
    /// How long channels get to hang up cleanly on shutdown.
    pub shutdown_grace_ms: u64,
}

impl Default for CoreConfig {
    fn default() -> Self {
        CoreConfig { max_channels: 0, shutdown_grace_ms: 2000 }
    }
}

/// `[scheduler]`
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SchedulerConfig {
    /// After a restart, tasks overdue by at most this many seconds run at once; older ones are dropped.
    pub overdue_grace_s: u64,
}

impl Default for SchedulerConfig {
    fn default() -> Self {
        SchedulerConfig { overdue_grace_s: 60 }
    }
}

/// `[media]`: where the media applications find prompts and music on hold and put recordings.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct MediaConfig {
    /// Prompts for `Playback`/`Background`/`playback` (`hello-world` plays `<prompts_dir>/hello-world.wav`).
    pub prompts_dir: PathBuf,
    /// Music on hold: WAV files; a subdirectory is a class (`MusicOnHold(jazz)`, `local_stream://jazz`).
    pub moh_dir: PathBuf,
    /// Where relative `Record`/`record`/`record_session`/`uuid_record` paths are written.
    pub recordings_dir: PathBuf,
    /// Threads dedicated to RTP (each call leg's packets are handled by one of them); 0 runs RTP on
    /// the threads that also run signalling and control. Default: one per CPU core.
    pub rtp_threads: usize,
    /// Run the RTP threads at real-time round-robin priority (root, CAP_SYS_NICE or RLIMIT_RTPRIO), as
    /// FreeSWITCH's packaged systemd unit (`CPUSchedulingPolicy=rr`) or Asterisk's `-p` run theirs;
    /// refused with one warning otherwise. Default true: it is what keeps added jitter below a
    /// millisecond on a busy machine. The threads sleep whenever no packet is waiting.
    pub rtp_realtime: bool,
}

/// One media thread per CPU core: a relayed packet costs mostly kernel time, and one thread per core
/// lets every core take its share (an idle media thread costs nothing).
pub fn default_rtp_threads() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get())
}

impl Default for MediaConfig {
    fn default() -> Self {
        MediaConfig {
            prompts_dir: PathBuf::from("sounds"),
            moh_dir: PathBuf::from("sounds/moh"),
            recordings_dir: PathBuf::from("recordings"),
            rtp_threads: default_rtp_threads(),
            rtp_realtime: true,
        }
    }
}

/// `[lua]`: where `lua`/`luarun` find scripts given by a relative name.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct LuaConfig {
    /// `lua inviteToConf.lua` runs `<scripts_dir>/inviteToConf.lua`.
    pub scripts_dir: PathBuf,
}

impl Default for LuaConfig {
    fn default() -> Self {
        LuaConfig { scripts_dir: PathBuf::from("scripts") }
    }
}

fn loopback(port: u16) -> SocketAddr {
    SocketAddr::from(([127, 0, 0, 1], port))
}
