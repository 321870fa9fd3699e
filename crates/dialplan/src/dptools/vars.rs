//! Variables: `export [nolocal:]name=value` (copied to legs this channel bridges to), `unset`,
//! `multiset [^^X]a=1 b=2`, `set_global name=value`. (`set` is the shared `Set`.)

use std::sync::Arc;

use switchyard_core::Channel;
use switchyard_core::app::{AppResult, BoxFuture};

use crate::fsxml::XmlEngine;

type R<'a> = BoxFuture<'a, AppResult>;

/// Sets or (empty value) unsets a channel variable.
pub(crate) fn assign(chan: &mut Channel, name: &str, value: &str) {
    let name = name.trim();
    if name.is_empty() {
        return;
    }
    if value.is_empty() { chan.unset_var(name) } else { chan.set_var(name, value) }
}

/// Adds `name` to the channel's `export_vars` list (once).
fn remember_export(chan: &mut Channel, name: &str) {
    let current = chan.var("export_vars").unwrap_or("").to_owned();
    if current.split(',').any(|n| n.trim() == name) {
        return;
    }
    let list = if current.is_empty() { name.to_owned() } else { format!("{current},{name}") };
    chan.set_var("export_vars", &list);
}

/// The variables a bridged leg inherits: those named in `export_vars`.
pub(crate) fn exported(chan: &Channel) -> Vec<(String, String)> {
    let names = chan.var("export_vars").unwrap_or("");
    names
        .split(',')
        .map(str::trim)
        .filter(|n| !n.is_empty())
        .map(|n| {
            let value = chan.var(n).or_else(|| chan.var(&format!("nolocal:{n}"))).unwrap_or("");
            (n.to_owned(), value.to_owned())
        })
        .filter(|(_, v)| !v.is_empty())
        .collect()
}

pub(crate) fn export<'a>(_e: &'a Arc<XmlEngine>, chan: &'a mut Channel, args: &'a str) -> R<'a> {
    Box::pin(async move {
        let (local, rest) = match args.strip_prefix("nolocal:") {
            Some(rest) => (false, rest),
            None => (true, args),
        };
        let Some((name, value)) = rest.split_once('=') else {
            tracing::warn!(channel = %chan.current().name, "export: usage name=value (got '{args}')");
            return Ok(String::new());
        };
        let name = name.trim();
        if local {
            assign(chan, name, value);
        } else {
            chan.set_var(&format!("nolocal:{name}"), value);
        }
        remember_export(chan, name);
        Ok(String::new())
    })
}

pub(crate) fn unset<'a>(_e: &'a Arc<XmlEngine>, chan: &'a mut Channel, args: &'a str) -> R<'a> {
    Box::pin(async move {
        chan.unset_var(args.trim());
        Ok(String::new())
    })
}

/// Splits `multiset` data: space-separated, or on `X` after a leading `^^X`.
pub(crate) fn split_multi(args: &str) -> Vec<&str> {
    match args.strip_prefix("^^") {
        Some(rest) if !rest.is_empty() => {
            let sep = rest.chars().next().unwrap_or(' ');
            rest[sep.len_utf8()..].split(sep).filter(|s| !s.is_empty()).collect()
        }
        _ => args.split_whitespace().collect(),
    }
}

pub(crate) fn multiset<'a>(_e: &'a Arc<XmlEngine>, chan: &'a mut Channel, args: &'a str) -> R<'a> {
    Box::pin(async move {
        for pair in split_multi(args) {
            match pair.split_once('=') {
                Some((name, value)) => assign(chan, name, value),
                None => chan.unset_var(pair.trim()),
            }
        }
        Ok(String::new())
    })
}

pub(crate) fn set_global<'a>(e: &'a Arc<XmlEngine>, chan: &'a mut Channel, args: &'a str) -> R<'a> {
    Box::pin(async move {
        match args.split_once('=') {
            Some((name, value)) => e.switch().globals().set(name.trim(), value),
            None => tracing::warn!(channel = %chan.current().name, "set_global: usage name=value (got '{args}')"),
        }
        Ok(String::new())
    })
}

#[cfg(test)]
mod tests {
    use super::split_multi;

    #[test]
    fn multiset_splits_on_spaces_or_a_chosen_separator() {
        assert_eq!(split_multi("a=1 b=2"), vec!["a=1", "b=2"]);
        assert_eq!(split_multi("^^;a=1 x;b=2"), vec!["a=1 x", "b=2"]);
    }
}
