//! Learning from every shopper without seeing any: federated training of the ranking
//! model and private priors, with local differential privacy.
//!
//! **On the device** (the `measurement` purpose): when the shopper clicks or views a
//! product of a list Shelfwise ranked in this page, the engine adds the gradient of the
//! ranking model's loss on that choice ([`crate::rank::Model::choice_gradient`], the
//! loss `shelfwise fit` minimises) to the profile's [`Learning`]. A contribution
//! ([`contribution`]) is a report the page sends to the shop's own endpoint:
//! - **the model update**: the mean of those gradients, each weight's clipped to
//!   `[-clip, clip]`, reported through one randomly drawn weight with randomized
//!   response ([`privatize`]): ε-differentially private about everything the device
//!   learned from (δ = 0), and an unbiased estimate of the clipped update;
//! - **a private count for priors**: one pair of facet values the shopper's profile
//!   holds together (for example a brand and a category), hashed to one of
//!   [`SKETCH_WIDTH`] buckets and sent as Optimized Unary Encoding (Wang et al., USENIX
//!   Security 2017) at its own ε: the true bucket's bit is kept with probability 1/2,
//!   every other bit becomes 1 with probability `1 / (e^ε + 1)`;
//! - the model version it was computed against, and nothing that identifies the
//!   shopper. A report costs `ε_model + ε_sketch`; the device keeps the budget (at most
//!   `perPeriod` reports per `periodDays`) and the ε it spent in the last year.
//!
//! **On the shop's side** ([`aggregate`], the same math as `shop/sql/`): the mean of the
//! updates gives the next weights (`w − learningRate · mean`), and the debiased bucket
//! counts whose estimate clears `k` shoppers become the priors the page loads.

use crate::codec::codec_fields;
use crate::error::{Error, Result};
use crate::json::shape;
use crate::measure::Random;
use crate::profile::Snapshot;
use crate::rank::{Model, MAX_WEIGHT, WEIGHTS};
use crate::store::{fnv1a64, fnv1a64_from, FNV1A64_OFFSET};

pub const CONTRIBUTION_FORMAT: &str = "shelfwise-contribution";
pub const CONTRIBUTION_VERSION: u32 = 1;
pub const PRIORS_FORMAT: &str = "shelfwise-priors";
pub const PRIORS_VERSION: u32 = 1;
/// Buckets of the facet-pair sketch.
pub const SKETCH_WIDTH: usize = 1024;
/// The version of the weights the core ships (`rank::DEFAULT_WEIGHTS`).
pub const DEFAULT_MODEL_VERSION: &str = "default";
/// Defaults of a contribution's privacy: ε of the model update and of the sketch, the
/// update's L1 bound, and the budget (one report per week).
pub const DEFAULT_MODEL_EPSILON: f64 = 2.0;
pub const DEFAULT_SKETCH_EPSILON: f64 = 2.0;
pub const DEFAULT_CLIP: f64 = 0.1;
pub const DEFAULT_PERIOD_DAYS: f64 = 7.0;
pub const DEFAULT_PER_PERIOD: u32 = 1;
pub const MAX_EPSILON: f64 = 10.0;
/// Shoppers a published prior must count (Protected Audience's k-anonymity threshold).
pub const DEFAULT_K: f64 = 50.0;
/// Contributions remembered for the budget: a year of weekly reports.
const MAX_SENT: usize = 64;
pub const YEAR_MS: f64 = 365.0 * 86_400_000.0;
/// Longest model version a device keeps.
pub const MAX_VERSION_LEN: usize = 64;

/// A model version a device takes: 1 to [`MAX_VERSION_LEN`] bytes, no control character.
pub fn valid_version(version: &str) -> bool {
    !version.is_empty()
        && version.len() <= MAX_VERSION_LEN
        && !version.chars().any(char::is_control)
}

/// What this device learned since its last contribution, and what it spent.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Learning {
    /// The version of the model the gradients were computed against.
    pub model: String,
    /// The sum of the choices' gradients (empty: none yet).
    pub gradient: Vec<f64>,
    pub examples: u32,
    /// Contributions made: `[atMs, ε]`, newest first.
    pub sent: Vec<(f64, f64)>,
}

codec_fields!(Learning {
    model,
    gradient,
    examples,
    sent
});

