"""asterisk-ami (threaded AMIClient) against the real binary: login, actions, the event listener."""

import threading

from asterisk.ami import AMIClient, SimpleAction


def test_login_ping_and_event_listener(switchyard):
    client = AMIClient(address=switchyard.host, port=switchyard.port, timeout=10)
    got = threading.Event()
    seen = []

    def on_event(event, **kwargs):
        seen.append(event)
        if event.name == "UserEvent" and event.keys.get("UserEvent") == "e2e":
            got.set()

    client.add_event_listener(on_event)
    r = client.login(username=switchyard.username, secret=switchyard.secret).response
    assert r.status == "Success" and r.keys["Message"] == "Authentication accepted"
    assert client.send_action(SimpleAction("Ping")).response.keys["Ping"] == "Pong"
    r = client.send_action(SimpleAction("UserEvent", UserEvent="e2e", Extra="1")).response
    assert r.keys["Message"] == "Event Sent"
    assert got.wait(10)
    assert any(e.name == "FullyBooted" for e in seen)
    client.logoff()


def test_a_wrong_secret_is_refused(switchyard):
    client = AMIClient(address=switchyard.host, port=switchyard.port, timeout=10)
    r = client.login(username=switchyard.username, secret="nope").response
    assert r.status == "Error" and r.keys["Message"] == "Authentication failed"
