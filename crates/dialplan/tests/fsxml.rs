//! The XML dialplan on real `sim/` channels: two-phase routing, dptools, transfers between the
//! XML and extensions.conf dialplans, bridge failover, and `reloadxml`. Results are written to
//! AstDB with the `db` application and read back.
//! They run on tokio's paused clock: the sim channels' timings (answer, DTMF, hangup after) are
//! exact whatever the machine's load, and the waits take no real time.

mod support;

use switchyard_core::{ChannelId, EventKind, HangupCause, OriginateRequest, OriginateTarget};

const CONF: &str = "[c]\nexten => 100,1,Set(DB(r/ast)=${dialplan}|${EXTEN})\nsame => n,Hangup\n\
exten => 300,1,transfer(77 XML other)\nsame => n,Set(DB(r/after300)=continued)\n\
exten => 400,1,Answer\nsame => n,Wait(30)\n";

fn xml(body: &str) -> String {
    format!("<include><context name=\"default\">{body}</context><context name=\"other\">{OTHER}</context></include>")
}

const OTHER: &str = r#"<extension name="landing"><condition field="destination_number" expression="^(\d+)$">
  <action application="db" data="insert/r/landed/$1@${context}"/></condition></extension>"#;

/// A harness with extensions.conf `CONF` and the XML dialplan `body` (in context `default`).
fn harness(body: &str) -> support::Harness {
    let h = support::harness(CONF);
    let plan = switchyard_dialplan::fsxml::parse_str("test.xml", &xml(body)).unwrap();
    switchyard_dialplan::fsxml::install_plan(&h.engine, plan, &[]);
    h
}

/// Originates `dial` to `exten` in `context` of `dialplan`, as FreeSWITCH's originate does.
fn call(h: &support::Harness, dial: &str, exten: &str, dialplan: &str, context: &str) -> ChannelId {
    let target = OriginateTarget::Extension { context: context.into(), exten: exten.into(), priority: 1 };
    let mut req = OriginateRequest::new(dial, target);
    req.caller_id = switchyard_core::CallerId::new("1000", "Alice");
    req.variables.push(("dialplan".into(), dialplan.into()));
    h.switch.originate(req).unwrap().channel.id()
}

/// Events until channel `id` is destroyed (at most 20 s).
async fn until_gone(h: &mut support::Harness, id: ChannelId) -> Vec<switchyard_core::Event> {
    let mut out = Vec::new();
    let work = async {
        loop {
            let e = h.next_event().await;
            let done = matches!(e.kind, EventKind::ChannelDestroy) && e.channel.as_ref().is_some_and(|c| c.id == id);
            out.push(e);
            if done {
                break;
            }
        }
    };
    tokio::time::timeout(std::time::Duration::from_secs(20), work).await.expect("the call ends within 20 s");
    out
}

fn r(h: &support::Harness, key: &str) -> String {
    h.db("r", key).unwrap_or_else(|| "<unset>".into())
}

fn hangup_cause(events: &[switchyard_core::Event], id: ChannelId) -> Option<HangupCause> {
    events.iter().find_map(|e| match &e.kind {
        EventKind::Hangup { cause } if e.channel.as_ref().is_some_and(|c| c.id == id) => Some(*cause),
        _ => None,
    })
}

