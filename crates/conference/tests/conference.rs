//! The conference application, API and events on a real switch with `sim/` channels: joining creates
//! the room, `list`/`count` show members in FreeSWITCH's format, member commands reply as
//! mod_conference does and publish `conference::maintenance` events, kick and hangup leave, and the
//! last one out destroys the room. Expected texts: mod_conference conference_api.c / mod_conference.c.

use std::sync::Arc;
use std::time::Duration;

use switchyard_conference::Conferences;
use switchyard_core::{
    BusConfig, BusItem, ChannelId, Event, EventKind, HangupCause, OriginateRequest, OriginateTarget, Subscription,
    Switch, SwitchConfig, SwitchInfo, SystemClock,
};

fn switch() -> (Switch, Conferences) {
    switch_with(no_sounds())
}

fn switch_with(sounds: switchyard_conference::Library) -> (Switch, Conferences) {
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
    let conf = switchyard_conference::install(&sw, sounds);
    (sw, conf)
}

async fn api(sw: &Switch, line: &str) -> String {
    sw.commands().execute(sw, line).await.unwrap().text
}

async fn join(sw: &Switch, name: &str, data: &str) -> ChannelId {
    let target = OriginateTarget::App { name: "conference".into(), args: data.into() };
    sw.originate_and_wait(OriginateRequest::new(format!("sim/{name}"), target)).await.unwrap().channel_id
}

/// The next conference event, skipping everything else.
async fn next_conference(sub: &mut Subscription) -> Event {
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

fn action(e: &Event) -> (String, Vec<(String, String)>) {
    match &e.kind {
        EventKind::Conference(c) => {
            (c.action.clone(), c.conference.iter().chain(&c.member).chain(&c.extra).cloned().collect())
        }
        _ => unreachable!(),
    }
}

fn header<'a>(h: &'a [(String, String)], name: &str) -> &'a str {
    h.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str()).unwrap_or("")
}

