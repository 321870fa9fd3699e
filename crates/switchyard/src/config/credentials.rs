//! No default passwords: AMI/ESL credentials the config does not supply are generated once into
//! `<data_dir>/credentials.toml` (mode 0600) and reused on every later start.

use std::fs::{self, DirBuilder, File, OpenOptions};
use std::io::{self, Read, Write};
use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};

use rand::RngExt;
use serde::{Deserialize, Serialize};

use super::cidr::Cidr;
use super::document::position;
use super::model::{AmiUser, Config};

/// Name of the credentials file inside the data directory.
pub const CREDENTIALS_FILE: &str = "credentials.toml";

/// The AMI username given to generated credentials.
pub const GENERATED_AMI_USERNAME: &str = "admin";

/// Random bytes per generated secret (hex-encoded, so secrets are twice as many characters).
const SECRET_BYTES: usize = 24;

/// The credentials file's contents.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct StoredCredentials {
    ami_username: String,
    ami_secret: String,
    esl_password: String,
}

/// An AMI login taken from the credentials file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AmiLogin {
    pub username: String,
    pub secret: String,
}

/// Credentials filled into the config from the credentials file. Print them when `newly_created`
/// (the only time they are shown); otherwise print only `path`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GeneratedCredentials {
    /// Set when the config had no AMI user and this one was added.
    pub ami: Option<AmiLogin>,
    /// Set when the config had no ESL password and this one was used.
    pub esl_password: Option<String>,
    /// The credentials file.
    pub path: PathBuf,
    /// The file was created by this call.
    pub newly_created: bool,
}

/// Why credentials could not be read or stored.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum CredentialsError {
    #[error("{}: cannot {action}: {source}", path.display())]
    Io {
        path: PathBuf,
        action: &'static str,
        #[source]
        source: io::Error,
    },

    #[error("{}:{line}: invalid credentials file: {message}", path.display())]
    Parse { path: PathBuf, line: usize, message: String },

    #[error(
        "{} holds secrets but has mode {mode:04o}, readable by others; \
         run `chmod 600 {}` (or delete it to have new credentials generated)",
        path.display(),
        path.display()
    )]
    InsecurePermissions { path: PathBuf, mode: u32 },
}

/// Fills in an AMI user (when AMI is enabled and has none) and an ESL password (when ESL is enabled and
/// has none) from `<data_dir>/credentials.toml`, generating that file first if it does not exist.
/// Returns `None` when the config already supplies everything it needs.
pub fn ensure_credentials(cfg: &mut Config) -> Result<Option<GeneratedCredentials>, CredentialsError> {
    let need_ami = cfg.ami.enabled && cfg.ami.users.is_empty();
    let need_esl = cfg.esl.enabled && cfg.esl.password.is_none();
    if !need_ami && !need_esl {
        return Ok(None);
    }
    let path = cfg.general.data_dir.join(CREDENTIALS_FILE);
    let (stored, newly_created) = read_or_create(&path)?;
    let ami = need_ami.then(|| {
        cfg.ami.users.push(local_admin(&stored));
        AmiLogin { username: stored.ami_username.clone(), secret: stored.ami_secret.clone() }
    });
    let esl_password = need_esl.then(|| stored.esl_password.clone());
    if esl_password.is_some() {
        cfg.esl.password = esl_password.clone();
    }
    Ok(Some(GeneratedCredentials { ami, esl_password, path, newly_created }))
}

/// The stored credentials and whether this call created them.
fn read_or_create(path: &Path) -> Result<(StoredCredentials, bool), CredentialsError> {
    if let Some(stored) = read_stored(path)? {
        return Ok((stored, false));
    }
    let stored = generate();
    match write_new(path, &stored) {
        Ok(()) => Ok((stored, true)),
        // Another process created it between our read and our write: use theirs.
        Err(CredentialsError::Io { source, action, .. }) if source.kind() == io::ErrorKind::AlreadyExists => {
            match read_stored(path)? {
                Some(stored) => Ok((stored, false)),
                None => Err(CredentialsError::Io { path: path.to_path_buf(), action, source }),
            }
        }
        Err(err) => Err(err),
    }
}

