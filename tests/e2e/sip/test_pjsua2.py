"""pjsua2 (PJSIP) as a real phone: it registers with digest, calls an extension that Reads four digits
and stores them in AstDB; the digits are sent as SIP INFO (application/dtmf-relay); `database get`
through the console shows them."""

import pjsua2 as pj
import pytest

from pjua import UserAgent


@pytest.fixture
def ua():
    agent = UserAgent()
    yield agent
    agent.close()


def connected(call):
    return pj.PJSIP_INV_STATE_CONFIRMED in call.states


def disconnected(call):
    return pj.PJSIP_INV_STATE_DISCONNECTED in call.states


def test_register_call_and_info_dtmf_into_astdb(switchyard, ua):
    acc = ua.register("1000", "p1000", switchyard.sip_port)
    call = ua.call(acc, f"sip:700@127.0.0.1:{switchyard.sip_port}")
    ua.poll_until(lambda: connected(call), what="answer")
    prm = pj.CallSendDtmfParam()
    prm.method = pj.PJSUA_DTMF_METHOD_SIP_INFO
    for digit in "4321":
        prm.digits = digit
        call.sendDtmf(prm)
        ua.ep.libHandleEvents(50)
    ua.poll_until(lambda: disconnected(call), what="hangup by the dialplan")
    assert "4321" in switchyard.cli("database get test digits")


def test_two_phones_bridged_through_dial_pjsip(switchyard, ua, esl_watch):
    watch = esl_watch("CHANNEL_BRIDGE CHANNEL_HANGUP_COMPLETE")
    caller = ua.register("1000", "p1000", switchyard.sip_port)
    callee = ua.register("1001", "p1001", switchyard.sip_port)
    call = ua.call(caller, f"sip:1001@127.0.0.1:{switchyard.sip_port}")
    ua.poll_until(lambda: callee.incoming, what="the INVITE to 1001")
    leg = callee.incoming[0]
    answer = pj.CallOpParam()
    answer.statusCode = 200
    leg.answer(answer)
    ua.poll_until(lambda: connected(call) and connected(leg), what="both legs up")
    watch.wait_for("Event-Name: CHANNEL_BRIDGE")
    call.hangup(pj.CallOpParam())
    ua.poll_until(lambda: disconnected(leg), what="the BYE reaching 1001")
    text = watch.wait_for("Event-Name: CHANNEL_HANGUP_COMPLETE")
    assert "Hangup-Cause: NORMAL_CLEARING" in text
