"""The oracle transcript's first call, replayed against the real binary with the same dialplan
(conftest.EXTENSIONS): Originate Local/100@test -> Wait(1), async. The expected order of the
call's main events is read from /work/shared/reference/oracle/asterisk-ami-transcript.txt (Asterisk
22); events Switchyard does not publish yet (NewCallerid, NewConnectedLine, LocalBridge, DialBegin/End,
DeviceStateChange) and VarSet/Newexten steps are left out of the comparison."""

from rawami import logged_in

ORACLE = [
    ("Newchannel", ";1", ""),
    ("Newchannel", ";2", ""),
    ("OriginateResponse", ";1", ""),
    ("HangupHandlerPush", ";2", "hdlr,s,1(one,two)"),
    ("HangupHandlerPush", ";2", "hdlr,s,1(three,four)"),
    ("SoftHangupRequest", ";2", ""),
    ("HangupHandlerRun", ";2", "hdlr,s,1(three,four)"),
    ("HangupHandlerRun", ";2", "hdlr,s,1(one,two)"),
    ("Hangup", ";2", ""),
    ("HangupRequest", ";1", ""),
    ("Hangup", ";1", ""),
]
KEPT = {name for name, _, _ in ORACLE}


def test_the_oracle_call_produces_the_same_events_in_the_same_order(switchyard):
    c = logged_in(switchyard)
    c.send(
        b"Action: Originate\r\nChannel: Local/100@test\r\nApplication: Wait\r\nData: 1\r\nAsync: true\r\n"
        b'CallerID: "Oracle" <5551000>\r\nActionID: orig-100\r\n\r\n'
    )
    got = []
    while True:
        m = c.next()
        name, channel = m.get("Event"), m.get("Channel", "")
        if name in KEPT:
            got.append((name, channel[-2:], m.get("Handler", "")))
            if name == "OriginateResponse":
                assert (m["ActionID"], m["Response"], m["Reason"]) == ("orig-100", "Success", "4")
                assert (m["Application"], m["Data"]) == ("Wait", "1")
        if name == "Hangup" and channel.endswith(";1"):
            break
    # OriginateResponse is published when ;1 answers, concurrently with ;2's dialplan: only its
    # presence is compared, not its place.
    assert ("OriginateResponse", ";1", "") in got
    without = [e for e in got if e[0] != "OriginateResponse"]
    assert without == [e for e in ORACLE if e[0] != "OriginateResponse"]