impl Learning {
    /// Adds one choice's gradient, computed against `model`; gradients of an older
    /// model are dropped (they point from other weights).
    pub fn add(&mut self, model: &str, gradient: &[f64]) {
        if self.model != model || self.gradient.len() != gradient.len() {
            model.clone_into(&mut self.model);
            self.gradient.clear();
            self.gradient.resize(gradient.len(), 0.0);
            self.examples = 0;
        }
        for (sum, g) in self.gradient.iter_mut().zip(gradient) {
            *sum += g;
        }
        self.examples = self.examples.saturating_add(1);
    }

    /// The mean gradient against `model` (zeros without a choice since the last
    /// contribution, so a report never tells whether the shopper chose anything).
    pub fn mean(&self, model: &str) -> Vec<f64> {
        match self.model == model && self.examples > 0 {
            true => {
                let n = f64::from(self.examples);
                self.gradient.iter().map(|g| g / n).collect()
            }
            false => vec![0.0; WEIGHTS],
        }
    }

    /// Contributions made within `period_ms` before `now_ms`.
    pub fn sent_within(&self, now_ms: f64, period_ms: f64) -> usize {
        self.sent
            .iter()
            .filter(|(at, _)| now_ms - at < period_ms)
            .count()
    }

    /// The ε spent on contributions in the year before `now_ms`.
    pub fn spent(&self, now_ms: f64) -> f64 {
        self.sent
            .iter()
            .filter(|(at, _)| now_ms - at < YEAR_MS)
            .map(|(_, e)| e)
            .sum()
    }

    /// Records a contribution and starts learning afresh.
    pub fn record_sent(&mut self, now_ms: f64, epsilon: f64) {
        self.gradient.clear();
        self.examples = 0;
        self.sent.insert(0, (now_ms, epsilon));
        self.sent.truncate(MAX_SENT);
    }

    /// Drops what storage cannot have held (any script can write there); the number of
    /// entries dropped.
    pub fn sanitize(&mut self) -> usize {
        let mut dropped = 0;
        let valid_model = (self.model.is_empty() || valid_version(&self.model))
            && self.gradient.len() <= WEIGHTS
            && self.gradient.iter().all(|g| g.is_finite());
        if !valid_model {
            dropped += 1;
            self.model.clear();
            self.gradient.clear();
            self.examples = 0;
        }
        let before = self.sent.len();
        self.sent.retain(|(at, e)| {
            at.is_finite() && *at >= 0.0 && e.is_finite() && (0.0..=2.0 * MAX_EPSILON).contains(e)
        });
        self.sent.truncate(MAX_SENT);
        dropped + before - self.sent.len()
    }
}

/// `measurement.learning`'s options, in the order [`Privacy::from_numbers`] reads them.
pub const LEARNING_OPTIONS: [&str; 5] = [
    "modelEpsilon",
    "sketchEpsilon",
    "clip",
    "periodDays",
    "perPeriod",
];

/// A contribution's privacy parameters and the device's budget.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Privacy {
    pub model_epsilon: f64,
    pub sketch_epsilon: f64,
    pub clip: f64,
    pub period_ms: f64,
    pub per_period: u32,
}

impl Default for Privacy {
    fn default() -> Self {
        Privacy {
            model_epsilon: DEFAULT_MODEL_EPSILON,
            sketch_epsilon: DEFAULT_SKETCH_EPSILON,
            clip: DEFAULT_CLIP,
            period_ms: DEFAULT_PERIOD_DAYS * 86_400_000.0,
            per_period: DEFAULT_PER_PERIOD,
        }
    }
}

