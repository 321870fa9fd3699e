//! FreeSWITCH's `api_on_answer*` and `execute_on_answer*` channel variables: when the channel is
//! answered, each API command runs in the background (output logged) and each application is queued.

use crate::channel::Channel;

impl Channel {
    /// Runs the answer hooks found in the channel's variables (every name starting with the prefix).
    pub(crate) fn run_answer_hooks(&mut self) {
        let hooks: Vec<(String, String)> = self
            .snap
            .variables
            .iter()
            .filter(|(k, _)| k.starts_with("api_on_answer") || k.starts_with("execute_on_answer"))
            .map(|(k, v)| (k.to_owned(), v.to_owned()))
            .collect();
        for (name, raw) in hooks {
            let value = self.expand(&raw);
            if name.starts_with("api_on_answer") {
                self.spawn_api(value);
            } else if let Some((app, args)) = split_app(&value) {
                self.queued_apps.push_back((app, args));
            }
        }
    }

    fn expand(&self, text: &str) -> String {
        let id = self.snap.id.to_string();
        let vars = &self.snap.variables;
        let globals = self.switch.globals();
        let lookup = |name: &str| match name {
            "uuid" => Some(id.clone()),
            _ => vars.get(name).map(str::to_owned).or_else(|| globals.get(name)),
        };
        crate::command::expand(text, &lookup)
    }

    fn spawn_api(&self, line: String) {
        let switch = self.switch.clone();
        let channel = self.snap.name.clone();
        tokio::spawn(async move {
            match switch.commands().execute(&switch, &line).await {
                Ok(out) => tracing::debug!(%channel, "api_on_answer '{line}': {}", out.text.trim_end()),
                Err(e) => tracing::warn!(%channel, "api_on_answer '{line}': {e}"),
            }
        });
    }
}

/// `app args`, `app:args` or `app::args` (FreeSWITCH's asynchronous form, queued the same here).
fn split_app(value: &str) -> Option<(String, String)> {
    let value = value.trim().trim_matches('\'');
    let (app, args) = match value.find([' ', ':']) {
        Some(i) => (&value[..i], value[i..].trim_start_matches(':').trim_start()),
        None => (value, ""),
    };
    (!app.is_empty()).then(|| (app.to_owned(), args.to_owned()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bus::BusItem;
    use crate::event::EventKind;
    use crate::originate::{OriginateRequest, OriginateTarget};

    #[test]
    fn application_values_take_space_colon_or_double_colon() {
        let want = Some(("sched_hangup".to_owned(), "+30 ALLOTTED_TIMEOUT".to_owned()));
        assert_eq!(split_app("sched_hangup +30 ALLOTTED_TIMEOUT"), want);
        assert_eq!(split_app("sched_hangup::+30 ALLOTTED_TIMEOUT"), want);
        assert_eq!(split_app("park"), Some(("park".to_owned(), String::new())));
        assert_eq!(split_app("  "), None);
    }

    #[tokio::test]
    async fn execute_on_answer_queues_the_app_and_api_on_answer_runs_the_command() {
        let sw = crate::command::tests::test_switch();
        let mut sub = sw.bus().subscribe("t");
        let mut req = OriginateRequest::new("sim/hooks", OriginateTarget::Park);
        req.variables.push(("execute_on_answer".into(), "sleep 5".into()));
        req.variables.push(("api_on_answer_1".into(), "uuid_setvar ${uuid} hooked yes".into()));
        let id = sw.originate_and_wait(req).await.unwrap().channel_id;
        let (mut slept, mut hooked) = (false, false);
        while !(slept && hooked) {
            let BusItem::Event(e) = sub.recv().await else { continue };
            match &e.kind {
                EventKind::ExecuteComplete { exec, .. } if exec.app == "sleep" => slept = true,
                EventKind::VarSet { name, value } if name == "hooked" && value == "yes" => {
                    hooked = e.channel.as_ref().is_some_and(|s| s.id == id);
                }
                _ => {}
            }
        }
    }
}
