//! The tools module (`dist/tools/`), a boundary crate of its own, for what pages rarely
//! need: GrowthBook's bucketing, a measurement report's randomization, the estimator
//! over many reports, merging another device's profile, and randomizing a contribution
//! to federated learning. A separate module, loaded on
//! first use, so that shoppers download none of it on most pages.

use wasm_bindgen::prelude::*;

use shelfwise_core as core;
use shelfwise_core::contract::BucketOp;
use shelfwise_core::json::to_string as json;
use shelfwise_core::measure::{Report, REPORT_FORMAT, REPORT_VERSION};
use shelfwise_core::wire::{items, FIELD, PAIR};
use shelfwise_glue::JsError;

// GrowthBook-compatible bucketing (`crates/core/src/bucket.rs`), one export for all of it.
// `texts` (`PAIR`-joined): the seed and the value hashed, or the namespace and the id.
// `numbers`: HASH [version] -> [hash] or []; RANGES [count, coverage, weights...] ->
// [start, end, ...]; CHOOSE [n, start, end, ...] -> [index or -1]; IN_NAMESPACE
// [start, end] -> [0 or 1]; EQUAL_WEIGHTS [count] -> weights; ASSIGN [version,
// coverage, namespace start, namespace end (NaN: none), weights...] with texts seed,
// unit and namespace -> [variation or -1].
#[wasm_bindgen]
pub fn bucketing(op: u32, texts: &str, numbers: &[f64]) -> Vec<f64> {
    let mut text = texts.split(PAIR);
    let (first, second) = (text.next().unwrap_or(""), text.next().unwrap_or(""));
    let number = |i: usize| numbers.get(i).copied().unwrap_or(f64::NAN);
    let count = |n: f64| if n >= 0.0 { n as usize } else { 0 };
    let index = |found: Option<usize>| vec![found.map_or(-1.0, |i| i as f64)];
    let weights = |from: usize| {
        let rest = numbers.get(from..).unwrap_or(&[]);
        (!rest.is_empty()).then_some(rest)
    };
    match BucketOp::from_number(op) {
        Some(BucketOp::Hash) => core::bucket::hash(first, second, number(0) as u32)
            .into_iter()
            .collect(),
        Some(BucketOp::Ranges) => {
            core::bucket::bucket_ranges(count(number(0)), number(1), weights(2))
                .into_iter()
                .flat_map(|(start, end)| [start, end])
                .collect()
        }
        Some(BucketOp::Choose) => {
            let ranges: Vec<(f64, f64)> = numbers[1.min(numbers.len())..]
                .chunks_exact(2)
                .map(|r| (r[0], r[1]))
                .collect();
            index(core::bucket::choose_variation(number(0), &ranges))
        }
        Some(BucketOp::InNamespace) => {
            vec![f64::from(u8::from(core::bucket::in_namespace(
                second,
                first,
                number(0),
                number(1),
            )))]
        }
        Some(BucketOp::EqualWeights) => core::bucket::equal_weights(count(number(0))),
        Some(BucketOp::Assign) => {
            let namespace = text
                .next()
                .filter(|_| !number(2).is_nan())
                .map(|name| (name, number(2), number(3)));
            let weights = weights(4);
            let split = core::bucket::Split {
                seed: first,
                variations: weights.map_or(0, <[f64]>::len),
                weights,
                coverage: number(1),
                namespace,
                hash_version: number(0) as u32,
            };
            index(split.assign(second))
        }
        None => Vec::new(),
    }
}

