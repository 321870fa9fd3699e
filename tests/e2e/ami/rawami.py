"""A tiny raw-socket AMI client for the tests: whole messages as dicts, read up to the empty line."""

import socket


class Raw:
    def __init__(self, sy, timeout=10, rcvbuf=None):
        self.sock = socket.socket()
        if rcvbuf:
            # Set before connecting so the advertised window stays small (a slow consumer).
            self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, rcvbuf)
        self.sock.settimeout(timeout)
        self.sock.connect((sy.host, sy.port))
        self.buf = b""
        self.banner = self._line()

    def _fill(self):
        data = self.sock.recv(65536)
        if not data:
            raise ConnectionError("closed")
        self.buf += data

    def _line(self):
        while b"\r\n" not in self.buf:
            self._fill()
        line, self.buf = self.buf.split(b"\r\n", 1)
        return line.decode()

    def next(self):
        while b"\r\n\r\n" not in self.buf:
            self._fill()
        raw, self.buf = self.buf.split(b"\r\n\r\n", 1)
        msg = {}
        for line in raw.decode(errors="replace").split("\r\n"):
            key, _, value = line.partition(": ")
            msg.setdefault(key, value)
        return msg

    def send(self, data):
        self.sock.sendall(data)

    def action(self, name, **headers):
        action_id = f"{name}-{len(headers)}"
        text = f"Action: {name}\r\nActionID: {action_id}\r\n"
        text += "".join(f"{k}: {v}\r\n" for k, v in headers.items())
        self.send((text + "\r\n").encode())
        while True:
            m = self.next()
            if "Response" in m and m.get("ActionID") == action_id:
                return m

    def wait_event(self, name):
        while True:
            m = self.next()
            if m.get("Event") == name:
                return m

    def closed(self):
        try:
            while True:
                if not self.sock.recv(65536):
                    return True
        except (ConnectionError, OSError):
            return True

    def close(self):
        self.sock.close()


def logged_in(sy, rcvbuf=None):
    c = Raw(sy, rcvbuf=rcvbuf)
    r = c.action("Login", Username=sy.username, Secret=sy.secret)
    assert r["Message"] == "Authentication accepted", r
    c.wait_event("SuccessfulAuth")
    return c
