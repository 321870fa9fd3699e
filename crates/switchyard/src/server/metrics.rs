//! The Prometheus endpoint: `GET /metrics` in the text exposition format (off by default, 127.0.0.1).

use std::fmt::Write;
use std::net::SocketAddr;
use std::sync::atomic::Ordering;

use anyhow::Context;
use switchyard_core::Switch;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

/// Starts serving; returns the bound address.
pub async fn serve(addr: SocketAddr, switch: Switch) -> anyhow::Result<SocketAddr> {
    let listener = TcpListener::bind(addr).await.with_context(|| format!("cannot bind metrics on {addr}"))?;
    let bound = listener.local_addr()?;
    tokio::spawn(async move {
        while let Ok((stream, _)) = listener.accept().await {
            tokio::spawn(answer(stream, switch.clone()));
        }
    });
    Ok(bound)
}

async fn answer(mut stream: TcpStream, switch: Switch) {
    let Some(request) = read_request_head(&mut stream).await else { return };
    let response = if request.starts_with("GET /metrics ") {
        let body = render(&switch);
        format!(
            "HTTP/1.1 200 OK\r\nContent-Type: text/plain; version=0.0.4\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
            body.len()
        )
    } else {
        "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n".to_owned()
    };
    let _ = stream.write_all(response.as_bytes()).await;
}

/// Reads up to the blank line ending the request head (at most 8 KiB); None if the peer goes away.
async fn read_request_head(stream: &mut TcpStream) -> Option<String> {
    let mut buf = Vec::with_capacity(512);
    let mut chunk = [0u8; 1024];
    while !buf.windows(4).any(|w| w == b"\r\n\r\n") && buf.len() < 8192 {
        let n = stream.read(&mut chunk).await.ok()?;
        if n == 0 {
            return None;
        }
        buf.extend_from_slice(&chunk[..n]);
    }
    Some(String::from_utf8_lossy(&buf).into_owned())
}

fn metric(out: &mut String, name: &str, kind: &str, help: &str, samples: &[(String, u64)]) {
    let _ = writeln!(out, "# HELP {name} {help}\n# TYPE {name} {kind}");
    for (labels, v) in samples {
        let _ = writeln!(out, "{name}{labels} {v}");
    }
}

/// The metrics text.
pub fn render(switch: &Switch) -> String {
    let mut out = String::new();
    let stats = switch.stats();
    let (answered, failed) = stats.originates();
    let one = |v: u64| vec![(String::new(), v)];
    metric(&mut out, "switchyard_channels", "gauge", "Live channels.", &one(switch.channels().len() as u64));
    metric(
        &mut out,
        "switchyard_channels_created_total",
        "counter",
        "Channels created.",
        &one(stats.sessions_since_startup()),
    );
    metric(&mut out, "switchyard_channels_peak", "gauge", "Most channels alive at once.", &one(stats.peak()));
    let outcomes = vec![("{outcome=\"answered\"}".to_owned(), answered), ("{outcome=\"failed\"}".to_owned(), failed)];
    metric(&mut out, "switchyard_originate_total", "counter", "Originates by outcome.", &outcomes);
    let bus = switch.bus();
    metric(&mut out, "switchyard_events_published_total", "counter", "Events published.", &one(bus.published()));
    metric(
        &mut out,
        "switchyard_events_lost_total",
        "counter",
        "Events lost by all subscribers.",
        &one(bus.lost_total()),
    );
    let subs = bus.subscriber_stats();
    let label = |s: &switchyard_core::bus::SubscriberStats| format!("{{subscriber=\"{}\"}}", s.name.replace('"', "'"));
    let delivered: Vec<_> = subs.iter().map(|s| (label(s), s.delivered.load(Ordering::Relaxed))).collect();
    let lost: Vec<_> = subs.iter().map(|s| (label(s), s.lost.load(Ordering::Relaxed))).collect();
    metric(
        &mut out,
        "switchyard_subscriber_events_delivered_total",
        "counter",
        "Events delivered per subscriber.",
        &delivered,
    );
    metric(&mut out, "switchyard_subscriber_events_lost_total", "counter", "Events lost per subscriber.", &lost);
    out
}
