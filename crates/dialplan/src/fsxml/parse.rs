//! XML dialplan text → [`XmlDialplan`]: quick-xml events walked with a small state machine,
//! `X-PRE-PROCESS` (`set`, `include`) and `$${global}` handled in document order, as FreeSWITCH's
//! preprocessor does line by line. Every error names file:line:column.

use std::borrow::Cow;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use quick_xml::events::{BytesStart, Event};
use quick_xml::{Reader, XmlVersion};

use super::model::{Action, Break, Condition, FieldRegex, FieldTest, FieldTests, RegexMode, Test, XmlExtension};
use super::model::{XmlContext, XmlDialplan};
use super::time::TimeTest;
use crate::error::DialplanError;
use crate::ir::Source;

/// Includes nested deeper than this are refused (an include loop).
const MAX_INCLUDE_DEPTH: usize = 16;
/// Conditions nested deeper than this are refused (FreeSWITCH's `MAX_RECUR`).
const MAX_CONDITION_DEPTH: usize = 100;

/// A condition being read (its `<regex>`/`<expression>` children and actions are still coming).
struct PendingCondition {
    field: Option<String>,
    expression: Option<String>,
    mode: Option<RegexMode>,
    regexes: Vec<FieldTest>,
    time: Vec<TimeTest>,
    brk: Break,
    require_nested: bool,
    actions: Vec<Action>,
    anti_actions: Vec<Action>,
    nested: Vec<Condition>,
    source: Source,
    /// Byte offset of the `<condition>` tag (errors found at its end point here).
    offset: usize,
    /// Text of an `<expression>` child being read.
    expression_text: Option<String>,
}

/// Builds a dialplan from one or more files.
#[derive(Default)]
pub struct Loader {
    plan: XmlDialplan,
    context: Option<String>,
    extension: Option<XmlExtension>,
    /// Conditions being read, outermost first (a `<condition>` may hold `<condition>`s).
    conditions: Vec<PendingCondition>,
    depth: usize,
    /// `X-PRE-PROCESS cmd="include"` refused (text from an untrusted source, e.g. the fuzzer).
    pub no_includes: bool,
}

/// Where the reader is, for errors.
struct Place<'a> {
    file: &'a Arc<str>,
    text: &'a str,
    /// Byte offsets of every `\n` (line lookups are binary searches, not rescans).
    newlines: Vec<usize>,
}

impl<'a> Place<'a> {
    fn new(file: &'a Arc<str>, text: &'a str) -> Self {
        let newlines = text.bytes().enumerate().filter(|(_, b)| *b == b'\n').map(|(i, _)| i).collect();
        Self { file, text, newlines }
    }

    fn source(&self, offset: usize) -> Source {
        Source { file: self.file.clone(), line: self.line_col(offset).0 }
    }

    fn line_col(&self, offset: usize) -> (usize, usize) {
        let offset = offset.min(self.text.len());
        let before = self.newlines.partition_point(|nl| *nl < offset);
        let line_start = if before == 0 { 0 } else { self.newlines[before - 1] + 1 };
        (before + 1, offset - line_start + 1)
    }

    fn error(&self, offset: usize, what: impl Into<String>) -> DialplanError {
        let (line, col) = self.line_col(offset);
        DialplanError::parse(self.file, line, col, what)
    }
}

impl Loader {
    /// Reads one file (a path without wildcards).
    pub fn load_file(&mut self, path: &Path) -> Result<(), DialplanError> {
        let text = std::fs::read_to_string(path).map_err(|source| DialplanError::Io { file: path.into(), source })?;
        self.plan.files.push(path.display().to_string());
        self.parse(&path.display().to_string(), &text, path.parent())
    }

    /// Reads `text` named `file`; relative includes are looked up in `dir` (or the working directory).
    pub fn parse(&mut self, file: &str, text: &str, dir: Option<&Path>) -> Result<(), DialplanError> {
        let file: Arc<str> = Arc::from(file);
        let place = Place::new(&file, text);
        let mut reader = Reader::from_str(text);
        reader.config_mut().trim_text(true);
        let mut stack: Vec<String> = Vec::new();
        loop {
            let before = reader.buffer_position() as usize;
            let event = match reader.read_event() {
                Ok(e) => e,
                Err(e) => return Err(place.error(reader.error_position() as usize, format!("well-formed XML ({e})"))),
            };
            let at = before + text.get(before..).and_then(|t| t.find('<')).unwrap_or(0);
            match event {
                Event::Start(e) => {
                    let name = e.name().as_ref().to_owned();
                    self.open(&place, at, &e, dir)?;
                    stack.push(name);
                }
                Event::Empty(e) => {
                    let name = e.name().as_ref().to_owned();
                    self.open(&place, at, &e, dir)?;
                    self.close(&place, &name)?;
                }
                Event::End(e) => {
                    let name = e.name().as_ref().to_owned();
                    stack.pop();
                    self.close(&place, &name)?;
                }
                Event::Text(t) => self.text(&t.xml10_content()),
                Event::CData(t) => self.text(&t.into_inner()),
                Event::GeneralRef(r) => {
                    let resolved = match r.resolve_char_ref() {
                        Ok(Some(c)) => c.to_string(),
                        _ => predefined_entity(&r).to_owned(),
                    };
                    self.text(&resolved);
                }
                Event::Eof => break,
                _ => {}
            }
        }
        if let Some(open) = stack.last() {
            return Err(place.error(text.len(), format!("</{open}> before the end of the file")));
        }
        Ok(())
    }

