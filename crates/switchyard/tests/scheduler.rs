//! End to end: scheduled tasks through the real binary — `sched_hangup` on a sim call, and 1,000
//! pending `sched_api` tasks surviving `kill -9` and firing after the restart.

mod common;

use std::time::{Duration, Instant};

use common::{restart_in, start};

/// Polls a console command until `done` holds (bounded): the observable state is the event here.
fn wait_for(sw: &common::Running, command: &str, done: impl Fn(&str) -> bool) -> String {
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let out = sw.cli_text(command);
        if done(&out) || Instant::now() > deadline {
            return out;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
}

#[test]
fn sched_hangup_from_the_cli_ends_the_call_and_show_tasks_agrees() {
    let sw = start("");
    let uuid = sw.cli_text("originate sim/alice &park").trim().strip_prefix("+OK ").unwrap().to_owned();
    let reply = sw.cli_text(&format!("sched_hangup +1 {uuid}"));
    let id = reply.trim().strip_prefix("+OK ").expect("+OK <id>").to_owned();
    let tasks = sw.cli_text("show tasks");
    assert!(tasks.contains(&format!("{id},switch_ivr_schedule_hangup,{uuid},")), "{tasks}");
    assert_eq!(sw.cli_text(&format!("uuid_getvar {uuid} last_sched_id")).trim(), id);
    let channels = wait_for(&sw, "show channels count", |o| o == "\n0 total.\n");
    assert_eq!(channels, "\n0 total.\n");
    assert_eq!(sw.cli_text("show tasks"), "\n0 total.\n");
    sw.terminate();
}

#[test]
fn a_thousand_pending_tasks_survive_kill_9_and_fire_after_restart() {
    let sw = start("");
    let lines: Vec<String> = (0..1000).map(|_| "sched_api +8 bulk global_setvar fired=yes".to_owned()).collect();
    let out = sw.cli_batch(&lines);
    assert_eq!(out.matches("+OK Added: ").count(), 1000, "{out}");
    let dir = sw.kill9();
    let sw = restart_in(dir);
    let tasks = sw.cli_text("show tasks");
    assert!(tasks.ends_with("\n\n1000 total.\n"), "{}", &tasks[tasks.len().saturating_sub(200)..]);
    let after = wait_for(&sw, "show tasks", |o| o == "\n0 total.\n");
    assert_eq!(after, "\n0 total.\n");
    assert_eq!(sw.cli_text("sched_del bulk"), "+OK Deleted: 0\n");
    sw.terminate();
}
