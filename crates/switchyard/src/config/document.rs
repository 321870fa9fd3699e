//! A parsed TOML document that remembers where every key and value was written, so that errors can
//! name the line and the full key path (`ami.users[0].permit[1]`).

use std::fmt;
use std::ops::Range;
use std::path::{Path, PathBuf};

use toml::Spanned;
use toml::de::{DeTable, DeValue};

use super::error::ConfigError;

/// Deeper than any key of the config; stops the span search on pathological documents.
const MAX_SEARCH_DEPTH: usize = 32;

/// One step of a key path: a table key or an array index.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Segment {
    Key(String),
    Index(usize),
}

/// A path from the document root to a key or array element, displayed TOML-style.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct KeyPath(pub(crate) Vec<Segment>);

impl KeyPath {
    /// Parses paths written with bare keys only, as the validator writes them (`sip.users[2].password`).
    pub(crate) fn parse(text: &str) -> KeyPath {
        let mut segments = Vec::new();
        for part in text.split('.') {
            let mut pieces = part.split('[');
            if let Some(key) = pieces.next().filter(|k| !k.is_empty()) {
                segments.push(Segment::Key(key.to_string()));
            }
            let indices = pieces.filter_map(|p| p.trim_end_matches(']').parse().ok());
            segments.extend(indices.map(Segment::Index));
        }
        KeyPath(segments)
    }

    pub(crate) fn ends_with_key(&self, key: &str) -> bool {
        matches!(self.0.last(), Some(Segment::Key(k)) if k == key)
    }
}

impl fmt::Display for KeyPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.0.is_empty() {
            return f.write_str("(top level)");
        }
        for (i, segment) in self.0.iter().enumerate() {
            match segment {
                Segment::Key(key) if i > 0 => write!(f, ".{}", Quoted(key))?,
                Segment::Key(key) => write!(f, "{}", Quoted(key))?,
                Segment::Index(index) => write!(f, "[{index}]")?,
            }
        }
        Ok(())
    }
}

/// A key as TOML would need it written: bare when it can be, quoted otherwise.
struct Quoted<'a>(&'a str);

impl fmt::Display for Quoted<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let bare = |c: char| c.is_ascii_alphanumeric() || c == '_' || c == '-';
        if !self.0.is_empty() && self.0.chars().all(bare) { f.write_str(self.0) } else { write!(f, "{:?}", self.0) }
    }
}

/// The text of one config file and its syntax tree with spans.
pub(crate) struct Document<'i> {
    pub(crate) file: PathBuf,
    text: &'i str,
    root: Spanned<DeTable<'i>>,
}

impl<'i> Document<'i> {
    /// Parses TOML syntax only; types and values are checked when deserializing.
    pub(crate) fn parse(text: &'i str, file: &Path) -> Result<Self, ConfigError> {
        match DeTable::parse(text) {
            Ok(root) => Ok(Document { file: file.to_path_buf(), text, root }),
            Err(err) => Err(syntax_error(text, file, &err)),
        }
    }

    /// A serde deserializer over the whole document.
    pub(crate) fn deserializer(&self) -> toml::de::Deserializer<'i> {
        toml::de::Deserializer::from(self.root.clone())
    }

    /// 1-based line and column (in characters) of a byte offset.
    pub(crate) fn position(&self, offset: usize) -> (usize, usize) {
        position(self.text, offset)
    }

    /// The deepest key or value written exactly at `span`; empty when none is.
    pub(crate) fn path_at(&self, span: &Range<usize>) -> KeyPath {
        let mut search = SpanSearch { target: span, path: Vec::new(), best: Vec::new() };
        search.table(self.root.get_ref());
        KeyPath(search.best)
    }

    /// Line where `path` (bare keys, as [`KeyPath::parse`] reads them) is written; when it is not
    /// written (a default), the line of its closest written ancestor, else line 1.
    pub(crate) fn line_of(&self, path: &str) -> usize {
        let mut offset = 0;
        let mut value: Option<&DeValue<'_>> = None;
        for segment in KeyPath::parse(path).0 {
            let found = match (segment, value) {
                (Segment::Key(key), None) => entry(self.root.get_ref(), &key),
                (Segment::Key(key), Some(DeValue::Table(table))) => entry(table, &key),
                (Segment::Index(i), Some(DeValue::Array(array))) => array.get(i).map(|e| (e.span().start, e.get_ref())),
                _ => None,
            };
            let Some((start, next)) = found else { break };
            (offset, value) = (start, Some(next));
        }
        self.position(offset).0
    }

    /// An `InvalidValue` error for the key at `path`.
    pub(crate) fn invalid(&self, path: &str, reason: impl Into<String>) -> ConfigError {
        ConfigError::InvalidValue {
            file: self.file.clone(),
            line: self.line_of(path),
            key: path.to_string(),
            reason: reason.into(),
        }
    }
}