/// The file's credentials, `None` if it does not exist; refused if others may read it.
fn read_stored(path: &Path) -> Result<Option<StoredCredentials>, CredentialsError> {
    let io_err = |action| move |source| CredentialsError::Io { path: path.to_path_buf(), action, source };
    let mut file = match File::open(path) {
        Ok(file) => file,
        Err(err) if err.kind() == io::ErrorKind::NotFound => return Ok(None),
        Err(err) => return Err(io_err("open credentials file")(err)),
    };
    let mode = file.metadata().map_err(io_err("inspect credentials file"))?.permissions().mode();
    if mode & 0o077 != 0 {
        return Err(CredentialsError::InsecurePermissions { path: path.to_path_buf(), mode: mode & 0o7777 });
    }
    let mut text = String::new();
    file.read_to_string(&mut text).map_err(io_err("read credentials file"))?;
    parse_stored(path, &text).map(Some)
}

fn parse_stored(path: &Path, text: &str) -> Result<StoredCredentials, CredentialsError> {
    let parse_error = |offset: usize, message: String| CredentialsError::Parse {
        path: path.to_path_buf(),
        line: position(text, offset).0,
        message,
    };
    let stored: StoredCredentials = toml::from_str(text)
        .map_err(|err| parse_error(err.span().map_or(0, |s| s.start), err.message().to_string()))?;
    let fields = [
        ("ami_username", &stored.ami_username),
        ("ami_secret", &stored.ami_secret),
        ("esl_password", &stored.esl_password),
    ];
    match fields.iter().find(|(_, value)| value.is_empty()) {
        Some((name, _)) => Err(parse_error(0, format!("'{name}' must not be empty"))),
        None => Ok(stored),
    }
}

/// Fresh random credentials.
fn generate() -> StoredCredentials {
    StoredCredentials {
        ami_username: GENERATED_AMI_USERNAME.to_string(),
        ami_secret: random_secret(),
        esl_password: random_secret(),
    }
}

fn random_secret() -> String {
    let mut bytes = [0u8; SECRET_BYTES];
    rand::rng().fill(&mut bytes);
    hex::encode(bytes)
}

/// Creates the file (and its directory) readable by the owner only; fails if it already exists.
fn write_new(path: &Path, stored: &StoredCredentials) -> Result<(), CredentialsError> {
    let io_err = |action| move |source| CredentialsError::Io { path: path.to_path_buf(), action, source };
    if let Some(dir) = path.parent().filter(|dir| !dir.as_os_str().is_empty()) {
        let mut builder = DirBuilder::new();
        builder.recursive(true).mode(0o700).create(dir).map_err(io_err("create data directory"))?;
    }
    let mut options = OpenOptions::new();
    options.write(true).create_new(true).mode(0o600);
    let mut file = options.open(path).map_err(io_err("create credentials file"))?;
    let text = format!("{}{}", FILE_HEADER, toml::to_string(stored).expect("three strings serialize"));
    let written = file.write_all(text.as_bytes()).and_then(|()| file.sync_all());
    if let Err(err) = written {
        let _ = fs::remove_file(path);
        return Err(io_err("write credentials file")(err));
    }
    Ok(())
}

const FILE_HEADER: &str = "# Generated by switchyard on first start: used when the config has no AMI \
                           user or no ESL password.\n# Keep it mode 0600. Delete it to have new ones generated.\n";

