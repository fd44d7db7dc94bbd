//! The native CLI, run as a user would.

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
            "/../../tests/fixtures/tcf-v2-vectors.json"
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

#[test]
fn bucket_prints_growthbooks_hash_and_the_variation() {
    let (code, stdout, _) =
        shelfwise(&["bucket", "--seed", "seed", "--value", "b", "--version", "2"]);
    assert_eq!(code, 0);
    let printed: Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(printed, serde_json::json!({"hash": 0.2696, "variation": 0}));
    // GrowthBook's case: hash("ef", "d", 1) is 0.652, past the first 20%.
    let (_, stdout, _) = shelfwise(&[
        "bucket",
        "--seed",
        "ef",
        "--value",
        "d",
        "--version",
        "1",
        "--weights",
        "0.2,0.8",
    ]);
    let printed: Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(printed, serde_json::json!({"hash": 0.652, "variation": 1}));
    let (code, _, stderr) = shelfwise(&["bucket", "--seed", "s"]);
    assert_eq!(code, 64);
    assert!(stderr.contains("--value is required"), "{stderr}");
}

#[test]
fn estimate_reads_reports_and_prints_lifts_with_intervals() {
    use shelfwise_core::event::{Event, EventKind, Product};
    use shelfwise_core::json::to_string;
    use shelfwise_core::measure::{Counters, Layout, Random};

    let layout = Layout::new(vec!["grid".into()], 10.0, 25.0).unwrap();
    let mut lines = String::new();
    for shopper in 0..400 {
        let mut counters = Counters::default();
        let personalized = shopper % 2 == 1;
        let mut click = Event::new(EventKind::Click, Product::new("p"), 1.0);
        click.module = Some("grid".into());
        // Every personalized shopper clicks; one holdout shopper in four does.
        if personalized || shopper % 8 == 0 {
            counters.count(&click, &layout.modules);
        }
        let group = if personalized {
            "personalized"
        } else {
            "holdout"
        };
        let report = counters.report(&layout, group, &mut Random::new(shopper));
        lines.push_str(&to_string(&report));
        lines.push('\n');
    }
    let path = std::env::temp_dir().join(format!("shelfwise-reports-{}.jsonl", std::process::id()));
    std::fs::write(&path, lines).unwrap();
    let (code, stdout, stderr) = shelfwise(&["estimate", path.to_str().unwrap()]);
    std::fs::remove_file(&path).unwrap();
    assert_eq!(code, 0, "{stderr}");
    let found: Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(found["baseline"], "holdout");
    let personalized = found["groups"]
        .as_array()
        .unwrap()
        .iter()
        .find(|g| g["group"] == "personalized")
        .unwrap();
    assert_eq!(personalized["reports"], 200);
    let clicks = personalized["metrics"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["metric"] == "clicks")
        .unwrap();
    // 1 click per report against 0.25: a lift of 0.75, within the interval.
    let lift = &clicks["lift"];
    assert!(
        lift["low"].as_f64().unwrap() <= 0.75 && 0.75 <= lift["high"].as_f64().unwrap(),
        "{lift}"
    );
    let (code, _, stderr) = shelfwise(&["estimate", "/nonexistent.jsonl"]);
    assert_eq!(code, 2);
    assert!(stderr.contains("nonexistent"), "{stderr}");
}
