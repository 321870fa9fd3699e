"""`log <level>` on the real binary: the switch's own log lines arrive as log/data frames; `event … LOG`
delivers them as LOG events."""

import socket

from test_genesis import read_frame
from test_malformed import authed


def fail_a_login(switchyard):
    """A failed login on another connection, which the switch logs as a WARNING."""
    with socket.create_connection((switchyard.host, switchyard.port), timeout=10) as bad:
        bf = bad.makefile("rb")
        read_frame(bf)
        bad.sendall(b"auth wrong\n\n")
        assert read_frame(bf)[0]["Reply-Text"] == "-ERR invalid"


def test_log_streams_warnings_as_log_data(switchyard):
    s, f = authed(switchyard)
    with s:
        s.sendall(b"log warning\n\n")
        assert read_frame(f)[0]["Reply-Text"] == "+OK log level warning [4]"
        fail_a_login(switchyard)
        while True:
            headers, body = read_frame(f)
            if headers.get("Content-Type") == "log/data" and "authentication failed" in body:
                break
        assert headers["Log-Level"] == "4"
        assert "[WARNING]" in body


def test_log_event_subscription_delivers_log_lines_as_events(switchyard):
    s, f = authed(switchyard)
    with s:
        s.sendall(b"event plain LOG\n\n")
        assert read_frame(f)[0]["Reply-Text"] == "+OK event listener enabled plain"
        fail_a_login(switchyard)
        while True:
            headers, body = read_frame(f)
            assert headers.get("Content-Type") == "text/event-plain", headers
            event = dict(line.split(": ", 1) for line in body.strip().split("\n"))
            if "authentication%20failed" in event.get("Log-Data", ""):
                break
        assert event["Event-Name"] == "LOG"
        assert event["Log-Level"] == "4"
        assert int(event["Log-Line"]) > 0
