//! The Shelfwise developer CLI (native only): `cargo run -p shelfwise-cli -- <command>`.
//!
//! ```text
//! shelfwise tcf <TC-string>   decode an IAB TCF v2 TC string, print it as JSON
//! shelfwise eval FILE...       the category-page replay of EVALUATION.md on event logs
//! shelfwise fit FILE...        learn the ranking model from event logs, cross-validated
//! shelfwise bucket --seed S --value V [--version 2] [--weights 0.5,0.5]
//! shelfwise estimate FILE [--baseline GROUP]
//! shelfwise aggregate FILE... --model MODEL [--learning-rate 0.5] [--k 50]
//! shelfwise simulate FILE... [--epsilon 1,2,4,8] [--rounds N] [--engine duckdb|rust]
//! shelfwise contract           print src/js/wire.ts, the wire contract for the face
//! ```
//!
//! Exit codes: 0 success, 2 the input could not be decoded, 64 wrong usage.

use std::process::ExitCode;

use std::collections::HashMap;

use serde_json::Value;
use shelfwise_cli::chart::{trade_off_svg, TradeOff};
use shelfwise_cli::eval::{
    evaluate_views, parse_time, read_categories, read_log, Format, LogEvent,
};
use shelfwise_cli::federated;
use shelfwise_cli::fit::{self, Source};
use shelfwise_cli::simulate::{simulate, Aggregator, Settings};
use shelfwise_core::bucket::{bucket_ranges, choose_variation, hash};
use shelfwise_core::federated::{aggregate, ModelFile, DEFAULT_K};
use shelfwise_core::json::to_string;
use shelfwise_core::measure::{estimate, Report, REPORT_FORMAT, REPORT_VERSION};
use shelfwise_core::profile::ProfileConfig;
use shelfwise_core::rank::RankOptions;
use shelfwise_core::tcf;

const USAGE: &str = "usage: shelfwise tcf <TC-string>
       shelfwise eval FILE... [--svg CHART] [--priors PRIORS --from TIME]
       shelfwise fit FILE...
       shelfwise bucket --seed S --value V [--version 2] [--weights 0.5,0.5]
       shelfwise estimate FILE [--baseline GROUP]
       shelfwise aggregate FILE... [--model MODEL] [--learning-rate 0.5] [--k 50]
       shelfwise simulate FILE... [--epsilon 1,2,4,8] [--rounds 30] [--learning-rate 16]
                          [--clip 0.1] [--k 50] [--engine duckdb|rust] [--svg CHART]

