"""SIPp against the real switch: registration with MD5 digest, calls over UDP and TCP through an
extensions.conf extension that answers and runs Echo(), CANCEL while ringing (ORIGINATOR_CANCEL on the Event Socket),
Busy() answered 486."""


def test_register_with_digest_is_reported_on_esl(switchyard, esl_watch):
    watch = esl_watch("CUSTOM sofia::register sofia::register_failure")
    code, errors = switchyard.sipp("register.xml", "1000", "-au", "1000", "-ap", "p1000")
    assert code == 0, errors
    text = watch.wait_for("Event-Subclass: sofia%3A%3Aregister\n")
    assert "username: 1000" in text


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
