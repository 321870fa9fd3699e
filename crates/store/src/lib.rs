//! Switchyard storage: the [`Store`] trait and its embedded SQLite implementation, holding the
//! AstDB, scheduled tasks and CDRs so they survive restarts and `kill -9`.
//!
//! This crate owns the schema and durability (a write is committed and synced before the call
//! returns). It does not schedule, render command output, read config files or resolve relative
//! paths: callers pass a parsed [`StoreUrl`] with paths already resolved as they want them.

#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod astdb;
pub mod cdr;
pub mod error;
pub mod sqlite;
pub mod store;
pub mod task;
pub mod url;

use std::sync::Arc;

pub use crate::cdr::Cdr;
pub use crate::error::{OpenError, StoreError};
pub use crate::sqlite::{OpenOptions, SqliteStore};
pub use crate::store::Store;
pub use crate::task::{NewTask, StoredTask, TaskState, UnknownTaskState};
pub use crate::url::{StoreUrl, UrlError};

/// Opens the store `url` names. PostgreSQL URLs parse but are not built into this version.
pub fn open_store(url: &StoreUrl) -> Result<Arc<dyn Store>, OpenError> {
    match url {
        StoreUrl::Sqlite(path) => Ok(Arc::new(SqliteStore::open(path)?)),
        StoreUrl::SqliteMemory => Ok(Arc::new(SqliteStore::open_in_memory()?)),
        StoreUrl::Postgres(_) => Err(OpenError::Unsupported { backend: "PostgreSQL" }),
    }
}
