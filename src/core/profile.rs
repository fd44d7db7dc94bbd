//! The preference profile: time-decayed affinities per facet value.
//!
//! Each affinity keeps its score as of the last update (`at_ms`); reading it at any
//! later time applies exponential decay with the configured half-life, so nothing has
//! to be rewritten as time passes and the result does not depend on when it is read.

use serde::{Deserialize, Serialize};

use super::error::{Error, Result};
use super::event::{Event, EventKind, Product};
use super::names::string_enum;

/// One millisecond-based day.
pub const DAY_MS: f64 = 86_400_000.0;

/// Evidence (in event-weight units) at which the profile's confidence reaches one half.
/// Two views of a category count as much as the shop's own order; one view does not.
pub const HALF_CONFIDENCE_EVIDENCE: f64 = 2.0;

string_enum! {
    /// The attributes a profile learns about.
    pub enum Facet {
        Category = "category",
        Brand = "brand",
        PriceBand = "price_band",
    }
}

/// Learning parameters, set by the shop (`Shelfwise.open({ config })`). Defaults are
/// documented in the README.
#[derive(Debug, Clone, PartialEq)]
pub struct ProfileConfig {
    /// Time for an affinity to lose half its weight. Default: 14 days.
    pub half_life_ms: f64,
    /// Weight of one event of each type. Defaults: view 1, click 1.5, add to cart 3,
    /// remove from cart -1 (evidence against), purchase 5, wishlist 2.5.
    pub view_weight: f64,
    pub click_weight: f64,
    pub add_to_cart_weight: f64,
    pub remove_from_cart_weight: f64,
    pub purchase_weight: f64,
    pub wishlist_weight: f64,
    /// Values kept per facet; the weakest is forgotten beyond this. Default 32.
    pub max_values_per_facet: usize,
    /// Evidence older than this is forgotten. Default: 90 days.
    pub retention_ms: f64,
    /// A pause longer than this starts a new visit. Default: 30 minutes.
    pub session_gap_ms: f64,
    /// Categories never learned, with everything below them (e.g. `"health"`).
    pub sensitive_categories: Vec<String>,
}

impl Default for ProfileConfig {
    fn default() -> Self {
        ProfileConfig {
            half_life_ms: 14.0 * DAY_MS,
            view_weight: 1.0,
            click_weight: 1.5,
            add_to_cart_weight: 3.0,
            remove_from_cart_weight: -1.0,
            purchase_weight: 5.0,
            wishlist_weight: 2.5,
            max_values_per_facet: 32,
            retention_ms: 90.0 * DAY_MS,
            session_gap_ms: 30.0 * 60_000.0,
            sensitive_categories: Vec::new(),
        }
    }
}

impl ProfileConfig {
    pub fn weight(&self, kind: EventKind) -> f64 {
        match kind {
            EventKind::View => self.view_weight,
            EventKind::Click => self.click_weight,
            EventKind::AddToCart => self.add_to_cart_weight,
            EventKind::RemoveFromCart => self.remove_from_cart_weight,
            EventKind::Purchase => self.purchase_weight,
            EventKind::Wishlist => self.wishlist_weight,
        }
    }

    /// Sets one option by its name in `Shelfwise.open({ config })` (`"halfLifeDays"`,
    /// `"weights.addToCart"`...). Unknown names and values out of range are rejected.
    pub fn set(&mut self, name: &str, value: f64) -> Result<()> {
        // Ranges are written out as text: formatting floats would add kilobytes of wasm.
        let range = |min: f64, max: f64, text: &str| {
            if value.is_finite() && (min..=max).contains(&value) {
                Ok(value)
            } else {
                Err(Error::InvalidOptions(format!(
                    "config {name} must be a number from {text}"
                )))
            }
        };
        match name {
            "halfLifeDays" => self.half_life_ms = range(0.01, 3650.0, "0.01 to 3650")? * DAY_MS,
            "retentionDays" => self.retention_ms = range(1.0, 3650.0, "1 to 3650")? * DAY_MS,
            "sessionGapMinutes" => {
                self.session_gap_ms = range(1.0, 1440.0, "1 to 1440")? * 60_000.0
            }
            "maxValuesPerFacet" => {
                self.max_values_per_facet = range(4.0, 64.0, "4 to 64")? as usize
            }
            _ => {
                let weight = match name {
                    "weights.view" => &mut self.view_weight,
                    "weights.click" => &mut self.click_weight,
                    "weights.addToCart" => &mut self.add_to_cart_weight,
                    "weights.removeFromCart" => &mut self.remove_from_cart_weight,
                    "weights.purchase" => &mut self.purchase_weight,
                    "weights.wishlist" => &mut self.wishlist_weight,
                    _ => {
                        return Err(Error::InvalidOptions(format!(
                            "unknown config option \"{name}\""
                        )))
                    }
                };
                *weight = range(-100.0, 100.0, "-100 to 100")?;
            }
        }
        Ok(())
    }

