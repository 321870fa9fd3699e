//! Hunting, FreeSWITCH's first phase: walk a context's extensions, evaluate their conditions
//! (and, under a true one, its nested conditions), collect the actions (and anti-actions) to run,
//! run `inline="true"` ones at once, and stop at the first matching extension unless it says
//! `continue="true"`. As mod_dialplan_xml's `parse_exten`: an extension matches when its last
//! evaluated condition was true or ran anti-actions.

use std::borrow::Cow;

use jiff::tz::TimeZone;
use switchyard_core::app::BoxFuture;

use super::model::{Action, Break, Condition, FieldTest, FieldTests, RegexMode, XmlContext, XmlExtension};
use super::time::{CivilTime, condition_zone};

/// What hunting needs from the channel being routed.
pub trait HuntEnv: Send {
    /// The value of a condition field: a caller-profile field (`destination_number`…), a channel
    /// variable name, or text with `${…}` references.
    fn field(&mut self, field: &str) -> String;
    /// Expands `${…}` in an inline action's data.
    fn expand(&mut self, text: &str) -> String;
    /// Runs an inline action now.
    fn inline<'a>(&'a mut self, app: &'a str, data: &'a str) -> BoxFuture<'a, ()>;
    /// The time time conditions are evaluated against, in seconds since the epoch.
    fn now(&self) -> i64;
    /// The switch's local time zone (time conditions use it unless the channel names another).
    fn local_zone(&self) -> TimeZone {
        TimeZone::system()
    }
}

/// An action chosen by hunting, its `$N` captures already substituted.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Planned {
    /// Application.
    pub app: String,
    /// Data with captures substituted (`${…}` is expanded when it runs).
    pub data: String,
    /// The extension it came from.
    pub extension: String,
    /// `file:line` of the action.
    pub source: String,
}

/// Field values read during one hunt (fields are read again after an inline action).
#[derive(Default)]
struct FieldCache(Vec<(String, String)>);

impl FieldCache {
    fn get(&mut self, env: &mut dyn HuntEnv, field: &str) -> &str {
        if let Some(i) = self.0.iter().position(|(f, _)| f == field) {
            return &self.0[i].1;
        }
        let v = env.field(field);
        // `${…}` fields are read each time (they may call APIs); the last entry is replaced.
        if field.contains("${") {
            self.0.retain(|(f, _)| !f.contains("${"));
        }
        self.0.push((field.to_owned(), v));
        &self.0[self.0.len() - 1].1
    }

    fn forget_dynamic(&mut self) {
        self.0.retain(|(f, _)| !f.contains("${"));
    }
}

/// Hunts `ctx`; returns the actions to execute in order.
pub async fn hunt(ctx: &XmlContext, env: &mut dyn HuntEnv) -> Vec<Planned> {
    let mut out = Vec::new();
    let mut cache = FieldCache::default();
    // The destination is a caller-profile field: inline actions cannot change it during the hunt.
    let dest = cache.get(env, "destination_number").to_owned();
    for i in ctx.index.candidates(&dest, ctx.extensions.len()) {
        let ext = &ctx.extensions[i as usize];
        if extension(ext, env, &mut cache, &mut out).await && !ext.continue_on_match {
            break;
        }
    }
    out
}

/// Evaluates one extension's conditions; true when it matched.
async fn extension(ext: &XmlExtension, env: &mut dyn HuntEnv, cache: &mut FieldCache, out: &mut Vec<Planned>) -> bool {
    conditions(ext, &ext.conditions, env, cache, out).await
}

/// Evaluates a list of conditions (an extension's, or those nested in a condition): true when the
/// last one evaluated was true or ran anti-actions, and its nested conditions (if any) were true
/// or not required. A false nested list ends the list unless the condition says `break="never"`.
fn conditions<'a>(
    ext: &'a XmlExtension,
    list: &'a [Condition],
    env: &'a mut dyn HuntEnv,
    cache: &'a mut FieldCache,
    out: &'a mut Vec<Planned>,
) -> BoxFuture<'a, bool> {
    Box::pin(async move {
        let mut proceed = false;
        for cond in list {
            let caps = evaluate(cond, env, cache);
            let matched = caps.is_some();
            proceed = matched;
            match &caps {
                Some(caps) => add(ext, &cond.actions, caps.as_deref(), env, cache, out).await,
                None => {
                    add(ext, &cond.anti_actions, None, env, cache, out).await;
                    proceed = !cond.anti_actions.is_empty();
                }
            }
            let stop = match cond.brk {
                Break::OnFalse => !matched,
                Break::OnTrue => matched,
                Break::Always => true,
                Break::Never => false,
            };
            if stop {
                break;
            }
            if proceed && !cond.nested.is_empty() {
                proceed = conditions(ext, &cond.nested, env, cache, out).await || !cond.require_nested;
                if !proceed && cond.brk != Break::Never {
                    return false;
                }
            }
        }
        proceed
    })
}

