//! `freeswitch.Event(type[, subclass])`: headers and a body built by the script, fired as a core
//! `Custom` event (ESL renders it as that event type, or `CUSTOM` with `Event-Subclass`).

use mlua::{UserData, UserDataMethods};
use switchyard_core::{EventKind, Switch};

/// An event under construction.
pub(crate) struct LuaEvent {
    switch: Switch,
    kind: String,
    subclass: Option<String>,
    headers: Vec<(String, String)>,
    body: Option<String>,
}

impl LuaEvent {
    pub(crate) fn new(switch: Switch, kind: String, subclass: Option<String>) -> Self {
        Self { switch, kind: kind.to_ascii_uppercase(), subclass, headers: Vec::new(), body: None }
    }

    /// The name the core event carries: the subclass of a CUSTOM event, else the type.
    fn core_name(&self) -> String {
        match (&self.subclass, self.kind.as_str()) {
            (Some(sub), "CUSTOM") => sub.clone(),
            _ => self.kind.clone(),
        }
    }

    fn header(&self, name: &str) -> Option<String> {
        match name {
            "Event-Name" => Some(if self.subclass.is_some() { "CUSTOM".to_owned() } else { self.kind.clone() }),
            "Event-Subclass" => self.subclass.clone(),
            _ => self.headers.iter().find(|(k, _)| k.eq_ignore_ascii_case(name)).map(|(_, v)| v.clone()),
        }
    }

    /// `Name: value` lines, values %-encoded as FreeSWITCH's plain serialization does.
    fn serialize(&self) -> String {
        let mut out = format!("Event-Name: {}\n", self.header("Event-Name").unwrap_or_default());
        if let Some(sub) = &self.subclass {
            out.push_str(&format!("Event-Subclass: {}\n", encode(sub)));
        }
        for (k, v) in &self.headers {
            out.push_str(&format!("{k}: {}\n", encode(v)));
        }
        if let Some(body) = &self.body {
            out.push_str(&format!("Content-Length: {}\n\n{body}", body.len()));
        }
        out
    }

    fn fire(&self) {
        let kind = EventKind::custom(self.core_name(), self.headers.clone(), self.body.clone());
        self.switch.bus().publish(kind, None);
    }
}

fn encode(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for b in value.bytes() {
        if b.is_ascii_alphanumeric() || b"-_.!~*'()/,".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

impl UserData for LuaEvent {
    fn add_methods<M: UserDataMethods<Self>>(methods: &mut M) {
        methods.add_method_mut("addHeader", |_, this, (name, value): (String, String)| {
            this.headers.push((name, value));
            Ok(())
        });
        methods.add_method_mut("delHeader", |_, this, name: String| {
            this.headers.retain(|(k, _)| !k.eq_ignore_ascii_case(&name));
            Ok(())
        });
        methods.add_method("getHeader", |_, this, name: String| Ok(this.header(&name)));
        methods.add_method_mut("addBody", |_, this, body: String| {
            this.body.get_or_insert_with(String::new).push_str(&body);
            Ok(())
        });
        methods.add_method("getBody", |_, this, ()| Ok(this.body.clone()));
        methods.add_method("getType", |_, this, ()| Ok(this.kind.clone()));
        methods.add_method("serialize", |_, this, _format: Option<String>| Ok(this.serialize()));
        methods.add_method("fire", |_, this, ()| {
            this.fire();
            Ok(())
        });
    }
}