    /// Whether a category path is at or below a sensitive category (any case).
    pub fn is_sensitive(&self, category: &str) -> bool {
        self.sensitive_categories.iter().any(|sensitive| {
            let sensitive = sensitive.trim().trim_matches('/');
            !sensitive.is_empty()
                && category.len() >= sensitive.len()
                && category.is_char_boundary(sensitive.len())
                && category[..sensitive.len()].eq_ignore_ascii_case(sensitive)
                && matches!(category.as_bytes().get(sensitive.len()), None | Some(b'/'))
        })
    }
}

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

/// A decayed score and the evidence behind it. Stored as `[score, at_ms, count]`.
#[derive(Debug, Clone, Copy, PartialEq, Default, Deserialize)]
pub struct Affinity {
    /// Score as of `at_ms`.
    pub score: f64,
    /// Time of the newest evidence.
    pub at_ms: f64,
    /// Number of events behind this affinity.
    pub count: u32,
}

impl Serialize for Affinity {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        (self.score, self.at_ms, self.count).serialize(serializer)
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

/// Upper edges of the price bands. Bands follow a 1-2.5-5 progression so the labels
/// read naturally ("25-50") and each band is about twice as wide as the one before.
const PRICE_BAND_EDGES: [f64; 9] = [
    10.0, 25.0, 50.0, 100.0, 250.0, 500.0, 1000.0, 2500.0, 5000.0,
];
const PRICE_BAND_LABELS: [&str; 10] = [
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
    let band = PRICE_BAND_EDGES
        .iter()
        .position(|edge| price < *edge)
        .unwrap_or(PRICE_BAND_EDGES.len());
    PRICE_BAND_LABELS[band]
}

/// Share of a category's weight its parent receives, per level up.
pub const ROLLUP: f64 = 0.5;

/// The facet values a product carries, with the share of an event's weight each gets:
/// the category at full weight and each category above it at [`ROLLUP`] per level.
pub fn facet_values(product: &Product) -> Vec<(Facet, &str, f64)> {
    let mut values = Vec::with_capacity(6);
    if let Some(category) = product.category.as_deref() {
        let levels = category.matches('/').count();
        for (i, (end, _)) in category
            .match_indices('/')
            .chain([(category.len(), "")])
            .enumerate()
        {
            values.push((
                Facet::Category,
                &category[..end],
                ROLLUP.powi((levels - i) as i32),
            ));
        }
    }
    if let Some(brand) = product.brand.as_deref() {
        values.push((Facet::Brand, brand, 1.0));
    }
    if let Some(price) = product.price {
        values.push((Facet::PriceBand, price_band(price), 1.0));
    }
    values
}

/// The learned values of one facet, most recently added last. At most
/// `max_values_per_facet` entries, so lookups are linear scans over a short list.
/// Stored as `[[value, [score, at_ms, count]], ...]`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(transparent)]
pub struct FacetValues(pub Vec<(String, Affinity)>);

impl FacetValues {
    pub fn get(&self, value: &str) -> Option<&Affinity> {
        self.0.iter().find(|(v, _)| v == value).map(|(_, a)| a)
    }

    /// Adds evidence for `value`, then keeps at most `cap` values.
    fn learn(&mut self, value: &str, weight: f64, at_ms: f64, cap: usize, half_life_ms: f64) {
        self.entry(value).add(weight, at_ms, half_life_ms);
        self.prune(cap, at_ms, half_life_ms);
    }

