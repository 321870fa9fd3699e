//! XML dialplan unit tests: parsing (errors with file:line), every condition form, break
//! variants, anti-actions, captures, time conditions with an injected time, inline actions,
//! `continue`, and pre-processing.

use std::collections::HashMap;

use switchyard_core::app::BoxFuture;

use super::hunt::{HuntEnv, Planned, hunt};
use super::parse_str;
use super::time::{CivilTime, parse_date_time};

/// Fields from a map; inline actions `set` into it; a fixed time.
struct MapEnv {
    fields: HashMap<String, String>,
    inline_log: Vec<String>,
    now: CivilTime,
}

impl MapEnv {
    fn new(dest: &str) -> Self {
        let mut fields = HashMap::new();
        fields.insert("destination_number".to_owned(), dest.to_owned());
        fields.insert("caller_id_number".to_owned(), "1000".to_owned());
        Self {
            fields,
            inline_log: Vec::new(),
            now: CivilTime::from_epoch(parse_date_time("2026-11-24 09:30").unwrap()),
        }
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
    fn now(&self) -> CivilTime {
        self.now
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
