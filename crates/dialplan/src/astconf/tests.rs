//! Parser tests: syntax, priorities and labels, templates, includes, errors with positions.

use super::*;
use crate::ir::Step;

pub(crate) const SEED_001: &str = r#"
[sub-call-from-cid-ended]
exten => s,1,GotoIf($["${ARG1}" = "" | "${ARG2}" = ""]?end)
same => n,System(curl --max-time 10 --data-urlencode 'cid=${ARG1}' --data-urlencode 'operator=${ARG2}' --data-urlencode 'end=${EPOCH}' http://stats-host.local/inbound & disown -h)
same => n,Set(DB(CALL_FROM_CID/${ARG1}/end)=${EPOCH})
same => n,Set(DB(CALL_FROM_CID/${ARG1}/answered_by)=${ARG2})
same => n(end),Return

[queues]
exten => inbound,1,Answer
same => n,Queue(inbound,t,,,300)
same => n,Hangup

[from-queue]
exten => _1XX,1,Dial(SIP/${EXTEN},30,tU(sub-on-operator-answer^${CALLERID(num)}^${EXTEN}))
same => n,Hangup

[sub-on-operator-answer]
exten => s,1,GotoIf($["${ARG1}" = "" | "${ARG2}" = ""]?end)
same => n,System(curl --max-time 10 --data-urlencode 'cid=${ARG1}' --data-urlencode 'operator=${ARG2}' --data-urlencode 'start=${EPOCH}' http://stats-host.local/inbound & disown -h)
same => n,Set(CHANNEL(hangup_handler_push)=sub-call-from-cid-ended,s,1(${ARG1},${ARG2}))
same => n(end),Return
"#;

fn err(text: &str) -> String {
    parse_str("x.conf", text).unwrap_err().to_string()
}

#[test]
fn the_seed_dialplan_loads_with_labels_and_same_lines() {
    let plan = parse_str("seed.conf", SEED_001).unwrap();
    assert_eq!(plan.context_names(), vec!["from-queue", "queues", "sub-call-from-cid-ended", "sub-on-operator-answer"]);
    let (ext, p) = plan.find("sub-call-from-cid-ended", "s", "", Step::Label("end")).unwrap();
    assert_eq!((p.number, p.app.as_str()), (5, "Return"));
    assert_eq!(ext.priorities[&2].app, "System");
    let (_, dial) = plan.find("from-queue", "123", "", Step::Number(1)).unwrap();
    assert_eq!(dial.args, "SIP/${EXTEN},30,tU(sub-on-operator-answer^${CALLERID(num)}^${EXTEN})");
}

#[test]
fn comments_and_escaped_semicolons() {
    let plan =
        parse_str("x", "[c] ; ctx\nexten => 1,1,NoOp(a\\;b) ; note\n;-- block\nexten => 2,1,NoOp --;\n").unwrap();
    let (_, p) = plan.find("c", "1", "", Step::Number(1)).unwrap();
    assert_eq!(p.args, "a;b");
    assert!(plan.find("c", "2", "", Step::Number(1)).is_none());
}

#[test]
fn priorities_n_continue_per_extension_and_explicit_numbers_reset() {
    let text = "[c]\nexten => 1,1,NoOp(a)\nexten => 2,1,NoOp(x)\nexten => 1,n,NoOp(b)\nsame => n+2,NoOp(c)\nexten => 1,10(ten),NoOp(d)\nsame => n,NoOp(e)\n";
    let plan = parse_str("x", text).unwrap();
    let ext = &plan.contexts["c"].extensions[0];
    assert_eq!(ext.priorities.keys().copied().collect::<Vec<_>>(), vec![1, 2, 4, 10, 11]);
    assert_eq!(ext.label("ten"), Some(10));
}

#[test]
fn old_style_arguments_and_empty_arguments() {
    let plan = parse_str("x", "[c]\nexten => s,1,Answer\nexten => s,2,Wait,1\nexten => s,3,Set(X=(a,b))\n").unwrap();
    let e = &plan.contexts["c"].extensions[0];
    assert_eq!((e.priorities[&1].args.as_str(), e.priorities[&2].args.as_str()), ("", "1"));
    assert_eq!(e.priorities[&3].args, "X=(a,b)");
}

#[test]
fn includes_are_searched_after_own_extensions_depth_first() {
    let text = "[a]\ninclude => b\ninclude => c\nexten => _X,1,NoOp(a)\n[b]\ninclude => d\n[c]\nexten => 5,1,NoOp(c)\n[d]\nexten => 5,1,NoOp(d)\nexten => 6,1,NoOp(d)\n";
    let plan = parse_str("x", text).unwrap();
    assert_eq!(plan.find("a", "5", "", Step::Number(1)).unwrap().1.args, "a");
    assert_eq!(plan.find("a", "55", "", Step::Number(1)).map(|p| p.1.args.clone()), None);
    let plan2 = parse_str("x", &text.replace("exten => _X,1,NoOp(a)\n", "")).unwrap();
    assert_eq!(plan2.find("a", "5", "", Step::Number(1)).unwrap().1.args, "d");
}

#[test]
fn caller_id_extensions_match_only_their_caller() {
    let text = "[c]\nexten => 100,1,NoOp(any)\nexten => 100/5551234,1,NoOp(vip)\n";
    let plan = parse_str("x", text).unwrap();
    assert_eq!(plan.find("c", "100", "5551234", Step::Number(1)).unwrap().1.args, "vip");
    assert_eq!(plan.find("c", "100", "5550000", Step::Number(1)).unwrap().1.args, "any");
}

#[test]
fn templates_are_copied_into_contexts_and_not_loaded_themselves() {
    let text = "[base](!)\nexten => h,1,NoOp(base-h)\n[real](base)\nexten => 1,1,NoOp(one)\n";
    let plan = parse_str("x", text).unwrap();
    assert!(!plan.contexts.contains_key("base"));
    assert_eq!(plan.find("real", "h", "", Step::Number(1)).unwrap().1.args, "base-h");
}

#[test]
fn globals_are_collected() {
    let plan = parse_str("x", "[globals]\nA=1\nB => two\n[c]\n").unwrap();
    assert_eq!(plan.globals, vec![("A".into(), "1".into()), ("B".into(), "two".into())]);
}

#[test]
fn errors_name_file_line_column_and_what_was_expected() {
    assert_eq!(err("[c\n"), "x.conf:1:3: expected ']' closing the context name");
    assert_eq!(err("exten => 1,1,NoOp\n"), "x.conf:1:1: expected a [context] header before the first line");
    assert_eq!(
        err("[c]\nexten => 1,one,NoOp\n"),
        "x.conf:2:12: expected a priority: a number, 'n', 'n+N' or 's' (found 'one')"
    );
    assert_eq!(err("[c]\nexten => 1,1,\n"), "x.conf:2:14: expected an application name after the priority");
    assert_eq!(err("[c]\n  exten 1\n"), "x.conf:2:10: expected '=>' after 'exten'");
    assert_eq!(err("[c]\nsame => n,NoOp\n"), "x.conf:2:9: expected an 'exten =>' line before 'same =>'");
    assert_eq!(err("[c]\nfoo => bar\n"), "x.conf:2:1: expected one of exten, same, include, ignorepat (found 'foo')");
    assert_eq!(err("[c]\nexten => 1\n"), "x.conf:2:11: expected ',' after the extension name");
}

#[test]
fn include_files_are_read_relative_to_the_including_file() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("sub")).unwrap();
    std::fs::write(dir.path().join("extensions.conf"), "[c]\nexten => 1,1,NoOp(main)\n#include \"sub/more.conf\"\n")
        .unwrap();
    std::fs::write(dir.path().join("sub/more.conf"), "[d]\nexten => 2,1,NoOp(more)\n").unwrap();
    let plan = load_files(&[dir.path().join("extensions.conf")]).unwrap();
    assert_eq!(plan.find("d", "2", "", Step::Number(1)).unwrap().1.args, "more");
    std::fs::write(dir.path().join("extensions.conf"), "[c]\n#include \"nope.conf\"\n").unwrap();
    let e = load_files(&[dir.path().join("extensions.conf")]).unwrap_err().to_string();
    assert!(e.contains("extensions.conf:2:10: expected an existing file after #include"), "{e}");
}