impl Privacy {
    /// From the page's numbers, in [`LEARNING_OPTIONS`] order (NaN: the default); each
    /// checked.
    pub fn from_numbers(numbers: &[f64]) -> Result<Privacy> {
        let Ok(given) = <[f64; 5]>::try_from(numbers) else {
            return Err(Error::InvalidOptions("learning takes five numbers".into()));
        };
        let defaults = Privacy::default().numbers();
        let [model_epsilon, sketch_epsilon, clip, days, per_period] = std::array::from_fn(|i| {
            if given[i].is_nan() {
                defaults[i]
            } else {
                given[i]
            }
        });
        let (model_epsilon, sketch_epsilon, clip, days, per_period) =
            (&model_epsilon, &sketch_epsilon, &clip, &days, &per_period);
        let invalid = |what: &str| Err(Error::InvalidOptions(what.into()));
        let epsilon = |e: &f64| e.is_finite() && *e > 0.0 && *e <= MAX_EPSILON;
        if !epsilon(model_epsilon) || !epsilon(sketch_epsilon) {
            return invalid("measurement.learning epsilons must be numbers above 0 and at most 10");
        }
        if !(clip.is_finite() && (0.01..=100.0).contains(clip)) {
            return invalid("measurement.learning.clip must be a number from 0.01 to 100");
        }
        if !(days.is_finite() && (1.0..=365.0).contains(days)) {
            return invalid("measurement.learning.periodDays must be a number from 1 to 365");
        }
        if !(per_period.fract() == 0.0 && (1.0..=10.0).contains(per_period)) {
            return invalid("measurement.learning.perPeriod must be a whole number from 1 to 10");
        }
        Ok(Privacy {
            model_epsilon: *model_epsilon,
            sketch_epsilon: *sketch_epsilon,
            clip: *clip,
            period_ms: days * 86_400_000.0,
            per_period: *per_period as u32,
        })
    }

    /// What one report costs.
    pub fn epsilon(&self) -> f64 {
        self.model_epsilon + self.sketch_epsilon
    }

    /// The numbers [`Privacy::from_numbers`] reads.
    pub fn numbers(&self) -> Vec<f64> {
        vec![
            self.model_epsilon,
            self.sketch_epsilon,
            self.clip,
            self.period_ms / 86_400_000.0,
            f64::from(self.per_period),
        ]
    }
}

shape! {
    /// What a contribution is made of, from the shopper's module to the tools module that
    /// randomizes it (within the page).
    #[derive(Debug, Clone, PartialEq)]
    pub struct Learned as "Learned" {
        pub model: String => "model": "string",
        /// The mean gradient of the choices since the last contribution.
        pub mean: Vec<f64> => "mean": "number[]",
        /// A pair of the shopper's facet values (`federated::pair_text`).
        pub pair: Option<String> => "pair": "string | null",
        /// [`Privacy::numbers`].
        pub privacy: Vec<f64> => "privacy": "number[]",
    }
}

shape! {
    /// One shopper's contribution to federated learning, as the shop receives it (from
    /// `measurement.contribute()`); README "Shop side".
    #[derive(Debug, Clone, PartialEq)]
    pub struct Contribution as "ContributionReport" {
        pub format: &'static str => "format": "'shelfwise-contribution'",
        pub version: u32 => "version": "1",
        /// The version of the model the update was computed against.
        pub model: String => "model": "string",
        /// ε of the model update (one weight of the clipped mean gradient by randomized
        /// response, [`privatize`]).
        pub epsilon: f64 => "epsilon": "number",
        pub clip: f64 => "clip": "number",
        /// The randomized update, one number per model weight in the model's order.
        pub gradient: Vec<f64> => "gradient": "number[]",
        /// ε of the facet-pair sketch (Optimized Unary Encoding).
        pub sketch_epsilon: f64 => "sketchEpsilon": "number",
        pub sketch_width: u32 => "sketchWidth": "number",
        /// The positions of the sketch's 1 bits, ascending.
        pub ones: Vec<u32> => "ones": "number[]",
    }
}

/// `gradient` made ε-differentially private with one coordinate (Duchi, Jordan and
/// Wainwright, JASA 2018): each weight's update is clipped to `[-clip, clip]`, one weight
/// `j` is drawn at random, and the report holds `±B · d` at `j` and 0 elsewhere, `+` with
/// probability `1/2 + x_j (e^ε − 1) / (2 · clip · (e^ε + 1))`, `B = clip (e^ε + 1) /
/// (e^ε − 1)`. Its expectation is the clipped update, so the shop's plain mean is
/// unbiased; per weight its error is about `√d` times smaller than Laplace noise on
/// every weight at the same ε. Which weight is reported says nothing (it is drawn
/// independently of the data).
pub fn privatize(gradient: &[f64], clip: f64, epsilon: f64, random: &mut Random) -> Vec<f64> {
    let d = gradient.len();
    let mut report = vec![0.0; d];
    if d == 0 {
        return report;
    }
    let j = ((random.unit() * d as f64) as usize).min(d - 1);
    let x = gradient[j].clamp(-clip, clip);
    let e = epsilon.exp();
    let bound = clip * (e + 1.0) / (e - 1.0);
    let up = 0.5 + x * (e - 1.0) / (2.0 * clip * (e + 1.0));
    let sign = if random.unit() < up { 1.0 } else { -1.0 };
    report[j] = sign * bound * d as f64;
    report
}

