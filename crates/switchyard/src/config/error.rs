//! `ConfigError`: why a config file was refused, always naming the file and, when the text was read,
//! the line and key.

use std::io;
use std::path::PathBuf;

/// A config file that cannot be used. Lines and columns count from 1.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ConfigError {
    #[error("{}: cannot read config file: {source}", file.display())]
    Io {
        file: PathBuf,
        #[source]
        source: io::Error,
    },

    #[error("{}:{line}:{col}: TOML syntax error: {message}", file.display())]
    Syntax { file: PathBuf, line: usize, col: usize, message: String },

    #[error(
        "{}:{line}:{col}: unknown key '{key}' (expected one of: {})",
        file.display(),
        expected.join(", ")
    )]
    UnknownKey { file: PathBuf, line: usize, col: usize, key: String, expected: Vec<String> },

    #[error("{}:{line}: key '{key}' is required but missing", file.display())]
    MissingKey { file: PathBuf, line: usize, key: String },

    #[error("{}:{line}: key '{key}': {reason}", file.display())]
    InvalidValue { file: PathBuf, line: usize, key: String, reason: String },
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file() -> PathBuf {
        PathBuf::from("switchyard.toml")
    }

    #[test]
    fn io_error_names_the_file() {
        let source = io::Error::new(io::ErrorKind::NotFound, "not found");
        let err = ConfigError::Io { file: file(), source };
        assert_eq!(err.to_string(), "switchyard.toml: cannot read config file: not found");
    }

    #[test]
    fn syntax_error_names_file_line_and_column() {
        let message = "duplicate key `listen`".to_string();
        let err = ConfigError::Syntax { file: file(), line: 7, col: 1, message };
        assert_eq!(err.to_string(), "switchyard.toml:7:1: TOML syntax error: duplicate key `listen`");
    }

    #[test]
    fn unknown_key_lists_the_keys_that_are_allowed_there() {
        let expected = vec!["data_dir".to_string(), "log_format".to_string()];
        let key = "general.colour".to_string();
        let err = ConfigError::UnknownKey { file: file(), line: 4, col: 1, key, expected };
        assert_eq!(
            err.to_string(),
            "switchyard.toml:4:1: unknown key 'general.colour' (expected one of: data_dir, log_format)"
        );
    }

    #[test]
    fn missing_key_names_the_full_key_path() {
        let err = ConfigError::MissingKey { file: file(), line: 9, key: "ami.users[1].secret".into() };
        assert_eq!(err.to_string(), "switchyard.toml:9: key 'ami.users[1].secret' is required but missing");
    }

    #[test]
    fn invalid_value_names_line_key_and_reason() {
        let err = ConfigError::InvalidValue {
            file: file(),
            line: 12,
            key: "ami.users[0].permit[1]".into(),
            reason: "invalid CIDR '10.0.0.300/8'".into(),
        };
        assert_eq!(err.to_string(), "switchyard.toml:12: key 'ami.users[0].permit[1]': invalid CIDR '10.0.0.300/8'");
    }
}
