//! XML dialplan unit tests: parsing (errors with file:line), every condition form, break
//! variants, anti-actions, captures, time conditions with an injected time, inline actions,
//! `continue`, and pre-processing.

use std::collections::HashMap;

use switchyard_core::app::BoxFuture;

use super::hunt::{HuntEnv, Planned, hunt};
use super::parse_str;
use jiff::tz::TimeZone;

use super::time::parse_date_time;

/// Fields from a map; inline actions `set` into it; a fixed time; the switch's zone UTC unless set.
struct MapEnv {
    fields: HashMap<String, String>,
    inline_log: Vec<String>,
    now: i64,
    zone: TimeZone,
}

impl MapEnv {
    fn new(dest: &str) -> Self {
        let mut fields = HashMap::new();
        fields.insert("destination_number".to_owned(), dest.to_owned());
        fields.insert("caller_id_number".to_owned(), "1000".to_owned());
        Self { fields, inline_log: Vec::new(), now: parse_date_time("2026-11-24 09:30").unwrap(), zone: TimeZone::UTC }
    }
}

impl super::expand::Resolver for MapEnv {
    fn var(&mut self, name: &str) -> Option<String> {
        self.fields.get(name).cloned()
    }
    fn call<'a>(&'a mut self, _f: &'a str, _a: &'a str) -> BoxFuture<'a, Option<String>> {
        Box::pin(async { None })
    }
}

impl HuntEnv for MapEnv {
    fn field(&mut self, field: &str) -> String {
        if field.contains("${") {
            return super::expand::expand_now(field, self);
        }
        self.fields.get(field).cloned().unwrap_or_default()
    }
    fn expand(&mut self, text: &str) -> String {
        super::expand::expand_now(text, self)
    }
    fn inline<'a>(&'a mut self, app: &'a str, data: &'a str) -> BoxFuture<'a, ()> {
        Box::pin(async move {
            self.inline_log.push(format!("{app}({data})"));
            if app == "set"
                && let Some((k, v)) = data.split_once('=')
            {
                self.fields.insert(k.to_owned(), v.to_owned());
            }
        })
    }
    fn now(&self) -> i64 {
        self.now
    }
    fn local_zone(&self) -> TimeZone {
        self.zone.clone()
    }
}

fn doc(body: &str) -> String {
    format!("<include>\n<context name=\"default\">\n{body}\n</context>\n</include>\n")
}

async fn run(body: &str, env: &mut MapEnv) -> Vec<String> {
    let plan = parse_str("test.xml", &doc(body)).unwrap();
    let planned: Vec<Planned> = hunt(&plan.contexts["default"], env).await;
    planned.into_iter().map(|p| format!("{}({})", p.app, p.data)).collect()
}

async fn route(body: &str, dest: &str) -> Vec<String> {
    run(body, &mut MapEnv::new(dest)).await
}

#[tokio::test]
async fn the_first_matching_extension_wins_and_captures_fill_the_data() {
    let body = r#"
<extension name="conf_test">
  <condition field="destination_number" expression="^7001$">
    <action application="conference" data="test1"/>
    <action application="hangup"/>
  </condition>
</extension>
<extension name="local">
  <condition field="destination_number" expression="^(1\d)(\d\d)$">
    <action application="bridge" data="user/$1$2 whole=$0 none=$9"/>
  </condition>
</extension>
<extension name="never">
  <condition field="destination_number" expression="^1">
    <action application="log" data="unreached"/>
  </condition>
</extension>"#;
    assert_eq!(route(body, "7001").await, vec!["conference(test1)", "hangup()"]);
    assert_eq!(route(body, "1234").await, vec!["bridge(user/1234 whole=1234 none=)"]);
    assert!(route(body, "999").await.is_empty());
}

#[tokio::test]
async fn anti_actions_run_when_false_and_break_on_false_stops_the_extension() {
    let body = r#"
<extension name="a">
  <condition field="destination_number" expression="^1$">
    <action application="log" data="one"/>
    <anti-action application="log" data="not-one"/>
  </condition>
  <condition field="caller_id_number" expression="^1000$">
    <action application="log" data="second"/>
  </condition>
</extension>
<extension name="b">
  <condition field="destination_number" expression="^2$">
    <action application="log" data="two"/>
  </condition>
</extension>"#;
    assert_eq!(route(body, "1").await, vec!["log(one)", "log(second)"]);
    // `a` fails but ran an anti-action: as in mod_dialplan_xml, that counts as a match and hunting
    // stops there.
    assert_eq!(route(body, "2").await, vec!["log(not-one)"]);
}

