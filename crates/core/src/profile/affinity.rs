//! Time-decayed affinities, the facet values a product carries, and their bounded groups.

use super::*;

/// `score` decayed from `from_ms` to `to_ms`. Time running backwards never adds weight.
pub fn decay(score: f64, from_ms: f64, to_ms: f64, half_life_ms: f64) -> f64 {
    if to_ms <= from_ms {
        score
    } else {
        // Single precision is plenty for a decay factor (1e-7 relative), and its power
        // function brings a 4 KB smaller table into the wasm than the double one.
        score * f64::from(0.5f32.powf(((to_ms - from_ms) / half_life_ms) as f32))
    }
}

/// A decayed score and the evidence behind it. Exported as `[score, atMs, count]`.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Affinity {
    /// Score as of `at_ms`.
    pub score: f64,
    /// Time of the newest evidence.
    pub at_ms: f64,
    /// Number of events behind this affinity.
    pub count: u32,
}

codec_fields!(Affinity {
    score,
    at_ms,
    count
});

impl ToJson for Affinity {
    fn to_json(&self, out: &mut String) {
        (self.score, self.at_ms, self.count).to_json(out);
    }
}

impl Affinity {
    pub fn score_at(&self, now_ms: f64, half_life_ms: f64) -> f64 {
        decay(self.score, self.at_ms, now_ms, half_life_ms)
    }

    /// Adds evidence of `weight` at `at_ms`. Late (out-of-order) evidence is decayed to
    /// the affinity's own time, so the result does not depend on arrival order.
    pub fn add(&mut self, weight: f64, at_ms: f64, half_life_ms: f64) {
        if self.count == 0 || at_ms >= self.at_ms {
            self.score = decay(self.score, self.at_ms, at_ms, half_life_ms) + weight;
            self.at_ms = at_ms;
        } else {
            self.score += decay(weight, at_ms, self.at_ms, half_life_ms);
        }
        // Evidence against (a removal from the cart) never makes an affinity negative.
        self.score = self.score.max(0.0);
        self.count = self.count.saturating_add(1);
    }
}

/// Whether two labels are equal, deciding most unequal pairs by their length and last
/// byte before comparing bytes: learning compares an event's values with a few hundred
/// learned ones, and a byte-wise comparison for each was a fifth of `track()`.
pub fn same(a: &str, b: &str) -> bool {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    a.len() == b.len() && a.last() == b.last() && a == b
}

/// Upper edges of the price bands. Bands follow a 1-2.5-5 progression so the labels
/// read naturally ("25-50") and each band is about twice as wide as the one before.
const PRICE_BAND_EDGES: [f64; 9] = [
    10.0, 25.0, 50.0, 100.0, 250.0, 500.0, 1000.0, 2500.0, 5000.0,
];
pub const PRICE_BAND_LABELS: [&str; 10] = [
    "0-10",
    "10-25",
    "25-50",
    "50-100",
    "100-250",
    "250-500",
    "500-1000",
    "1000-2500",
    "2500-5000",
    "5000+",
];

/// The price band label of a price, e.g. `price_band(39.9) == "25-50"`.
pub fn price_band(price: f64) -> &'static str {
    PRICE_BAND_LABELS[price_band_index(price)]
}

/// The index of a price's band in [`PRICE_BAND_LABELS`].
pub fn price_band_index(price: f64) -> usize {
    PRICE_BAND_EDGES
        .iter()
        .position(|edge| price < *edge)
        .unwrap_or(PRICE_BAND_EDGES.len())
}

/// Share of a category's weight its parent receives, per level up.
pub const ROLLUP: f64 = 0.5;

/// The facet values a product carries, with the share of an event's weight each gets:
/// the category at full weight and each category above it at [`ROLLUP`] per level,
/// brand, price band, then tags, variant attributes and the shop's facets.
pub fn facet_values(product: &Product) -> Vec<(&str, &str, f64)> {
    let mut values = Vec::with_capacity(6 + product.facets.len());
    if let Some(category) = product.category.as_deref() {
        let levels = category.bytes().filter(|b| *b == b'/').count();
        let ends = category.bytes().enumerate().filter(|(_, b)| *b == b'/');
        for (i, end) in ends.map(|(i, _)| i).chain([category.len()]).enumerate() {
            let share = ROLLUP.powi((levels - i) as i32);
            values.push((CATEGORY, &category[..end], share));
        }
    }
    if let Some(brand) = product.brand.as_deref() {
        values.push((BRAND, brand, 1.0));
    }
    if let Some(price) = product.price {
        values.push((PRICE_BAND, price_band(price), 1.0));
    }
    for (facet, value) in &product.facets {
        values.push((facet.as_str(), value.as_str(), 1.0));
    }
    values
}

