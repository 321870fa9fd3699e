//! A channel as the XML dialplan sees it: caller-profile fields (`destination_number`,
//! `caller_id_number`…), variables, globals and API calls for `${…}`, inline actions, the time.

use switchyard_core::Channel;
use switchyard_core::app::BoxFuture;

use super::expand::{Resolver, expand, expand_now};
use super::hunt::HuntEnv;

/// The channel being routed or run.
pub(crate) struct ChannelEnv<'c> {
    pub chan: &'c mut Channel,
}

/// A caller-profile field by its FreeSWITCH name.
pub fn profile_field(chan: &Channel, name: &str) -> Option<String> {
    let snap = chan.current();
    Some(match name {
        "destination_number" => {
            if snap.location.exten.is_empty() {
                snap.dialed.as_str().to_owned()
            } else {
                snap.location.exten.as_str().to_owned()
            }
        }
        "caller_id_number" | "ani" => snap.caller.number.as_str().to_owned(),
        "caller_id_name" => snap.caller.name.as_str().to_owned(),
        "callee_id_number" => snap.connected.number.as_str().to_owned(),
        "callee_id_name" => snap.connected.name.as_str().to_owned(),
        "context" => snap.location.context.as_str().to_owned(),
        "dialplan" => snap.variables.get("dialplan").unwrap_or("XML").to_owned(),
        "uuid" | "unique_id" => snap.id.to_string(),
        "chan_name" | "channel_name" => snap.name.as_str().to_owned(),
        "source" => format!("mod_{}", snap.tech.to_ascii_lowercase()),
        "network_addr" => snap.variables.get("network_addr").unwrap_or("").to_owned(),
        "rdnis" => snap.variables.get("rdnis").unwrap_or("").to_owned(),
        "username" => snap.variables.get("username").unwrap_or("").to_owned(),
        _ => return None,
    })
}

/// `${name}` on a channel: channel variable, then caller-profile field, then global.
pub fn lookup(chan: &Channel, name: &str) -> Option<String> {
    chan.var(name)
        .map(str::to_owned)
        .or_else(|| profile_field(chan, name))
        .or_else(|| chan.switch().globals().get(name))
}

/// `text` with `${…}` expanded on `chan` (API calls included).
pub async fn expand_on(chan: &mut Channel, text: &str) -> String {
    if !text.contains("${") {
        return text.to_owned();
    }
    let mut env = ChannelEnv { chan };
    expand(text, &mut env).await
}

impl Resolver for ChannelEnv<'_> {
    fn var(&mut self, name: &str) -> Option<String> {
        lookup(self.chan, name)
    }

    fn call<'a>(&'a mut self, func: &'a str, args: &'a str) -> BoxFuture<'a, Option<String>> {
        Box::pin(async move {
            let sw = self.chan.switch().clone();
            let line = format!("{func} {args}");
            sw.commands().execute(&sw, &line).await.ok().map(|out| out.text)
        })
    }
}

impl HuntEnv for ChannelEnv<'_> {
    fn field(&mut self, field: &str) -> String {
        if field.contains("${") {
            return expand_now(field, self);
        }
        profile_field(self.chan, field).or_else(|| self.chan.var(field).map(str::to_owned)).unwrap_or_default()
    }

    fn expand(&mut self, text: &str) -> String {
        expand_now(text, self)
    }

    fn inline<'a>(&'a mut self, app: &'a str, data: &'a str) -> BoxFuture<'a, ()> {
        Box::pin(async move {
            if let Err(e) = self.chan.execute(app, data).await {
                tracing::warn!(channel = %self.chan.current().name, "inline {app}: {e}");
            }
        })
    }

    fn now(&self) -> i64 {
        self.chan.switch().now().0.div_euclid(1_000_000)
    }
}
