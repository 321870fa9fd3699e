//! Commands run against a real switch with sim channels.

use std::sync::Arc;
use std::time::Duration;

use crate::bus::{BusConfig, BusItem};
use crate::clock::SystemClock;
use crate::event::EventKind;
use crate::switch::{Switch, SwitchConfig, SwitchInfo};

pub(crate) fn test_switch() -> Switch {
    Switch::new(SwitchConfig {
        info: SwitchInfo {
            version: "0.1.0".into(),
            hostname: "testhost".into(),
            core_uuid: "00000000-0000-4000-8000-000000000000".into(),
            max_channels: 0,
        },
        bus: BusConfig::default(),
        clock: Arc::new(SystemClock),
    })
}

async fn run(sw: &Switch, line: &str) -> String {
    sw.commands().execute(sw, line).await.expect("known command").text
}

/// Waits (on the bus) until `n` channels have been answered.
async fn wait_for_answers(sub: &mut crate::bus::Subscription, n: usize) {
    let mut seen = 0;
    while seen < n {
        if let BusItem::Event(e) = sub.recv().await
            && matches!(e.kind, EventKind::ChannelAnswer)
        {
            seen += 1;
        }
    }
}

#[tokio::test]
async fn an_empty_switch_lists_no_channels_in_both_formats() {
    let sw = test_switch();
    let out = run(&sw, "core show channels").await;
    let header = format!("{:<64} {:<32} {:<7} {:<30}\n", "Channel", "Location", "State", "Application(Data)");
    assert_eq!(out, format!("{header}0 active channels\n0 active calls\n0 calls processed\n"));
    assert_eq!(run(&sw, "show channels").await, "\n0 total.\n");
    assert_eq!(run(&sw, "show channels as json").await, "{\"row_count\": 0}\n");
}

#[tokio::test]
async fn originated_sim_calls_are_listed_by_both_commands() {
    let sw = test_switch();
    let mut sub = sw.bus().subscribe("test");
    assert_eq!(run(&sw, "channel originate sim/alice application Wait 30").await, "");
    assert_eq!(run(&sw, "channel originate sim/bob application Wait 30").await, "");
    wait_for_answers(&mut sub, 2).await;
    let out = run(&sw, "core show channels").await;
    assert!(out.contains("sim/alice-00000001"), "{out}");
    assert!(out.contains("Up      Wait(30)"), "{out}");
    assert!(out.ends_with("2 active channels\n2 active calls\n2 calls processed\n"), "{out}");
    let concise = run(&sw, "core show channels concise").await;
    assert_eq!(concise.lines().count(), 2);
    assert!(concise.starts_with("sim/alice-00000001!!!0!Up!Wait!30!!!!3!"), "{concise}");
    let fs = run(&sw, "show channels").await;
    assert!(fs.starts_with("uuid,direction,created,"), "{fs}");
    assert!(fs.contains(",outbound,") && fs.contains(",sim/bob-00000002,CS_EXECUTE,"), "{fs}");
    assert!(fs.ends_with("\n\n2 total.\n"), "{fs}");
    let json: serde_json::Value = serde_json::from_str(&run(&sw, "show channels as json").await).unwrap();
    assert_eq!(json["row_count"], 2);
    assert_eq!(json["rows"][0]["callstate"], "ACTIVE");
}

#[tokio::test]
async fn channel_request_hangup_ends_the_call_with_a_hangup_event() {
    let sw = test_switch();
    let mut sub = sw.bus().subscribe("test");
    run(&sw, "channel originate sim/carol application Wait 30").await;
    wait_for_answers(&mut sub, 1).await;
    let out = run(&sw, "channel request hangup sim/carol-00000001").await;
    assert_eq!(out, "Requested Hangup on channel 'sim/carol-00000001'\n");
    loop {
        if let BusItem::Event(e) = sub.recv().await
            && let EventKind::Hangup { cause } = e.kind
        {
            assert_eq!(cause.fs_name(), "NORMAL_CLEARING");
            break;
        }
    }
    assert_eq!(run(&sw, "channel request hangup sim/nobody").await, "sim/nobody is not a known channel\n");
}

#[tokio::test]
async fn bad_dial_strings_are_reported_by_channel_originate() {
    let sw = test_switch();
    let out = run(&sw, "channel originate sim/x?colour=red application Wait 1").await;
    assert!(out.contains("unknown option 'colour'"), "{out}");
    let out = run(&sw, "channel originate warp/x application Wait 1").await;
    assert!(out.contains("unknown channel technology 'warp'"), "{out}");
    assert_eq!(run(&sw, "originate warp/x &park").await, "-ERR CHAN_NOT_IMPLEMENTED\n");
}

#[tokio::test(start_paused = true)]
async fn freeswitch_originate_reports_the_cause_of_failure() {
    let sw = test_switch();
    assert_eq!(run(&sw, "originate sim/x?busy &park").await, "-ERR USER_BUSY\n");
    assert_eq!(run(&sw, "originate sim/x?noanswer &park XML default n n 2").await, "-ERR NO_ANSWER\n");
    let ok = run(&sw, "originate sim/x &park").await;
    assert!(ok.starts_with("+OK ") && ok.len() == 41, "{ok}");
}