/// The sketch bucket of a text (FNV-1a 64 of its UTF-8 bytes, modulo the width): the
/// device, the shop's runners and ranking with priors all hash the same way.
pub fn bucket_of(text: &str) -> usize {
    (fnv1a64(text.as_bytes()) % SKETCH_WIDTH as u64) as usize
}

/// [`bucket_of`] the [`pair_text`] of `a` and `b`, without making the text (ranking
/// with priors hashes pairs per product value).
pub fn pair_bucket(a: (&str, &str), b: (&str, &str)) -> usize {
    let (first, second) = if a <= b { (a, b) } else { (b, a) };
    let parts = [first.0, "=", first.1, "\n", second.0, "=", second.1];
    let hash = parts.iter().fold(FNV1A64_OFFSET, |hash, part| {
        fnv1a64_from(hash, part.as_bytes())
    });
    (hash % SKETCH_WIDTH as u64) as usize
}

/// The text of a pair of facet values: `facet=value`, the two in sorted order, joined
/// by a line break (which no facet value holds).
pub fn pair_text(a: (&str, &str), b: (&str, &str)) -> String {
    let (first, second) = if a <= b { (a, b) } else { (b, a) };
    [first.0, "=", first.1, "\n", second.0, "=", second.1].concat()
}

/// The strongest facet values a contribution's pair is drawn from.
pub const PAIR_FROM: usize = 4;

/// The shopper's [`PAIR_FROM`] strongest facet values (long-term and this visit's
/// shares together), strongest first: what a contribution's pair is drawn from.
pub fn strongest_values(snapshot: &Snapshot) -> Vec<(String, String)> {
    let mut shares: Vec<(&str, &str, f64)> = Vec::new();
    snapshot.for_each_relative(|facet, value, share| {
        match shares
            .iter_mut()
            .find(|(f, v, _)| *f == facet && *v == value)
        {
            Some(known) => known.2 += share,
            None => shares.push((facet, value, share)),
        }
    });
    // The strongest few by selection (ties: the first learned): no sort in the module.
    let mut strongest = Vec::new();
    while strongest.len() < PAIR_FROM {
        let best = (0..shares.len()).fold(None, |best: Option<usize>, i| match best {
            Some(b) if shares[b].2 >= shares[i].2 => Some(b),
            _ => Some(i),
        });
        let Some(best) = best else { break };
        let (facet, value, _) = shares.swap_remove(best);
        strongest.push((facet.to_owned(), value.to_owned()));
    }
    strongest
}

/// One pair of `values`, drawn at random ([`pair_text`]); `None` with fewer than two.
pub fn draw_pair(values: &[(String, String)], random: &mut Random) -> Option<String> {
    let n = values.len();
    if n < 2 {
        return None;
    }
    // Pairs `(i, j)`, `i < j`, numbered row by row.
    let pairs = n * (n - 1) / 2;
    let mut draw = ((random.unit() * pairs as f64) as usize).min(pairs - 1);
    for i in 0..n {
        for j in i + 1..n {
            if draw == 0 {
                let (a, b) = (&values[i], &values[j]);
                return Some(pair_text((&a.0, &a.1), (&b.0, &b.1)));
            }
            draw -= 1;
        }
    }
    None
}

/// Optimized Unary Encoding of `bucket` (none: an all-zero vector) at `epsilon`: the
/// positions of the 1 bits, ascending.
pub fn encode_sketch(bucket: Option<usize>, epsilon: f64, random: &mut Random) -> Vec<u32> {
    let flip_on = 1.0 / (epsilon.exp() + 1.0);
    let mut ones = Vec::new();
    // The gaps between flipped-on bits are geometric: one draw per 1 bit, not per bit.
    let log_stay = (1.0 - flip_on).ln();
    let mut at = 0usize;
    loop {
        // NaN never happens (the draw is in (0, 1]); a gap past the end ends the vector.
        let gap = ((1.0 - random.unit()).ln() / log_stay).floor();
        if gap.is_nan() || gap >= (SKETCH_WIDTH - at) as f64 {
            break;
        }
        at += gap as usize;
        if Some(at) != bucket {
            ones.push(at as u32);
        }
        at += 1;
    }
    if let Some(bucket) = bucket.filter(|b| *b < SKETCH_WIDTH) {
        if random.unit() < 0.5 {
            let place = ones.partition_point(|b| (*b as usize) < bucket);
            ones.insert(place, bucket as u32);
        }
    }
    ones
}

