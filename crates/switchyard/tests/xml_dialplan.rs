//! `switchyard check` validates the `[dialplan] freeswitch` XML files: a bad file fails with its
//! file:line:column, an unknown application is a warning.

use std::process::Command;

const BIN: &str = env!("CARGO_BIN_EXE_switchyard");

#[test]
fn check_validates_xml_dialplans_with_file_line_and_warnings() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("dialplan")).unwrap();
    let config = dir.path().join("switchyard.toml");
    std::fs::write(&config, "[general]\ndata_dir = \"d\"\n\n[dialplan]\nfreeswitch = [\"dialplan/*.xml\"]\n").unwrap();
    let xml = dir.path().join("dialplan/default.xml");
    std::fs::write(
        &xml,
        "<include><context name=\"default\"><extension name=\"e\">\n<condition field=\"destination_number\" expression=\"^1$\">\n<action application=\"frobnicate\"/></condition></extension></context></include>\n",
    )
    .unwrap();
    let out = Command::new(BIN).args(["check", "--config"]).arg(&config).output().unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{err}");
    assert!(err.contains("default.xml:3: unknown application 'frobnicate'"), "{err}");

    std::fs::write(&xml, "<include>\n<context name=\"default\">\n  <extension>\n    <condition break=\"maybe\"/>")
        .unwrap();
    let out = Command::new(BIN).args(["check", "--config"]).arg(&config).output().unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success());
    assert!(err.contains("default.xml:4:5: expected break="), "{err}");
}
