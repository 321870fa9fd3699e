"""Malformed SIP over UDP and TCP: answered 400 where a response is possible, otherwise dropped; the
switch keeps answering OPTIONS afterwards. Cases are ours, built to hit each parser refusal."""

import socket
import time

OPTIONS = (
    "OPTIONS sip:ping@127.0.0.1 SIP/2.0\r\n"
    "Via: SIP/2.0/{t} 127.0.0.1:9;branch=z9hG4bK{b}\r\n"
    "From: <sip:probe@127.0.0.1>;tag=1\r\n"
    "To: <sip:ping@127.0.0.1>\r\n"
    "Call-ID: {b}\r\n"
    "CSeq: 1 OPTIONS\r\n"
    "Content-Length: 0\r\n\r\n"
)

# (bytes, answered with 400?)
CASES = [
    (b"\x00\x01\x02 not sip at all", False),
    (b"INVITE sip:x SIP/2.0\r\n\r\n", False),  # no Via/From/To/Call-ID/CSeq: nothing to answer with
    (b"SIP/2.0 999\r\n\r\n", False),  # a response: never answered
    (
        b"OPTIONS sip:x@h SIP/2.0\r\nVia: SIP/2.0/UDP h;branch=z9hG4bKbad1\r\nFrom: <sip:a@b>;tag=1\r\n"
        b"To: <sip:c@d>\r\nCall-ID: bad1\r\nCSeq: one OPTIONS\r\nContent-Length: 0\r\n\r\n",
        True,
    ),
    (
        b"INVITE sip:x@h SIP/2.0\r\nVia: SIP/2.0/UDP h;branch=z9hG4bKbad2\r\nFrom: <sip:a@b>;tag=1\r\n"
        b"To: <sip:c@d>\r\nCall-ID: bad2\r\nCSeq: 1 INVITE\r\nContent-Length: 500\r\n\r\nv=0\r\n",
        True,
    ),
    (b"OPTIONS sip:x@h SIP/2.0\r\nVia: " + b"A" * 70000 + b"\r\n\r\n", False),
    (b"\r\n\r\n", False),  # keep-alive
]


def udp_exchange(sock, port, data, wait=0.5):
    sock.sendto(data, ("127.0.0.1", port))
    sock.settimeout(wait)
    try:
        return sock.recvfrom(65536)[0]
    except socket.timeout:
        return None


def options_ok_udp(port):
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.bind(("127.0.0.1", 0))
        reply = udp_exchange(s, port, OPTIONS.format(t="UDP", b=str(time.monotonic_ns())).encode(), wait=5)
        return reply is not None and reply.startswith(b"SIP/2.0 200 ")


def test_malformed_over_udp(switchyard):
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.bind(("127.0.0.1", 0))
        for data, answered in CASES:
            if len(data) > 65000:
                continue  # larger than a datagram
            # An answer is waited for generously (a loaded machine); silence needs a bound.
            reply = udp_exchange(s, switchyard.sip_port, data, wait=5 if answered else 0.5)
            if answered:
                assert reply is not None and reply.startswith(b"SIP/2.0 400 "), (data, reply)
            else:
                assert reply is None, (data, reply)
    assert options_ok_udp(switchyard.sip_port)


def tcp_read_reply(conn, timeout=5):
    conn.settimeout(timeout)
    buf = b""
    while b"\r\n\r\n" not in buf:
        chunk = conn.recv(65536)
        if not chunk:
            return buf
        buf += chunk
    return buf


def test_malformed_over_tcp_closes_only_that_connection(switchyard):
    # An unframeable stream (no Content-Length, or too large) closes the connection.
    for bad in (b"OPTIONS sip:x SIP/2.0\r\nVia: x\r\n\r\n", b"X" * 70000):
        with socket.create_connection(("127.0.0.1", switchyard.sip_port), timeout=5) as c:
            c.sendall(bad)
            c.settimeout(5)
            try:
                assert c.recv(100) == b""
            except ConnectionResetError:
                pass
    # A framed but unparsable request is answered 400 and the connection stays usable.
    with socket.create_connection(("127.0.0.1", switchyard.sip_port), timeout=5) as c:
        c.sendall(CASES[3][0])
        assert tcp_read_reply(c).startswith(b"SIP/2.0 400 ")
        c.sendall(b"\r\n\r\n" + OPTIONS.format(t="TCP", b="tcp1").encode())
        assert tcp_read_reply(c).startswith(b"SIP/2.0 200 ")
    assert options_ok_udp(switchyard.sip_port)
