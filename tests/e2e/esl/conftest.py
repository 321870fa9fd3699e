"""Starts the real switchyard binary with an Event Socket on a free port for the ESL client tests."""

import os
import socket
import subprocess
import tempfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]
BINARY = ROOT / "target" / "debug" / "switchyard"
PASSWORD = "e2e-s3cret"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Switchyard:
    def __init__(self, port, proc, workdir):
        self.host = "127.0.0.1"
        self.port = port
        self.password = PASSWORD
        self.proc = proc
        self.workdir = workdir


@pytest.fixture
def switchyard():
    yield from start()


def start(extensions_conf=None):
    """Runs the binary until the test ends; `extensions_conf` becomes its Asterisk dialplan."""
    if not BINARY.exists():
        pytest.fail(f"{BINARY} is missing: run `cargo build -p switchyard` first")
    with tempfile.TemporaryDirectory() as tmp:
        port = free_port()
        config = Path(tmp) / "switchyard.toml"
        dialplan = ""
        if extensions_conf is not None:
            (Path(tmp) / "extensions.conf").write_text(extensions_conf)
            dialplan = '[dialplan]\nasterisk = ["extensions.conf"]\n\n'
        config.write_text(
            '[general]\ndata_dir = "data"\n\n'
            + dialplan
            + "[ami]\nenabled = false\n\n"
            f'[esl]\nenabled = true\nlisten = "127.0.0.1:{port}"\npassword = "{PASSWORD}"\n'
        )
        proc = subprocess.Popen(
            [str(BINARY), "run", "--config", str(config)],
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
            env={**os.environ, "RUST_LOG": "warn"},
        )
        try:
            for line in proc.stdout:
                if "Stop with Ctrl-C" in line:
                    break
            else:
                pytest.fail("switchyard exited before printing its banner")
            yield Switchyard(port, proc, tmp)
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