async fn add(
    ext: &XmlExtension,
    actions: &[Action],
    caps: Option<&[String]>,
    env: &mut dyn HuntEnv,
    cache: &mut FieldCache,
    out: &mut Vec<Planned>,
) {
    for a in actions {
        let data = match caps {
            Some(caps) => substitute_captures(&a.data, caps),
            None => Cow::Borrowed(a.data.as_str()),
        };
        if a.inline {
            let data = env.expand(&data);
            env.inline(&a.app, &data).await;
            cache.0.clear();
            continue;
        }
        out.push(Planned {
            app: a.app.clone(),
            data: data.into_owned(),
            extension: ext.name.clone(),
            source: format!("{}:{}", a.source.file, a.source.line),
        });
    }
}

/// `None` when the condition is false; `Some(captures)` when true (`Some(None)` without a regex).
fn evaluate(cond: &Condition, env: &mut dyn HuntEnv, cache: &mut FieldCache) -> Option<Option<Vec<String>>> {
    if !cond.test.time.is_empty() {
        let now = condition_time(env, cache);
        if !cond.test.time.iter().all(|t| t.matches(&now)) {
            return None;
        }
    }
    let want = cond.uses_captures;
    // None: false; Some(None): true without captures (a time-only `<regex>`); Some(Some(caps)).
    let mut check = |t: &FieldTest| -> Option<Option<Vec<String>>> {
        if t.field.is_empty() {
            let now = condition_time(env, cache);
            return t.time.iter().all(|x| x.matches(&now)).then_some(None);
        }
        let caps = t.regex.captures(cache.get(env, &t.field), want);
        cache.forget_dynamic();
        caps.map(Some)
    };
    match &cond.test.fields {
        FieldTests::None => Some(None),
        FieldTests::One(t) => check(t),
        FieldTests::Many(RegexMode::All, tests) => {
            let mut last = None;
            for t in tests {
                if let Some(caps) = check(t)? {
                    last = Some(caps);
                }
            }
            Some(last)
        }
        FieldTests::Many(RegexMode::Any, tests) => tests.iter().find_map(&mut check),
        FieldTests::Many(RegexMode::Xor, tests) => {
            let mut hits = tests.iter().filter_map(&mut check);
            let first = hits.next()?;
            hits.next().is_none().then_some(first)
        }
    }
}

/// Now, in the zone the channel's `tod_tz_offset`/`timezone` name, else the switch's.
fn condition_time(env: &mut dyn HuntEnv, cache: &mut FieldCache) -> CivilTime {
    let local = env.local_zone();
    let offset = cache.get(env, "tod_tz_offset").to_owned();
    let zone = condition_zone(&offset, cache.get(env, "timezone"), &local);
    CivilTime::in_zone(env.now(), &zone, &local)
}

/// `$N` (one or more digits) replaced by capture N (empty when there is none).
pub fn substitute_captures<'a>(data: &'a str, caps: &[String]) -> Cow<'a, str> {
    if !data.contains('$') {
        return Cow::Borrowed(data);
    }
    let mut out = String::with_capacity(data.len());
    let mut chars = data.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        let digits_start = i + 1;
        if c != '$' || !data[digits_start..].starts_with(|d: char| d.is_ascii_digit()) {
            out.push(c);
            continue;
        }
        let len = data[digits_start..].chars().take_while(char::is_ascii_digit).count();
        let n: usize = data[digits_start..digits_start + len].parse().unwrap_or(usize::MAX);
        out.push_str(caps.get(n).map_or("", String::as_str));
        for _ in 0..len {
            chars.next();
        }
    }
    Cow::Owned(out)
}
