"""Seed 003 end to end over the Event Socket with greenswitch: `bgapi originate
{execute_on_answer='lua inviteToConf.lua'}<invitee> &park()` runs the Lua script on answer; the script
schedules a hangup (sched_hangup), the invitee who presses 1 in time has the task deleted (sched_del)
and is transferred to 7001, whose XML extension `conf_test` puts it in conference test1 (seen in
`conference test1 list` and a conference::maintenance add-member event); the invitee who does not press
is hung up by the task with ALLOTTED_TIMEOUT, and `show tasks` is empty afterwards. The fixture files
(script and XML extension) are in seed003/; reply texts are FreeSWITCH's."""

import os
import shutil
import sys
import tempfile
from pathlib import Path
from uuid import uuid4

import gevent
import gevent.queue
import greenswitch
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
import switchyard_proc  # noqa: E402
from switchyard_proc import free_port, running  # noqa: E402

if os.environ.get("SWITCHYARD_BIN"):
    switchyard_proc.BINARY = Path(os.environ["SWITCHYARD_BIN"])

PASSWORD = "e2e-seed003"
FIXTURES = Path(__file__).resolve().parent / "seed003"


@pytest.fixture(scope="module")
def seed_switch():
    with tempfile.TemporaryDirectory() as tmp:
        port = free_port()
        (Path(tmp) / "dialplan").mkdir()
        (Path(tmp) / "scripts").mkdir()
        shutil.copy(FIXTURES / "default.xml", Path(tmp) / "dialplan" / "default.xml")
        shutil.copy(FIXTURES / "inviteToConf.lua", Path(tmp) / "scripts" / "inviteToConf.lua")
        config = Path(tmp) / "switchyard.toml"
        config.write_text(
            '[general]\ndata_dir = "data"\n\n'
            '[dialplan]\nfreeswitch = ["dialplan/*.xml"]\n\n'
            '[lua]\nscripts_dir = "scripts"\n\n'
            "[ami]\nenabled = false\n\n"
            f'[esl]\nenabled = true\nlisten = "127.0.0.1:{port}"\npassword = "{PASSWORD}"\n'
        )
        with running(config, pytest.fail):
            yield port


@pytest.fixture
def esl(seed_switch):
    conn = greenswitch.InboundESL(host="127.0.0.1", port=seed_switch, password=PASSWORD)
    conn.connect()
    events = Events()
    conn.register_handle("*", events.queue.put)
    conn._process_events_greenlet = gevent.spawn(conn.process_events)
    conn.send(
        "event plain BACKGROUND_JOB CHANNEL_HANGUP_COMPLETE ADD_SCHEDULE DEL_SCHEDULE CUSTOM conference::maintenance"
    )
    yield conn, events
    conn.stop()


def api(conn, line):
    return conn.send(f"api {line}").data


def invite(conn, events, invitee, timeout):
    """bgapi originate as in the seed (with origination_uuid, so the uuid is known); returns it."""
    uuid = str(uuid4())
    line = (
        f"bgapi originate {{origination_uuid={uuid},invite_timeout={timeout},"
        f"execute_on_answer='lua inviteToConf.lua'}}sim/{invitee} &park()"
    )
    job = conn.send(line).headers["Job-UUID"]
    done = events.wait("BACKGROUND_JOB", **{"Job-UUID": job})
    assert done.headers["Job-Command"] == "originate"
    return uuid


class Events:
    """Events received so far: `wait` finds one whether it came before or after the others (the
    scheduler's and the channel's events are independent), within 20 s."""

    def __init__(self):
        self.queue = gevent.queue.Queue()
        self.seen = []

    def wait(self, name, **headers):
        def matches(event):
            return event.headers.get("Event-Name") == name and all(
                event.headers.get(k) == v for k, v in headers.items()
            )

        for event in self.seen:
            if matches(event):
                self.seen.remove(event)
                return event
        while True:
            event = self.queue.get(timeout=20)
            if matches(event):
                return event
            self.seen.append(event)


def test_invitee_pressing_1_in_time_joins_conference_test1(esl):
    conn, events = esl
    uuid = invite(conn, events, "1000?dtmf=1", 20)
    added = events.wait("ADD_SCHEDULE", **{"Task-Group": uuid})
    assert added.headers["Task-Desc"] == "switch_ivr_schedule_hangup"
    events.wait("DEL_SCHEDULE", **{"Task-ID": added.headers["Task-ID"]})
    joined = events.wait("CUSTOM", **{"Action": "add-member", "Unique-ID": uuid})
    assert joined.headers["Event-Subclass"] == "conference::maintenance"
    assert joined.headers["Conference-Name"] == "test1"
    member_id = joined.headers["Member-ID"]
    listing = api(conn, "conference test1 list")
    assert f"{member_id};sim/1000" in listing and f";{uuid};" in listing, listing
    assert api(conn, "conference test1 count") == "1"
    assert api(conn, f"uuid_getvar {uuid} invite_result") == "accepted"
    assert api(conn, "show tasks") == "\n0 total.\n"
    assert api(conn, f"conference test1 kick {member_id}") == f"+OK kicked {member_id}\n"
    # The extension's next action is `hangup`: the kicked member's call ends normally.
    ended = events.wait("CHANNEL_HANGUP_COMPLETE", **{"Unique-ID": uuid})
    assert ended.headers["Hangup-Cause"] == "NORMAL_CLEARING"
    events.wait("CUSTOM", **{"Action": "conference-destroy", "Conference-Name": "test1"})
    assert api(conn, "conference list") == "+OK No active conferences.\n"


def test_invitee_not_pressing_is_hung_up_by_sched_hangup_and_no_task_remains(esl):
    conn, events = esl
    uuid = invite(conn, events, "1001", 2)
    added = events.wait("ADD_SCHEDULE", **{"Task-Group": uuid})
    ended = events.wait("CHANNEL_HANGUP_COMPLETE", **{"Unique-ID": uuid})
    assert ended.headers["Hangup-Cause"] == "ALLOTTED_TIMEOUT"
    events.wait("DEL_SCHEDULE", **{"Task-ID": added.headers["Task-ID"]})
    assert api(conn, "show tasks") == "\n0 total.\n"
    assert "test1" not in api(conn, "conference list")
