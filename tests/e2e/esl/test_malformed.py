"""Malformed input against the real binary: an error reply or a clean close, and the server stays
healthy for the next client."""

import socket

from test_genesis import read_frame


def authed(sy):
    s = socket.create_connection((sy.host, sy.port), timeout=10)
    f = s.makefile("rb")
    read_frame(f)
    s.sendall(f"auth {sy.password}\n\n".encode())
    assert read_frame(f)[0]["Reply-Text"] == "+OK accepted"
    return s, f


def still_healthy(sy):
    s, f = authed(sy)
    with s:
        s.sendall(b"api status\n\n")
        headers, body = read_frame(f)
        assert headers["Content-Type"] == "api/response" and "is ready" in body


def test_a_one_mebibyte_header_line(switchyard):
    s, f = authed(switchyard)
    with s:
        try:
            s.sendall(b"a" * (1 << 20))
        except OSError:
            pass  # the server may close while we are still sending
        headers, _ = read_frame(f)
        assert headers == {} or headers.get("Reply-Text", "").startswith("-ERR")
    still_healthy(switchyard)


def test_a_content_length_larger_than_the_body(switchyard):
    s, f = authed(switchyard)
    s.sendall(b"sendevent CUSTOM\nContent-Length: 1000\n\nshort")
    s.close()
    still_healthy(switchyard)


def test_non_utf8_bytes(switchyard):
    s, f = authed(switchyard)
    with s:
        s.sendall(b"api \xff\xfe\xfd\n\n")
        assert read_frame(f)[0]["Reply-Text"] == "-ERR command is not valid UTF-8"
        s.sendall(b"api create_uuid\n\n")
        headers, body = read_frame(f)
        assert headers["Content-Type"] == "api/response" and len(body) == 36
    still_healthy(switchyard)
