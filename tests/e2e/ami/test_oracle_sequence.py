"""The oracle transcript's first call, replayed against the real binary with the same dialplan
(conftest.EXTENSIONS): Originate Local/100@test -> Wait(1), async. The expected order of the
call's main events is read from /work/shared/reference/oracle/asterisk-ami-transcript.txt (Asterisk
22); events Switchyard does not publish yet (NewCallerid and NewConnectedLine for the Local pair) and
VarSet/Newexten steps are left out of the comparison. Both legs exist from the request and DialBegin
follows LocalBridge, as in Asterisk; the ;2 leg's dialplan starts only after it. DeviceStateChange is compared on its own: Switchyard
publishes a device's state right after each channel change, Asterisk from its device-state thread a little
later (the oracle shows NOT_INUSE twice at the end because both legs were gone when its thread ran; here the
first leg's end still reports INUSE because the other leg is up)."""

from rawami import logged_in

ORACLE = [
    ("Newchannel", ";1", ""),
    ("Newchannel", ";2", ""),
    ("LocalBridge", "", ""),
    ("DialBegin", "", ""),
    ("DialEnd", "", ""),
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
    got, devices = [], []
    while True:
        m = c.next()
        name, channel = m.get("Event"), m.get("Channel", "")
        if name == "DeviceStateChange":
            devices.append((m["Device"], m["State"]))
        if name == "LocalBridge":
            assert (m["LocalOneChannel"][-2:], m["LocalTwoChannel"][-2:]) == (";1", ";2")
            assert (m["Context"], m["Exten"], m["LocalOptimization"]) == ("test", "100", "Yes")
        if name in ("DialBegin", "DialEnd"):
            # An Originate has no calling channel: only the Dest block (oracle transcript).
            assert "Channel" not in m and m["DestChannel"].endswith(";1")
            assert m.get("DialString", "100@test") == "100@test" and m.get("DialStatus", "ANSWER") == "ANSWER"
        if name in KEPT:
            got.append((name, channel[-2:], m.get("Handler", "")))
            if name == "OriginateResponse":
                assert (m["ActionID"], m["Response"], m["Reason"]) == ("orig-100", "Success", "4")
                assert (m["Application"], m["Data"]) == ("Wait", "1")
        if name == "Hangup" and channel.endswith(";1"):
            break
    # OriginateResponse and DialEnd are published when ;1 answers, concurrently with ;2's dialplan: only
    # their presence is compared, not their place.
    racing = ("OriginateResponse", "DialEnd")
    assert ("OriginateResponse", ";1", "") in got and ("DialEnd", "", "") in got
    without = [e for e in got if e[0] not in racing]
    assert without == [e for e in ORACLE if e[0] not in racing]
    assert got.index(("DialBegin", "", "")) < got.index(("DialEnd", "", ""))
    assert devices[:2] == [("Local/100@test", "INUSE")] * 2
    if devices[-1] != ("Local/100@test", "NOT_INUSE"):
        # ;1's last device event follows its Hangup: read on until it arrives.
        while (m := c.next()).get("Event") != "DeviceStateChange":
            pass
        devices.append((m["Device"], m["State"]))
    assert devices[-1] == ("Local/100@test", "NOT_INUSE")