commands:
  tcf <TC-string>   decode an IAB TCF v2 TC string and print it as JSON, with the field
                    names of the IAB reference decoder (exit code 2 if it is invalid)
  eval FILE... [--svg CHART] [--priors PRIORS --from TIME]
                    replay REES46, Taobao or Diginetica logs as EVALUATION.md defines and
                    print NDCG@10, MRR and HR@10 of the shop's default order and of
                    Shelfwise's, per file (a Diginetica categories file is used as the
                    lookup for the Diginetica views file beside it), beside the `recent`
                    baseline and a server co-view kNN reference (--svg: also as a chart;
                    --priors: hybrid rows ranked with a shop's private priors file,
                    --from: only the views from TIME on, a date or ms, which the
                    priors' reports must predate)
  fit FILE...       learn the ranking model's weights from the logs together: prints
                    5-fold cross-validated figures per file (shoppers held out), then
                    the model fit on everything, as the JSON Shelfwise.open({ model })
                    takes (progress on a terminal's standard error)
  bucket            GrowthBook's hash of V under seed S (version 1 or 2) and the variation
                    it picks with the weights (equal halves by default; -1: none), as
                    {\"hash\": 0.2202, \"variation\": 0}
  contract          the wire contract as the TypeScript face reads it (src/js/wire.ts)
  estimate FILE     unbiased totals, per-report means and lifts with 95% intervals from a
                    file of Shelfwise measurement reports, one JSON object per line
                    (lifts against GROUP, by default \"holdout\")
  aggregate FILE... federated learning's aggregation of contribution reports (JSON lines):
                    the reports against MODEL's version (the shipped defaults without
                    --model) averaged into its next version, and the priors (pair counts
                    above k and the noise), printed as one JSON object (README \"Shop
                    side\"; shop/ runs the same math in SQL on DuckDB or Spark)
  simulate FILE...  federated learning replayed on each log, every shopper a device:
                    rounds of contributions at each ε per report (split evenly between
                    the model update and the sketch), aggregated by the DuckDB runner
                    (--engine rust: in this process), then held-out shoppers scored with
                    the untrained start, the defaults, a central fit and the federated
                    weights (progress on a terminal's standard error; --svg: the
                    privacy/accuracy trade-off as a chart)";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args
        .iter()
        .map(String::as_str)
        .collect::<Vec<_>>()
        .as_slice()
    {
        ["tcf", tc_string] => match tcf::decode(tc_string) {
            Ok(decoded) => {
                // Serializing plain data to a string cannot fail.
                println!(
                    "{}",
                    serde_json::to_string_pretty(&decoded).unwrap_or_default()
                );
                ExitCode::SUCCESS
            }
            Err(error) => {
                eprintln!("shelfwise tcf: {error}");
                ExitCode::from(2)
            }
        },
        ["eval", args @ ..] if !args.is_empty() => match eval(args) {
            Ok(()) => ExitCode::SUCCESS,
            Err(error) => {
                eprintln!("shelfwise eval: {error}");
                ExitCode::from(2)
            }
        },
        ["fit", files @ ..] if !files.is_empty() => match fit_files(files) {
            Ok(()) => ExitCode::SUCCESS,
            Err(error) => {
                eprintln!("shelfwise fit: {error}");
                ExitCode::from(2)
            }
        },
        ["bucket", options @ ..] => match bucket(options) {
            Ok(line) => {
                println!("{line}");
                ExitCode::SUCCESS
            }
            Err(error) => {
                eprintln!("shelfwise bucket: {error}\n{USAGE}");
                ExitCode::from(64)
            }
        },
        ["estimate", file, options @ ..] => match estimate_file(file, options) {
            Ok(json) => {
                println!("{json}");
                ExitCode::SUCCESS
            }
            Err(error) => {
                eprintln!("shelfwise estimate: {error}");
                ExitCode::from(2)
            }
        },
        ["aggregate", rest @ ..] => match aggregate_files(rest) {
            Ok(json) => {
                println!("{json}");
                ExitCode::SUCCESS
            }
            Err(error) => {
                eprintln!("shelfwise aggregate: {error}\n{USAGE}");
                ExitCode::from(2)
            }
        },
        ["simulate", rest @ ..] => match simulate_files(rest) {
            Ok(()) => ExitCode::SUCCESS,
            Err(error) => {
                eprintln!("shelfwise simulate: {error}");
                ExitCode::from(2)
            }
        },
        ["contract"] => {
            print!("{}", shelfwise_core::contract::typescript());
            ExitCode::SUCCESS
        }
        ["help" | "--help" | "-h"] => {
            println!("{USAGE}");
            ExitCode::SUCCESS
        }
        _ => {
            eprintln!("{USAGE}");
            ExitCode::from(64)
        }
    }
}

/// A log file read: its name, format and events.
type Log<'a> = (&'a str, Format, Vec<LogEvent>);

/// Reads every log file (a Diginetica categories file is the lookup for the views).
fn read_logs<'a>(files: &[&'a str]) -> Result<Vec<Log<'a>>, String> {
    let mut texts = Vec::new();
    let mut categories = HashMap::new();
    for file in files {
        let text = std::fs::read_to_string(file).map_err(|e| format!("{file}: {e}"))?;
        let first = text.lines().next().unwrap_or("");
        match Format::detect(first) {
            Some(Format::DigineticaCategories) => categories.extend(read_categories(&text)),
            Some(format) => texts.push((*file, format, text)),
            None => return Err(format!("{file}: not a REES46, Taobao or Diginetica file")),
        }
    }
    let mut logs = Vec::new();
    for (file, format, text) in texts {
        if format == Format::Diginetica && categories.is_empty() {
            return Err(format!(
                "{file}: Diginetica views need the itemId;categoryId file as well"
            ));
        }
        let events = read_log(&text, format, &categories).map_err(|e| format!("{file}: {e}"))?;
        logs.push((file, format, events));
    }
    Ok(logs)
}

