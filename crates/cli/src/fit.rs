//! `shelfwise fit`: learns the ranking model's weights from replayed shopper logs.
//!
//! Every qualifying view of the replay (`EVALUATION.md`) is one example: the grid's
//! candidates with their features and the list's gate features, exactly as ranking
//! computes them on the device, and the product the shopper viewed. The weights maximise
//! the model's probability of the viewed product (`rank::Model`: the gate between going
//! back and exploring, and a softmax within each part). Full-batch Adam with a fixed
//! number of steps and a fixed candidate sample: the same logs give the same weights.
//!
//! Cross-validation holds shoppers out: each fold's shoppers are scored by the real
//! replay with a model fit without them.

use indicatif::{ProgressBar, ProgressStyle};
use shelfwise_core::profile::ProfileConfig;
use shelfwise_core::rank::{
    features, Model, RankOptions, RowFeatures, CATEGORY, GATE, OTHER_FACETS, PRIOR, STATED, WEIGHTS,
};
use shelfwise_core::store::{fnv1a64, fnv1a64_from};

use crate::eval::{evaluate_users, replay, LogEvent, Report};

/// Folds of shoppers in cross-validation.
pub const FOLDS: u64 = 5;
/// Adam's steps and step size, and the L2 penalty on the weights.
pub const STEPS: usize = 200;
const LEARNING_RATE: f64 = 0.05;
const L2: f64 = 1e-3;

/// Weights the replay cannot teach keep these priors: its grids hold one category each
/// (so category affinity never tells products apart there, while a shop's homepage and
/// search results mix categories), and the logs carry no shop facets and no statements.
/// Their values match the learned brand and price-band weights' scale.
pub const PRIORS: [(usize, f64); 3] = [(CATEGORY, 1.2), (OTHER_FACETS, 0.8), (STATED, 2.0)];

/// The `prior` weight (the shop's private priors, `federated`) starts here and is
/// learned only from examples ranked with priors; without them it keeps this value.
pub const PRIOR_START: f64 = 1.0;

/// One view as the fit sees it: the viewed product first, then other candidates.
#[derive(Debug, Clone, PartialEq)]
pub struct Example {
    /// The view's shopper, their fold, and the view's time.
    pub user: String,
    pub fold: u64,
    pub at_ms: f64,
    pub gate: [f64; GATE],
    pub rows: Vec<RowFeatures>,
}

/// A log with a name: its views are examples, and it is reported on its own.
pub struct Source<'a> {
    pub name: &'a str,
    pub events: &'a [LogEvent],
}

/// The fold of a shopper of a source (FNV-1a of both, so folds do not depend on the order
/// shoppers appear in).
pub fn fold_of(source: &str, user: &str) -> u64 {
    let hash = fnv1a64_from(fnv1a64(source.as_bytes()), &[0]);
    fnv1a64_from(hash, user.as_bytes()) % FOLDS
}

/// Every qualifying view of the sources, as examples.
pub fn examples(sources: &[Source], config: &ProfileConfig) -> Vec<Example> {
    let options = RankOptions::default();
    let mut examples = Vec::new();
    for source in sources {
        replay(source.events, config, |view| {
            let Ok(Some((rows, gate))) =
                features(&view.candidates(), &options, Some(view.snapshot))
            else {
                return;
            };
            let Some(target) = view.order.iter().position(|p| *p == view.target) else {
                return;
            };
            // The viewed product first, then the rest of the grid.
            let kept = (0..rows.len()).filter(|&i| i != target);
            examples.push(Example {
                user: view.user.to_owned(),
                fold: fold_of(source.name, view.user),
                at_ms: view.at_ms,
                gate,
                rows: std::iter::once(target)
                    .chain(kept)
                    .map(|i| rows[i])
                    .collect(),
            });
        });
    }
    examples
}

/// Minus the log of the model's probability of the viewed product (the first row), and
/// its gradient added to `gradient` (what a device computes: `Model::choice_gradient`).
fn loss(weights: &[f64; WEIGHTS], example: &Example, gradient: &mut [f64; WEIGHTS]) -> f64 {
    let model = Model { weights: *weights };
    model.choice_loss(&example.rows, 0, &example.gate, gradient)
}

