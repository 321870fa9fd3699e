//! The dialplan IR, shared by every front-end: contexts, extensions (patterns, optional caller-id
//! match), priorities with labels, includes and globals. Built once at load, then read-only.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::{Arc, OnceLock};

use switchyard_core::SharedStr;
use switchyard_core::app::Application;

use crate::pattern::{Pattern, compare};
use crate::template::Template;

/// Where a line came from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Source {
    /// File name.
    pub file: Arc<str>,
    /// 1-based line.
    pub line: usize,
}

/// One step: an application and its (not yet substituted) arguments.
#[derive(Clone, Debug)]
pub struct Priority {
    /// The number.
    pub number: u32,
    /// Its label, if any.
    pub label: Option<String>,
    /// Application name as written.
    pub app: String,
    /// Arguments as written.
    pub args: String,
    /// Arguments compiled for substitution.
    pub template: Template,
    /// Where it was defined.
    pub source: Source,
    /// The application, once looked up (see `ResolvedApp`).
    pub resolved: ResolvedApp,
}

/// A priority's application as the registry gave it at the priority's first run, with its name as
/// a shared string: later runs skip the lookup while `AppRegistry::generation` is unchanged.
#[derive(Default)]
pub struct ResolvedApp(OnceLock<(u64, SharedStr, Arc<dyn Application>)>);

impl ResolvedApp {
    /// The application and its name if resolved under `generation`.
    pub fn get(&self, generation: u64) -> Option<(&SharedStr, &dyn Application)> {
        match self.0.get() {
            Some((g, name, app)) if *g == generation => Some((name, &**app)),
            _ => None,
        }
    }

    /// Keeps `app`, resolved under `generation` (the first one kept stays).
    pub fn set(&self, generation: u64, name: SharedStr, app: Arc<dyn Application>) {
        let _ = self.0.set((generation, name, app));
    }
}

impl Clone for ResolvedApp {
    /// A copy resolves again (it may be used with another registry).
    fn clone(&self) -> Self {
        Self::default()
    }
}

impl std::fmt::Debug for ResolvedApp {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(if self.0.get().is_some() { "ResolvedApp(resolved)" } else { "ResolvedApp(-)" })
    }
}

/// An extension: a name or pattern, an optional caller-id pattern, its priorities.
#[derive(Clone, Debug)]
pub struct Extension {
    /// Name or pattern.
    pub pattern: Pattern,
    /// Caller-id pattern (`exten => 100/5551234,…`).
    pub cid: Option<Pattern>,
    /// Priorities by number.
    pub priorities: BTreeMap<u32, Priority>,
}

impl Extension {
    /// A priority by label.
    pub fn label(&self, label: &str) -> Option<u32> {
        self.priorities.values().find(|p| p.label.as_deref() == Some(label)).map(|p| p.number)
    }

    fn matches(&self, exten: &str, cid: &str) -> bool {
        self.pattern.matches(exten) && self.cid.as_ref().is_none_or(|c| c.matches(cid))
    }
}

/// A context.
#[derive(Clone, Debug, Default)]
pub struct Context {
    /// Name.
    pub name: String,
    /// Extensions in Asterisk's order (caller-id-matching ones before plain ones of the same name).
    pub extensions: Vec<Extension>,
    /// Included contexts, searched after the context's own extensions, in order.
    pub includes: Vec<String>,
    /// Where it was (first) defined.
    pub source: Option<Source>,
}

impl Context {
    /// Sorts extensions as Asterisk does.
    pub fn sort(&mut self) {
        self.extensions
            .sort_by(|a, b| compare(&a.pattern, &b.pattern).then_with(|| b.cid.is_some().cmp(&a.cid.is_some())));
    }

    /// The extension named exactly `name` with caller-id pattern `cid`, created if missing.
    pub fn extension_mut(&mut self, name: &str, cid: Option<&str>) -> &mut Extension {
        let pos = self
            .extensions
            .iter()
            .position(|e| e.pattern.as_str() == name && e.cid.as_ref().map(Pattern::as_str) == cid);
        let pos = pos.unwrap_or_else(|| {
            self.extensions.push(Extension {
                pattern: Pattern::new(name),
                cid: cid.map(Pattern::new),
                priorities: BTreeMap::new(),
            });
            self.extensions.len() - 1
        });
        &mut self.extensions[pos]
    }
}

