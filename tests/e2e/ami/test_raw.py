"""Raw-socket AMI tests against the real binary: banner, MD5 challenge, ACL denial, the failed-login
delay and security event, malformed input, DB actions, and a slow consumer."""

import hashlib
import time

from rawami import Raw, logged_in


def test_banner_is_asterisk_call_manager_11(switchyard):
    assert Raw(switchyard).banner == "Asterisk Call Manager/11.0.0"


def test_md5_challenge_login(switchyard):
    c = Raw(switchyard)
    challenge = c.action("Challenge", AuthType="md5")["Challenge"]
    key = hashlib.md5((challenge + switchyard.secret).encode()).hexdigest()
    r = c.action("Login", AuthType="md5", Username=switchyard.username, Key=key)
    assert r["Message"] == "Authentication accepted"
    assert c.action("Ping")["Ping"] == "Pong"


def test_a_wrong_password_is_delayed_reported_and_closed(switchyard):
    watcher = logged_in(switchyard)
    c = Raw(switchyard)
    started = time.monotonic()
    r = c.action("Login", Username=switchyard.username, Secret="wrong")
    assert (r["Response"], r["Message"]) == ("Error", "Authentication failed")
    assert time.monotonic() - started >= 0.9  # Asterisk's one-second pause
    assert c.closed()
    ev = watcher.wait_event("InvalidPassword")
    assert ev["AccountID"] == switchyard.username and ev["Privilege"] == "security,all"


def test_a_login_from_outside_the_permit_acl_is_refused(switchyard):
    watcher = logged_in(switchyard)
    c = Raw(switchyard)
    assert c.action("Login", Username="elsewhere", Secret="x")["Message"] == "Authentication failed"
    assert watcher.wait_event("FailedACL")["AccountID"] == "elsewhere"


def test_a_2_kib_garbage_line_and_binary_junk_leave_the_session_usable(switchyard):
    c = logged_in(switchyard)
    c.send(b"\x00garbage" * 256 + b"\r\n\r\n")
    r = c.next()
    assert r["Response"] == "Error" and r["Message"].startswith("Line too long")
    c.send(b"\xff\xfe no colon here\r\n\r\n")
    assert c.next()["Message"] == "Missing action in request"
    assert c.action("Ping")["Ping"] == "Pong"
    assert logged_in(switchyard).action("Ping")["Ping"] == "Pong"


def test_dbput_then_dbget_answers_with_dbgetresponse(switchyard):
    c = logged_in(switchyard)
    assert c.action("DBPut", Family="e2e", Key="k", Val="v1")["Message"] == "Updated database successfully"
    r = c.action("DBGet", Family="e2e", Key="k")
    assert r["EventList"] == "start"
    ev = c.wait_event("DBGetResponse")
    assert (ev["Family"], ev["Key"], ev["Val"]) == ("e2e", "k", "v1")
    assert c.wait_event("DBGetComplete")["ListItems"] == "1"


def rss_kib(pid):
    with open(f"/proc/{pid}/status") as f:
        return next(int(line.split()[1]) for line in f if line.startswith("VmRSS:"))


def test_a_consumer_that_stops_reading_while_100k_events_flow_is_told_what_it_lost(switchyard):
    slow = logged_in(switchyard, rcvbuf=4096)
    fast = logged_in(switchyard)
    assert fast.action("Events", EventMask="off")["Events"] == "Off"
    before = rss_kib(switchyard.proc.pid)
    # 100,000 events: far more than the session queue (bus.subscriber_queue = 1024) plus socket buffers.
    flood = f"Action: UserEvent\r\nUserEvent: flood\r\nPad: {'x' * 100}\r\n\r\n".encode()
    for _ in range(100):
        fast.send(flood * 1000)
        for _ in range(1000):
            assert fast.next()["Message"] == "Event Sent"
    grown_mib = (rss_kib(switchyard.proc.pid) - before) / 1024
    assert grown_mib < 64, f"server grew by {grown_mib:.0f} MiB"
    assert fast.action("Events", EventMask="on")["Events"] == "On"
    fast.action("Originate", Channel="sim/after", Application="Wait", Data="0", Async="yes")
    assert fast.wait_event("OriginateResponse")["Response"] == "Success"
    lost = slow.wait_event("EventsLost")
    assert int(lost["Lost"]) > 0
    assert slow.action("Ping")["Ping"] == "Pong"


def test_show_dialplan_lists_the_loaded_extensions_conf(switchyard):
    c = logged_in(switchyard)
    assert c.action("ShowDialPlan", Context="hdlr")["EventList"] == "start"
    items = []
    while True:
        m = c.next()
        if m.get("Event") == "ShowDialPlanComplete":
            break
        items.append((m["Extension"], m["Priority"], m["Application"]))
    assert items == [("s", "1", "NoOp"), ("s", "2", "Return")]
    assert m["ListPriorities"] == "2"
