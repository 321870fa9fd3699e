"""In-call transfers through the real binary with a features.conf, watched with panoramisk: the AMI
Atxfer action starts an attended transfer on a Dial(…,T) caller (the atxfer code and the extension
queued as DTMF, as Asterisk does), and hanging the transferer up leaves the transferee with the target
(AttendedTransfer); a sim caller's DTMF blind-transfers its callee (BlindTransfer)."""

import asyncio
import contextlib
import sys
from pathlib import Path

import pytest
from panoramisk import Manager

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from switchyard_proc import free_port, running  # noqa: E402

EXTENSIONS = """
[xfer]
exten => 1,1,Dial(sim/bob,20,T)
exten => 2,1,Dial(sim/dave,20,T)
exten => 42,1,Answer()
same => n,Wait(20)
exten => 43,1,Answer()
same => n,Wait(0.2)
"""

# The sample file's codes (features.conf.sample): atxfer is off unless configured.
FEATURES = """
[general]
featuredigittimeout = 500
[featuremap]
blindxfer => #1
atxfer => *2
"""


@contextlib.contextmanager
def ami_switch(directory, extensions, features=None):
    """Runs the binary in `directory` with `extensions` (and `features`, a features.conf) and AMI
    user xfer on a free port; yields the port."""
    directory = Path(directory)
    port = free_port()
    (directory / "extensions.conf").write_text(extensions)
    features_line = ""
    if features is not None:
        (directory / "features.conf").write_text(features)
        features_line = 'features = "features.conf"\n'
    config = directory / "switchyard.toml"
    config.write_text(
        '[general]\ndata_dir = "data"\n\n'
        f'[dialplan]\nasterisk = ["extensions.conf"]\n{features_line}\n'
        "[esl]\nenabled = false\n\n"
        f'[ami]\nenabled = true\nlisten = "127.0.0.1:{port}"\n\n'
        '[[ami.users]]\nusername = "xfer"\nsecret = "xfer-s3cret"\n'
    )
    with running(config, pytest.fail):
        yield port


@pytest.fixture
def xfer_switch(tmp_path):
    with ami_switch(tmp_path, EXTENSIONS, FEATURES) as port:
        yield port


async def manager(port):
    m = Manager(host="127.0.0.1", port=port, username="xfer", secret="xfer-s3cret", ping_delay=1000)
    await m.connect()
    return m


class Waiter:
    """Collects events and wakes whoever waits for one that matches."""

    def __init__(self, m, names):
        self.seen = []
        self.changed = asyncio.Event()
        for name in names:
            m.register_event(name, self.on_event)

    def on_event(self, _, msg):
        self.seen.append(msg)
        self.changed.set()

    async def first(self, pred):
        while True:
            for msg in self.seen:
                if pred(msg):
                    return msg
            self.changed.clear()
            await self.changed.wait()


def test_atxfer_then_transferer_hangup_leaves_transferee_with_target(xfer_switch):
    async def go():
        m = await manager(xfer_switch)
        w = Waiter(m, ["BridgeEnter", "AttendedTransfer", "Hangup"])
        await m.send_action({"Action": "Originate", "Channel": "sim/alice", "Context": "xfer", "Exten": "1",
                             "Priority": "1", "Async": "true"})
        bob = await w.first(lambda e: e.event == "BridgeEnter" and e.channel.startswith("sim/bob"))
        alice = (await w.first(lambda e: e.event == "BridgeEnter" and e.channel.startswith("sim/alice"))).channel
        # panoramisk reads any "… successfully queued" reply as an async originate's unless the action says
        # Async: false (it would fail the same way against Asterisk's identical reply).
        atxfer = {"Action": "Atxfer", "Channel": alice, "Exten": "42", "Context": "xfer", "Async": "false"}
        reply = await m.send_action(atxfer)
        assert reply.message == "Atxfer successfully queued", reply
        target = await w.first(lambda e: e.event == "BridgeEnter" and e.channel.startswith("Local/42@xfer")
                               and e.channel.endswith(";1"))
        await m.send_action({"Action": "Hangup", "Channel": alice})
        done = await w.first(lambda e: e.event == "AttendedTransfer")
        joined = await w.first(lambda e: e.event == "BridgeEnter" and e.channel == bob.channel
                               and e.bridgeuniqueid == done.destbridgeuniqueid)
        await m.send_action({"Action": "Hangup", "Channel": bob.channel})
        m.close()
        return bob, alice, target, done, joined

    bob, alice, target, done, joined = asyncio.run(asyncio.wait_for(go(), 30))
    assert done.result == "Success"
    assert done.origtransfererchannel == alice and done.secondtransfererchannel == alice
    assert done.transfereechannel == bob.channel
    assert done.transfertargetchannel == target.channel
    assert done.origbridgeuniqueid == bob.bridgeuniqueid
    assert done.secondbridgeuniqueid == target.bridgeuniqueid
    assert done.isexternal == "No" and done.desttype == "Bridge"
    assert joined.bridgenumchannels in ("1", "2")