/// The model's mean loss over `examples`: minus the log of its probability of each
/// viewed product.
pub fn mean_loss(model: &Model, examples: &[Example]) -> f64 {
    let mut unused = [0.0; WEIGHTS];
    let total: f64 = examples
        .iter()
        .map(|e| loss(&model.weights, e, &mut unused))
        .sum();
    total / examples.len().max(1) as f64
}

/// The model the fit starts from: the shop's order alone, and the priors.
pub fn starting_model() -> Model {
    let mut weights = [0.0; WEIGHTS];
    weights[0] = 1.0;
    for (index, prior) in PRIORS {
        weights[index] = prior;
    }
    weights[PRIOR] = PRIOR_START;
    Model { weights }
}

/// Fits the weights on `examples` whose fold `train` accepts.
pub fn fit(examples: &[Example], train: impl Fn(u64) -> bool, progress: &ProgressBar) -> Model {
    let chosen: Vec<&Example> = examples.iter().filter(|e| train(e.fold)).collect();
    let with_priors = chosen
        .iter()
        .any(|e| e.rows.iter().any(|r| r.explore[PRIOR] != 0.0));
    // A fixed start, so the fit does not depend on the defaults it produces.
    let mut weights = starting_model().weights;
    let (mut first, mut second) = ([0.0; WEIGHTS], [0.0; WEIGHTS]);
    for step in 1..=STEPS {
        let mut gradient = [0.0; WEIGHTS];
        for example in &chosen {
            loss(&weights, example, &mut gradient);
        }
        let n = chosen.len().max(1) as f64;
        for (g, w) in gradient.iter_mut().zip(&weights) {
            *g = *g / n + 2.0 * L2 * w;
        }
        for (index, _) in PRIORS {
            gradient[index] = 0.0;
        }
        if !with_priors {
            gradient[PRIOR] = 0.0;
        }
        // Adam.
        for i in 0..WEIGHTS {
            first[i] = 0.9 * first[i] + 0.1 * gradient[i];
            second[i] = 0.999 * second[i] + 0.001 * gradient[i] * gradient[i];
            let unbiased = first[i] / (1.0 - 0.9f64.powi(step as i32));
            let scale = second[i] / (1.0 - 0.999f64.powi(step as i32));
            weights[i] -= LEARNING_RATE * unbiased / (scale.sqrt() + 1e-8);
        }
        progress.inc(1);
    }
    for w in &mut weights {
        // Four decimals (what the model file and the shipped defaults hold); never -0.
        *w = ((*w * 1e4).round() / 1e4).clamp(-100.0, 100.0) + 0.0;
    }
    Model { weights }
}

/// The config that ranks with `model`.
pub fn with_model(model: Model) -> ProfileConfig {
    ProfileConfig {
        model,
        ..ProfileConfig::default()
    }
}

/// Cross-validated reports per source: every shopper's views scored by the model fit on
/// the other folds.
pub fn cross_validate(
    sources: &[Source],
    examples: &[Example],
    progress: &ProgressBar,
) -> Vec<Report> {
    let mut reports: Vec<Report> = sources.iter().map(|_| Report::default()).collect();
    for fold in 0..FOLDS {
        let model = fit(examples, |f| f != fold, progress);
        let config = with_model(model);
        for (source, report) in sources.iter().zip(&mut reports) {
            let held_out =
                evaluate_users(source.events, &RankOptions::default(), &config, |user| {
                    fold_of(source.name, user) == fold
                });
            *report = std::mem::take(report).merge(held_out);
        }
    }
    reports
}

/// A progress bar on standard error, drawn only on a terminal (quiet when piped).
pub fn progress(steps: u64, what: &str) -> ProgressBar {
    let bar = ProgressBar::new(steps);
    bar.set_style(
        ProgressStyle::with_template("{msg} [{bar:30}] {pos}/{len} {elapsed}")
            .unwrap_or_else(|_| ProgressStyle::default_bar())
            .progress_chars("=> "),
    );
    bar.set_message(what.to_owned());
    bar
}

/// The model as the JSON object `Shelfwise.open({ model })` takes: weights by name, in
/// the model's order.
pub fn model_json(model: &Model) -> String {
    crate::federated::model_text(None, model)
}

/// Reads a model JSON object (as `model_json` writes it, a `version` allowed), as the
/// browser would: every name checked, every weight in range; weights left out keep the
/// defaults.
pub fn read_model(json: &str) -> Result<Model, String> {
    crate::federated::read_model_file(json).map(|file| file.model)
}
