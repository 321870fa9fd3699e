//! `ShowDialPlan`: the loaded dialplan as `ListDialplan` items, includes after each context's priorities
//! (pbx.c's `manager_show_dialplan`).

use std::collections::HashSet;

use super::info::list_item;
use crate::proto::Response;
use crate::server::DialplanEntry;
use crate::server::session::Session;

/// Lists every priority, or those of one context and/or extension.
pub fn show(s: &mut Session, id: Option<&str>, context: Option<&str>, extension: Option<&str>) {
    let all = s.shared.config.dialplan.as_ref().map(|list| list()).unwrap_or_default();
    let in_context: Vec<&DialplanEntry> = all.iter().filter(|e| context.is_none_or(|c| e.context == c)).collect();
    if let Some(c) = context.filter(|_| in_context.is_empty()) {
        return Response::error(id, &format!("Did not find context {c}")).write(&mut s.out);
    }
    // With an extension asked for, Asterisk searches includes instead of listing them.
    let chosen: Vec<&DialplanEntry> =
        in_context.into_iter().filter(|e| extension.is_none_or(|x| e.include.is_none() && e.extension == x)).collect();
    if let Some(x) = extension.filter(|_| chosen.is_empty()) {
        let text = match context {
            Some(c) => format!("Did not find extension {x}@{c}"),
            None => format!("Did not find extension {x} in any context"),
        };
        return Response::error(id, &text).write(&mut s.out);
    }
    Response::list_start(id, "DialPlan list will follow").write(&mut s.out);
    for e in &chosen {
        item(s, id, e);
    }
    let priorities: Vec<&&DialplanEntry> = chosen.iter().filter(|e| e.include.is_none()).collect();
    let extens: HashSet<(&str, &str)> = priorities.iter().map(|e| (e.context.as_str(), e.extension.as_str())).collect();
    let contexts: HashSet<&str> = chosen.iter().map(|e| e.context.as_str()).collect();
    let counts = [
        ("ListExtensions", extens.len().to_string()),
        ("ListPriorities", priorities.len().to_string()),
        ("ListContexts", contexts.len().to_string()),
    ];
    super::info::list_complete(s, "ShowDialPlanComplete", id, chosen.len(), &counts);
}

fn item(s: &mut Session, id: Option<&str>, e: &DialplanEntry) {
    let mut ev = list_item("ListDialplan", id);
    if let Some(included) = &e.include {
        // pbx.c: `Context`, `IncludeContext`, `Registrar` for each include of a listed context.
        ev.push("Context", e.context.as_str())
            .push("IncludeContext", included.as_str())
            .push("Registrar", "pbx_config");
        return ev.write(&mut s.out);
    }
    ev.push("Context", e.context.as_str()).push("Extension", e.extension.as_str());
    if let Some(label) = &e.label {
        ev.push("ExtensionLabel", label.as_str());
    }
    ev.push("Priority", e.priority.to_string())
        .push("Application", e.application.as_str())
        .push("AppData", e.app_data.as_str())
        .push("Registrar", "pbx_config");
    ev.write(&mut s.out);
}
