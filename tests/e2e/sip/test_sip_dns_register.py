"""Registering with a trunk known by host name (`host = "localhost"`): the REGISTER goes to 127.0.0.1
(SIPp plays the registrar and checks our digest), and the Request-URI, To and the reported domain keep
the name, as FreeSWITCH's gateway and Asterisk's Registry show the configured host."""

import subprocess
from pathlib import Path

SCENARIOS = Path(__file__).resolve().parent / "scenarios"

SIP_EXTRA = """
[[sip.trunks]]
name = "upstream"
host = "localhost"
port = {trunk_port}
username = "trunkuser"
password = "trunkpw"
register = true
register_expires = 300
"""


def test_trunk_registration_by_host_name(switchyard, ami_watch, esl_watch):
    watch = esl_watch("CUSTOM sofia::gateway_state")
    carrier = subprocess.Popen(
        ["sipp", "-sf", str(SCENARIOS / "trunk_registrar.xml"), "-i", "127.0.0.1", "-p", str(switchyard.trunk_port),
         "-m", "1", "-nostdin", "-timeout", "20s", "-trace_err", "-trace_msg"],
        cwd=switchyard.workdir, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    try:
        registry = ami_watch.event("Registry", timeout=25)
        assert carrier.wait(timeout=25) == 0, "".join(p.read_text() for p in switchyard.workdir.glob("*_errors.log"))
    finally:
        if carrier.poll() is None:
            carrier.kill()
    assert registry["Status"] == "Registered", registry
    assert registry["Domain"] == f"sip:localhost:{switchyard.trunk_port}"
    assert registry["Username"] == f"sip:trunkuser@localhost:{switchyard.trunk_port}"
    text = watch.wait_for("State: REGED")
    assert "Gateway: upstream" in text
    seen = "".join(p.read_text(errors="replace") for p in switchyard.workdir.glob("*_messages.log"))
    assert f"REGISTER sip:localhost:{switchyard.trunk_port} SIP/2.0" in seen
