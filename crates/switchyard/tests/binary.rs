//! End to end: the real `switchyard` binary started on a config, driven with `switchyard cli -x`
//! while sim calls are up, scraped for metrics, and stopped with SIGTERM.

mod common;

use std::os::unix::fs::PermissionsExt;
use std::process::Command;

use common::{BIN, http_get, start};

#[test]
fn sim_calls_are_listed_by_the_cli_and_end_on_sigterm() {
    let sw = start("");
    for name in ["alice", "bob"] {
        let out = sw.cli_text(&format!("originate sim/{name}?ring=50ms &park"));
        assert!(out.starts_with("+OK "), "{out}");
    }
    let ast = sw.cli_text("core show channels");
    assert!(ast.contains("sim/alice-00000001") && ast.contains("sim/bob-00000002"), "{ast}");
    assert!(ast.ends_with("2 active channels\n2 active calls\n2 calls processed\n"), "{ast}");
    let fs = sw.cli_text("show channels");
    assert!(fs.contains(",sim/alice-00000001,CS_PARK,") && fs.ends_with("\n\n2 total.\n"), "{fs}");
    let metrics = http_get(&sw.metrics_addr(), "/metrics");
    assert!(metrics.starts_with("HTTP/1.1 200 OK"), "{metrics}");
    assert!(metrics.contains("\nswitchyard_channels 2\n"), "{metrics}");
    assert!(metrics.contains("switchyard_originate_total{outcome=\"answered\"} 2"), "{metrics}");
    let (ok, stderr) = sw.terminate();
    assert!(ok, "exit status not 0: {stderr}");
    assert!(stderr.contains("stopped"), "{stderr}");
}

#[test]
fn sigterm_the_moment_the_banner_is_out_is_a_clean_stop() {
    // The banner promises a clean stop on SIGTERM: the handler must be in place before it is printed
    // (before, a signal sent straight away could kill the switch without flushing its store).
    for _ in 0..5 {
        let (ok, stderr) = start("").terminate();
        assert!(ok, "exit status not 0: {stderr}");
        assert!(stderr.contains("stopped"), "{stderr}");
    }
}

#[test]
fn the_cli_reports_bad_dial_strings_and_unknown_commands() {
    let sw = start("");
    let bad = sw.cli("channel originate sim/x?colour=red application Wait 1");
    assert!(!bad.status.success());
    assert!(String::from_utf8_lossy(&bad.stdout).contains("unknown option 'colour' in dial string 'sim/x?colour=red'"));
    let unknown = sw.cli("warp speed");
    assert!(String::from_utf8_lossy(&unknown.stdout).starts_with("No such command 'warp speed'"));
    assert!(sw.cli_text("channel originate sim/x application Wait 1").is_empty());
    sw.terminate();
}

#[test]
fn generated_credentials_are_private_and_a_second_switch_is_refused() {
    let sw = start("");
    assert!(sw.stdout_lines.iter().any(|l| l.starts_with("  AMI secret:")), "{:?}", sw.stdout_lines);
    let creds = sw.data_dir().join("credentials.toml");
    assert_eq!(std::fs::metadata(&creds).unwrap().permissions().mode() & 0o777, 0o600);
    let second = Command::new(BIN).args(["run", "--config"]).arg(&sw.config).output().unwrap();
    assert!(!second.status.success());
    assert!(String::from_utf8_lossy(&second.stderr).contains("in use by another running switchyard"));
    sw.terminate();
}

#[test]
fn check_names_file_line_and_key_of_a_bad_config() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("switchyard.toml");
    std::fs::write(&path, "[general]\ndata_dir = \"d\"\n\n[ami]\nlisten = \"localhost\"\n").unwrap();
    let out = Command::new(BIN).args(["check", "--config"]).arg(&path).output().unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("switchyard.toml:5") && err.contains("ami.listen"), "{err}");
    std::fs::write(&path, "[general]\ndata_dir = \"d\"\n").unwrap();
    let out = Command::new(BIN).args(["check", "--config"]).arg(&path).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
}

#[test]
fn run_refuses_a_config_with_an_unknown_key() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("switchyard.toml");
    std::fs::write(&path, "[general]\ncolour = \"blue\"\n").unwrap();
    let out = Command::new(BIN).args(["run", "--config"]).arg(&path).output().unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("switchyard.toml:2") && err.contains("general.colour"), "{err}");
}