    /// The finished dialplan (each context's destination index built).
    pub fn finish(mut self) -> XmlDialplan {
        for ctx in self.plan.contexts.values_mut() {
            ctx.index = super::index::DestIndex::build(&ctx.extensions);
        }
        self.plan
    }

    fn text(&mut self, s: &str) {
        if let Some(buf) = self.conditions.last_mut().and_then(|c| c.expression_text.as_mut()) {
            buf.push_str(s);
        }
    }

    fn attrs(&self, place: &Place<'_>, at: usize, e: &BytesStart<'_>) -> Result<Vec<(String, String)>, DialplanError> {
        let mut out = Vec::new();
        for attr in e.attributes() {
            let attr = attr.map_err(|err| place.error(at, format!("well-formed attributes ({err})")))?;
            let key = attr.key.as_ref().to_owned();
            let value: Cow<'_, str> = attr
                .normalized_value(XmlVersion::Implicit1_0)
                .map_err(|err| place.error(at, format!("a valid value for attribute '{key}' ({err})")))?;
            out.push((key, self.globals_in(&value)));
        }
        Ok(out)
    }

    /// `$${name}` replaced by the `X-PRE-PROCESS` global (empty when not set).
    fn globals_in(&self, text: &str) -> String {
        substitute_globals(text, &self.plan.globals)
    }

    fn open(
        &mut self,
        place: &Place<'_>,
        at: usize,
        e: &BytesStart<'_>,
        dir: Option<&Path>,
    ) -> Result<(), DialplanError> {
        let attrs = self.attrs(place, at, e)?;
        let get = |k: &str| attrs.iter().find(|(n, _)| n == k).map(|(_, v)| v.as_str());
        match e.name().as_ref() {
            "X-PRE-PROCESS" => self.preprocess(place, at, get("cmd"), get("data").unwrap_or(""), dir),
            "context" => self.open_context(place, at, get("name")),
            "extension" => self.open_extension(place, at, get("name"), get("continue")),
            "condition" => self.open_condition(place, at, &attrs),
            "regex" => self.add_regex(place, at, &attrs),
            "expression" => match self.conditions.last_mut() {
                Some(c) => {
                    c.expression_text = Some(String::new());
                    Ok(())
                }
                None => Err(place.error(at, "<expression> inside a <condition>")),
            },
            "action" | "anti-action" => {
                let anti = e.name().as_ref() == "anti-action";
                self.add_action(place, at, anti, get("application"), get("data"), get("inline"))
            }
            _ => Ok(()),
        }
    }

    fn close(&mut self, place: &Place<'_>, name: &str) -> Result<(), DialplanError> {
        match name {
            "context" => self.context = None,
            "extension" => self.close_extension(),
            "condition" => self.close_condition(place)?,
            "expression" => {
                if let Some(c) = self.conditions.last_mut() {
                    c.expression = c.expression_text.take().map(|t| t.trim().to_owned());
                }
            }
            _ => {}
        }
        Ok(())
    }

    fn preprocess(
        &mut self,
        place: &Place<'_>,
        at: usize,
        cmd: Option<&str>,
        data: &str,
        dir: Option<&Path>,
    ) -> Result<(), DialplanError> {
        match cmd {
            Some("set") => {
                let (name, value) =
                    data.split_once('=').ok_or_else(|| place.error(at, "data=\"name=value\" for cmd=\"set\""))?;
                let name = name.trim().to_owned();
                self.plan.globals.retain(|(n, _)| *n != name);
                self.plan.globals.push((name, value.trim().to_owned()));
                Ok(())
            }
            Some("include") => self.include(place, at, data, dir),
            Some(_) => Ok(()),
            None => Err(place.error(at, "a cmd attribute on X-PRE-PROCESS")),
        }
    }

