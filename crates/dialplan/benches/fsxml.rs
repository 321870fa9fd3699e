//! XML dialplan routing: hunting a context of 5,000 extensions for a destination that only the
//! last one matches (target < 50 µs p99), plus loading that dialplan. The p99 is measured by a
//! plain timing loop printed beside criterion's figures (a timing is never asserted).

use std::pin::pin;
use std::task::{Context, Poll, Waker};
use std::time::{Duration, Instant};

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use switchyard_core::app::BoxFuture;
use switchyard_dialplan::fsxml::hunt::{HuntEnv, Planned, hunt};
use switchyard_dialplan::fsxml::model::XmlContext;

const EXTENSIONS: usize = 5_000;

/// 5,000 extensions written the usual FreeSWITCH ways: `^number$`, `^(number)$` with `$1` in
/// the data, `^number(\d*)$`, and a destination test followed by a caller-id test.
fn generated_xml() -> String {
    let mut s = String::from("<include><context name=\"default\">\n");
    for i in 0..EXTENSIONS {
        let n = 100_000 + i;
        let cond = match i % 4 {
            0 => format!(r#"<condition field="destination_number" expression="^{n}$">"#),
            1 => format!(r#"<condition field="destination_number" expression="^({n})$">"#),
            2 => format!(r#"<condition field="destination_number" expression="^{n}(\d*)$">"#),
            _ => format!(
                r#"<condition field="destination_number" expression="^({n})$"/><condition field="caller_id_number" expression="^\d+$">"#
            ),
        };
        s.push_str(&format!(
            "<extension name=\"e{i}\">{cond}<action application=\"set\" data=\"x=$1\"/><action application=\"bridge\" data=\"sim/{n}\"/></condition></extension>\n"
        ));
    }
    s.push_str("</context></include>\n");
    s
}

/// A call's fields; inline actions do nothing.
struct Call(&'static str);

impl HuntEnv for Call {
    fn field(&mut self, field: &str) -> String {
        match field {
            "destination_number" => self.0.to_owned(),
            "caller_id_number" => "1000".to_owned(),
            _ => String::new(),
        }
    }
    fn expand(&mut self, text: &str) -> String {
        text.to_owned()
    }
    fn inline<'a>(&'a mut self, _app: &'a str, _data: &'a str) -> BoxFuture<'a, ()> {
        Box::pin(async {})
    }
    fn now(&self) -> i64 {
        1_800_000_000
    }
}

/// Hunts without a runtime: nothing in these extensions waits.
fn route(ctx: &XmlContext, dest: &'static str) -> Vec<Planned> {
    let mut env = Call(dest);
    let mut fut = pin!(hunt(ctx, &mut env));
    match fut.as_mut().poll(&mut Context::from_waker(Waker::noop())) {
        Poll::Ready(v) => v,
        Poll::Pending => unreachable!("hunting without inline actions never waits"),
    }
}

fn p99(ctx: &XmlContext, dest: &'static str) -> Duration {
    let mut times: Vec<Duration> = (0..2_000)
        .map(|_| {
            let t = Instant::now();
            std::hint::black_box(route(ctx, dest));
            t.elapsed()
        })
        .collect();
    times.sort();
    times[times.len() * 99 / 100]
}

fn bench_route(c: &mut Criterion) {
    let plan = switchyard_dialplan::fsxml::parse_str("gen.xml", &generated_xml()).unwrap();
    let ctx = &plan.contexts["default"];
    let last = "104999";
    assert_eq!(route(ctx, last).len(), 2, "the last extension matches");
    eprintln!("fsxml route over {EXTENSIONS} extensions: p99 {:?}", p99(ctx, last));
    let mut g = c.benchmark_group("fsxml");
    g.throughput(Throughput::Elements(1));
    g.bench_function("route_5000_extensions_last_matches", |b| b.iter(|| route(ctx, last)));
    g.bench_function("route_5000_extensions_no_match", |b| b.iter(|| route(ctx, "999")));
    g.finish();
}

fn bench_load(c: &mut Criterion) {
    let text = generated_xml();
    let mut g = c.benchmark_group("fsxml_load");
    g.sample_size(10);
    g.bench_function("xml_5000_extensions", |b| {
        b.iter(|| switchyard_dialplan::fsxml::parse_str("gen.xml", &text).unwrap());
    });
    g.finish();
}

criterion_group!(benches, bench_route, bench_load);
criterion_main!(benches);
