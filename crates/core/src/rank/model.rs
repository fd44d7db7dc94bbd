//! The ranking model: a repeat-or-explore mixture over features the device already
//! has, with weights learned offline from replayed shopper logs (`shelfwise fit`,
//! README "Ranking model").
//!
//! A shopper's next product is either one they acted on before (going back) or one they
//! have not (exploring). The model says how likely each is, the way RepeatNet (Ren et
//! al., AAAI 2019) splits a session recommender, but as a small log-linear model:
//! - a **gate** `g = σ(weights · session)` is the chance of going back, from how much
//!   this shopper goes back to products (`returnRate`: the share of their last products
//!   they acted on more than once), how recently they acted at all (`activity`), whether
//!   their last action was on a product they had acted on before (`lastRepeat`), and how
//!   many of their products the list holds and how many others (`returnedInList`,
//!   `exploredInList`, each as `ln(1 + n)`);
//! - among the products acted on before, `P(j | repeat)` is a softmax of the **repeat**
//!   features: its place among the last products (`returned`, falling by
//!   [`RETURN_FALLOFF`] per place), being the very last (`returnedLast`), `ln(1 +
//!   events)` on it (`interactions`), its place among the recently viewed halved every
//!   30 minutes (`viewed`), and being in the cart (`inCart`);
//! - among the others, `P(j | explore)` is a softmax of the **explore** features: the
//!   product's place in the shop's order (`base`: `-ln(1 + place) / 2`, the place by the
//!   shop's score when it gives scores, so the shop's order is a power law), the
//!   shopper's affinity
//!   for its category, brand, price band and other facets (relative to their strongest,
//!   times the profile's confidence), what they stated about its values (`stated`),
//!   likeness to the products viewed last (`similar`), and, when the shop loads private
//!   priors (`crate::federated`), how often shoppers holding one of this shopper's
//!   strongest interests also hold one of the product's values (`prior`).
//!
//! A product's personal score is its probability, `g · P(j | repeat)` or `(1 - g) ·
//! P(j | explore)`, scaled so the likeliest is 1; ranking blends it with the base score
//! by `strength`, so `strength: 0` is the shop's order exactly.

use super::*;

/// Explore features of a row, in weight order ([`WEIGHT_NAMES`] `0..EXPLORE`).
pub const EXPLORE: usize = 8;
pub const BASE: usize = 0;
pub const CATEGORY: usize = 1;
pub const OTHER_FACETS: usize = 4;
pub const STATED: usize = 5;
pub const SIMILAR: usize = 6;
pub const PRIOR: usize = 7;
/// Repeat features of a row (weights `EXPLORE..EXPLORE + REPEAT`).
pub const REPEAT: usize = 5;
pub const RETURNED: usize = 0;
pub const RETURNED_LAST: usize = 1;
pub const INTERACTIONS: usize = 2;
pub const VIEWED: usize = 3;
pub const IN_CART: usize = 4;
/// Gate features of a list (the last weights): the first is a constant 1; the last two
/// count the list's products of each part.
pub const GATE: usize = 6;
/// Every weight of a model.
pub const WEIGHTS: usize = EXPLORE + REPEAT + GATE;

/// The weights' names, as `Shelfwise.open({ model })` and `shelfwise fit` spell them.
pub const WEIGHT_NAMES: [&str; WEIGHTS] = [
    "base",
    "category",
    "brand",
    "priceBand",
    "otherFacets",
    "stated",
    "similar",
    "prior",
    "returned",
    "returnedLast",
    "interactions",
    "viewed",
    "inCart",
    "gateBias",
    "gateReturnRate",
    "gateActivity",
    "gateLastRepeat",
    "gateReturnedInList",
    "gateExploredInList",
];

/// How `returned` falls per place among the shopper's last products.
pub const RETURN_FALLOFF: f64 = 0.7;

/// Largest weight a model may give a feature.
pub const MAX_WEIGHT: f64 = 100.0;

