//! The `extensions.conf` front-end: reads files (following `#include`), strips comments, and builds
//! the IR from `[context]` blocks, `exten`/`same`/`include` lines, templates and `[globals]`.

mod exten;
mod features;
mod lines;

pub use features::{load_features, parse_features};

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::error::DialplanError;
use crate::ir::{Context, Dialplan, Priority, Source};
use crate::template::Template;

use exten::{ExtenLine, PrioritySpec};
use lines::{Line, LineKind};

/// Deepest `#include` nesting accepted (guards against include loops).
const MAX_INCLUDE_DEPTH: usize = 16;

/// Loads `paths` (each with its `#include`s) into one dialplan.
pub fn load_files(paths: &[PathBuf]) -> Result<Dialplan, DialplanError> {
    let mut b = Builder::default();
    for path in paths {
        b.file(path, 0)?;
    }
    Ok(b.finish())
}

/// Parses one file's text; `#include` is resolved relative to `base` when given, refused otherwise.
pub fn parse_str(name: &str, text: &str) -> Result<Dialplan, DialplanError> {
    let mut b = Builder::default();
    b.text(name, text, None, 0)?;
    Ok(b.finish())
}

/// One `key => value` item remembered per category, so `[x](tmpl)` can replay `tmpl`'s lines.
#[derive(Clone)]
struct Item {
    key: String,
    value: String,
    value_col: usize,
    file: Arc<str>,
    line: usize,
}

#[derive(Default)]
struct Builder {
    plan: Dialplan,
    current: Option<Category>,
    items: HashMap<String, Vec<Item>>,
    last_prio: HashMap<(String, String), u32>,
    last_exten: HashMap<String, (String, Option<String>)>,
}

#[derive(Clone)]
struct Category {
    name: String,
    template: bool,
}

impl Builder {
    fn file(&mut self, path: &Path, depth: usize) -> Result<(), DialplanError> {
        let text =
            std::fs::read_to_string(path).map_err(|source| DialplanError::Io { file: path.to_owned(), source })?;
        let name = path.display().to_string();
        self.text(&name, &text, Some(path.parent().unwrap_or(Path::new("."))), depth)
    }

    fn text(&mut self, name: &str, text: &str, base: Option<&Path>, depth: usize) -> Result<(), DialplanError> {
        let file: Arc<str> = Arc::from(name);
        self.plan.files.push(name.to_owned());
        for line in lines::lines(&file, text)? {
            self.line(line, base, depth)?;
        }
        Ok(())
    }

    fn line(&mut self, line: Line, base: Option<&Path>, depth: usize) -> Result<(), DialplanError> {
        let at = Line { file: line.file.clone(), number: line.number, kind: LineKind::Include(String::new()) };
        match line.kind {
            LineKind::Include(target) => self.include(&at, &target, base, depth),
            LineKind::Header { name, options } => self.header(&at, name, &options),
            LineKind::Item { key, value, value_col } => {
                let item = Item { key, value, value_col, file: line.file, line: line.number };
                self.item(item, &at)
            }
        }
    }

    fn include(&mut self, line: &Line, target: &str, base: Option<&Path>, depth: usize) -> Result<(), DialplanError> {
        let Some(base) = base else {
            return Err(DialplanError::parse(&line.file, line.number, 1, "no #include in text without a file"));
        };
        if depth >= MAX_INCLUDE_DEPTH {
            let why = format!("at most {MAX_INCLUDE_DEPTH} nested #include (is there a loop?)");
            return Err(DialplanError::parse(&line.file, line.number, 1, why));
        }
        let path = base.join(target);
        if !path.is_file() {
            let why = format!("an existing file after #include (not found: {})", path.display());
            return Err(DialplanError::parse(&line.file, line.number, 10, why));
        }
        self.file(&path, depth + 1)
    }