/// The learned values of one facet (or one category's sizes), most recently added
/// last. At most a configured number of entries, so lookups are linear scans over a
/// short list. Exported as `[[value, [score, atMs, count]], ...]`.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct FacetValues(pub Vec<(String, Affinity)>);

impl ToJson for FacetValues {
    fn to_json(&self, out: &mut String) {
        self.0.to_json(out);
    }
}

impl Codec for FacetValues {
    fn encode(&self, out: &mut Vec<u8>) {
        self.0.encode(out);
    }

    fn decode(input: &mut &[u8]) -> Option<Self> {
        Vec::decode(input).map(FacetValues)
    }
}

impl FacetValues {
    pub fn get(&self, value: &str) -> Option<&Affinity> {
        self.0.iter().find(|(v, _)| same(v, value)).map(|(_, a)| a)
    }

    /// Adds evidence for `value`, then keeps at most `cap` values.
    pub(super) fn learn(
        &mut self,
        value: &str,
        weight: f64,
        at_ms: f64,
        cap: usize,
        half_life_ms: f64,
    ) {
        let position = match self.0.iter().position(|(v, _)| same(v, value)) {
            Some(position) => position,
            None => {
                self.0.push((value.to_owned(), Affinity::default()));
                self.0.len() - 1
            }
        };
        self.0[position].1.add(weight, at_ms, half_life_ms);
        self.prune(cap, at_ms, half_life_ms);
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Time of the newest evidence.
    pub(super) fn newest(&self) -> f64 {
        self.0.iter().map(|(_, a)| a.at_ms).fold(0.0, f64::max)
    }

    /// Drops entries whose labels or numbers are out of range, then the weakest beyond
    /// `cap`. Returns how many were dropped.
    pub(super) fn sanitize(&mut self, cap: usize, half_life_ms: f64) -> usize {
        let before = self.len();
        self.0.retain(|(value, a)| {
            valid_label(value) && a.score.is_finite() && a.score >= 0.0 && valid_time(a.at_ms)
        });
        self.prune(cap, self.newest(), half_life_ms);
        before - self.len()
    }

    /// Drops the weakest values beyond `cap` (ties: the lexically last value goes).
    pub(super) fn prune(&mut self, cap: usize, now_ms: f64, half_life_ms: f64) {
        while self.0.len() > cap {
            // A full group prunes on every new value, and the decay's power function was
            // a fifth of `track()`: a value whose score, decayed by a lower bound of the
            // decay (`2^-x ≥ 1 - x·ln 2`, less a margin for single precision), is still
            // above the weakest so far cannot be the weakest, and needs no power.
            let mut weakest: Option<(usize, f64)> = None;
            for (i, (value, affinity)) in self.0.iter().enumerate() {
                if let Some((_, least)) = weakest {
                    let halvings = ((now_ms - affinity.at_ms) / half_life_ms).max(0.0);
                    let floor = affinity.score * (1.0 - halvings * std::f64::consts::LN_2);
                    if floor * (1.0 - 1e-6) > least {
                        continue;
                    }
                }
                let score = affinity.score_at(now_ms, half_life_ms);
                let weaker = match weakest {
                    None => true,
                    Some((w, least)) => score
                        .total_cmp(&least)
                        .then_with(|| self.0[w].0.cmp(value))
                        .is_lt(),
                };
                if weaker {
                    weakest = Some((i, score));
                }
            }
            match weakest {
                Some((i, _)) => self.0.swap_remove(i),
                None => break,
            };
        }
    }
}

/// Facet values grouped by a key: by facet name for taste and session intent, by
/// category for price bands and sizes. Exported as `{ key: FacetValues }`.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Groups(pub Vec<(String, FacetValues)>);

impl Codec for Groups {
    fn encode(&self, out: &mut Vec<u8>) {
        self.0.encode(out);
    }

