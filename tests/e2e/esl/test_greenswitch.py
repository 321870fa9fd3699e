"""greenswitch (gevent ESL client) against the real binary: inbound auth, api, bgapi + BACKGROUND_JOB,
event plain ALL with filters, and an outbound OutboundSession driven by the socket app."""

import gevent
import gevent.event
import gevent.queue
import gevent.server
import greenswitch
import greenswitch.esl
import pytest


def connect(sy):
    esl = greenswitch.InboundESL(host=sy.host, port=sy.port, password=sy.password)
    esl.connect()
    return esl


def test_auth_and_api_status(switchyard):
    esl = connect(switchyard)
    try:
        status = esl.send("api status").data
        assert status.startswith("UP 0 years")
        assert "is ready" in status
    finally:
        esl.stop()


def test_wrong_password_is_refused(switchyard):
    esl = greenswitch.InboundESL(host=switchyard.host, port=switchyard.port, password="wrong")
    with pytest.raises(ValueError):
        esl.connect()


def test_bgapi_originate_and_background_job(switchyard):
    esl = connect(switchyard)
    jobs = gevent.queue.Queue()
    esl.register_handle("BACKGROUND_JOB", jobs.put)
    esl._process_events_greenlet = gevent.spawn(esl.process_events)
    try:
        assert esl.send("event plain BACKGROUND_JOB").data == "+OK event listener enabled plain"
        reply = esl.send("bgapi originate sim/alice &park")
        job_uuid = reply.headers["Job-UUID"]
        assert reply.data == f"+OK Job-UUID: {job_uuid}"
        event = jobs.get(timeout=10)
        assert event.headers["Job-UUID"] == job_uuid
        assert event.headers["Job-Command"] == "originate"
        # greenswitch folds the event body into the last header it parsed (the inner Content-Length).
        body = event.headers["Content-Length"].splitlines()[-1]
        assert body.startswith("+OK "), event.headers
        channel = body.split()[1]
        assert esl.send(f"api uuid_kill {channel}").data == "+OK\n"
    finally:
        esl.stop()


def test_event_plain_all_with_a_filter(switchyard):
    esl = connect(switchyard)
    seen = gevent.queue.Queue()
    esl.register_handle("*", seen.put)
    esl._process_events_greenlet = gevent.spawn(esl.process_events)
    try:
        assert esl.send("event plain ALL").data == "+OK event listener enabled plain"
        mine = "5f0e7c9a-0d2b-4c57-9d7e-1a2b3c4d5e6f"
        assert esl.send(f"filter Unique-ID {mine}").data == f"+OK filter added. [Unique-ID]=[{mine}]"
        esl.send("api originate sim/other &park")
        esl.send(f"api originate {{origination_uuid={mine}}}sim/mine &park")
        esl.send(f"api uuid_kill {mine}")
        names = []
        while "CHANNEL_DESTROY" not in names:
            event = seen.get(timeout=10)
            assert event.headers.get("Unique-ID") == mine, event.headers
            names.append(event.headers["Event-Name"])
        assert names[0] == "CHANNEL_CREATE"
        assert "CHANNEL_ANSWER" in names and "CHANNEL_HANGUP_COMPLETE" in names
    finally:
        esl.stop()


def test_outbound_session_answers_executes_and_lingers(switchyard):
    results = gevent.event.AsyncResult()

    def handle(sock, address):
        session = greenswitch.esl.OutboundSession(address, sock)
        try:
            session.connect()
            session.myevents()
            session.linger(5)
            done = session.call_command("answer", block=True, response_timeout=10)
            app = done.headers.get("Application")
            session.call_command("hangup", "NORMAL_CLEARING")
            results.set((session.uuid, app, session.caller_id_number))
        except Exception as exc:  # surface the failure in the test
            results.set_exception(exc)

    server = gevent.server.StreamServer(("127.0.0.1", 0), handle)
    server.start()
    esl = connect(switchyard)
    try:
        port = server.server_port
        reply = esl.send(f"api originate sim/out '&socket(127.0.0.1:{port} async full)'").data
        assert reply.startswith("+OK "), reply
        uuid, app, _ = results.get(timeout=15)
        assert uuid == reply.split()[1]
        assert app == "answer"
    finally:
        esl.stop()
        server.stop()


def test_outbound_session_from_a_dialplan_socket_app_over_loopback(start_switchyard):
    """extensions.conf `Socket(host:port,async,full)` reached through a loopback/ b-leg."""
    start = start_switchyard
    results = gevent.event.AsyncResult()

    def handle(sock, address):
        session = greenswitch.esl.OutboundSession(address, sock)
        try:
            session.connect()
            session.myevents()
            done = session.call_command("answer", block=True, response_timeout=10)
            results.set((session.session_data, done.headers.get("Application")))
            session.call_command("hangup", "NORMAL_CLEARING")
        except Exception as exc:
            results.set_exception(exc)

    server = gevent.server.StreamServer(("127.0.0.1", 0), handle)
    server.start()
    conf = f"[default]\nexten => 100,1,Socket(127.0.0.1:{server.server_port},async,full)\n same => n,Hangup()\n"
    runner = start(conf)
    sy = next(runner)
    esl = connect(sy)
    try:
        esl.send("bgapi originate loopback/100/default &park")
        data, app = results.get(timeout=15)
        assert data["Channel-Name"] == "loopback/100-b"
        assert data["variable_loopback_leg"] == "B"
        assert data["Control"] == "full" and data["Socket-Mode"] == "async"
        assert app == "answer"
    finally:
        esl.stop()
        server.stop()
        runner.close()
