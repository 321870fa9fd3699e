//! Read-only actions: Command (CLI output as `Output:` lines), CoreSettings, CoreStatus,
//! CoreShowChannels and Status.

use bytes::BufMut;
use switchyard_core::ChannelSnapshot;

use crate::proto::response::{command_output, put_header};
use crate::proto::{AmiEvent, Response};
use crate::server::session::Session;

/// `Command`: runs a CLI line through the core's command registry.
pub async fn command(s: &mut Session, id: Option<&str>, line: &str) {
    let switch = s.shared.switch.clone();
    match switch.commands().execute(&switch, line).await {
        Ok(output) => command_output(id, &output.text, &mut s.out),
        Err(unknown) => {
            // Asterisk 22: an error response that still carries the CLI's text as output.
            Response::error(id, "Command output follows").write_open(&mut s.out);
            put_header(&mut s.out, "Output", &unknown.to_string());
            s.out.put_slice(b"\r\n");
        }
    }
}

/// `CoreSettings`, with the fields of manager.c's `action_coresettings`.
pub fn core_settings(s: &mut Session, id: Option<&str>) {
    let info = s.shared.switch.info();
    Response::success(id)
        .header("AMIversion", "11.0.0")
        .header("AsteriskVersion", format!("22.0.0-switchyard-{}", info.version))
        .header("SystemName", info.hostname.clone())
        .header("CoreMaxCalls", info.max_channels.to_string())
        .header("CoreMaxLoadAvg", "0.000000")
        .header("CoreRunUser", "")
        .header("CoreRunGroup", "")
        .header("CoreMaxFilehandles", "0")
        .header("CoreRealTimeEnabled", "No")
        .header("CoreCDRenabled", "Yes")
        .header("CoreHTTPenabled", "No")
        .header("SoundsSearchCustomDir", "No")
        .write(&mut s.out);
}

/// `CoreStatus`: start and reload times (UTC) and call counts.
pub fn core_status(s: &mut Session, id: Option<&str>) {
    let sw = &s.shared.switch;
    let (start_date, start_time) = date_time(sw.started());
    let (reload_date, reload_time) = date_time(sw.last_reload());
    Response::success(id)
        .header("CoreStartupDate", start_date)
        .header("CoreStartupTime", start_time)
        .header("CoreReloadDate", reload_date)
        .header("CoreReloadTime", reload_time)
        .header("CoreCurrentCalls", sw.channels().len().to_string())
        .header("CoreProcessedCalls", sw.stats().sessions_since_startup().to_string())
        .write(&mut s.out);
}

fn date_time(ts: switchyard_core::Timestamp) -> (String, String) {
    let tv = crate::proto::time::event_tv(ts);
    (tv[..10].to_owned(), tv[11..19].to_owned())
}

/// `CoreShowChannels`: the list start, one `CoreShowChannel` per channel, then the completion.
pub fn core_show_channels(s: &mut Session, id: Option<&str>) {
    Response::list_start(id, "Channels will follow").write(&mut s.out);
    let now = s.shared.switch.now();
    let snaps = s.shared.switch.channels().snapshots();
    for snap in &snaps {
        let mut e = list_item("CoreShowChannel", id);
        e.channel("", snap);
        e.push("Application", snap.location.app().cloned().unwrap_or_default())
            .push("ApplicationData", snap.location.app_data())
            .push("Duration", hms(snap.duration_secs(now)))
            .push("BridgeId", snap.bridge_id.clone().unwrap_or_default());
        e.write(&mut s.out);
    }
    list_complete(s, "CoreShowChannelsComplete", id, snaps.len(), &[]);
}

/// `Status`: one `Status` event per channel (or the one asked for), then `StatusComplete`.
pub fn status(s: &mut Session, id: Option<&str>, channel: Option<&str>, variables: &[String]) {
    let snaps = match channel {
        Some(name) => match s.shared.switch.channels().find(name) {
            Some(h) => vec![h.snapshot()],
            None => return Response::error(id, "No such channel").write(&mut s.out),
        },
        None => s.shared.switch.channels().snapshots(),
    };
    Response::list_start(id, "Channel status will follow").write(&mut s.out);
    let now = s.shared.switch.now();
    for snap in &snaps {
        status_event(snap, now, variables, id).write(&mut s.out);
    }
    list_complete(s, "StatusComplete", id, snaps.len(), &[("Items", snaps.len().to_string())]);
}

fn status_event(
    snap: &ChannelSnapshot,
    now: switchyard_core::Timestamp,
    vars: &[String],
    id: Option<&str>,
) -> AmiEvent {
    // manager.c prints this class literally as `Privilege: Call`.
    let mut e = AmiEvent::list_item("Status");
    e.push("Privilege", "Call").channel("", snap);
    e.push("Type", snap.tech.as_str())
        .push("DNID", "")
        .push("EffectiveConnectedLineNum", or_unknown(&snap.connected.number))
        .push("EffectiveConnectedLineName", or_unknown(&snap.connected.name))
        .push("TimeToHangup", "0")
        .push("BridgeID", snap.bridge_id.clone().unwrap_or_default())
        .push("Application", snap.location.app().cloned().unwrap_or_default())
        .push("Data", snap.location.app_data())
        .push("Nativeformats", "(ulaw)")
        .push("Readformat", "ulaw")
        .push("Readtrans", "")
        .push("Writeformat", "ulaw")
        .push("Writetrans", "")
        .push("Callgroup", "0")
        .push("Pickupgroup", "0")
        .push("Seconds", snap.duration_secs(now).to_string());
    for name in vars {
        e.push("Variable", format!("{name}={}", snap.variables.get(name).unwrap_or("")));
    }
    if let Some(id) = id {
        e.push("ActionID", id);
    }
    e
}

fn or_unknown(v: &str) -> String {
    if v.is_empty() { "<unknown>".into() } else { v.into() }
}

/// A list item: `Event`, then `ActionID` (no `Privilege`), as `CoreShowChannel`.
pub fn list_item(name: &'static str, id: Option<&str>) -> AmiEvent {
    let mut e = AmiEvent::list_item(name);
    if let Some(id) = id {
        e.push("ActionID", id);
    }
    e
}

/// The end of a list (`astman_send_list_complete`).
pub fn list_complete(s: &mut Session, name: &'static str, id: Option<&str>, items: usize, extra: &[(&str, String)]) {
    let mut e = list_item(name, id);
    e.push("EventList", "Complete").push("ListItems", items.to_string());
    for (k, v) in extra {
        e.push(*k, v.clone());
    }
    e.write(&mut s.out);
}

fn hms(secs: i64) -> String {
    let secs = secs.max(0);
    format!("{:02}:{:02}:{:02}", secs / 3600, secs % 3600 / 60, secs % 60)
}
