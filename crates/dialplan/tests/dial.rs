//! Dial to sim/, null/ and Local/: statuses, U() on the answered leg, g, variable inheritance.
//! They run on tokio's paused clock: the sim channels' timings (answer, DTMF, hangup after) are
//! exact whatever the machine's load, and the waits take no real time.

mod support;

use support::harness;

async fn run(conf: &str) -> support::Harness {
    let mut h = harness(conf);
    h.call("null/caller", "c", "1");
    h.until_idle().await;
    h
}

fn r(h: &support::Harness, key: &str) -> String {
    h.db("r", key).unwrap_or_else(|| "<unset>".into())
}

#[tokio::test(start_paused = true)]
async fn failed_dials_set_dialstatus_and_continue() {
    let conf = "
[c]
exten => 1,1,Dial(sim/a?busy)
same => n,Set(DB(r/busy)=${DIALSTATUS})
same => n,Dial(sim/a?congestion)
same => n,Set(DB(r/congestion)=${DIALSTATUS})
same => n,Dial(sim/a?noanswer,0.05)
same => n,Set(DB(r/noanswer)=${DIALSTATUS})
same => n,Dial(sim/a?unavailable)
same => n,Set(DB(r/unavail)=${DIALSTATUS})
same => n,Dial(nosuch/a)
same => n,Set(DB(r/notech)=${DIALSTATUS}|${DIALEDTIME})
same => n,Dial(sim/a?busy&sim/b?noanswer,0.05)
same => n,Set(DB(r/two)=${DIALSTATUS})
";
    let h = run(conf).await;
    assert_eq!(r(&h, "busy"), "BUSY");
    assert_eq!(r(&h, "congestion"), "CONGESTION");
    assert_eq!(r(&h, "noanswer"), "NOANSWER");
    assert_eq!(r(&h, "unavail"), "CHANUNAVAIL");
    assert_eq!(r(&h, "notech"), "CHANUNAVAIL|0");
    assert_eq!(r(&h, "two"), "BUSY");
}

#[tokio::test(start_paused = true)]
async fn an_answered_dial_runs_u_on_the_callee_bridges_and_continues_with_g() {
    let conf = "
[c]
exten => 1,1,Set(__INHERIT=yes)
same => n,Dial(sim/op?hangup=50ms,5,gU(on-answer^${CALLERID(num)}^op))
same => n,Set(DB(r/after)=${DIALSTATUS}|${ANSWEREDTIME}|${DIALEDPEERNAME})
[on-answer]
exten => s,1,Set(DB(r/sub)=${ARG1}|${ARG2}|${INHERIT}|${CALLERID(num)})
same => n,Set(CHANNEL(hangup_handler_push)=callee-hangup,s,1(${ARG2}))
same => n,Return()
[callee-hangup]
exten => s,1,Set(DB(r/callee-handler)=${ARG1})
same => n,Return()
";
    let h = run(conf).await;
    assert_eq!(r(&h, "sub"), "5551000|op|yes|5551000");
    assert_eq!(r(&h, "callee-handler"), "op");
    assert_eq!(r(&h, "after"), "ANSWER|0|sim/op-00000002");
}

#[tokio::test(start_paused = true)]
async fn without_g_the_caller_hangs_up_when_the_callee_does() {
    let conf = "
[c]
exten => 1,1,Dial(null/op,5,L(50))
same => n,Set(DB(r/limit)=${DIALSTATUS})
same => n,Dial(sim/op?hangup=20ms)
same => n,Set(DB(r/not-reached)=1)
exten => h,1,Set(DB(r/h)=${DIALSTATUS})
";
    let h = run(conf).await;
    assert_eq!(r(&h, "limit"), "ANSWER");
    assert_eq!(r(&h, "not-reached"), "<unset>");
    assert_eq!(r(&h, "h"), "ANSWER");
}

#[tokio::test(start_paused = true)]
async fn local_channels_run_the_dialplan_on_their_second_leg_and_inherit_variables() {
    let conf = "
[c]
exten => 1,1,Set(__INH=deep)
same => n,Set(_ONE=once)
same => n,Set(PLAIN=no)
same => n,Dial(Local/200@far/n,5,g)
same => n,Set(DB(r/after)=${DIALSTATUS}|${DIALEDPEERNAME})
[far]
exten => 200,1,Answer()
same => n,Set(DB(r/leg2)=${CHANNEL(name)}|${INH}|${ONE}|${PLAIN}|${CALLERID(num)})
same => n,Set(CHANNEL(hangup_handler_push)=bye,s,1)
same => n,Hangup()
[bye]
exten => s,1,Set(DB(r/bye)=${CHANNEL(name)})
same => n,Return()
";
    let h = run(conf).await;
    assert_eq!(r(&h, "leg2"), "Local/200@far-00000002;2|deep|once||5551000");
    assert_eq!(r(&h, "bye"), "Local/200@far-00000002;2");
    assert_eq!(r(&h, "after"), "ANSWER|Local/200@far-00000002;1");
}