#[tokio::test(start_paused = true)]
async fn an_xml_call_hunts_then_runs_the_actions_and_hangs_up_when_they_end() {
    let body = r#"
<extension name="prep" continue="true"><condition field="destination_number" expression="^(\d+)$">
  <action application="set" data="early=$1" inline="true"/></condition></extension>
<extension name="main">
  <condition field="destination_number" expression="^9999$"/>
  <condition field="${early}" expression="^9999$"/>
  <condition field="caller_id_number" expression="^1000$">
    <action application="set" data="greeting=hi ${caller_id_name}"/>
    <action application="export" data="exported=yes"/>
    <action application="multiset" data="m1=a m2=b"/>
    <action application="unset" data="m2"/>
    <action application="execute_extension" data="sub XML default"/>
    <action application="execute_extension" data="loop"/>
    <action application="db" data="insert/r/vars/${greeting}|${exported}|${export_vars}|${m1}|${m2}|${sub}|${destination_number}|${cond(${m1} == a ? A : B)}"/>
  </condition>
</extension>
<extension name="sub"><condition field="destination_number" expression="^sub$">
  <action application="set" data="sub=ran"/></condition></extension>
<extension name="loop"><condition field="destination_number" expression="^loop$">
  <action application="execute_extension" data="loop"/></condition></extension>"#;
    let mut h = harness(body);
    let id = call(&h, "sim/a", "9999", "XML", "default");
    let events = until_gone(&mut h, id).await;
    assert_eq!(r(&h, "vars"), "hi Alice|yes|exported|a||ran|9999|A");
    assert_eq!(hangup_cause(&events, id), Some(HangupCause::NORMAL_CLEARING));
}

#[tokio::test(start_paused = true)]
async fn no_matching_extension_hangs_up_with_no_route() {
    let mut h = harness(r#"<extension name="x"><condition field="destination_number" expression="^1$"/></extension>"#);
    let id = call(&h, "sim/a", "2", "XML", "default");
    let events = until_gone(&mut h, id).await;
    assert_eq!(hangup_cause(&events, id), Some(HangupCause::NO_ROUTE_DESTINATION));
}

#[tokio::test(start_paused = true)]
async fn each_channel_uses_its_own_dialplan_and_transfer_crosses_where_told() {
    let body = r#"
<extension name="to-other"><condition field="destination_number" expression="^1$">
  <action application="transfer" data="77 XML other"/>
  <action application="db" data="insert/r/after/transfer must not continue"/></condition></extension>
<extension name="to-asterisk"><condition field="destination_number" expression="^2$">
  <action application="transfer" data="100 asterisk c"/></condition></extension>
<extension name="xml-100"><condition field="destination_number" expression="^100$">
  <action application="db" data="insert/r/xml100/yes"/></condition></extension>"#;
    let mut h = harness(body);
    let id = call(&h, "sim/a", "1", "XML", "default");
    until_gone(&mut h, id).await;
    assert_eq!((r(&h, "landed"), r(&h, "after")), ("77@other".into(), "<unset>".into()));
    let id = call(&h, "sim/b", "2", "XML", "default");
    until_gone(&mut h, id).await;
    assert_eq!(r(&h, "ast"), "asterisk|100");
    h.store.db_del("r", "ast").unwrap();
    let id = call(&h, "sim/c", "100", "asterisk", "c");
    until_gone(&mut h, id).await;
    assert_eq!((r(&h, "ast"), r(&h, "xml100")), ("asterisk|100".into(), "<unset>".into()));
    let id = call(&h, "sim/d", "100", "XML", "default");
    until_gone(&mut h, id).await;
    assert_eq!(r(&h, "xml100"), "yes");
}

#[tokio::test(start_paused = true)]
async fn bridge_fails_over_and_honours_continue_on_fail_and_hangup_after_bridge() {
    let body = r#"
<extension name="failover"><condition field="destination_number" expression="^1$">
  <action application="set" data="continue_on_fail=true"/>
  <action application="export" data="exp=orted"/>
  <action application="bridge" data="{leg=all}sim/busy1?busy,sim/busy2?busy|[x=1]sim/ok?hangup=50ms"/>
  <action application="db" data="insert/r/failover/${DIALSTATUS}"/></condition></extension>
<extension name="fail"><condition field="destination_number" expression="^2$">
  <action application="set" data="continue_on_fail=USER_BUSY"/>
  <action application="bridge" data="sim/busy?busy"/>
  <action application="db" data="insert/r/fail/${originate_disposition}"/>
  <action application="bridge" data="sim/gone?unavailable"/>
  <action application="db" data="insert/r/unreached/yes"/></condition></extension>
<extension name="hab"><condition field="destination_number" expression="^3$">
  <action application="set" data="hangup_after_bridge=true"/>
  <action application="bridge" data="sim/ok?hangup=50ms"/>
  <action application="db" data="insert/r/hab/continued"/></condition></extension>"#;
    let mut h = harness(body);
    let id = call(&h, "sim/a", "1", "XML", "default");
    let events = until_gone(&mut h, id).await;
    let ok_leg = events.iter().find_map(|e| match &e.kind {
        EventKind::ChannelCreate => e.channel.clone().filter(|c| c.name.starts_with("sim/ok")),
        _ => None,
    });
    let vars = ok_leg.expect("the third leg was dialed").variables.clone();
    assert_eq!((vars.get("leg"), vars.get("x"), vars.get("exp")), (Some("all"), Some("1"), Some("orted")));
    assert_eq!(r(&h, "failover"), "ANSWER");
    let id = call(&h, "sim/b", "2", "XML", "default");
    let events = until_gone(&mut h, id).await;
    assert_eq!((r(&h, "fail"), r(&h, "unreached")), ("USER_BUSY".into(), "<unset>".into()));
    assert_eq!(hangup_cause(&events, id), Some(HangupCause::REQUESTED_CHAN_UNAVAIL));
    let id = call(&h, "sim/c", "3", "XML", "default");
    until_gone(&mut h, id).await;
    assert_eq!(r(&h, "hab"), "<unset>");
}

#[tokio::test(start_paused = true)]
async fn reloadxml_swaps_on_success_and_keeps_the_old_plan_on_error() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("default.xml");
    let ext = |n: &str| {
        format!(
            r#"<include><context name="default"><extension name="e"><condition field="destination_number" expression="^1$">
<action application="db" data="insert/r/version/{n}"/></condition></extension></context></include>"#
        )
    };
    std::fs::write(&file, ext("one")).unwrap();
    let mut h = support::harness(CONF);
    switchyard_dialplan::fsxml::install(&h.engine, &[dir.path().join("*.xml")]).unwrap();
    let sw = h.switch.clone();
    let reload = || async { sw.commands().execute(&sw, "reloadxml").await.unwrap().text };
    std::fs::write(&file, ext("two")).unwrap();
    assert_eq!(reload().await, "+OK [Success]\n");
    std::fs::write(
        &file,
        "<include>\n<context name=\"default\">\n<extension>\n<condition field=\"x\" expression=\"[\"/>",
    )
    .unwrap();
    let reply = reload().await;
    assert!(reply.starts_with("+OK [") && reply.contains("default.xml:4:1"), "{reply}");
    let id = call(&h, "sim/a", "1", "XML", "default");
    until_gone(&mut h, id).await;
    assert_eq!(r(&h, "version"), "two");
}

