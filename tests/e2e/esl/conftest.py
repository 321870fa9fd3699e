"""Starts the real switchyard binary with an Event Socket on a free port for the ESL client tests."""

import sys
import tempfile
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from switchyard_proc import free_port, running  # noqa: E402

PASSWORD = "e2e-s3cret"


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


@pytest.fixture
def start_switchyard():
    """The `start` function, for tests that give the switch their own dialplan (test modules cannot
    import `conftest` by name: every suite directory has one)."""
    return start


def start(extensions_conf=None):
    """Runs the binary until the test ends; `extensions_conf` becomes its Asterisk dialplan."""
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
        with running(config, pytest.fail) as proc:
            yield Switchyard(port, proc, tmp)