// The shop-side estimator (`crates/core/src/measure.rs`). Over reports the face has read:
// `reports` holds each report's group, bits and modules (`PAIR`-joined), the fields
// `FIELD`-separated and the reports `ITEM`-separated; `numbers` each report's epsilon and
// revenue step. Returns the estimate as JSON.
#[wasm_bindgen]
pub fn estimate(
    reports: &str,
    numbers: &[f64],
    baseline: Option<String>,
) -> Result<String, JsError> {
    let reports: Vec<Report> = items(reports)
        .zip(numbers.chunks_exact(2))
        .map(|(report, layout)| {
            let mut fields = report.split(FIELD);
            let mut field = || fields.next().unwrap_or("").to_owned();
            let (group, bits, modules) = (field(), field(), field());
            Report {
                format: REPORT_FORMAT,
                version: REPORT_VERSION,
                epsilon: layout[0],
                revenue_step: layout[1],
                modules: modules.split(PAIR).map(str::to_owned).collect(),
                group,
                bits,
            }
        })
        .collect();
    Ok(json(&core::measure::estimate(
        &reports,
        baseline.as_deref(),
    )?))
}

// A shopper's randomized report (`core::measure`): `counts` from the engine (five per
// module, `modules` `PAIR`-joined in layout order), randomized at `epsilon` with revenue
// in steps of `revenue_step`, for `group`; `seed` is fresh randomness (a whole number
// below 2^53 from the browser's `crypto.getRandomValues`). Returns the report as JSON.
#[wasm_bindgen]
pub fn report(
    modules: &str,
    counts: &[f64],
    epsilon: f64,
    revenue_step: f64,
    group: &str,
    seed: f64,
) -> Result<String, JsError> {
    let modules: Vec<String> = modules.split(PAIR).map(str::to_owned).collect();
    if counts.len() != modules.len() * core::measure::METRICS.len() {
        let message = "counts must hold five numbers per module";
        return Err(core::Error::InvalidArgument(message.into()).into());
    }
    let layout = core::measure::Layout::new(modules, epsilon, revenue_step)?;
    let counters = core::measure::Counters::from_counts(&layout.modules, counts);
    let mut random = core::measure::Random::new(seed as u64);
    Ok(json(&counters.report(&layout, group, &mut random)))
}

// A shopper's contribution to federated learning (`core::federated`): what the engine
// took (`model` version, `mean` gradient, `pair` of facet values or `ABSENT`, `privacy`
// numbers) randomized with `seed` (a whole number below 2^53 from the browser's
// `crypto.getRandomValues`). Returns the report as JSON.
#[wasm_bindgen]
pub fn contribution(
    model: &str,
    mean: &[f64],
    pair: &str,
    privacy: &[f64],
    seed: f64,
) -> Result<String, JsError> {
    let privacy = core::federated::Privacy::from_numbers(privacy)?;
    if mean.len() != core::rank::WEIGHTS || mean.iter().any(|g| !g.is_finite()) {
        let message = "an update holds one finite number per model weight";
        return Err(core::Error::InvalidArgument(message.into()).into());
    }
    let pair = Some(pair).filter(|p| *p != core::wire::ABSENT);
    let mut random = core::measure::Random::new(seed as u64);
    let report = core::federated::contribution(model, mean, pair, &privacy, &mut random);
    Ok(json(&report))
}

// Merges another device's export into this browser's (`core::export::merged`): `local`
// and `file` hold each export's format, checksum and payload (`PAIR`-joined, `ABSENT`
// when missing), `version` the file's version (NaN: none), `config` the configuration as
// the engine was opened with. Returns the merged export's integrity part as JSON, which
// the page then imports into the engine.
#[wasm_bindgen(js_name = mergeProfiles)]
pub fn merge_profiles(
    local: &str,
    file: &str,
    version: f64,
    config: &[f64],
) -> Result<String, JsError> {
    let config = core::profile::ProfileConfig::from_numbers(config)?;
    let local = core::export::ImportFile {
        version: Some(f64::from(core::export::EXPORT_VERSION)),
        ..core::wire::import_fields(local)
    };
    let file = core::export::ImportFile {
        version: Some(version).filter(|v| !v.is_nan()),
        ..core::wire::import_fields(file)
    };
    Ok(core::export::merged(&local, &file, &config)?)
}
