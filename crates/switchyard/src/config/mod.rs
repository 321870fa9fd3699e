//! Configuration: the typed `switchyard.toml` (or the embedded default), loaded with errors that name
//! the file, line and key, and the credentials generated when the config supplies none. This is the
//! only place that reads config files; the rest of the program receives a [`Config`].
//!
//! - `model`: the sections and their defaults; `scalars`, `cidr`: values written as strings.
//! - `load`: file / string / embedded default → `Config` (`document` tracks spans, `diagnose` turns
//!   serde errors into `ConfigError`s, `validate` checks semantics, `paths` resolves file-relative paths).
//! - `credentials`: no default passwords; generated ones live in `<data_dir>/credentials.toml`.

mod cidr;
mod credentials;
mod diagnose;
mod document;
mod error;
mod load;
mod model;
mod paths;
mod scalars;
mod validate;

pub use cidr::Cidr;
pub use credentials::{
    AmiLogin, CREDENTIALS_FILE, CredentialsError, GENERATED_AMI_USERNAME, GeneratedCredentials, ensure_credentials,
};
pub use error::ConfigError;
pub use load::{EMBEDDED_DEFAULT_NAME, check_file, embedded_default, load_file, parse_str};
pub use model::{
    AmiConfig, AmiUser, BusConfig, Config, CoreConfig, DialplanConfig, EslConfig, GeneralConfig, LogFormat,
    MetricsConfig, SchedulerConfig, SipConfig, SipTrunk, SipUser, StoreConfig, TrunkTransport,
};
pub use scalars::{DigestAlgorithm, RtpPorts, SQLITE_IN_MEMORY, SipListen, SipTransport, StoreUrl};
pub use validate::AMI_CLASSES;
