//! Opening the configured store, with errors that say which database and why.

use std::sync::Arc;

use switchyard_store::{SqliteStore, Store, open_store};

use crate::config::{Config, SQLITE_IN_MEMORY, StoreUrl};

/// Opens the store named by the config.
pub fn open(cfg: &Config) -> anyhow::Result<Arc<dyn Store>> {
    let store: Arc<dyn Store> = match cfg.store_url() {
        StoreUrl::Sqlite(path) if path.as_os_str() == SQLITE_IN_MEMORY => Arc::new(SqliteStore::open_in_memory()?),
        StoreUrl::Sqlite(path) => Arc::new(SqliteStore::open(&path)?),
        StoreUrl::Postgres(url) => open_store(&switchyard_store::StoreUrl::Postgres(url))?,
    };
    Ok(store)
}
