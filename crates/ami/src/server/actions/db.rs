//! The AstDB actions over the store: DBGet (list-style answer with `DBGetResponse`), DBPut, DBDel,
//! DBDelTree. The store is synchronous, so calls run on the blocking pool.

use std::sync::Arc;

use switchyard_store::{Store, StoreError};

use super::info::list_complete;
use crate::proto::{Action, Response};
use crate::server::session::Session;

/// One DB action.
pub async fn handle(s: &mut Session, id: Option<&str>, action: &Action) {
    let Some(store) = s.shared.config.store.clone() else {
        return Response::error(id, "Database unavailable").write(&mut s.out);
    };
    match action {
        Action::DbGet { family, key } => get(s, id, store, family, key).await,
        Action::DbPut { family, key, value } => {
            let (f, k, v) = (family.clone(), key.clone(), value.clone());
            let ok = blocking(store, move |st| st.db_put(&f, &k, &v)).await.is_some();
            let r = if ok {
                Response::ack(id, "Updated database successfully")
            } else {
                Response::error(id, "Failed to update entry")
            };
            r.write(&mut s.out);
        }
        Action::DbDel { family, key } => {
            let (f, k) = (family.clone(), key.clone());
            let r = match blocking(store, move |st| st.db_del(&f, &k)).await {
                Some(true) => Response::ack(id, "Key deleted successfully"),
                _ => Response::error(id, "Database entry could not be deleted"),
            };
            r.write(&mut s.out);
        }
        Action::DbDelTree { family, key } => {
            let (f, k) = (family.clone(), key.clone());
            let r = match blocking(store, move |st| st.db_deltree(&f, k.as_deref())).await {
                Some(n) if n > 0 => Response::ack(id, "Key tree deleted successfully"),
                Some(_) => Response::error(id, "Database entry not found"),
                None => Response::error(id, "Database unavailable"),
            };
            r.write(&mut s.out);
        }
        _ => {}
    }
}

async fn get(s: &mut Session, id: Option<&str>, store: Arc<dyn Store>, family: &str, key: &str) {
    let (f, k) = (family.to_owned(), key.to_owned());
    let Some(Some(value)) = blocking(store, move |st| st.db_get(&f, &k)).await else {
        return Response::error(id, "Database entry not found").write(&mut s.out);
    };
    Response::list_start(id, "Result will follow").write(&mut s.out);
    // The oracle prints ActionID last in DBGetResponse.
    let mut e = crate::proto::AmiEvent::list_item("DBGetResponse");
    e.push("Family", family).push("Key", key).push("Val", value);
    if let Some(id) = id {
        e.push("ActionID", id);
    }
    e.write(&mut s.out);
    list_complete(s, "DBGetComplete", id, 1, &[]);
}

async fn blocking<T: Send + 'static>(
    store: Arc<dyn Store>,
    f: impl FnOnce(&dyn Store) -> Result<T, StoreError> + Send + 'static,
) -> Option<T> {
    match tokio::task::spawn_blocking(move || f(store.as_ref())).await {
        Ok(Ok(v)) => Some(v),
        Ok(Err(e)) => {
            tracing::warn!("manager: AstDB: {e}");
            None
        }
        Err(_) => None,
    }
}
