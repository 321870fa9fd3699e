//! Substitution of compiled argument text: `${VAR}`, `${VAR:offset:length}`, `${FUNC(args)}`,
//! nesting (`${${X}}`), and `$[ … ]` expressions evaluated after their own substitution.

use std::borrow::Cow;
use std::sync::Arc;

use switchyard_core::Channel;
use switchyard_core::app::BoxFuture;

use crate::engine::Engine;
use crate::template::{Piece, Template};
use crate::{expr, funcs, vars};

/// The text of `t` on `chan` now.
pub(crate) fn substitute<'a>(engine: &'a Arc<Engine>, chan: &'a mut Channel, t: &'a Template) -> BoxFuture<'a, String> {
    Box::pin(fill(engine, chan, t))
}

/// One level of `t`; nested templates go through `nested`.
async fn fill(engine: &Arc<Engine>, chan: &mut Channel, t: &Template) -> String {
    let mut out = String::new();
    fill_into(engine, chan, t, &mut out).await;
    out
}

/// `fill`, appending to `out`. Not boxed: the interpreter's step awaits it directly, with a buffer
/// it reuses (`substitute` boxes `fill` for recursion).
pub(crate) async fn fill_into(engine: &Arc<Engine>, chan: &mut Channel, t: &Template, out: &mut String) {
    if let Some(lit) = t.as_literal() {
        out.push_str(lit);
        return;
    }
    for piece in &t.0 {
        match piece {
            Piece::Lit(s) => out.push_str(s),
            Piece::Var(inner) => {
                let name = nested(engine, chan, inner).await;
                push_value(engine, chan, &name, out).await;
            }
            Piece::Expr(inner) => {
                let text = nested(engine, chan, inner).await;
                if let Err(e) = expr::evaluate_into(&text, out) {
                    tracing::warn!(channel = %chan.current().name, "$[{text}]: {e}");
                }
            }
        }
    }
}

/// The text of a nested template (a `${…}` name, a `$[…]` body). The usual shapes, a literal or
/// literals and plain `${NAME}`s, are done here; deeper nesting recurses through a boxed future.
async fn nested<'t>(engine: &Arc<Engine>, chan: &mut Channel, t: &'t Template) -> Cow<'t, str> {
    if let Some(lit) = t.as_literal() {
        return Cow::Borrowed(lit);
    }
    let flat = t.0.iter().all(|p| match p {
        Piece::Lit(_) => true,
        Piece::Var(name) => name.as_literal().is_some(),
        Piece::Expr(_) => false,
    });
    if !flat {
        return Cow::Owned(substitute(engine, chan, t).await);
    }
    let mut out = String::new();
    for piece in &t.0 {
        match piece {
            Piece::Lit(s) => out.push_str(s),
            Piece::Var(name) => push_value(engine, chan, name.as_literal().unwrap_or_default(), &mut out).await,
            Piece::Expr(_) => {}
        }
    }
    Cow::Owned(out)
}

/// Appends the value of `${full}` to `out`: a plain variable without a copy.
async fn push_value(engine: &Arc<Engine>, chan: &mut Channel, full: &str, out: &mut String) {
    let (name, range) = vars::split_name(full);
    if range.is_none() && !name.ends_with(')') {
        if let Some(v) = vars::lookup(chan, name) {
            out.push_str(&v);
        }
        return;
    }
    out.push_str(&resolve(engine, chan, full).await);
}

/// The value of `${full}`, where `full` is already substituted.
pub(crate) async fn resolve(engine: &Arc<Engine>, chan: &mut Channel, full: &str) -> String {
    let (name, range) = vars::split_name(full);
    let value = match crate::args::call(name).filter(|_| name.ends_with(')')) {
        Some((func, args)) => match funcs::read(engine, chan, func, args).await {
            Ok(v) => v,
            Err(e) => {
                tracing::warn!(channel = %chan.current().name, "{func}(): {e}");
                String::new()
            }
        },
        None => vars::get(chan, name).unwrap_or_default(),
    };
    match range {
        Some((off, len)) => vars::substring(&value, off, len),
        None => value,
    }
}
