//! Samples the host's idle CPU from /proc/stat for FreeSWITCH's `status` line.

use std::time::Duration;

use switchyard_core::Switch;

/// (idle, total) jiffies from the first line of /proc/stat.
fn read_cpu_times() -> Option<(u64, u64)> {
    let stat = std::fs::read_to_string("/proc/stat").ok()?;
    let fields: Vec<u64> = stat.lines().next()?.split_whitespace().skip(1).filter_map(|f| f.parse().ok()).collect();
    let idle = fields.get(3)? + fields.get(4).copied().unwrap_or(0);
    Some((idle, fields.iter().sum()))
}

/// Every five seconds, records the idle percentage over the last interval.
pub async fn sample_idle_cpu(switch: Switch) {
    let mut last = read_cpu_times();
    loop {
        tokio::time::sleep(Duration::from_secs(5)).await;
        let now = read_cpu_times();
        if let (Some((i0, t0)), Some((i1, t1))) = (last, now)
            && t1 > t0
        {
            switch.set_idle_cpu((i1 - i0) as f64 * 100.0 / (t1 - t0) as f64);
        }
        last = now;
    }
}
