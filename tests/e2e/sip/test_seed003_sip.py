"""Seed 003 with a real SIP phone: pjsua2 registers as 1000; over the Event Socket, `bgapi originate
{execute_on_answer='lua inviteToConf.lua'}user/1000 &park()` rings it, the phone answers and hears the
prompt (RTP with sound in it), presses 1 (RFC 4733) in time and is transferred by the script to 7001,
whose XML extension `conf_test` puts it in conference test1 (add-member, floor-change, `conference test1
list`); `conference test1 play` then mixes a WAV into the conference, which the phone hears, and
play-file-done follows. A phone that answers and presses nothing is hung up by the scheduled task
(ALLOTTED_TIMEOUT, the phone sees the BYE) and `show tasks` is empty. Two phones in test1 hear each
other and the floor moves to the one talking. The script and the XML extension are the ones
test_seed003.py uses (tests/e2e/esl/seed003/); reply texts are FreeSWITCH's."""

import gc
import math
import shutil
import socket
import struct
import sys
import tempfile
import time
import urllib.parse
import wave
from pathlib import Path
from uuid import uuid4

import pjsua2 as pj
import pytest

from pjua import UserAgent

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from switchyard_proc import free_port, running  # noqa: E402

PASSWORD = "e2e-seed003-sip"
FIXTURES = Path(__file__).resolve().parents[1] / "esl" / "seed003"
PROMPT = "conference/conf-press_1_to_join.wav"


def tone_wav(path, seconds, freq=440, amplitude=12000):
    """A 8 kHz 16-bit mono sine tone."""
    path.parent.mkdir(parents=True, exist_ok=True)
    frames = b"".join(
        struct.pack("<h", int(amplitude * math.sin(2 * math.pi * freq * i / 8000))) for i in range(int(seconds * 8000))
    )
    with wave.open(str(path), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(8000)
        w.writeframes(frames)


def free_udp_port():
    while True:
        port = free_port()
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as u:
            try:
                u.bind(("127.0.0.1", port))
                return port
            except OSError:
                continue


class Esl:
    """A minimal synchronous Event Socket client: `api` waits for its reply while keeping the events
    that arrive meanwhile; `wait` finds an event by name and headers (whenever it came)."""

    def __init__(self, port):
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=1)
        self.buf = b""
        self.events = []
        self._read()  # auth/request
        assert self._command(f"auth {PASSWORD}")[0]["Reply-Text"] == "+OK accepted"
        events = "BACKGROUND_JOB CHANNEL_HANGUP_COMPLETE ADD_SCHEDULE DEL_SCHEDULE CUSTOM conference::maintenance"
        self._command(f"event plain {events}")

    def _fill(self, deadline):
        while True:
            try:
                chunk = self.sock.recv(65536)
            except socket.timeout:
                if time.monotonic() > deadline:
                    raise AssertionError("Event Socket: nothing more arrived") from None
                continue
            if not chunk:
                raise AssertionError("Event Socket closed")
            self.buf += chunk
            return

    def _read(self, timeout=20):
        """One message: (headers, body)."""
        deadline = time.monotonic() + timeout
        while b"\n\n" not in self.buf:
            self._fill(deadline)
        head, self.buf = self.buf.split(b"\n\n", 1)
        headers = dict(line.split(": ", 1) for line in head.decode().splitlines() if ": " in line)
        length = int(headers.get("Content-Length", 0))
        while len(self.buf) < length:
            self._fill(deadline)
        body, self.buf = self.buf[:length].decode(), self.buf[length:]
        return headers, body

    def _keep_event(self, headers, body):
        if headers.get("Content-Type") == "text/event-plain":
            fields = (line.split(": ", 1) for line in body.splitlines() if ": " in line)
            self.events.append({k: urllib.parse.unquote(v) for k, v in fields})
            return True
        return False

    def _command(self, line):
        self.sock.sendall(f"{line}\n\n".encode())
        while True:
            headers, body = self._read()
            if not self._keep_event(headers, body):
                return headers, body

    def api(self, line):
        return self._command(f"api {line}")[1]

    def bgapi(self, line):
        return self._command(f"bgapi {line}")[0]["Job-UUID"]

    def poll(self):
        """Takes in the events already received, without waiting."""
        self.sock.setblocking(False)
        try:
            self.buf += self.sock.recv(1 << 20)
        except BlockingIOError:
            pass
        finally:
            self.sock.settimeout(1)
        while b"\n\n" in self.buf:
            head = self.buf.split(b"\n\n", 1)[0].decode()
            length = next((int(h.split(": ")[1]) for h in head.splitlines() if h.startswith("Content-Length")), 0)
            if len(self.buf) < len(head) + 2 + length:
                return
            self._keep_event(*self._read())

    def find(self, name, **headers):
        for event in self.events:
            if event.get("Event-Name") == name and all(event.get(k) == v for k, v in headers.items()):
                self.events.remove(event)
                return event
        return None

    def close(self):
        self.sock.close()


