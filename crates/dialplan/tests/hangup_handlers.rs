//! Hangup handlers as Asterisk runs them: after `h`, newest first, with hangup ignored so their
//! apps complete, before the final Hangup event; push/pop/wipe semantics.
//! They run on tokio's paused clock: the sim channels' timings (answer, DTMF, hangup after) are
//! exact whatever the machine's load, and the waits take no real time.

mod support;

use support::{harness, trace};

const ORACLE: &str = "
[test]
exten => 100,1,Answer()
same => n,Set(CHANNEL(hangup_handler_push)=hdlr,s,1(one,two))
same => n,Set(CHANNEL(hangup_handler_push)=hdlr,s,1(three,four))
same => n,Wait(0.05)
same => n,Hangup()
exten => h,1,NoOp(h-exten)

[hdlr]
exten => s,1,NoOp(handler ${ARG1} ${ARG2})
same => n,Set(DB(test/${ARG1})=done-${ARG2})
same => n,Return()
";

#[tokio::test(start_paused = true)]
async fn hangup_handlers_run_lifo_after_the_h_extension_and_before_the_hangup_event() {
    let mut h = harness(ORACLE);
    let id = h.call("null/x", "test", "100");
    let events = h.until_idle().await;
    let t = trace(&events, id);
    let expected = vec![
        "100@test:1 Answer()",
        "100@test:2 Set(CHANNEL(hangup_handler_push)=hdlr,s,1(one,two))",
        "push hdlr,s,1(one,two)",
        "100@test:3 Set(CHANNEL(hangup_handler_push)=hdlr,s,1(three,four))",
        "push hdlr,s,1(three,four)",
        "100@test:4 Wait(0.05)",
        "100@test:5 Hangup()",
        "h@test:1 NoOp(h-exten)",
        "run hdlr,s,1(three,four)",
        "s@hdlr:1 NoOp(handler three four)",
        "s@hdlr:2 Set(DB(test/three)=done-four)",
        "s@hdlr:3 Return()",
        "run hdlr,s,1(one,two)",
        "s@hdlr:1 NoOp(handler one two)",
        "s@hdlr:2 Set(DB(test/one)=done-two)",
        "s@hdlr:3 Return()",
        "hangup 16",
    ];
    assert_eq!(t, expected);
    assert_eq!(h.db("test", "three").as_deref(), Some("done-four"));
    assert_eq!(h.db("test", "one").as_deref(), Some("done-two"));
}

#[tokio::test(start_paused = true)]
async fn missing_context_and_exten_are_filled_at_push_time_and_pop_and_wipe_replace() {
    let conf = "
[c]
exten => 1,1,Set(CHANNEL(hangup_handler_push)=hx,1(a))
same => n,Set(CHANNEL(hangup_handler_push)=2(b))
same => n,Set(CHANNEL(hangup_handler_pop)=)
same => n,Set(CHANNEL(hangup_handler_push)=2(c))
same => n,Set(CHANNEL(hangup_handler_wipe)=other,s,1(d))
same => n,Set(CHANNEL(hangup_handler_pop)=other,s,1(e))
same => n,Set(CHANNEL(hangup_handler_push)=)
same => n,Hangup()
exten => 2,1,Set(DB(h/${ARG1})=ran)
same => n,Return()
exten => hx,1,Set(DB(h/${ARG1})=ran)
same => n,Return()
[other]
exten => s,1,Set(DB(h/${ARG1})=ran)
same => n,Set(CHANNEL(hangup_handler_push)=other2,s,1(pushed-while-running))
same => n,Return()
[other2]
exten => s,1,Set(DB(h/${ARG1})=ran)
same => n,Return()
";
    let mut h = harness(conf);
    let id = h.call("null/x", "c", "1");
    let events = h.until_idle().await;
    let t: Vec<String> = trace(&events, id).into_iter().filter(|l| !l.contains('@')).collect();
    assert_eq!(
        t,
        vec![
            "push c,hx,1(a)",
            "push c,1,2(b)",
            "pop c,1,2(b)",
            "push c,1,2(c)",
            "pop c,1,2(c)",
            "pop c,hx,1(a)",
            "push other,s,1(d)",
            "pop other,s,1(d)",
            "push other,s,1(e)",
            "run other,s,1(e)",
            "push other2,s,1(pushed-while-running)",
            "run other2,s,1(pushed-while-running)",
            "hangup 16",
        ]
    );
    assert_eq!(h.db("h", "e").as_deref(), Some("ran"));
    assert_eq!(h.db("h", "pushed-while-running").as_deref(), Some("ran"));
    assert_eq!(h.db("h", "a"), None);
    assert_eq!(h.db("h", "d"), None);
}

