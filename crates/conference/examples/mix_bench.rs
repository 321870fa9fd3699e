//! Mixing cost of one conference: `cargo run --release -p switchyard-conference --example mix_bench
//! [parties] [seconds]` feeds every party a 20 ms frame per tick, runs the ticks back to back (the
//! same code the 20 ms mixing task runs) and prints the CPU used per second of audio, i.e. the share
//! of one core the conference needs in real time.

use std::sync::Arc;
use std::time::Instant;

use switchyard_conference::bench::{FakePort, MixBench};

fn main() {
    let mut args = std::env::args().skip(1);
    let parties: usize = args.next().and_then(|a| a.parse().ok()).unwrap_or(50);
    let seconds: usize = args.next().and_then(|a| a.parse().ok()).unwrap_or(60);
    let ports: Vec<Arc<FakePort>> = (0..parties).map(|_| Arc::new(FakePort::default())).collect();
    let bench = MixBench::new(&ports);
    let frames: Vec<Vec<i16>> =
        (0..parties).map(|p| (0..160).map(|i| ((i * 37 + p * 11) % 2000) as i16 - 1000).collect()).collect();
    let ticks = seconds * 50;
    let started = Instant::now();
    for _ in 0..ticks {
        for (port, frame) in ports.iter().zip(&frames) {
            port.feed(frame);
        }
        bench.tick();
        for port in &ports {
            port.played.lock().clear();
        }
    }
    let cpu = started.elapsed();
    let share = cpu.as_secs_f64() / seconds as f64;
    println!(
        "{parties} parties, {seconds} s of audio mixed in {:.1} ms: {:.4} core ({:.1} µs per 20 ms tick)",
        cpu.as_secs_f64() * 1e3,
        share,
        cpu.as_secs_f64() * 1e6 / ticks as f64
    );
}