/// The weights `shelfwise fit` learned from every dev log together (README: "Ranking
/// model" says how to reproduce them); `category`, `otherFacets` and `stated` are the
/// fit's priors, which the logs cannot teach.
pub const DEFAULT_WEIGHTS: [f64; WEIGHTS] = [
    // explore: base, category, brand, priceBand, otherFacets, stated, similar, prior
    0.9956, 1.2, 1.2238, 0.8073, 0.8, 2.0, 2.6523, 1.0,
    // repeat: returned, returnedLast, interactions, viewed, inCart
    1.4253, -0.5269, 0.2617, 0.803, 1.1303,
    // gate: bias, returnRate, activity, lastRepeat, returnedInList, exploredInList
    0.8469, 0.9546, -0.2043, 0.1641, 0.5401, -0.2966,
];

/// A row's features: explore, repeat, and whether the shopper acted on it before (then
/// it is scored as going back).
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct RowFeatures {
    pub explore: [f64; EXPLORE],
    pub repeat: [f64; REPEAT],
    pub returned: bool,
}

/// A ranking model: one weight per name of [`WEIGHT_NAMES`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Model {
    pub weights: [f64; WEIGHTS],
}

impl Default for Model {
    fn default() -> Self {
        Model {
            weights: DEFAULT_WEIGHTS,
        }
    }
}

/// `e^x` and `ln(1 + x)` in single precision: plenty for ranking, and their routines are
/// a few kilobytes smaller in the module than the double ones (as `profile::decay`).
pub fn exp(x: f64) -> f64 {
    f64::from((x as f32).exp())
}

pub fn ln_1p(x: f64) -> f64 {
    f64::from((x as f32).ln_1p())
}

fn dot(weights: &[f64], features: &[f64]) -> f64 {
    weights.iter().zip(features).map(|(w, f)| w * f).sum()
}

impl Model {
    pub fn explore_weights(&self) -> &[f64] {
        &self.weights[..EXPLORE]
    }

    pub fn repeat_weights(&self) -> &[f64] {
        &self.weights[EXPLORE..EXPLORE + REPEAT]
    }

    pub fn gate_weights(&self) -> &[f64] {
        &self.weights[EXPLORE + REPEAT..]
    }

    /// A row's log-linear score within its part (repeat or explore).
    pub fn logit(&self, row: &RowFeatures) -> f64 {
        if row.returned {
            dot(self.repeat_weights(), &row.repeat)
        } else {
            dot(self.explore_weights(), &row.explore)
        }
    }

    /// The chance the shopper goes back, from the list's gate features.
    pub fn gate(&self, gate: &[f64; GATE]) -> f64 {
        1.0 / (1.0 + exp(-dot(self.gate_weights(), gate)))
    }

    /// Each row's probability of being the next product, scaled so the likeliest is 1
    /// (written into `out`, one per row). `features` reads a row's features, so callers
    /// keep them in their own rows (no copy per rank).
    pub fn probabilities<T>(
        &self,
        rows: &[T],
        features: impl Fn(&T) -> &RowFeatures,
        gate: &[f64; GATE],
        out: &mut Vec<f64>,
    ) {
        out.clear();
        out.extend(rows.iter().map(|r| self.logit(features(r))));
        let mut tops = [f64::NEG_INFINITY; 2];
        for (row, logit) in rows.iter().zip(out.iter()) {
            let top = &mut tops[usize::from(features(row).returned)];
            *top = top.max(*logit);
        }
        let mut sums = [0.0; 2];
        for (row, logit) in rows.iter().zip(out.iter_mut()) {
            let part = usize::from(features(row).returned);
            *logit = exp(*logit - tops[part]);
            sums[part] += *logit;
        }
        // Without the other part, one part takes all the mass.
        let g = match (sums[0] > 0.0, sums[1] > 0.0) {
            (true, true) => self.gate(gate),
            (_, returned) => f64::from(u8::from(returned)),
        };
        let shares = [
            (1.0 - g) / sums[0].max(f64::MIN_POSITIVE),
            g / sums[1].max(f64::MIN_POSITIVE),
        ];
        let mut likeliest: f64 = 0.0;
        for (row, p) in rows.iter().zip(out.iter_mut()) {
            *p *= shares[usize::from(features(row).returned)];
            likeliest = likeliest.max(*p);
        }
        if likeliest > 0.0 {
            let scale = 1.0 / likeliest;
            for p in out.iter_mut() {
                *p *= scale;
            }
        }
    }

