//! `shelfwise simulate`: federated learning replayed on real logs, each shopper a device.
//!
//! Per source (one shop), cross-validated by shopper as `shelfwise fit` is: each fold's
//! shoppers are held out and scored while the others are devices. The federated model starts from the fit's starting model
//! (the shop's order and the priors the logs cannot teach, [`fit::starting_model`]); each
//! round every device computes its update against the current model from its own
//! qualifying views (the choices `shelfwise fit` learns from), makes a contribution as
//! the browser does ([`contribution`]: clipped, Laplace-noised, with a randomized pair of
//! its facet values), and the shop aggregates the round's reports (in Rust, or through
//! the DuckDB runner of `shop/`) into the next weights. The held-out shoppers are then
//! scored with the untrained start, the shipped defaults, a central fit on the same
//! devices' views, and the federated weights per ε; the figures pool every fold.

use std::collections::HashMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;

use indicatif::ProgressBar;
use shelfwise_core::federated::{
    aggregate, contribution, draw_pair, strongest_values, Aggregate, ModelFile, Privacy, Received,
    SketchTotals,
};
use shelfwise_core::json::to_string;
use shelfwise_core::measure::Random;
use shelfwise_core::profile::ProfileConfig;
use shelfwise_core::rank::{Model, RankOptions, WEIGHTS};
use shelfwise_core::{Event, Profile};

use crate::eval::{evaluate_views, Report};
use crate::federated::{model_file_json, read_model_file, read_reports};
use crate::fit::{self, fold_of, Example, Source, FOLDS};

/// Who aggregates each round.
#[derive(Debug, Clone)]
pub enum Aggregator {
    /// `shelfwise_core::federated::aggregate` in this process.
    Rust,
    /// `python -m shelfwise_shop aggregate` with this Python (DuckDB, `shop/`).
    DuckDb { python: PathBuf, shop: PathBuf },
}

#[derive(Debug, Clone)]
pub struct Settings {
    /// ε per report, split evenly between the model update and the sketch.
    pub epsilons: Vec<f64>,
    pub rounds: usize,
    /// The first round's step; round `t` (from 0) steps `learning_rate / sqrt(t + 1)`,
    /// so the noise of late rounds averages out instead of moving the weights.
    pub learning_rate: f64,
    pub clip: f64,
    pub k: f64,
    pub aggregator: Aggregator,
}

/// One row of the simulation's table: a model, and its figures on held-out shoppers.
pub struct Row {
    pub label: String,
    pub report: Report,
}

/// What the simulation of one source found.
pub struct Simulation {
    pub devices: usize,
    pub rows: Vec<Row>,
    /// Per ε: the share of the central fit's gain over the start (NDCG@10, all views)
    /// the federated model kept.
    pub kept: Vec<(f64, f64)>,
    /// The views after the midpoint: `shelfwise` fit without priors, then per ε
    /// `hybrid` fit with the private priors the rounds' sketches published.
    pub hybrid: Vec<Row>,
    /// Per ε: the buckets the priors published (pooled over every fold).
    pub published: Vec<(f64, usize)>,
}

/// A device: its shopper's fold, qualifying views as examples, and the strongest facet
/// values its profile holds at the source's midpoint (its pairs come from them, so the
/// priors come only from events before the views they are scored on).
struct Device<'a> {
    fold: u64,
    examples: Vec<&'a Example>,
    strongest: Vec<(String, String)>,
}

/// The mean gradient of a device's choices against `model` (zeros without any).
fn device_update(model: &Model, examples: &[&Example]) -> [f64; WEIGHTS] {
    let mut sum = [0.0; WEIGHTS];
    for example in examples {
        model.choice_gradient(&example.rows, 0, &example.gate, &mut sum);
    }
    let n = examples.len().max(1) as f64;
    sum.map(|g| g / n)
}