@pytest.fixture
def seed_sip():
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        esl_port, sip_port = free_port(), free_udp_port()
        (tmp / "dialplan").mkdir()
        (tmp / "scripts").mkdir()
        shutil.copy(FIXTURES / "default.xml", tmp / "dialplan" / "default.xml")
        shutil.copy(FIXTURES / "inviteToConf.lua", tmp / "scripts" / "inviteToConf.lua")
        tone_wav(tmp / "sounds" / PROMPT, 1.5)
        tone_wav(tmp / "sounds" / "announce.wav", 1.0)
        config = tmp / "switchyard.toml"
        config.write_text(
            '[general]\ndata_dir = "data"\n\n'
            '[dialplan]\nfreeswitch = ["dialplan/*.xml"]\n\n'
            '[lua]\nscripts_dir = "scripts"\n\n'
            '[media]\nprompts_dir = "sounds"\n\n'
            "[ami]\nenabled = false\n\n"
            f'[esl]\nenabled = true\nlisten = "127.0.0.1:{esl_port}"\npassword = "{PASSWORD}"\n\n'
            f'[sip]\nlisten = ["udp:127.0.0.1:{sip_port}"]\nrtp_ports = "32000-32998"\n\n'
            '[[sip.users]]\nusername = "1000"\npassword = "p1000"\ncontext = "default"\n\n'
            '[[sip.users]]\nusername = "1001"\npassword = "p1001"\ncontext = "default"\n'
        )
        with running(config, pytest.fail):
            ua = UserAgent()
            ua.ears = []
            esl = Esl(esl_port)
            try:
                yield ua, esl, sip_port, tmp
            finally:
                esl.close()
                # Media ports go before the library (their destructor needs its conference bridge).
                ua.ears.clear()
                gc.collect()
                ua.close()


def wait_event(ua, esl, name, timeout=20, **headers):
    """Runs the phone while waiting for an event."""
    found = []

    def seen():
        esl.poll()
        event = esl.find(name, **headers)
        if event:
            found.append(event)
        return bool(found)

    ua.poll_until(seen, timeout=timeout, what=f"{name} {headers}")
    return found[0]


def answer_incoming(ua, acc):
    """Answers the INVITE the phone gets; returns its call once it is up."""
    ua.poll_until(lambda: acc.incoming, what="an INVITE")
    call = acc.incoming[0]
    answer = pj.CallOpParam()
    answer.statusCode = 200
    call.answer(answer)
    ua.poll_until(lambda: pj.PJSIP_INV_STATE_CONFIRMED in call.states, what="the call up")
    return call


def invite(ua, esl, acc, timeout):
    """The seed's bgapi originate to user/1000; the phone answers. Returns (uuid, the phone's call)."""
    uuid = str(uuid4())
    job = esl.bgapi(
        f"originate {{origination_uuid={uuid},invite_timeout={timeout},"
        f"execute_on_answer='lua inviteToConf.lua'}}user/1000 &park()"
    )
    call = answer_incoming(ua, acc)
    done = wait_event(ua, esl, "BACKGROUND_JOB", **{"Job-UUID": job})
    assert done["Job-Command"] == "originate"
    return uuid, call


class Ear(pj.AudioMediaPort):
    """What the phone hears: the RMS level of every 20 ms frame of the call's received audio."""

    def __init__(self):
        super().__init__()
        self.levels = []

    def onFrameReceived(self, frame):
        data = bytes(frame.buf)
        n = len(data) // 2
        if n:
            samples = struct.unpack(f"<{n}h", data[: n * 2])
            self.levels.append(math.sqrt(sum(x * x for x in samples) / n))


def ear_on(ua, call):
    """An Ear listening to `call` (kept by the phone's agent until it closes)."""
    ear = Ear()
    fmt = pj.MediaFormatAudio()
    fmt.init(pj.PJMEDIA_FORMAT_PCM, 16000, 1, 20000, 16)
    ear.createPort("ear", fmt)
    call.getAudioMedia(-1).startTransmit(ear)
    ua.ears.append(ear)
    return ear


def listen_until(ua, ear, heard, what, timeout=5.0):
    """Runs the phone until the loudest of the last ten frames it heard (200 ms) satisfies `heard`."""
    ear.levels.clear()

    def now_heard():
        return len(ear.levels) >= 10 and heard(max(ear.levels[-10:]))

    ua.poll_until(now_heard, timeout=timeout, what=what)