#[tokio::test(start_paused = true)]
async fn a_caller_hanging_up_while_dialing_cancels_the_callee() {
    let conf = "
[c]
exten => 1,1,Dial(sim/callee?noanswer,10)
exten => h,1,Set(DB(r/h)=${DIALSTATUS})
";
    let mut h = harness(conf);
    h.call("sim/caller?hangup=50ms", "c", "1");
    h.until_idle().await;
    assert_eq!(r(&h, "h"), "CANCEL");
}

#[tokio::test(start_paused = true)]
async fn a_busy_local_leg_makes_the_dial_busy() {
    let conf = "
[c]
exten => 1,1,Dial(Local/300@far)
same => n,Set(DB(r/status)=${DIALSTATUS})
[far]
exten => 300,1,Busy()
";
    let h = run(conf).await;
    assert_eq!(r(&h, "status"), "BUSY");
}

#[tokio::test(start_paused = true)]
async fn dtmf_sent_on_the_first_local_leg_is_read_on_the_second() {
    let conf = "
[c]
exten => 1,1,Dial(Local/400@far,5,gU(press))
[press]
exten => s,1,SendDTMF(42#,10)
same => n,Return()
[far]
exten => 400,1,Answer()
same => n,Read(PIN,,,,,2)
same => n,Set(DB(r/pin)=${PIN}|${READSTATUS})
";
    let h = run(conf).await;
    assert_eq!(r(&h, "pin"), "42|OK");
}

#[tokio::test(start_paused = true)]
async fn dial_announces_each_callee_with_dial_begin_and_dial_end() {
    let conf = "
[c]
exten => 1,1,Dial(sim/a?busy&sim/b?ring=50ms,5,L(100))
";
    let mut h = harness(conf);
    let caller = h.call("null/caller", "c", "1");
    let events = h.until_idle().await;
    let dials: Vec<String> = events
        .iter()
        .filter(|e| e.channel.as_ref().is_some_and(|c| c.id == caller))
        .filter_map(|e| match &e.kind {
            switchyard_core::EventKind::DialBegin { dest, dialstring } => {
                Some(format!("begin {} {dialstring}", dest.tech))
            }
            switchyard_core::EventKind::DialEnd { dest, status } => Some(format!("end {} {status}", dest.name)),
            _ => None,
        })
        .collect();
    assert_eq!(dials.len(), 4, "{dials:?}");
    assert_eq!(&dials[..2], ["begin sim a?busy", "begin sim b?ring=50ms"]);
    assert!(dials[2].starts_with("end sim/a-") && dials[2].ends_with(" BUSY"), "{dials:?}");
    assert!(dials[3].starts_with("end sim/b-") && dials[3].ends_with(" ANSWER"), "{dials:?}");
}

/// (main channel name, event) pairs for ringing: line-state changes to Ringing and `DialState`.
fn ringing_trace(events: &[switchyard_core::Event]) -> Vec<String> {
    use switchyard_core::{EventKind, LineState};
    let name = |e: &switchyard_core::Event| e.channel.as_ref().map_or("-".to_owned(), |c| c.name.as_str().to_owned());
    events
        .iter()
        .filter_map(|e| match &e.kind {
            EventKind::ChannelState { previous }
                if e.channel.as_ref()?.state.line() == LineState::Ringing && previous.line() != LineState::Ringing =>
            {
                Some(format!("{} Ringing", name(e)))
            }
            EventKind::DialState { dest, status } => Some(format!("{} DialState {} {status}", name(e), dest.name)),
            _ => None,
        })
        .collect()
}

#[tokio::test(start_paused = true)]
async fn a_ringing_callee_rings_the_caller_across_local_legs() {
    let conf = "
[c]
exten => 1,1,Dial(Local/2@c,5)
exten => 2,1,Dial(sim/op?ring=30ms,5,L(50))
";
    let mut h = harness(conf);
    h.call("null/caller", "c", "1");
    let events = h.until_idle().await;
    assert_eq!(
        ringing_trace(&events),
        [
            "sim/op-00000003 Ringing",
            "Local/2@c-00000002;2 DialState sim/op-00000003 RINGING",
            "Local/2@c-00000002;1 Ringing",
            "null/caller-00000001 DialState Local/2@c-00000002;1 RINGING",
        ],
        "the answered caller stays up; ;2 keeps its state and rings ;1"
    );
}

#[tokio::test(start_paused = true)]
async fn ringing_in_a_local_leg_rings_its_first_leg() {
    let conf = "
[c]
exten => 1,1,Dial(Local/2@c,5)
exten => 2,1,Ringing()
same => n,Wait(0.03)
same => n,Busy()
";
    let mut h = harness(conf);
    h.call("null/caller", "c", "1");
    let events = h.until_idle().await;
    assert_eq!(
        ringing_trace(&events),
        ["Local/2@c-00000002;1 Ringing", "null/caller-00000001 DialState Local/2@c-00000002;1 RINGING"]
    );
}

/// Values of `VarSet` events for `name`.
fn var_sets(events: &[switchyard_core::Event], name: &str) -> Vec<String> {
    events
        .iter()
        .filter_map(|e| match &e.kind {
            switchyard_core::EventKind::VarSet { name: n, value } if n == name => Some(value.as_str().to_owned()),
            _ => None,
        })
        .collect()
}

#[tokio::test(start_paused = true)]
async fn a_time_limit_warns_y_before_the_end_then_every_z_and_ends_the_call() {
    let conf = "
[c]
exten => 1,1,Dial(null/op,5,L(300:200:50))
same => n,Set(DB(r/after)=${DIALSTATUS})
";
    let mut h = harness(conf);
    h.call("null/caller", "c", "1");
    let events = h.until_idle().await;
    assert_eq!(r(&h, "after"), "ANSWER");
    let warnings = var_sets(&events, "LIMIT_WARNING_LEFT_MS");
    assert_eq!(warnings.len(), 4, "at 200, 150, 100 and 50 ms left: {warnings:?}");
    let left: Vec<u64> = warnings.iter().map(|w| w.parse().unwrap()).collect();
    assert!(left.windows(2).all(|w| w[0] >= w[1]) && left[0] <= 200, "{left:?}");
}

#[tokio::test(start_paused = true)]
async fn with_t_upper_the_caller_blind_transfers_the_callee_with_hash_and_digits() {
    let conf = "
[c]
exten => 1,1,Dial(Local/op@c,5,T)
same => n,Set(DB(r/not-reached)=1)
exten => h,1,ExecIf($[${LEN(${BLINDTRANSFER})} > 0]?Set(DB(r/caller-h)=${BLINDTRANSFER}))
exten => op,1,Answer()
same => n,Wait(5)
exten => 42,1,Set(DB(r/transferred)=${CHANNEL})
";
    let mut h = harness(conf);
    h.call("sim/caller?dtmf=#42&dtmf_delay=100ms&dtmf_gap=10ms", "c", "1");
    h.until_idle().await;
    assert_eq!(r(&h, "not-reached"), "<unset>");
    assert_eq!(r(&h, "caller-h"), "Local/op@c-00000002;1");
    assert_eq!(r(&h, "transferred"), "Local/op@c-00000002;1");
}

#[tokio::test(start_paused = true)]
async fn with_t_the_callee_blind_transfers_the_caller_in_the_callers_context() {
    let conf = "
[c]
exten => 1,1,Dial(Local/op@d,5,t)
same => n,Set(DB(r/not-reached)=1)
exten => 42,1,Set(DB(r/transferred)=${CHANNEL})
[d]
exten => op,1,Answer()
same => n,Wait(0.05)
same => n,SendDTMF(#42)
same => n,Wait(5)
";
    let mut h = harness(conf);
    h.call("null/caller", "c", "1");
    h.until_idle().await;
    assert_eq!(r(&h, "not-reached"), "<unset>");
    assert_eq!(r(&h, "transferred"), "null/caller-00000001");
}

#[tokio::test(start_paused = true)]
async fn without_t_a_hash_is_just_a_digit() {
    let conf = "
[c]
exten => 1,1,Dial(Local/op@d,5,g)
same => n,Set(DB(r/after)=${DIALSTATUS})
exten => 42,1,Set(DB(r/transferred)=${CHANNEL})
[d]
exten => op,1,Answer()
same => n,SendDTMF(#42)
same => n,Wait(0.1)
";
    let h = run(conf).await;
    assert_eq!(r(&h, "after"), "ANSWER");
    assert_eq!(r(&h, "transferred"), "<unset>");
}

#[tokio::test(start_paused = true)]
async fn both_local_legs_exist_before_dial_begin_and_the_second_runs_after_local_bridge() {
    let conf = "
[c]
exten => 1,1,Dial(Local/2@c,5)
exten => 2,1,Answer()
";
    let mut h = harness(conf);
    h.call("null/caller", "c", "1");
    let events = h.until_idle().await;
    let at = |pred: &dyn Fn(&switchyard_core::Event) -> bool| events.iter().position(pred).unwrap();
    let named = |e: &switchyard_core::Event, suffix: &str| e.channel.as_ref().is_some_and(|c| c.name.ends_with(suffix));
    let one = at(&|e| matches!(e.kind, switchyard_core::EventKind::ChannelCreate) && named(e, ";1"));
    let two = at(&|e| matches!(e.kind, switchyard_core::EventKind::ChannelCreate) && named(e, ";2"));
    let begin =
        at(&|e| matches!(&e.kind, switchyard_core::EventKind::DialBegin { dest, .. } if dest.name.ends_with(";1")));
    let bridge = at(&|e| matches!(e.kind, switchyard_core::EventKind::LocalBridge { .. }));
    let runs = at(&|e| matches!(e.kind, switchyard_core::EventKind::Execute { .. }) && named(e, ";2"));
    assert!(one < two && two < begin, "Newchannel ;1, ;2, then DialBegin (app_dial's order)");
    assert!(bridge < runs, ";2's dialplan starts once ;1 is dialed");
}
