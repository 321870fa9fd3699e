//! Lua scripts on a real switch with `sim/` channels: the `session` object acts on the channel that
//! runs the script, `freeswitch.API` runs commands, events fire, errors are logged with `script:line`
//! and hang the channel up, hooks run, and scripts never hold the async runtime.

use std::sync::Arc;
use std::time::Duration;

use switchyard_core::{
    BusConfig, BusItem, ChannelId, EventKind, HangupCause, OriginateRequest, OriginateTarget, Subscription, Switch,
    SwitchConfig, SwitchInfo, SystemClock,
};
use switchyard_lua::LuaSettings;

struct Env {
    sw: Switch,
    dir: tempfile::TempDir,
}

fn env() -> Env {
    let sw = Switch::new(SwitchConfig {
        info: SwitchInfo {
            version: "0.1.0".into(),
            hostname: "testhost".into(),
            core_uuid: "00000000-0000-4000-8000-000000000000".into(),
            max_channels: 0,
        },
        bus: BusConfig::default(),
        clock: Arc::new(SystemClock),
    });
    let dir = tempfile::tempdir().unwrap();
    let settings = LuaSettings { scripts_dir: dir.path().to_owned(), hangup_grace: Duration::from_millis(100) };
    switchyard_lua::install(&sw, settings);
    let sounds = switchyard_conference::Library::new(dir.path().to_owned(), dir.path().to_owned());
    switchyard_conference::install(&sw, sounds);
    Env { sw, dir }
}

impl Env {
    fn script(&self, name: &str, code: &str) {
        std::fs::write(self.dir.path().join(name), code).unwrap();
    }

    async fn api(&self, line: &str) -> String {
        self.sw.commands().execute(&self.sw, line).await.unwrap().text
    }

    /// Originates `sim/<dial>` running `lua <args>` once answered.
    async fn call(&self, dial: &str, args: &str) -> ChannelId {
        let target = OriginateTarget::App { name: "lua".into(), args: args.into() };
        let req = OriginateRequest::new(format!("sim/{dial}"), target);
        self.sw.originate_and_wait(req).await.unwrap().channel_id
    }
}

/// Waits for the first event `pick` accepts.
async fn wait_for<T>(sub: &mut Subscription, mut pick: impl FnMut(&switchyard_core::Event) -> Option<T>) -> T {
    tokio::time::timeout(Duration::from_secs(10), async {
        loop {
            if let BusItem::Event(e) = sub.recv().await
                && let Some(t) = pick(&e)
            {
                return t;
            }
        }
    })
    .await
    .expect("the awaited event")
}

async fn var_set(sub: &mut Subscription, id: ChannelId, var: &str) -> String {
    wait_for(sub, |e| match &e.kind {
        EventKind::VarSet { name, value } if name == var && e.channel.as_ref().is_some_and(|s| s.id == id) => {
            Some(value.as_str().to_owned())
        }
        _ => None,
    })
    .await
}

async fn hangup_of(sub: &mut Subscription, id: ChannelId) -> HangupCause {
    wait_for(sub, |e| match &e.kind {
        EventKind::Hangup { cause } if e.channel.as_ref().is_some_and(|s| s.id == id) => Some(*cause),
        _ => None,
    })
    .await
}

