"""FreeSWITCH's own client library, libesl (the C library fs_cli and the ESL language bindings are built
on), through its Python binding from PyPI (FreeSWITCH-ESL-Python: libesl's sources with a SWIG
wrapper): inbound auth, api, bgapi + BACKGROUND_JOB, plain and JSON events parsed by libesl itself,
filters; and outbound mode with a connection libesl takes over from an accepted socket."""

import importlib.machinery
import importlib.util
import socket
import sys
import threading
import types


def _provide_imp():
    """The binding's SWIG 3.0 loader imports `imp`, which Python 3.12 removed: give it the two calls it
    makes, built on importlib (nothing changes on Python 3.11, where `imp` still exists)."""
    if importlib.util.find_spec("imp") is not None:
        return
    imp = types.ModuleType("imp")

    def find_module(name, path):
        spec = importlib.machinery.PathFinder.find_spec(name, path)
        if spec is None:
            raise ImportError(name)
        return open(spec.origin, "rb"), spec.origin, spec

    def load_module(name, _fp, _pathname, spec):
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        sys.modules[name] = module
        return module

    imp.find_module, imp.load_module = find_module, load_module
    sys.modules["imp"] = imp


_provide_imp()
from freeswitchESL import ESL  # noqa: E402


def connect(sy):
    con = ESL.ESLconnection(sy.host, str(sy.port), sy.password)
    assert con.connected(), "libesl did not authenticate"
    return con


def next_event(con, name, timeout_ms=10000):
    """The next event called `name` that libesl parses, within the time limit (per event)."""
    while True:
        ev = con.recvEventTimed(timeout_ms)
        assert ev is not None, f"no {name} event within {timeout_ms} ms"
        if ev.getHeader("Event-Name") == name:
            return ev


def test_wrong_password_is_not_connected(switchyard):
    con = ESL.ESLconnection(switchyard.host, str(switchyard.port), "wrong")
    assert not con.connected()


def test_api_status_and_uptime(switchyard):
    con = connect(switchyard)
    try:
        status = con.api("status").getBody()
        assert status.startswith("UP 0 years") and "is ready" in status
        assert con.api("uptime").getBody().strip().isdigit()
        assert con.api("no_such_command").getBody().startswith("-ERR no_such_command Command not found")
    finally:
        con.disconnect()


def test_bgapi_originate_gives_a_background_job_with_the_output(switchyard):
    con = connect(switchyard)
    try:
        assert con.events("plain", "BACKGROUND_JOB CHANNEL_CREATE") == 0  # ESL_SUCCESS
        reply = con.bgapi("originate", "sim/libesl &park")
        job_uuid = reply.getHeader("Job-UUID")
        assert job_uuid, reply.serialize()
        created = next_event(con, "CHANNEL_CREATE")
        assert created.getHeader("Channel-Name").startswith("sim/libesl")
        job = next_event(con, "BACKGROUND_JOB")
        assert job.getHeader("Job-UUID") == job_uuid
        assert job.getBody().startswith("+OK ")
        uuid = job.getBody().split()[1]
        assert uuid == created.getHeader("Unique-ID")
        assert con.api("uuid_kill", uuid).getBody().startswith("+OK")
    finally:
        con.disconnect()


def test_json_events_and_filters_are_parsed_by_libesl(switchyard):
    con = connect(switchyard)
    try:
        assert con.events("json", "CHANNEL_CREATE") == 0
        added = con.filter("Caller-Destination-Number", "wanted")
        assert added.getHeader("Reply-Text") == "+OK filter added. [Caller-Destination-Number]=[wanted]"
        con.api("originate", "sim/unwanted &park")
        reply = con.api("originate", "sim/wanted &park")
        uuid = reply.getBody().split()[1]
        ev = next_event(con, "CHANNEL_CREATE")
        assert ev.getHeader("Channel-Name").startswith("sim/wanted"), ev.serialize()
        assert ev.getHeader("Unique-ID") == uuid
        assert ev.getHeader("Event-Sequence").isdigit()
        con.api("hupall")
    finally:
        con.disconnect()


def test_outbound_connection_taken_over_by_libesl(switchyard):
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(1)
    server.settimeout(15)
    results = {}

    def serve():
        sock, _ = server.accept()
        con = ESL.ESLconnection(sock.fileno())
        try:
            info = con.getInfo()
            results["channel"] = info.getHeader("Channel-Name")
            results["uuid"] = info.getHeader("Unique-ID")
            con.sendRecv("myevents")
            done = con.execute("answer")
            results["execute"] = done.getHeader("Reply-Text") if done else None
            done_ev = next_event(con, "CHANNEL_EXECUTE_COMPLETE")
            results["completed"] = (done_ev.getHeader("Application"), done_ev.getHeader("Unique-ID"))
            con.execute("hangup", "NORMAL_CLEARING")
        finally:
            sock.close()

    thread = threading.Thread(target=serve)
    thread.start()
    con = connect(switchyard)
    try:
        port = server.getsockname()[1]
        reply = con.api("originate", f"sim/outlib '&socket(127.0.0.1:{port} async full)'").getBody()
        assert reply.startswith("+OK "), reply
        thread.join(20)
        assert not thread.is_alive(), "the outbound handler did not finish"
        assert results["channel"].startswith("sim/outlib")
        assert results["uuid"] == reply.split()[1]
        assert results["execute"] == "+OK"
        assert results["completed"] == ("answer", results["uuid"])
    finally:
        con.disconnect()
        server.close()