def test_a_callers_blindxfer_digits_send_the_callee_to_the_extension(xfer_switch):
    async def go():
        m = await manager(xfer_switch)
        w = Waiter(m, ["BlindTransfer", "Newexten"])
        await m.send_action({"Action": "Originate", "Channel": "sim/carol?dtmf=#143&dtmf_delay=300ms&dtmf_gap=20ms",
                             "Context": "xfer", "Exten": "2", "Priority": "1", "Async": "true"})
        blind = await w.first(lambda e: e.event == "BlindTransfer")
        landed = await w.first(lambda e: e.event == "Newexten" and e.extension == "43"
                               and e.channel.startswith("sim/dave"))
        m.close()
        return blind, landed

    blind, landed = asyncio.run(asyncio.wait_for(go(), 30))
    assert blind.result == "Success" and blind.isexternal == "No"
    assert blind.transfererchannel.startswith("sim/carol") and blind.transfereechannel == landed.channel
    assert (blind.context, blind.extension) == ("xfer", "43")
    assert blind.bridgenumchannels == "2"


def test_atxfer_without_an_atxfer_code_is_refused_as_asterisk_does(tmp_path):
    async def go():
        m = await manager(port)
        w = Waiter(m, ["BridgeEnter"])
        await m.send_action({"Action": "Originate", "Channel": "sim/alice?hangup=3s", "Context": "xfer", "Exten": "1",
                             "Priority": "1", "Async": "true"})
        alice = (await w.first(lambda e: e.event == "BridgeEnter" and e.channel.startswith("sim/alice"))).channel
        reply = await m.send_action({"Action": "Atxfer", "Channel": alice, "Exten": "42"})
        m.close()
        return reply

    with ami_switch(tmp_path, EXTENSIONS) as port:
        reply = asyncio.run(asyncio.wait_for(go(), 20))
    assert reply.response == "Error" and reply.message == "No attended transfer feature code found"


LOCAL_EXTENSIONS = """
[opt]
exten => 1,1,Dial(Local/2@opt,5,g)
same => n,Hangup()
exten => 2,1,Dial(sim/erin?hangup=1s,5)
"""


def test_a_local_pair_bridged_on_both_sides_is_optimized_away(tmp_path):
    async def go():
        m = await manager(port)
        w = Waiter(m, ["LocalOptimizationBegin", "LocalOptimizationEnd", "BridgeEnter", "Hangup"])
        await m.send_action({"Action": "Originate", "Channel": "sim/frank", "Context": "opt", "Exten": "1",
                             "Priority": "1", "Async": "true"})
        begin = await w.first(lambda e: e.event == "LocalOptimizationBegin")
        end = await w.first(lambda e: e.event == "LocalOptimizationEnd")
        frank_bridge = await w.first(lambda e: e.event == "BridgeEnter" and e.channel.startswith("sim/frank"))
        # The callee takes ;1's place in the caller's bridge.
        moved = await w.first(lambda e: e.event == "BridgeEnter" and e.channel.startswith("sim/erin")
                              and e.bridgeuniqueid == frank_bridge.bridgeuniqueid)
        await w.first(lambda e: e.event == "Hangup" and e.channel.startswith("sim/frank"))
        m.close()
        return begin, end, moved, frank_bridge

    with ami_switch(tmp_path, LOCAL_EXTENSIONS) as port:
        begin, end, moved, frank_bridge = asyncio.run(asyncio.wait_for(go(), 20))
    assert begin.localonechannel.startswith("Local/2@opt-") and begin.localonechannel.endswith(";1")
    assert begin.localtwochannel == begin.localonechannel[:-1] + "2"
    assert begin.sourcechannel == moved.channel
    assert begin.destuniqueid == begin.localoneuniqueid
    # panoramisk's Message has its own `success` and `id`: read the headers themselves.
    assert (end.get("Success"), end.get("Id")) == ("Yes", begin.get("Id"))
    assert begin.get("Id").isdigit()
    assert moved.bridgenumchannels == "2"