    fn entry(&mut self, value: &str) -> &mut Affinity {
        let position = match self.0.iter().position(|(v, _)| v == value) {
            Some(position) => position,
            None => {
                self.0.push((value.to_owned(), Affinity::default()));
                self.0.len() - 1
            }
        };
        &mut self.0[position].1
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Drops entries whose labels or numbers are out of range, then the weakest beyond
    /// `cap`. Returns how many were dropped.
    fn sanitize(&mut self, cap: usize, half_life_ms: f64) -> usize {
        let before = self.len();
        self.0.retain(|(value, a)| {
            valid_label(value) && a.score.is_finite() && a.score >= 0.0 && valid_time(a.at_ms)
        });
        let now = self.0.iter().map(|(_, a)| a.at_ms).fold(0.0, f64::max);
        self.prune(cap, now, half_life_ms);
        before - self.len()
    }

    /// Drops the weakest values beyond `cap` (ties: the lexically last value goes).
    fn prune(&mut self, cap: usize, now_ms: f64, half_life_ms: f64) {
        while self.0.len() > cap {
            let weakest = self
                .0
                .iter()
                .enumerate()
                .min_by(|(_, (va, a)), (_, (vb, b))| {
                    let (sa, sb) = (
                        a.score_at(now_ms, half_life_ms),
                        b.score_at(now_ms, half_life_ms),
                    );
                    sa.total_cmp(&sb).then(vb.cmp(va))
                })
                .map(|(i, _)| i);
            match weakest {
                Some(i) => self.0.swap_remove(i),
                None => break,
            };
        }
    }
}

/// What Shelfwise has learned about one shopper: stored in the envelope (postcard) and
/// shown in exports (JSON, schema in the README).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Profile {
    /// Long-term taste, decayed with the configured half-life.
    #[serde(default)]
    pub taste: Affinities,
    /// Events learned from, ever (for the shopper's overview).
    #[serde(default)]
    pub events: u64,
    /// Time of the first and the latest event learned from.
    #[serde(default)]
    pub first_ms: Option<f64>,
    #[serde(default)]
    pub last_ms: Option<f64>,
    /// Visits (a pause longer than the session gap starts one), orders, the sum of
    /// purchased prices, and the time of the last order: what lifecycle segments need.
    #[serde(default)]
    pub visits: u64,
    #[serde(default)]
    pub orders: u64,
    #[serde(default)]
    pub spend: f64,
    #[serde(default)]
    pub last_order_ms: Option<f64>,
    /// What the shopper said: `[facet, value, weight]`, weight -1 (not interested) to 1
    /// (likes). Not decayed: the shopper's own words stay until changed.
    #[serde(default)]
    pub stated: Vec<(Facet, String, f64)>,
    /// Products the shopper marked "not interested".
    #[serde(default)]
    pub hidden: Vec<String>,
    /// What the current visit is about: decayed with [`SESSION_HALF_LIFE_MS`] and reset
    /// when a new visit starts.
    #[serde(default)]
    pub session: Affinities,
    /// Recently viewed products, newest first: `[id, atMs]`.
    #[serde(default)]
    pub viewed: Vec<(String, f64)>,
    /// Recent searches that found something, newest first: `[query, atMs]` (lower case,
    /// single spaces).
    #[serde(default)]
    pub searches: Vec<(String, f64)>,
}

/// A stored time (milliseconds since the epoch) as validation would have accepted it.
fn valid_time(at_ms: f64) -> bool {
    at_ms.is_finite() && at_ms >= 0.0
}

/// A stored label (value, id) as validation would have accepted it.
fn valid_label(label: &str) -> bool {
    !label.is_empty()
        && label.len() <= super::event::MAX_LABEL_BYTES
        && !label.chars().any(char::is_control)
}

/// Affinities for every facet: the profile keeps one set for long-term taste and one for
/// the current visit.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Affinities {
    #[serde(default)]
    pub categories: FacetValues,
    #[serde(default)]
    pub brands: FacetValues,
    #[serde(default)]
    pub price_bands: FacetValues,
}

impl Affinities {
    pub fn values(&self, facet: Facet) -> &FacetValues {
        by_facet(facet, [&self.categories, &self.brands, &self.price_bands])
    }

    fn values_mut(&mut self, facet: Facet) -> &mut FacetValues {
        by_facet(
            facet,
            [
                &mut self.categories,
                &mut self.brands,
                &mut self.price_bands,
            ],
        )
    }

    pub fn is_empty(&self) -> bool {
        Facet::ALL.iter().all(|f| self.values(*f).is_empty())
    }

    /// Sanitizes every facet (see [`FacetValues::sanitize`]); returns how many were dropped.
    fn sanitize(&mut self, cap: usize, half_life_ms: f64) -> usize {
        Facet::ALL
            .iter()
            .map(|f| self.values_mut(*f).sanitize(cap, half_life_ms))
            .sum()
    }

    /// Every facet's decayed scores at one instant, with each facet's strongest score.
    fn freeze(&self, now_ms: f64, half_life_ms: f64) -> [FacetSnapshot<'_>; 3] {
        [Facet::Category, Facet::Brand, Facet::PriceBand].map(|facet| {
            let scores: Vec<(&str, f64, u32)> = self
                .values(facet)
                .0
                .iter()
                .map(|(value, a)| (value.as_str(), a.score_at(now_ms, half_life_ms), a.count))
                .collect();
            let max = scores.iter().map(|s| s.1).fold(0.0, f64::max);
            FacetSnapshot { scores, max }
        })
    }
}

/// Adds `item` at `at_ms` to a recent list (recently viewed, recent searches): newest
/// first, each item once at its latest time, whatever order they arrive in (tabs'
/// journals interleave, imports merge), at most `cap` kept. Of items with the same
/// time, the one added last comes first: two searches can share a millisecond.
fn note_recent(list: &mut Vec<(String, f64)>, item: &str, at_ms: f64, cap: usize) {
    if let Some(i) = list.iter().position(|(v, _)| v == item) {
        if list[i].1 > at_ms {
            return;
        }
        list.remove(i);
    }
    // An insertion keeps the order without pulling a sort into the module.
    let index = list.iter().take_while(|(_, t)| *t > at_ms).count();
    list.insert(index, (item.to_owned(), at_ms));
    list.truncate(cap);
}

/// Repairs a recent list read back from storage; returns how many entries were dropped.
fn sanitize_recent(list: &mut Vec<(String, f64)>, cap: usize) -> usize {
    let before = list.len();
    list.retain(|(item, at)| valid_label(item) && valid_time(*at));
    list.truncate(cap);
    before - list.len()
}

/// The one of three per-facet items (category, brand, price band) that is `facet`'s.
fn by_facet<T>(facet: Facet, [category, brand, price_band]: [T; 3]) -> T {
    match facet {
        Facet::Category => category,
        Facet::Brand => brand,
        Facet::PriceBand => price_band,
    }
}

/// A view with this dwell counts as an ordinary view.
pub const TYPICAL_DWELL_MS: f64 = 10_000.0;

