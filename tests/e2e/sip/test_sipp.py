"""SIPp against the real switch: registration with MD5 digest, calls over UDP and TCP through an
extensions.conf extension that answers and runs Echo(), CANCEL while ringing (ORIGINATOR_CANCEL on the Event Socket),
Busy() answered 486, and an outgoing call through a trunk that challenges it (SIPp as the carrier)."""

import subprocess
from pathlib import Path

SCENARIOS = Path(__file__).resolve().parent / "scenarios"


def test_register_with_digest_is_reported_on_esl(switchyard, esl_watch):
    watch = esl_watch("CUSTOM sofia::register sofia::register_failure")
    code, errors = switchyard.sipp("register.xml", "1000", "-au", "1000", "-ap", "p1000")
    assert code == 0, errors
    text = watch.wait_for("Event-Subclass: sofia%3A%3Aregister\n")
    assert "username: 1000" in text


def test_register_is_contact_and_peer_status_on_ami(switchyard, ami_watch):
    code, errors = switchyard.sipp("register.xml", "1000", "-au", "1000", "-ap", "p1000")
    assert code == 0, errors
    contact = ami_watch.event("ContactStatus")
    assert (contact["ContactStatus"], contact["AOR"], contact["EndpointName"]) == ("Created", "1000", "1000")
    assert contact["URI"].startswith("sip:1000@")
    peer = ami_watch.event("PeerStatus")
    assert (peer["ChannelType"], peer["Peer"], peer["PeerStatus"]) == ("PJSIP", "PJSIP/1000", "Reachable")


def test_wrong_password_is_a_security_event_on_ami(switchyard, ami_watch):
    code, errors = switchyard.sipp("register_wrong.xml", "1000", "-au", "1000", "-ap", "wrong")
    assert code == 0, errors
    failed = ami_watch.event("ChallengeResponseFailed")
    assert (failed["Service"], failed["AccountID"]) == ("PJSIP", "1000")


def test_wrong_password_is_403_and_reported(switchyard, esl_watch):
    watch = esl_watch("CUSTOM sofia::register_failure")
    code, errors = switchyard.sipp("register_wrong.xml", "1000", "-au", "1000", "-ap", "wrong")
    assert code == 0, errors
    text = watch.wait_for("reason: wrong%20password")
    assert "to-user: 1000" in text


def test_call_answer_and_bye_over_udp(switchyard, esl_watch):
    watch = esl_watch("CHANNEL_HANGUP_COMPLETE")
    code, errors = switchyard.sipp("call.xml", "600", calls=3)
    assert code == 0, errors
    text = watch.wait_for("Hangup-Cause: NORMAL_CLEARING")
    assert "Caller-Destination-Number: 600" in text


def test_call_answer_and_bye_over_tcp(switchyard):
    code, errors = switchyard.sipp("call.xml", "600", transport="t1")
    assert code == 0, errors


def test_cancel_while_ringing_is_487_and_originator_cancel(switchyard, esl_watch):
    watch = esl_watch("CHANNEL_HANGUP_COMPLETE")
    code, errors = switchyard.sipp("cancel.xml", "601")
    assert code == 0, errors
    watch.wait_for("Hangup-Cause: ORIGINATOR_CANCEL")


def test_busy_extension_answers_486(switchyard):
    code, errors = switchyard.sipp("busy.xml", "602")
    assert code == 0, errors


def test_outgoing_call_through_an_authenticating_trunk(switchyard, esl_watch):
    watch = esl_watch("CHANNEL_HANGUP_COMPLETE")
    carrier = subprocess.Popen(
        ["sipp", "-sf", str(SCENARIOS / "trunk_uas.xml"), "-i", "127.0.0.1", "-p", str(switchyard.trunk_port),
         "-m", "1", "-nostdin", "-timeout", "15s", "-trace_err"],
        cwd=switchyard.workdir, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    try:
        out = switchyard.cli("originate sofia/gateway/carrier/5551234 &park()")
        assert "+OK" in out, out
        assert carrier.wait(timeout=20) == 0, "".join(p.read_text() for p in switchyard.workdir.glob("*_errors.log"))
    finally:
        if carrier.poll() is None:
            carrier.kill()
    text = watch.wait_for("Hangup-Cause: NORMAL_CLEARING")
    assert "sofia/gateway/carrier/5551234" in text


def test_ringing_and_progress_give_180_and_183(switchyard):
    code, errors = switchyard.sipp("ringing.xml", "603")
    assert code == 0, errors


def test_pcap_played_rfc4733_digits_reach_read(switchyard):
    """SIPp plays captured RTP (telephone-events 1, 2, 3) into a call; Read() collects them."""
    code, errors = switchyard.sipp("pcap_dtmf.xml", "604")
    assert code == 0, errors
    assert "123" in switchyard.cli("database get test pcap")
