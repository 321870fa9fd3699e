//! Shared helpers for the end-to-end tests: start the real binary on a temp config, run `cli -x`,
//! stop it with a signal.
#![allow(dead_code)]

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};

pub const BIN: &str = env!("CARGO_BIN_EXE_switchyard");

pub struct Running {
    pub child: Child,
    pub config: PathBuf,
    pub stdout_lines: Vec<String>,
    /// The temporary directory (config and data); taken by `kill9` to restart in it.
    pub dir: Option<tempfile::TempDir>,
}

/// Every listener on a free port so that tests run side by side.
const BASE_CONFIG: &str = "[general]\ndata_dir = \"data\"\n\n[metrics]\nenabled = true\nlisten = \"127.0.0.1:0\"\n\n\
                           [esl]\nlisten = \"127.0.0.1:0\"\n\n[ami]\nlisten = \"127.0.0.1:0\"\n";

pub fn write_config(dir: &Path, extra: &str) -> PathBuf {
    let path = dir.join("switchyard.toml");
    let text = format!("{BASE_CONFIG}{extra}");
    std::fs::write(&path, text).unwrap();
    path
}

/// Starts the switch and reads its banner up to the last line, which is printed once it serves.
pub fn start(extra: &str) -> Running {
    let dir = tempfile::tempdir().unwrap();
    write_config(dir.path(), extra);
    restart_in(dir)
}

impl Running {
    pub fn cli(&self, command: &str) -> Output {
        Command::new(BIN).args(["cli", "--config"]).arg(&self.config).args(["-x", command]).output().unwrap()
    }

    pub fn cli_text(&self, command: &str) -> String {
        String::from_utf8(self.cli(command).stdout).unwrap()
    }

    pub fn metrics_addr(&self) -> String {
        let line = self.stdout_lines.iter().find(|l| l.contains("metrics:")).expect("metrics line");
        line.split("http://").nth(1).unwrap().trim_end_matches("/metrics").to_owned()
    }

    pub fn data_dir(&self) -> PathBuf {
        self.config.parent().unwrap().join("data")
    }

    /// Sends SIGTERM and returns (exit success, stderr).
    pub fn terminate(mut self) -> (bool, String) {
        let pid = self.child.id().to_string();
        assert!(Command::new("kill").args(["-TERM", &pid]).status().unwrap().success());
        let status = self.child.wait().unwrap();
        let mut err = String::new();
        self.child.stderr.take().unwrap().read_to_string(&mut err).unwrap();
        (status.success(), err)
    }
}

pub fn http_get(addr: &str, path: &str) -> String {
    let mut s = TcpStream::connect(addr).unwrap();
    s.write_all(format!("GET {path} HTTP/1.1\r\nHost: x\r\n\r\n").as_bytes()).unwrap();
    let mut out = String::new();
    s.read_to_string(&mut out).unwrap();
    out
}

/// Starts the switch in `dir` (its `switchyard.toml`): first start, or again after a crash or a stop.
pub fn restart_in(dir: tempfile::TempDir) -> Running {
    start_in_under(dir, &[])
}

/// Starts the switch in `dir` through the command `wrapper` (e.g. `setpriv …`; empty: directly).
pub fn start_in_under(dir: tempfile::TempDir, wrapper: &[&str]) -> Running {
    let config = dir.path().join("switchyard.toml");
    let mut command = match wrapper.split_first() {
        Some((program, args)) => {
            let mut c = Command::new(program);
            c.args(args).arg(BIN);
            c
        }
        None => Command::new(BIN),
    };
    let mut child =
        command.args(["run", "--config"]).arg(&config).stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().unwrap();
    let stdout_lines = read_banner(&mut child);
    Running { child, config, stdout_lines, dir: Some(dir) }
}

fn read_banner(child: &mut Child) -> Vec<String> {
    let mut lines = Vec::new();
    let mut reader = BufReader::new(child.stdout.take().unwrap());
    loop {
        let mut line = String::new();
        assert!(reader.read_line(&mut line).unwrap() > 0, "switch exited early: {lines:?}");
        lines.push(line.trim_end().to_owned());
        if line.starts_with("Stop with Ctrl-C") {
            return lines;
        }
    }
}

impl Running {
    /// Kills the switch with SIGKILL and hands back its directory.
    pub fn kill9(mut self) -> tempfile::TempDir {
        self.child.kill().unwrap();
        self.child.wait().unwrap();
        self.dir.take().expect("directory still held")
    }

    /// Runs many console lines in one interactive `switchyard cli` session; returns its stdout.
    pub fn cli_batch(&self, lines: &[String]) -> String {
        let mut child = Command::new(BIN)
            .args(["cli", "--config"])
            .arg(&self.config)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .unwrap();
        let mut stdin = child.stdin.take().unwrap();
        for l in lines {
            writeln!(stdin, "{l}").unwrap();
        }
        drop(stdin);
        String::from_utf8(child.wait_with_output().unwrap().stdout).unwrap()
    }
}

/// A test that fails half-way must not leave a switch running.
impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
