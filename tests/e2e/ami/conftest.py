"""Starts the real switchyard binary with the Asterisk Manager Interface on a free port for the AMI
client tests (panoramisk, asterisk-ami and raw sockets)."""

import sys
import tempfile
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from switchyard_proc import free_port, running  # noqa: E402

USERNAME = "e2e"
SECRET = "e2e-s3cret"

# The oracle transcript's dialplan: two hangup handlers pushed, then a hangup.
EXTENSIONS = """
[test]
exten => 100,1,Answer()
same => n,Set(CHANNEL(hangup_handler_push)=hdlr,s,1(one,two))
same => n,Set(CHANNEL(hangup_handler_push)=hdlr,s,1(three,four))
same => n,Wait(0.05)
same => n,Hangup()
exten => h,1,NoOp(h-exten)

[hdlr]
exten => s,1,NoOp(handler ${ARG1} ${ARG2})
same => n,Return()
"""


class Switchyard:
    def __init__(self, port, proc, workdir):
        self.host = "127.0.0.1"
        self.port = port
        self.username = USERNAME
        self.secret = SECRET
        self.proc = proc
        self.workdir = workdir


@pytest.fixture
def switchyard():
    with tempfile.TemporaryDirectory() as tmp:
        port = free_port()
        config = Path(tmp) / "switchyard.toml"
        extensions = Path(tmp) / "extensions.conf"
        extensions.write_text(EXTENSIONS)
        config.write_text(
            '[general]\ndata_dir = "data"\n\n'
            f'[dialplan]\nasterisk = ["{extensions}"]\n\n'
            "[bus]\nsubscriber_queue = 1024\n\n"
            "[esl]\nenabled = false\n\n"
            f'[ami]\nenabled = true\nlisten = "127.0.0.1:{port}"\n\n'
            f'[[ami.users]]\nusername = "{USERNAME}"\nsecret = "{SECRET}"\n\n'
            '[[ami.users]]\nusername = "elsewhere"\nsecret = "x"\npermit = ["10.99.0.0/16"]\n'
        )
        with running(config, pytest.fail) as proc:
            yield Switchyard(port, proc, tmp)
