//! FreeSWITCH's `db` over AstDB (realm = family): the application `db insert|delete/<realm>/<key>[/<value>]`
//! and the API `db insert|delete|select|exists|count|list/<realm>[/<key>[/<value>]]`. API replies
//! are mod_db's, without newlines: `+OK`, the value, `true`/`false`, a count, comma-separated
//! keys, and `!err!` for bad arguments or a store failure.

use std::sync::Arc;

use switchyard_core::app::{AppResult, BoxFuture};
use switchyard_core::command::{Command, CommandOutput, CommandSpec, Flavor};
use switchyard_core::{Channel, Switch};
use switchyard_store::Store;

use crate::fsxml::XmlEngine;

const ERR: &str = "!err!";

/// One parsed `db` request.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum DbOp {
    Insert { realm: String, key: String, value: String },
    Delete { realm: String, key: String },
    Select { realm: String, key: String },
    Exists { realm: String, key: String },
    Count { realm: String },
    List { realm: String },
}

/// Parses `op/realm[/key[/value]]` (the value keeps any further `/`).
pub(crate) fn parse(data: &str) -> Option<DbOp> {
    let mut parts = data.trim().splitn(4, '/');
    let op = parts.next()?.to_ascii_lowercase();
    let realm = parts.next().filter(|r| !r.is_empty())?.to_owned();
    let key = parts.next().map(str::to_owned);
    let value = parts.next().map(str::to_owned);
    Some(match (op.as_str(), key, value) {
        ("insert", Some(key), Some(value)) => DbOp::Insert { realm, key, value },
        ("delete", Some(key), _) => DbOp::Delete { realm, key },
        ("select", Some(key), _) => DbOp::Select { realm, key },
        ("exists", Some(key), _) => DbOp::Exists { realm, key },
        ("count", _, _) => DbOp::Count { realm },
        ("list", _, _) => DbOp::List { realm },
        _ => return None,
    })
}

/// Runs `op` on the store; the API reply.
pub(crate) async fn run(store: &Arc<dyn Store>, op: DbOp) -> String {
    let result = crate::funcs::db_blocking(store, move |s| {
        Ok(match op {
            DbOp::Insert { realm, key, value } => s.db_put(&realm, &key, &value).map(|_| "+OK".to_owned())?,
            DbOp::Delete { realm, key } => s.db_del(&realm, &key).map(|_| "+OK".to_owned())?,
            DbOp::Select { realm, key } => s.db_get(&realm, &key)?.unwrap_or_default(),
            DbOp::Exists { realm, key } => s.db_get(&realm, &key)?.is_some().to_string(),
            DbOp::Count { realm } => keys(s, &realm)?.len().to_string(),
            DbOp::List { realm } => keys(s, &realm)?.join(","),
        })
    })
    .await;
    result.unwrap_or_else(|e| {
        tracing::warn!("db: {e}");
        ERR.to_owned()
    })
}

/// Keys directly under `/realm/`.
fn keys(s: &dyn Store, realm: &str) -> Result<Vec<String>, switchyard_store::StoreError> {
    let prefix = format!("/{realm}/");
    Ok(s.db_show(Some(realm))?
        .into_iter()
        .filter_map(|(path, _)| path.strip_prefix(&prefix).map(str::to_owned))
        .filter(|k| !k.contains('/'))
        .collect())
}

pub(crate) fn db_app<'a>(e: &'a Arc<XmlEngine>, chan: &'a mut Channel, args: &'a str) -> BoxFuture<'a, AppResult> {
    Box::pin(async move {
        match parse(args) {
            Some(op @ (DbOp::Insert { .. } | DbOp::Delete { .. })) => {
                run(&e.asterisk.store, op).await;
            }
            _ => tracing::warn!(channel = %chan.current().name, "USAGE: db [insert|delete]/<realm>/<key>/<val>"),
        }
        Ok(String::new())
    })
}

static DB: CommandSpec = CommandSpec {
    name: "db",
    syntax: "[insert|delete|select|exists|count|list]/<realm>/<key>/<value>",
    summary: "db get/set",
    usage: "",
    flavor: Flavor::FreeSwitch,
};

struct DbApi(Arc<dyn Store>);

impl Command for DbApi {
    fn spec(&self) -> &'static CommandSpec {
        &DB
    }
    fn run<'a>(&'a self, _sw: &'a Switch, args: &'a [String]) -> BoxFuture<'a, CommandOutput> {
        Box::pin(async move {
            match parse(&args.join(" ")) {
                Some(op) => CommandOutput::ok(run(&self.0, op).await),
                None => CommandOutput::ok(ERR),
            }
        })
    }
}

pub(crate) fn register_api(engine: &Arc<XmlEngine>) {
    engine.switch().commands().register(Arc::new(DbApi(engine.asterisk.store.clone())));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn requests_parse_with_values_keeping_slashes() {
        assert_eq!(
            parse("insert/realm/k/a/b"),
            Some(DbOp::Insert { realm: "realm".into(), key: "k".into(), value: "a/b".into() })
        );
        assert_eq!(parse("select/r/k"), Some(DbOp::Select { realm: "r".into(), key: "k".into() }));
        assert_eq!(parse("count/r"), Some(DbOp::Count { realm: "r".into() }));
        assert_eq!(parse("insert/r/k"), None);
        assert_eq!(parse("frobnicate/r/k"), None);
        assert_eq!(parse(""), None);
    }
}