    /// The gradient of the model's loss on the shopper choosing `rows[chosen]` from
    /// `rows`, added to `gradient`: what a device sums over the products its shopper
    /// chose from ranked lists (`crate::federated`). Single-precision exponentials, as
    /// ranking has them; no allocation.
    pub fn choice_gradient(
        &self,
        rows: &[RowFeatures],
        chosen: usize,
        gate: &[f64; GATE],
        gradient: &mut [f64; WEIGHTS],
    ) {
        self.choice_loss_with(rows, chosen, gate, gradient, exp, |_| 0.0);
    }

    /// Minus the log of the model's probability that the shopper chose `rows[chosen]`,
    /// with its gradient added to `gradient` ([`Model::choice_gradient`]) in double
    /// precision: what `shelfwise fit` minimises over replayed logs.
    pub fn choice_loss(
        &self,
        rows: &[RowFeatures],
        chosen: usize,
        gate: &[f64; GATE],
        gradient: &mut [f64; WEIGHTS],
    ) -> f64 {
        self.choice_loss_with(rows, chosen, gate, gradient, f64::exp, f64::ln)
    }

    /// The loss and gradient of a choice: the chosen row's part (going back or
    /// exploring) is a softmax over that part's rows; the gate adds its own term when
    /// the list holds both parts.
    fn choice_loss_with(
        &self,
        rows: &[RowFeatures],
        chosen: usize,
        gate: &[f64; GATE],
        gradient: &mut [f64; WEIGHTS],
        exp: impl Fn(f64) -> f64,
        ln: impl Fn(f64) -> f64,
    ) -> f64 {
        let target = &rows[chosen];
        let part = rows.iter().filter(|r| r.returned == target.returned);
        let (offset, width) = match target.returned {
            true => (EXPLORE, REPEAT),
            false => (0, EXPLORE),
        };
        let features = |r: &RowFeatures| -> [f64; EXPLORE] {
            let mut f = [0.0; EXPLORE];
            match target.returned {
                true => f[..REPEAT].copy_from_slice(&r.repeat),
                false => f = r.explore,
            }
            f
        };
        let top = part
            .clone()
            .map(|r| self.logit(r))
            .fold(f64::NEG_INFINITY, f64::max);
        let total: f64 = part.clone().map(|r| exp(self.logit(r) - top)).sum();
        let mut loss = top + ln(total) - self.logit(target);
        for r in part {
            let p = exp(self.logit(r) - top) / total;
            let f = features(r);
            for k in 0..width {
                gradient[offset + k] += p * f[k];
            }
        }
        let chosen_features = features(target);
        for k in 0..width {
            gradient[offset + k] -= chosen_features[k];
        }
        if rows.iter().any(|r| r.returned != target.returned) {
            let g = self.gate(gate);
            let (chance, d) = match target.returned {
                true => (g, g - 1.0),
                false => (1.0 - g, g),
            };
            loss -= ln(chance.max(f64::MIN_POSITIVE));
            for (k, x) in gate.iter().enumerate() {
                gradient[EXPLORE + REPEAT + k] += d * x;
            }
        }
        loss
    }

    /// Sets the weight called `name`; unknown names and weights that are not numbers
    /// from -100 to 100 are rejected.
    pub fn set(&mut self, name: &str, weight: f64) -> Result<()> {
        let Some(index) = WEIGHT_NAMES.iter().position(|n| *n == name) else {
            return Err(Error::InvalidOptions(
                ["unknown model weight \"", name, "\""].concat(),
            ));
        };
        if !(weight.is_finite() && (-MAX_WEIGHT..=MAX_WEIGHT).contains(&weight)) {
            return Err(Error::InvalidOptions(
                ["model.", name, " must be a number from -100 to 100"].concat(),
            ));
        }
        self.weights[index] = weight;
        Ok(())
    }
}