#[tokio::test(start_paused = true)]
async fn the_db_api_answers_as_mod_db() {
    let h = harness("");
    let sw = h.switch.clone();
    let api = |line: &'static str| {
        let sw = sw.clone();
        async move { sw.commands().execute(&sw, line).await.unwrap().text }
    };
    assert_eq!(api("db insert/realm/k1/v1").await, "+OK");
    assert_eq!(api("db insert/realm/k2/v/2").await, "+OK");
    assert_eq!(api("db select/realm/k2").await, "v/2");
    assert_eq!(api("db exists/realm/k1").await, "true");
    assert_eq!(api("db count/realm").await, "2");
    assert_eq!(api("db list/realm").await, "k1,k2");
    assert_eq!(api("db delete/realm/k1").await, "+OK");
    assert_eq!(api("db exists/realm/k1").await, "false");
    assert_eq!(api("db bogus").await, "!err!");
}

#[tokio::test(start_paused = true)]
async fn loopback_legs_route_through_xml_and_uuid_transfer_names_the_dialplan() {
    let body = r#"
<extension name="lb"><condition field="destination_number" expression="^500$">
  <action application="db" data="insert/r/loopback/${loopback_leg}|${dialplan}"/>
  <action application="answer"/><action application="park"/></condition></extension>
<extension name="parked"><condition field="destination_number" expression="^600$">
  <action application="answer"/><action application="park"/></condition></extension>"#;
    let mut h = harness(body);
    let req = OriginateRequest::new("loopback/500/default", OriginateTarget::Park);
    let a = h.switch.originate_and_wait(req).await.unwrap();
    assert!(a.answered);
    assert_eq!(r(&h, "loopback"), "B|XML");
    h.switch.channels().get(a.channel_id).unwrap().hangup(HangupCause::NORMAL_CLEARING, "test").unwrap();
    until_gone(&mut h, a.channel_id).await;

    let sw = h.switch.clone();
    for (dest, key, want) in [("77 XML other", "landed", "77@other"), ("100 asterisk c", "ast", "asterisk|100")] {
        let id = call(&h, "sim/p", "600", "XML", "default");
        loop {
            let e = h.next_event().await;
            if matches!(e.kind, EventKind::Execute { ref exec } if exec.app == "park")
                && e.channel.as_ref().is_some_and(|c| c.id == id)
            {
                break;
            }
        }
        let reply = sw.commands().execute(&sw, &format!("uuid_transfer {id} {dest}")).await.unwrap().text;
        assert_eq!(reply, "+OK\n");
        until_gone(&mut h, id).await;
        assert_eq!(r(&h, key), want);
    }
}