/// Runs the replay on every log file and prints its report. `--svg CHART` also writes
/// the figures there as an SVG chart; `--priors FILE` adds `hybrid` rows, ranked with a
/// shop's private priors, and `--from TIME` scores only the views from then on (priors
/// may come only from events before the views they help rank).
fn eval(args: &[&str]) -> Result<(), String> {
    let (mut files, mut chart, mut priors, mut from) = (Vec::new(), None, None, None);
    let mut args = args.iter();
    while let Some(arg) = args.next() {
        let mut value = || args.next().copied().ok_or(format!("{arg} needs a value"));
        match *arg {
            "--svg" => chart = Some(value()?),
            "--priors" => priors = Some(value()?),
            "--from" => {
                let text = value()?;
                let ms = text.parse::<f64>().ok().or_else(|| parse_time(text));
                from = Some(ms.ok_or(format!("--from: {text} is not a date or milliseconds"))?);
            }
            flag if flag.starts_with("--") => return Err(format!("unknown option {flag}")),
            file => files.push(file),
        }
    }
    let hybrid = match priors {
        Some(path) => {
            let text = std::fs::read_to_string(path).map_err(|e| format!("{path}: {e}"))?;
            let priors = federated::read_priors(&text).map_err(|e| format!("{path}: {e}"))?;
            Some(ProfileConfig {
                priors: Some(priors.table()),
                ..ProfileConfig::default()
            })
        }
        None => None,
    };
    let from = from.unwrap_or(f64::NEG_INFINITY);
    let mut reports = Vec::new();
    for (file, format, events) in read_logs(&files)? {
        let scored = |_: &str, at_ms: f64| at_ms >= from;
        let options = RankOptions::default();
        let report = evaluate_views(&events, &options, &ProfileConfig::default(), scored);
        println!(
            "# {file} ({}, {} events, {} views skipped)",
            format.name(),
            events.len(),
            report.skipped
        );
        for line in report.lines() {
            println!("{line}");
        }
        if let Some(config) = &hybrid {
            let with_priors = evaluate_views(&events, &options, config, scored);
            for line in with_priors
                .lines()
                .iter()
                .filter(|l| l.starts_with("shelfwise"))
            {
                println!("{}", line.replacen("shelfwise", "hybrid", 1));
            }
        }
        let name = std::path::Path::new(file)
            .file_stem()
            .map_or(file.to_owned(), |stem| stem.to_string_lossy().into_owned());
        reports.push((name, report));
    }
    if let Some(path) = chart {
        std::fs::write(path, shelfwise_cli::chart::svg(&reports))
            .map_err(|e| format!("{path}: {e}"))?;
    }
    Ok(())
}

/// Fits the model on every log together: cross-validated figures per file, then the
/// model fit on everything, as JSON.
fn fit_files(files: &[&str]) -> Result<(), String> {
    let logs = read_logs(files)?;
    let sources: Vec<Source> = logs
        .iter()
        .map(|(file, _, events)| Source { name: file, events })
        .collect();
    let examples = fit::examples(&sources, &ProfileConfig::default());
    let steps = fit::STEPS as u64 * (fit::FOLDS + 1);
    let progress = fit::progress(steps, "fitting");
    let reports = fit::cross_validate(&sources, &examples, &progress);
    let model = fit::fit(&examples, |_| true, &progress);
    progress.finish_and_clear();
    println!(
        "# {} views; {}-fold cross-validation by shopper: each shopper scored by a model fit without them",
        examples.len(),
        fit::FOLDS
    );
    for ((file, format, events), report) in logs.iter().zip(&reports) {
        println!("# {file} ({}, {} events)", format.name(), events.len());
        for line in report.lines() {
            println!("{line}");
        }
    }
    println!("# the model fit on every file (Shelfwise.open({{ model }})):");
    println!("{}", fit::model_json(&model));
    Ok(())
}

/// `shelfwise aggregate`: every report file's lines aggregated against the model file.
fn aggregate_files(args: &[&str]) -> Result<String, String> {
    let (mut files, mut model, mut rate, mut k) = (Vec::new(), None, 0.5, DEFAULT_K);
    let mut args = args.iter();
    while let Some(arg) = args.next() {
        let mut value = |name: &str| args.next().copied().ok_or(format!("{name} needs a value"));
        let number = |text: &str, name: &str| {
            text.parse::<f64>()
                .ok()
                .filter(|n| n.is_finite() && *n >= 0.0)
                .ok_or(format!("{name} must be a number of at least 0"))
        };
        match *arg {
            "--model" => model = Some(value("--model")?),
            "--learning-rate" => rate = number(value("--learning-rate")?, "--learning-rate")?,
            "--k" => k = number(value("--k")?, "--k")?,
            flag if flag.starts_with("--") => return Err(format!("unknown option {flag}")),
            file => files.push(file),
        }
    }
    if files.is_empty() {
        return Err("no report file".into());
    }
    let current = match model {
        Some(path) => {
            let text = std::fs::read_to_string(path).map_err(|e| format!("{path}: {e}"))?;
            federated::read_model_file(&text).map_err(|e| format!("{path}: {e}"))?
        }
        None => ModelFile::default(),
    };
    let mut reports = Vec::new();
    for file in files {
        let text = std::fs::read_to_string(file).map_err(|e| format!("{file}: {e}"))?;
        reports.extend(federated::read_reports(&text));
    }
    Ok(federated::aggregate_json(&aggregate(
        &reports, &current, rate, k,
    )))
}