/// The AMI account made from stored credentials: all classes, local logins only.
fn local_admin(stored: &StoredCredentials) -> AmiUser {
    AmiUser {
        username: stored.ami_username.clone(),
        secret: stored.ami_secret.clone(),
        read: "all".to_string(),
        write: "all".to_string(),
        permit: Some(vec![Cidr::host([127, 0, 0, 1].into())]),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A default config whose data directory (not yet created) is inside `dir`.
    fn config_in(dir: &Path) -> Config {
        let mut cfg = Config::default();
        cfg.general.data_dir = dir.join("data");
        cfg
    }

    fn mode_of(path: &Path) -> u32 {
        fs::metadata(path).unwrap().permissions().mode() & 0o7777
    }

    #[test]
    fn missing_credentials_are_generated_into_a_new_0600_file() {
        let dir = tempfile::tempdir().unwrap();
        let mut cfg = config_in(dir.path());
        let generated = ensure_credentials(&mut cfg).unwrap().unwrap();
        assert!(generated.newly_created);
        assert_eq!(generated.path, dir.path().join("data/credentials.toml"));
        assert_eq!(mode_of(&generated.path), 0o600);
        let ami = generated.ami.unwrap();
        assert_eq!(ami.username, "admin");
        assert_eq!(ami.secret.len(), 2 * SECRET_BYTES);
        assert!(ami.secret.bytes().all(|b| b.is_ascii_hexdigit()));
        assert_eq!(cfg.esl.password, generated.esl_password);
        assert_ne!(cfg.esl.password.as_deref(), Some(ami.secret.as_str()));
    }

    #[test]
    fn generated_ami_user_has_all_classes_and_local_logins_only() {
        let dir = tempfile::tempdir().unwrap();
        let mut cfg = config_in(dir.path());
        ensure_credentials(&mut cfg).unwrap();
        let user = &cfg.ami.users[0];
        assert_eq!((user.read.as_str(), user.write.as_str()), ("all", "all"));
        assert_eq!(user.permit, Some(vec!["127.0.0.1/32".parse().unwrap()]));
    }

    #[test]
    fn credentials_are_reused_on_the_next_start() {
        let dir = tempfile::tempdir().unwrap();
        let mut first = config_in(dir.path());
        let created = ensure_credentials(&mut first).unwrap().unwrap();
        let mut second = config_in(dir.path());
        let reused = ensure_credentials(&mut second).unwrap().unwrap();
        assert!(!reused.newly_created);
        assert_eq!((reused.ami, reused.esl_password), (created.ami, created.esl_password));
        assert_eq!(first, second);
    }

    #[test]
    fn a_credentials_file_readable_by_others_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let mut cfg = config_in(dir.path());
        let path = ensure_credentials(&mut cfg).unwrap().unwrap().path;
        fs::set_permissions(&path, fs::Permissions::from_mode(0o644)).unwrap();
        let err = ensure_credentials(&mut config_in(dir.path())).unwrap_err();
        let shown = path.display();
        assert_eq!(
            err.to_string(),
            format!(
                "{shown} holds secrets but has mode 0644, readable by others; run `chmod 600 {shown}` \
                 (or delete it to have new credentials generated)"
            )
        );
    }

    #[test]
    fn credentials_supplied_by_the_config_are_left_alone() {
        let dir = tempfile::tempdir().unwrap();
        let mut cfg = config_in(dir.path());
        cfg.ami.users.push(local_admin(&generate()));
        cfg.esl.password = Some("from-config".to_string());
        let before = cfg.clone();
        assert_eq!(ensure_credentials(&mut cfg).unwrap(), None);
        assert_eq!(cfg, before);
        assert!(!dir.path().join("data").exists());
    }

    #[test]
    fn only_the_missing_credential_is_filled_in() {
        let dir = tempfile::tempdir().unwrap();
        let mut cfg = config_in(dir.path());
        cfg.esl.password = Some("from-config".to_string());
        let generated = ensure_credentials(&mut cfg).unwrap().unwrap();
        assert!(generated.ami.is_some());
        assert_eq!(generated.esl_password, None);
        assert_eq!(cfg.esl.password.as_deref(), Some("from-config"));
    }

    #[test]
    fn disabled_listeners_need_no_credentials() {
        let dir = tempfile::tempdir().unwrap();
        let mut cfg = config_in(dir.path());
        (cfg.ami.enabled, cfg.esl.enabled) = (false, false);
        assert_eq!(ensure_credentials(&mut cfg).unwrap(), None);
    }

    #[test]
    fn a_malformed_credentials_file_is_reported_with_its_line() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("data/credentials.toml");
        let text = "ami_username = \"admin\"\nami_secret = 5\nesl_password = \"x\"\n";
        write_file_0600(&path, text);
        let err = ensure_credentials(&mut config_in(dir.path())).unwrap_err();
        let expected =
            format!("{}:2: invalid credentials file: invalid type: integer `5`, expected a string", path.display());
        assert_eq!(err.to_string(), expected);
    }

    #[test]
    fn empty_stored_secrets_are_refused() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("data/credentials.toml");
        write_file_0600(&path, "ami_username = \"admin\"\nami_secret = \"\"\nesl_password = \"x\"\n");
        let err = ensure_credentials(&mut config_in(dir.path())).unwrap_err();
        let expected = format!("{}:1: invalid credentials file: 'ami_secret' must not be empty", path.display());
        assert_eq!(err.to_string(), expected);
    }

    fn write_file_0600(path: &Path, text: &str) {
        fs::create_dir_all(path.parent().unwrap()).unwrap();
        fs::write(path, text).unwrap();
        fs::set_permissions(path, fs::Permissions::from_mode(0o600)).unwrap();
    }
}