    fn include(&mut self, place: &Place<'_>, at: usize, data: &str, dir: Option<&Path>) -> Result<(), DialplanError> {
        if self.no_includes {
            return Err(place.error(at, "no X-PRE-PROCESS include in this text (includes are off)"));
        }
        if self.depth >= MAX_INCLUDE_DEPTH {
            return Err(place.error(at, format!("includes nested at most {MAX_INCLUDE_DEPTH} deep (a loop?)")));
        }
        let pattern = match dir {
            Some(d) if Path::new(data).is_relative() => d.join(data),
            _ => PathBuf::from(data),
        };
        let files = super::glob::expand(&pattern);
        if let [only] = files.as_slice()
            && !only.is_file()
        {
            return Err(place.error(at, format!("an existing file to include: {}", only.display())));
        }
        self.depth += 1;
        let result = files.iter().try_for_each(|f| self.load_file(f));
        self.depth -= 1;
        result
    }

    fn open_context(&mut self, place: &Place<'_>, at: usize, name: Option<&str>) -> Result<(), DialplanError> {
        let name = name.filter(|n| !n.is_empty()).ok_or_else(|| place.error(at, "a name attribute on <context>"))?;
        let ctx = self
            .plan
            .contexts
            .entry(name.to_owned())
            .or_insert_with(|| XmlContext { name: name.to_owned(), ..XmlContext::default() });
        ctx.name = name.to_owned();
        self.context = Some(name.to_owned());
        Ok(())
    }

    fn open_extension(
        &mut self,
        place: &Place<'_>,
        at: usize,
        name: Option<&str>,
        cont: Option<&str>,
    ) -> Result<(), DialplanError> {
        if self.context.is_none() {
            return Err(place.error(at, "<extension> inside a <context>"));
        }
        if self.extension.is_some() {
            return Err(place.error(at, "</extension> before another <extension>"));
        }
        self.extension = Some(XmlExtension {
            name: name.unwrap_or("").to_owned(),
            continue_on_match: cont.is_some_and(is_true),
            conditions: Vec::new(),
            source: place.source(at),
        });
        Ok(())
    }

    fn close_extension(&mut self) {
        let (Some(ext), Some(ctx)) = (self.extension.take(), self.context.as_ref()) else { return };
        if let Some(c) = self.plan.contexts.get_mut(ctx) {
            c.extensions.push(ext);
        }
    }

    fn open_condition(
        &mut self,
        place: &Place<'_>,
        at: usize,
        attrs: &[(String, String)],
    ) -> Result<(), DialplanError> {
        if self.extension.is_none() {
            return Err(place.error(at, "<condition> inside an <extension>"));
        }
        if self.conditions.len() >= MAX_CONDITION_DEPTH {
            return Err(place.error(at, format!("conditions nested at most {MAX_CONDITION_DEPTH} deep")));
        }
        let mut c = PendingCondition {
            field: None,
            expression: None,
            mode: None,
            regexes: Vec::new(),
            time: Vec::new(),
            brk: Break::default(),
            require_nested: true,
            actions: Vec::new(),
            anti_actions: Vec::new(),
            nested: Vec::new(),
            source: place.source(at),
            offset: at,
            expression_text: None,
        };
        for (k, v) in attrs {
            match k.as_str() {
                "field" => c.field = Some(v.clone()),
                "expression" => c.expression = Some(v.clone()),
                "break" => {
                    c.brk = Break::parse(v).ok_or_else(|| {
                        place.error(at, format!("break=\"on-true|on-false|always|never\" (got \"{v}\")"))
                    })?
                }
                "require-nested" => c.require_nested = is_true(v),
                "regex" => {
                    c.mode = Some(
                        parse_mode(v).ok_or_else(|| place.error(at, format!("regex=\"all|any|xor\" (got \"{v}\")")))?,
                    )
                }
                other => c.time.extend(TimeTest::new(other, v)),
            }
        }
        self.conditions.push(c);
        Ok(())
    }

    /// `<regex field expression/>`, or `<regex>` with only time attributes.
    fn add_regex(&mut self, place: &Place<'_>, at: usize, attrs: &[(String, String)]) -> Result<(), DialplanError> {
        let Some(c) = self.conditions.last_mut() else { return Err(place.error(at, "<regex> inside a <condition>")) };
        let get = |k: &str| attrs.iter().find(|(n, _)| n == k).map(|(_, v)| v.as_str());
        let test = match (get("field"), get("expression")) {
            (Some(field), Some(expr)) => field_test(place, at, field, expr)?,
            (Some(_), None) => return Err(place.error(at, "an expression attribute on <regex>")),
            (None, Some(_)) => return Err(place.error(at, "a field attribute on <regex>")),
            (None, None) => {
                let time = attrs.iter().filter_map(|(k, v)| TimeTest::new(k, v)).collect();
                let regex = FieldRegex::new("").map_err(|e| place.error(at, e.to_string()))?;
                FieldTest { field: String::new(), regex, time }
            }
        };
        c.regexes.push(test);
        Ok(())
    }

