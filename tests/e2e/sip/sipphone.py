"""A pjsua2 account that keeps what the switch sends it: instant messages, MWI notifications, the
status of its own messages, and (through its calls) the NOTIFYs of a transfer it asked for. Used with
the UserAgent of pjua.py."""

import pjsua2 as pj

from pjua import Call


class XferCall(Call):
    """A call that records the sipfrag status lines of its REFER's NOTIFYs, (code, final), and the
    instant messages received inside it."""

    def __init__(self, acc, call_id=pj.PJSUA_INVALID_ID):
        super().__init__(acc, call_id)
        self.xfer_status = []
        self.messages = []

    def onInstantMessage(self, prm):
        self.messages.append((prm.contentType, prm.msgBody))

    def onCallTransferStatus(self, prm):
        self.xfer_status.append((prm.statusCode, prm.finalNotify))


class Phone(pj.Account):
    def __init__(self):
        super().__init__()
        self.incoming = []
        self.messages = []
        self.mwi = []
        self.im_status = []

    def onIncomingCall(self, prm):
        self.incoming.append(XferCall(self, prm.callId))

    def onInstantMessage(self, prm):
        self.messages.append((prm.fromUri, prm.contentType, prm.msgBody))

    def onInstantMessageStatus(self, prm):
        self.im_status.append(prm.code)

    def onMwiInfo(self, prm):
        self.mwi.append(prm.rdata.wholeMsg)


def register(ua, user, password, port):
    """Registers a Phone with the switch through the UserAgent `ua` (which cleans it up)."""
    return ua.register(user, password, port, Phone)


def sendevent(conn, name, headers, body=""):
    """ESL `sendevent` on an esl_watch connection; waits for its +OK reply."""
    conn.buf = b""
    lines = [f"sendevent {name}"] + [f"{k}: {v}" for k, v in headers.items()]
    if body:
        lines.append(f"Content-Length: {len(body.encode())}")
    conn.sock.sendall(("\n".join(lines) + "\n\n" + body).encode())
    return conn.wait_for("Reply-Text: +OK")