#[tokio::test]
async fn break_on_true_always_and_never() {
    let body = |brk: &str| {
        format!(
            r#"<extension name="x">
  <condition field="destination_number" expression="^5$" break="{brk}">
    <action application="log" data="first"/>
    <anti-action application="log" data="first-anti"/>
  </condition>
  <condition field="destination_number" expression="^\d$">
    <action application="log" data="second"/>
  </condition>
</extension>"#
        )
    };
    assert_eq!(route(&body("on-true"), "5").await, vec!["log(first)"]);
    assert_eq!(route(&body("on-true"), "6").await, vec!["log(first-anti)", "log(second)"]);
    assert_eq!(route(&body("always"), "6").await, vec!["log(first-anti)"]);
    assert_eq!(route(&body("always"), "5").await, vec!["log(first)"]);
    assert_eq!(route(&body("never"), "6").await, vec!["log(first-anti)", "log(second)"]);
    assert_eq!(route(&body("on-false"), "6").await, vec!["log(first-anti)"]);
}

#[tokio::test]
async fn regex_all_any_and_xor_combine_field_tests() {
    let body = |mode: &str| {
        format!(
            r#"<extension name="x">
  <condition regex="{mode}">
    <regex field="destination_number" expression="^(\d+)$"/>
    <regex field="caller_id_number" expression="^(10\d\d)$"/>
    <action application="log" data="yes $1"/>
    <anti-action application="log" data="no"/>
  </condition>
</extension>"#
        )
    };
    assert_eq!(route(&body("all"), "42").await, vec!["log(yes 1000)"]);
    assert_eq!(route(&body("all"), "x").await, vec!["log(no)"]);
    assert_eq!(route(&body("any"), "x").await, vec!["log(yes 1000)"]);
    assert_eq!(route(&body("any"), "42").await, vec!["log(yes 42)"]);
    assert_eq!(route(&body("xor"), "42").await, vec!["log(no)"]);
    assert_eq!(route(&body("xor"), "x").await, vec!["log(yes 1000)"]);
}

#[tokio::test]
async fn continue_true_keeps_hunting_after_a_match() {
    let body = r#"
<extension name="tag" continue="true">
  <condition field="destination_number" expression="^\d+$">
    <action application="set" data="tagged=yes"/>
  </condition>
</extension>
<extension name="main">
  <condition field="destination_number" expression="^100$">
    <action application="park"/>
  </condition>
</extension>"#;
    assert_eq!(route(body, "100").await, vec!["set(tagged=yes)", "park()"]);
}

#[tokio::test]
async fn inline_actions_run_while_hunting_and_later_conditions_see_them() {
    let body = r#"
<extension name="prep" continue="true">
  <condition field="destination_number" expression="^(\d+)$">
    <action application="set" data="who=$1" inline="true"/>
  </condition>
</extension>
<extension name="use">
  <condition field="${who}" expression="^100$">
    <action application="log" data="who is ${who}"/>
  </condition>
</extension>"#;
    let mut env = MapEnv::new("100");
    assert_eq!(run(body, &mut env).await, vec!["log(who is ${who})"]);
    assert_eq!(env.inline_log, vec!["set(who=100)"]);
}

#[tokio::test]
async fn time_conditions_use_the_injected_time() {
    let body = r#"
<extension name="office" continue="true">
  <condition wday="2-6" time-of-day="08:00-17:00">
    <action application="log" data="open"/>
    <anti-action application="log" data="closed"/>
  </condition>
</extension>
<extension name="holiday">
  <condition mon="12" mday="25" break="never">
    <action application="log" data="xmas"/>
  </condition>
  <condition field="destination_number" expression="^1$" hour="9" minute-of-day="500-600">
    <action application="log" data="nine"/>
  </condition>
</extension>"#;
    // Tuesday 2026-11-24 09:30 UTC.
    assert_eq!(route(body, "1").await, vec!["log(open)", "log(nine)"]);
    let mut env = MapEnv::new("1");
    env.now = parse_date_time("2026-12-25 20:00").unwrap();
    assert_eq!(run(body, &mut env).await, vec!["log(closed)", "log(xmas)"]);
}

