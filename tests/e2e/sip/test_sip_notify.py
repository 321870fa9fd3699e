"""SIPp and the Event Socket: `sendevent NOTIFY` (mod_sofia's headers: event-string, user, host,
content-type, call-id, extra-headers) reaches a registered SIPp as a NOTIFY; an out-of-dialog NOTIFY
and MESSAGE from SIPp are answered (200, 202) and published as `NOTIFY_IN` and `MESSAGE`."""

import socket
import subprocess
from pathlib import Path

from sipphone import sendevent

SCENARIOS = Path(__file__).resolve().parent / "scenarios"


def udp_port():
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_sendevent_notify_reaches_the_registered_contact(switchyard, esl_watch):
    watch = esl_watch("CUSTOM sofia::register")
    esl = esl_watch("HEARTBEAT")
    sipp = subprocess.Popen(
        ["sipp", f"127.0.0.1:{switchyard.sip_port}", "-sf", str(SCENARIOS / "register_recv_notify.xml"),
         "-s", "1000", "-au", "1000", "-ap", "p1000", "-cid_str", "sipp-notify-%u", "-i", "127.0.0.1",
         "-p", str(udp_port()), "-m", "1", "-nostdin", "-timeout", "15s", "-trace_err"],
        cwd=switchyard.workdir, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    try:
        watch.wait_for("username: 1000")
        headers = {
            "profile": "internal",
            "event-string": "check-sync;reboot=false",
            "user": "1000",
            "host": "127.0.0.1",
            "content-type": "text/plain",
            "call-id": "sipp-notify-1",
            "extra-headers": "X-Test: 42",
        }
        sendevent(esl, "NOTIFY", headers, "provision now")
        code = sipp.wait(timeout=20)
    finally:
        if sipp.poll() is None:
            sipp.kill()
    errors = "".join(p.read_text(errors="replace") for p in switchyard.workdir.glob("*_errors.log"))
    assert code == 0, errors


def test_incoming_notify_is_notify_in(switchyard, esl_watch):
    watch = esl_watch("NOTIFY_IN")
    code, errors = switchyard.sipp("notify_in.xml", "1000")
    assert code == 0, errors
    text = watch.wait_for("Event-Name: NOTIFY_IN")
    text = watch.wait_for("Messages-Waiting: yes")
    for line in ("event-package: message-summary", "event-id: 7", "subscription-substate: active"):
        assert f"\n{line}\n" in text, line


def test_incoming_message_from_a_guest_is_a_message_event(switchyard, esl_watch):
    watch = esl_watch("MESSAGE")
    code, errors = switchyard.sipp("message_in.xml", "2000")
    assert code == 0, errors
    text = watch.wait_for("hello switch")
    for line in ("Event-Name: MESSAGE", "from_user: sipp", "to_user: 2000", "subject: from%20sipp", "context: public"):
        assert f"\n{line}\n" in text, line
