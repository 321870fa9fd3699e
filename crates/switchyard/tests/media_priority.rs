//! End to end: how the real binary schedules its RTP threads. By default they run at real-time round
//! robin 1; a switch without the privilege keeps them at normal priority and says so once.

mod common;

use std::os::unix::fs::PermissionsExt;
use std::process::Command;

use common::{start_in_under, write_config};

/// Media threads the switch is configured with.
const MEDIA_THREADS: usize = 2;

/// SIP (and so the media engine) on a free port, `MEDIA_THREADS` media threads; nothing else that
/// needs a fixed port.
fn config() -> String {
    format!("\n[sip]\nlisten = [\"udp:127.0.0.1:0\"]\n[media]\nrtp_threads = {MEDIA_THREADS}\n")
}

fn is_root() -> bool {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status.lines().any(|l| l.starts_with("Uid:") && l.split_whitespace().nth(1) == Some("0"))
}

/// (rt_priority, policy) of each thread of `pid` named `media-…`, from `/proc/<pid>/task/*/stat`.
fn media_threads(pid: u32) -> Vec<(String, String)> {
    let mut found = Vec::new();
    for task in std::fs::read_dir(format!("/proc/{pid}/task")).unwrap().flatten() {
        let comm = std::fs::read_to_string(task.path().join("comm")).unwrap_or_default();
        if !comm.starts_with("media-") {
            continue;
        }
        let stat = std::fs::read_to_string(task.path().join("stat")).unwrap();
        let fields: Vec<&str> = stat.rsplit_once(')').unwrap().1.split_whitespace().collect();
        found.push((fields[37].to_owned(), fields[38].to_owned()));
    }
    found
}

/// The media threads once all of them have started and each satisfies `settled`: a worker names
/// itself and then sets its priority on its own, possibly after the banner is printed. Gives up
/// after ten seconds and returns what it saw (the assertions then say what is wrong).
fn settled_media_threads(pid: u32, settled: impl Fn(&(String, String)) -> bool) -> Vec<(String, String)> {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    loop {
        let threads = media_threads(pid);
        let done = threads.len() == MEDIA_THREADS && threads.iter().all(&settled);
        if done || std::time::Instant::now() > deadline {
            return threads;
        }
        std::thread::sleep(std::time::Duration::from_millis(5)); // poll interval, not a wait for time to pass
    }
}

fn started(wrapper: &[&str]) -> common::Running {
    let dir = tempfile::tempdir().unwrap();
    std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o777)).unwrap();
    write_config(dir.path(), &config());
    start_in_under(dir, wrapper)
}

#[test]
fn by_default_the_media_threads_run_real_time_round_robin_1() {
    if !is_root() {
        eprintln!("not root: real-time priority cannot be granted here; nothing to check");
        return;
    }
    let sw = started(&[]);
    let threads = settled_media_threads(sw.child.id(), |(prio, policy)| prio == "1" && policy == "2");
    let (ok, stderr) = sw.terminate();
    assert_eq!(threads.len(), MEDIA_THREADS, "{threads:?}");
    assert!(threads.iter().all(|(prio, policy)| prio == "1" && policy == "2"), "{threads:?}");
    assert!(ok && !stderr.contains("real-time round robin refused"), "{stderr}");
}

#[test]
fn without_the_privilege_the_media_threads_stay_normal_and_one_warning_says_why() {
    let setpriv = Command::new("setpriv").arg("--version").output().is_ok_and(|o| o.status.success());
    if !is_root() || !setpriv {
        eprintln!("needs root and setpriv to start the switch as an unprivileged user; nothing to check");
        return;
    }
    let sw = started(&["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", "--"]);
    let threads = settled_media_threads(sw.child.id(), |_| true);
    let (ok, stderr) = sw.terminate();
    assert_eq!(threads.len(), MEDIA_THREADS, "{threads:?}");
    assert!(threads.iter().all(|(_, policy)| policy == "0"), "{threads:?}");
    assert!(ok, "{stderr}");
    let warnings = stderr.lines().filter(|l| l.contains("real-time round robin refused")).count();
    assert_eq!(warnings, 1, "{stderr}");
    assert!(stderr.contains("Operation not permitted"), "{stderr}");
}