/// How much a view's weight is scaled by its dwell: a bounce counts a fifth of an
/// ordinary view, a long read up to three times.
pub fn dwell_factor(dwell_ms: f64) -> f64 {
    (dwell_ms / TYPICAL_DWELL_MS).clamp(0.2, 3.0)
}

/// Session intent decays fast: half its weight in 30 minutes.
pub const SESSION_HALF_LIFE_MS: f64 = 30.0 * 60_000.0;
/// Values of session intent kept per facet.
pub const SESSION_VALUES: usize = 8;
/// Share of session intent in the affinity ranking uses (when the visit has any).
pub const SESSION_SHARE: f64 = 0.35;
/// Recently viewed products kept.
pub const MAX_VIEWED: usize = 20;
/// Recent searches kept.
pub const MAX_SEARCHES: usize = 10;

/// Stated preferences and hidden products kept.
pub const MAX_STATED: usize = 32;
pub const MAX_HIDDEN: usize = 100;

impl Profile {
    pub fn is_empty(&self) -> bool {
        self.events == 0
            && self.stated.is_empty()
            && self.hidden.is_empty()
            && self.searches.is_empty()
            && self.taste.is_empty()
    }

    /// Repairs a profile read back from storage: drops entries whose labels or numbers
    /// are out of range and re-applies the cap. Returns how many entries were dropped.
    pub fn sanitize(&mut self, config: &ProfileConfig) -> usize {
        let mut dropped = 0;
        dropped += self
            .taste
            .sanitize(config.max_values_per_facet, config.half_life_ms);
        dropped += self.session.sanitize(SESSION_VALUES, SESSION_HALF_LIFE_MS);
        dropped += sanitize_recent(&mut self.viewed, MAX_VIEWED);
        dropped += sanitize_recent(&mut self.searches, MAX_SEARCHES);
        let before = self.stated.len() + self.hidden.len();
        self.stated.retain(|(_, value, weight)| {
            valid_label(value) && weight.is_finite() && (-1.0..=1.0).contains(weight)
        });
        self.hidden.retain(|id| valid_label(id));
        let excess = self.stated.len().saturating_sub(MAX_STATED);
        self.stated.drain(..excess);
        let excess = self.hidden.len().saturating_sub(MAX_HIDDEN);
        self.hidden.drain(..excess);
        dropped += before - self.stated.len() - self.hidden.len();
        if !(self.spend.is_finite() && self.spend >= 0.0) {
            self.spend = 0.0;
            dropped += 1;
        }
        for time in [
            &mut self.first_ms,
            &mut self.last_ms,
            &mut self.last_order_ms,
        ] {
            if time.is_some_and(|t| !valid_time(t)) {
                *time = None;
                dropped += 1;
            }
        }
        dropped
    }

    /// Forgets one facet value, learned or stated. Returns whether it was known.
    pub fn forget(&mut self, facet: Facet, value: &str) -> bool {
        let values = self.taste.values_mut(facet);
        let before = values.len();
        values.0.retain(|(v, _)| v != value);
        let learned = values.len() != before;
        self.session.values_mut(facet).0.retain(|(v, _)| v != value);
        let stated = self.stated.len();
        self.stated.retain(|(f, v, _)| !(*f == facet && v == value));
        learned || stated != self.stated.len()
    }

    /// Records what the shopper said about a facet value: weight -1 (not interested) to
    /// 1 (likes); 0 takes the statement back. The newest statements are kept.
    pub fn state(&mut self, facet: Facet, value: &str, weight: f64) {
        self.stated.retain(|(f, v, _)| !(*f == facet && v == value));
        if weight != 0.0 {
            self.stated.push((facet, value.to_owned(), weight));
        }
        let excess = self.stated.len().saturating_sub(MAX_STATED);
        self.stated.drain(..excess);
    }

    /// Marks a product "not interested": it is ranked last from now on.
    pub fn hide(&mut self, id: &str) {
        self.hidden.retain(|h| h != id);
        self.hidden.push(id.to_owned());
        let excess = self.hidden.len().saturating_sub(MAX_HIDDEN);
        self.hidden.drain(..excess);
    }

