//! End to end: the binary loads an `extensions.conf` with the seed's hangup-handler contexts,
//! calls are originated from `switchyard cli -x`, and the effects are checked where a user sees
//! them: requests received by a local HTTP server (from `System(curl …)` and `CURL()`) and AstDB
//! rows through `database show`.

mod common;

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::sync::mpsc;
use std::time::Duration;

/// One request the stats server received: path and form fields.
#[derive(Debug)]
struct Hit {
    path: String,
    fields: HashMap<String, String>,
}

/// A tiny HTTP server on a free port; every request is reported on the channel.
fn stats_server() -> (String, mpsc::Receiver<Hit>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap().to_string();
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { continue };
            let mut reader = BufReader::new(stream.try_clone().unwrap());
            let mut first = String::new();
            reader.read_line(&mut first).unwrap();
            let mut length = 0;
            loop {
                let mut line = String::new();
                reader.read_line(&mut line).unwrap();
                if line.trim().is_empty() {
                    break;
                }
                if let Some(v) = line.to_ascii_lowercase().strip_prefix("content-length:") {
                    length = v.trim().parse().unwrap();
                }
            }
            let mut body = vec![0; length];
            reader.read_exact(&mut body).unwrap();
            let path = first.split_whitespace().nth(1).unwrap_or("").to_owned();
            let query = path.split_once('?').map(|(_, q)| q.to_owned()).unwrap_or_default();
            let form = format!("{}&{query}", String::from_utf8_lossy(&body));
            let fields = form
                .split('&')
                .filter_map(|kv| kv.split_once('='))
                .map(|(k, v)| (k.to_owned(), v.replace("%20", " ")))
                .collect();
            let _ = stream.write_all(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok");
            let path = path.split('?').next().unwrap_or("").to_owned();
            let _ = tx.send(Hit { path, fields });
        }
    });
    (addr, rx)
}