/// How a priority is named in a lookup.
#[derive(Clone, Copy, Debug)]
pub enum Step<'a> {
    /// By number.
    Number(u32),
    /// By label.
    Label(&'a str),
}

/// Contexts by name, hashed with FxHash: a lookup runs at every priority and context names come
/// from the configuration, not from callers.
pub type ContextMap = HashMap<String, Context, rustc_hash::FxBuildHasher>;

/// A loaded dialplan.
#[derive(Clone, Debug, Default)]
pub struct Dialplan {
    /// Contexts by name.
    pub contexts: ContextMap,
    /// `[globals]`, in order.
    pub globals: Vec<(String, String)>,
    /// Files read, in order.
    pub files: Vec<String>,
}

impl Dialplan {
    /// Finds the priority for `exten` (dialed by `cid`) in `context` or its includes, depth first.
    pub fn find(&self, context: &str, exten: &str, cid: &str, step: Step<'_>) -> Option<(&Extension, &Priority)> {
        let (name, ctx) = self.contexts.get_key_value(context)?;
        // The common case (found in the context itself) allocates nothing.
        if let Some(found) = Self::find_here(ctx, exten, cid, step) {
            return Some(found);
        }
        let mut seen = vec![name.as_str()];
        ctx.includes.iter().find_map(|inc| self.find_in(inc, exten, cid, step, &mut seen))
    }

    fn find_here<'a>(
        ctx: &'a Context,
        exten: &str,
        cid: &str,
        step: Step<'_>,
    ) -> Option<(&'a Extension, &'a Priority)> {
        for ext in ctx.extensions.iter().filter(|e| e.matches(exten, cid)) {
            let number = match step {
                Step::Number(n) => Some(n),
                Step::Label(l) => ext.label(l),
            };
            if let Some(p) = number.and_then(|n| ext.priorities.get(&n)) {
                return Some((ext, p));
            }
        }
        None
    }

    fn find_in<'a>(
        &'a self,
        context: &str,
        exten: &str,
        cid: &str,
        step: Step<'_>,
        seen: &mut Vec<&'a str>,
    ) -> Option<(&'a Extension, &'a Priority)> {
        let (name, ctx) = self.contexts.get_key_value(context)?;
        if seen.contains(&name.as_str()) {
            return None;
        }
        seen.push(name);
        Self::find_here(ctx, exten, cid, step)
            .or_else(|| ctx.includes.iter().find_map(|inc| self.find_in(inc, exten, cid, step, seen)))
    }

    /// True when `exten` exists (has priority 1) in `context`.
    pub fn exists(&self, context: &str, exten: &str, cid: &str) -> bool {
        self.find(context, exten, cid, Step::Number(1)).is_some()
    }

    /// True when some extension of `context` (or its includes) could match `exten` plus more digits.
    pub fn could_match_more(&self, context: &str, exten: &str) -> bool {
        let mut seen = HashSet::new();
        let mut stack = vec![context.to_owned()];
        while let Some(name) = stack.pop() {
            if !seen.insert(name.clone()) {
                continue;
            }
            let Some(ctx) = self.contexts.get(&name) else { continue };
            if ctx.extensions.iter().any(|e| e.pattern.could_match_more(exten)) {
                return true;
            }
            stack.extend(ctx.includes.iter().cloned());
        }
        false
    }

    /// Context names, sorted.
    pub fn context_names(&self) -> Vec<&str> {
        let mut v: Vec<&str> = self.contexts.keys().map(String::as_str).collect();
        v.sort_unstable();
        v
    }

    /// Every application name used, with where.
    pub fn apps(&self) -> impl Iterator<Item = &Priority> {
        self.contexts.values().flat_map(|c| c.extensions.iter()).flat_map(|e| e.priorities.values())
    }
}
