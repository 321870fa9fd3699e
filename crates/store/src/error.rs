//! Errors of the store: opening a store ([`OpenError`]) and using one ([`StoreError`]).

use std::error::Error as StdError;
use std::path::PathBuf;

/// A boxed underlying cause, so no backend's error type leaks into the public API.
pub type BoxedCause = Box<dyn StdError + Send + Sync + 'static>;

/// Why a store could not be opened.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum OpenError {
    /// The URL names a backend this build does not contain.
    #[error("{backend} store is not built into this version")]
    Unsupported {
        /// Human name of the backend, e.g. `PostgreSQL`.
        backend: &'static str,
    },
    /// The directory that should hold the database could not be created.
    #[error("cannot create directory {path} for the database: {source}")]
    CreateDir {
        /// The directory.
        path: PathBuf,
        /// The I/O error.
        #[source]
        source: std::io::Error,
    },
    /// The file is not a database, or the database is damaged.
    #[error("database {path} is corrupt: {detail}")]
    Corrupt {
        /// The database file.
        path: PathBuf,
        /// What SQLite reported.
        detail: String,
    },
    /// Another connection kept the database locked for longer than the busy timeout.
    #[error("database {path} is locked by another process (is another switchyard running?)")]
    Locked {
        /// The database file.
        path: PathBuf,
    },
    /// The database was written by a newer Switchyard with a schema this one does not know.
    #[error("database {path} has schema version {found}, newer than this switchyard supports ({supported})")]
    TooNew {
        /// The database file.
        path: PathBuf,
        /// Schema version found in the file.
        found: i64,
        /// Newest schema version this build knows.
        supported: i64,
    },
    /// Any other failure while opening or preparing the database.
    #[error("cannot open database {path}: {source}")]
    Open {
        /// The database file.
        path: PathBuf,
        /// The underlying error.
        #[source]
        source: BoxedCause,
    },
}

/// Why a store operation failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum StoreError {
    /// An AstDB family or key was empty.
    #[error("invalid AstDB key: {reason}")]
    InvalidKey {
        /// What is wrong with it.
        reason: &'static str,
    },
    /// A stored row could not be turned back into its type.
    #[error("invalid stored {what}: {detail}")]
    InvalidData {
        /// What was being read, e.g. `task state`.
        what: &'static str,
        /// The offending value.
        detail: String,
    },
    /// The backend failed to carry out the operation.
    #[error("store operation {operation} failed: {source}")]
    Backend {
        /// The [`crate::Store`] method that failed.
        operation: &'static str,
        /// The backend's error.
        #[source]
        source: BoxedCause,
    },
}

impl StoreError {
    /// Wraps a backend error for the named operation.
    pub fn backend(operation: &'static str, source: impl Into<BoxedCause>) -> Self {
        Self::Backend { operation, source: source.into() }
    }
}
