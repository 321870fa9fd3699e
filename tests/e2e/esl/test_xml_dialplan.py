"""The FreeSWITCH XML dialplan through greenswitch against the real binary: `originate sim/… 9999 XML
default` is routed by an XML extension that sets variables and parks (read back with uuid_getvar),
and `reloadxml` swaps the dialplan, keeping the old one when the new file is broken. Expected reply
texts are FreeSWITCH's (`+OK <uuid>`, `+OK [Success]`, uuid_getvar's raw value)."""

import sys
import tempfile
import time
from pathlib import Path

import greenswitch
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from switchyard_proc import free_port, running  # noqa: E402

PASSWORD = "e2e-xml-s3cret"

EXTENSION = """<include>
  <X-PRE-PROCESS cmd="set" data="tag={tag}"/>
  <context name="default">
    <extension name="routed">
      <condition field="destination_number" expression="^(99)(99)$">
        <action application="set" data="xml_routed=$1-$2-$${{tag}}"/>
        <action application="set" data="who=${{caller_id_number}}"/>
        <action application="answer"/>
        <action application="park"/>
      </condition>
    </extension>
  </context>
</include>
"""


@pytest.fixture
def xml_switch():
    with tempfile.TemporaryDirectory() as tmp:
        port = free_port()
        (Path(tmp) / "dialplan").mkdir()
        (Path(tmp) / "dialplan" / "default.xml").write_text(EXTENSION.format(tag="one"))
        config = Path(tmp) / "switchyard.toml"
        config.write_text(
            '[general]\ndata_dir = "data"\n\n'
            '[dialplan]\nfreeswitch = ["dialplan/*.xml"]\n\n'
            "[ami]\nenabled = false\n\n"
            f'[esl]\nenabled = true\nlisten = "127.0.0.1:{port}"\npassword = "{PASSWORD}"\n'
        )
        with running(config, pytest.fail):
            yield port, Path(tmp)


def api(esl, line):
    return esl.send(f"api {line}").data


def originate(esl):
    reply = api(esl, "originate {origination_caller_id_number=2000}sim/answer 9999 XML default")
    assert reply.startswith("+OK "), reply
    return reply.split()[1]


def getvar(esl, uuid, name, want):
    """uuid_getvar until it reads `want` (the dialplan runs after originate returns), at most 5 s."""
    deadline = time.monotonic() + 5
    value = api(esl, f"uuid_getvar {uuid} {name}")
    while value != want and time.monotonic() < deadline:
        time.sleep(0.05)
        value = api(esl, f"uuid_getvar {uuid} {name}")
    return value


def test_originate_routes_through_the_xml_dialplan_and_reloadxml_swaps_it(xml_switch):
    port, workdir = xml_switch
    esl = greenswitch.InboundESL(host="127.0.0.1", port=port, password=PASSWORD)
    esl.connect()
    try:
        first = originate(esl)
        assert getvar(esl, first, "xml_routed", "99-99-one") == "99-99-one"
        assert getvar(esl, first, "dialplan", "XML") == "XML"

        path = workdir / "dialplan" / "default.xml"
        path.write_text(EXTENSION.format(tag="two"))
        assert api(esl, "reloadxml") == "+OK [Success]\n"
        second = originate(esl)
        assert getvar(esl, second, "xml_routed", "99-99-two") == "99-99-two"

        path.write_text('<include>\n  <context name="default">\n    <extension>\n      <condition field="x" expression="("/>\n')
        reply = api(esl, "reloadxml")
        assert reply.startswith("+OK [") and "default.xml:4:7" in reply, reply
        third = originate(esl)
        assert getvar(esl, third, "xml_routed", "99-99-two") == "99-99-two"
        for uuid in (first, second, third):
            assert api(esl, f"uuid_kill {uuid}") == "+OK\n"
    finally:
        esl.stop()


NESTED_TZ = """<include>
  <context name="default">
    <extension name="office">
      <condition field="destination_number" expression="^8888$">
        <action application="set" data="outer=yes"/>
        <condition time-of-day="{tokyo_now}">
          <action application="set" data="tokyo_hours=yes"/>
          <action application="park"/>
          <anti-action application="set" data="tokyo_hours=no"/>
          <anti-action application="park"/>
        </condition>
      </condition>
    </extension>
  </context>
</include>
"""


def test_nested_time_condition_evaluates_in_the_channel_timezone(xml_switch):
    """A nested condition whose time-of-day is "now, in Tokyo" (a ±3 minute window): a channel with
    timezone=Asia/Tokyo passes it, one with tod_tz_offset=-3 (twelve hours away) runs the anti-action.
    Both see the outer condition's actions (added before the nested ones, as in FreeSWITCH)."""
    from datetime import datetime, timedelta
    from zoneinfo import ZoneInfo

    port, workdir = xml_switch
    now = datetime.now(ZoneInfo("Asia/Tokyo"))
    window = f"{(now - timedelta(minutes=3)):%H:%M}-{(now + timedelta(minutes=3)):%H:%M}"
    (workdir / "dialplan" / "default.xml").write_text(NESTED_TZ.format(tokyo_now=window))
    esl = greenswitch.InboundESL(host="127.0.0.1", port=port, password=PASSWORD)
    esl.connect()
    try:
        assert api(esl, "reloadxml") == "+OK [Success]\n"
        uuids = []
        for var, want in (("timezone=Asia/Tokyo", "yes"), ("tod_tz_offset=-3", "no")):
            reply = api(esl, f"originate {{{var}}}sim/answer 8888 XML default")
            assert reply.startswith("+OK "), reply
            uuid = reply.split()[1]
            uuids.append(uuid)
            assert getvar(esl, uuid, "tokyo_hours", want) == want, var
            assert api(esl, f"uuid_getvar {uuid} outer") == "yes"
        for uuid in uuids:
            assert api(esl, f"uuid_kill {uuid}") == "+OK\n"
    finally:
        esl.stop()
