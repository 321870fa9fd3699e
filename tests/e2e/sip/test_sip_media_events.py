"""Media events of SIP calls seen by the control protocols, with pjsua2 (PJSIP) as the phones: an RFC 4733
digit received from a phone is AMI DTMFBegin/DTMFEnd (Direction Received) and ESL DTMF; a bridged call's
RTCP is AMI RTCPSent/RTCPReceived on the switch, and the phones receive and parse our RTCP compound
(SR/RR + SDES CNAME) — pjsua reports our CNAME and the report blocks about its own stream."""

import pjsua2 as pj
import pytest

from pjua import UserAgent

# pjmedia and the switch both send RTCP about every 5 s; allow for the first interval plus slack.
RTCP_WAIT = 15


@pytest.fixture
def phone():
    agent = UserAgent()
    yield agent
    agent.close()


def connected(call):
    return pj.PJSIP_INV_STATE_CONFIRMED in call.states


def test_rfc4733_digit_is_dtmf_begin_end_on_ami_and_dtmf_on_esl(switchyard, phone, ami_watch, esl_watch):
    esl = esl_watch("DTMF")
    acc = phone.register("1000", "p1000", switchyard.sip_port)
    call = phone.call(acc, f"sip:700@127.0.0.1:{switchyard.sip_port}")
    phone.poll_until(lambda: connected(call), what="answer")
    phone.pump(0.3)
    prm = pj.CallSendDtmfParam()
    prm.method = pj.PJSUA_DTMF_METHOD_RFC2833
    prm.duration = 120
    prm.digits = "7"
    call.sendDtmf(prm)
    phone.pump(0.4)
    begin = ami_watch.event("DTMFBegin")
    assert (begin["Digit"], begin["Direction"]) == ("7", "Received"), begin
    assert begin["Channel"].startswith(("PJSIP/1000", "SIP/1000")), begin
    end = ami_watch.event("DTMFEnd")
    assert (end["Digit"], end["Direction"], end["Uniqueid"]) == ("7", "Received", begin["Uniqueid"]), end
    assert ami_watch.buf.index(b"Event: DTMFBegin") < ami_watch.buf.index(b"Event: DTMFEnd"), "begin, then end"
    # The phone's own duration (prm.duration, 120 ms), as its 20 ms RTP packets may round it up; not
    # the 100 ms default a digit without a known end gets.
    assert 120 <= int(end["DurationMs"]) <= 200, end
    text = esl.wait_for("DTMF-Source: ")  # the last header FreeSWITCH writes (src/switch_channel.c)
    assert "Event-Name: DTMF\n" in text and "DTMF-Digit: 7\n" in text, text
    assert text.count("Event-Name: DTMF\n") == 1, f"one DTMF event per digit: {text}"
    samples = int(text.split("DTMF-Duration: ")[1].split("\n")[0])
    assert samples == int(end["DurationMs"]) * 8, text
    call.hangup(pj.CallOpParam())


def rtcp_sent_with_a_report(ami_watch, timeout):
    """The first `RTCPSent` with a report block, sent after more than 50 RTP packets, as a dict."""

    def parse(block):
        text = block.decode(errors="replace")
        return dict(line.split(": ", 1) for line in text.split("\r\n") if ": " in line)

    def found(buf):
        events = [parse(b) for b in buf.split(b"\r\n\r\n") if b.startswith(b"Event: RTCPSent\r\n")]
        return [e for e in events if e.get("ReportCount") == "1" and int(e.get("SentPackets", "0")) > 50]

    ami_watch._read_until(lambda buf: found(buf), timeout)
    return found(ami_watch.buf)[0]


def test_bridged_call_reports_rtcp_both_ways(switchyard, phone, ami_watch):
    caller = phone.register("1000", "p1000", switchyard.sip_port)
    callee = phone.register("1001", "p1001", switchyard.sip_port)
    call, leg = phone.bridged_pair(caller, callee, switchyard.sip_port)

    def our_rtcp_parsed(c):
        rtcp = c.getStreamStat(0).rtcp
        return rtcp.txStat.updateCount > 0

    phone.poll_until(lambda: our_rtcp_parsed(call) and our_rtcp_parsed(leg), RTCP_WAIT, "our RTCP at both phones")
    # pjmedia keeps the SDES of the last RTCP it parsed (read only once one arrived: before, it is unset).
    assert call.getStreamStat(0).rtcp.peerSdes.cname.startswith("switchyard@")
    # A leg's first report may come before it has sent or received much RTP (RFC 3550 allows an SR with no
    # report block): take the first one made while RTP flowed both ways.
    sent = rtcp_sent_with_a_report(ami_watch, RTCP_WAIT)
    assert sent["PT"] == "200(SR)", sent
    assert sent["SSRC"].startswith("0x") and len(sent["SSRC"]) == 10, sent
    assert sent["ReportCount"] == "1" and int(sent["Report0FractionLost"]) == 0, sent
    assert int(sent["SentPackets"]) > 50 and "." in sent["SentNTP"], sent
    assert sent["To"].startswith("127.0.0.1:") and sent["Channel"], sent
    received = ami_watch.event("RTCPReceived", timeout=RTCP_WAIT)
    assert received["PT"] in ("200(SR)", "201(RR)"), received
    if received["PT"] == "200(SR)":
        assert int(received["SentPackets"]) > 0, received
    blocks = [k for k in received if k.startswith("Report") and k.endswith("SourceSSRC")]
    assert len(blocks) == int(received["ReportCount"]), received
    assert received["From"].startswith("127.0.0.1:"), received
    call.hangup(pj.CallOpParam())
