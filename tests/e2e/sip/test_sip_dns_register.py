"""Registering with a trunk known by host name (`host = "localhost"`): the REGISTER goes to 127.0.0.1
(SIPp plays the registrar and checks our digest), and the Request-URI, To and the reported domain keep
the name, as FreeSWITCH's gateway and Asterisk's Registry show the configured host."""

SIP_EXTRA = """
[[sip.trunks]]
name = "upstream"
host = "localhost"
port = {trunk_port}
username = "trunkuser"
password = "trunkpw"
register = true
register_expires = 300
"""


def test_trunk_registration_by_host_name(switchyard, trunk_registrar, esl_watch):
    watch = esl_watch("CUSTOM sofia::gateway_state")
    registry = trunk_registrar()
    assert registry["Status"] == "Registered", registry
    assert registry["Domain"] == f"sip:localhost:{switchyard.trunk_port}"
    assert registry["Username"] == f"sip:trunkuser@localhost:{switchyard.trunk_port}"
    text = watch.wait_for("State: REGED")
    assert "Gateway: upstream" in text
    seen = "".join(p.read_text(errors="replace") for p in switchyard.workdir.glob("*_messages.log"))
    assert f"REGISTER sip:localhost:{switchyard.trunk_port} SIP/2.0" in seen
