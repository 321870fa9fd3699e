//! The interpreter on real channels: substitution, functions, flow control, Gosub, loops, Exec,
//! invalid extensions, DTMF apps. Results are written to AstDB (`r/<name>`) and read back.

mod support;

use support::harness;

async fn run(conf: &str, dial: &str, ctx: &str, exten: &str) -> support::Harness {
    let mut h = harness(conf);
    h.call(dial, ctx, exten);
    h.until_idle().await;
    h
}

fn r(h: &support::Harness, key: &str) -> String {
    h.db("r", key).unwrap_or_else(|| "<unset>".into())
}

#[tokio::test]
async fn substitution_functions_and_expressions_give_asterisk_results() {
    let conf = r#"
[globals]
G=global-value
[c]
exten => 100,1,Set(X=1234567890)
same => n,Set(DB(r/sub)=${X:2:3}|${X:-4}|${X:0:-8}|${X:-5:-2})
same => n,Set(DB(r/len)=${LEN(${X})})
same => n,Set(N=X)
same => n,Set(DB(r/nested)=${${N}:0:2})
same => n,Set(DB(r/expr)=$[1 + 2 * 3]|$[${X} > 5]|$["a" = "a"])
same => n,Set(DB(r/global)=${G}|${GLOBAL(G)})
same => n,Set(PATH=a-b-c-d)
same => n,Set(DB(r/cut)=${CUT(PATH,-,2)}|${CUT(PATH,-,2-3)}|${CUT(PATH,-,3-)})
same => n,Set(DB(r/if)=${IF($[1 = 1]?yes:no)}|${IF(0?yes:no)}|${ISNULL()}|${EXISTS(x)})
same => n,Set(DB(r/case)=${TOUPPER(abc)}|${TOLOWER(DEF)})
same => n,Set(DB(r/uri)=${URIENCODE(a b&c)}|${URIDECODE(a%20b)})
same => n,Set(DB(r/math)=${MATH(3*8)}|${MATH(7/2,i)})
same => n,Set(DB(r/regex)=${REGEX("^12" ${X})}|${REGEX("^9" ${X})})
same => n,Set(PHONE=+1 (555) 123)
same => n,Set(DB(r/filter)=${FILTER(0-9,${PHONE})}|${REPLACE(PATH,-,_)})
same => n,Set(DB(r/cid)=${CALLERID(num)}|${CALLERID(name)}|${CALLERID(all)})
same => n,Set(CALLERID(all)="New Name" <777>)
same => n,Set(DB(r/cid2)=${CALLERID(num)}|${CALLERID(name)})
same => n,Set(DB(r/chan)=${EXTEN}|${CONTEXT}|${PRIORITY}|${CHANNEL(state)})
same => n,Set(RND=${RAND(5,5)})
same => n,Set(DB(r/rand)=${RND})
same => n,Set(DB(r/strftime)=${STRFTIME(0,UTC,%Y-%m-%d %H:%M:%S)})
same => n,Set(DB(r/shell)=${SHELL(printf hi)})
same => n,Set(DB(r/iftime)=${IFTIME(*,*,*,*?always:never)}|${IFTIME(*,*,*,feb&mar&apr?spring:other)})
same => n,MSet(A=1,B=two)
same => n,Set(DB(r/mset)=${A}${B})
same => n,Set(DB(x/one)=1)
same => n,Set(DB(x/two)=2)
same => n,Set(DB(r/dbkeys)=${DB_KEYS(x)}|${DB_EXISTS(x/one)}|${DB_RESULT}|${DB_DELETE(x/two)}|${DB_EXISTS(x/two)})
same => n,Set(DB(r/db)=${DB(x/one)})
same => n,Set(DB(r/epoch)=$[${EPOCH} > 1700000000])
same => n,Set(Y=)
same => n,Set(DB(r/empty)=[${Y}])
"#;
    let h = run(conf, "null/x", "c", "100").await;
    assert_eq!(r(&h, "sub"), "345|7890|12|678");
    assert_eq!(r(&h, "len"), "10");
    assert_eq!(r(&h, "nested"), "12");
    assert_eq!(r(&h, "expr"), "7|1|1");
    assert_eq!(r(&h, "global"), "global-value|global-value");
    assert_eq!(r(&h, "cut"), "b|b-c|c-d");
    assert_eq!(r(&h, "if"), "yes|no|1|1");
    assert_eq!(r(&h, "case"), "ABC|def");
    assert_eq!(r(&h, "uri"), "a%20b%26c|a b");
    assert_eq!(r(&h, "math"), "24.000000|3");
    assert_eq!(r(&h, "regex"), "1|0");
    assert_eq!(r(&h, "filter"), "1555123|a_b_c_d");
    assert_eq!(r(&h, "cid"), "5551000|Oracle|\"Oracle\" <5551000>");
    assert_eq!(r(&h, "cid2"), "777|New Name");
    assert_eq!(r(&h, "chan"), "100|c|20|Up");
    assert_eq!(r(&h, "rand"), "5");
    assert_eq!(r(&h, "strftime"), "1970-01-01 00:00:00");
    assert_eq!(r(&h, "shell"), "hi");
    assert!(r(&h, "iftime").starts_with("always|"), "{}", r(&h, "iftime"));
    assert_eq!(r(&h, "mset"), "1two");
    assert_eq!(r(&h, "dbkeys"), "one,two|1|1|2|0");
    assert_eq!(r(&h, "db"), "1");
    assert_eq!(r(&h, "epoch"), "1");
    assert_eq!(r(&h, "empty"), "[]");
}

