//! `database show|get|put|del|deltree` on the store, printing what Asterisk prints.

use std::sync::Arc;

use switchyard_core::Switch;
use switchyard_core::app::BoxFuture;
use switchyard_core::command::{Command, CommandOutput, CommandSpec, Flavor};

use crate::engine::Engine;
use crate::funcs::FuncError;

static SHOW: CommandSpec = CommandSpec {
    name: "database show",
    syntax: "database show [family [keytree]]",
    summary: "Shows database contents",
    usage: "Usage: database show [family [keytree]]\n   OR: database show [family[/keytree]]\n       Shows Asterisk database contents, optionally restricted\n       to a given family, or family and keytree. The two arguments\n       may be separated either by a space or by a slash.\n",
    flavor: Flavor::Asterisk,
};
static GET: CommandSpec = CommandSpec {
    name: "database get",
    syntax: "database get <family> <key>",
    summary: "Gets database value",
    usage: "Usage: database get <family> <key>\n       Retrieves an entry in the Asterisk database for a given\n       family and key.\n",
    flavor: Flavor::Asterisk,
};
static PUT: CommandSpec = CommandSpec {
    name: "database put",
    syntax: "database put <family> <key> <value>",
    summary: "Adds/updates database value",
    usage: "Usage: database put <family> <key> <value>\n       Adds or updates an entry in the Asterisk database for\n       a given family, key, and value.\n",
    flavor: Flavor::Asterisk,
};
static DEL: CommandSpec = CommandSpec {
    name: "database del",
    syntax: "database del <family> <key>",
    summary: "Removes database key/value",
    usage: "Usage: database del <family> <key>\n       Deletes an entry in the Asterisk database for a given\n       family and key.\n",
    flavor: Flavor::Asterisk,
};
static DELTREE: CommandSpec = CommandSpec {
    name: "database deltree",
    syntax: "database deltree <family> [keytree]",
    summary: "Removes database keytree/values",
    usage: "Usage: database deltree <family> [keytree]\n   OR: database deltree <family>[/keytree]\n       Deletes a family or specific keytree within a family\n       in the Asterisk database.  The two arguments may be\n       separated by either a space or a slash.\n",
    flavor: Flavor::Asterisk,
};

#[derive(Clone, Copy)]
enum Op {
    Show,
    Get,
    Put,
    Del,
    DelTree,
}

struct DbCommand {
    op: Op,
    engine: Arc<Engine>,
}

pub(super) fn register(switch: &Switch, engine: &Arc<Engine>) {
    for op in [Op::Show, Op::Get, Op::Put, Op::Del, Op::DelTree] {
        switch.commands().register(Arc::new(DbCommand { op, engine: engine.clone() }));
    }
}

impl Command for DbCommand {
    fn spec(&self) -> &'static CommandSpec {
        match self.op {
            Op::Show => &SHOW,
            Op::Get => &GET,
            Op::Put => &PUT,
            Op::Del => &DEL,
            Op::DelTree => &DELTREE,
        }
    }

    fn run<'a>(&'a self, _switch: &'a Switch, args: &'a [String]) -> BoxFuture<'a, CommandOutput> {
        Box::pin(async move {
            let result = match self.op {
                Op::Show => show(&self.engine, args).await,
                Op::Get => get(&self.engine, args).await,
                Op::Put => put(&self.engine, args).await,
                Op::Del => del(&self.engine, args).await,
                Op::DelTree => deltree(&self.engine, args).await,
            };
            match result {
                Some(Ok(text)) => CommandOutput::ok(text),
                Some(Err(e)) => CommandOutput::failure(format!("Database unavailable: {e}\n")),
                None => CommandOutput::usage(self.spec()),
            }
        })
    }
}

type Out = Option<Result<String, FuncError>>;

/// The rows of `database show`, formatted as Asterisk (`%-50s: %-25s`).
pub fn format_rows(rows: &[(String, String)]) -> String {
    let mut out = String::new();
    for (k, v) in rows {
        out.push_str(&format!("{k:<50}: {v:<25}\n"));
    }
    out.push_str(&format!("{} results found.\n", rows.len()));
    out
}

async fn show(e: &Engine, args: &[String]) -> Out {
    if args.len() > 2 {
        return None;
    }
    let prefix = args.iter().map(|s| s.trim_matches('/')).filter(|s| !s.is_empty()).collect::<Vec<_>>().join("/");
    let p = (!prefix.is_empty()).then_some(prefix);
    let rows = crate::funcs::db_blocking(&e.store, move |s| s.db_show(p.as_deref())).await;
    Some(rows.map(|r| format_rows(&r)))
}

async fn get(e: &Engine, args: &[String]) -> Out {
    let [f, k] = args else { return None };
    let (f, k) = (f.clone(), k.clone());
    let v = crate::funcs::db_blocking(&e.store, move |s| s.db_get(&f, &k)).await;
    Some(v.map(|v| match v {
        Some(v) => format!("Value: {v}\n"),
        None => "Database entry not found.\n".to_owned(),
    }))
}

async fn put(e: &Engine, args: &[String]) -> Out {
    let [f, k, v] = args else { return None };
    let (f, k, v) = (f.clone(), k.clone(), v.clone());
    let r = crate::funcs::db_blocking(&e.store, move |s| s.db_put(&f, &k, &v)).await;
    Some(Ok(match r {
        Ok(()) => "Updated database successfully\n".to_owned(),
        Err(_) => "Failed to update entry\n".to_owned(),
    }))
}

async fn del(e: &Engine, args: &[String]) -> Out {
    let [f, k] = args else { return None };
    let (f, k) = (f.clone(), k.clone());
    let r = crate::funcs::db_blocking(&e.store, move |s| s.db_del(&f, &k)).await;
    Some(Ok(match r {
        Ok(true) => "Database entry removed.\n".to_owned(),
        _ => "Database entry could not be removed.\n".to_owned(),
    }))
}

async fn deltree(e: &Engine, args: &[String]) -> Out {
    let (family, sub) = match args {
        [f] => match f.split_once('/') {
            Some((f, k)) => (f.to_owned(), Some(k.to_owned())),
            None => (f.clone(), None),
        },
        [f, k] => (f.clone(), Some(k.clone())),
        _ => return None,
    };
    let r = crate::funcs::db_blocking(&e.store, move |s| s.db_deltree(&family, sub.as_deref())).await;
    Some(Ok(match r {
        Ok(0) => "Database entries do not exist.\n".to_owned(),
        Ok(n) => format!("{n} database entries removed.\n"),
        Err(_) => "Database unavailable.\n".to_owned(),
    }))
}
