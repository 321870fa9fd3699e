//! What to run: `<script> [args…]` (a path, relative ones under the scripts directory) or
//! `~<inline code>`, and the source text.

use std::path::{Path, PathBuf};

/// A script could not be read.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ScriptError {
    /// Nothing to run.
    #[error("no script given")]
    Empty,
    /// The file could not be read.
    #[error("cannot open {path}: {source}")]
    Open {
        /// The path tried.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
}

/// A script and its arguments.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ScriptCall {
    /// The name as given (`argv[0]`), or `inline` for `~code`.
    pub name: String,
    /// The file to read; None for inline code.
    pub path: Option<PathBuf>,
    /// Inline code (`~…`).
    pub inline: Option<String>,
    /// `argv[1]…`.
    pub args: Vec<String>,
}

impl ScriptCall {
    /// Parses `<script> [args]` (FreeSWITCH splits arguments on spaces; quotes group).
    pub fn parse(line: &str, scripts_dir: &Path) -> Result<Self, ScriptError> {
        let line = line.trim();
        if let Some(code) = line.strip_prefix('~') {
            let call = Self { name: "inline".into(), path: None, inline: Some(code.to_owned()), args: vec![] };
            return Ok(call);
        }
        let mut words = switchyard_core::command::split_args(line).into_iter();
        let name = words.next().ok_or(ScriptError::Empty)?;
        let path = if Path::new(&name).is_absolute() { PathBuf::from(&name) } else { scripts_dir.join(&name) };
        Ok(Self { name, path: Some(path), inline: None, args: words.collect() })
    }

    /// The source text and the chunk name errors are reported under (`@<name>` gives `name:line:`).
    pub fn source(&self) -> Result<(String, String), ScriptError> {
        match (&self.inline, &self.path) {
            (Some(code), _) => Ok((code.clone(), "=inline".to_owned())),
            (None, Some(path)) => std::fs::read_to_string(path)
                .map(|text| (text, format!("@{}", self.name)))
                .map_err(|source| ScriptError::Open { path: path.clone(), source }),
            (None, None) => Err(ScriptError::Empty),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn relative_names_resolve_under_the_scripts_dir_and_args_split() {
        let call = ScriptCall::parse("inviteToConf.lua 1000 'two words'", Path::new("/srv/scripts")).unwrap();
        assert_eq!(call.path.as_deref(), Some(Path::new("/srv/scripts/inviteToConf.lua")));
        assert_eq!(call.args, ["1000", "two words"]);
        let abs = ScriptCall::parse("/tmp/x.lua", Path::new("/srv")).unwrap();
        assert_eq!(abs.path.as_deref(), Some(Path::new("/tmp/x.lua")));
        let inline = ScriptCall::parse("~stream:write('hi')", Path::new("/srv")).unwrap();
        assert_eq!(inline.inline.as_deref(), Some("stream:write('hi')"));
        assert!(matches!(ScriptCall::parse("  ", Path::new("/srv")), Err(ScriptError::Empty)));
    }
}