/// A contribution of `mean` (computed against `model`) and of `pair` (a [`pair_text`],
/// none when the profile holds no two values), randomized with `random`.
pub fn contribution(
    model: &str,
    mean: &[f64],
    pair: Option<&str>,
    privacy: &Privacy,
    random: &mut Random,
) -> Contribution {
    Contribution {
        format: CONTRIBUTION_FORMAT,
        version: CONTRIBUTION_VERSION,
        model: model.to_owned(),
        epsilon: privacy.model_epsilon,
        clip: privacy.clip,
        gradient: privatize(mean, privacy.clip, privacy.model_epsilon, random),
        sketch_epsilon: privacy.sketch_epsilon,
        sketch_width: SKETCH_WIDTH as u32,
        ones: encode_sketch(pair.map(bucket_of), privacy.sketch_epsilon, random),
    }
}

/// A contribution as the shop reads it back (any field may be missing or wrong).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Received {
    pub format: String,
    pub version: f64,
    pub model: String,
    pub gradient: Option<Vec<f64>>,
    pub sketch_epsilon: f64,
    pub sketch_width: f64,
    pub ones: Option<Vec<f64>>,
}

/// A model file: a version and the weights (`{"version": ..., "base": ..., ...}`).
#[derive(Debug, Clone, PartialEq)]
pub struct ModelFile {
    pub version: String,
    pub model: Model,
}

impl Default for ModelFile {
    fn default() -> Self {
        ModelFile {
            version: DEFAULT_MODEL_VERSION.into(),
            model: Model::default(),
        }
    }
}

/// The version after `version`: `default` → `default+1` → `default+2`.
pub fn next_version(version: &str) -> String {
    match version.rsplit_once('+') {
        Some((stem, n)) if !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()) => {
            let next = n.parse::<u64>().map_or(1, |n| n.saturating_add(1));
            [stem, "+", &next.to_string()].concat()
        }
        _ => [version, "+1"].concat(),
    }
}

shape! {
    /// Priors the shop publishes: per sketch bucket, the debiased count of shoppers whose
    /// profile held that pair of facet values, where it clears `k`.
    #[derive(Debug, Clone, PartialEq, Default)]
    pub struct Priors as "Priors" {
        pub format: &'static str => "format": "'shelfwise-priors'",
        pub version: u32 => "version": "1",
        pub width: u32 => "width": "number",
        pub k: f64 => "k": "number",
        /// Reports counted.
        pub reports: u64 => "reports": "number",
        /// `[bucket, count]`, by bucket.
        pub buckets: Vec<(u32, f64)> => "buckets": "[number, number][]",
    }
}

impl Priors {
    /// The count of `bucket` (0 when unpublished).
    pub fn count(&self, bucket: usize) -> f64 {
        self.buckets
            .binary_search_by_key(&(bucket as u32), |(b, _)| *b)
            .map_or(0.0, |at| self.buckets[at].1)
    }

    /// What ranking reads per bucket: `ln(1 + count / k)` (0 where unpublished).
    pub fn table(&self) -> std::rc::Rc<[f32]> {
        table_of(&self.buckets, self.k)
    }
}

/// What ranking reads per bucket from a priors file's `[bucket, count]` pairs and its `k`
/// (a count below `k` was never published, so it reads as 0).
pub fn table_of(buckets: &[(u32, f64)], k: f64) -> std::rc::Rc<[f32]> {
    let mut table = vec![0.0f32; SKETCH_WIDTH];
    let k = k.max(1.0);
    for (bucket, count) in buckets {
        if let Some(slot) = table.get_mut(*bucket as usize) {
            *slot = crate::rank::ln_1p(count.max(0.0) / k) as f32;
        }
    }
    table.into()
}

/// Sketches added up, per ε: the reports and, per bucket, the reports with a 1 there.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct SketchTotals {
    groups: Vec<(f64, f64, Vec<f64>)>,
    reports: u64,
}

