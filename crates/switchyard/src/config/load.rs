//! Reading a config: from a file, from a string (the fuzzing entry), or the embedded default — one
//! pipeline of syntax, types, semantic checks and path resolution.

use std::path::Path;

use serde::Deserialize;

use super::diagnose::diagnose;
use super::document::{Document, position};
use super::error::ConfigError;
use super::model::Config;
use super::paths::{check_dialplan_files, resolve_paths};
use super::validate::validate;

/// The file name reported in errors about the embedded default.
pub const EMBEDDED_DEFAULT_NAME: &str = "<embedded default>";

const EMBEDDED_DEFAULT_TEXT: &str = include_str!("default.toml");

/// Parses and validates config text; `file_name` is only used in errors. Relative paths stay relative
/// (to the working directory). Never panics, whatever `text` is.
pub fn parse_str(text: &str, file_name: &str) -> Result<Config, ConfigError> {
    let doc = Document::parse(text, Path::new(file_name))?;
    let mut cfg = typed(&doc)?;
    resolve_paths(&mut cfg, Path::new(""));
    Ok(cfg)
}

/// Reads, parses and validates a config file; its relative paths are resolved against its directory.
pub fn load_file(path: &Path) -> Result<Config, ConfigError> {
    load(path, false)
}

/// What `switchyard check` does for a config: [`load_file`], then checks that the dialplan files it
/// references exist.
pub fn check_file(path: &Path) -> Result<Config, ConfigError> {
    load(path, true)
}

fn load(path: &Path, check_files: bool) -> Result<Config, ConfigError> {
    let text = read_text(path)?;
    let doc = Document::parse(&text, path)?;
    let mut cfg = typed(&doc)?;
    resolve_paths(&mut cfg, path.parent().unwrap_or(Path::new("")));
    if check_files {
        check_dialplan_files(&cfg, &doc)?;
    }
    Ok(cfg)
}

/// The configuration `switchyard` runs with when given no file (`default.toml` beside this file):
/// everything on 127.0.0.1, data in `./switchyard-data`, no users, no dialplan files.
pub fn embedded_default() -> Config {
    parse_str(EMBEDDED_DEFAULT_TEXT, EMBEDDED_DEFAULT_NAME).expect("the embedded default config is valid (tested)")
}

/// Deserializes and validates the document.
fn typed(doc: &Document<'_>) -> Result<Config, ConfigError> {
    let cfg = Config::deserialize(doc.deserializer()).map_err(|err| diagnose(doc, &err))?;
    validate(&cfg, doc)?;
    Ok(cfg)
}

/// The file's text; invalid UTF-8 is reported as a syntax error at the first bad byte.
fn read_text(path: &Path) -> Result<String, ConfigError> {
    let bytes = std::fs::read(path).map_err(|source| ConfigError::Io { file: path.to_path_buf(), source })?;
    String::from_utf8(bytes).map_err(|err| {
        let valid = err.utf8_error().valid_up_to();
        let text = String::from_utf8_lossy(&err.as_bytes()[..valid]);
        let (line, col) = position(&text, valid);
        let message = "the file is not valid UTF-8".to_string();
        ConfigError::Syntax { file: path.to_path_buf(), line, col, message }
    })
}

#[cfg(test)]
mod tests {
    use std::fs;
    use std::path::PathBuf;

    use super::*;
    use crate::config::model::LogFormat;
    use crate::config::scalars::StoreUrl;

    /// The example from DESIGN.md's interface contract, verbatim.
    const CONTRACT_EXAMPLE: &str = include_str!("testdata/contract.toml");

    fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
        let path = dir.join(name);
        fs::write(&path, text).unwrap();
        path
    }

    #[test]
    fn embedded_default_binds_loopback_and_has_no_credentials() {
        let cfg = embedded_default();
        assert_eq!(cfg.general.data_dir, Path::new("switchyard-data"));
        assert_eq!(cfg.ami.listen.to_string(), "127.0.0.1:5038");
        assert_eq!(cfg.esl.listen.to_string(), "127.0.0.1:8021");
        assert!(cfg.sip.listen.iter().all(|l| l.addr.ip().is_loopback()));
        assert!(cfg.ami.users.is_empty());
        assert_eq!(cfg.esl.password, None);
        assert!(cfg.dialplan.asterisk.is_empty() && cfg.dialplan.freeswitch.is_empty());
    }

    #[test]
    fn an_empty_file_means_every_default_and_equals_the_embedded_default() {
        let cfg = parse_str("", "empty.toml").unwrap();
        assert_eq!(cfg, embedded_default());
        assert_eq!(cfg.general.log_format, LogFormat::Human);
        assert_eq!(cfg.store_url(), StoreUrl::Sqlite("switchyard-data/switchyard.db".into()));
        assert!(cfg.ami.enabled && cfg.esl.enabled && !cfg.metrics.enabled);
        assert_eq!(cfg.metrics.listen.to_string(), "127.0.0.1:9464");
        assert_eq!(cfg.sip.rtp_ports.to_string(), "20000-30000");
        assert_eq!((cfg.bus.replay_window, cfg.bus.subscriber_queue), (65536, 16384));
        assert_eq!((cfg.core.max_channels, cfg.core.shutdown_grace_ms), (0, 2000));
    }

    #[test]
    fn rtp_threads_default_to_one_per_core_and_zero_shares_the_main_runtime() {
        let cores = std::thread::available_parallelism().unwrap().get();
        assert_eq!(parse_str("", "t.toml").unwrap().media.rtp_threads, cores);
        assert_eq!(parse_str("[media]\nrtp_threads = 0\n", "t.toml").unwrap().media.rtp_threads, 0);
        let err = parse_str("[media]\nrtp_threads = -1\n", "t.toml").unwrap_err().to_string();
        assert!(err.contains("t.toml:2"), "{err}");
    }

    #[test]
    fn rtp_realtime_defaults_to_on_and_can_be_turned_off() {
        assert!(parse_str("", "t.toml").unwrap().media.rtp_realtime);
        assert!(!parse_str("[media]\nrtp_realtime = false\n", "t.toml").unwrap().media.rtp_realtime);
    }

    #[test]
    fn missing_keys_in_a_present_section_take_their_defaults() {
        let text = "[ami]\nenabled = false\n[[ami.users]]\nusername = \"u\"\nsecret = \"s\"\n\
                    [[sip.users]]\nusername = \"1000\"\npassword = \"p\"\n";
        let cfg = parse_str(text, "t.toml").unwrap();
        assert_eq!(cfg.ami.listen.to_string(), "127.0.0.1:5038");
        let user = &cfg.ami.users[0];
        assert_eq!((user.read.as_str(), user.write.as_str(), &user.permit), ("all", "all", &None));
        assert_eq!(cfg.sip.users[0].context, "default");
    }

    #[test]
    fn the_interface_contract_example_loads() {
        let dir = tempfile::tempdir().unwrap();
        let path = write(dir.path(), "switchyard.toml", CONTRACT_EXAMPLE);
        let cfg = load_file(&path).unwrap();
        assert_eq!(cfg.ami.users[0].username, "admin");
        assert_eq!(cfg.ami.users[0].permit.as_ref().unwrap()[0].to_string(), "127.0.0.1/32");
        assert_eq!(cfg.esl.password.as_deref(), Some("s3cret"));
        assert_eq!(cfg.esl.acl.as_ref().unwrap()[0].to_string(), "127.0.0.0/8");
        assert_eq!(cfg.sip.listen.len(), 2);
        assert_eq!(cfg.sip.users[0].context, "default");
    }

    #[test]
    fn paths_are_relative_to_the_config_file_directory() {
        let dir = tempfile::tempdir().unwrap();
        let path = write(dir.path(), "switchyard.toml", CONTRACT_EXAMPLE);
        let cfg = load_file(&path).unwrap();
        let base = dir.path();
        assert_eq!(cfg.general.data_dir, base.join("switchyard-data"));
        assert_eq!(cfg.dialplan.asterisk, [base.join("extensions.conf")]);
        assert_eq!(cfg.dialplan.freeswitch, [base.join("dialplan/*.xml")]);
        let db = base.join("switchyard-data/switchyard.db");
        assert_eq!(cfg.store_url(), StoreUrl::Sqlite(db));
    }

    #[test]
    fn default_store_follows_a_configured_data_dir() {
        let dir = tempfile::tempdir().unwrap();
        let path = write(dir.path(), "s.toml", "[general]\ndata_dir = \"var/sy\"\n");
        let cfg = load_file(&path).unwrap();
        let db = dir.path().join("var/sy/switchyard.db");
        assert_eq!(cfg.store.url, Some(StoreUrl::Sqlite(db)));
    }

    #[test]
    fn unreadable_file_is_an_io_error_naming_it() {
        let err = load_file(Path::new("/nonexistent/switchyard.toml")).unwrap_err();
        assert_eq!(
            err.to_string(),
            "/nonexistent/switchyard.toml: cannot read config file: \
             No such file or directory (os error 2)"
        );
    }

    #[test]
    fn invalid_utf8_is_a_syntax_error_at_the_bad_byte() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("bad.toml");
        fs::write(&path, b"[general]\ndata_dir = \"a\xff\"\n").unwrap();
        let err = load_file(&path).unwrap_err();
        let expected = format!("{}:2:14: TOML syntax error: the file is not valid UTF-8", path.display());
        assert_eq!(err.to_string(), expected);
    }

    #[test]
    fn toml_syntax_errors_name_file_line_and_column() {
        let err = parse_str("[general]\ndata_dir = \"x\n", "switchyard.toml").unwrap_err();
        assert_eq!(err.to_string(), "switchyard.toml:2:14: TOML syntax error: invalid basic string, expected `\"`");
    }

    #[test]
    fn check_accepts_existing_dialplan_files() {
        let dir = tempfile::tempdir().unwrap();
        let path = write(dir.path(), "switchyard.toml", CONTRACT_EXAMPLE);
        write(dir.path(), "extensions.conf", "[default]\n");
        fs::create_dir(dir.path().join("dialplan")).unwrap();
        assert!(check_file(&path).is_ok());
    }

    #[test]
    fn check_reports_a_missing_asterisk_dialplan_with_its_line() {
        let dir = tempfile::tempdir().unwrap();
        let path = write(dir.path(), "switchyard.toml", CONTRACT_EXAMPLE);
        let err = check_file(&path).unwrap_err();
        let missing = dir.path().join("extensions.conf");
        let expected =
            format!("{}:9: key 'dialplan.asterisk[0]': file not found: {}", path.display(), missing.display());
        assert_eq!(err.to_string(), expected);
    }

    #[test]
    fn check_reports_a_missing_freeswitch_dialplan_directory() {
        let dir = tempfile::tempdir().unwrap();
        let path = write(dir.path(), "switchyard.toml", CONTRACT_EXAMPLE);
        write(dir.path(), "extensions.conf", "[default]\n");
        let err = check_file(&path).unwrap_err();
        let expected = format!(
            "{}:10: key 'dialplan.freeswitch[0]': directory not found: {}",
            path.display(),
            dir.path().join("dialplan").display()
        );
        assert_eq!(err.to_string(), expected);
    }

    #[test]
    fn features_conf_is_relative_to_the_config_and_checked_with_its_line() {
        let dir = tempfile::tempdir().unwrap();
        let text = "[dialplan]\nasterisk = [\"extensions.conf\"]\nfeatures = \"features.conf\"\n";
        let path = write(dir.path(), "s.toml", text);
        write(dir.path(), "extensions.conf", "[default]\n");
        let cfg = load_file(&path).unwrap();
        assert_eq!(cfg.dialplan.features, Some(dir.path().join("features.conf")));
        let err = check_file(&path).unwrap_err().to_string();
        let missing = dir.path().join("features.conf");
        assert_eq!(
            err,
            format!("{}:3: key 'dialplan.features': file not found: {}", path.display(), missing.display())
        );
        write(dir.path(), "features.conf", "[featuremap]\natxfer => *2\n");
        assert!(check_file(&path).is_ok());
    }

    /// The largest char boundary of `text` at or below `index`.
    fn char_boundary(text: &str, index: usize) -> usize {
        (0..=index.min(text.len())).rev().find(|&i| text.is_char_boundary(i)).unwrap_or(0)
    }

    proptest::proptest! {
        #[test]
        fn parse_str_never_panics_on_arbitrary_text(text in ".*") {
            let _ = parse_str(&text, "fuzz.toml");
        }

        #[test]
        fn parse_str_never_panics_on_toml_shaped_text(
            text in r#"(\[{1,2}[a-z_.]{0,12}\]{1,2}\n|[a-z_.]{1,12} = ("[ -~]{0,24}"|[0-9-]{1,8}|true|\[("[ -~]{0,16}", ?){0,3}\]|\{[a-z]{1,4} = 1\})\n){0,12}"#
        ) {
            let _ = parse_str(&text, "fuzz.toml");
        }

        #[test]
        fn parse_str_never_panics_on_a_mutated_contract_example(
            at in 0usize..2000, cut in 0usize..40, insert in "[ -~\n]{0,8}"
        ) {
            let at = char_boundary(CONTRACT_EXAMPLE, at);
            let end = char_boundary(CONTRACT_EXAMPLE, at + cut);
            let text = format!("{}{insert}{}", &CONTRACT_EXAMPLE[..at], &CONTRACT_EXAMPLE[end..]);
            let _ = parse_str(&text, "fuzz.toml");
        }
    }
}