#[test]
fn preprocess_sets_globals_for_later_attributes_and_includes_files() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("default")).unwrap();
    let ext = r#"<include><extension name="inc"><condition field="destination_number" expression="^$${n}$">
<action application="log" data="$${greeting}"/></condition></extension></include>"#;
    std::fs::write(dir.path().join("default/01_inc.xml"), ext).unwrap();
    let main = r#"<include>
  <X-PRE-PROCESS cmd="set" data="n=42"/>
  <X-PRE-PROCESS cmd="set" data="greeting=hello $${n}"/>
  <context name="default">
    <X-PRE-PROCESS cmd="include" data="default/*.xml"/>
  </context>
</include>"#;
    std::fs::write(dir.path().join("main.xml"), main).unwrap();
    let plan = super::load_files(&[dir.path().join("main.xml")]).unwrap();
    let ext = &plan.contexts["default"].extensions[0];
    assert_eq!(ext.name, "inc");
    let super::model::FieldTests::One(t) = &ext.conditions[0].test.fields else { panic!() };
    assert_eq!(t.regex.text, "^42$");
    assert_eq!(ext.conditions[0].actions[0].data, "hello 42");
    assert_eq!(plan.globals, vec![("n".to_owned(), "42".to_owned()), ("greeting".to_owned(), "hello 42".to_owned())]);
    assert!(ext.source.file.ends_with("01_inc.xml"));
}

#[test]
fn errors_name_the_file_line_and_what_was_expected() {
    let cases = [
        (
            "<include>\n<context name=\"d\">\n<extension>\n<condition field=\"x\" expression=\"(\"/>",
            "t.xml:4:1: expected a valid regular expression",
        ),
        ("<include>\n\n<extension name=\"e\"/>", "t.xml:3:1: expected <extension> inside a <context>"),
        (
            "<context name=\"d\"><extension><condition break=\"sometimes\"/>",
            "t.xml:1:30: expected break=\"on-true|on-false|always|never\"",
        ),
        (
            "<context name=\"d\">\n  <extension>\n    <condition regex=\"most\">",
            "t.xml:3:5: expected regex=\"all|any|xor\"",
        ),
        (
            "<context name=\"d\"><extension><condition>\n<action data=\"x\"/>",
            "t.xml:2:1: expected an application attribute",
        ),
        ("<context>", "t.xml:1:1: expected a name attribute on <context>"),
        ("<context name=\"d\">\n</extension>", "t.xml:2:"),
        ("<include>\n<context name=\"d\">", "</context> before the end of the file"),
        (
            "<include><X-PRE-PROCESS cmd=\"include\" data=\"/nonexistent/x.xml\"/>",
            "t.xml:1:10: expected an existing file to include",
        ),
    ];
    for (text, want) in cases {
        let err = parse_str("t.xml", text).unwrap_err().to_string();
        assert!(err.contains(want), "{text:?}: got {err}");
    }
}

