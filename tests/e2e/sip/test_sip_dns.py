"""Host names instead of IP addresses: a trunk with `host = "localhost"` and dial strings
`sofia/internal/1000@localhost:port` / `SIP/1000@localhost:port` reach SIPp on 127.0.0.1 with the name
kept in the Request-URI and To (the scenario checks both); names that never resolve (`.invalid`,
RFC 6761) fail the call with the cause the originals give, and the switch carries on."""

import subprocess
from pathlib import Path

SCENARIOS = Path(__file__).resolve().parent / "scenarios"

SIP_EXTRA = """
[[sip.trunks]]
name = "named"
host = "localhost"
port = {trunk_port}

[[sip.trunks]]
name = "dead"
host = "no-such-carrier.invalid"
"""


def run_peer(switchyard, calls):
    return subprocess.Popen(
        ["sipp", "-sf", str(SCENARIOS / "named_uas.xml"), "-i", "127.0.0.1", "-p", str(switchyard.trunk_port),
         "-m", str(calls), "-nostdin", "-timeout", "20s", "-trace_err"],
        cwd=switchyard.workdir, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )


def peer_done(switchyard, peer):
    try:
        code = peer.wait(timeout=25)
    finally:
        if peer.poll() is None:
            peer.kill()
    return code, "".join(p.read_text(errors="replace") for p in switchyard.workdir.glob("*_errors.log"))


def test_trunk_with_a_host_name_is_called_at_its_address(switchyard, esl_watch):
    watch = esl_watch("CHANNEL_HANGUP_COMPLETE")
    peer = run_peer(switchyard, 1)
    out = switchyard.cli("originate sofia/gateway/named/5551234 &park()")
    assert "+OK" in out, out
    assert peer_done(switchyard, peer) == (0, "")
    text = watch.wait_for("Hangup-Cause: NORMAL_CLEARING")
    assert "sofia/gateway/named/5551234" in text


def test_dial_strings_with_a_host_name(switchyard):
    peer = run_peer(switchyard, 2)
    for dial in (f"sofia/internal/1000@localhost:{switchyard.trunk_port}", f"SIP/2000@localhost:{switchyard.trunk_port}"):
        out = switchyard.cli(f"originate {dial} &park()")
        assert "+OK" in out, (dial, out)
    assert peer_done(switchyard, peer) == (0, "")


def test_unresolvable_names_fail_the_call_with_the_originals_cause(switchyard):
    # FreeSWITCH: sofia-sip answers a failed lookup with a local "503 DNS Error" -> NORMAL_TEMPORARY_FAILURE.
    assert switchyard.cli("originate sofia/gateway/dead/5551234 &park()").strip() == "-ERR NORMAL_TEMPORARY_FAILURE"
    out = switchyard.cli("originate sofia/internal/1000@nowhere.invalid:5060 &park()")
    assert out.strip() == "-ERR NORMAL_TEMPORARY_FAILURE"
    # Asterisk chan_sip: "No such host" is AST_CAUSE_UNREGISTERED (20), Dial's CHANUNAVAIL.
    assert switchyard.cli("originate SIP/5551234@dead &park()").strip() == "-ERR SUBSCRIBER_ABSENT"
    assert switchyard.cli("originate SIP/1000@nowhere.invalid &park()").strip() == "-ERR SUBSCRIBER_ABSENT"
    # chan_pjsip: pjproject fails the INVITE with 503, hangup_sip2cause makes it CONGESTION (34).
    assert switchyard.cli("originate PJSIP/5551234@dead &park()").strip() == "-ERR NORMAL_CIRCUIT_CONGESTION"
    # A second call to the same name is answered from the cache the same way; the switch still serves.
    assert switchyard.cli("originate SIP/1000@nowhere.invalid &park()").strip() == "-ERR SUBSCRIBER_ABSENT"
    assert switchyard.proc.poll() is None
    peer = run_peer(switchyard, 1)
    assert "+OK" in switchyard.cli("originate sofia/gateway/named/5551234 &park()")
    assert peer_done(switchyard, peer) == (0, "")


def test_a_bad_host_in_a_dial_string_is_refused_with_the_reason(switchyard):
    out = switchyard.cli("originate SIP/1000@bad_host:5060 &park()")
    assert out.startswith("-ERR"), out
    assert switchyard.proc.poll() is None
