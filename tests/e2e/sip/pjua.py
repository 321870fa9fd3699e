"""A real PJSIP user agent (pjsua2 from the pjsua2-python wheel) for the end-to-end tests: null audio
device, UDP on loopback, everything driven from the calling thread (no pjsua worker threads)."""

import gc
import time

import pjsua2 as pj


def connected(call):
    """The call was answered (its INVITE session got confirmed)."""
    return pj.PJSIP_INV_STATE_CONFIRMED in call.states


def disconnected(call):
    """The call ended."""
    return pj.PJSIP_INV_STATE_DISCONNECTED in call.states


class Call(pj.Call):
    def __init__(self, acc, call_id=pj.PJSUA_INVALID_ID):
        super().__init__(acc, call_id)
        self.states = []

    def onCallState(self, prm):
        self.states.append(self.getInfo().state)


class Account(pj.Account):
    def __init__(self):
        super().__init__()
        self.incoming = []

    def onIncomingCall(self, prm):
        self.incoming.append(Call(self, prm.callId))


class UserAgent:
    def __init__(self):
        self.ep = pj.Endpoint()
        self.ep.libCreate()
        cfg = pj.EpConfig()
        cfg.uaConfig.threadCnt = 0
        cfg.uaConfig.mainThreadOnly = True
        cfg.logConfig.level = 1
        cfg.logConfig.consoleLevel = 1
        cfg.medConfig.noVad = True  # send RTP even when the null device gives silence
        self.ep.libInit(cfg)
        tcfg = pj.TransportConfig()
        tcfg.port = 0
        tcfg.boundAddress = "127.0.0.1"
        self.ep.transportCreate(pj.PJSIP_TRANSPORT_UDP, tcfg)
        self.ep.libStart()
        self.ep.audDevManager().setNullDev()
        self.accounts = []

    def poll_until(self, cond, timeout=10.0, what="condition"):
        deadline = time.monotonic() + timeout
        while not cond():
            if time.monotonic() > deadline:
                raise AssertionError(f"timed out waiting for {what}")
            self.ep.libHandleEvents(20)

    def register(self, user, password, port, account_class=None):
        """Registers `user` (an `account_class` instance, Account by default) and waits until it is."""
        acfg = pj.AccountConfig()
        acfg.idUri = f"sip:{user}@127.0.0.1:{port}"
        acfg.regConfig.registrarUri = f"sip:127.0.0.1:{port}"
        acfg.sipConfig.authCreds.append(pj.AuthCredInfo("digest", "*", user, 0, password))
        acc = (account_class or Account)()
        acc.create(acfg)
        self.accounts.append(acc)
        self.poll_until(lambda: acc.getInfo().regIsActive, what=f"registration of {user}")
        return acc

    def call(self, acc, uri):
        call = Call(acc)
        call.makeCall(uri, pj.CallOpParam(True))
        return call

    def bridged_pair(self, caller, callee, port):
        """`caller` calls `callee`'s extension 1001 (Dial(PJSIP/1001)), `callee` answers; returns (call, leg)
        once both are up."""
        call = self.call(caller, f"sip:1001@127.0.0.1:{port}")
        self.poll_until(lambda: callee.incoming, what="the INVITE to 1001")
        leg = callee.incoming[0]
        answer = pj.CallOpParam()
        answer.statusCode = 200
        leg.answer(answer)
        self.poll_until(lambda: connected(call) and connected(leg), what="both legs up")
        return call, leg

    def rtp_counts(self, call):
        """(packets received, packets sent) on the call's audio stream."""
        stat = call.getStreamStat(0).rtcp
        return stat.rxStat.pkt, stat.txStat.pkt

    def pump(self, seconds):
        """Lets pjsua run for a while (media flows) while handling its events."""
        end = time.monotonic() + seconds
        while time.monotonic() < end:
            self.ep.libHandleEvents(20)

    def close(self):
        # Call objects must be gone before the library is destroyed (their destructor asserts), and the
        # Endpoint object must be released even when a failed test still holds calls: pjsua2 allows one
        # Endpoint per process, so a leftover one would abort the next test's UserAgent.
        try:
            self.ep.hangupAllCalls()
            for acc in self.accounts:
                acc.incoming.clear()
            gc.collect()
            for acc in self.accounts:
                acc.shutdown()
            self.accounts.clear()
            gc.collect()
        finally:
            self.ep.libDestroy()
            self.ep = None
            gc.collect()
