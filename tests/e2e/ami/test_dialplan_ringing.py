"""Ringing seen through AMI with panoramisk: an Originate of Local/1@ring whose dialplan dials a second
Local pair, whose dialplan dials a sim/ phone that rings before it answers. Asterisk's Dial relays the
ringing back: each Local ;1 goes to Ringing (Newstate), and each Dial reports DialState RINGING with the
calling channel and the dialed one (the Originate's own DialState has no calling channel)."""

import asyncio
import sys
import tempfile
from pathlib import Path

import pytest
from panoramisk import Manager

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from switchyard_proc import free_port, running  # noqa: E402

EXTENSIONS = """
[ring]
exten => 1,1,Dial(Local/2@ring,5)
exten => 2,1,Dial(sim/phone?ring=300ms,5,L(100))
"""


@pytest.fixture
def ringing_switch():
    with tempfile.TemporaryDirectory() as tmp:
        port = free_port()
        config = Path(tmp) / "switchyard.toml"
        extensions = Path(tmp) / "extensions.conf"
        extensions.write_text(EXTENSIONS)
        config.write_text(
            '[general]\ndata_dir = "data"\n\n'
            f'[dialplan]\nasterisk = ["{extensions}"]\n\n'
            "[esl]\nenabled = false\n\n"
            f'[ami]\nenabled = true\nlisten = "127.0.0.1:{port}"\n\n'
            '[[ami.users]]\nusername = "ring"\nsecret = "ring-s3cret"\n'
        )
        with running(config, pytest.fail):
            yield port


def test_a_ringing_phone_rings_back_through_both_dials_and_local_pairs(ringing_switch):
    async def go():
        m = Manager(host="127.0.0.1", port=ringing_switch, username="ring", secret="ring-s3cret", ping_delay=1000)
        ringing, dial_states = [], []
        done = asyncio.Event()

        def on_event(_, msg):
            if msg.event == "Newstate" and msg.channelstatedesc == "Ringing":
                ringing.append(msg.channel)
            if msg.event == "DialState":
                dial_states.append((msg.get("Channel") or "-", msg.destchannel, msg.dialstatus))
            if msg.event == "Hangup" and msg.channel.startswith("Local/1@ring") and msg.channel.endswith(";1"):
                done.set()

        for name in ("Newstate", "DialState", "Hangup"):
            m.register_event(name, on_event)
        await m.connect()
        await m.send_action(
            {"Action": "Originate", "Channel": "Local/1@ring", "Application": "Wait", "Data": "0", "Async": "true"}
        )
        await asyncio.wait_for(done.wait(), 15)
        m.close()
        return ringing, dial_states

    ringing, dial_states = asyncio.run(asyncio.wait_for(go(), 20))
    # The phone, then the inner pair's ;1, then the outer pair's ;1 ring; no ;2 leg changes its state.
    assert [c.split("-")[0] for c in ringing] == ["sim/phone", "Local/2@ring", "Local/1@ring"], ringing
    assert all(c.endswith(";1") for c in ringing[1:]) and not any(c.endswith(";2") for c in ringing)
    base = lambda name: name if name == "-" else name.rsplit("-", 1)[0]  # noqa: E731
    callers = [(base(c), base(d), s) for c, d, s in dial_states]
    assert callers == [
        ("Local/2@ring", "sim/phone", "RINGING"),
        ("Local/1@ring", "Local/2@ring", "RINGING"),
        ("-", "Local/1@ring", "RINGING"),
    ], dial_states
