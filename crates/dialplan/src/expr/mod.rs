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

/// Evaluates expression text (already substituted) to its result text, as Asterisk prints it.
pub fn evaluate(text: &str) -> Result<String, ExprError> {
    if let Some(result) = fast::simple(text) {
        return Ok(result);
    }
    let mut tokens = lexer::tokens(text)?;
    let v = parser::Parser::new(&mut tokens).parse()?;
    Ok(v.into_string())
}