/// `shelfwise simulate`: the simulation's table per log.
fn simulate_files(args: &[&str]) -> Result<(), String> {
    let (mut files, mut chart) = (Vec::new(), None);
    let mut settings = Settings {
        epsilons: vec![1.0, 2.0, 4.0, 8.0],
        rounds: 30,
        learning_rate: 16.0,
        clip: 0.1,
        k: DEFAULT_K,
        aggregator: Aggregator::DuckDb {
            python: shop_python(),
            shop: std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shop"),
        },
    };
    let mut args = args.iter();
    while let Some(arg) = args.next() {
        let mut value = || args.next().copied().ok_or(format!("{arg} needs a value"));
        let number = |text: &str| {
            text.parse::<f64>()
                .ok()
                .filter(|n| n.is_finite() && *n > 0.0)
                .ok_or(format!("{arg} takes numbers above 0"))
        };
        match *arg {
            "--epsilon" => {
                settings.epsilons = value()?
                    .split(',')
                    .map(number)
                    .collect::<Result<Vec<f64>, String>>()?
            }
            "--rounds" => settings.rounds = number(value()?)? as usize,
            "--learning-rate" => settings.learning_rate = number(value()?)?,
            "--clip" => settings.clip = number(value()?)?,
            "--k" => settings.k = number(value()?)?,
            "--svg" => chart = Some(value()?),
            "--engine" => match value()? {
                "rust" => settings.aggregator = Aggregator::Rust,
                "duckdb" => {}
                other => return Err(format!("--engine is duckdb or rust, not {other}")),
            },
            flag if flag.starts_with("--") => return Err(format!("unknown option {flag}")),
            file => files.push(file),
        }
    }
    if files.is_empty() {
        return Err("no log file".into());
    }
    let engine = match settings.aggregator {
        Aggregator::Rust => "in Rust",
        Aggregator::DuckDb { .. } => "by the DuckDB runner (shop/)",
    };
    let mut panels = Vec::new();
    for (file, format, events) in read_logs(&files)? {
        let source = Source {
            name: file,
            events: &events,
        };
        let steps = (fit::STEPS + settings.rounds * settings.epsilons.len()) as u64 * fit::FOLDS;
        let progress = fit::progress(steps, "simulating");
        let simulation = simulate(&source, &settings, &progress)?;
        progress.finish_and_clear();
        println!(
            "# {file} ({}, {} events): {} shoppers, {}-fold: each fold scored, the others devices; {} rounds, learning rate {}, clip {}, aggregated {engine}",
            format.name(),
            events.len(),
            simulation.devices,
            fit::FOLDS,
            settings.rounds,
            settings.learning_rate,
            settings.clip
        );
        for row in &simulation.rows {
            for line in row
                .report
                .lines()
                .iter()
                .filter(|l| l.starts_with("shelfwise"))
            {
                println!("{}", line.replacen("shelfwise", &row.label, 1));
            }
        }
        println!("# views after the log's midpoint; hybrid: priors from the rounds' sketches of the devices' profiles as of the midpoint, the model fit with them");
        for (i, row) in simulation.hybrid.iter().enumerate() {
            for line in row.report.lines() {
                let server = i == 0 && line.starts_with("knn");
                if line.starts_with("shelfwise") || server {
                    println!("{}", line.replacen("shelfwise", &row.label, 1));
                }
            }
        }
        for (epsilon, buckets) in &simulation.published {
            println!(
                "hybrid ε={epsilon}: {buckets} pair buckets published over {} folds",
                fit::FOLDS
            );
        }
        for (epsilon, kept) in &simulation.kept {
            println!("federated ε={epsilon} keeps {:.0}% of the central fit's gain over the untrained start (NDCG@10, all)", kept * 100.0);
        }
        let all = |row: &shelfwise_cli::simulate::Row| row.report.shelfwise_all.ndcg_at_10;
        let name = std::path::Path::new(file)
            .file_stem()
            .map_or(file.to_owned(), |stem| stem.to_string_lossy().into_owned());
        panels.push(TradeOff {
            name,
            references: [
                all(&simulation.rows[0]),
                all(&simulation.rows[1]),
                all(&simulation.rows[2]),
            ],
            federated: settings
                .epsilons
                .iter()
                .copied()
                .zip(simulation.rows[3..].iter().map(all))
                .collect(),
        });
    }
    if let Some(path) = chart {
        std::fs::write(path, trade_off_svg(&panels)).map_err(|e| format!("{path}: {e}"))?;
    }
    Ok(())
}

