//! The native CLI, run as a user would.
#![cfg(feature = "cli")]

use std::process::Command;

use serde_json::Value;

fn shelfwise(args: &[&str]) -> (i32, String, String) {
    let output = Command::new(env!("CARGO_BIN_EXE_shelfwise"))
        .args(args)
        .output()
        .unwrap();
    (
        output.status.code().unwrap_or(-1),
        String::from_utf8(output.stdout).unwrap(),
        String::from_utf8(output.stderr).unwrap(),
    )
}

#[test]
fn tcf_prints_the_decoding_with_reference_field_names() {
    let fixture: Value = serde_json::from_str(
        &std::fs::read_to_string(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/fixtures/tcf-v2-vectors.json"
        ))
        .unwrap(),
    )
    .unwrap();
    let vector = fixture["vectors"]
        .as_array()
        .unwrap()
        .iter()
        .find(|v| v["expect"] == "valid")
        .unwrap();
    let (code, stdout, _) = shelfwise(&["tcf", vector["tcString"].as_str().unwrap()]);
    assert_eq!(code, 0);
    let printed: Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(printed, vector["decoded"]);
}

#[test]
fn tcf_exits_2_with_the_error_on_an_invalid_string() {
    let (code, stdout, stderr) = shelfwise(&["tcf", "CONciguONcjGKADACHENAOCIAC0ta__AACiQABgAAYA"]);
    assert_eq!(code, 2);
    assert!(stdout.is_empty());
    assert!(stderr.contains("invalid bit length"), "{stderr}");
}

#[test]
fn wrong_usage_exits_64_with_the_usage() {
    let (code, _, stderr) = shelfwise(&["tcf"]);
    assert_eq!(code, 64);
    assert!(stderr.contains("usage: shelfwise"));
}