def test_sip_phone_presses_1_joins_test1_and_hears_conference_play(seed_sip):
    ua, esl, sip_port, _ = seed_sip
    acc = ua.register("1000", "p1000", sip_port)
    uuid, call = invite(ua, esl, acc, 20)
    added = wait_event(ua, esl, "ADD_SCHEDULE", **{"Task-Group": uuid})
    assert added["Task-Desc"] == "switch_ivr_schedule_hangup"
    ear = ear_on(ua, call)
    listen_until(ua, ear, lambda level: level > 3000, "the prompt")
    prm = pj.CallSendDtmfParam()
    prm.method = pj.PJSUA_DTMF_METHOD_RFC2833
    prm.duration = 120
    prm.digits = "1"
    call.sendDtmf(prm)
    wait_event(ua, esl, "DEL_SCHEDULE", **{"Task-ID": added["Task-ID"]})
    joined = wait_event(ua, esl, "CUSTOM", **{"Action": "add-member", "Unique-ID": uuid})
    assert joined["Conference-Name"] == "test1"
    member = joined["Member-ID"]
    floor = wait_event(ua, esl, "CUSTOM", **{"Action": "floor-change", "Conference-Name": "test1"})
    assert (floor["Old-ID"], floor["New-ID"]) == ("none", member)
    listing = esl.api("conference test1 list")
    assert listing.startswith(f"{member};") and f";{uuid};" in listing, listing
    assert esl.api(f"uuid_getvar {uuid} invite_result") == "accepted"
    assert esl.api("show tasks") == "\n0 total.\n"

    # The end of the prompt may still be in the phone's jitter buffer: wait for the conference's silence.
    listen_until(ua, ear, lambda level: level < 500, "silence, alone in the conference")
    assert esl.api("conference test1 play announce") == "+OK (play) Playing file announce\n"
    listen_until(ua, ear, lambda level: level > 3000, "the file played into the conference")
    done = wait_event(ua, esl, "CUSTOM", **{"Action": "play-file-done", "File": "announce"})
    assert done["samples"] == "8000" and done["milliseconds"] == "1000"

    assert esl.api(f"conference test1 kick {member}") == f"+OK kicked {member}\n"
    ended = wait_event(ua, esl, "CHANNEL_HANGUP_COMPLETE", **{"Unique-ID": uuid})
    assert ended["Hangup-Cause"] == "NORMAL_CLEARING"
    ua.poll_until(lambda: pj.PJSIP_INV_STATE_DISCONNECTED in call.states, what="the BYE to the phone")
    assert esl.api("conference list") == "+OK No active conferences.\n"


def test_sip_phone_not_pressing_is_hung_up_by_sched_hangup(seed_sip):
    ua, esl, sip_port, _ = seed_sip
    acc = ua.register("1000", "p1000", sip_port)
    uuid, call = invite(ua, esl, acc, 2)
    added = wait_event(ua, esl, "ADD_SCHEDULE", **{"Task-Group": uuid})
    ended = wait_event(ua, esl, "CHANNEL_HANGUP_COMPLETE", **{"Unique-ID": uuid})
    assert ended["Hangup-Cause"] == "ALLOTTED_TIMEOUT"
    ua.poll_until(lambda: pj.PJSIP_INV_STATE_DISCONNECTED in call.states, what="the BYE to the phone")
    wait_event(ua, esl, "DEL_SCHEDULE", **{"Task-ID": added["Task-ID"]})
    assert esl.api("show tasks") == "\n0 total.\n"
    assert "test1" not in esl.api("conference list")


def test_two_sip_phones_in_test1_hear_each_other_and_the_floor_follows_the_talker(seed_sip):
    """Both phones are sent to 7001 (`originate user/100x 7001 XML default`): the first to join holds the
    floor; when the second plays a tone into its microphone it starts talking, the first hears it, and
    the floor moves to it (floor-change Old-ID/New-ID, as mod_conference scores members)."""
    ua, esl, sip_port, _ = seed_sip
    first_acc = ua.register("1000", "p1000", sip_port)
    second_acc = ua.register("1001", "p1001", sip_port)
    esl.bgapi("originate user/1000 7001 XML default")
    first = answer_incoming(ua, first_acc)
    one = wait_event(ua, esl, "CUSTOM", **{"Action": "add-member", "Conference-Name": "test1"})["Member-ID"]
    floor = wait_event(ua, esl, "CUSTOM", **{"Action": "floor-change", "New-ID": one})
    assert floor["Old-ID"] == "none"
    esl.bgapi("originate user/1001 7001 XML default")
    second = answer_incoming(ua, second_acc)
    two = wait_event(ua, esl, "CUSTOM", **{"Action": "add-member", "Conference-Name": "test1"})["Member-ID"]
    ear = ear_on(ua, first)
    listen_until(ua, ear, lambda level: level < 500, "silence while nobody talks")

    tone = pj.ToneGenerator()
    tone.createToneGenerator()
    ua.ears.append(tone)
    desc = pj.ToneDesc()
    desc.freq1, desc.freq2, desc.on_msec, desc.off_msec, desc.volume = 440, 0, 1000, 0, 0
    tones = pj.ToneDescVector()
    tones.append(desc)
    tone.play(tones, True)
    tone.startTransmit(second.getAudioMedia(-1))
    talking = wait_event(ua, esl, "CUSTOM", **{"Action": "start-talking", "Member-ID": two})
    assert talking["Talking"] == "true"
    change = wait_event(ua, esl, "CUSTOM", **{"Action": "floor-change", "New-ID": two})
    assert (change["Old-ID"], change["Floor"], change["Member-ID"]) == (one, "true", two)
    assert int(change["Current-Energy"]) > 300
    listen_until(ua, ear, lambda level: level > 3000, "the other phone's tone through the mix")
    listing = esl.api("conference test1 list")
    line = next(line for line in listing.splitlines() if line.startswith(f"{two};"))
    assert "talking|floor" in line, listing
    tone.stopTransmit(second.getAudioMedia(-1))