/// The Python of the shop's runners: `SHELFWISE_PYTHON`, else the venv setup makes.
fn shop_python() -> std::path::PathBuf {
    match std::env::var_os("SHELFWISE_PYTHON") {
        Some(python) => python.into(),
        None => std::path::PathBuf::from(std::env::var_os("HOME").unwrap_or_default())
            .join(".cache/shelfwise-tools/venv/bin/python"),
    }
}

/// The value of `--name` among `options` (pairs of flag and value).
fn option<'a>(options: &[&'a str], name: &str) -> Result<Option<&'a str>, String> {
    if options.len() % 2 != 0 {
        return Err("every option needs a value".into());
    }
    let mut found = None;
    for pair in options.chunks(2) {
        match pair[0].strip_prefix("--") {
            Some(flag) if flag == name => found = Some(pair[1]),
            Some("seed" | "value" | "version" | "weights" | "baseline") => {}
            _ => return Err(format!("unknown option {}", pair[0])),
        }
    }
    Ok(found)
}

/// `shelfwise bucket`: the hash and the variation it picks, as one JSON object.
fn bucket(options: &[&str]) -> Result<String, String> {
    let seed = option(options, "seed")?.ok_or("--seed is required")?;
    let value = option(options, "value")?.ok_or("--value is required")?;
    let version = option(options, "version")?
        .unwrap_or("2")
        .parse::<u32>()
        .map_err(|_| "--version must be 1 or 2")?;
    let weights = match option(options, "weights")? {
        Some(list) => list
            .split(',')
            .map(|w| {
                w.trim()
                    .parse::<f64>()
                    .map_err(|_| format!("--weights: {w} is not a number"))
            })
            .collect::<Result<Vec<f64>, String>>()?,
        None => vec![0.5, 0.5],
    };
    let n = hash(seed, value, version).ok_or("--version must be 1 or 2")?;
    let ranges = bucket_ranges(weights.len(), 1.0, Some(&weights));
    let variation = choose_variation(n, &ranges).map_or(-1, |v| v as i64);
    Ok(format!(
        "{{\"hash\": {}, \"variation\": {variation}}}",
        to_string(&n)
    ))
}

/// `shelfwise estimate`: the estimate of a JSON-lines file of reports.
fn estimate_file(file: &str, options: &[&str]) -> Result<String, String> {
    let baseline = option(options, "baseline")?;
    let text = std::fs::read_to_string(file).map_err(|e| format!("{file}: {e}"))?;
    let mut reports = Vec::new();
    for (number, line) in text
        .lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty())
    {
        let value: Value =
            serde_json::from_str(line).map_err(|e| format!("{file}:{}: {e}", number + 1))?;
        let report = report(&value).ok_or_else(|| {
            format!(
                "{file}:{}: not a Shelfwise report (version {REPORT_VERSION})",
                number + 1
            )
        })?;
        reports.push(report);
    }
    let found = estimate(&reports, baseline).map_err(|e| e.to_string())?;
    Ok(to_string(&found))
}

/// A report as `measurement.report()` writes it.
fn report(value: &Value) -> Option<Report> {
    let text = |name: &str| value[name].as_str().map(str::to_owned);
    if value["format"] != REPORT_FORMAT || value["version"] != REPORT_VERSION {
        return None;
    }
    Some(Report {
        format: REPORT_FORMAT,
        version: REPORT_VERSION,
        epsilon: value["epsilon"].as_f64()?,
        revenue_step: value["revenueStep"].as_f64()?,
        modules: value["modules"]
            .as_array()?
            .iter()
            .map(|m| m.as_str().map(str::to_owned))
            .collect::<Option<Vec<String>>>()?,
        group: text("group")?,
        bits: text("bits")?,
    })
}
