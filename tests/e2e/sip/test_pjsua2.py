"""pjsua2 (PJSIP) as a real phone: it registers with digest, calls an extension that Reads four digits
and stores them in AstDB, the digits sent as SIP INFO (application/dtmf-relay) or RFC 4733 RTP events;
`database get` through the console shows them. Two phones bridged by Dial(PJSIP/1001) exchange RTP
both ways through the switch."""

import pjsua2 as pj
import pytest

from pjua import connected, disconnected


@pytest.mark.parametrize(
    "method,digits",
    [(pj.PJSUA_DTMF_METHOD_SIP_INFO, "4321"), (pj.PJSUA_DTMF_METHOD_RFC2833, "5678")],
    ids=["sip-info", "rfc4733"],
)
def test_register_call_and_dtmf_into_astdb(switchyard, ua, method, digits):
    acc = ua.register("1000", "p1000", switchyard.sip_port)
    call = ua.call(acc, f"sip:700@127.0.0.1:{switchyard.sip_port}")
    ua.poll_until(lambda: connected(call), what="answer")
    ua.pump(0.3)
    prm = pj.CallSendDtmfParam()
    prm.method = method
    prm.duration = 100
    for digit in digits:
        prm.digits = digit
        call.sendDtmf(prm)
        ua.pump(0.25)
    ua.poll_until(lambda: disconnected(call), what="hangup by the dialplan")
    assert digits in switchyard.cli("database get test digits")


def test_two_phones_bridged_through_dial_pjsip(switchyard, ua, esl_watch):
    watch = esl_watch("CHANNEL_BRIDGE CHANNEL_HANGUP_COMPLETE")
    caller = ua.register("1000", "p1000", switchyard.sip_port)
    callee = ua.register("1001", "p1001", switchyard.sip_port)
    call, leg = ua.bridged_pair(caller, callee, switchyard.sip_port)
    watch.wait_for("Event-Name: CHANNEL_BRIDGE")
    ua.pump(1.0)
    caller_rx, caller_tx = ua.rtp_counts(call)
    callee_rx, callee_tx = ua.rtp_counts(leg)
    assert min(caller_tx, callee_tx) > 10, (caller_tx, callee_tx)
    assert min(caller_rx, callee_rx) > 10, (caller_rx, callee_rx)
    call.hangup(pj.CallOpParam())
    ua.poll_until(lambda: disconnected(leg), what="the BYE reaching 1001")
    text = watch.wait_for("Event-Name: CHANNEL_HANGUP_COMPLETE")
    assert "Hangup-Cause: NORMAL_CLEARING" in text