/// Polls `cond` (a state with no event of its own) until it holds, failing after 5 s.
async fn until(what: &str, mut cond: impl AsyncFnMut() -> bool) {
    let wait = async {
        while !cond().await {
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    };
    tokio::time::timeout(Duration::from_secs(5), wait).await.unwrap_or_else(|_| panic!("{what}"));
}

#[tokio::test]
async fn session_methods_act_on_the_scripts_channel_and_the_channel_hangs_up_when_it_ends() {
    let e = env();
    e.script(
        "basic.lua",
        r##"
        session:answer()
        session:setVariable("greeting", argv[1] .. "/" .. argv[2])
        local digits = session:getDigits(3, "#", 3000)
        session:sleep(10)
        session:execute("set_not_an_app", "x")
        local api = freeswitch.API()
        local me = api:executeString("uuid_getvar " .. session:get_uuid() .. " greeting")
        freeswitch.consoleLog("info", "digits " .. digits .. "\n")
        session:setVariable("result", digits .. "|" .. me .. "|" .. tostring(session:ready()) .. "|" ..
            session:getState() .. "|" .. session.uuid)
        "##,
    );
    let mut sub = e.sw.bus().subscribe("t");
    let id = e.call("caller?dtmf=12#&dtmf_delay=50ms&dtmf_gap=10ms", "basic.lua hello world").await;
    assert_eq!(var_set(&mut sub, id, "greeting").await, "hello/world");
    assert_eq!(var_set(&mut sub, id, "result").await, format!("12|hello/world|true|CS_EXECUTE|{id}"));
    assert_eq!(hangup_of(&mut sub, id).await, HangupCause::NORMAL_CLEARING);
}

#[tokio::test]
async fn play_and_get_digits_retries_until_the_regex_matches() {
    let e = env();
    e.script(
        "pagd.lua",
        r##"
        local d = session:playAndGetDigits(2, 4, 3, 2000, "#", "prompt.wav", "invalid.wav", "^[12]+$", "choice")
        session:setVariable("pagd", d)
        "##,
    );
    let mut sub = e.sw.bus().subscribe("t");
    let id = e.call("p?dtmf=9#12#&dtmf_delay=50ms&dtmf_gap=10ms", "pagd.lua").await;
    assert_eq!(var_set(&mut sub, id, "choice").await, "12");
    assert_eq!(var_set(&mut sub, id, "pagd").await, "12");
}

#[tokio::test]
async fn a_script_error_is_reported_with_script_and_line_and_the_channel_hangs_up() {
    let e = env();
    e.script("bad.lua", "local x = 1\nlocal y = nil\ny.field = x\n");
    let mut sub = e.sw.bus().subscribe("t");
    let id = e.call("err", "bad.lua").await;
    assert_eq!(hangup_of(&mut sub, id).await, HangupCause::NORMAL_CLEARING);
    let reply = e.api("lua bad.lua").await;
    assert!(reply.starts_with("-ERR ") && reply.contains("bad.lua:3:"), "{reply}");
    e.script("syntax.lua", "if then end\n");
    let reply = e.api("lua syntax.lua").await;
    assert!(reply.contains("syntax.lua:1:"), "{reply}");
    assert!(e.api("lua missing.lua").await.starts_with("-ERR Cannot open "));
}

#[tokio::test]
async fn set_auto_hangup_false_lets_the_channel_continue() {
    let e = env();
    e.script("stay.lua", "session:setAutoHangup(false)\nsession:setVariable('ran', 'yes')\n");
    let mut sub = e.sw.bus().subscribe("t");
    let mut req = OriginateRequest::new("sim/stay", OriginateTarget::Park);
    req.variables.push(("execute_on_answer".into(), "lua stay.lua".into()));
    let id = e.sw.originate_and_wait(req).await.unwrap().channel_id;
    assert_eq!(var_set(&mut sub, id, "ran").await, "yes");
    wait_for(&mut sub, |ev| match &ev.kind {
        EventKind::ExecuteComplete { exec, .. } if exec.app == "lua" => Some(()),
        _ => None,
    })
    .await;
    let handle = e.sw.channels().get(id).expect("still up after the script");
    assert!(handle.snapshot().hangup_cause.is_none());
    handle.hangup(HangupCause::NORMAL_CLEARING, "test").unwrap();
}

#[tokio::test]
async fn the_hangup_hook_runs_when_the_channel_is_killed_during_a_sleep() {
    let e = env();
    e.script(
        "hook.lua",
        r##"
        function on_hangup(s, status)
            freeswitch.setGlobalVariable("hooked", status .. ":" .. s:hangupCause())
        end
        session:setHangupHook("on_hangup")
        session:setVariable("sleeping", "yes")
        session:sleep(20000)
        "##,
    );
    let mut sub = e.sw.bus().subscribe("t");
    let id = e.call("hook", "hook.lua").await;
    var_set(&mut sub, id, "sleeping").await;
    assert_eq!(e.api(&format!("uuid_kill {id}")).await, "+OK\n");
    hangup_of(&mut sub, id).await;
    until("the hook ran", async || e.sw.globals().get("hooked").is_some()).await;
    assert_eq!(e.sw.globals().get("hooked").unwrap(), "hangup:NORMAL_CLEARING");
}

#[tokio::test]
async fn lua_api_returns_stream_output_and_events_fire_as_custom() {
    let e = env();
    e.script(
        "ev.lua",
        r##"
        local ev = freeswitch.Event("CUSTOM", "switchyard::test")
        ev:addHeader("X-Color", "blue")
        ev:addBody("hello body")
        ev:fire()
        stream:write("fired " .. ev:getHeader("X-Color") .. " " .. argv[1] .. "\n")
        "##,
    );
    let mut sub = e.sw.bus().subscribe("t");
    assert_eq!(e.api("lua ev.lua now").await, "fired blue now\n");
    let (name, headers, body) = wait_for(&mut sub, |ev| match &ev.kind {
        EventKind::Custom(c) => Some((c.name.clone(), c.headers.clone(), c.body.clone())),
        _ => None,
    })
    .await;
    assert_eq!(name, "switchyard::test");
    assert_eq!(headers, [("X-Color".to_owned(), "blue".to_owned())]);
    assert_eq!(body.as_deref(), Some("hello body"));
}

#[tokio::test(flavor = "current_thread")]
async fn luarun_scripts_run_off_the_runtime_even_when_they_never_end() {
    let e = env();
    e.script("spin.lua", "freeswitch.setGlobalVariable('spinning', 'yes')\nwhile true do end\n");
    // On a single-threaded runtime a script holding the worker would stop everything below.
    assert_eq!(e.api("luarun spin.lua").await, "+OK\n");
    until("the script started", async || e.sw.globals().get("spinning").is_some()).await;
    assert!(e.api("status").await.contains("UP "));
    e.sw.shutdown(Duration::from_millis(10)).await;
}

#[tokio::test]
async fn an_endless_script_on_a_hung_up_channel_is_aborted_after_the_grace_period() {
    let e = env();
    e.script("busy.lua", "session:setVariable('busy', 'yes')\nwhile true do end\n");
    let mut sub = e.sw.bus().subscribe("t");
    let id = e.call("busy", "busy.lua").await;
    var_set(&mut sub, id, "busy").await;
    e.sw.channels().get(id).unwrap().hangup(HangupCause::NORMAL_CLEARING, "test").unwrap();
    assert_eq!(hangup_of(&mut sub, id).await, HangupCause::NORMAL_CLEARING);
}

#[tokio::test]
async fn freeswitch_session_originates_and_drives_another_channel() {
    let e = env();
    e.script(
        "dial.lua",
        r##"
        local other = freeswitch.Session("sim/other")
        other:setVariable("from_lua", "1")
        stream:write(tostring(other:ready()) .. " " .. other:getState() .. "\n")
        other:hangup("USER_BUSY")
        "##,
    );
    assert_eq!(e.api("lua dial.lua").await, "true CS_PARK\n");
}

#[tokio::test]
async fn session_execute_runs_an_application_such_as_conference() {
    let e = env();
    e.script("conf.lua", "session:answer()\nsession:execute('conference', 'room')\n");
    let id = e.call("joiner", "conf.lua").await;
    until("the script put the channel in the conference", async || {
        e.api("conference room list").await.contains(&id.to_string())
    })
    .await;
    e.sw.channels().get(id).unwrap().hangup(HangupCause::NORMAL_CLEARING, "test").unwrap();
    until("the room is gone", async || e.api("conference list").await == "+OK No active conferences.\n").await;
    drop(e.dir);
}
