//! Reranking a shop's product list with the shopper's profile.
//!
//! `score = (1 - strength) * base + strength * personal`, where `base` falls linearly
//! from 1 (the shop's first product) towards 0 (its last) and `personal` is the
//! profile's affinity for the product's facets, scaled by the profile's confidence.
//! Ties keep the shop's order, so the result is deterministic and `strength = 0` is
//! the shop's order exactly.

use serde::{Deserialize, Serialize};

use super::error::{Error, Result};
use super::event::Product;
use super::profile::{facet_values, Snapshot, BRAND, CATEGORY, PRICE_BAND, SIZE};

/// Share of the personal score each built-in facet contributes (they sum to 1).
pub const FACET_WEIGHTS: [(&str, f64); 3] = [(CATEGORY, 0.6), (BRAND, 0.25), (PRICE_BAND, 0.15)];
/// Weight of the product's other facets together, relative to the built-in ones: when a
/// product has any, the five parts are renormalised to sum to 1.
pub const OTHER_FACETS_WEIGHT: f64 = 0.25;

pub const DEFAULT_STRENGTH: f64 = 0.5;

fn default_strength() -> f64 {
    DEFAULT_STRENGTH
}

/// Options of [`rank`]. Unknown option names are rejected so typos do not pass silently.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct RankOptions {
    /// How much the profile may move products, in `[0, 1]`. 0 keeps the shop's order.
    /// Default 0.5.
    #[serde(default = "default_strength")]
    pub strength: f64,
}

impl Default for RankOptions {
    fn default() -> Self {
        RankOptions {
            strength: DEFAULT_STRENGTH,
        }
    }
}

impl RankOptions {
    pub fn with_strength(strength: f64) -> Self {
        RankOptions { strength }
    }

    /// Parses options from JSON (`null` or `{}` give the defaults) and validates them.
    pub fn from_json(json: &str) -> Result<Self> {
        let options: Option<RankOptions> =
            serde_json::from_str(json).map_err(|e| Error::InvalidOptions(e.to_string()))?;
        let options = options.unwrap_or_default();
        options.validate()?;
        Ok(options)
    }

    /// Sets one option by name (the browser build passes name/number pairs); unknown
    /// names are rejected so typos do not pass silently.
    pub fn set(&mut self, name: &str, value: f64) -> Result<()> {
        match name {
            "strength" => self.strength = value,
            _ => return Err(Error::InvalidOptions(format!("unknown option \"{name}\""))),
        }
        self.validate()
    }

    pub fn validate(&self) -> Result<()> {
        if self.strength.is_finite() && (0.0..=1.0).contains(&self.strength) {
            Ok(())
        } else {
            Err(Error::InvalidOptions(
                "strength must be a number from 0 to 1".into(),
            ))
        }
    }
}

/// One ranked product: its position in the input (`index`), id and final score.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Ranked {
    pub index: usize,
    pub id: String,
    pub score: f64,
}

/// The shop's own score for the product at `index` of `len`: 1 for the first, falling
/// linearly, always above 0.
pub fn base_score(index: usize, len: usize) -> f64 {
    1.0 - index as f64 / len.max(1) as f64
}

/// The profile's affinity for a product, in `[0, 1)`.
pub fn personal_score(product: &Product, snapshot: &Snapshot) -> f64 {
    // Per facet the best value: a category, or one of its parents discounted by level.
    let mut best: Vec<(&str, f64)> = Vec::new();
    for (facet, value, share) in facet_values(product) {
        // Sizes are kept per category, for size suggestions, not as taste.
        if facet == SIZE {
            continue;
        }
        let score = share * snapshot.relative(facet, value);
        match best.iter_mut().find(|(f, _)| *f == facet) {
            Some((_, best)) => *best = best.max(score),
            None => best.push((facet, score)),
        }
    }
    let of = |facet: &str| best.iter().find(|(f, _)| *f == facet).map_or(0.0, |b| b.1);
    let built_in: f64 = FACET_WEIGHTS.iter().map(|(f, w)| w * of(f)).sum();
    // The rest on average, so a product with many tags does not outrank one with few.
    let (other_sum, others) = best
        .iter()
        .filter(|(f, _)| !FACET_WEIGHTS.iter().any(|(b, _)| b == f))
        .fold((0.0, 0u32), |(sum, n), (_, score)| (sum + score, n + 1));
    let affinity = if others == 0 {
        built_in
    } else {
        let other = other_sum / f64::from(others);
        (built_in + OTHER_FACETS_WEIGHT * other) / (1.0 + OTHER_FACETS_WEIGHT)
    };
    (snapshot.confidence * affinity + STATED_WEIGHT * stated(product, snapshot)).clamp(0.0, 1.0)
}

/// How much a stated preference of weight 1 adds to the personal score (or, negative,
/// takes from it).
pub const STATED_WEIGHT: f64 = 0.5;

/// The sum of the shopper's statements about this product's facet values.
fn stated(product: &Product, snapshot: &Snapshot) -> f64 {
    let values = facet_values(product);
    snapshot
        .stated
        .iter()
        .filter(|(facet, value, _)| values.iter().any(|(f, v, _)| f == facet && v == value))
        .map(|(_, _, weight)| *weight)
        .sum()
}

/// Whether the shopper said "not interested" to the product or to one of its values.
fn dismissed(product: &Product, snapshot: &Snapshot) -> bool {
    snapshot.hidden.contains(&product.id)
        || facet_values(product).iter().any(|(facet, value, _)| {
            snapshot
                .stated
                .iter()
                .any(|(f, v, weight)| f == facet && v == value && *weight <= -1.0)
        })
}

/// Reorders `products` (given in the shop's order). Without a profile snapshot (no
/// consent, or nothing learned) the shop's order is returned with its base scores.
pub fn rank(
    products: &[Product],
    options: &RankOptions,
    snapshot: Option<&Snapshot>,
) -> Result<Vec<Ranked>> {
    options.validate()?;
    let len = products.len();
    // Products the shopper dismissed go last, in the same order among themselves.
    let mut ranked: Vec<(bool, Ranked)> = products
        .iter()
        .enumerate()
        .map(|(index, product)| {
            let base = base_score(index, len);
            let (last, score) = match snapshot {
                Some(snapshot) if options.strength > 0.0 => (
                    dismissed(product, snapshot),
                    (1.0 - options.strength) * base
                        + options.strength * personal_score(product, snapshot),
                ),
                _ => (false, base),
            };
            let id = product.id.clone();
            (last, Ranked { index, id, score })
        })
        .collect();
    ranked.sort_unstable_by(|(la, a), (lb, b)| {
        la.cmp(lb)
            .then(b.score.total_cmp(&a.score))
            .then(a.index.cmp(&b.index))
    });
    Ok(ranked.into_iter().map(|(_, r)| r).collect())
}