#[tokio::test]
async fn unknown_commands_are_errors_in_both_wordings() {
    let sw = test_switch();
    let err = sw.commands().execute(&sw, "frobnicate now").await.unwrap_err();
    assert_eq!(
        err.to_string(),
        "No such command 'frobnicate now' (type 'core show help frobnicate now' for other possible commands)"
    );
    assert_eq!(err.freeswitch_text(), "-ERR frobnicate Command not found!\n");
}

#[tokio::test]
async fn status_reports_sessions_in_freeswitch_format() {
    let sw = test_switch();
    let out = run(&sw, "status").await;
    let lines: Vec<&str> = out.lines().collect();
    assert!(lines[0].starts_with("UP 0 years, 0 days, 0 hours, 0 minutes, "), "{out}");
    assert!(lines[1].starts_with("FreeSWITCH (Version 1.11.1-switchyard-0.1.0  64bit) is ready"));
    assert_eq!(lines[2], "0 session(s) since startup");
    assert_eq!(lines[3], "0 session(s) - peak 0, last 5min 0 ");
    assert_eq!(lines.len(), 8);
}

#[tokio::test]
async fn uptime_and_help_follow_asterisk() {
    let sw = test_switch();
    assert_eq!(run(&sw, "core show uptime seconds").await, "System uptime: 0\nLast reload: 0\n");
    let help = run(&sw, "core show help core show").await;
    assert!(help.contains("core show channels             -- Display information on channels\n"), "{help}");
    assert_eq!(run(&sw, "core show help nothing here").await, "No such command 'nothing here'.\n");
    assert_eq!(super::asterisk_core::uptime_line("x: ", 3661, false), "x: 1 hour, 1 minute, 1 second\n");
    assert_eq!(super::asterisk_core::uptime_line("x: ", 60, false), "x: 60 seconds\n");
}

#[tokio::test(start_paused = true)]
async fn shutdown_hangs_up_every_channel_with_system_shutdown() {
    let sw = test_switch();
    let mut sub = sw.bus().subscribe("test");
    run(&sw, "channel originate sim/a application Wait 100").await;
    wait_for_answers(&mut sub, 1).await;
    assert_eq!(sw.shutdown(Duration::from_secs(5)).await, 0);
    let mut cause = None;
    while let Some(item) = sub.try_recv() {
        if let BusItem::Event(e) = item
            && let EventKind::Hangup { cause: c } = e.kind
        {
            cause = Some(c);
        }
    }
    assert_eq!(cause.map(|c| c.fs_name()), Some("SYSTEM_SHUTDOWN"));
    assert!(run(&sw, "originate sim/b &park").await.starts_with("-ERR SYSTEM_SHUTDOWN"));
}

async fn next_matching(
    sub: &mut crate::bus::Subscription,
    pred: impl Fn(&crate::event::Event) -> bool,
) -> crate::event::Event {
    loop {
        if let BusItem::Event(e) = sub.recv().await
            && pred(&e)
        {
            return e;
        }
    }
}

#[tokio::test]
async fn uuid_bridge_joins_two_channels_and_hangup_releases_the_peer() {
    let sw = test_switch();
    let a = run(&sw, "originate {hangup_after_bridge=true}sim/a &park").await;
    let b = run(&sw, "originate sim/b &park").await;
    let (a, b) = (a.trim().trim_start_matches("+OK "), b.trim().trim_start_matches("+OK "));
    let mut sub = sw.bus().subscribe("test");
    assert_eq!(run(&sw, &format!("uuid_bridge {a} {b}")).await, format!("+OK {b}\n"));
    for _ in 0..2 {
        let e = next_matching(&mut sub, |e| matches!(e.kind, EventKind::Bridge { .. })).await;
        let EventKind::Bridge { other, .. } = &e.kind else { unreachable!() };
        let me = e.channel.as_ref().unwrap();
        assert_ne!(me.id, other.id);
        assert_eq!(me.state.phase(), crate::state::Phase::ExchangeMedia);
    }
    let concise = run(&sw, "core show channels concise").await;
    let bridge_ids: Vec<&str> = concise.lines().map(|l| l.split('!').nth(12).unwrap()).collect();
    assert!(bridge_ids[0].len() == 36 && bridge_ids[0] == bridge_ids[1], "{concise}");
    assert_eq!(run(&sw, &format!("uuid_kill {b}")).await, "+OK\n");
    // a has hangup_after_bridge=true: it leaves the bridge and hangs up too.
    let e = next_matching(&mut sub, |e| {
        matches!(e.kind, EventKind::Hangup { .. }) && e.channel.as_ref().unwrap().id.to_string() == a
    })
    .await;
    assert!(e.channel.as_ref().unwrap().bridge_id.is_none());
    assert_eq!(run(&sw, &format!("uuid_bridge {a} {a}")).await, "-ERR Invalid uuid\n");
}
