//! Errors of loading a dialplan: what was expected, and where (file:line:column).

use std::path::PathBuf;

/// A dialplan that cannot be loaded.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum DialplanError {
    /// The text does not follow the syntax.
    #[error("{file}:{line}:{col}: expected {expected}")]
    Parse {
        /// The file.
        file: String,
        /// 1-based line.
        line: usize,
        /// 1-based column.
        col: usize,
        /// What the parser wanted there.
        expected: String,
    },
    /// A file could not be read.
    #[error("{}: {source}", file.display())]
    Io {
        /// The file.
        file: PathBuf,
        /// Why.
        source: std::io::Error,
    },
}

impl DialplanError {
    /// A parse error at `file:line:col`.
    pub fn parse(file: &str, line: usize, col: usize, expected: impl Into<String>) -> Self {
        Self::Parse { file: file.to_owned(), line, col, expected: expected.into() }
    }
}
