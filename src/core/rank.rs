//! Reranking a shop's product list with the shopper's profile.
//!
//! `score = (1 - strength) * base + strength * personal`, where `base` falls linearly
//! from 1 (the shop's first product) towards 0 (its last) and `personal` is the
//! profile's affinity for the product's facets (long-term taste blended with session
//! intent, plus stated preferences), scaled by the profile's confidence. Products the
//! shopper dismissed go last. Ties keep the shop's order, so the result is deterministic
//! and `strength = 0` is the shop's order exactly.

use serde::{Deserialize, Serialize};

use super::config::Config;
use super::error::{Error, Result};
use super::event::Product;
use super::profile::{facet_values, Profile, Tables, HALF_CONFIDENCE_EVIDENCE};

/// Share of the personal score that each facet contributes; the rest of the facets
/// (colour, size, shop facets) share what is left.
pub const CATEGORY_WEIGHT: f64 = 0.45;
pub const BRAND_WEIGHT: f64 = 0.2;
pub const PRICE_WEIGHT: f64 = 0.15;
pub const TAG_WEIGHT: f64 = 0.1;
pub const OTHER_WEIGHT: f64 = 0.1;
/// How much a stated preference of weight 1 adds to (or, negative, takes from) the
/// personal score.
pub const STATED_WEIGHT: f64 = 0.5;

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

    /// Sets one option by name (the browser build passes name/number pairs).
    pub fn set(&mut self, name: &str, value: f64) -> Result<()> {
        match name {
            "strength" => self.strength = value,
            _ => return Err(Error::InvalidOptions(format!("unknown option \"{name}\""))),
        }
        Ok(())
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

/// One facet's decayed scores at one instant, with the facet's strongest score.
struct FacetScores<'a> {
    facet: &'a str,
    scores: Vec<(&'a str, f64)>,
    max: f64,
}

impl FacetScores<'_> {
    fn relative(&self, value: &str) -> f64 {
        if self.max <= 0.0 {
            return 0.0;
        }
        self.scores
            .iter()
            .find(|(v, _)| *v == value)
            .map_or(0.0, |(_, s)| s / self.max)
    }
}

fn freeze<'a>(tables: &'a Tables, now_ms: f64, half_life_ms: f64) -> Vec<FacetScores<'a>> {
    tables
        .0
        .iter()
        .map(|table| {
            let scores: Vec<(&str, f64)> = table
                .values()
                .iter()
                .map(|(v, a)| (v.as_str(), a.score_at(now_ms, half_life_ms)))
                .collect();
            let max = scores.iter().map(|s| s.1).fold(0.0, f64::max);
            FacetScores {
                facet: table.facet(),
                scores,
                max,
            }
        })
        .collect()
}

/// The profile frozen at one instant, for scoring many products.
pub struct Snapshot<'a> {
    profile: &'a Profile,
    taste: Vec<FacetScores<'a>>,
    session: Vec<FacetScores<'a>>,
    session_share: f64,
    /// How much evidence the profile holds, in `[0, 1)`: `E / (E + 2)` with `E` the
    /// largest total decayed weight of any facet.
    pub confidence: f64,
}

impl<'a> Snapshot<'a> {
    pub fn new(profile: &'a Profile, now_ms: f64, config: &Config) -> Self {
        let taste = freeze(&profile.taste, now_ms, config.half_life_ms());
        let session = freeze(
            &profile.session.tables,
            now_ms,
            config.session_half_life_ms(),
        );
        let evidence = taste
            .iter()
            .map(|f| f.scores.iter().map(|s| s.1).sum::<f64>())
            .fold(0.0, f64::max);
        let has_session = session.iter().any(|f| f.max > 0.0);
        Snapshot {
            profile,
            taste,
            session,
            session_share: if has_session {
                config.session_share
            } else {
                0.0
            },
            confidence: evidence / (evidence + HALF_CONFIDENCE_EVIDENCE),
        }
    }

    /// A facet value's affinity in `[0, 1]`: long-term taste blended with session intent.
    pub fn relative(&self, facet: &str, value: &str) -> f64 {
        let of = |scores: &[FacetScores]| {
            scores
                .iter()
                .find(|f| f.facet == facet)
                .map_or(0.0, |f| f.relative(value))
        };
        (1.0 - self.session_share) * of(&self.taste) + self.session_share * of(&self.session)
    }

    /// Whether the shopper dismissed this product or one of its facet values.
    pub fn dismissed(&self, product: &Product) -> bool {
        self.profile.hidden.iter().any(|h| h.0 == product.id)
            || facet_values(product)
                .iter()
                .any(|(f, v, _)| self.profile.blocked.iter().any(|b| b.0 == *f && b.1 == *v))
    }

    /// The profile's affinity for a product, in `[0, 1]`.
    pub fn personal_score(&self, product: &Product) -> f64 {
        let mut category: f64 = 0.0;
        let mut brand = 0.0;
        let mut price = 0.0;
        let (mut tags, mut tag_count) = (0.0, 0);
        let (mut other, mut other_count) = (0.0, 0);
        for (facet, value, share) in facet_values(product) {
            let relative = self.relative(facet, value);
            match facet {
                // The best of the category's levels, parents discounted as learned.
                "category" => category = category.max(relative * share),
                "brand" => brand = relative,
                "price_band" => price = relative,
                "tag" => {
                    tags += relative;
                    tag_count += 1;
                }
                _ => {
                    other += relative;
                    other_count += 1;
                }
            }
        }
        // A known price level in the product's category beats the global price band.
        if let (Some(level), Some(p)) = (self.profile.price_level(product), product.price) {
            price = (-((p + 1.0).ln() - (level + 1.0).ln()).abs()).exp();
        }
        let mean = |sum: f64, n: i32| if n > 0 { sum / f64::from(n) } else { 0.0 };
        let learned = CATEGORY_WEIGHT * category
            + BRAND_WEIGHT * brand
            + PRICE_WEIGHT * price
            + TAG_WEIGHT * mean(tags, tag_count)
            + OTHER_WEIGHT * mean(other, other_count);
        let values = facet_values(product);
        let stated: f64 = self
            .profile
            .stated
            .iter()
            .filter(|s| values.iter().any(|(f, v, _)| *f == s.0 && *v == s.1))
            .map(|s| s.2 * STATED_WEIGHT)
            .sum();
        (self.confidence * learned + stated).clamp(0.0, 1.0)
    }
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
    let mut ranked: Vec<(bool, Ranked)> = products
        .iter()
        .enumerate()
        .map(|(index, product)| {
            let base = base_score(index, len);
            let (dismissed, score) = match snapshot {
                Some(snapshot) if options.strength > 0.0 => (
                    snapshot.dismissed(product),
                    (1.0 - options.strength) * base
                        + options.strength * snapshot.personal_score(product),
                ),
                _ => (false, base),
            };
            (
                dismissed,
                Ranked {
                    index,
                    id: product.id.clone(),
                    score,
                },
            )
        })
        .collect();
    ranked.sort_unstable_by(|(da, a), (db, b)| {
        da.cmp(db)
            .then(b.score.total_cmp(&a.score))
            .then(a.index.cmp(&b.index))
    });
    Ok(ranked.into_iter().map(|(_, r)| r).collect())
}
