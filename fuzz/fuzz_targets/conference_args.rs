//! Fuzzes the `conference` application's data (`<name>[@profile][+flags{…}]`, read from dialplan files)
//! and the `lua` application's `<script> [args]` line: never panic, and what parses is well formed.
#![no_main]
#![forbid(unsafe_code)]

use std::path::Path;

use libfuzzer_sys::fuzz_target;
use switchyard_conference::JoinRequest;
use switchyard_lua::ScriptCall;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    if let Some(req) = JoinRequest::parse(&text) {
        assert!(!req.name.is_empty() && !req.name.contains('@'));
        assert!(!req.profile.is_empty());
    }
    if let Ok(call) = ScriptCall::parse(&text, Path::new("/scripts")) {
        match (&call.path, &call.inline) {
            (Some(path), None) => assert!(path.is_absolute()),
            (None, Some(_)) => assert!(call.args.is_empty()),
            _ => panic!("a script call is a path or inline code"),
        }
    }
});
