//! `$[ … ]` expressions: Asterisk's expr2 grammar, precedence and value rules (strings, numeric
//! strings and numbers; regex `:` and `=~`; `?:` written `? ::`), evaluated after substitution.

mod fast;
mod lexer;
mod parser;
mod value;
mod wide;

#[cfg(test)]
mod tests;

pub use parser::ExprError;

/// Evaluates expression text (already substituted) and appends its result to `out`.
pub fn evaluate_into(text: &str, out: &mut String) -> Result<(), ExprError> {
    match fast::simple_value(text) {
        Some(result) => {
            use std::fmt::Write;
            let _ = write!(out, "{result}");
        }
        None => out.push_str(&evaluate(text)?),
    }
    Ok(())
}

/// Evaluates expression text (already substituted) to its result text, as Asterisk prints it.
pub fn evaluate(text: &str) -> Result<String, ExprError> {
    if let Some(result) = fast::simple_value(text) {
        return Ok(result.to_string());
    }
    let mut tokens = lexer::tokens(text)?;
    let v = parser::Parser::new(&mut tokens).parse()?;
    Ok(v.into_string())
}
