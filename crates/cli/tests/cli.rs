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

/// A temporary file holding `text`, named for the test.
fn temp_file(name: &str, text: &str) -> std::path::PathBuf {
    let path = std::env::temp_dir().join(format!("shelfwise-cli-{}-{name}", std::process::id()));
    std::fs::write(&path, text).unwrap();
    path
}

#[test]
fn aggregate_steps_the_model_file_and_ignores_other_versions() {
    let weights = 19;
    let report = |model: &str, g: f64| {
        format!(
            r#"{{"format":"shelfwise-contribution","version":1,"model":"{model}","epsilon":2,"clip":0.1,"gradient":[{}],"sketchEpsilon":2,"sketchWidth":1024,"ones":[3,17]}}"#,
            vec![g.to_string(); weights].join(",")
        )
    };
    let reports = [
        report("shop-3", 1.0),
        report("shop-3", 3.0),
        report("shop-2", 50.0),
        "not json".into(),
    ]
    .join("\n");
    let reports = temp_file("reports.jsonl", &reports);
    let model = temp_file(
        "model.json",
        r#"{"version":"shop-3","base":1,"similar":2.5}"#,
    );
    let (code, stdout, stderr) = shelfwise(&[
        "aggregate",
        reports.to_str().unwrap(),
        "--model",
        model.to_str().unwrap(),
        "--learning-rate",
        "0.25",
    ]);
    assert_eq!(code, 0, "{stderr}");
    let printed: Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(printed["gradient"]["reports"], 2);
    assert_eq!(printed["gradient"]["ignored"], 2);
    assert_eq!(printed["gradient"]["mean"][0], 2.0);
    // The next version, weights in the model's order, each moved by 0.25 · 2.
    assert!(
        stdout.contains(r#""model":{"version":"shop-3+1","base":0.5,"category":"#),
        "version first, then the weights in the model's order: {stdout}"
    );
    assert_eq!(printed["model"]["version"], "shop-3+1");
    assert_eq!(printed["model"]["base"], 0.5);
    assert_eq!(printed["model"]["similar"], 2.0);
    // Two reports cannot clear k = 50.
    assert_eq!(printed["priors"]["format"], "shelfwise-priors");
    assert_eq!(printed["priors"]["buckets"], serde_json::json!([]));
    let (code, _, stderr) = shelfwise(&[
        "aggregate",
        reports.to_str().unwrap(),
        "--model",
        "/no/such/file",
    ]);
    assert_eq!(code, 2);
    assert!(stderr.contains("/no/such/file"), "{stderr}");
}

#[test]
fn eval_with_priors_prints_hybrid_rows_for_the_views_it_scores() {
    // A REES46 log: shopper 1 views twelve phones (the grid), then shoppers 2 to 6 view
    // three each, an hour apart per shopper.
    let line = |minute: u32, product: u32, user: u32| {
        format!(
            "2019-10-01 {:02}:{:02}:00 UTC,view,{product},1,electronics.smartphone,b{},{}.00,{user},s",
            minute / 60,
            minute % 60,
            product % 2,
            100 + product
        )
    };
    let mut lines = vec!["event_time,event_type,product_id,category_id,category_code,brand,price,user_id,user_session".to_owned()];
    lines.extend((1..=12).map(|p| line(p, p, 1)));
    for user in 2..=6 {
        for (i, product) in [3, 5, 8].iter().enumerate() {
            lines.push(line(user * 60 + i as u32, *product, user));
        }
    }
    let log = temp_file("rees46.csv", &lines.join("\n"));
    let priors = temp_file(
        "priors.json",
        r#"{"format":"shelfwise-priors","version":1,"width":1024,"k":50,"reports":2000,"buckets":[[1,400],[77,90]]}"#,
    );
    let log = log.to_str().unwrap();
    let (code, stdout, stderr) = shelfwise(&[
        "eval",
        log,
        "--priors",
        priors.to_str().unwrap(),
        "--from",
        "2019-10-01 04:00:00",
    ]);
    assert_eq!(code, 0, "{stderr}");
    let count = |prefix: &str| stdout.lines().filter(|l| l.starts_with(prefix)).count();
    assert_eq!((count("shelfwise "), count("hybrid ")), (2, 2), "{stdout}");
    // Both score the same views: shoppers 4 to 6 (from 04:00), two views each (their
    // first has no earlier event of theirs).
    let n = |prefix: &str| -> usize {
        let line = stdout.lines().find(|l| l.starts_with(prefix)).unwrap();
        line.split("n=")
            .nth(1)
            .unwrap()
            .split(' ')
            .next()
            .unwrap()
            .parse()
            .unwrap()
    };
    assert_eq!((n("shelfwise all"), n("hybrid all")), (6, 6), "{stdout}");
    let (code, all, _) = shelfwise(&["eval", log]);
    assert_eq!(code, 0);
    assert!(
        all.contains("shelfwise all n=10 "),
        "without --from every shopper's views: {all}"
    );
    let bad = temp_file(
        "bad-priors.json",
        r#"{"format":"shelfwise-priors","version":1,"width":512,"k":50,"buckets":[]}"#,
    );
    let (code, _, stderr) = shelfwise(&["eval", log, "--priors", bad.to_str().unwrap()]);
    assert_eq!(code, 2);
    assert!(stderr.contains("width 1024"), "{stderr}");
}

#[test]
fn simulate_prints_every_model_and_is_deterministic() {
    // Forty shoppers each view four of twelve phones, in turn, across a day.
    let mut lines = vec!["event_time,event_type,product_id,category_id,category_code,brand,price,user_id,user_session".to_owned()];
    for step in 0..160u32 {
        let (user, product) = (step % 40, 1 + (step * 7) % 12);
        lines.push(format!(
            "2019-10-01 {:02}:{:02}:00 UTC,view,{product},1,electronics.smartphone,b{},{}.00,{user},s",
            step / 10,
            (step % 10) * 6,
            product % 3,
            100 + product
        ));
    }
    let log = temp_file("simulate.csv", &lines.join("\n"));
    let chart = std::env::temp_dir().join(format!(
        "shelfwise-cli-{}-trade-off.svg",
        std::process::id()
    ));
    let args = [
        "simulate",
        log.to_str().unwrap(),
        "--engine",
        "rust",
        "--epsilon",
        "4,8",
        "--rounds",
        "2",
        "--svg",
        chart.to_str().unwrap(),
    ];
    let (code, first, stderr) = shelfwise(&args);
    assert_eq!(code, 0, "{stderr}");
    for row in [
        "untrained all",
        "default all",
        "central all",
        "federated ε=4 all",
        "shelfwise all",
        "hybrid ε=4 all",
    ] {
        assert!(
            first.lines().any(|l| l.starts_with(row)),
            "{row} missing: {first}"
        );
    }
    assert!(first.contains("federated ε=4 keeps"), "{first}");
    let svg = std::fs::read_to_string(&chart).unwrap();
    assert!(
        svg.starts_with("<svg") && svg.contains("ε = 8: ") && svg.contains("central fit: "),
        "{svg}"
    );
    let (_, second, _) = shelfwise(&args);
    assert_eq!(
        first, second,
        "the same log and settings give the same figures"
    );
    let (code, _, stderr) = shelfwise(&["simulate", log.to_str().unwrap(), "--engine", "spark"]);
    assert_eq!(code, 2);
    assert!(stderr.contains("--engine is duckdb or rust"), "{stderr}");
}
