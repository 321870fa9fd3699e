//! ESL rendering of `conference::maintenance`: the subclass first, the CUSTOM base block, the
//! conference headers, the member's basic channel block (no `variable_*`), the member headers, then
//! `Action` (header order from mod_conference `conference_member_add_event_data`).

use std::sync::Arc;
use std::time::Duration;

use switchyard_core::{
    BusConfig, BusItem, Event, EventKind, OriginateRequest, OriginateTarget, Subscription, Switch, SwitchConfig,
    SwitchInfo, SystemClock,
};

fn switch() -> Switch {
    let sw = Switch::new(SwitchConfig {
        info: SwitchInfo {
            version: "0.1.0".into(),
            hostname: "testhost".into(),
            core_uuid: "00000000-0000-4000-8000-000000000000".into(),
            max_channels: 0,
        },
        bus: BusConfig::default(),
        clock: Arc::new(SystemClock),
    });
    switchyard_conference::install(&sw);
    sw
}

async fn join(sw: &Switch, name: &str, data: &str) {
    let target = OriginateTarget::App { name: "conference".into(), args: data.into() };
    sw.originate_and_wait(OriginateRequest::new(format!("sim/{name}"), target)).await.unwrap();
}

async fn next_conference(sub: &mut Subscription) -> Arc<Event> {
    tokio::time::timeout(Duration::from_secs(5), async {
        loop {
            if let BusItem::Event(e) = sub.recv().await
                && matches!(e.kind, EventKind::Conference { .. })
            {
                return e;
            }
        }
    })
    .await
    .expect("a conference event")
}

#[test]
fn esl_renders_custom_conference_maintenance_with_channel_block_between_conference_and_member_headers() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    rt.block_on(async {
        let sw = switch();
        let mut sub = sw.bus().subscribe("t");
        join(&sw, "alice", "test1").await;
        next_conference(&mut sub).await;
        let add = next_conference(&mut sub).await;
        let ctx = switchyard_esl::proto::RenderContext {
            core_uuid: "c".into(),
            hostname: "h".into(),
            ipv4: "127.0.0.1".into(),
            ipv6: "::1".into(),
            local_offset_secs: 0,
            version: "0".into(),
            started: sw.started(),
            max_sessions: 0,
        };
        let rendered = switchyard_esl::proto::translate(&add, &ctx);
        let names: Vec<&str> = rendered[0].headers.iter().map(|(k, _)| k.as_ref()).collect();
        assert_eq!(&names[..2], ["Event-Subclass", "Event-Name"]);
        assert_eq!(rendered[0].header("Event-Subclass"), Some("conference::maintenance"));
        assert_eq!(rendered[0].header("Event-Name"), Some("CUSTOM"));
        let pos = |n: &str| names.iter().position(|h| *h == n).unwrap();
        assert!(pos("Conference-Unique-ID") < pos("Floor") && pos("Floor") < pos("Unique-ID"));
        assert!(pos("Caller-Unique-ID") < pos("Hear") && pos("Member-ID") < pos("Action"));
        assert!(!names.iter().any(|n| n.starts_with("variable_")));
        assert_eq!(names.last(), Some(&"Action"));
        assert_eq!(rendered[0].header("Action"), Some("add-member"));
    });
}