/// Where `key` is written in `table`, and its value.
fn entry<'a, 'i>(table: &'a DeTable<'i>, key: &str) -> Option<(usize, &'a DeValue<'i>)> {
    let (k, v) = table.iter().find(|(k, _)| k.get_ref() == key)?;
    Some((k.span().start, v.get_ref()))
}

/// Depth-first search for the key path whose key or value span equals `target`.
struct SpanSearch<'t> {
    target: &'t Range<usize>,
    path: Vec<Segment>,
    best: Vec<Segment>,
}

impl SpanSearch<'_> {
    fn table(&mut self, table: &DeTable<'_>) {
        for (key, value) in table.iter() {
            self.path.push(Segment::Key(key.get_ref().to_string()));
            self.visit(key.span() == *self.target, value);
            self.path.pop();
        }
    }

    fn visit(&mut self, key_matches: bool, value: &Spanned<DeValue<'_>>) {
        let here = key_matches || value.span() == *self.target;
        if here && self.path.len() > self.best.len() {
            self.best = self.path.clone();
        }
        if self.path.len() >= MAX_SEARCH_DEPTH {
            return;
        }
        match value.get_ref() {
            DeValue::Table(table) => self.table(table),
            DeValue::Array(array) => {
                for (i, element) in array.iter().enumerate() {
                    self.path.push(Segment::Index(i));
                    self.visit(false, element);
                    self.path.pop();
                }
            }
            _ => {}
        }
    }
}

fn syntax_error(text: &str, file: &Path, err: &toml::de::Error) -> ConfigError {
    let span = err.span().unwrap_or(0..0);
    let (line, col) = position(text, span.start);
    let mut message = err.message().to_string();
    if message == "duplicate key"
        && let Some(key) = text.get(span).filter(|k| !k.is_empty())
    {
        message = format!("duplicate key `{key}`");
    }
    ConfigError::Syntax { file: file.to_path_buf(), line, col, message }
}

/// 1-based line and column of a byte offset; tolerant of offsets past the end or inside a character.
pub(crate) fn position(text: &str, offset: usize) -> (usize, usize) {
    let before = &text.as_bytes()[..offset.min(text.len())];
    let line_start = before.iter().rposition(|&b| b == b'\n').map_or(0, |nl| nl + 1);
    let line = before.iter().filter(|&&b| b == b'\n').count() + 1;
    let is_char_start = |b: &&u8| (**b & 0xC0) != 0x80;
    let col = before[line_start..].iter().filter(is_char_start).count() + 1;
    (line, col)
}

#[cfg(test)]
mod tests {
    use super::*;

    const TEXT: &str = "[general]\ndata_dir = \"x\"\n\n[[ami.users]]\nusername = \"a\"\n\
                        permit = [\n  \"10.0.0.0/8\",\n  \"bad\",\n]\n\"odd key\" = 1\n";

    fn doc() -> Document<'static> {
        Document::parse(TEXT, Path::new("t.toml")).unwrap()
    }

    fn span_of(needle: &str) -> Range<usize> {
        let start = TEXT.find(needle).unwrap();
        start..start + needle.len()
    }

    #[test]
    fn positions_count_lines_and_characters_from_one() {
        assert_eq!(position("ab\ncd", 0), (1, 1));
        assert_eq!(position("ab\ncd", 4), (2, 2));
        assert_eq!(position("é=1", 2), (1, 2));
        assert_eq!(position("ab", 99), (1, 3));
    }

    #[test]
    fn span_of_a_value_gives_its_key_path() {
        let path = doc().path_at(&span_of("\"bad\""));
        assert_eq!(path.to_string(), "ami.users[0].permit[1]");
    }

    #[test]
    fn span_of_an_array_of_tables_header_gives_the_element() {
        let path = doc().path_at(&span_of("[[ami.users]]"));
        assert_eq!(path.to_string(), "ami.users[0]");
    }

    #[test]
    fn keys_that_are_not_bare_are_quoted() {
        let path = doc().path_at(&span_of("\"odd key\""));
        assert_eq!(path.to_string(), "ami.users[0].\"odd key\"");
    }

    #[test]
    fn line_of_a_written_key_is_where_it_is_written() {
        assert_eq!(doc().line_of("general.data_dir"), 2);
        assert_eq!(doc().line_of("ami.users[0]"), 4);
        assert_eq!(doc().line_of("ami.users[0].permit[1]"), 8);
    }

    #[test]
    fn line_of_an_unwritten_key_is_its_closest_written_ancestor() {
        assert_eq!(doc().line_of("general.log_format"), 1);
        assert_eq!(doc().line_of("ami.users[0].secret"), 4);
        assert_eq!(doc().line_of("sip.listen"), 1);
    }

    #[test]
    fn duplicate_keys_are_syntax_errors_naming_the_key() {
        let err = Document::parse("a = 1\na = 2\n", Path::new("t.toml")).err().unwrap();
        assert_eq!(err.to_string(), "t.toml:2:1: TOML syntax error: duplicate key `a`");
    }
}