#[tokio::test]
async fn gosub_passes_arguments_restores_locals_and_returns_a_value() {
    let conf = "
[c]
exten => 1,1,Set(ARG1=outer)
same => n,Set(L=outer-local)
same => n,Gosub(sub,s,1(a,b c))
same => n,Set(DB(r/ret)=${GOSUB_RETVAL}|${ARG1}|${L}|${ARGC})
same => n,GosubIf($[1 = 0]?sub,s,1(x):sub2,s,1)
same => n,Set(DB(r/gosubif)=${GOSUB_RETVAL})
[sub]
exten => s,1,Set(DB(r/args)=${ARG1}|${ARG2}|${ARGC})
same => n,Set(LOCAL(L)=inner)
same => n,Gosub(sub2,s,1)
same => n,Return(${ARG2}-${L}-${GOSUB_RETVAL})
[sub2]
exten => s,1,Set(DB(r/depth)=${ARGC})
same => n,Return(two)
";
    let h = run(conf, "null/x", "c", "1").await;
    assert_eq!(r(&h, "args"), "a|b c|2");
    assert_eq!(r(&h, "ret"), "b c-inner-two|outer|outer-local|");
    assert_eq!(r(&h, "gosubif"), "two");
    assert_eq!(r(&h, "depth"), "0");
}

#[tokio::test]
async fn goto_labels_gotoif_and_while_loops_flow_as_asterisk() {
    let conf = "
[c]
exten => 1,1,Set(I=0)
same => n,While($[${I} < 5])
same => n,Set(I=$[${I} + 1])
same => n,ExecIf($[${I} = 2]?ContinueWhile())
same => n,Set(SEEN=${SEEN}${I})
same => n,ExecIf($[${I} = 4]?ExitWhile())
same => n,EndWhile()
same => n,Set(DB(r/while)=${SEEN}|${I})
same => n,GotoIf($[${I} = 4]?yes:no)
same => n(no),Set(DB(r/goto)=no)
same => n,Hangup()
same => n(yes),Set(DB(r/goto)=yes)
same => n,Goto(other,1)
exten => other,1,Set(DB(r/other)=${EXTEN})
same => n,Goto(d2,5,1)
[d2]
exten => _[1-5],1,Set(DB(r/pattern)=${EXTEN})
same => n,TryExec(NoSuchApp(x))
same => n,Set(DB(r/try)=${TRYSTATUS})
same => n,Exec(Set(DB(r/exec)=ran))
same => n,Goto(c,99,1)
exten => i,1,Set(DB(r/invalid)=${INVALID_EXTEN})
";
    let h = run(conf, "null/x", "c", "1").await;
    assert_eq!(r(&h, "while"), "134|4");
    assert_eq!(r(&h, "goto"), "yes");
    assert_eq!(r(&h, "other"), "other");
    assert_eq!(r(&h, "pattern"), "5");
    assert_eq!(r(&h, "try"), "NOAPP");
    assert_eq!(r(&h, "exec"), "ran");
    assert_eq!(r(&h, "invalid"), "<unset>", "c has no i extension: the call hangs up");
}

