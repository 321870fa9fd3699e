//! Substitution of compiled argument text: `${VAR}`, `${VAR:offset:length}`, `${FUNC(args)}`,
//! nesting (`${${X}}`), and `$[ … ]` expressions evaluated after their own substitution.

use std::sync::Arc;

use switchyard_core::Channel;
use switchyard_core::app::BoxFuture;

use crate::engine::Engine;
use crate::template::{Piece, Template};
use crate::{expr, funcs, vars};

/// The text of `t` on `chan` now.
pub(crate) fn substitute<'a>(engine: &'a Arc<Engine>, chan: &'a mut Channel, t: &'a Template) -> BoxFuture<'a, String> {
    Box::pin(async move {
        if let Some(lit) = t.as_literal() {
            return lit.to_owned();
        }
        let mut out = String::new();
        for piece in &t.0 {
            match piece {
                Piece::Lit(s) => out.push_str(s),
                Piece::Var(inner) => {
                    let name = substitute(engine, chan, inner).await;
                    out.push_str(&resolve(engine, chan, &name).await);
                }
                Piece::Expr(inner) => {
                    let text = substitute(engine, chan, inner).await;
                    match expr::evaluate(&text) {
                        Ok(v) => out.push_str(&v),
                        Err(e) => tracing::warn!(channel = %chan.current().name, "$[{text}]: {e}"),
                    }
                }
            }
        }
        out
    })
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
