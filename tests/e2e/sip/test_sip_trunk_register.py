"""Registering with a trunk (`register = true`): SIPp plays the carrier's registrar, challenges with 401
and checks our digest itself (verifyauth); AMI shows `Registry` (Registered) and ESL
`CUSTOM sofia::gateway_state` (REGED)."""

SIP_EXTRA = """
[[sip.trunks]]
name = "upstream"
host = "127.0.0.1"
port = {trunk_port}
username = "trunkuser"
password = "trunkpw"
register = true
register_expires = 300
"""


def test_trunk_registration_is_answered_with_digest_and_reported(switchyard, trunk_registrar, esl_watch):
    watch = esl_watch("CUSTOM sofia::gateway_state")
    registry = trunk_registrar()
    assert registry["Status"] == "Registered", registry
    assert (registry["ChannelType"], registry["Domain"]) == ("PJSIP", f"sip:127.0.0.1:{switchyard.trunk_port}")
    assert registry["Username"] == f"sip:trunkuser@127.0.0.1:{switchyard.trunk_port}"
    text = watch.wait_for("State: REGED")
    assert "Gateway: upstream" in text and "Expires: 120" in text
