"""SIP MESSAGE and NOTIFY tied to the Event Socket, with pjsua2 as the phone: `sendevent SEND_MESSAGE`
reaches the registered phone as an instant message, `sendevent MESSAGE_WAITING` as an RFC 3842 MWI
NOTIFY, and with a `uuid` inside that channel's call; a message the phone sends is answered 202 and
seen by ESL as a `MESSAGE` event."""

import re

import pjsua2 as pj

from sipphone import XferCall, register, sendevent


def test_send_message_reaches_the_registered_phone(switchyard, ua, esl_watch):
    phone = register(ua, "1000", "p1000", switchyard.sip_port)
    esl = esl_watch("HEARTBEAT")
    headers = {
        "profile": "internal",
        "to": "1000@127.0.0.1",
        "from": "9000@127.0.0.1",
        "content-type": "text/plain",
    }
    sendevent(esl, "SEND_MESSAGE", headers, "hello from ESL")
    ua.poll_until(lambda: phone.messages, what="the MESSAGE")
    from_uri, content_type, body = phone.messages[0]
    assert "sip:9000@127.0.0.1" in from_uri
    assert (content_type, body) == ("text/plain", "hello from ESL")


def test_send_message_to_an_unregistered_user_sends_nothing(switchyard, ua, esl_watch):
    phone = register(ua, "1000", "p1000", switchyard.sip_port)
    esl = esl_watch("HEARTBEAT")
    sendevent(esl, "SEND_MESSAGE", {"user": "1001", "host": "127.0.0.1"}, "not for you")
    sendevent(esl, "SEND_MESSAGE", {"user": "1000", "host": "127.0.0.1"}, "for you")
    # Requests leave in order: had the first gone to this phone, it would be here before the second.
    ua.poll_until(lambda: phone.messages, what="the MESSAGE to 1000")
    assert [m[2] for m in phone.messages] == ["for you"]


def test_message_waiting_reaches_the_phone_as_mwi(switchyard, ua, esl_watch):
    phone = register(ua, "1000", "p1000", switchyard.sip_port)
    esl = esl_watch("HEARTBEAT")
    headers = {
        "MWI-Messages-Waiting": "yes",
        "MWI-Message-Account": "sip:1000@127.0.0.1",
        "MWI-Voice-Message": "2/0 (0/0)",
    }
    sendevent(esl, "MESSAGE_WAITING", headers)
    ua.poll_until(lambda: phone.mwi, what="the MWI NOTIFY")
    msg = phone.mwi[0]
    assert "Event: message-summary" in msg
    assert "Content-Type: application/simple-message-summary" in msg
    assert "Messages-Waiting: yes\r\nMessage-Account: sip:1000@127.0.0.1\r\nVoice-Message: 2/0 (0/0)\r\n" in msg


def test_message_from_the_phone_is_an_esl_message_event(switchyard, ua, esl_watch):
    phone = register(ua, "1000", "p1000", switchyard.sip_port)
    watch = esl_watch("MESSAGE")
    buddy = pj.Buddy()
    cfg = pj.BuddyConfig()
    cfg.uri = f"sip:2000@127.0.0.1:{switchyard.sip_port}"
    cfg.subscribe = False
    buddy.create(phone, cfg)
    prm = pj.SendInstantMessageParam()
    prm.content = "ping from pjsua"
    buddy.sendInstantMessage(prm)
    ua.poll_until(lambda: phone.im_status, what="the response to the MESSAGE")
    assert phone.im_status == [202]
    text = watch.wait_for("Event-Name: MESSAGE")
    text = watch.wait_for("ping from pjsua")
    for line in ("proto: sip", "from_user: 1000", "to_user: 2000", "context: office", "type: text/plain"):
        assert f"\n{line}\n" in text, line
    del buddy


def test_send_message_with_uuid_goes_inside_the_call(switchyard, ua, esl_watch):
    phone = register(ua, "1000", "p1000", switchyard.sip_port)
    watch = esl_watch("CHANNEL_ANSWER")
    esl = esl_watch("HEARTBEAT")
    call = XferCall(phone)
    call.makeCall(f"sip:700@127.0.0.1:{switchyard.sip_port}", pj.CallOpParam(True))
    ua.poll_until(lambda: pj.PJSIP_INV_STATE_CONFIRMED in call.states, what="answer")
    uuid = re.search(r"\nUnique-ID: ([0-9a-f-]+)\n", watch.wait_for("Event-Name: CHANNEL_ANSWER")).group(1)
    sendevent(esl, "SEND_MESSAGE", {"uuid": uuid, "content-type": "text/plain"}, "inside the call")
    ua.poll_until(lambda: call.messages, what="the in-dialog MESSAGE")
    assert call.messages == [("text/plain", "inside the call")]
    assert not phone.messages
    call.hangup(pj.CallOpParam())