    fn header(&mut self, line: &Line, name: String, options: &[String]) -> Result<(), DialplanError> {
        let template = options.iter().any(|o| o == "!");
        self.current = Some(Category { name: name.clone(), template });
        if !template && !is_special(&name) {
            let ctx = self
                .plan
                .contexts
                .entry(name.clone())
                .or_insert_with(|| Context { name: name.clone(), ..Context::default() });
            ctx.source.get_or_insert(Source { file: line.file.clone(), line: line.number });
        }
        for parent in options.iter().filter(|o| *o != "!") {
            let Some(items) = self.items.get(parent).cloned() else {
                let why = format!("a template defined earlier (no category '{parent}')");
                return Err(DialplanError::parse(&line.file, line.number, name.len() + 3, why));
            };
            for item in items {
                let replay = Line {
                    file: item.file.clone(),
                    number: item.line,
                    kind: LineKind::Header { name: String::new(), options: vec![] },
                };
                self.item(item, &replay)?;
            }
        }
        Ok(())
    }

    fn item(&mut self, item: Item, line: &Line) -> Result<(), DialplanError> {
        let Some(cat) = self.current.clone() else {
            return Err(DialplanError::parse(&line.file, line.number, 1, "a [context] header before the first line"));
        };
        self.items.entry(cat.name.clone()).or_default().push(item.clone());
        match cat.name.as_str() {
            "general" => Ok(()),
            "globals" => {
                self.plan.globals.retain(|(k, _)| *k != item.key);
                self.plan.globals.push((item.key, item.value));
                Ok(())
            }
            _ if cat.template => Ok(()),
            _ => self.context_item(&cat.name, item),
        }
    }

    fn context_item(&mut self, ctx: &str, item: Item) -> Result<(), DialplanError> {
        let err = |col: usize, what: &str| DialplanError::parse(&item.file, item.line, col, what);
        match item.key.to_ascii_lowercase().as_str() {
            "exten" | "same" => {
                let same = item.key.eq_ignore_ascii_case("same");
                let parsed = exten::parse(&item.value, same).map_err(|(off, what)| err(item.value_col + off, &what))?;
                self.add_exten(ctx, parsed, &item).map_err(|what| err(item.value_col, &what))
            }
            "include" => {
                let name = item.value.split(',').next().unwrap_or("").trim();
                if name.is_empty() {
                    return Err(err(item.value_col, "a context name after 'include =>'"));
                }
                let c = self.plan.contexts.get_mut(ctx).expect("current context exists");
                c.includes.push(name.to_owned());
                Ok(())
            }
            "ignorepat" | "switch" | "lswitch" | "eswitch" => {
                tracing::warn!("{}:{}: '{}' is not supported; ignored", item.file, item.line, item.key);
                Ok(())
            }
            _ => Err(err(1, &format!("one of exten, same, include, ignorepat (found '{}')", item.key))),
        }
    }

    fn add_exten(&mut self, ctx: &str, line: ExtenLine, item: &Item) -> Result<(), String> {
        let (name, cid) = match line.name {
            Some(n) => n,
            None => self.last_exten.get(ctx).cloned().ok_or("an 'exten =>' line before 'same =>'")?,
        };
        self.last_exten.insert(ctx.to_owned(), (name.clone(), cid.clone()));
        let key = (ctx.to_owned(), format!("{name}/{}", cid.as_deref().unwrap_or("")));
        let last = self.last_prio.get(&key).copied().unwrap_or(0);
        let number = match line.priority {
            PrioritySpec::Hint => return Ok(()),
            PrioritySpec::Number(n) => n,
            PrioritySpec::Next(k) => last + k,
            PrioritySpec::Same => last.max(1),
        };
        if number == 0 {
            return Err("a priority of 1 or more".into());
        }
        self.last_prio.insert(key, number);
        let source = Source { file: item.file.clone(), line: item.line };
        let prio = Priority {
            number,
            label: line.label,
            template: Template::compile(&line.args),
            app: line.app,
            args: line.args,
            source,
            resolved: Default::default(),
        };
        let ext = self.plan.contexts.get_mut(ctx).expect("current context exists").extension_mut(&name, cid.as_deref());
        if ext.priorities.contains_key(&number) {
            tracing::warn!("{}:{}: priority {number} of {name}@{ctx} already in use; ignored", item.file, item.line);
            return Ok(());
        }
        ext.priorities.insert(number, prio);
        Ok(())
    }

    fn finish(mut self) -> Dialplan {
        for ctx in self.plan.contexts.values_mut() {
            ctx.sort();
        }
        self.plan
    }
}

fn is_special(name: &str) -> bool {
    name == "general" || name == "globals"
}

#[cfg(test)]
mod tests;
