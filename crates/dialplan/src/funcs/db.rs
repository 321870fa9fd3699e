//! `DB()`, `DB_EXISTS()`, `DB_DELETE()`, `DB_KEYS()`: AstDB on the store, durable before returning.

use std::sync::Arc;

use switchyard_core::Channel;
use switchyard_store::{Store, StoreError};

use super::FuncError;
use crate::engine::Engine;

/// `family/key` (the key may itself hold `/`).
fn split(path: &str) -> Result<(String, String), FuncError> {
    match path.trim().split_once('/') {
        Some((f, k)) if !f.is_empty() && !k.is_empty() => Ok((f.to_owned(), k.to_owned())),
        _ => Err(FuncError::Bad(format!("DB requires an argument, DB(<family>/<key>) (got '{path}')"))),
    }
}

/// Runs a blocking store call off the async threads.
pub(crate) async fn blocking<T: Send + 'static>(
    store: &Arc<dyn Store>,
    f: impl FnOnce(&dyn Store) -> Result<T, StoreError> + Send + 'static,
) -> Result<T, FuncError> {
    let store = store.clone();
    match tokio::task::spawn_blocking(move || f(store.as_ref())).await {
        Ok(r) => r.map_err(|e| FuncError::Bad(format!("database: {e}"))),
        Err(e) => Err(FuncError::Bad(format!("database task: {e}"))),
    }
}

pub(super) async fn read(engine: &Arc<Engine>, chan: &mut Channel, path: &str) -> Result<String, FuncError> {
    let (f, k) = split(path)?;
    let value = blocking(&engine.store, move |s| s.db_get(&f, &k)).await?;
    if let Some(v) = &value {
        chan.set_var("DB_RESULT", v);
    }
    Ok(value.unwrap_or_default())
}

pub(super) async fn write(engine: &Arc<Engine>, path: &str, value: &str) -> Result<(), FuncError> {
    let (f, k) = split(path)?;
    let v = value.to_owned();
    blocking(&engine.store, move |s| s.db_put(&f, &k, &v)).await
}

pub(super) async fn exists(engine: &Arc<Engine>, chan: &mut Channel, path: &str) -> Result<String, FuncError> {
    let (f, k) = split(path)?;
    let value = blocking(&engine.store, move |s| s.db_get(&f, &k)).await?;
    match value {
        Some(v) => {
            chan.set_var("DB_RESULT", &v);
            Ok("1".into())
        }
        None => Ok("0".into()),
    }
}

pub(super) async fn delete(engine: &Arc<Engine>, chan: &mut Channel, path: &str) -> Result<String, FuncError> {
    let (f, k) = split(path)?;
    let value = blocking(&engine.store, move |s| {
        let v = s.db_get(&f, &k)?;
        if v.is_some() {
            s.db_del(&f, &k)?;
        }
        Ok(v)
    })
    .await?;
    if let Some(v) = &value {
        chan.set_var("DB_RESULT", v);
    }
    Ok(value.unwrap_or_default())
}

pub(super) async fn keys(engine: &Arc<Engine>, prefix: &str) -> Result<String, FuncError> {
    let prefix = prefix.trim().trim_matches('/').to_owned();
    let root = if prefix.is_empty() { "/".to_owned() } else { format!("/{prefix}/") };
    let p = (!prefix.is_empty()).then_some(prefix);
    let rows = blocking(&engine.store, move |s| s.db_show(p.as_deref())).await?;
    let mut keys: Vec<String> = Vec::new();
    for (path, _) in rows {
        let Some(rest) = path.strip_prefix(&root) else { continue };
        let key = rest.split('/').next().unwrap_or("").to_owned();
        if !key.is_empty() && !keys.contains(&key) {
            keys.push(key);
        }
    }
    Ok(keys.join(","))
}
