"""The persistent scheduler over the Event Socket with greenswitch: sched_hangup returns its task id,
ADD_SCHEDULE/DEL_SCHEDULE carry it, `show tasks` agrees, the call ends with ALLOTTED_TIMEOUT, and
sched_del removes tasks by id and by group."""

import gevent.queue
import greenswitch


def connect(sy):
    esl = greenswitch.InboundESL(host=sy.host, port=sy.port, password=sy.password)
    esl.connect()
    return esl


def next_event(queue, name, **headers):
    while True:
        event = queue.get(timeout=15)
        if event.headers.get("Event-Name") != name:
            continue
        if all(event.headers.get(k) == v for k, v in headers.items()):
            return event


def test_sched_hangup_over_esl_ends_the_call_and_show_tasks_agrees(switchyard):
    esl = connect(switchyard)
    seen = gevent.queue.Queue()
    esl.register_handle("*", seen.put)
    esl._process_events_greenlet = gevent.spawn(esl.process_events)
    try:
        esl.send("event plain ADD_SCHEDULE DEL_SCHEDULE CHANNEL_HANGUP_COMPLETE")
        uuid = esl.send("api originate sim/invitee &park").data.split()[1]
        reply = esl.send(f"api sched_hangup +1 {uuid}").data
        assert reply.startswith("+OK "), reply
        task_id = reply.split()[1].strip()
        added = next_event(seen, "ADD_SCHEDULE", **{"Task-ID": task_id})
        assert added.headers["Task-Group"] == uuid
        assert added.headers["Task-Desc"] == "switch_ivr_schedule_hangup"
        tasks = esl.send("api show tasks").data
        assert f"\n{task_id},switch_ivr_schedule_hangup,{uuid}," in tasks, tasks
        assert esl.send(f"api uuid_getvar {uuid} last_sched_id").data == task_id
        # The hangup and the task's removal are independent: their events may come in either order.
        ended, removed = None, None
        while ended is None or removed is None:
            event = seen.get(timeout=15)
            name = event.headers.get("Event-Name")
            if name == "CHANNEL_HANGUP_COMPLETE" and event.headers.get("Unique-ID") == uuid:
                ended = event
            elif name == "DEL_SCHEDULE" and event.headers.get("Task-ID") == task_id:
                removed = event
        assert ended.headers["Hangup-Cause"] == "ALLOTTED_TIMEOUT"
        assert esl.send("api show tasks").data == "\n0 total.\n"
    finally:
        esl.stop()


def test_sched_del_by_id_and_by_group_over_esl(switchyard):
    esl = connect(switchyard)
    try:
        ids = [esl.send(f"api sched_api +300 {g} status").data.split()[-1] for g in ("grp", "grp", "solo")]
        assert esl.send(f"api sched_del {ids[2]}").data == "+OK Deleted: 1\n"
        assert esl.send("api sched_del grp").data == "+OK Deleted: 2\n"
        assert esl.send("api sched_hangup +5 00000000-0000-4000-8000-000000000000").data == "-ERR No such channel!\n"
        assert esl.send("api show tasks").data == "\n0 total.\n"
    finally:
        esl.stop()
