"""Runs the real switchyard binary for the end-to-end suites: a free port, and a switch started on a
config file that is ready once its banner's last line is printed and is always stopped afterwards."""

import contextlib
import os
import socket
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
BINARY = ROOT / "target" / "debug" / "switchyard"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def running(config, fail):
    """Starts `switchyard run --config <config>`; yields the process once it serves; `fail` reports errors."""
    if not BINARY.exists():
        fail(f"{BINARY} is missing: run `cargo build -p switchyard` first")
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
            fail("switchyard exited before printing its banner")
        yield proc
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
