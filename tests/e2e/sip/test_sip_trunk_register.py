"""Registering with a trunk (`register = true`): SIPp plays the carrier's registrar, challenges with 401
and checks our digest itself (verifyauth); AMI shows `Registry` (Registered) and ESL
`CUSTOM sofia::gateway_state` (REGED)."""

import subprocess
from pathlib import Path

SCENARIOS = Path(__file__).resolve().parent / "scenarios"

SIP_EXTRA = """
[[sip.trunks]]
name = "upstream"
host = "127.0.0.1"
port = {trunk_port}
username = "trunkuser"
password = "trunkpw"
register = true
register_expires = 300
"""


def run_registrar(switchyard):
    return subprocess.Popen(
        ["sipp", "-sf", str(SCENARIOS / "trunk_registrar.xml"), "-i", "127.0.0.1", "-p", str(switchyard.trunk_port),
         "-m", "1", "-nostdin", "-timeout", "20s", "-trace_err"],
        cwd=switchyard.workdir, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )


def test_trunk_registration_is_answered_with_digest_and_reported(switchyard, ami_watch, esl_watch):
    watch = esl_watch("CUSTOM sofia::gateway_state")
    carrier = run_registrar(switchyard)
    try:
        # The switch began registering at start; SIPp picks up a retransmission of that REGISTER.
        registry = ami_watch.event("Registry", timeout=25)
        assert carrier.wait(timeout=25) == 0, "".join(p.read_text() for p in switchyard.workdir.glob("*_errors.log"))
    finally:
        if carrier.poll() is None:
            carrier.kill()
    assert registry["Status"] == "Registered", registry
    assert (registry["ChannelType"], registry["Domain"]) == ("PJSIP", f"sip:127.0.0.1:{switchyard.trunk_port}")
    assert registry["Username"] == f"sip:trunkuser@127.0.0.1:{switchyard.trunk_port}"
    text = watch.wait_for("State: REGED")
    assert "Gateway: upstream" in text and "Expires: 120" in text
