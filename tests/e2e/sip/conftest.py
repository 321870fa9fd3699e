"""Starts the real switchyard binary with SIP (UDP and TCP on one free port), two registrar accounts,
the Event Socket for watching events, and a dialplan for the SIP end-to-end tests (SIPp, raw sockets,
pjsua2)."""

import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
import switchyard_proc  # noqa: E402
from switchyard_proc import free_port, running  # noqa: E402

# A binary built elsewhere (e.g. with CARGO_TARGET_DIR) can be tested with SWITCHYARD_BIN=path.
if os.environ.get("SWITCHYARD_BIN"):
    switchyard_proc.BINARY = Path(os.environ["SWITCHYARD_BIN"])
BINARY = switchyard_proc.BINARY

SCENARIOS = Path(__file__).resolve().parent / "scenarios"
ESL_PASSWORD = "e2e-esl"
AMI_USER, AMI_SECRET = "e2e", "e2e-ami"

EXTENSIONS = """
[public]
exten => 600,1,Answer()
same => n,Echo()
exten => 601,1,Wait(30)
exten => 602,1,Busy()
exten => 604,1,Answer()
same => n,Read(pcapdigits,,3,,,10)
same => n,Set(DB(test/pcap)=${pcapdigits})
same => n,Hangup()
exten => 603,1,Ringing()
same => n,Progress()
same => n,Wait(0.3)
same => n,Answer()
same => n,Wait(30)

[office]
exten => 700,1,Answer()
same => n,Read(digits,,4,,,10)
same => n,Set(DB(test/digits)=${digits})
same => n,Hangup()
exten => 1001,1,Dial(PJSIP/1001,10)
"""


def free_udp_tcp_port():
    for _ in range(50):
        port = free_port()
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as u:
            try:
                u.bind(("127.0.0.1", port))
            except OSError:
                continue
        return port
    raise RuntimeError("no free port for both UDP and TCP")


class Switchyard:
    def __init__(self, sip_port, esl_port, config, proc, workdir, trunk_port, ami_port):
        self.host = "127.0.0.1"
        self.ami_port = ami_port
        self.trunk_port = trunk_port
        self.sip_port = sip_port
        self.esl_port = esl_port
        self.config = config
        self.proc = proc
        self.workdir = Path(workdir)

    def cli(self, command):
        out = subprocess.run(
            [str(BINARY), "cli", "--config", str(self.config), "-x", command],
            capture_output=True,
            text=True,
            timeout=20,
        )
        return out.stdout

    def sipp(self, scenario, service, *extra, transport="u1", calls=1, timeout=20):
        """Runs one SIPp scenario from scenarios/; returns (exit code, output of its error log)."""
        if shutil.which("sipp") is None:
            pytest.fail("sipp is missing: scripts/test.sh installs the Debian package sip-tester")
        args = [
            "sipp",
            f"{self.host}:{self.sip_port}",
            "-sf",
            str(SCENARIOS / scenario),
            "-s",
            service,
            "-i",
            "127.0.0.1",
            "-p",
            str(free_udp_tcp_port()),
            "-t",
            transport,
            "-m",
            str(calls),
            "-nostdin",
            "-timeout",
            f"{timeout}s",
            "-trace_err",
            *extra,
        ]
        res = subprocess.run(args, cwd=self.workdir, capture_output=True, text=True, timeout=timeout + 10)
        errors = "".join(p.read_text(errors="replace") for p in self.workdir.glob("*_errors.log"))
        for p in self.workdir.glob("*_errors.log"):
            p.unlink()
        return res.returncode, errors


@pytest.fixture
def switchyard(request):
    # A test module may add `[sip]` settings (and tables) with a module-level SIP_EXTRA string, where
    # `{trunk_port}` stands for the port the test's carrier (SIPp) listens on.
    sip_extra = getattr(request.module, "SIP_EXTRA", "")
    with tempfile.TemporaryDirectory() as tmp:
        sip_port, esl_port, trunk_port = free_udp_tcp_port(), free_port(), free_udp_tcp_port()
        ami_port = free_port()
        sip_extra = sip_extra.replace("{trunk_port}", str(trunk_port))
        config = Path(tmp) / "switchyard.toml"
        extensions = Path(tmp) / "extensions.conf"
        extensions.write_text(EXTENSIONS)
        config.write_text(
            '[general]\ndata_dir = "data"\n\n'
            f'[dialplan]\nasterisk = ["{extensions}"]\n\n'
            f'[ami]\nenabled = true\nlisten = "127.0.0.1:{ami_port}"\n\n'
            f'[[ami.users]]\nusername = "{AMI_USER}"\nsecret = "{AMI_SECRET}"\n\n'
            f'[esl]\nenabled = true\nlisten = "127.0.0.1:{esl_port}"\npassword = "{ESL_PASSWORD}"\n\n'
            f'[sip]\nlisten = ["udp:127.0.0.1:{sip_port}", "tcp:127.0.0.1:{sip_port}"]\n'
            'rtp_ports = "31000-31998"\n'
            f"{sip_extra}\n"
            '[[sip.users]]\nusername = "1000"\npassword = "p1000"\ncontext = "office"\n\n'
            '[[sip.users]]\nusername = "1001"\npassword = "p1001"\ncontext = "office"\n\n'
            f'[[sip.trunks]]\nname = "carrier"\nhost = "127.0.0.1"\nport = {trunk_port}\n'
            'username = "trunkuser"\npassword = "trunkpw"\n'
        )
        with running(config, pytest.fail) as proc:
            yield Switchyard(sip_port, esl_port, config, proc, tmp, trunk_port, ami_port)