/// SplitMix64's finalizer: neighbouring inputs give unrelated outputs.
fn mix(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// A device's seed for a round: a `Random` steps its state by a constant, so seeds
/// must be far apart (as the browser's random seeds are), not consecutive, or devices
/// would draw shifted copies of one another's noise.
fn seed(epsilon: f64, fold: u64, round: usize, device: usize) -> u64 {
    mix(mix(mix(mix(epsilon.to_bits()) ^ fold) ^ round as u64) ^ device as u64)
}

/// Runs the simulation on one source, every fold of shoppers held out in turn.
pub fn simulate(
    source: &Source,
    settings: &Settings,
    progress: &ProgressBar,
) -> Result<Simulation, String> {
    let config = ProfileConfig::default();
    let examples = fit::examples(std::slice::from_ref(source), &config);
    // Devices: every shopper, in the order they appear, with their fold.
    let mut devices: Vec<Device> = Vec::new();
    let mut index: HashMap<&str, usize> = HashMap::new();
    let mut events: Vec<Vec<Event>> = Vec::new();
    for event in source.events {
        let at = *index.entry(&event.user).or_insert_with(|| {
            devices.push(Device {
                fold: fold_of(source.name, &event.user),
                examples: Vec::new(),
                strongest: Vec::new(),
            });
            events.push(Vec::new());
            devices.len() - 1
        });
        let product = event.product.clone();
        events[at].push(Event::new(event.kind, product, event.at_ms));
    }
    for example in &examples {
        devices[index[example.user.as_str()]].examples.push(example);
    }
    // Each device's strongest values as of the midpoint, which its pairs come from.
    let mut times: Vec<f64> = source.events.iter().map(|e| e.at_ms).collect();
    times.sort_by(f64::total_cmp);
    let midpoint = times.get(times.len() / 2).copied().unwrap_or(0.0);
    for (device, events) in devices.iter_mut().zip(&mut events) {
        events.sort_by(|a, b| a.at_ms.total_cmp(&b.at_ms));
        let mut profile = Profile::default();
        for event in events.iter().take_while(|e| e.at_ms < midpoint) {
            profile.learn(event, &config);
        }
        device.strongest = strongest_values(&profile.snapshot(midpoint, &config));
    }
    let mut hybrid: Vec<Report> = vec![Report::default(); 1 + settings.epsilons.len()];
    let mut published = vec![0; settings.epsilons.len()];
    let late = |example: &Example, fold: u64| example.fold != fold && example.at_ms >= midpoint;

    let start = fit::starting_model();
    let labels: Vec<String> = ["untrained", "default", "central"]
        .into_iter()
        .map(str::to_owned)
        .chain(settings.epsilons.iter().map(|e| format!("federated ε={e}")))
        .collect();
    let mut reports: Vec<Report> = labels.iter().map(|_| Report::default()).collect();
    let scratch = std::env::temp_dir().join(format!("shelfwise-simulate-{}", std::process::id()));
    std::fs::create_dir_all(&scratch).map_err(|e| e.to_string())?;
    for fold in 0..FOLDS {
        let central = fit::fit(&examples, |f| f != fold, progress);
        let mut models = vec![start, Model::default(), central];
        let scored =
            |user: &str, at_ms: f64| fold_of(source.name, user) == fold && at_ms >= midpoint;
        let later: Vec<Example> = examples.iter().filter(|e| late(e, fold)).cloned().collect();
        let plain = fit::fit(&later, |_| true, progress);
        let plain = evaluate_views(
            source.events,
            &RankOptions::default(),
            &fit::with_model(plain),
            scored,
        );
        hybrid[0] = std::mem::take(&mut hybrid[0]).merge(plain);
        for (e, &epsilon) in settings.epsilons.iter().enumerate() {
            let (trained, sketches) = train(&devices, fold, epsilon, settings, &scratch, progress)?;
            models.push(trained);
            // The rounds' sketches pooled: counts per round, published above k and the noise.
            let priors = sketches.priors(settings.k, settings.rounds as f64);
            published[e] += priors.buckets.len();
            let config = ProfileConfig {
                priors: Some(priors.table()),
                ..ProfileConfig::default()
            };
            let with_priors: Vec<Example> = fit::examples(std::slice::from_ref(source), &config)
                .into_iter()
                .filter(|e| late(e, fold))
                .collect();
            let model = fit::fit(&with_priors, |_| true, progress);
            let config = ProfileConfig { model, ..config };
            let report = evaluate_views(source.events, &RankOptions::default(), &config, scored);
            hybrid[1 + e] = std::mem::take(&mut hybrid[1 + e]).merge(report);
        }
        for (model, report) in models.into_iter().zip(&mut reports) {
            let held_out = evaluate_views(
                source.events,
                &RankOptions::default(),
                &fit::with_model(model),
                |user, _| fold_of(source.name, user) == fold,
            );
            *report = std::mem::take(report).merge(held_out);
        }
    }
    let _ = std::fs::remove_dir_all(&scratch);
    let ndcg = |report: &Report| report.shelfwise_all.ndcg_at_10;
    let central_gain = ndcg(&reports[2]) - ndcg(&reports[0]);
    let kept = settings
        .epsilons
        .iter()
        .zip(&reports[3..])
        .map(|(e, r)| (*e, (ndcg(r) - ndcg(&reports[0])) / central_gain))
        .collect();
    let hybrid_labels = std::iter::once("shelfwise".to_owned())
        .chain(settings.epsilons.iter().map(|e| format!("hybrid ε={e}")));
    Ok(Simulation {
        hybrid: hybrid_labels
            .zip(hybrid)
            .map(|(label, report)| Row { label, report })
            .collect(),
        published: settings.epsilons.iter().copied().zip(published).collect(),
        devices: devices.len(),
        rows: labels
            .into_iter()
            .zip(reports)
            .map(|(label, report)| Row { label, report })
            .collect(),
        kept,
    })
}

/// The federated model after every round, trained by the devices outside `held_out`,
/// and every round's sketches added up.
fn train(
    devices: &[Device],
    held_out: u64,
    epsilon: f64,
    settings: &Settings,
    scratch: &Path,
    progress: &ProgressBar,
) -> Result<(Model, SketchTotals), String> {
    let mut sketches = SketchTotals::default();
    let privacy = Privacy {
        model_epsilon: epsilon / 2.0,
        sketch_epsilon: epsilon / 2.0,
        clip: settings.clip,
        ..Privacy::default()
    };
    let mut current = ModelFile {
        version: "start".into(),
        model: fit::starting_model(),
    };
    for round in 0..settings.rounds {
        let rate = settings.learning_rate / ((round + 1) as f64).sqrt();
        let mut lines = String::new();
        for (i, device) in devices
            .iter()
            .enumerate()
            .filter(|(_, d)| d.fold != held_out)
        {
            let mut random = Random::new(seed(epsilon, held_out, round, i));
            let update = device_update(&current.model, &device.examples);
            let pair = draw_pair(&device.strongest, &mut random);
            let report = contribution(
                &current.version,
                &update,
                pair.as_deref(),
                &privacy,
                &mut random,
            );
            lines.push_str(&to_string(&report));
            lines.push('\n');
            let ones: Vec<f64> = report.ones.iter().map(|b| f64::from(*b)).collect();
            sketches.add(f64::from(report.sketch_width), report.sketch_epsilon, &ones);
        }
        current = aggregate_round(&lines, &current, rate, settings, scratch)?.model;
        progress.inc(1);
    }
    if std::env::var_os("SHELFWISE_SIMULATE_DEBUG").is_some() {
        eprintln!("fold {held_out} ε={epsilon}: {}", model_file_json(&current));
    }
    Ok((current.model, sketches))
}

/// One round's aggregation by the chosen aggregator.
fn aggregate_round(
    lines: &str,
    current: &ModelFile,
    learning_rate: f64,
    settings: &Settings,
    scratch: &Path,
) -> Result<Aggregate, String> {
    match &settings.aggregator {
        Aggregator::Rust => {
            let reports: Vec<Received> = read_reports(lines);
            Ok(aggregate(&reports, current, learning_rate, settings.k))
        }
        Aggregator::DuckDb { python, shop } => {
            let reports = scratch.join("reports.jsonl");
            let model = scratch.join("model.json");
            let written = std::fs::File::create(&reports)
                .and_then(|mut file| file.write_all(lines.as_bytes()))
                .and_then(|()| std::fs::write(&model, model_file_json(current)));
            written.map_err(|e| format!("{}: {e}", scratch.display()))?;
            let output = Command::new(python)
                .current_dir(shop)
                .args(["-m", "shelfwise_shop", "aggregate"])
                .arg(&reports)
                .arg("--model")
                .arg(&model)
                .args(["--engine", "duckdb", "--learning-rate"])
                .arg(learning_rate.to_string())
                .arg("--k")
                .arg(settings.k.to_string())
                .output()
                .map_err(|e| format!("{}: {e}", python.display()))?;
            if !output.status.success() {
                return Err(format!(
                    "the DuckDB runner failed: {}",
                    String::from_utf8_lossy(&output.stderr)
                ));
            }
            let value: serde_json::Value =
                serde_json::from_slice(&output.stdout).map_err(|e| e.to_string())?;
            let model = read_model_file(&value["model"].to_string())?;
            let mean = value["gradient"]["mean"]
                .as_array()
                .map(|m| m.iter().filter_map(serde_json::Value::as_f64).collect())
                .unwrap_or_default();
            let count = |name: &str| value["gradient"][name].as_u64().unwrap_or(0);
            Ok(Aggregate {
                model,
                reports: count("reports"),
                ignored: count("ignored"),
                mean,
                priors: Default::default(),
            })
        }
    }
}
