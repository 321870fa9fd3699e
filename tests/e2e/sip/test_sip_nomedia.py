"""Media bypass with two pjsua2 phones bridged by Dial(PJSIP/1001): ESL `sendmsg` `nomedia` (and the
API `uuid_media off <uuid>` it runs) re-INVITEs both phones with each other's RTP address, so each
phone's stream points at the other phone and RTP arrives from it; `uuid_media <uuid>` brings both back
to the switch's addresses."""

import re


from pjua import connected
from sipphone import register


def port(addr):
    return int(addr.rsplit(":", 1)[1])


def remote_port(call):
    return port(call.getStreamInfo(0).remoteRtpAddress)


def local_port(call):
    return port(call.getMedTransportInfo(0).localRtpName)


def received(call):
    return call.getStreamStat(0).rtcp.rxStat.pkt


def command(conn, text, expect):
    conn.buf = b""
    conn.sock.sendall(text.encode())
    return conn.wait_for(expect)


def test_nomedia_puts_the_phones_in_touch_and_uuid_media_brings_them_back(switchyard, ua, esl_watch):
    watch = esl_watch("CHANNEL_BRIDGE")
    esl = esl_watch("HEARTBEAT")
    caller = register(ua, "1000", "p1000", switchyard.sip_port)
    callee = register(ua, "1001", "p1001", switchyard.sip_port)
    call, leg = ua.bridged_pair(caller, callee, switchyard.sip_port)
    text = watch.wait_for("Event-Name: CHANNEL_BRIDGE")
    uuid = re.search(r"\nUnique-ID: ([0-9a-f-]+)\n", text).group(1)
    switch_ports = (remote_port(call), remote_port(leg))
    assert switch_ports[0] != local_port(leg) and switch_ports[1] != local_port(call)

    command(esl, f"sendmsg {uuid}\ncall-command: nomedia\nnomedia-uuid: {uuid}\n\n", "Reply-Text: +OK")
    ua.poll_until(
        lambda: remote_port(call) == local_port(leg) and remote_port(leg) == local_port(call),
        what="both phones re-INVITEd to each other",
    )
    # The switch no longer receives RTP from either phone, so it relays none: what the phones receive
    # now comes from each other.
    base = (received(call), received(leg))
    ua.poll_until(
        lambda: received(call) > base[0] + 20 and received(leg) > base[1] + 20,
        what="RTP arriving straight from the other phone",
    )

    command(esl, f"api uuid_media {uuid}\n\n", "+OK Success")
    ua.poll_until(
        lambda: (remote_port(call), remote_port(leg)) == switch_ports,
        what="both phones re-INVITEd back to the switch",
    )


def test_uuid_media_off_on_an_unbridged_channel_fails(switchyard, ua, esl_watch):
    watch = esl_watch("CHANNEL_ANSWER")
    esl = esl_watch("HEARTBEAT")
    phone = register(ua, "1000", "p1000", switchyard.sip_port)
    call = ua.call(phone, f"sip:700@127.0.0.1:{switchyard.sip_port}")
    ua.poll_until(lambda: connected(call), what="answer")
    text = watch.wait_for("Event-Name: CHANNEL_ANSWER")
    uuid = re.search(r"\nUnique-ID: ([0-9a-f-]+)\n", text).group(1)
    reply = command(esl, f"api uuid_media off {uuid}\n\n", "-ERR")
    assert "not bridged" in reply
    reply = command(esl, "api uuid_media off 00000000-0000-0000-0000-000000000000\n\n", "-ERR")
    assert "No such channel" in reply