#[tokio::test]
async fn an_unknown_extension_goes_to_i_and_the_h_extension_sees_the_cause() {
    let conf = "
[c]
exten => 1,1,Goto(c,42,1)
exten => i,1,Set(DB(r/invalid)=${INVALID_EXTEN})
same => n,Hangup(17)
exten => h,1,Set(DB(r/h)=${HANGUPCAUSE})
";
    let h = run(conf, "null/x", "c", "1").await;
    assert_eq!(r(&h, "invalid"), "42");
    assert_eq!(r(&h, "h"), "17");
}

#[tokio::test]
async fn read_and_wait_exten_take_digits_from_the_far_end() {
    let conf = "
[c]
exten => 1,1,Read(PIN,,4)
same => n,Set(DB(r/read)=${PIN}|${READSTATUS})
same => n,WaitExten(5)
exten => 56,1,Set(DB(r/waitexten)=${EXTEN})
exten => 5,1,Set(DB(r/wrong)=5)
";
    let h = run(conf, "sim/x?dtmf=123456&dtmf_delay=10ms&dtmf_gap=10ms", "c", "1").await;
    assert_eq!(r(&h, "read"), "1234|OK");
    assert_eq!(r(&h, "waitexten"), "56");
}

#[tokio::test]
async fn wait_exten_times_out_to_t() {
    let conf = "
[c]
exten => 1,1,WaitExten(0.05)
exten => t,1,Set(DB(r/t)=timeout)
";
    let h = run(conf, "null/x", "c", "1").await;
    assert_eq!(r(&h, "t"), "timeout");
}

#[tokio::test]
async fn templates_and_includes_are_found_at_run_time() {
    let conf = "
[tmpl](!)
exten => h,1,Set(DB(r/h)=from-template)
[c](tmpl)
include => inc
exten => 1,1,Goto(7,1)
[inc]
exten => _X,1,Set(DB(r/inc)=${EXTEN}@${CONTEXT})
";
    let h = run(conf, "null/x", "c", "1").await;
    assert_eq!(r(&h, "inc"), "7@c");
    assert_eq!(r(&h, "h"), "from-template");
}

#[tokio::test]
async fn an_absolute_timeout_sends_the_channel_to_t_upper() {
    let conf = "
[c]
exten => 1,1,Set(TIMEOUT(absolute)=0.05)
same => n,Wait(10)
exten => T,1,Set(DB(r/T)=${EXTEN})
";
    let mut h = harness(conf);
    let _sched = h.start_scheduler().await;
    h.call("null/x", "c", "1");
    h.until_idle().await;
    assert_eq!(r(&h, "T"), "T");
}

#[tokio::test]
async fn reading_the_absolute_timeout_gives_the_seconds_left_with_milliseconds() {
    let conf = "
[c]
exten => 1,1,Set(DB(r/none)=${TIMEOUT(absolute)})
same => n,Set(TIMEOUT(absolute)=100)
same => n,Set(DB(r/left)=${TIMEOUT(absolute)})
same => n,Set(TIMEOUT(absolute)=0)
same => n,Set(DB(r/cancelled)=${TIMEOUT(absolute)})
";
    let mut h = harness(conf);
    let _sched = h.start_scheduler().await;
    h.call("null/x", "c", "1");
    h.until_idle().await;
    assert_eq!((r(&h, "none"), r(&h, "cancelled")), ("0".to_owned(), "0".to_owned()));
    let left = r(&h, "left");
    let secs: f64 = left.parse().unwrap();
    assert!(secs > 90.0 && secs <= 100.0 && left.split_once('.').unwrap().1.len() == 3, "{left}");
}

