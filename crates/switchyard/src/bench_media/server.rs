//! The switch under test, started as a child process (`switchyard run`) from a generated configuration
//! in a temporary directory, and the `/proc` readings the report needs (CPU ticks, memory).

use std::net::{SocketAddr, UdpSocket};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context, bail};

/// First RTP port of the switch under test (away from the ranges the e2e suites use).
const RTP_FIRST: u32 = 40_000;

/// A running switch; killed and its directory removed on drop.
pub struct ChildSwitch {
    child: Child,
    dir: PathBuf,
    /// Its SIP UDP address.
    pub sip: SocketAddr,
}

impl ChildSwitch {
    /// Starts this binary with SIP on a free loopback port and a dialplan sending extension 3000 to
    /// the called UA at `uas_port`; waits until it is up.
    pub async fn start(
        uas_port: u16,
        calls: usize,
        rtp_threads: Option<usize>,
        realtime: bool,
    ) -> anyhow::Result<ChildSwitch> {
        let dir = std::env::temp_dir().join(format!("switchyard-bench-media-{}", std::process::id()));
        std::fs::create_dir_all(&dir)?;
        let sip = UdpSocket::bind("127.0.0.1:0")?.local_addr()?;
        let last = (RTP_FIRST + 4 * calls as u32 + 400).min(65_534);
        let threads = rtp_threads.map(|n| format!("rtp_threads = {n}\n")).unwrap_or_default();
        let media = format!("[media]\nrtp_realtime = {realtime}\n{threads}");
        std::fs::write(
            dir.join("extensions.conf"),
            format!("[public]\nexten => 3000,1,Dial(SIP/bench@127.0.0.1:{uas_port})\nsame => n,Hangup()\n"),
        )?;
        std::fs::write(
            dir.join("switchyard.toml"),
            format!(
                "[general]\ndata_dir = \"data\"\n[dialplan]\nasterisk = [\"extensions.conf\"]\n[ami]\nenabled = false\n\
                 [esl]\nenabled = false\n[core]\nmax_channels = 100000\n\
                 [sip]\nlisten = [\"udp:{sip}\"]\nrtp_ports = \"{RTP_FIRST}-{last}\"\n{media}"
            ),
        )?;
        let out = std::fs::File::create(dir.join("switchyard.out"))?;
        let child = Command::new(std::env::current_exe()?)
            .args(["run", "--config", "switchyard.toml"])
            .current_dir(&dir)
            .stdout(out.try_clone()?)
            .stderr(out)
            .stdin(Stdio::null())
            .spawn()
            .context("starting the switch")?;
        let me = ChildSwitch { child, dir, sip };
        me.wait_up().await?;
        Ok(me)
    }

