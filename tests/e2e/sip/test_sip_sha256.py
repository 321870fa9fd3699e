"""SHA-256 digest (RFC 8760): with `[sip] digest_algorithms = ["SHA-256"]` the registrar challenges with
SHA-256 only, so a real UA (pjsua2 2.15) can register only by answering with SHA-256. (Offering both is
covered by the Rust tests; SIPp answers only the first challenge and knows MD5 only, which is why MD5
alone is the default.)"""

import socket


SIP_EXTRA = 'digest_algorithms = ["SHA-256"]\n'


def register_once(port):
    """A REGISTER without credentials over UDP; returns the response text."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.bind(("127.0.0.1", 0))
        s.settimeout(10)
        local = s.getsockname()[1]
        msg = (
            f"REGISTER sip:127.0.0.1:{port} SIP/2.0\r\n"
            f"Via: SIP/2.0/UDP 127.0.0.1:{local};branch=z9hG4bK-sha-1;rport\r\n"
            "Max-Forwards: 70\r\n"
            f"From: <sip:1000@127.0.0.1:{port}>;tag=sha1\r\n"
            f"To: <sip:1000@127.0.0.1:{port}>\r\n"
            "Call-ID: sha256-challenge@test\r\n"
            "CSeq: 1 REGISTER\r\n"
            f"Contact: <sip:1000@127.0.0.1:{local}>\r\n"
            "Content-Length: 0\r\n\r\n"
        )
        s.sendto(msg.encode(), ("127.0.0.1", port))
        return s.recv(65536).decode()


def test_challenge_offers_sha256_only(switchyard):
    response = register_once(switchyard.sip_port)
    assert response.startswith("SIP/2.0 401 ")
    offers = [line for line in response.split("\r\n") if line.startswith("WWW-Authenticate:")]
    assert len(offers) == 1, response
    assert "algorithm=SHA-256" in offers[0] and 'qop="auth"' in offers[0]


def test_pjsua2_registers_with_sha256(switchyard, ua, esl_watch):
    watch = esl_watch("CUSTOM sofia::register")
    ua.register("1000", "p1000", switchyard.sip_port)
    assert "username: 1000" in watch.wait_for("Event-Subclass: sofia%3A%3Aregister\n")