#[tokio::test]
async fn an_absolute_timeout_of_zero_cancels_the_scheduled_hangup() {
    let conf = "
[c]
exten => 1,1,Set(TIMEOUT(absolute)=0.05)
same => n,Set(TIMEOUT(absolute)=0)
same => n,Wait(0.3)
same => n,Set(DB(r/survived)=yes)
";
    let mut h = harness(conf);
    let _sched = h.start_scheduler().await;
    h.call("null/x", "c", "1");
    h.until_idle().await;
    assert_eq!(r(&h, "survived"), "yes");
}

#[tokio::test]
async fn an_absolute_timeout_uses_t_of_the_context_the_channel_is_in_when_it_expires() {
    let conf = "
[c]
exten => 1,1,Set(TIMEOUT(absolute)=0.05)
same => n,Goto(d,1,1)
[d]
exten => 1,1,Wait(10)
exten => T,1,Set(DB(r/T)=${CONTEXT})
";
    let mut h = harness(conf);
    let _sched = h.start_scheduler().await;
    h.call("null/x", "c", "1");
    h.until_idle().await;
    assert_eq!(r(&h, "T"), "d");
}

#[tokio::test]
async fn without_t_an_absolute_timeout_goes_to_e_with_reason_absolutetimeout() {
    let conf = "
[c]
exten => 1,1,Set(TIMEOUT(absolute)=0.05)
same => n,Wait(10)
exten => e,1,Set(DB(r/e)=${EXCEPTION(reason)}|${EXCEPTION(exten)})
";
    let mut h = harness(conf);
    let _sched = h.start_scheduler().await;
    h.call("null/x", "c", "1");
    h.until_idle().await;
    assert_eq!(r(&h, "e"), "ABSOLUTETIMEOUT|1");
}

#[tokio::test]
async fn without_t_an_absolute_timeout_hangs_up_with_allotted_timeout() {
    let conf = "
[c]
exten => 1,1,Set(TIMEOUT(absolute)=0.05)
same => n,Wait(10)
";
    let mut h = harness(conf);
    let _sched = h.start_scheduler().await;
    h.call("null/x", "c", "1");
    let events = h.until_idle().await;
    let cause = events.iter().find_map(|e| match &e.kind {
        switchyard_core::EventKind::Hangup { cause } => Some(cause.fs_name()),
        _ => None,
    });
    assert_eq!(cause, Some("ALLOTTED_TIMEOUT"));
}

#[tokio::test]
async fn exceptions_go_to_e_with_their_reason_and_origin() {
    let conf = "
[c]
exten => 1,1,RaiseException(CUSTOM)
exten => 2,1,Goto(c,77,1)
exten => 3,1,WaitExten(0.01)
exten => e,1,Set(DB(r/${EXCEPTION(reason)})=${EXCEPTION(exten)},${EXCEPTION(priority)})
";
    let cases = [("1", "CUSTOM", "1,1"), ("2", "INVALID", "77,1"), ("3", "RESPONSETIMEOUT", "3,1")];
    for (exten, key, want) in cases {
        let h = run(conf, "null/x", "c", exten).await;
        assert_eq!(r(&h, key), want, "exten {exten}");
    }
}

#[tokio::test]
async fn changing_the_caller_id_announces_it_once() {
    let conf = "
[c]
exten => 1,1,Set(CALLERID(num)=200)
same => n,Set(CALLERID(num)=200)
same => n,Set(CALLERID(name)=Bob)
";
    let mut h = harness(conf);
    h.call("null/x", "c", "1");
    let events = h.until_idle().await;
    let changes: Vec<(String, String)> = events
        .iter()
        .filter(|e| matches!(e.kind, switchyard_core::EventKind::CallerIdChange))
        .map(|e| {
            let c = &e.channel.as_ref().unwrap().caller;
            (c.number.as_str().to_owned(), c.name.as_str().to_owned())
        })
        .collect();
    let (first, second) = (&changes[0], &changes[1]);
    assert_eq!((changes.len(), first.0.as_str(), second.1.as_str()), (2, "200", "Bob"));
}