    /// Merges another profile (an import): per value the stronger evidence wins, the
    /// counters take the larger and the dates the wider span. Merging the same profile
    /// twice changes nothing.
    pub fn merge(&mut self, other: &Profile, config: &ProfileConfig) {
        for facet in Facet::ALL {
            let theirs = other.taste.values(*facet).0.clone();
            let ours = self.taste.values_mut(*facet);
            for (value, affinity) in theirs {
                match ours.0.iter_mut().find(|(v, _)| *v == value) {
                    Some((_, mine)) => {
                        let at = mine.at_ms.max(affinity.at_ms);
                        let stronger = affinity.score_at(at, config.half_life_ms)
                            > mine.score_at(at, config.half_life_ms);
                        if stronger {
                            *mine = affinity;
                        }
                    }
                    None => ours.0.push((value, affinity)),
                }
            }
        }
        for (facet, value, weight) in &other.stated {
            if !self.stated.iter().any(|(f, v, _)| f == facet && v == value) {
                self.stated.push((*facet, value.clone(), *weight));
            }
        }
        // Oldest first, so that items sharing a time keep their order.
        for (id, at) in other.viewed.iter().rev() {
            note_recent(&mut self.viewed, id, *at, MAX_VIEWED);
        }
        for (query, at) in other.searches.iter().rev() {
            note_recent(&mut self.searches, query, *at, MAX_SEARCHES);
        }
        if self.session.is_empty() {
            self.session = other.session.clone();
        }
        for id in &other.hidden {
            if !self.hidden.contains(id) {
                self.hidden.push(id.clone());
            }
        }
        self.events = self.events.max(other.events);
        self.visits = self.visits.max(other.visits);
        self.orders = self.orders.max(other.orders);
        self.spend = self.spend.max(other.spend);
        self.last_order_ms = match (self.last_order_ms, other.last_order_ms) {
            (Some(a), Some(b)) => Some(a.max(b)),
            (a, b) => a.or(b),
        };
        self.first_ms = match (self.first_ms, other.first_ms) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        };
        self.last_ms = match (self.last_ms, other.last_ms) {
            (Some(a), Some(b)) => Some(a.max(b)),
            (a, b) => a.or(b),
        };
        self.sanitize(config);
    }

    /// Learns from one validated event.
    pub fn learn(&mut self, event: &Event, config: &ProfileConfig) -> bool {
        let at = event.at_ms;
        if event
            .product
            .category
            .as_deref()
            .is_some_and(|c| config.is_sensitive(c))
        {
            return false;
        }
        if self
            .last_ms
            .is_none_or(|last| at - last > config.session_gap_ms)
        {
            self.visits = self.visits.saturating_add(1);
            self.session = Affinities::default();
        }
        let weight = config.weight(event.kind) * event.dwell_ms.map_or(1.0, dwell_factor);
        for (facet, value, share) in facet_values(&event.product) {
            self.taste.values_mut(facet).learn(
                value,
                weight * share,
                at,
                config.max_values_per_facet,
                config.half_life_ms,
            );
            self.session.values_mut(facet).learn(
                value,
                weight * share,
                at,
                SESSION_VALUES,
                SESSION_HALF_LIFE_MS,
            );
        }
        if event.kind == EventKind::View {
            note_recent(&mut self.viewed, &event.product.id, event.at_ms, MAX_VIEWED);
        }
        if event.kind == EventKind::Purchase {
            // The line items of one order are tracked at the same instant.
            if self.last_order_ms != Some(at) {
                self.orders = self.orders.saturating_add(1);
            }
            self.spend += event.product.price.unwrap_or(0.0) * f64::from(event.units());
            self.last_order_ms = Some(self.last_order_ms.map_or(at, |l| l.max(at)));
        }
        self.events = self.events.saturating_add(1);
        self.first_ms = Some(self.first_ms.map_or(at, |f| f.min(at)));
        self.last_ms = Some(self.last_ms.map_or(at, |l| l.max(at)));
        if self.events % 64 == 0 {
            self.forget_before(at - config.retention_ms);
        }
        true
    }

    /// Records a search in the recent searches.
    pub fn note_search(&mut self, query: &str, at_ms: f64) {
        note_recent(&mut self.searches, query, at_ms, MAX_SEARCHES);
    }

    /// Forgets evidence older than `cutoff_ms` (the retention period).
    pub fn forget_before(&mut self, cutoff_ms: f64) {
        for facet in Facet::ALL {
            self.taste
                .values_mut(*facet)
                .0
                .retain(|(_, a)| a.at_ms >= cutoff_ms);
        }
        self.viewed.retain(|(_, at)| *at >= cutoff_ms);
        self.searches.retain(|(_, at)| *at >= cutoff_ms);
    }

    /// The decayed affinity of one facet value (0 when unknown).
    pub fn affinity(&self, facet: Facet, value: &str, now_ms: f64, config: &ProfileConfig) -> f64 {
        self.taste
            .values(facet)
            .get(value)
            .map_or(0.0, |a| a.score_at(now_ms, config.half_life_ms))
    }

    /// A read-only snapshot for scoring many products at one instant.
    pub fn snapshot(&self, now_ms: f64, config: &ProfileConfig) -> Snapshot<'_> {
        let facets = self.taste.freeze(now_ms, config.half_life_ms);
        let session = self.session.freeze(now_ms, SESSION_HALF_LIFE_MS);
        let evidence = facets
            .iter()
            .map(|f| f.scores.iter().map(|s| s.1).sum::<f64>())
            .fold(0.0, f64::max);
        let session_share = if session.iter().any(|f| f.max > 0.0) {
            SESSION_SHARE
        } else {
            0.0
        };
        Snapshot {
            facets,
            session,
            session_share,
            stated: &self.stated,
            hidden: &self.hidden,
            confidence: evidence / (evidence + HALF_CONFIDENCE_EVIDENCE),
        }
    }

    /// The strongest interests per facet, strongest first, in the shopper's overview.
    pub fn summary(&self, now_ms: f64, config: &ProfileConfig, per_facet: usize) -> Summary {
        let snapshot = self.snapshot(now_ms, config);
        let mut interests = Vec::new();
        for (facet, facet_snapshot) in Facet::ALL.iter().zip(&snapshot.facets) {
            let mut ranked: Vec<Interest> = facet_snapshot
                .scores
                .iter()
                .filter(|(_, score, _)| *score > 0.0)
                .map(|(value, score, count)| Interest {
                    facet: *facet,
                    value: (*value).to_owned(),
                    strength: score / facet_snapshot.max,
                    evidence: *count,
                })
                .collect();
            ranked.sort_unstable_by(|a, b| {
                b.strength
                    .total_cmp(&a.strength)
                    .then(a.value.cmp(&b.value))
            });
            interests.extend(ranked.into_iter().take(per_facet));
        }
        Summary {
            recently_viewed: self.viewed.iter().map(|(id, _)| id.clone()).collect(),
            recent_searches: self.searches.iter().map(|(q, _)| q.clone()).collect(),
            stated: self.stated.clone(),
            hidden_products: self.hidden.clone(),
            events: self.events,
            visits: self.visits,
            orders: self.orders,
            confidence: snapshot.confidence,
            first_ms: self.first_ms,
            last_ms: self.last_ms,
            interests,
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
struct FacetSnapshot<'a> {
    scores: Vec<(&'a str, f64, u32)>,
    max: f64,
}

/// Decayed affinities frozen at one instant, normalised per facet.
#[derive(Debug, Clone, PartialEq)]
pub struct Snapshot<'a> {
    facets: [FacetSnapshot<'a>; 3],
    session: [FacetSnapshot<'a>; 3],
    session_share: f64,
    /// What the shopper said, and the products they hid.
    pub stated: &'a [(Facet, String, f64)],
    pub hidden: &'a [String],
    /// How much evidence the profile holds, in `[0, 1)`: `E / (E + 2)` with `E` the
    /// largest total decayed weight of any facet.
    pub confidence: f64,
}

impl Snapshot<'_> {
    /// The value's affinity relative to the strongest value of its facet, in `[0, 1]`.
    pub fn relative(&self, facet: Facet, value: &str) -> f64 {
        let of = |facets: &[FacetSnapshot; 3]| {
            let facet = &facets[facet as usize];
            if facet.max <= 0.0 {
                return 0.0;
            }
            facet
                .scores
                .iter()
                .find(|(v, _, _)| *v == value)
                .map_or(0.0, |(_, score, _)| score / facet.max)
        };
        // Long-term taste blended with what this visit is about.
        (1.0 - self.session_share) * of(&self.facets) + self.session_share * of(&self.session)
    }
}

/// The shopper-facing overview of a profile.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Summary {
    /// Recently viewed product ids, newest first.
    pub recently_viewed: Vec<String>,
    /// Recent searches, newest first.
    pub recent_searches: Vec<String>,
    /// Stated preferences: `[facet, value, weight]`, -1 meaning "not interested".
    pub stated: Vec<(Facet, String, f64)>,
    pub hidden_products: Vec<String>,
    pub events: u64,
    pub visits: u64,
    pub orders: u64,
    pub confidence: f64,
    pub first_ms: Option<f64>,
    pub last_ms: Option<f64>,
    pub interests: Vec<Interest>,
}

/// One learned interest: "category laptops, strength 0.8, from 5 events".
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Interest {
    pub facet: Facet,
    pub value: String,
    /// Relative to the strongest value of the same facet, in `(0, 1]`.
    pub strength: f64,
    pub evidence: u32,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: f64, b: f64) -> bool {
        // Decay factors are single precision.
        (a - b).abs() < 1e-6 * b.abs().max(1.0)
    }

    #[test]
    fn decay_halves_per_half_life() {
        let hl = 14.0 * DAY_MS;
        assert!(close(decay(8.0, 0.0, hl, hl), 4.0));
        assert!(close(decay(8.0, 0.0, 3.0 * hl, hl), 1.0));
        assert!(close(decay(8.0, 0.0, 0.5 * hl, hl), 8.0 / 2f64.sqrt()));
        assert_eq!(
            decay(8.0, 100.0, 50.0, hl),
            8.0,
            "time going backwards adds nothing"
        );
    }

    #[test]
    fn affinity_is_independent_of_arrival_order() {
        let hl = 10.0;
        let mut in_order = Affinity::default();
        in_order.add(1.0, 0.0, hl);
        in_order.add(3.0, 10.0, hl);
        let mut late = Affinity::default();
        late.add(3.0, 10.0, hl);
        late.add(1.0, 0.0, hl);
        assert!(close(in_order.score, 3.5), "{}", in_order.score);
        assert!(close(late.score, in_order.score));
        assert_eq!(late.at_ms, 10.0);
        assert_eq!(late.count, 2);
        assert!(close(in_order.score_at(20.0, hl), 1.75));
    }

    #[test]
    fn price_bands_cover_the_range() {
        assert_eq!(price_band(0.0), "0-10");
        assert_eq!(price_band(9.99), "0-10");
        assert_eq!(price_band(10.0), "10-25");
        assert_eq!(price_band(999.0), "500-1000");
        assert_eq!(price_band(1e9), "5000+");
    }

    #[test]
    fn purchase_outweighs_view_and_facets_are_learned() {
        let config = ProfileConfig::default();
        let mut profile = Profile::default();
        let laptop = Product::new("1")
            .with_category("laptops")
            .with_brand("Apple")
            .with_price(1299.0);
        let phone = Product::new("2")
            .with_category("smartphones")
            .with_price(799.0);
        profile.learn(&Event::new(EventKind::View, phone.clone(), 0.0), &config);
        profile.learn(&Event::new(EventKind::Purchase, laptop, 0.0), &config);
        assert_eq!(
            profile.affinity(Facet::Category, "laptops", 0.0, &config),
            5.0
        );
        assert_eq!(
            profile.affinity(Facet::Category, "smartphones", 0.0, &config),
            1.0
        );
        assert_eq!(profile.affinity(Facet::Brand, "Apple", 0.0, &config), 5.0);
        assert_eq!(
            profile.affinity(Facet::PriceBand, "1000-2500", 0.0, &config),
            5.0
        );
        assert_eq!(profile.events, 2);
        let summary = profile.summary(0.0, &config, 3);
        assert_eq!(summary.interests[0].value, "laptops");
        assert_eq!(summary.interests[0].strength, 1.0);
        assert_eq!(summary.interests[1].value, "smartphones");
        assert!(close(summary.interests[1].strength, 0.2));
        // confidence = E / (E + 2) with E = 6 (total category weight).
        assert!(close(summary.confidence, 0.75));
    }

    #[test]
    fn facets_are_capped_and_the_weakest_value_goes() {
        let config = ProfileConfig {
            max_values_per_facet: 3,
            ..ProfileConfig::default()
        };
        let mut profile = Profile::default();
        for (i, category) in ["a", "b", "c", "d"].iter().enumerate() {
            let event = Event::new(
                EventKind::View,
                Product::new("p").with_category(*category),
                i as f64 * DAY_MS,
            );
            profile.learn(&event, &config);
        }
        let mut kept: Vec<&str> = profile
            .taste
            .categories
            .0
            .iter()
            .map(|(v, _)| v.as_str())
            .collect();
        kept.sort_unstable();
        assert_eq!(
            kept,
            ["b", "c", "d"],
            "oldest (most decayed) value is forgotten"
        );
    }

    fn learn(
        profile: &mut Profile,
        kind: EventKind,
        product: Product,
        at: f64,
        config: &ProfileConfig,
    ) -> bool {
        profile.learn(&Event::new(kind, product, at), config)
    }

    #[test]
    fn categories_roll_up_to_their_parents() {
        let config = ProfileConfig::default();
        let mut p = Profile::default();
        learn(
            &mut p,
            EventKind::Purchase,
            Product::new("1").with_category("shoes/running/trail"),
            0.0,
            &config,
        );
        assert_eq!(
            p.affinity(Facet::Category, "shoes/running/trail", 0.0, &config),
            5.0
        );
        assert_eq!(
            p.affinity(Facet::Category, "shoes/running", 0.0, &config),
            2.5
        );
        assert_eq!(p.affinity(Facet::Category, "shoes", 0.0, &config), 1.25);
    }

    #[test]
    fn every_product_event_type_has_its_weight_and_removal_never_goes_negative() {
        let config = ProfileConfig::default();
        let mut p = Profile::default();
        let product = || Product::new("1").with_brand("Acme");
        for kind in [EventKind::Click, EventKind::Wishlist] {
            learn(&mut p, kind, product(), 0.0, &config);
        }
        assert_eq!(p.affinity(Facet::Brand, "Acme", 0.0, &config), 4.0);
        for _ in 0..10 {
            learn(&mut p, EventKind::RemoveFromCart, product(), 0.0, &config);
        }
        assert_eq!(p.affinity(Facet::Brand, "Acme", 0.0, &config), 0.0);
    }

    #[test]
    fn visits_orders_and_spend_are_counted() {
        let config = ProfileConfig::default();
        let mut p = Profile::default();
        let hour = 3_600_000.0;
        learn(&mut p, EventKind::View, Product::new("1"), 0.0, &config);
        learn(
            &mut p,
            EventKind::Purchase,
            Product::new("1").with_price(20.0),
            60_000.0,
            &config,
        );
        learn(
            &mut p,
            EventKind::Purchase,
            Product::new("2").with_price(5.5),
            3.0 * hour,
            &config,
        );
        assert_eq!((p.visits, p.orders, p.spend), (2, 2, 25.5));
        assert_eq!(p.last_order_ms, Some(3.0 * hour));
    }

    #[test]
    fn sensitive_categories_are_never_learned() {
        let config = ProfileConfig {
            sensitive_categories: vec!["health".into(), "adult/toys".into()],
            ..ProfileConfig::default()
        };
        let mut p = Profile::default();
        for category in ["health", "Health/pharmacy", "adult/toys/x"] {
            assert!(
                !learn(
                    &mut p,
                    EventKind::View,
                    Product::new("1").with_category(category),
                    0.0,
                    &config
                ),
                "{category}"
            );
        }
        assert!(p.is_empty());
        for category in ["healthy-snacks", "adult/books"] {
            assert!(
                learn(
                    &mut p,
                    EventKind::View,
                    Product::new("1").with_category(category),
                    0.0,
                    &config
                ),
                "{category}"
            );
        }
    }

    #[test]
    fn evidence_older_than_the_retention_period_is_forgotten() {
        let config = ProfileConfig::default();
        let mut p = Profile::default();
        learn(
            &mut p,
            EventKind::View,
            Product::new("1").with_category("old"),
            0.0,
            &config,
        );
        for i in 0..63 {
            learn(
                &mut p,
                EventKind::View,
                Product::new("2").with_category("new"),
                100.0 * DAY_MS + f64::from(i),
                &config,
            );
        }
        assert!(
            p.taste.categories.get("old").is_none(),
            "forgotten after 90 days"
        );
        assert!(p.taste.categories.get("new").is_some());
        assert_eq!(p.events, 64, "counters stay");
    }

    #[test]
    fn configuration_is_set_by_name_and_checked() {
        let mut config = ProfileConfig::default();
        config.set("halfLifeDays", 7.0).unwrap();
        config.set("weights.addToCart", 4.0).unwrap();
        config.set("maxValuesPerFacet", 8.0).unwrap();
        assert_eq!(config.half_life_ms, 7.0 * DAY_MS);
        assert_eq!(config.weight(EventKind::AddToCart), 4.0);
        assert_eq!(config.max_values_per_facet, 8);
        for (name, value) in [
            ("halfLifeDayz", 7.0),
            ("halfLifeDays", 0.0),
            ("weights.view", f64::NAN),
            ("retentionDays", 1e9),
        ] {
            let error = config.set(name, value).unwrap_err();
            assert_eq!(error.code().as_str(), "invalid_options", "{name}");
        }
    }

    #[test]
    fn session_intent_resets_with_each_visit_and_leans_the_ranking() {
        let config = ProfileConfig::default();
        let mut p = Profile::default();
        let hour = 3_600_000.0;
        for i in 0..5 {
            learn(
                &mut p,
                EventKind::Purchase,
                Product::new("1").with_category("tops"),
                f64::from(i),
                &config,
            );
        }
        learn(
            &mut p,
            EventKind::View,
            Product::new("2").with_category("shoes"),
            10.0 * hour,
            &config,
        );
        assert!(
            p.session.categories.get("tops").is_none(),
            "a new visit starts a new intent"
        );
        assert!(p.session.categories.get("shoes").is_some());
        assert!(
            p.taste.categories.get("tops").is_some(),
            "long-term taste stays"
        );
        // Long-term, tops lead by far; this visit is about shoes, which narrows the gap.
        let snapshot = p.snapshot(10.0 * hour, &config);
        let blended = snapshot.relative(Facet::Category, "shoes");
        let long_term = p.affinity(Facet::Category, "shoes", 10.0 * hour, &config)
            / p.affinity(Facet::Category, "tops", 10.0 * hour, &config);
        assert!(blended > long_term + 0.3, "{blended} vs {long_term}");
    }

    #[test]
    fn the_last_of_several_views_in_one_millisecond_comes_first() {
        let config = ProfileConfig::default();
        let mut p = Profile::default();
        for id in ["a", "b", "a"] {
            learn(&mut p, EventKind::View, Product::new(id), 5.0, &config);
        }
        let ids: Vec<&str> = p.viewed.iter().map(|(id, _)| id.as_str()).collect();
        assert_eq!(ids, ["a", "b"]);
        let mut copy = Profile::default();
        copy.merge(&p, &config);
        assert_eq!(copy.viewed, p.viewed, "a merge keeps the order of ties");
        p.merge(&copy, &config);
        assert_eq!(
            p.viewed, copy.viewed,
            "merging the same list changes nothing"
        );
    }

    #[test]
    fn merged_recently_viewed_stays_newest_first() {
        let config = ProfileConfig::default();
        let (mut here, mut imported) = (Profile::default(), Profile::default());
        for (to_here, id, at) in [(true, "a", 1.0), (false, "b", 2.0), (true, "c", 3.0)] {
            let profile = if to_here { &mut here } else { &mut imported };
            learn(profile, EventKind::View, Product::new(id), at, &config);
        }
        learn(
            &mut imported,
            EventKind::View,
            Product::new("a"),
            4.0,
            &config,
        );
        here.merge(&imported, &config);
        let ids: Vec<&str> = here.viewed.iter().map(|(id, _)| id.as_str()).collect();
        assert_eq!(ids, ["a", "c", "b"], "each product at its latest view");
    }

    #[test]
    fn recently_viewed_keeps_the_newest_twenty_once_each() {
        let config = ProfileConfig::default();
        let mut p = Profile::default();
        for i in 0..30u32 {
            learn(
                &mut p,
                EventKind::View,
                Product::new(format!("p{}", i % 25)),
                f64::from(i),
                &config,
            );
        }
        assert_eq!(p.viewed.len(), MAX_VIEWED);
        assert_eq!(p.viewed[0].0, "p4", "newest first");
        let ids: std::collections::BTreeSet<&str> =
            p.viewed.iter().map(|(id, _)| id.as_str()).collect();
        assert_eq!(ids.len(), MAX_VIEWED, "each product once");
    }
}