#[test]
fn expressions_may_be_given_as_child_elements() {
    let body = doc(r#"<extension name="x"><condition field="destination_number">
<expression><![CDATA[^(1|2)&$]]></expression><action application="log" data="$1"/></condition></extension>"#);
    let plan = parse_str("t.xml", &body).unwrap();
    let super::model::FieldTests::One(t) = &plan.contexts["default"].extensions[0].conditions[0].test.fields else {
        panic!()
    };
    assert_eq!(t.regex.text, "^(1|2)&$");
}

#[test]
fn untrusted_text_may_not_include_files() {
    let text = r#"<include><X-PRE-PROCESS cmd="include" data="*.xml"/></include>"#;
    let err = super::parse_untrusted("u.xml", text).unwrap_err().to_string();
    assert!(err.starts_with("u.xml:1:10: expected no X-PRE-PROCESS include"), "{err}");
}

#[tokio::test]
async fn the_destination_index_keeps_document_order_across_indexed_and_other_extensions() {
    let body = r#"
<extension name="a" continue="true"><condition field="destination_number" expression="^12(\d)$">
  <action application="log" data="a$1"/></condition></extension>
<extension name="b" continue="true"><condition field="caller_id_number" expression="^1000$">
  <action application="log" data="b"/></condition></extension>
<extension name="c" continue="true"><condition field="destination_number" expression="^1">
  <action application="log" data="c"/></condition></extension>
<extension name="d" continue="true"><condition field="destination_number" expression="^9">
  <action application="log" data="d"/></condition></extension>
<extension name="e"><condition field="destination_number" expression="^(123)$">
  <action application="log" data="e$1"/></condition></extension>"#;
    assert_eq!(route(body, "123").await, vec!["log(a3)", "log(b)", "log(c)", "log(e123)"]);
    assert_eq!(route(body, "9").await, vec!["log(b)", "log(d)"]);
}

proptest::proptest! {
    #[test]
    fn any_text_parses_or_fails_with_a_position(text in ".{0,200}") {
        if let Err(e) = super::parse_untrusted("p.xml", &text) {
            proptest::prop_assert!(e.to_string().starts_with("p.xml:"), "{}", e);
        }
    }

    #[test]
    fn any_expression_and_field_either_compile_or_name_the_line(expr in ".{0,40}", field in "[a-z_${}]{0,20}") {
        let text = format!(
            "<context name=\"d\">\n<extension>\n<condition field=\"{}\" expression=\"{}\"/>\n</extension></context>",
            field.replace('"', ""),
            expr.replace(['"', '<', '&'], "")
        );
        if let Err(e) = super::parse_untrusted("p.xml", &text) {
            proptest::prop_assert!(e.to_string().starts_with("p.xml:3:1: expected a valid regular expression"), "{}", e);
        }
    }
}

const OFFICE_HOURS: &str = r#"
<extension name="office">
  <condition wday="2-6" time-of-day="08:00-17:00">
    <action application="log" data="open"/>
    <anti-action application="log" data="closed"/>
  </condition>
</extension>"#;

#[tokio::test]
async fn time_conditions_use_the_switch_local_zone_then_the_channel_timezone() {
    // Tuesday 2026-11-24 09:30 UTC is 04:30 in New York (closed) and 18:30 in Tokyo (closed).
    let mut env = MapEnv::new("1");
    assert_eq!(run(OFFICE_HOURS, &mut env).await, vec!["log(open)"]);
    env.zone = TimeZone::get("America/New_York").unwrap();
    assert_eq!(run(OFFICE_HOURS, &mut env).await, vec!["log(closed)"]);
    env.fields.insert("timezone".into(), "Europe/Paris".into());
    assert_eq!(run(OFFICE_HOURS, &mut env).await, vec!["log(open)"], "10:30 in Paris");
    env.fields.insert("tod_tz_offset".into(), "9".into());
    assert_eq!(run(OFFICE_HOURS, &mut env).await, vec!["log(closed)"], "tod_tz_offset wins over timezone");
}

#[tokio::test]
async fn tz_offset_and_date_time_follow_the_zones() {
    let body = r#"
<extension name="east" continue="true">
  <condition tz-offset="-5"><action application="log" data="eastern"/></condition>
</extension>
<extension name="launch">
  <condition date-time="2026-11-24 04:00~2026-11-24 05:00"><action application="log" data="launch"/></condition>
</extension>"#;
    let mut env = MapEnv::new("1");
    assert!(run(body, &mut env).await.is_empty(), "UTC: offset 0, 09:30 is past the range");
    env.zone = TimeZone::get("America/New_York").unwrap();
    assert_eq!(run(body, &mut env).await, vec!["log(eastern)", "log(launch)"]);
    // date-time is read in the switch's zone whatever the channel's.
    env.fields.insert("timezone".into(), "Asia/Tokyo".into());
    assert_eq!(run(body, &mut env).await, vec!["log(launch)"]);
}

const NESTED: &str = r#"
<extension name="nested">
  <condition field="destination_number" expression="^(5\d\d)$">
    <action application="log" data="outer $1"/>
    <condition field="caller_id_number" expression="^2000$" break="never">
      <action application="log" data="from 2000"/>
    </condition>
    <condition field="caller_id_number" expression="^1000$">
      <action application="log" data="from 1000"/>
      <condition field="${vip}" expression="^yes$">
        <action application="log" data="vip"/>
        <anti-action application="log" data="not vip"/>
      </condition>
    </condition>
  </condition>
</extension>
<extension name="fallback">
  <condition field="destination_number" expression="^5">
    <action application="log" data="fallback"/>
  </condition>
</extension>"#;

#[tokio::test]
async fn nested_conditions_run_under_a_true_parent_after_its_actions() {
    let mut env = MapEnv::new("501");
    assert_eq!(run(NESTED, &mut env).await, vec!["log(outer 501)", "log(from 1000)", "log(not vip)"]);
    env.fields.insert("vip".into(), "yes".into());
    assert_eq!(run(NESTED, &mut env).await, vec!["log(outer 501)", "log(from 1000)", "log(vip)"]);
    // The outer condition false: nothing nested is looked at, hunting goes on.
    assert_eq!(route(NESTED, "5").await, vec!["log(fallback)"]);
}

#[tokio::test]
async fn a_false_nested_list_makes_the_parent_false_unless_require_nested_is_false() {
    // Caller 3000: the first nested condition is false (break="never": go on), the second is false
    // and ends the nested list false, so `nested` did not match and hunting goes on to `fallback`.
    let mut env = MapEnv::new("502");
    env.fields.insert("caller_id_number".into(), "3000".into());
    assert_eq!(run(NESTED, &mut env).await, vec!["log(outer 502)", "log(fallback)"]);
    let lenient = NESTED.replacen(r#"expression="^(5\d\d)$">"#, r#"expression="^(5\d\d)$" require-nested="false">"#, 1);
    assert_eq!(run(&lenient, &mut env).await, vec!["log(outer 502)"]);
    // Caller 2000: the last nested condition evaluated (1000) decides, as for an extension's list.
    env.fields.insert("caller_id_number".into(), "2000".into());
    assert_eq!(run(NESTED, &mut env).await, vec!["log(outer 502)", "log(from 2000)", "log(fallback)"]);
}

#[test]
fn conditions_nest_and_every_action_is_listed() {
    let plan = parse_str("d.xml", &doc(NESTED)).unwrap();
    let ext = &plan.contexts["default"].extensions[0];
    assert_eq!((ext.conditions.len(), ext.conditions[0].nested.len()), (1, 2));
    assert_eq!(ext.conditions[0].nested[1].nested.len(), 1);
    assert!(ext.conditions[0].require_nested);
    let apps: Vec<&str> = plan.actions().map(|a| a.data.as_str()).collect();
    assert!(apps.contains(&"not vip") && apps.contains(&"from 2000"), "{apps:?}");
    let deep = format!("{}{}", "<condition>".repeat(101), "</condition>".repeat(101));
    let err = parse_str("d.xml", &doc(&format!("<extension name=\"x\">{deep}</extension>"))).unwrap_err();
    assert!(err.to_string().contains("nested at most 100 deep"), "{err}");
}

#[tokio::test]
async fn regex_children_may_be_time_tests() {
    // Tuesday 09:30: an any-list of "weekend" (time only) or caller 2000 is false, all-list of
    // "weekday" and the destination is true (captures from the field test).
    let body = r#"
<extension name="weekend_or_boss" continue="true">
  <condition regex="any">
    <regex wday="1,7"/>
    <regex field="caller_id_number" expression="^2000$"/>
    <action application="log" data="special"/>
    <anti-action application="log" data="ordinary"/>
  </condition>
</extension>
<extension name="weekday">
  <condition regex="all">
    <regex field="destination_number" expression="^(\d+)$"/>
    <regex wday="2-6"/>
    <action application="log" data="weekday $1"/>
  </condition>
</extension>"#;
    assert_eq!(route(body, "42").await, vec!["log(ordinary)", "log(weekday 42)"]);
    let err = parse_str(
        "d.xml",
        &doc(r#"<extension><condition regex="any"><regex expression="x"/></condition></extension>"#),
    )
    .unwrap_err();
    assert!(err.to_string().contains("a field attribute on <regex>"), "{err}");
}