/// The seed's contexts as written (ASCII quotes), pointed at the test's stats server, plus the
/// flows that push, pop and wipe handlers.
fn extensions_conf(stats: &str) -> String {
    format!(
        r#"
[sub-call-from-cid-ended]
exten => s,1,GotoIf($["${{ARG1}}" = "" | "${{ARG2}}" = ""]?end)
same => n,System(curl --max-time 10 --data-urlencode 'cid=${{ARG1}}' --data-urlencode 'operator=${{ARG2}}' --data-urlencode 'end=${{EPOCH}}' http://{stats}/inbound & disown -h)
same => n,Set(DB(CALL_FROM_CID/${{ARG1}}/end)=${{EPOCH}})
same => n,Set(DB(CALL_FROM_CID/${{ARG1}}/answered_by)=${{ARG2}})
same => n(end),Return

[from-queue]
exten => _1XX,1,Set(CALLERID(num)=5551234)
same => n,Dial(sim/operator${{EXTEN}}?hangup=300ms,30,tU(sub-wrap^${{CALLERID(num)}}^${{EXTEN}}))
same => n,Hangup

; pushes the "done" signal first so it runs last (LIFO), then the seed's routine
[sub-wrap]
exten => s,1,Set(CHANNEL(hangup_handler_push)=sub-done,s,1(${{ARG1}}))
same => n,Gosub(sub-on-operator-answer,s,1(${{ARG1}},${{ARG2}}))
same => n,Return

[sub-on-operator-answer]
exten => s,1,GotoIf($["${{ARG1}}" = "" | "${{ARG2}}" = ""]?end)
same => n,System(curl --max-time 10 --data-urlencode 'cid=${{ARG1}}' --data-urlencode 'operator=${{ARG2}}' --data-urlencode 'start=${{EPOCH}}' http://{stats}/inbound & disown -h)
same => n,Set(CHANNEL(hangup_handler_push)=sub-call-from-cid-ended,s,1(${{ARG1}},${{ARG2}}))
same => n(end),Return

[sub-curl-ended]
exten => s,1,Set(R=${{CURL(http://{stats}/curl,cid=${{ARG1}}&operator=${{ARG2}}&end=${{EPOCH}})}})
same => n,Set(DB(CURL_REPLY/${{ARG1}})=${{R}})
same => n,Return

[sub-done]
exten => s,1,Set(R=${{CURL(http://{stats}/done?cid=${{ARG1}})}})
same => n,Return

[queues]
exten => inbound,1,Answer
same => n,Wait(30)
same => n,Hangup

[caller]
exten => s,1,Set(CALLERID(num)=5550001)
same => n,Set(CHANNEL(hangup_handler_push)=sub-done,s,1(${{CALLERID(num)}}))
same => n,Set(CHANNEL(hangup_handler_push)=sub-curl-ended,s,1(${{CALLERID(num)}},${{EXTEN}}))
same => n,Set(CHANNEL(hangup_handler_push)=sub-call-from-cid-ended,s,1(popped,x))
same => n,Set(CHANNEL(hangup_handler_pop)=)
same => n,Hangup()

[wipe]
exten => s,1,Set(CALLERID(num)=5550002)
same => n,Set(CHANNEL(hangup_handler_push)=sub-call-from-cid-ended,s,1(wiped,x))
same => n,Set(CHANNEL(hangup_handler_wipe)=sub-done,s,1(5550002))
same => n,Set(CHANNEL(hangup_handler_push)=sub-call-from-cid-ended,s,1(5550002,replacement))
same => n,Hangup()
"#
    )
}

fn start_with_dialplan(stats: &str) -> (common::Running, tempfile::TempDir) {
    let conf_dir = tempfile::tempdir().unwrap();
    let conf = conf_dir.path().join("extensions.conf");
    std::fs::write(&conf, extensions_conf(stats)).unwrap();
    let sw = common::start(&format!("\n[dialplan]\nasterisk = [\"{}\"]\n", conf.display()));
    (sw, conf_dir)
}

fn next(rx: &mpsc::Receiver<Hit>) -> Hit {
    rx.recv_timeout(Duration::from_secs(20)).expect("a request within 20 s")
}

/// Requests until the `done` signal for `cid`.
fn until_done(rx: &mpsc::Receiver<Hit>, cid: &str) -> Vec<Hit> {
    let mut hits = Vec::new();
    loop {
        let hit = next(rx);
        let done = hit.path == "/done" && hit.fields.get("cid").map(String::as_str) == Some(cid);
        hits.push(hit);
        if done {
            return hits;
        }
    }
}

#[test]
fn a_dial_u_subroutine_pushes_a_handler_on_the_answered_leg_that_posts_and_writes_astdb() {
    let (stats, rx) = stats_server();
    let (sw, _conf) = start_with_dialplan(&stats);
    let out = sw.cli("channel originate Local/101@from-queue/n extension inbound@queues");
    assert!(out.status.success(), "{out:?}");
    let hits = until_done(&rx, "5551234");
    let inbound: Vec<&Hit> = hits.iter().filter(|h| h.path == "/inbound").collect();
    let start = inbound.iter().find(|h| h.fields.contains_key("start")).expect("start posted on answer");
    assert_eq!((start.fields["cid"].as_str(), start.fields["operator"].as_str()), ("5551234", "101"));
    let db = sw.cli_text("database show CALL_FROM_CID");
    assert!(db.contains(&format!("{:<50}: 101 ", "/CALL_FROM_CID/5551234/answered_by")), "{db}");
    assert!(db.contains("/CALL_FROM_CID/5551234/end"), "{db}");
    assert!(db.ends_with("2 results found.\n"), "{db}");
    let end = inbound
        .iter()
        .find(|h| h.fields.contains_key("end"))
        .map(|h| (h.fields["cid"].clone(), h.fields["operator"].clone()))
        .unwrap_or_else(|| next_end(&rx));
    assert_eq!(end, ("5551234".to_owned(), "101".to_owned()));
    sw.terminate();
}

/// The backgrounded `curl … & disown -h` may arrive after the `done` signal.
fn next_end(rx: &mpsc::Receiver<Hit>) -> (String, String) {
    loop {
        let h = next(rx);
        if h.path == "/inbound" && h.fields.contains_key("end") {
            return (h.fields["cid"].clone(), h.fields["operator"].clone());
        }
    }
}

#[test]
fn handlers_pushed_on_the_caller_run_with_curl_and_pop_and_wipe_remove_them() {
    let (stats, rx) = stats_server();
    let (sw, _conf) = start_with_dialplan(&stats);
    assert!(sw.cli("channel originate null/caller extension s@caller").status.success());
    let hits = until_done(&rx, "5550001");
    let curl = hits.iter().find(|h| h.path == "/curl").expect("CURL() posted");
    assert_eq!((curl.fields["cid"].as_str(), curl.fields["operator"].as_str()), ("5550001", "s"));
    assert!(curl.fields["end"].parse::<i64>().unwrap() > 1_700_000_000);
    assert_eq!(sw.cli_text("database get CURL_REPLY 5550001"), "Value: ok\n");

    assert!(sw.cli("channel originate null/wiper extension s@wipe").status.success());
    until_done(&rx, "5550002");
    let db = sw.cli_text("database show CALL_FROM_CID");
    assert!(db.contains(&format!("{:<50}: replacement ", "/CALL_FROM_CID/5550002/answered_by")), "{db}");
    assert!(!db.contains("popped") && !db.contains("wiped"), "{db}");
    sw.terminate();
}

#[test]
fn database_commands_print_as_asterisk() {
    let (stats, _rx) = stats_server();
    let (sw, _conf) = start_with_dialplan(&stats);
    assert_eq!(sw.cli_text("database put fam key1 value1"), "Updated database successfully\n");
    assert_eq!(sw.cli_text("database put fam/sub key2 v2"), "Updated database successfully\n");
    assert_eq!(sw.cli_text("database get fam key1"), "Value: value1\n");
    assert_eq!(sw.cli_text("database get fam nope"), "Database entry not found.\n");
    let show = sw.cli_text("database show fam");
    assert_eq!(
        show,
        format!("{:<50}: {:<25}\n{:<50}: {:<25}\n2 results found.\n", "/fam/key1", "value1", "/fam/sub/key2", "v2")
    );
    assert_eq!(sw.cli_text("database del fam key1"), "Database entry removed.\n");
    assert_eq!(sw.cli_text("database del fam key1"), "Database entry could not be removed.\n");
    assert_eq!(sw.cli_text("database deltree fam"), "1 database entries removed.\n");
    assert_eq!(sw.cli_text("database deltree fam"), "Database entries do not exist.\n");
    let plan = sw.cli_text("dialplan show caller");
    assert!(
        plan.starts_with(
            "[ Context 'caller' created by 'pbx_config' ]\n  's' =>            1. Set(CALLERID(num)=5550001)"
        ),
        "{plan}"
    );
    assert!(plan.ends_with("-= 1 extension (6 priorities) in 1 context. =-\n"), "{plan}");
    assert_eq!(sw.cli_text("dialplan reload"), "Dialplan reloaded.\n");
    sw.terminate();
}

#[test]
fn check_and_reload_report_a_bad_dialplan_with_its_position_and_reload_keeps_the_old_one() {
    let (stats, _rx) = stats_server();
    let (sw, conf) = start_with_dialplan(&stats);
    let file = conf.path().join("extensions.conf");
    std::fs::write(&file, "[ok]\nexten => 1,one,NoOp\n").unwrap();
    let reload = sw.cli_text("dialplan reload");
    assert!(reload.contains("extensions.conf:2:12: expected a priority"), "{reload}");
    assert!(sw.cli_text("dialplan show caller").contains("[ Context 'caller'"));
    let check = std::process::Command::new(common::BIN).args(["check", "--config"]).arg(&sw.config).output().unwrap();
    assert!(!check.status.success());
    let err = String::from_utf8_lossy(&check.stderr);
    assert!(
        err.contains("extensions.conf:2:12: expected a priority: a number, 'n', 'n+N' or 's' (found 'one')"),
        "{err}"
    );
    sw.terminate();
}
