//! End to end: the real `switchyard` binary started on a config, driven with `switchyard cli -x`
//! while sim calls are up, scraped for metrics, and stopped with SIGTERM.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};

const BIN: &str = env!("CARGO_BIN_EXE_switchyard");

struct Running {
    child: Child,
    config: PathBuf,
    stdout_lines: Vec<String>,
    _dir: tempfile::TempDir,
}

fn write_config(dir: &Path, extra: &str) -> PathBuf {
    let path = dir.join("switchyard.toml");
    let text =
        format!("[general]\ndata_dir = \"data\"\n\n[metrics]\nenabled = true\nlisten = \"127.0.0.1:0\"\n{extra}");
    std::fs::write(&path, text).unwrap();
    path
}

/// Starts the switch and reads its banner up to the last line, which is printed once it serves.
fn start(extra: &str) -> Running {
    let dir = tempfile::tempdir().unwrap();
    let config = write_config(dir.path(), extra);
    let mut child = Command::new(BIN)
        .args(["run", "--config"])
        .arg(&config)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdout_lines = Vec::new();
    let mut reader = BufReader::new(child.stdout.take().unwrap());
    loop {
        let mut line = String::new();
        assert!(reader.read_line(&mut line).unwrap() > 0, "switch exited early: {stdout_lines:?}");
        stdout_lines.push(line.trim_end().to_owned());
        if line.starts_with("Stop with Ctrl-C") {
            break;
        }
    }
    Running { child, config, stdout_lines, _dir: dir }
}

impl Running {
    fn cli(&self, command: &str) -> Output {
        Command::new(BIN).args(["cli", "--config"]).arg(&self.config).args(["-x", command]).output().unwrap()
    }

    fn cli_text(&self, command: &str) -> String {
        String::from_utf8(self.cli(command).stdout).unwrap()
    }

    fn metrics_addr(&self) -> String {
        let line = self.stdout_lines.iter().find(|l| l.contains("metrics:")).expect("metrics line");
        line.split("http://").nth(1).unwrap().trim_end_matches("/metrics").to_owned()
    }

    fn data_dir(&self) -> PathBuf {
        self.config.parent().unwrap().join("data")
    }

    /// Sends SIGTERM and returns (exit success, stderr).
    fn terminate(mut self) -> (bool, String) {
        let pid = self.child.id().to_string();
        assert!(Command::new("kill").args(["-TERM", &pid]).status().unwrap().success());
        let status = self.child.wait().unwrap();
        let mut err = String::new();
        self.child.stderr.take().unwrap().read_to_string(&mut err).unwrap();
        (status.success(), err)
    }
}

fn http_get(addr: &str, path: &str) -> String {
    let mut s = TcpStream::connect(addr).unwrap();
    write!(s, "GET {path} HTTP/1.1\r\nHost: x\r\n\r\n").unwrap();
    let mut out = String::new();
    s.read_to_string(&mut out).unwrap();
    out
}

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
