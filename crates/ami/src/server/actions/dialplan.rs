//! `ShowDialPlan`: the loaded dialplan as `ListDialplan` items (pbx.c's `manager_show_dialplan`).

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
    let chosen: Vec<&DialplanEntry> =
        in_context.into_iter().filter(|e| extension.is_none_or(|x| e.extension == x)).collect();
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
    let extens: HashSet<(&str, &str)> = chosen.iter().map(|e| (e.context.as_str(), e.extension.as_str())).collect();
    let contexts: HashSet<&str> = chosen.iter().map(|e| e.context.as_str()).collect();
    let counts = [
        ("ListExtensions", extens.len().to_string()),
        ("ListPriorities", chosen.len().to_string()),
        ("ListContexts", contexts.len().to_string()),
    ];
    super::info::list_complete(s, "ShowDialPlanComplete", id, chosen.len(), &counts);
}

fn item(s: &mut Session, id: Option<&str>, e: &DialplanEntry) {
    let mut ev = list_item("ListDialplan", id);
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
