//! `dialplan show [[exten@]context]` in Asterisk's layout and `dialplan reload` (compile fully,
//! then swap; a bad file keeps the old dialplan).

use std::sync::Arc;

use switchyard_core::Switch;
use switchyard_core::app::BoxFuture;
use switchyard_core::command::{Command, CommandOutput, CommandSpec, Flavor};

use crate::engine::Engine;
use crate::ir::{Context, Dialplan, Priority};

static SHOW: CommandSpec = CommandSpec {
    name: "dialplan show",
    syntax: "dialplan show [[exten@]context]",
    summary: "Show dialplan",
    usage: "Usage: dialplan show [[exten@]context]\n       Show dialplan\n",
    flavor: Flavor::Asterisk,
};
static RELOAD: CommandSpec = CommandSpec {
    name: "dialplan reload",
    syntax: "dialplan reload",
    summary: "Reload extensions and *only* extensions",
    usage: "Usage: dialplan reload\n       Reload extensions.conf without reloading any other\n       modules.  This command does not delete global variables\n       unless clearglobalvars is set to yes in extensions.conf\n",
    flavor: Flavor::Asterisk,
};

struct Show(Arc<Engine>);
struct Reload(Arc<Engine>);

pub(super) fn register(switch: &Switch, engine: &Arc<Engine>) {
    switch.commands().register(Arc::new(Show(engine.clone())));
    switch.commands().register(Arc::new(Reload(engine.clone())));
}

fn plural<'a>(n: usize, one: &'a str, many: &'a str) -> &'a str {
    if n == 1 { one } else { many }
}

fn step(p: &Priority) -> String {
    format!("{}. {}({})", p.number, p.app, p.args)
}

fn line(out: &mut String, left: &str, p: &Priority) {
    out.push_str(&format!("  {left:<17} {:<45} [{}:{}]\n", step(p), p.source.file, p.source.line));
}

fn context(out: &mut String, ctx: &Context, exten: Option<&str>, counts: &mut (usize, usize)) -> bool {
    let mut printed = false;
    out.push_str(&format!("[ Context '{}' created by 'pbx_config' ]\n", ctx.name));
    for ext in ctx.extensions.iter().filter(|e| exten.is_none_or(|x| e.pattern.as_str() == x || e.pattern.matches(x))) {
        printed = true;
        counts.0 += 1;
        let head = match &ext.cid {
            Some(cid) => format!("'{}' (CID match '{}') => ", ext.pattern.as_str(), cid.as_str()),
            None => format!("'{}' =>", ext.pattern.as_str()),
        };
        for (i, p) in ext.priorities.values().enumerate() {
            counts.1 += 1;
            let left = match (i, &p.label) {
                (0, _) => head.clone(),
                (_, Some(l)) => format!("   [{l}]"),
                _ => String::new(),
            };
            line(out, &left, p);
        }
    }
    if exten.is_none() {
        for inc in &ctx.includes {
            out.push_str(&format!("  Include =>        {:<45} [pbx_config]\n", format!("'{inc}'")));
        }
    }
    out.push('\n');
    printed
}

/// The text of `dialplan show [spec]`; Err with Asterisk's message when nothing matches.
pub fn render_show(plan: &Dialplan, spec: Option<&str>) -> Result<String, String> {
    let (exten, ctx_name) = match spec {
        Some(s) if s.contains('@') => {
            let (e, c) = s.split_once('@').unwrap_or((s, ""));
            ((!e.is_empty()).then_some(e), (!c.is_empty()).then_some(c))
        }
        Some(s) => (None, Some(s)),
        None => (None, None),
    };
    let mut out = String::new();
    let mut counts = (0, 0);
    let mut contexts = 0;
    let mut found_ext = false;
    for name in plan.context_names().into_iter().filter(|n| ctx_name.is_none_or(|c| c == *n)) {
        let mut block = String::new();
        let printed = context(&mut block, &plan.contexts[name], exten, &mut counts);
        if exten.is_none() || printed {
            out.push_str(&block);
            contexts += 1;
        }
        found_ext |= printed;
    }
    if let Some(c) = ctx_name.filter(|c| !plan.contexts.contains_key(*c)) {
        return Err(format!("There is no existence of '{c}' context\n"));
    }
    if let (Some(e), false) = (exten, found_ext) {
        return Err(match ctx_name {
            Some(c) => format!("There is no existence of {e}@{c} extension\n"),
            None => format!("There is no existence of '{e}' extension in all contexts\n"),
        });
    }
    out.push_str(&format!(
        "-= {} {} ({} {}) in {} {}. =-\n",
        counts.0,
        plural(counts.0, "extension", "extensions"),
        counts.1,
        plural(counts.1, "priority", "priorities"),
        contexts,
        plural(contexts, "context", "contexts")
    ));
    Ok(out)
}

impl Command for Show {
    fn spec(&self) -> &'static CommandSpec {
        &SHOW
    }
    fn run<'a>(&'a self, _switch: &'a Switch, args: &'a [String]) -> BoxFuture<'a, CommandOutput> {
        Box::pin(async move {
            if args.len() > 1 {
                return CommandOutput::usage(&SHOW);
            }
            match render_show(&self.0.plan(), args.first().map(String::as_str)) {
                Ok(text) => CommandOutput::ok(text),
                Err(text) => CommandOutput::failure(text),
            }
        })
    }
}

impl Command for Reload {
    fn spec(&self) -> &'static CommandSpec {
        &RELOAD
    }
    fn run<'a>(&'a self, _switch: &'a Switch, _args: &'a [String]) -> BoxFuture<'a, CommandOutput> {
        Box::pin(async move {
            let engine = self.0.clone();
            match tokio::task::spawn_blocking(move || engine.reload()).await {
                Ok(Ok(_)) => CommandOutput::ok("Dialplan reloaded.\n"),
                Ok(Err(e)) => CommandOutput::failure(format!("Dialplan not reloaded (the old one stays): {e}\n")),
                Err(e) => CommandOutput::failure(format!("Dialplan not reloaded: {e}\n")),
            }
        })
    }
}
