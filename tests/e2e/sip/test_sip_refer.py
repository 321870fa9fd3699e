"""Blind transfer by SIP REFER with pjsua2 phones: 1000 calls 1001 through Dial(PJSIP/1001); 1001
transfers the call (`Call.xfer`) to 700, which Reads four digits into AstDB. The switch answers 202,
reports `100 Trying` then `200 OK` in sipfrag NOTIFYs, hangs up 1001 (NORMAL_CLEARING) and 1000 lands
in 700, where its DTMF is read; AMI shows `BlindTransfer` (`IsExternal: Yes`). A REFER to an extension
that does not exist gets a 404 sipfrag (AMI `Result: Invalid`) and the call stays up."""

import pjsua2 as pj

from pjua import connected, disconnected
from sipphone import register


def bridged_call(switchyard, ua, watch):
    caller = register(ua, "1000", "p1000", switchyard.sip_port)
    callee = register(ua, "1001", "p1001", switchyard.sip_port)
    call, leg = ua.bridged_pair(caller, callee, switchyard.sip_port)
    watch.wait_for("Event-Name: CHANNEL_BRIDGE")
    return call, leg


def test_refer_transfers_the_bridged_caller_into_the_dialplan(switchyard, ua, esl_watch, ami_watch):
    watch = esl_watch("CHANNEL_BRIDGE CHANNEL_HANGUP_COMPLETE CHANNEL_EXECUTE")
    call, leg = bridged_call(switchyard, ua, watch)
    leg.xfer(f"sip:700@127.0.0.1:{switchyard.sip_port}", pj.CallOpParam(True))
    ua.poll_until(lambda: (200, True) in leg.xfer_status, what="the final NOTIFY of the transfer")
    assert leg.xfer_status[0] == (100, False)
    ua.poll_until(lambda: disconnected(leg), what="the transferer hung up")
    watch.wait_for("Application: Read")
    # The transferer's hangup and the transferee's Read may come in either order: wait for both.
    text = watch.wait_for("Event-Name: CHANNEL_HANGUP_COMPLETE")
    hangup = text[text.index("Event-Name: CHANNEL_HANGUP_COMPLETE") :]
    assert "Hangup-Cause: NORMAL_CLEARING" in hangup
    assert "Caller-Destination-Number: 1001" in hangup or "Caller-Callee-ID-Number: 1001" in hangup
    assert connected(call) and not disconnected(call)
    xfer = ami_watch.event("BlindTransfer")
    assert (xfer["Result"], xfer["IsExternal"], xfer["Context"], xfer["Extension"]) == ("Success", "Yes", "office", "700")
    assert xfer["TransfererChannel"].startswith("PJSIP/1001-")
    assert xfer["TransfereeChannel"].startswith("SIP/1000")
    prm = pj.CallSendDtmfParam()
    prm.method = pj.PJSUA_DTMF_METHOD_SIP_INFO
    prm.duration = 100
    for digit in "2468":
        prm.digits = digit
        call.sendDtmf(prm)
        ua.pump(0.2)
    ua.poll_until(lambda: disconnected(call), what="hangup by 700 after Read")
    assert "2468" in switchyard.cli("database get test digits")


def test_refer_to_an_unknown_extension_is_404_and_the_call_stays(switchyard, ua, esl_watch, ami_watch):
    watch = esl_watch("CHANNEL_BRIDGE CHANNEL_HANGUP_COMPLETE")
    call, leg = bridged_call(switchyard, ua, watch)
    leg.xfer(f"sip:7999@127.0.0.1:{switchyard.sip_port}", pj.CallOpParam(True))
    ua.poll_until(lambda: any(final for _, final in leg.xfer_status), what="the final NOTIFY of the transfer")
    assert leg.xfer_status[-1] == (404, True)
    xfer = ami_watch.event("BlindTransfer")
    assert (xfer["Result"], xfer["Extension"]) == ("Invalid", "7999")
    ua.pump(0.3)
    assert connected(call) and connected(leg)
    assert not disconnected(call) and not disconnected(leg)
    assert "CHANNEL_HANGUP_COMPLETE" not in watch.buf.decode(errors="replace")
    call.hangup(pj.CallOpParam())
    ua.poll_until(lambda: disconnected(leg), what="the BYE reaching 1001")