    fn add_action(
        &mut self,
        place: &Place<'_>,
        at: usize,
        anti: bool,
        app: Option<&str>,
        data: Option<&str>,
        inline: Option<&str>,
    ) -> Result<(), DialplanError> {
        let Some(c) = self.conditions.last_mut() else {
            return Err(place.error(at, "<action> and <anti-action> inside a <condition>"));
        };
        let app = app.filter(|a| !a.is_empty()).ok_or_else(|| place.error(at, "an application attribute"))?;
        let action = Action {
            app: app.to_owned(),
            data: data.unwrap_or("").to_owned(),
            inline: inline.is_some_and(is_true),
            source: place.source(at),
        };
        if anti {
            c.anti_actions.push(action)
        } else {
            c.actions.push(action)
        }
        Ok(())
    }

    fn close_condition(&mut self, place: &Place<'_>) -> Result<(), DialplanError> {
        let Some(c) = self.conditions.pop() else { return Ok(()) };
        let at = c.offset;
        let fields = match (c.mode, c.field, c.expression) {
            (Some(mode), _, _) if !c.regexes.is_empty() => FieldTests::Many(mode, c.regexes),
            (Some(_), _, _) => return Err(place.error(at, "<regex> children for regex=\"…\"")),
            (None, Some(field), Some(expr)) => FieldTests::One(field_test(place, at, &field, &expr)?),
            (None, Some(_), None) => return Err(place.error(at, "an expression for the field")),
            (None, None, Some(_)) => return Err(place.error(at, "a field for the expression")),
            (None, None, None) => FieldTests::None,
        };
        let uses_captures = c.actions.iter().any(|a| has_capture_ref(&a.data));
        let cond = Condition {
            uses_captures,
            test: Test { time: c.time, fields },
            brk: c.brk,
            actions: c.actions,
            anti_actions: c.anti_actions,
            nested: c.nested,
            require_nested: c.require_nested,
            source: c.source,
        };
        if let Some(parent) = self.conditions.last_mut() {
            parent.nested.push(cond);
        } else if let Some(ext) = self.extension.as_mut() {
            ext.conditions.push(cond);
        }
        Ok(())
    }
}

fn field_test(place: &Place<'_>, at: usize, field: &str, expr: &str) -> Result<FieldTest, DialplanError> {
    let regex = FieldRegex::new(expr).map_err(|e| {
        place.error(at, format!("a valid regular expression in \"{expr}\" ({})", first_line(&e.to_string())))
    })?;
    Ok(FieldTest { field: field.to_owned(), regex, time: Vec::new() })
}

fn first_line(s: &str) -> String {
    s.lines().rfind(|l| !l.trim().is_empty()).unwrap_or(s).trim().to_owned()
}

/// True when `data` holds `$` followed by a digit.
fn has_capture_ref(data: &str) -> bool {
    data.as_bytes().windows(2).any(|w| w[0] == b'$' && w[1].is_ascii_digit())
}

fn parse_mode(v: &str) -> Option<RegexMode> {
    Some(match v {
        "all" => RegexMode::All,
        "any" => RegexMode::Any,
        "xor" => RegexMode::Xor,
        _ => return None,
    })
}

/// FreeSWITCH's true values (`switch_true`).
pub fn is_true(v: &str) -> bool {
    matches!(v.to_ascii_lowercase().as_str(), "true" | "yes" | "on" | "enabled" | "active" | "allow" | "1")
        || v.parse::<i64>().is_ok_and(|n| n != 0)
}

fn predefined_entity(name: &str) -> &'static str {
    match name {
        "lt" => "<",
        "gt" => ">",
        "amp" => "&",
        "apos" => "'",
        "quot" => "\"",
        _ => "",
    }
}

/// `$${name}` replaced by its value in `globals` (empty when unknown).
pub fn substitute_globals(text: &str, globals: &[(String, String)]) -> String {
    if !text.contains("$${") {
        return text.to_owned();
    }
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(start) = rest.find("$${") {
        out.push_str(&rest[..start]);
        let after = &rest[start + 3..];
        let Some(end) = after.find('}') else {
            out.push_str(&rest[start..]);
            return out;
        };
        let name = &after[..end];
        out.push_str(globals.iter().rev().find(|(n, _)| n == name).map_or("", |(_, v)| v.as_str()));
        rest = &after[end + 1..];
    }
    out.push_str(rest);
    out
}