#[tokio::test(start_paused = true)]
async fn core_show_hanguphandlers_lists_newest_first_in_asterisk_columns() {
    let conf = "
[test]
exten => 101,1,Set(CHANNEL(hangup_handler_push)=hdlr,s,1(one,two))
same => n,Set(CHANNEL(hangup_handler_push)=hdlr,s,1(three,four))
same => n,Wait(30)
[hdlr]
exten => s,1,Return()
";
    let mut h = harness(conf);
    let id = h.call("null/x", "test", "101");
    let mut pushes = 0;
    while pushes < 2 {
        if matches!(h.next_event().await.kind, switchyard_core::EventKind::HangupHandlerPush { .. }) {
            pushes += 1;
        }
    }
    let name = h.switch.channels().get(id).unwrap().snapshot().name.clone();
    let all = h.switch.commands().execute(&h.switch, "core show hanguphandlers all").await.unwrap().text;
    assert_eq!(
        all,
        format!("{:<30} Handler\n{name:<30} hdlr,s,1(three,four)\n{:<30} hdlr,s,1(one,two)\n", "Channel", "")
    );
    let one = h.switch.commands().execute(&h.switch, &format!("core show hanguphandlers {name}")).await.unwrap();
    assert_eq!(one.text, all);
    let missing = h.switch.commands().execute(&h.switch, "core show hanguphandlers nope").await.unwrap();
    assert_eq!(missing.text, "Channel does not exist.\n");
    h.switch.channels().get(id).unwrap().hangup(switchyard_core::HangupCause::NORMAL_CLEARING, "test").unwrap();
    let events = h.until_idle().await;
    let runs = trace(&events, id).into_iter().filter(|l| l.starts_with("run")).count();
    assert_eq!(runs, 2);
}

#[tokio::test(start_paused = true)]
async fn the_oracle_run_on_a_local_channel_orders_h_handlers_and_hangup_as_asterisk_22() {
    let mut h = harness(ORACLE);
    let target = switchyard_core::OriginateTarget::App { name: "Wait".into(), args: "1".into() };
    let one = h.switch.originate(switchyard_core::OriginateRequest::new("Local/100@test", target)).unwrap();
    let one_id = one.channel.id();
    let events = h.until_idle().await;
    let two = events
        .iter()
        .filter_map(|e| e.channel.as_ref())
        .find(|c| c.name.ends_with(";2"))
        .map(|c| (c.id, c.name.clone()))
        .unwrap();
    assert!(two.1.starts_with("Local/100@test-") && two.1.len() == "Local/100@test-00000001;2".len(), "{}", two.1);
    let t = trace(&events, two.0);
    let h_at = t.iter().position(|l| l == "h@test:1 NoOp(h-exten)").unwrap();
    let runs: Vec<usize> = t.iter().enumerate().filter(|(_, l)| l.starts_with("run ")).map(|(i, _)| i).collect();
    assert_eq!(runs.len(), 2);
    assert!(h_at < runs[0] && t[runs[0]] == "run hdlr,s,1(three,four)" && t[runs[1]] == "run hdlr,s,1(one,two)");
    assert_eq!(t.last().map(String::as_str), Some("hangup 16"));
    let one_hangup = events
        .iter()
        .position(|e| {
            e.channel.as_ref().is_some_and(|c| c.id == one_id)
                && matches!(e.kind, switchyard_core::EventKind::Hangup { .. })
        })
        .unwrap();
    let two_hangup = events
        .iter()
        .position(|e| {
            e.channel.as_ref().is_some_and(|c| c.id == two.0)
                && matches!(e.kind, switchyard_core::EventKind::Hangup { .. })
        })
        .unwrap();
    assert!(two_hangup < one_hangup, ";2 hangs up first, then ;1 (as in the oracle transcript)");
}
