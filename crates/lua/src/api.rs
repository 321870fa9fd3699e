//! `freeswitch.API()` (runs commands through the switch's command registry and returns their text)
//! and `stream` (what a script run by the `lua` API writes becomes that API's output).

use std::cell::RefCell;
use std::rc::Rc;

use mlua::{UserData, UserDataMethods};

use crate::runner::Ctx;

/// The API object.
pub(crate) struct Api(pub(crate) Ctx);

impl Api {
    /// Runs one command line; an unknown command gives FreeSWITCH's `-ERR <cmd> Command not found!`.
    pub(crate) fn execute_string(&self, line: &str) -> String {
        let Ctx { switch, rt } = &self.0;
        match rt.block_on(switch.commands().execute(switch, line)) {
            Ok(out) => out.text,
            Err(unknown) => unknown.freeswitch_text(),
        }
    }
}

impl UserData for Api {
    fn add_methods<M: UserDataMethods<Self>>(methods: &mut M) {
        methods.add_method("executeString", |_, this, line: String| Ok(this.execute_string(&line)));
        methods.add_method("execute", |_, this, (cmd, args): (String, Option<String>)| {
            let line = match args.filter(|a| !a.is_empty()) {
                Some(args) => format!("{cmd} {args}"),
                None => cmd,
            };
            Ok(this.execute_string(&line))
        });
        methods.add_method("getTime", |_, this, ()| Ok(this.0.switch.now().millis()));
    }
}

/// The `stream` object: text written is collected as the API's output.
#[derive(Clone, Default)]
pub(crate) struct Stream(pub(crate) Rc<RefCell<String>>);

impl UserData for Stream {
    fn add_methods<M: UserDataMethods<Self>>(methods: &mut M) {
        methods.add_method("write", |_, this, text: mlua::LuaString| {
            this.0.borrow_mut().push_str(&text.to_string_lossy());
            Ok(())
        });
    }
}
