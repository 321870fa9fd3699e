"""panoramisk (asyncio AMI client) against the real binary: login, Ping, Command output, async
Originate with OriginateResponse, event callbacks (Newchannel, Newstate, Hangup, HangupHandlerRun), Hangup."""

import asyncio

from panoramisk import Manager


def run(coro):
    return asyncio.run(asyncio.wait_for(coro, 20))


def manager(sy):
    return Manager(host=sy.host, port=sy.port, username=sy.username, secret=sy.secret, ping_delay=1000)


def test_login_ping_and_command_output(switchyard):
    async def go():
        m = manager(switchyard)
        await m.connect()
        pong = await m.send_action({"Action": "Ping"})
        assert pong.ping == "Pong"
        out = await m.send_command("core show channels")
        text = "\n".join(out.output) if isinstance(out.output, list) else out.output
        assert "active channel" in text
        m.close()

    run(go())


def test_async_originate_gets_originate_response_and_events(switchyard):
    async def go():
        m = manager(switchyard)
        seen = {}
        done = asyncio.Event()

        def on_event(_, msg):
            seen.setdefault(msg.event, msg)
            if msg.event == "Hangup":
                done.set()

        for name in ("Newchannel", "Newstate", "Hangup"):
            m.register_event(name, on_event)
        await m.connect()
        replies = await m.send_action(
            {"Action": "Originate", "Channel": "sim/pano", "Application": "Wait", "Data": "0", "Async": "true"}
        )
        assert replies[0].message == "Originate successfully queued"
        assert replies[-1].event == "OriginateResponse" and replies[-1].reason == "4"
        await done.wait()
        assert seen["Newchannel"].uniqueid == seen["Hangup"].uniqueid
        m.close()

    run(go())


def test_hangup_action_ends_a_parked_channel(switchyard):
    async def go():
        m = manager(switchyard)
        hung = asyncio.Event()
        m.register_event("Hangup", lambda _, msg: hung.set())
        await m.connect()
        replies = await m.send_action(
            {"Action": "Originate", "Channel": "sim/parked", "Application": "park", "Async": "true"}
        )
        uniqueid = replies[-1].uniqueid
        r = await m.send_action({"Action": "Hangup", "Channel": uniqueid, "Cause": "16"})
        assert r.message == "Channel Hungup"
        await hung.wait()
        m.close()

    run(go())


def test_hangup_handlers_from_the_dialplan_reach_event_callbacks(switchyard):
    async def go():
        m = manager(switchyard)
        runs = []
        done = asyncio.Event()

        def on_run(_, msg):
            runs.append(msg.handler)
            if len(runs) == 2:
                done.set()

        m.register_event("HangupHandlerRun", on_run)
        await m.connect()
        await m.send_action(
            {"Action": "Originate", "Channel": "sim/hh", "Context": "test", "Exten": "100", "Priority": "1", "Async": "true"}
        )
        await done.wait()
        assert runs == ["hdlr,s,1(three,four)", "hdlr,s,1(one,two)"]
        m.close()

    run(go())