    fn decode(input: &mut &[u8]) -> Option<Self> {
        Vec::decode(input).map(Groups)
    }
}

impl ToJson for Groups {
    fn to_json(&self, out: &mut String) {
        let fields: Vec<(&str, &dyn ToJson)> = self
            .0
            .iter()
            .map(|(key, values)| (key.as_str(), values as &dyn ToJson))
            .collect();
        object(out, &fields);
    }
}

/// How many groups and values per group a [`Groups`] keeps, and how fast it decays.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Bounds {
    pub groups: usize,
    pub values: usize,
    pub half_life_ms: f64,
}

impl Groups {
    pub fn get(&self, key: &str) -> Option<&FacetValues> {
        self.0.iter().find(|(k, _)| same(k, key)).map(|(_, v)| v)
    }

    pub fn is_empty(&self) -> bool {
        self.0.iter().all(|(_, values)| values.is_empty())
    }

    /// Takes back what `events` events taught `value` in group `key`, in proportion to
    /// its evidence: the value goes when nothing else taught it.
    pub(super) fn take_back(&mut self, key: &str, value: &str, events: u32) {
        let Some((_, values)) = self.0.iter_mut().find(|(k, _)| k == key) else {
            return;
        };
        let Some(i) = values.0.iter().position(|(v, _)| v == value) else {
            return;
        };
        let affinity = &mut values.0[i].1;
        if events >= affinity.count {
            values.0.remove(i);
        } else {
            let left = affinity.count - events;
            affinity.score *= f64::from(left) / f64::from(affinity.count);
            affinity.count = left;
        }
    }

    /// Adds evidence for `value` in group `key`. A new group beyond the bound replaces
    /// the one with the oldest evidence.
    pub(super) fn learn(
        &mut self,
        key: &str,
        value: &str,
        weight: f64,
        at_ms: f64,
        bounds: Bounds,
    ) {
        let index = match self.0.iter().position(|(k, _)| same(k, key)) {
            Some(index) => index,
            None => self.make_group(key, bounds),
        };
        let values = &mut self.0[index].1;
        values.learn(value, weight, at_ms, bounds.values, bounds.half_life_ms);
    }

    /// Adds an empty group `key` (replacing the one with the oldest evidence when at the
    /// bound); returns its index.
    pub(super) fn make_group(&mut self, key: &str, bounds: Bounds) -> usize {
        if self.0.len() >= bounds.groups {
            let stalest = (0..self.0.len())
                .min_by(|a, b| self.0[*a].1.newest().total_cmp(&self.0[*b].1.newest()));
            if let Some(stalest) = stalest {
                self.0.remove(stalest);
            }
        }
        self.0.push((key.to_owned(), FacetValues::default()));
        self.0.len() - 1
    }

    /// Keeps the values `keep(key, value, affinity)` accepts; drops emptied groups.
    pub(super) fn retain(&mut self, mut keep: impl FnMut(&str, &str, &Affinity) -> bool) {
        for (key, values) in &mut self.0 {
            values.0.retain(|(value, a)| keep(key, value, a));
        }
        self.0.retain(|(_, values)| !values.is_empty());
    }

    /// Repairs groups read back from storage (`valid_key` checks the keys); returns
    /// how many entries were dropped.
    pub(super) fn sanitize(&mut self, valid_key: fn(&str) -> bool, bounds: Bounds) -> usize {
        let before = self.0.len();
        self.0.retain(|(key, _)| valid_key(key));
        self.0.truncate(bounds.groups);
        let mut dropped = before - self.0.len();
        for (_, values) in &mut self.0 {
            dropped += values.sanitize(bounds.values, bounds.half_life_ms);
        }
        dropped
    }

    /// Every group's decayed scores at one instant, with each group's strongest score.
    pub(super) fn freeze(&self, now_ms: f64, half_life_ms: f64) -> Vec<(&str, FacetSnapshot<'_>)> {
        self.0
            .iter()
            .map(|(key, values)| {
                let scores: Vec<(&str, f64, u32, f64)> = values
                    .0
                    .iter()
                    .map(|(value, a)| {
                        (
                            value.as_str(),
                            a.score_at(now_ms, half_life_ms),
                            a.count,
                            a.at_ms,
                        )
                    })
                    .collect();
                let max = scores.iter().map(|s| s.1).fold(0.0, f64::max);
                (key.as_str(), FacetSnapshot { scores, max })
            })
            .collect()
    }
}