async fn wait_members(conf: &Conferences, name: &str, want: Option<usize>) {
    tokio::time::timeout(Duration::from_secs(5), async {
        while conf.member_count(name) != want {
            tokio::task::yield_now().await;
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
    })
    .await
    .expect("membership to settle");
}

#[tokio::test]
async fn joining_creates_the_room_and_list_shows_members_newest_first() {
    let (sw, conf) = switch();
    let mut sub = sw.bus().subscribe("t");
    assert_eq!(api(&sw, "conference list").await, "+OK No active conferences.\n");
    let a = join(&sw, "alice", "test1").await;
    let (act, h) = action(&next_conference(&mut sub).await);
    assert_eq!(
        (act.as_str(), header(&h, "Conference-Name"), header(&h, "Conference-Size")),
        ("conference-create", "test1", "0")
    );
    let add = next_conference(&mut sub).await;
    let (act, h) = action(&add);
    assert_eq!((act.as_str(), header(&h, "Member-ID"), header(&h, "Conference-Size")), ("add-member", "1", "1"));
    assert_eq!(add.channel.as_ref().unwrap().id, a);
    assert_eq!(header(&h, "Floor"), "false", "the floor is given after add-member");
    let (act, h) = action(&next_conference(&mut sub).await);
    assert_eq!((act.as_str(), header(&h, "Old-ID"), header(&h, "New-ID")), ("floor-change", "none", "1"));
    assert_eq!((header(&h, "Member-ID"), header(&h, "Floor")), ("1", "true"));
    let b = join(&sw, "bob", "test1+flags{mute|moderator}").await;
    next_conference(&mut sub).await;
    wait_members(&conf, "test1", Some(2)).await;

    let list = api(&sw, "conference test1 list").await;
    let lines: Vec<&str> = list.lines().collect();
    assert_eq!(lines.len(), 2, "{list}");
    assert!(lines[0].starts_with("2;sim/bob-"), "{list}");
    assert!(lines[0].contains(&format!(";{b};")) && lines[0].ends_with(";hear|moderator;0;0;0;100"), "{list}");
    assert!(lines[1].contains(&format!(";{a};")) && lines[1].ends_with(";hear|speak|floor;0;0;0;100"), "{list}");
    assert_eq!(api(&sw, "conference test1 count").await, "2");
    let all = api(&sw, "conference list").await;
    assert!(all.starts_with(
        "Conference test1 (2 members rate: 8000 flags: running|answered|enforce_min|dynamic|exit_sound|enter_sound)\n"
    ));
    let uuid = sw.channels().get(a).unwrap().var("conference_uuid").unwrap();
    assert_eq!(uuid.len(), 36);
}

#[tokio::test]
async fn member_commands_reply_like_mod_conference_and_publish_events() {
    let (sw, conf) = switch();
    join(&sw, "alice", "room").await;
    wait_members(&conf, "room", Some(1)).await;
    let mut sub = sw.bus().subscribe("t");
    assert_eq!(api(&sw, "conference room mute 1").await, "+OK mute 1\n");
    let (act, h) = action(&next_conference(&mut sub).await);
    assert_eq!((act.as_str(), header(&h, "Speak")), ("mute-member", "false"));
    assert_eq!(api(&sw, "conference room unmute all").await, "+OK unmute 1\n");
    assert_eq!(api(&sw, "conference room deaf last").await, "+OK deaf 1\n");
    assert_eq!(api(&sw, "conference room undeaf 1").await, "+OK undeaf 1\n");
    assert_eq!(api(&sw, "conference room mute 9").await, "-ERR Non-Existant ID 9\n");
    assert_eq!(
        api(&sw, "conference room kick").await,
        "kick <[member_id|all|last|non_moderator]> [<optional sound file>]"
    );
    assert_eq!(api(&sw, "conference room lock").await, "+OK room locked\n");
    assert_eq!(api(&sw, "conference room unlock").await, "+OK room unlocked\n");
    assert_eq!(api(&sw, "conference room frobnicate").await, "-ERR Conference command 'frobnicate' not found.\n");
    assert_eq!(api(&sw, "conference room").await, "Conference command, not specified.\nTry 'help'\n");
    assert_eq!(api(&sw, "conference nope list").await, "-ERR Conference nope not found\n");
    assert_eq!(api(&sw, "conference room play /no/such.wav").await, "-ERR (play) File: /no/such.wav not found.\n");
    let mut actions = Vec::new();
    for _ in 0..6 {
        actions.push(action(&next_conference(&mut sub).await).0);
    }
    assert_eq!(actions, ["unmute-member", "deaf-member", "undeaf-member", "lock", "unlock", "play-file"]);
}

#[tokio::test]
async fn kick_and_hangup_leave_and_the_last_one_out_destroys_the_room() {
    let (sw, conf) = switch();
    let a = join(&sw, "alice", "room").await;
    join(&sw, "bob", "room").await;
    wait_members(&conf, "room", Some(2)).await;
    let mut sub = sw.bus().subscribe("t");
    assert_eq!(api(&sw, "conference room kick 2").await, "+OK kicked 2\n");
    assert_eq!(action(&next_conference(&mut sub).await).0.as_str(), "kick-member");
    let (act, h) = action(&next_conference(&mut sub).await);
    assert_eq!((act.as_str(), header(&h, "Member-ID"), header(&h, "Conference-Size")), ("del-member", "2", "1"));
    sw.channels().get(a).unwrap().hangup(HangupCause::NORMAL_CLEARING, "test").unwrap();
    assert_eq!(action(&next_conference(&mut sub).await).0.as_str(), "del-member");
    // The floor holder left: mod_conference drops the floor (`New-ID: none`) before the room ends.
    let (act, h) = action(&next_conference(&mut sub).await);
    assert_eq!((act.as_str(), header(&h, "Old-ID"), header(&h, "New-ID")), ("floor-change", "1", "none"));
    assert_eq!(action(&next_conference(&mut sub).await).0.as_str(), "conference-destroy");
    wait_members(&conf, "room", None).await;
    assert_eq!(api(&sw, "conference list").await, "+OK No active conferences.\n");
}

#[tokio::test]
async fn a_locked_room_refuses_members_but_not_moderators() {
    let (sw, conf) = switch();
    join(&sw, "alice", "room").await;
    wait_members(&conf, "room", Some(1)).await;
    api(&sw, "conference room lock").await;
    join(&sw, "bob", "room").await;
    join(&sw, "carol", "room+flags{moderator}").await;
    wait_members(&conf, "room", Some(2)).await;
    assert!(api(&sw, "conference list").await.contains("rate: 8000 locked flags: locked|running"));
}

#[tokio::test]
async fn dial_originates_into_the_conference() {
    let (sw, conf) = switch();
    let reply = api(&sw, "conference fresh dial sim/dave 1234 Dave").await;
    assert_eq!(reply, "+OK Call Requested: result: [SUCCESS]\n");
    wait_members(&conf, "fresh", Some(1)).await;
    assert!(api(&sw, "conference fresh list").await.contains(";Dave;1234;hear|speak|floor;"));
    let busy = api(&sw, "conference fresh dial sim/eve?busy").await;
    assert_eq!(busy, "+OK Call Requested: result: [USER_BUSY]\n");
}

#[tokio::test]
async fn endconf_member_leaving_ends_the_conference_for_everyone() {
    let (sw, conf) = switch();
    let boss = join(&sw, "boss", "room+flags{endconf}").await;
    join(&sw, "guest", "room").await;
    wait_members(&conf, "room", Some(2)).await;
    sw.channels().get(boss).unwrap().hangup(HangupCause::NORMAL_CLEARING, "test").unwrap();
    wait_members(&conf, "room", None).await;
}

/// Writes `<dir>/<name>.wav`: `ms` milliseconds of 8 kHz 16-bit mono at amplitude 1000.
fn wav(dir: &std::path::Path, name: &str, ms: u32) {
    let data: Vec<u8> = (0..ms * 8).flat_map(|_| 1000i16.to_le_bytes()).collect();
    let mut out = Vec::new();
    out.extend_from_slice(b"RIFF");
    out.extend_from_slice(&(36 + data.len() as u32).to_le_bytes());
    out.extend_from_slice(b"WAVEfmt ");
    for v in [16u32, 0x0001_0001, 8000, 16000, 0x0010_0002] {
        out.extend_from_slice(&v.to_le_bytes());
    }
    out.extend_from_slice(b"data");
    out.extend_from_slice(&(data.len() as u32).to_le_bytes());
    out.extend_from_slice(&data);
    std::fs::write(dir.join(format!("{name}.wav")), out).unwrap();
}

/// The next conference event with this action.
async fn next_action(sub: &mut Subscription, want: &str) -> Vec<(String, String)> {
    loop {
        let (act, h) = action(&next_conference(sub).await);
        if act == want {
            return h;
        }
    }
}

#[tokio::test]
async fn play_plays_files_in_turn_reports_them_done_and_stop_ends_them() {
    let dir = tempfile::tempdir().unwrap();
    wav(dir.path(), "beep", 100);
    wav(dir.path(), "long", 5000);
    let (sw, conf) = switch_with(switchyard_conference::Library::new(dir.path().into(), dir.path().into()));
    join(&sw, "alice", "room").await;
    wait_members(&conf, "room", Some(1)).await;
    let mut sub = sw.bus().subscribe("t");

    assert_eq!(api(&sw, "conference room play beep").await, "+OK (play) Playing file beep\n");
    let h = next_action(&mut sub, "play-file").await;
    assert_eq!((header(&h, "File"), header(&h, "Async")), ("beep", "false"));
    let h = next_action(&mut sub, "play-file-done").await;
    let got = ["File", "seconds", "milliseconds", "samples"].map(|k| header(&h, k).to_owned());
    assert_eq!(got, ["beep", "0", "100", "800"]);

    assert_eq!(api(&sw, "conference room play long async").await, "+OK (play) Playing file long\n");
    assert_eq!(header(&next_action(&mut sub, "play-file").await, "Async"), "true");
    assert_eq!(api(&sw, "conference room stop async").await, "+OK Stopped 1 files.\n");
    let h = next_action(&mut sub, "play-file-done").await;
    assert_eq!((header(&h, "File"), header(&h, "Async")), ("long", "true"));
    assert!(header(&h, "samples").parse::<u32>().unwrap() < 40_000, "stopped early");

    assert_eq!(api(&sw, "conference room play beep 1").await, "+OK (play) Playing file beep to member 1\n");
    let h = next_action(&mut sub, "play-file-member").await;
    assert_eq!((header(&h, "Member-ID"), header(&h, "File")), ("1", "beep"));
    let h = next_action(&mut sub, "play-file-member-done").await;
    assert_eq!((header(&h, "Member-ID"), header(&h, "samples")), ("1", "800"));

    let missing = api(&sw, "conference room play beep 7").await;
    assert_eq!(missing, "-ERR Member: 7 not found.\nplay <file_path> [async|<member_id> [nomux]]");
    assert_eq!(api(&sw, "conference room play nope").await, "-ERR (play) File: nope not found.\n");
    assert_eq!(api(&sw, "conference room play").await, "play <file_path> [async|<member_id> [nomux]]");
    assert_eq!(api(&sw, "conference room stop").await, "+OK Stopped 0 files.\n");
    assert_eq!(api(&sw, "conference room stop last").await, "stop <[current|all|async|last]> [<member_id>]");
    assert_eq!(api(&sw, "conference room stop all 9").await, "-ERR Member: 9 not found.\n");
}

/// A sound library over a directory that does not exist (absolute paths still resolve).
fn no_sounds() -> switchyard_conference::Library {
    switchyard_conference::Library::new("/nonexistent".into(), "/nonexistent".into())
}