    async fn wait_up(&self) -> anyhow::Result<()> {
        let start = Instant::now();
        let log = self.dir.join("switchyard.out");
        while start.elapsed() < Duration::from_secs(10) {
            let text = std::fs::read_to_string(&log).unwrap_or_default();
            if text.contains("Stop with") {
                return Ok(());
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        bail!("the switch did not start: {}", std::fs::read_to_string(&log).unwrap_or_default())
    }

    /// Its process id.
    pub fn pid(&self) -> u32 {
        self.child.id()
    }
}

impl Drop for ChildSwitch {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// User + system CPU ticks (1/100 s) of a process so far.
pub fn cpu_ticks(pid: u32) -> u64 {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
    let fields: Vec<&str> = stat.rsplit_once(')').map(|(_, r)| r.split_whitespace().collect()).unwrap_or_default();
    let field = |i: usize| fields.get(i).and_then(|v| v.parse::<u64>().ok()).unwrap_or(0);
    field(11) + field(12)
}

/// Resident memory of a process in KiB.
pub fn rss_kib(pid: u32) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.split_whitespace().next()?.parse().ok())
        .unwrap_or(0)
}

/// Machine-wide (busy, total) ticks from `/proc/stat`.
pub fn system_ticks() -> (u64, u64) {
    let stat = std::fs::read_to_string("/proc/stat").unwrap_or_default();
    let cpu: Vec<u64> =
        stat.lines().next().unwrap_or_default().split_whitespace().skip(1).filter_map(|v| v.parse().ok()).collect();
    let total: u64 = cpu.iter().take(8).sum();
    let idle = cpu.get(3).copied().unwrap_or(0) + cpu.get(4).copied().unwrap_or(0);
    (total - idle, total)
}

/// Share of the machine that was busy between two readings.
pub fn busy_share(before: (u64, u64), after: (u64, u64)) -> f64 {
    (after.0 - before.0) as f64 / (after.1 - before.1).max(1) as f64
}

/// UDP datagrams the kernel dropped machine-wide because a receive buffer was full (`RcvbufErrors`).
pub fn udp_rcvbuf_errors() -> u64 {
    let snmp = std::fs::read_to_string("/proc/net/snmp").unwrap_or_default();
    let mut udp = snmp.lines().filter(|l| l.starts_with("Udp:"));
    let (Some(names), Some(values)) = (udp.next(), udp.next()) else { return 0 };
    let column = names.split_whitespace().position(|n| n == "RcvbufErrors");
    column.and_then(|i| values.split_whitespace().nth(i)?.parse().ok()).unwrap_or(0)
}

/// The 1-minute load average.
pub fn load_average() -> String {
    let text = std::fs::read_to_string("/proc/loadavg").unwrap_or_default();
    text.split_whitespace().next().unwrap_or("?").to_owned()
}

/// 4 MiB socket buffers (the kernel caps them at rmem_max/wmem_max).
pub fn grow_buffers(sock: &UdpSocket) {
    let s = socket2::SockRef::from(sock);
    let _ = s.set_recv_buffer_size(4 << 20);
    let _ = s.set_send_buffer_size(4 << 20);
}

/// How the threads of `pid` whose names start with `prefix` are scheduled, e.g. "2 × real-time RR 1":
/// each distinct policy and priority with its count (from `/proc/<pid>/task/*/stat`).
pub fn thread_scheduling(pid: u32, prefix: &str) -> String {
    let mut seen: Vec<(String, usize)> = Vec::new();
    let tasks = std::fs::read_dir(format!("/proc/{pid}/task")).into_iter().flatten().flatten();
    for task in tasks {
        let comm = std::fs::read_to_string(task.path().join("comm")).unwrap_or_default();
        if !comm.starts_with(prefix) {
            continue;
        }
        let stat = std::fs::read_to_string(task.path().join("stat")).unwrap_or_default();
        let label = scheduling_label(&stat);
        match seen.iter_mut().find(|(l, _)| *l == label) {
            Some((_, n)) => *n += 1,
            None => seen.push((label, 1)),
        }
    }
    if seen.is_empty() {
        return "none found".to_owned();
    }
    seen.iter().map(|(l, n)| format!("{n} × {l}")).collect::<Vec<_>>().join(", ")
}

/// "normal" or "real-time RR <priority>" from a `/proc/…/stat` line (fields 40 and 41: rt_priority, policy).
fn scheduling_label(stat: &str) -> String {
    let fields: Vec<&str> = stat.rsplit_once(')').map_or("", |(_, rest)| rest).split_whitespace().collect();
    // `fields[0]` is field 3 (state).
    let (prio, policy) = (fields.get(37).copied().unwrap_or("?"), fields.get(38).copied().unwrap_or("?"));
    match policy {
        "0" => "normal".to_owned(),
        "1" => format!("real-time FIFO {prio}"),
        "2" => format!("real-time RR {prio}"),
        other => format!("policy {other}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scheduling_labels_come_from_the_policy_and_priority_fields() {
        let head = "12 (media-0) S";
        let mid: String = (4..40).map(|i| format!(" {i}")).collect();
        assert_eq!(scheduling_label(&format!("{head}{mid} 1 2 0 0")), "real-time RR 1");
        assert_eq!(scheduling_label(&format!("{head}{mid} 0 0 0 0")), "normal");
    }
}
