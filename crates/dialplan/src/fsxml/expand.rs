//! FreeSWITCH variable expansion: `${name}` (channel variable, then caller-profile field, then
//! global), `${name:offset:length}`, nesting (`${${x}}`), and `${api(args)}` calls (`cond` built
//! in, the rest through a resolver, i.e. the API command registry). No `$[…]` expressions:
//! FreeSWITCH has none.

use std::pin::pin;
use std::task::{Context, Poll, Waker};

use switchyard_core::app::BoxFuture;

/// Deeper nesting is left as literal text.
const MAX_DEPTH: usize = 32;

/// Where names and calls are looked up.
pub trait Resolver: Send {
    /// A variable or field; `None` when unset.
    fn var(&mut self, name: &str) -> Option<String>;
    /// `${func(args)}` for a function that is not built in; `None` when there is none.
    fn call<'a>(&'a mut self, func: &'a str, args: &'a str) -> BoxFuture<'a, Option<String>>;
}

/// `text` with every `${…}` expanded.
pub fn expand<'a>(text: &'a str, r: &'a mut dyn Resolver) -> BoxFuture<'a, String> {
    Box::pin(expand_at(text, r, 0))
}

/// Expansion when the resolver answers without waiting (hunting fields): anything that would
/// wait reads as empty.
pub fn expand_now(text: &str, r: &mut dyn Resolver) -> String {
    if !text.contains("${") {
        return text.to_owned();
    }
    let mut fut = pin!(expand_at(text, r, 0));
    match fut.as_mut().poll(&mut Context::from_waker(Waker::noop())) {
        Poll::Ready(s) => s,
        Poll::Pending => String::new(),
    }
}

async fn expand_at(text: &str, r: &mut dyn Resolver, depth: usize) -> String {
    if depth > MAX_DEPTH || !text.contains("${") {
        return text.to_owned();
    }
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(start) = rest.find("${") {
        // `$${name}` left over at run time reads like `${name}` (its global, unless a variable hides it).
        out.push_str(rest[..start].strip_suffix('$').unwrap_or(&rest[..start]));
        let body = &rest[start + 2..];
        let Some(end) = closing_brace(body) else {
            out.push_str(&rest[start..]);
            return out;
        };
        let inner = Box::pin(expand_at(&body[..end], r, depth + 1)).await;
        out.push_str(&resolve(&inner, r).await);
        rest = &body[end + 1..];
    }
    out.push_str(rest);
    out
}

/// The index of the `}` closing a `${` whose body starts `body` (nested `{}` counted).
fn closing_brace(body: &str) -> Option<usize> {
    let mut depth = 0usize;
    for (i, c) in body.char_indices() {
        match c {
            '{' => depth += 1,
            '}' if depth == 0 => return Some(i),
            '}' => depth -= 1,
            _ => {}
        }
    }
    None
}

async fn resolve(inner: &str, r: &mut dyn Resolver) -> String {
    if let Some(open) = inner.find('(')
        && inner.ends_with(')')
        && open > 0
    {
        let (func, args) = (&inner[..open], &inner[open + 1..inner.len() - 1]);
        if func == "cond" {
            return cond(args).unwrap_or_default();
        }
        return r.call(func, args).await.unwrap_or_default();
    }
    let (name, range) = split_range(inner);
    let value = r.var(name).unwrap_or_default();
    match range {
        Some((off, len)) => crate::vars::substring(&value, off, len),
        None => value,
    }
}

/// `name:offset[:length]`.
fn split_range(full: &str) -> (&str, Option<(i64, Option<i64>)>) {
    let Some((name, rest)) = full.split_once(':') else { return (full, None) };
    let (off, len) = rest.split_once(':').map_or((rest, None), |(o, l)| (o, Some(l)));
    match (off.trim().parse::<i64>(), len.map(|l| l.trim().parse::<i64>())) {
        (Ok(o), None) => (name, Some((o, None))),
        (Ok(o), Some(Ok(l))) => (name, Some((o, Some(l)))),
        _ => (full, None),
    }
}

/// FreeSWITCH's `cond <a> <op> <b> ? <true> : <false>`: numeric comparison when both sides are
/// numbers, else string comparison. `None` when it does not parse.
pub fn cond(expr: &str) -> Option<String> {
    let (test, values) = expr.split_once('?')?;
    let (yes, no) = values.split_once(':').unwrap_or((values, ""));
    let ops = ["==", "!=", ">=", "<=", ">", "<"];
    let (pos, op) = ops
        .iter()
        .filter_map(|op| test.find(op).map(|p| (p, *op)))
        .min_by_key(|(p, op)| (*p, usize::MAX - op.len()))?;
    let (a, b) = (test[..pos].trim().trim_matches('\''), test[pos + op.len()..].trim().trim_matches('\''));
    let ordering = match (a.parse::<f64>(), b.parse::<f64>()) {
        (Ok(x), Ok(y)) => x.partial_cmp(&y)?,
        _ => a.cmp(b),
    };
    use std::cmp::Ordering::*;
    let truth = match op {
        "==" => ordering == Equal,
        "!=" => ordering != Equal,
        ">=" => ordering != Less,
        "<=" => ordering != Greater,
        ">" => ordering == Greater,
        _ => ordering == Less,
    };
    Some(if truth { yes } else { no }.trim().trim_matches('\'').to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    struct Map(HashMap<&'static str, &'static str>);
    impl Resolver for Map {
        fn var(&mut self, name: &str) -> Option<String> {
            self.0.get(name).map(|v| (*v).to_owned())
        }
        fn call<'a>(&'a mut self, func: &'a str, args: &'a str) -> BoxFuture<'a, Option<String>> {
            Box::pin(async move { (func == "upper").then(|| args.to_uppercase()) })
        }
    }

    fn map() -> Map {
        Map(HashMap::from([("a", "1"), ("name", "a"), ("dest", "5551234")]))
    }

    #[test]
    fn variables_nest_and_take_ranges() {
        let mut m = map();
        assert_eq!(expand_now("x${a}y${nope}z", &mut m), "x1yz");
        assert_eq!(expand_now("${${name}}", &mut m), "1");
        assert_eq!(expand_now("${dest:0:3}-${dest:-4}", &mut m), "555-1234");
        assert_eq!(expand_now("${unclosed", &mut m), "${unclosed");
        assert_eq!(expand_now("$1 and $${a}", &mut m), "$1 and 1");
    }

    #[test]
    fn functions_are_called_and_cond_is_built_in() {
        let mut m = map();
        assert_eq!(expand_now("${upper(${dest})}", &mut m), "5551234");
        assert_eq!(expand_now("${upper(abc)}", &mut m), "ABC");
        assert_eq!(expand_now("${cond(${a} == 1 ? yes : no)}", &mut m), "yes");
        assert_eq!(expand_now("${cond(10 > 9 ? yes : no)}", &mut m), "yes");
        assert_eq!(expand_now("${cond(b < a ? yes : no)}", &mut m), "no");
        assert_eq!(cond("1 >= 2 ? a : b").as_deref(), Some("b"));
        assert_eq!(cond("no question"), None);
    }
}