impl SketchTotals {
    /// Adds one report's sketch; `false` (nothing added) when it is not well formed.
    pub fn add(&mut self, width: f64, epsilon: f64, ones: &[f64]) -> bool {
        let in_range = |b: &f64| b.fract() == 0.0 && *b >= 0.0 && *b < SKETCH_WIDTH as f64;
        let valid = width == SKETCH_WIDTH as f64
            && epsilon.is_finite()
            && epsilon > 0.0
            && epsilon <= MAX_EPSILON
            && ones.iter().all(in_range);
        if !valid {
            return false;
        }
        self.reports += 1;
        let group = match self.groups.iter().position(|g| g.0 == epsilon) {
            Some(at) => at,
            None => {
                self.groups.push((epsilon, 0.0, vec![0.0; SKETCH_WIDTH]));
                self.groups.len() - 1
            }
        };
        let (_, n, ones_per_bucket) = &mut self.groups[group];
        *n += 1.0;
        for b in ones {
            ones_per_bucket[*b as usize] += 1.0;
        }
        true
    }

    /// The priors these sketches give when they are `rounds` rounds of the same
    /// shoppers' reports: per bucket the debiased count per round, published where it
    /// clears `k` and three standard errors of the noise (a bucket no shopper named
    /// still estimates around 0 with that error, so noise is not published).
    pub fn priors(&self, k: f64, rounds: f64) -> Priors {
        let rounds = rounds.max(1.0);
        let mut estimate = vec![0.0; SKETCH_WIDTH];
        let mut null_variance = 0.0;
        for (epsilon, n, ones) in &self.groups {
            let q = 1.0 / (epsilon.exp() + 1.0);
            for (e, c) in estimate.iter_mut().zip(ones) {
                *e += (c - n * q) / (0.5 - q) / rounds;
            }
            null_variance += n * q * (1.0 - q) / ((0.5 - q) * (0.5 - q)) / (rounds * rounds);
        }
        let threshold = k.max(3.0 * null_variance.sqrt());
        let buckets = estimate
            .iter()
            .enumerate()
            .filter(|(_, c)| **c >= threshold)
            .map(|(b, c)| (b as u32, c.round()))
            .collect();
        Priors {
            format: PRIORS_FORMAT,
            version: PRIORS_VERSION,
            width: SKETCH_WIDTH as u32,
            k,
            reports: self.reports,
            buckets,
        }
    }
}

/// What [`aggregate`] makes of a round of contributions.
#[derive(Debug, Clone, PartialEq)]
pub struct Aggregate {
    pub model: ModelFile,
    /// Reports whose update counted, and reports ignored (another model, malformed).
    pub reports: u64,
    pub ignored: u64,
    pub mean: Vec<f64>,
    pub priors: Priors,
}

/// The shop's aggregation of one round (README "Shop side"; `shop/sql/` is the same):
/// updates against `current` are averaged into new weights, sketches of the reports
/// counted are debiased per ε into bucket counts, published where at least `k` and
/// three standard errors of the noise.
pub fn aggregate(
    reports: &[Received],
    current: &ModelFile,
    learning_rate: f64,
    k: f64,
) -> Aggregate {
    let mut sum = [0.0; WEIGHTS];
    let (mut counted, mut ignored) = (0u64, 0u64);
    let mut sketches = SketchTotals::default();
    for report in reports {
        let well_formed = report.format == CONTRIBUTION_FORMAT
            && report.version == f64::from(CONTRIBUTION_VERSION);
        let gradient = report
            .gradient
            .as_deref()
            .filter(|g| g.len() == WEIGHTS && g.iter().all(|x| x.is_finite()));
        let Some(gradient) = gradient.filter(|_| well_formed && report.model == current.version)
        else {
            ignored += 1;
            continue;
        };
        counted += 1;
        for (s, g) in sum.iter_mut().zip(gradient) {
            *s += g;
        }
        if let Some(ones) = &report.ones {
            sketches.add(report.sketch_width, report.sketch_epsilon, ones);
        }
    }
    let n = counted.max(1) as f64;
    let mean: Vec<f64> = sum.iter().map(|s| s / n).collect();
    let mut model = current.model;
    if counted > 0 {
        for (w, g) in model.weights.iter_mut().zip(&mean) {
            let next = (*w - learning_rate * g).clamp(-MAX_WEIGHT, MAX_WEIGHT);
            *w = (next * 1e4).round() / 1e4 + 0.0;
        }
    }
    Aggregate {
        model: ModelFile {
            version: next_version(&current.version),
            model,
        },
        reports: counted,
        ignored,
        mean,
        priors: sketches.priors(k, 1.0),
    }
}