class EslWatch:
    """A raw Event Socket connection subscribed to some events; `wait_for` reads until a text appears."""

    def __init__(self, port, events):
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=10)
        self.buf = b""
        self._until(b"auth/request")
        self.sock.sendall(f"auth {ESL_PASSWORD}\n\n".encode())
        self._until(b"+OK accepted")
        self.sock.sendall(f"event plain {events}\n\n".encode())
        self._until(b"+OK event listener enabled")
        self.buf = b""

    def _until(self, needle, timeout=10):
        deadline = time.monotonic() + timeout
        while needle not in self.buf:
            left = deadline - time.monotonic()
            if left <= 0:
                raise AssertionError(f"{needle!r} not seen in {timeout}s; got {self.buf[-2000:]!r}")
            self.sock.settimeout(left)
            chunk = self.sock.recv(65536)
            if not chunk:
                raise AssertionError(f"ESL closed before {needle!r}")
            self.buf += chunk

    def wait_for(self, text, timeout=10):
        """Waits for url-encoded `text` (as it appears in a plain event) and returns everything read."""
        self._until(text.encode(), timeout)
        return self.buf.decode(errors="replace")

    def close(self):
        self.sock.close()


@pytest.fixture
def ua():
    """A pjsua2 user agent (imported here so suites without pjsua2 tests do not load it)."""
    from pjua import UserAgent

    agent = UserAgent()
    yield agent
    agent.close()


class AmiWatch:
    """A raw AMI connection logged in with every privilege; `wait_for` reads until a text appears."""

    def __init__(self, port):
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=10)
        self.buf = b""
        self.wait_for("Asterisk Call Manager/")
        self.sock.sendall(f"Action: Login\r\nUsername: {AMI_USER}\r\nSecret: {AMI_SECRET}\r\n\r\n".encode())
        self.wait_for("Message: Authentication accepted")
        self.buf = b""

    def _read_until(self, done, timeout):
        deadline = time.monotonic() + timeout
        while not done(self.buf):
            left = deadline - time.monotonic()
            if left <= 0:
                raise AssertionError(f"not seen in {timeout}s; got {self.buf[-2000:]!r}")
            self.sock.settimeout(left)
            chunk = self.sock.recv(65536)
            if not chunk:
                raise AssertionError("AMI closed")
            self.buf += chunk

    def wait_for(self, text, timeout=10):
        """Waits for `text` and returns everything read so far."""
        self._read_until(lambda b: text.encode() in b, timeout)
        return self.buf.decode(errors="replace")

    def event(self, name, timeout=10):
        """The first complete `name` event read, as a dict."""
        marker = f"Event: {name}\r\n".encode()
        self._read_until(lambda b: marker in b and b"\r\n\r\n" in b[b.index(marker) :], timeout)
        start = self.buf.index(marker)
        block = self.buf[start:].split(b"\r\n\r\n", 1)[0].decode(errors="replace")
        return dict(line.split(": ", 1) for line in block.split("\r\n") if ": " in line)


@pytest.fixture
def ami_watch(switchyard):
    w = AmiWatch(switchyard.ami_port)
    yield w
    w.sock.close()


@pytest.fixture
def esl_watch(switchyard):
    watches = []

    def make(events):
        w = EslWatch(switchyard.esl_port, events)
        watches.append(w)
        return w

    yield make
    for w in watches:
        w.close()


@pytest.fixture
def trunk_registrar(switchyard, ami_watch):
    """SIPp plays the carrier's registrar on the trunk port (trunk_registrar.xml: a 401 challenge, then
    SIPp checks our digest itself) for one REGISTER; `register()` waits for it and returns the AMI
    `Registry` event that follows. SIPp's messages stay in the work directory (`*_messages.log`)."""

    def register():
        carrier = subprocess.Popen(
            ["sipp", "-sf", str(SCENARIOS / "trunk_registrar.xml"), "-i", "127.0.0.1",
             "-p", str(switchyard.trunk_port), "-m", "1", "-nostdin", "-timeout", "20s", "-trace_err", "-trace_msg"],
            cwd=switchyard.workdir, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
        try:
            # The switch began registering at start; SIPp picks up a retransmission of that REGISTER.
            registry = ami_watch.event("Registry", timeout=25)
            errors = lambda: "".join(p.read_text() for p in switchyard.workdir.glob("*_errors.log"))  # noqa: E731
            assert carrier.wait(timeout=25) == 0, errors()
        finally:
            if carrier.poll() is None:
                carrier.kill()
        return registry

    return register
