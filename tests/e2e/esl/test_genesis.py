"""genesis (asyncio ESL client) against the real binary: inbound commands and events; and JSON events
read with a plain socket (genesis routes events by their plain headers only)."""

import asyncio
import json
import socket

from genesis import Inbound


def run(coro):
    return asyncio.run(asyncio.wait_for(coro, timeout=20))


def test_genesis_inbound_api_bgapi_and_events(switchyard):
    async def scenario():
        async with Inbound(switchyard.host, switchyard.port, switchyard.password) as client:
            status = await client.send("api status")
            assert "is ready" in status.body
            reply = await client.send("event plain CHANNEL_ANSWER BACKGROUND_JOB")
            assert reply["Reply-Text"] == "+OK event listener enabled plain"
            answered = asyncio.get_running_loop().create_future()
            job = asyncio.get_running_loop().create_future()

            async def on_answer(event):
                if not answered.done():
                    answered.set_result(event)

            async def on_job(event):
                if not job.done():
                    job.set_result(event)

            client.on("CHANNEL_ANSWER", on_answer)
            client.on("BACKGROUND_JOB", on_job)
            uuid = (await client.send("api create_uuid")).body
            result = await client.send(f"bgapi originate {{origination_uuid={uuid}}}sim/genesis &park")
            assert result["Reply-Text"].startswith("+OK Job-UUID: ")
            event = await asyncio.wait_for(answered, timeout=10)
            done = await asyncio.wait_for(job, timeout=10)
            return uuid, event, done

    uuid, event, done = run(scenario())
    assert event["Unique-ID"] == uuid
    assert event["Answer-State"] == "answered"
    assert done.body == f"+OK {uuid}\n"


def read_frame(sock_file):
    headers = {}
    for line in iter(sock_file.readline, b""):
        if line == b"\n":
            break
        key, _, value = line.decode().rstrip("\n").partition(": ")
        headers[key] = value
    body = sock_file.read(int(headers.get("Content-Length", "0")))
    return headers, body.decode()


def test_json_events_are_flat_string_maps(switchyard):
    with socket.create_connection((switchyard.host, switchyard.port), timeout=10) as s:
        f = s.makefile("rb")
        assert read_frame(f)[0]["Content-Type"] == "auth/request"
        s.sendall(f"auth {switchyard.password}\n\n".encode())
        assert read_frame(f)[0]["Reply-Text"] == "+OK accepted"
        s.sendall(b"event json CHANNEL_CREATE\n\n")
        assert read_frame(f)[0]["Reply-Text"] == "+OK event listener enabled json"
        s.sendall(b"bgapi originate sim/json &park\n\n")
        assert read_frame(f)[0]["Reply-Text"].startswith("+OK Job-UUID: ")
        while True:
            headers, body = read_frame(f)
            if headers.get("Content-Type") == "text/event-json":
                break
        event = json.loads(body)
        assert event["Event-Name"] == "CHANNEL_CREATE"
        assert all(isinstance(v, str) for v in event.values())
        assert event["Core-UUID"] and event["Unique-ID"]


def test_genesis_outbound_answers_with_a_blocking_execute(switchyard):
    from switchyard_proc import free_port
    from genesis import Outbound

    async def scenario():
        done = asyncio.get_running_loop().create_future()

        async def handler(session):
            try:
                event = await session.sendmsg("execute", "answer", block=True, timeout=10)
                await session.sendmsg("hangup", "NORMAL_CLEARING")
                done.set_result((session.uuid, session.context.get("Control"), event))
            except Exception as exc:  # surface the failure in the test
                if not done.done():
                    done.set_exception(exc)

        port = free_port()
        server = Outbound(handler, "127.0.0.1", port, events=True, linger=True)
        await server.start(block=False)
        try:
            async with Inbound(switchyard.host, switchyard.port, switchyard.password) as client:
                reply = await client.send(f"api originate sim/gout '&socket(127.0.0.1:{port} async full)'")
                uuid, control, event = await asyncio.wait_for(done, timeout=15)
                return reply.body, uuid, control, event
        finally:
            await server.stop()

    body, uuid, control, event = run(scenario())
    assert body == f"+OK {uuid}\n"
    assert control == "full"
    assert event["Event-Name"] == "CHANNEL_EXECUTE_COMPLETE"
    assert event["Application"] == "answer"