#[tokio::test(start_paused = true)]
async fn extensions_conf_hands_a_channel_to_xml_when_a_transfer_names_it() {
    let mut h = harness("");
    let id = call(&h, "sim/a", "300", "asterisk", "c");
    until_gone(&mut h, id).await;
    assert_eq!((r(&h, "landed"), r(&h, "after300")), ("77@other".into(), "<unset>".into()));
    h.store.db_del("r", "landed").unwrap();
    let id = call(&h, "sim/b", "400", "asterisk", "c");
    loop {
        let e = h.next_event().await;
        if matches!(e.kind, EventKind::Execute { ref exec } if exec.app == "Wait")
            && e.channel.as_ref().is_some_and(|c| c.id == id)
        {
            break;
        }
    }
    let sw = h.switch.clone();
    let reply = sw.commands().execute(&sw, &format!("uuid_transfer {id} 78 XML other")).await.unwrap().text;
    assert_eq!(reply, "+OK\n");
    until_gone(&mut h, id).await;
    assert_eq!(r(&h, "landed"), "78@other");
}

#[tokio::test(start_paused = true)]
async fn read_and_play_and_get_digits_take_dtmf_and_event_fires_a_custom_event() {
    let body = r#"
<extension name="digits"><condition field="destination_number" expression="^1$">
  <action application="read" data="1 4 silence r_digits 3000 #"/>
  <action application="play_and_get_digits" data="2 2 2 3000 # silence silence pg_digits ^4\d$"/>
  <action application="read" data="1 4 silence late 200 #"/>
  <action application="event" data="Event-Subclass=test::digits,Digits=${r_digits}"/>
  <action application="db" data="insert/r/digits/${r_digits}|${read_result}|${pg_digits}|${late}"/>
</condition></extension>"#;
    let mut h = harness(body);
    let id = call(&h, "sim/a?dtmf=12#3945&dtmf_delay=100ms&dtmf_gap=20ms", "1", "XML", "default");
    let events = until_gone(&mut h, id).await;
    // `39` fails the regex, the second try reads `45`; the last read times out.
    assert_eq!(r(&h, "digits"), "12|timeout|45|");
    let custom = events.iter().find_map(|e| match &e.kind {
        EventKind::Custom(c) if c.name == "test::digits" => Some(c.headers.clone()),
        _ => None,
    });
    assert_eq!(custom, Some(vec![("Digits".to_owned(), "12".to_owned())]));
}

#[tokio::test(start_paused = true)]
async fn the_inline_dialplan_runs_the_destination_itself() {
    let mut h = harness("");
    let id = call(&h, "sim/a", "set:foo=bar,db:insert/r/inline/${foo}|${dialplan}", "inline", "default");
    let events = until_gone(&mut h, id).await;
    assert_eq!(r(&h, "inline"), "bar|inline");
    assert_eq!(hangup_cause(&events, id), Some(HangupCause::NORMAL_CLEARING));
}
