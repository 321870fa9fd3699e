"""greenswitch against the real binary: FreeSWITCH events Switchyard renders from core events —
CHANNEL_BRIDGE followed by CALL_UPDATE (Bridged-To), FreeSWITCH-IPv6 in the base headers — and the
`xferext` sendmsg command running a transient extension, then hanging up as FreeSWITCH does."""

import gevent
import gevent.queue
import greenswitch


def connect(sy):
    esl = greenswitch.InboundESL(host=sy.host, port=sy.port, password=sy.password)
    esl.connect()
    return esl


def listening(sy, names):
    esl = connect(sy)
    seen = gevent.queue.Queue()
    esl.register_handle("*", seen.put)
    esl._process_events_greenlet = gevent.spawn(esl.process_events)
    assert esl.send(f"event plain {names}").data == "+OK event listener enabled plain"
    return esl, seen


def next_event(queue, name, **headers):
    while True:
        event = queue.get(timeout=15)
        if event.headers.get("Event-Name") != name:
            continue
        if all(event.headers.get(k) == v for k, v in headers.items()):
            return event


def parked(esl, name):
    reply = esl.send(f"api originate sim/{name} &park").data
    assert reply.startswith("+OK "), reply
    return reply.split()[1]


def test_a_bridge_is_followed_by_call_update_naming_the_peer(switchyard):
    esl, seen = listening(switchyard, "CHANNEL_BRIDGE CALL_UPDATE")
    try:
        a, b = parked(esl, "a"), parked(esl, "b")
        assert esl.send(f"api uuid_bridge {a} {b}").data.startswith("+OK")
        # Each leg publishes its own bridge event concurrently: collect all four, then check.
        got = {}
        while len(got) < 4:
            event = seen.get(timeout=15)
            got[(event.headers.get("Event-Name"), event.headers.get("Unique-ID"))] = event
        assert got[("CHANNEL_BRIDGE", a)].headers["FreeSWITCH-IPv6"] == "::1"
        update = got[("CALL_UPDATE", a)]
        assert (update.headers["Direction"], update.headers["Bridged-To"]) == ("RECV", b)
        assert got[("CALL_UPDATE", b)].headers["Bridged-To"] == a
        esl.send(f"api uuid_kill {a}")
    finally:
        esl.stop()


def test_xferext_runs_the_listed_applications_then_hangs_up(switchyard):
    esl, seen = listening(switchyard, "CHANNEL_EXECUTE CHANNEL_HANGUP_COMPLETE")
    try:
        uuid = parked(esl, "x")
        reply = esl.send(
            f"sendmsg {uuid}\ncall-command: xferext\napplication: NoOp first\napplication: sleep 10"
        ).data
        assert reply == "+OK"
        first = next_event(seen, "CHANNEL_EXECUTE", **{"Unique-ID": uuid, "Application": "NoOp"})
        assert first.headers["Application-Data"] == "first"
        next_event(seen, "CHANNEL_EXECUTE", **{"Unique-ID": uuid, "Application": "sleep"})
        done = next_event(seen, "CHANNEL_HANGUP_COMPLETE", **{"Unique-ID": uuid})
        assert done.headers["Hangup-Cause"] == "NORMAL_CLEARING"
    finally:
        esl.stop()


def test_uuid_hold_and_off_publish_channel_hold_and_unhold(switchyard):
    esl, seen = listening(switchyard, "CHANNEL_HOLD CHANNEL_UNHOLD")
    try:
        uuid = parked(esl, "held")
        assert esl.send(f"api uuid_hold {uuid}").data == "+OK Success\n"
        held = next_event(seen, "CHANNEL_HOLD", **{"Unique-ID": uuid})
        assert held.headers["Event-Calling-File"] == "switch_channel.c"
        assert esl.send(f"api uuid_hold off {uuid}").data == "+OK Success\n"
        next_event(seen, "CHANNEL_UNHOLD", **{"Unique-ID": uuid})
        esl.send(f"api uuid_kill {uuid}")
    finally:
        esl.stop()