#[tokio::test]
async fn a_reload_is_announced_with_its_status() {
    let mut h = harness("[c]\nexten => 1,1,NoOp\n");
    h.engine.reload().unwrap();
    let e = h.next_event().await;
    let switchyard_core::EventKind::Reload { module, status } = &e.kind else { panic!("{:?}", e.kind) };
    assert_eq!((module.as_str(), *status), ("pbx_config.so", 0));
}

#[tokio::test]
async fn time_functions_use_the_named_zone_or_the_machines() {
    let conf = "
[c]
exten => 1,1,Set(DB(r/kolkata)=${STRFTIME(0,Asia/Kolkata,%H:%M %Z)})
same => n,Set(DB(r/utc)=${STRFTIME(0,UTC,%H:%M %Z)})
same => n,Set(DB(r/iftime)=${IFTIME(05:00-06:00,thu,1,jan,Asia/Kolkata?no:yes)})
same => n,GotoIfTime(*,*,*,*,Pacific/Kiritimati?here)
same => n,Set(DB(r/goto)=missed)
same => n(here),Set(DB(r/goto)=taken)
";
    let h = run(conf, "null/x", "c", "1").await;
    assert_eq!(r(&h, "kolkata"), "05:30 IST");
    assert_eq!(r(&h, "utc"), "00:00 UTC");
    assert_eq!(r(&h, "iftime"), "yes", "now is not 1970");
    assert_eq!(r(&h, "goto"), "taken");
}

#[tokio::test]
async fn a_name_set_with_or_without_inheritance_prefixes_replaces_its_other_spellings() {
    let conf = r#"
[c]
exten => 100,1,Set(PLAIN=1)
same => n,Set(DB(r/plain)=${PLAIN})
same => n,Set(__V=deep)
same => n,Set(DB(r/deep)=${V})
same => n,Set(V=plain)
same => n,Set(DB(r/after)=${V}|${__V}|${_V})
same => n,Set(_W=once)
same => n,Set(DB(r/once)=${W})
same => n,Set(__W=twice)
same => n,Set(DB(r/twice)=${_W}|${__W}|${W})
"#;
    let h = run(conf, "null/x", "c", "100").await;
    assert_eq!(r(&h, "plain"), "1");
    assert_eq!(r(&h, "deep"), "deep");
    assert_eq!(r(&h, "after"), "plain|plain|plain");
    assert_eq!(r(&h, "once"), "once");
    assert_eq!(r(&h, "twice"), "twice|twice|twice");
}

#[tokio::test]
async fn setting_a_variable_to_its_value_publishes_var_set_with_the_snapshot_unchanged() {
    let conf = "
[c]
exten => 1,1,Set(X=1)
same => n,Set(X=1)
same => n,Set(X=2)
";
    let mut h = harness(conf);
    h.call("null/caller", "c", "1");
    let events = h.until_idle().await;
    let sets: Vec<_> = events
        .iter()
        .enumerate()
        .filter(|(_, e)| matches!(&e.kind, switchyard_core::EventKind::VarSet { name, .. } if name == "X"))
        .collect();
    let values: Vec<_> = sets.iter().map(|(_, e)| e.channel.as_ref().unwrap().variables.get("X")).collect();
    assert_eq!(values, [Some("1"), Some("1"), Some("2")], "every Set publishes its VarSet");
    // The second Set changed nothing: its event shares the snapshot of the event before it
    // (Execute), where the first Set's change made a new one.
    let same_as_before = |i: usize| {
        let (now, before) = (events[i].channel.as_ref().unwrap(), events[i - 1].channel.as_ref().unwrap());
        std::sync::Arc::ptr_eq(now, before)
    };
    assert_eq!([sets[0].0, sets[1].0, sets[2].0].map(same_as_before), [false, true, false]);
}
