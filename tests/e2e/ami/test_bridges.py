"""panoramisk against the real binary: the Bridge action joins two parked channels; the client sees
BridgeCreate and two BridgeEnter events (BridgeNumChannels 1 then 2), lists the bridge with BridgeList
and its members with BridgeInfo, and sees BridgeLeave/BridgeDestroy plus DeviceStateChange when a
member hangs up (event forms: seed 004)."""

import asyncio

from panoramisk import Manager


def run(coro):
    return asyncio.run(asyncio.wait_for(coro, 20))


async def parked(m, name):
    replies = await m.send_action({"Action": "Originate", "Channel": f"sim/{name}", "Application": "park", "Async": "true"})
    assert replies[-1].event == "OriginateResponse" and replies[-1].response == "Success"
    return replies[-1].uniqueid


def test_bridge_action_events_and_listings(switchyard):
    async def go():
        m = Manager(host=switchyard.host, port=switchyard.port, username=switchyard.username,
                    secret=switchyard.secret, ping_delay=1000)
        events = asyncio.Queue()
        for name in ("BridgeCreate", "BridgeEnter", "BridgeLeave", "BridgeDestroy", "DeviceStateChange"):
            m.register_event(name, lambda _, msg: events.put_nowait(msg))
        await m.connect()
        a, b = await parked(m, "left"), await parked(m, "right")
        r = await m.send_action({"Action": "Bridge", "Channel1": a, "Channel2": b})
        assert r.message == "Channels have been bridged"

        async def next_named(name):
            while True:
                msg = await events.get()
                if msg.event == name:
                    return msg

        created = await next_named("BridgeCreate")
        bridge_id = created.bridgeuniqueid
        assert (created.bridgetype, created.bridgenumchannels) == ("basic", "0")
        entered = [await next_named("BridgeEnter"), await next_named("BridgeEnter")]
        assert sorted(e.bridgenumchannels for e in entered) == ["1", "2"]
        assert {e.uniqueid for e in entered} == {a, b}

        listing = await m.send_action({"Action": "BridgeList"})
        items = [x for x in listing if x.event == "BridgeListItem"]
        assert [x.bridgeuniqueid for x in items] == [bridge_id]
        info = await m.send_action({"Action": "BridgeInfo", "BridgeUniqueid": bridge_id})
        members = {x.uniqueid for x in info if x.event == "BridgeInfoChannel"}
        assert members == {a, b}
        assert info[-1].event == "BridgeInfoComplete" and info[-1].bridgenumchannels == "2"

        await m.send_action({"Action": "Hangup", "Channel": a})
        # The two channels' tasks publish concurrently: collect until both facts were seen.
        leaves, destroyed, left_idle = [], False, False
        while not (destroyed and left_idle):
            msg = await events.get()
            if msg.event == "BridgeLeave":
                leaves.append(msg.bridgenumchannels)
            destroyed |= msg.event == "BridgeDestroy" and msg.bridgeuniqueid == bridge_id
            left_idle |= msg.event == "DeviceStateChange" and (msg.device, msg.state) == ("sim/left", "NOT_INUSE")
        assert leaves == ["1", "0"]
        m.close()

    run(go())


def test_hold_through_the_shared_command_registry_reaches_ami_as_hold_and_unhold(switchyard):
    async def go():
        m = Manager(host=switchyard.host, port=switchyard.port, username=switchyard.username,
                    secret=switchyard.secret, ping_delay=1000)
        events = asyncio.Queue()
        for name in ("Hold", "Unhold", "DeviceStateChange"):
            m.register_event(name, lambda _, msg: events.put_nowait(msg))
        await m.connect()
        uuid = await parked(m, "onhold")
        await m.send_command(f"uuid_hold {uuid}")
        seen = []
        while not any(e.event == "Hold" for e in seen) or not any(getattr(e, "state", "") == "ONHOLD" for e in seen):
            seen.append(await events.get())
        assert next(e for e in seen if e.event == "Hold").uniqueid == uuid
        await m.send_command(f"uuid_hold off {uuid}")
        while (msg := await events.get()).event != "Unhold":
            pass
        assert msg.uniqueid == uuid
        m.close()

    run(go())
