//! The preference profile: what one shopper's own events say about their taste.
//!
//! - Long-term taste: decayed affinities per facet value (categories with their parents,
//!   brands, price bands, tags, colours, sizes, shop facets).
//! - Session intent: the same, with a half-life of minutes, reset at each new visit.
//! - Stated preferences and dismissals ("not interested"), which do not decay.
//! - Lists: price level and size per category, recently viewed, cart, purchases, recent
//!   searches, and the counters lifecycle segments need.
//!
//! Every part is capped, evidence older than the retention period is forgotten, and the
//! stored form stays under [`MAX_STORED_BYTES`] whatever events arrive.

use serde::{Deserialize, Serialize};

use super::config::Config;
use super::event::{Dismissal, Event, EventData, EventKind, Product};

/// Stored size the profile is kept under (its JSON form).
pub const MAX_STORED_BYTES: usize = 32 * 1024;
/// Evidence (in event-weight units) at which the profile's confidence reaches one half.
pub const HALF_CONFIDENCE_EVIDENCE: f64 = 2.0;
/// Share of a category's weight that its parent receives, per level.
pub const ROLLUP: f64 = 0.5;
/// Weight of each tag relative to the event's weight.
pub const TAG_SHARE: f64 = 0.5;
/// Session intent keeps this many values per facet.
pub const SESSION_VALUES: usize = 8;
pub const MAX_FACETS: usize = 16;
pub const MAX_VIEWED: usize = 20;
pub const MAX_CART: usize = 50;
pub const MAX_PURCHASES: usize = 50;
pub const MAX_SEARCHES: usize = 10;
pub const MAX_STATED: usize = 32;
pub const MAX_BLOCKED: usize = 32;
pub const MAX_HIDDEN: usize = 100;
pub const MAX_CATEGORY_NOTES: usize = 16;

/// `score` decayed from `from_ms` to `to_ms`. Time running backwards never adds weight.
pub fn decay(score: f64, from_ms: f64, to_ms: f64, half_life_ms: f64) -> f64 {
    if to_ms <= from_ms {
        score
    } else {
        score * 0.5f64.powf((to_ms - from_ms) / half_life_ms)
    }
}

/// Rounds for storage: four decimals are far below what ranking can tell apart, and a
/// number this short parses back to exactly the same value, so the stored JSON (and an
/// export's checksum) survives a round trip byte for byte.
pub fn round4(x: f64) -> f64 {
    (x * 1e4).round() / 1e4
}

fn serialize_round4<S: serde::Serializer>(x: &f64, serializer: S) -> Result<S::Ok, S::Error> {
    serializer.serialize_f64(round4(*x))
}

fn serialize_round4_opt<S: serde::Serializer>(
    x: &Option<f64>,
    serializer: S,
) -> Result<S::Ok, S::Error> {
    match x {
        Some(x) => serializer.serialize_some(&round4(*x)),
        None => serializer.serialize_none(),
    }
}

/// A decayed score, the newest evidence's time, how many events stand behind it and
/// which kinds of event (bit `1 << kind`). Stored as `[score, atMs, count, kinds]`.
#[derive(Debug, Clone, Copy, PartialEq, Default, Deserialize)]
pub struct Affinity {
    pub score: f64,
    pub at_ms: f64,
    pub count: u32,
    #[serde(default)]
    pub kinds: u16,
}

impl Serialize for Affinity {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        (
            round4(self.score),
            self.at_ms.round(),
            self.count,
            self.kinds,
        )
            .serialize(serializer)
    }
}

impl Affinity {
    pub fn score_at(&self, now_ms: f64, half_life_ms: f64) -> f64 {
        decay(self.score, self.at_ms, now_ms, half_life_ms)
    }

    /// Adds evidence of `weight` (negative: evidence against, never below zero) at
    /// `at_ms`. Late evidence is decayed to the affinity's own time, so the result does
    /// not depend on arrival order.
    pub fn add(&mut self, weight: f64, at_ms: f64, half_life_ms: f64, kind: EventKind) {
        if self.count == 0 || at_ms >= self.at_ms {
            self.score = decay(self.score, self.at_ms, at_ms, half_life_ms) + weight;
            self.at_ms = at_ms;
        } else {
            self.score += decay(weight, at_ms, self.at_ms, half_life_ms);
        }
        self.score = self.score.max(0.0);
        self.count = self.count.saturating_add(1);
        self.kinds |= 1 << (kind as u16);
    }

    /// The strongest kind of evidence behind this affinity.
    pub fn strongest_kind(&self) -> EventKind {
        const ORDER: [EventKind; 6] = [
            EventKind::Purchase,
            EventKind::AddToCart,
            EventKind::Wishlist,
            EventKind::Preference,
            EventKind::Click,
            EventKind::View,
        ];
        ORDER
            .into_iter()
            .find(|k| self.kinds & (1 << (*k as u16)) != 0)
            .unwrap_or(EventKind::View)
    }
}

/// The learned values of one facet, as `[facet, [[value, affinity], ...]]`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct FacetTable(pub String, pub Vec<(String, Affinity)>);

impl FacetTable {
    pub fn facet(&self) -> &str {
        &self.0
    }

    pub fn values(&self) -> &[(String, Affinity)] {
        &self.1
    }

    pub fn get(&self, value: &str) -> Option<&Affinity> {
        self.1.iter().find(|(v, _)| v == value).map(|(_, a)| a)
    }

    fn entry(&mut self, value: &str) -> &mut Affinity {
        let position = match self.1.iter().position(|(v, _)| v == value) {
            Some(position) => position,
            None => {
                self.1.push((value.to_owned(), Affinity::default()));
                self.1.len() - 1
            }
        };
        &mut self.1[position].1
    }

    /// Drops the weakest values beyond `cap` (ties: the lexically last value goes).
    fn prune(&mut self, cap: usize, now_ms: f64, half_life_ms: f64) {
        while self.1.len() > cap {
            let weakest = self
                .1
                .iter()
                .enumerate()
                .min_by(|(_, (va, a)), (_, (vb, b))| {
                    a.score_at(now_ms, half_life_ms)
                        .total_cmp(&b.score_at(now_ms, half_life_ms))
                        .then(vb.cmp(va))
                })
                .map(|(i, _)| i);
            match weakest {
                Some(i) => self.1.swap_remove(i),
                None => break,
            };
        }
    }
}

/// Affinity tables, one per facet.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Tables(pub Vec<FacetTable>);

impl Tables {
    pub fn get(&self, facet: &str) -> Option<&FacetTable> {
        self.0.iter().find(|t| t.0 == facet)
    }

    fn table(&mut self, facet: &str) -> Option<&mut FacetTable> {
        let position = match self.0.iter().position(|t| t.0 == facet) {
            Some(position) => position,
            None if self.0.len() < MAX_FACETS => {
                self.0.push(FacetTable(facet.to_owned(), Vec::new()));
                self.0.len() - 1
            }
            None => return None,
        };
        Some(&mut self.0[position])
    }

    #[allow(clippy::too_many_arguments)]
    fn add(
        &mut self,
        facet: &str,
        value: &str,
        weight: f64,
        at_ms: f64,
        half_life_ms: f64,
        kind: EventKind,
        cap: usize,
    ) {
        if let Some(table) = self.table(facet) {
            table.entry(value).add(weight, at_ms, half_life_ms, kind);
            table.prune(cap, at_ms, half_life_ms);
        }
    }

    fn remove(&mut self, facet: &str, value: &str) -> bool {
        let mut removed = false;
        for table in self.0.iter_mut().filter(|t| t.0 == facet) {
            let before = table.1.len();
            table.1.retain(|(v, _)| v != value);
            removed |= table.1.len() != before;
        }
        self.0.retain(|t| !t.1.is_empty());
        removed
    }

    fn forget_before(&mut self, cutoff_ms: f64) {
        for table in &mut self.0 {
            table.1.retain(|(_, a)| a.at_ms >= cutoff_ms);
        }
        self.0.retain(|t| !t.1.is_empty());
    }
}

/// Short-term intent within the current visit.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Session {
    pub start_ms: f64,
    pub tables: Tables,
}

/// A stated preference: `[facet, value, weight, atMs]`, weight in `[-1, 1]`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Stated(
    pub String,
    pub String,
    #[serde(serialize_with = "serialize_round4")] pub f64,
    pub f64,
);

/// A dismissed facet value: `[facet, value, atMs]`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Blocked(pub String, pub String, pub f64);

/// A product id with a time: `[id, atMs]` (recently viewed, dismissed products).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Seen(pub String, pub f64);

/// A cart line: `[id, quantity, unitPrice, atMs]`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CartLine(
    pub String,
    pub u32,
    #[serde(serialize_with = "serialize_round4_opt")] pub Option<f64>,
    pub f64,
);

/// A purchased line: `[id, category, quantity, unitPrice, atMs, consumable]`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Bought(
    pub String,
    pub Option<String>,
    pub u32,
    #[serde(serialize_with = "serialize_round4_opt")] pub Option<f64>,
    pub f64,
    pub bool,
);

/// A recent search: `[query, resultCount, atMs]`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Searched(pub String, pub Option<u32>, pub f64);

/// Preferred price level of a category: `[category, meanLogPrice, weight, atMs]`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PriceLevel(
    pub String,
    #[serde(serialize_with = "serialize_round4")] pub f64,
    #[serde(serialize_with = "serialize_round4")] pub f64,
    pub f64,
);

/// Most used size in a category: `[category, size, count, atMs]`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SizeNote(pub String, pub String, pub u32, pub f64);

/// The counts lifecycle segments need.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct Stats {
    /// Events learned from, ever.
    pub events: u64,
    /// Visits: a pause longer than the session gap starts a new one.
    pub visits: u64,
    pub orders: u64,
    /// Sum of line prices × quantities, in the shop's currency.
    #[serde(serialize_with = "serialize_round4")]
    pub spend: f64,
    pub first_ms: Option<f64>,
    pub last_ms: Option<f64>,
    pub last_order_ms: Option<f64>,
}

/// What Shelfwise has learned about one shopper: the JSON form is the stored profile and
/// the `profile` of an export (schema in the README).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct Profile {
    pub taste: Tables,
    pub session: Session,
    pub stated: Vec<Stated>,
    pub blocked: Vec<Blocked>,
    pub hidden: Vec<Seen>,
    pub price_levels: Vec<PriceLevel>,
    pub sizes: Vec<SizeNote>,
    pub viewed: Vec<Seen>,
    pub cart: Vec<CartLine>,
    pub purchases: Vec<Bought>,
    pub searches: Vec<Searched>,
    pub stats: Stats,
}

/// Price bands follow a 1-2.5-5 progression so labels read naturally ("25-50").
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

/// The `(facet, value, share of the event's weight)` a product carries. Categories give
/// their whole path: the leaf at full weight, each parent at [`ROLLUP`] of its child.
pub fn facet_values(product: &Product) -> Vec<(&str, &str, f64)> {
    let mut values = Vec::new();
    let path: Vec<&str> = product.category_path().collect();
    for (depth, prefix) in path.iter().enumerate() {
        values.push((
            "category",
            *prefix,
            ROLLUP.powi((path.len() - 1 - depth) as i32),
        ));
    }
    if let Some(brand) = &product.brand {
        values.push(("brand", brand.as_str(), 1.0));
    }
    if let Some(price) = product.price {
        values.push(("price_band", price_band(price), 1.0));
    }
    for tag in &product.tags {
        values.push(("tag", tag.as_str(), TAG_SHARE));
    }
    if let Some(color) = &product.color {
        values.push(("color", color.as_str(), 1.0));
    }
    if let Some(size) = &product.size {
        values.push(("size", size.as_str(), 1.0));
    }
    for (facet, value) in &product.facets {
        values.push((facet.as_str(), value.as_str(), 1.0));
    }
    values
}

/// Moves (or inserts) an entry to the front of a newest-first list and caps it.
fn push_front<T>(list: &mut Vec<T>, item: T, same: impl Fn(&T) -> bool, cap: usize) {
    list.retain(|x| !same(x));
    list.insert(0, item);
    list.truncate(cap);
}

impl Profile {
    pub fn is_empty(&self) -> bool {
        *self == Profile::default()
    }

    /// Whether `product` may be learned from at all (sensitive categories never are).
    fn learnable(product: &Product, config: &Config) -> bool {
        !product
            .category
            .as_deref()
            .is_some_and(|c| config.is_sensitive_category(c))
    }

    /// Learns from one validated event. Returns whether anything was learned (events on
    /// sensitive categories or facets are dropped whole).
    pub fn learn(&mut self, event: &Event, config: &Config) -> bool {
        if !event.products().iter().all(|p| Self::learnable(p, config)) {
            return false;
        }
        if let EventData::Preference { facet, value, .. }
        | EventData::NotInterested(Dismissal::Facet { facet, value }) = &event.data
        {
            if config.is_sensitive_facet(facet)
                || (facet == "category" && config.is_sensitive_category(value))
            {
                return false;
            }
        }
        let at = event.at_ms;
        self.start_visit_if_new(at, config);
        let stats = &mut self.stats;
        stats.events = stats.events.saturating_add(1);
        stats.first_ms = Some(stats.first_ms.map_or(at, |f| f.min(at)));
        stats.last_ms = Some(stats.last_ms.map_or(at, |l| l.max(at)));

        match &event.data {
            EventData::Product {
                product,
                quantity,
                dwell_ms,
                ..
            } => {
                // A long look says more than a glance.
                let dwell = match dwell_ms {
                    Some(d) if *d >= 10_000.0 => 1.5,
                    Some(d) if *d < 2_000.0 => 0.5,
                    _ => 1.0,
                };
                self.learn_product(
                    product,
                    config.weights.of(event.kind) * dwell,
                    event.kind,
                    at,
                    config,
                );
                match event.kind {
                    EventKind::View => push_front(
                        &mut self.viewed,
                        Seen(product.id.clone(), at),
                        |s| s.0 == product.id,
                        MAX_VIEWED,
                    ),
                    EventKind::AddToCart => self.add_to_cart(product, *quantity as i64, at),
                    EventKind::RemoveFromCart => self.add_to_cart(product, -(*quantity as i64), at),
                    _ => {}
                }
            }
            EventData::Purchase { items, .. } => {
                for item in items {
                    let p = &item.product;
                    self.learn_product(p, config.weights.purchase, EventKind::Purchase, at, config);
                    self.cart.retain(|line| line.0 != p.id);
                    self.purchases.insert(
                        0,
                        Bought(
                            p.id.clone(),
                            p.category.clone(),
                            item.quantity,
                            item.price,
                            at,
                            p.consumable,
                        ),
                    );
                    self.stats.spend += item.price.unwrap_or(0.0) * f64::from(item.quantity);
                }
                self.purchases.truncate(MAX_PURCHASES);
                self.stats.orders += 1;
                self.stats.last_order_ms = Some(self.stats.last_order_ms.map_or(at, |l| l.max(at)));
            }
            EventData::Search {
                query,
                result_count,
            } => push_front(
                &mut self.searches,
                Searched(query.clone(), *result_count, at),
                |s| s.0.eq_ignore_ascii_case(query),
                MAX_SEARCHES,
            ),
            EventData::Preference {
                facet,
                value,
                weight,
            } => {
                self.stated.retain(|s| !(s.0 == *facet && s.1 == *value));
                if *weight != 0.0 {
                    self.stated
                        .insert(0, Stated(facet.clone(), value.clone(), *weight, at));
                    self.stated.truncate(MAX_STATED);
                }
                self.blocked.retain(|b| !(b.0 == *facet && b.1 == *value));
            }
            EventData::NotInterested(Dismissal::Product(product)) => {
                push_front(
                    &mut self.hidden,
                    Seen(product.id.clone(), at),
                    |s| s.0 == product.id,
                    MAX_HIDDEN,
                );
                self.viewed.retain(|s| s.0 != product.id);
            }
            EventData::NotInterested(Dismissal::Facet { facet, value }) => {
                self.forget(facet, value);
                push_front(
                    &mut self.blocked,
                    Blocked(facet.clone(), value.clone(), at),
                    |b| b.0 == *facet && b.1 == *value,
                    MAX_BLOCKED,
                );
            }
        }
        if self.stats.events % 64 == 0 {
            self.forget_before(at - config.retention_ms());
        }
        self.enforce_size_bound(at, config);
        true
    }

    fn start_visit_if_new(&mut self, at: f64, config: &Config) {
        let new_visit = match self.stats.last_ms {
            None => true,
            Some(last) => at - last > config.session_gap_ms(),
        };
        if new_visit {
            self.stats.visits = self.stats.visits.saturating_add(1);
            self.session = Session {
                start_ms: at,
                tables: Tables::default(),
            };
        }
    }

    fn learn_product(
        &mut self,
        product: &Product,
        weight: f64,
        kind: EventKind,
        at: f64,
        config: &Config,
    ) {
        if weight == 0.0 {
            return;
        }
        let blocked = &self.blocked;
        for (facet, value, share) in facet_values(product) {
            if config.is_sensitive_facet(facet)
                || blocked.iter().any(|b| b.0 == facet && b.1 == value)
            {
                continue;
            }
            let w = weight * share;
            self.taste.add(
                facet,
                value,
                w,
                at,
                config.half_life_ms(),
                kind,
                config.max_values_per_facet,
            );
            self.session.tables.add(
                facet,
                value,
                w,
                at,
                config.session_half_life_ms(),
                kind,
                SESSION_VALUES,
            );
        }
        if weight > 0.0 {
            if let (Some(category), Some(price)) = (&product.category, product.price) {
                self.note_price(category, price, weight, at);
            }
            if let (Some(category), Some(size), true) = (
                &product.category,
                &product.size,
                matches!(kind, EventKind::AddToCart | EventKind::Purchase),
            ) {
                self.note_size(category, size, at);
            }
        }
    }

    /// Running weighted mean of log prices per category (log: "twice as expensive" is
    /// the same step at every price level).
    fn note_price(&mut self, category: &str, price: f64, weight: f64, at: f64) {
        let log_price = (price + 1.0).ln();
        match self.price_levels.iter_mut().find(|l| l.0 == category) {
            Some(level) => {
                let total = level.2 + weight;
                level.1 = (level.1 * level.2 + log_price * weight) / total;
                level.2 = total.min(1e6);
                level.3 = at;
            }
            None => {
                self.price_levels
                    .insert(0, PriceLevel(category.to_owned(), log_price, weight, at));
                self.price_levels.truncate(MAX_CATEGORY_NOTES);
            }
        }
    }

    fn note_size(&mut self, category: &str, size: &str, at: f64) {
        match self
            .sizes
            .iter_mut()
            .find(|s| s.0 == category && s.1 == size)
        {
            Some(note) => {
                note.2 = note.2.saturating_add(1);
                note.3 = at;
            }
            None => {
                self.sizes
                    .insert(0, SizeNote(category.to_owned(), size.to_owned(), 1, at));
                self.sizes.truncate(MAX_CATEGORY_NOTES);
            }
        }
    }

    fn add_to_cart(&mut self, product: &Product, delta: i64, at: f64) {
        match self.cart.iter_mut().position(|l| l.0 == product.id) {
            Some(i) => {
                let quantity = i64::from(self.cart[i].1) + delta;
                if quantity <= 0 {
                    self.cart.remove(i);
                } else {
                    self.cart[i].1 = quantity.min(i64::from(u32::MAX)) as u32;
                    self.cart[i].2 = product.price.or(self.cart[i].2);
                    self.cart[i].3 = at;
                }
            }
            None if delta > 0 => {
                self.cart.insert(
                    0,
                    CartLine(product.id.clone(), delta as u32, product.price, at),
                );
                self.cart.truncate(MAX_CART);
            }
            None => {}
        }
    }

    /// Forgets one facet value everywhere it was learned or stated. Returns whether
    /// anything was removed.
    pub fn forget(&mut self, facet: &str, value: &str) -> bool {
        let mut removed = self.taste.remove(facet, value);
        removed |= self.session.tables.remove(facet, value);
        let before = self.stated.len() + self.blocked.len();
        self.stated.retain(|s| !(s.0 == facet && s.1 == value));
        self.blocked.retain(|b| !(b.0 == facet && b.1 == value));
        removed |= before != self.stated.len() + self.blocked.len();
        if facet == "category" {
            let before = self.price_levels.len() + self.sizes.len();
            self.price_levels.retain(|l| l.0 != value);
            self.sizes.retain(|s| s.0 != value);
            removed |= before != self.price_levels.len() + self.sizes.len();
        }
        removed
    }

    /// Drops evidence older than `cutoff_ms` (the retention period). Stated preferences
    /// and dismissals are the shopper's own words and stay until changed.
    pub fn forget_before(&mut self, cutoff_ms: f64) {
        self.taste.forget_before(cutoff_ms);
        self.session.tables.forget_before(cutoff_ms);
        self.price_levels.retain(|l| l.3 >= cutoff_ms);
        self.sizes.retain(|s| s.3 >= cutoff_ms);
        self.viewed.retain(|s| s.1 >= cutoff_ms);
        self.cart.retain(|l| l.3 >= cutoff_ms);
        self.purchases.retain(|b| b.4 >= cutoff_ms);
        self.searches.retain(|s| s.2 >= cutoff_ms);
    }

    /// An upper estimate of the stored JSON size, cheap enough to check at every event.
    pub fn estimated_bytes(&self) -> usize {
        let text = |s: &str| s.len() * 2 + 3; // worst case: every byte escaped
        let tables = |t: &Tables| -> usize {
            t.0.iter()
                .map(|table| {
                    text(&table.0) + 6 + table.1.iter().map(|(v, _)| text(v) + 48).sum::<usize>()
                })
                .sum()
        };
        tables(&self.taste)
            + tables(&self.session.tables)
            + self
                .stated
                .iter()
                .map(|s| text(&s.0) + text(&s.1) + 40)
                .sum::<usize>()
            + self
                .blocked
                .iter()
                .map(|b| text(&b.0) + text(&b.1) + 24)
                .sum::<usize>()
            + self.hidden.iter().map(|h| text(&h.0) + 20).sum::<usize>()
            + self
                .price_levels
                .iter()
                .map(|l| text(&l.0) + 60)
                .sum::<usize>()
            + self
                .sizes
                .iter()
                .map(|s| text(&s.0) + text(&s.1) + 30)
                .sum::<usize>()
            + self.viewed.iter().map(|s| text(&s.0) + 20).sum::<usize>()
            + self.cart.iter().map(|l| text(&l.0) + 50).sum::<usize>()
            + self
                .purchases
                .iter()
                .map(|b| text(&b.0) + b.1.as_deref().map_or(4, text) + 60)
                .sum::<usize>()
            + self.searches.iter().map(|s| text(&s.0) + 30).sum::<usize>()
            + 400
    }

    /// Keeps the stored form under [`MAX_STORED_BYTES`]: first the weakest long-term
    /// values of the fullest facet, then the oldest list entries.
    fn enforce_size_bound(&mut self, now_ms: f64, config: &Config) {
        let budget = MAX_STORED_BYTES - 1024; // headroom for the envelope around it
        while self.estimated_bytes() > budget {
            if let Some(table) = self
                .taste
                .0
                .iter_mut()
                .max_by_key(|t| t.1.len())
                .filter(|t| t.1.len() > 4)
            {
                let cap = table.1.len() - 1;
                table.prune(cap, now_ms, config.half_life_ms());
            } else if self.hidden.len() > 10 {
                self.hidden.pop();
            } else if self.purchases.len() > 10 {
                self.purchases.pop();
            } else if self.cart.len() > 10 {
                self.cart.pop();
            } else if !self.searches.is_empty() || !self.viewed.is_empty() {
                self.searches.pop();
                self.viewed.pop();
            } else {
                // Only possible with pathological labels: drop session intent.
                self.session.tables = Tables::default();
                break;
            }
        }
    }

    /// Repairs a profile read from storage or an import: drops entries whose numbers or
    /// labels are out of range and re-applies every cap. Returns how many were dropped.
    pub fn sanitize(&mut self, now_ms: f64, config: &Config) -> usize {
        let ok_time = |t: f64| t.is_finite() && t >= 0.0;
        let ok_label = |s: &str| {
            !s.is_empty()
                && s.len() <= super::event::MAX_LABEL_BYTES
                && !s.chars().any(char::is_control)
        };
        let ok_facet = |f: &str| super::event::facet_name(f).is_ok();
        let mut dropped = 0;
        let mut keep = |ok: bool| {
            dropped += usize::from(!ok);
            ok
        };
        for tables in [&mut self.taste, &mut self.session.tables] {
            tables.0.retain(|t| keep(ok_facet(&t.0)));
            tables.0.truncate(MAX_FACETS);
            for table in &mut tables.0 {
                table.1.retain(|(v, a)| {
                    keep(ok_label(v) && a.score.is_finite() && a.score >= 0.0 && ok_time(a.at_ms))
                });
            }
        }
        for table in &mut self.taste.0 {
            table.prune(config.max_values_per_facet, now_ms, config.half_life_ms());
        }
        for table in &mut self.session.tables.0 {
            table.prune(SESSION_VALUES, now_ms, config.session_half_life_ms());
        }
        self.stated.retain(|s| {
            keep(
                ok_facet(&s.0)
                    && ok_label(&s.1)
                    && s.2.is_finite()
                    && (-1.0..=1.0).contains(&s.2)
                    && ok_time(s.3),
            )
        });
        self.blocked
            .retain(|b| keep(ok_facet(&b.0) && ok_label(&b.1) && ok_time(b.2)));
        self.hidden.retain(|h| keep(ok_label(&h.0) && ok_time(h.1)));
        self.viewed.retain(|h| keep(ok_label(&h.0) && ok_time(h.1)));
        self.price_levels.retain(|l| {
            keep(ok_label(&l.0) && l.1.is_finite() && l.2.is_finite() && l.2 > 0.0 && ok_time(l.3))
        });
        self.sizes
            .retain(|s| keep(ok_label(&s.0) && ok_label(&s.1) && ok_time(s.3)));
        self.cart.retain(|l| {
            keep(
                ok_label(&l.0)
                    && l.1 > 0
                    && l.2.is_none_or(|p| p.is_finite() && p >= 0.0)
                    && ok_time(l.3),
            )
        });
        self.purchases.retain(|b| {
            keep(
                ok_label(&b.0)
                    && b.2 > 0
                    && b.3.is_none_or(|p| p.is_finite() && p >= 0.0)
                    && ok_time(b.4),
            )
        });
        self.searches
            .retain(|s| keep(ok_label(&s.0) && ok_time(s.2)));
        let stats = &mut self.stats;
        if !(stats.spend.is_finite() && stats.spend >= 0.0) {
            stats.spend = 0.0;
            dropped += 1;
        }
        for t in [
            &mut stats.first_ms,
            &mut stats.last_ms,
            &mut stats.last_order_ms,
        ] {
            if t.is_some_and(|t| !ok_time(t)) {
                *t = None;
                dropped += 1;
            }
        }
        if !ok_time(self.session.start_ms) {
            self.session = Session::default();
            dropped += 1;
        }
        self.stated.truncate(MAX_STATED);
        self.blocked.truncate(MAX_BLOCKED);
        self.hidden.truncate(MAX_HIDDEN);
        self.viewed.truncate(MAX_VIEWED);
        self.price_levels.truncate(MAX_CATEGORY_NOTES);
        self.sizes.truncate(MAX_CATEGORY_NOTES);
        self.cart.truncate(MAX_CART);
        self.purchases.truncate(MAX_PURCHASES);
        self.searches.truncate(MAX_SEARCHES);
        self.forget_before(now_ms - config.retention_ms());
        self.enforce_size_bound(now_ms, config);
        dropped
    }

    /// Merges another profile into this one (an import): per value the stronger
    /// evidence wins, lists are united newest first, counters take the larger. Merging
    /// the same profile twice changes nothing.
    pub fn merge(&mut self, other: &Profile, now_ms: f64, config: &Config) {
        for (ours, theirs, half_life, cap) in [
            (
                &mut self.taste,
                &other.taste,
                config.half_life_ms(),
                config.max_values_per_facet,
            ),
            (
                &mut self.session.tables,
                &other.session.tables,
                config.session_half_life_ms(),
                SESSION_VALUES,
            ),
        ] {
            for table in &theirs.0 {
                let Some(target) = ours.table(&table.0) else {
                    continue;
                };
                for (value, affinity) in &table.1 {
                    let entry = target.entry(value);
                    if entry.count == 0
                        || affinity.score_at(now_ms, half_life) > entry.score_at(now_ms, half_life)
                    {
                        *entry = *affinity;
                    }
                }
                target.prune(cap, now_ms, half_life);
            }
        }
        // Ours first, then what only they have: no reordering, so importing into an
        // empty profile reproduces the export exactly and importing twice adds nothing.
        fn unite<T: Clone>(
            ours: &mut Vec<T>,
            theirs: &[T],
            same: impl Fn(&T, &T) -> bool,
            cap: usize,
        ) {
            for item in theirs {
                if !ours.iter().any(|o| same(o, item)) {
                    ours.push(item.clone());
                }
            }
            ours.truncate(cap);
        }
        unite(
            &mut self.stated,
            &other.stated,
            |a, b| a.0 == b.0 && a.1 == b.1,
            MAX_STATED,
        );
        unite(
            &mut self.blocked,
            &other.blocked,
            |a, b| a.0 == b.0 && a.1 == b.1,
            MAX_BLOCKED,
        );
        unite(
            &mut self.hidden,
            &other.hidden,
            |a, b| a.0 == b.0,
            MAX_HIDDEN,
        );
        unite(
            &mut self.price_levels,
            &other.price_levels,
            |a, b| a.0 == b.0,
            MAX_CATEGORY_NOTES,
        );
        unite(
            &mut self.sizes,
            &other.sizes,
            |a, b| a.0 == b.0 && a.1 == b.1,
            MAX_CATEGORY_NOTES,
        );
        unite(
            &mut self.viewed,
            &other.viewed,
            |a, b| a.0 == b.0,
            MAX_VIEWED,
        );
        unite(&mut self.cart, &other.cart, |a, b| a.0 == b.0, MAX_CART);
        unite(
            &mut self.purchases,
            &other.purchases,
            |a, b| a.0 == b.0 && a.4 == b.4,
            MAX_PURCHASES,
        );
        unite(
            &mut self.searches,
            &other.searches,
            |a, b| a.0 == b.0,
            MAX_SEARCHES,
        );
        if other.session.start_ms > self.session.start_ms {
            self.session.start_ms = other.session.start_ms;
        }
        let (ours, theirs) = (&mut self.stats, &other.stats);
        ours.events = ours.events.max(theirs.events);
        ours.visits = ours.visits.max(theirs.visits);
        ours.orders = ours.orders.max(theirs.orders);
        ours.spend = ours.spend.max(theirs.spend);
        let min = |a: Option<f64>, b: Option<f64>| match (a, b) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        };
        let max = |a: Option<f64>, b: Option<f64>| match (a, b) {
            (Some(a), Some(b)) => Some(a.max(b)),
            (a, b) => a.or(b),
        };
        ours.first_ms = min(ours.first_ms, theirs.first_ms);
        ours.last_ms = max(ours.last_ms, theirs.last_ms);
        ours.last_order_ms = max(ours.last_order_ms, theirs.last_order_ms);
        self.sanitize(now_ms, config);
    }

    /// The decayed long-term affinity of one facet value (0 when unknown).
    pub fn affinity(&self, facet: &str, value: &str, now_ms: f64, config: &Config) -> f64 {
        self.taste
            .get(facet)
            .and_then(|t| t.get(value))
            .map_or(0.0, |a| a.score_at(now_ms, config.half_life_ms()))
    }

    /// The preferred price level of a category (or its nearest ancestor), as a price.
    pub fn price_level(&self, product: &Product) -> Option<f64> {
        let path: Vec<&str> = product.category_path().collect();
        path.iter()
            .rev()
            .find_map(|c| self.price_levels.iter().find(|l| l.0 == *c))
            .map(|l| l.1.exp() - 1.0)
    }

    /// The size the shopper uses most in a category (or its nearest ancestor).
    pub fn size_for(&self, category: &str) -> Option<&str> {
        let mut best: Option<&SizeNote> = None;
        for note in self.sizes.iter().filter(|s| {
            s.0 == category
                || (category.starts_with(&s.0) && category.as_bytes().get(s.0.len()) == Some(&b'/'))
        }) {
            if best.is_none_or(|b| (note.0.len(), note.2) > (b.0.len(), b.2)) {
                best = Some(note);
            }
        }
        best.map(|n| n.1.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::config::DAY_MS;
    use crate::core::event::EventInput;

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() < 1e-9 * b.abs().max(1.0)
    }

    fn event(json: &str, at: f64) -> Event {
        EventInput::from_json(json, at).unwrap()
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
    fn affinity_is_independent_of_arrival_order_and_never_negative() {
        let hl = 10.0;
        let mut in_order = Affinity::default();
        in_order.add(1.0, 0.0, hl, EventKind::View);
        in_order.add(3.0, 10.0, hl, EventKind::AddToCart);
        let mut late = Affinity::default();
        late.add(3.0, 10.0, hl, EventKind::AddToCart);
        late.add(1.0, 0.0, hl, EventKind::View);
        assert!(close(in_order.score, 3.5), "{}", in_order.score);
        assert!(close(late.score, in_order.score));
        assert_eq!((late.at_ms, late.count), (10.0, 2));
        assert_eq!(late.strongest_kind(), EventKind::AddToCart);
        late.add(-100.0, 11.0, hl, EventKind::RemoveFromCart);
        assert_eq!(late.score, 0.0);
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
    fn categories_roll_up_and_purchases_outweigh_views() {
        let config = Config::default();
        let mut p = Profile::default();
        p.learn(&event(r#"{"type":"view","product":{"id":1,"category":"shoes/running","brand":"Nike","price":120}}"#, 0.0), &config);
        p.learn(
            &event(
                r#"{"type":"purchase","product":{"id":2,"category":"shoes/trail","price":90}}"#,
                0.0,
            ),
            &config,
        );
        assert_eq!(p.affinity("category", "shoes/running", 0.0, &config), 1.0);
        assert_eq!(p.affinity("category", "shoes/trail", 0.0, &config), 5.0);
        assert_eq!(p.affinity("category", "shoes", 0.0, &config), 0.5 + 2.5);
        assert_eq!(p.affinity("brand", "Nike", 0.0, &config), 1.0);
        assert_eq!(p.affinity("price_band", "100-250", 0.0, &config), 1.0);
        assert_eq!(p.stats.orders, 1);
        assert_eq!(p.stats.spend, 90.0);
        assert_eq!(p.purchases[0].0, "2");
        assert_eq!(p.viewed[0].0, "1");
        let level = p
            .price_level(&Product::new("x").with_category("shoes/running"))
            .unwrap();
        assert!((level - 120.0).abs() < 1e-6, "{level}");
    }

    #[test]
    fn visits_sessions_cart_searches_and_sizes_are_kept() {
        let config = Config::default();
        let mut p = Profile::default();
        let hour = 3_600_000.0;
        p.learn(&event(r#"{"type":"add_to_cart","quantity":2,"product":{"id":"a","category":"tops","variant":{"size":"M"}}}"#, 0.0), &config);
        p.learn(
            &event(
                r#"{"type":"remove_from_cart","product":{"id":"a"}}"#,
                60_000.0,
            ),
            &config,
        );
        p.learn(
            &event(
                r#"{"type":"search","query":"Linen shirt","resultCount":3}"#,
                120_000.0,
            ),
            &config,
        );
        p.learn(
            &event(r#"{"type":"search","query":"linen SHIRT"}"#, 180_000.0),
            &config,
        );
        assert_eq!(p.stats.visits, 1);
        assert_eq!(p.cart, [CartLine("a".into(), 1, None, 60_000.0)]);
        assert_eq!(p.searches.len(), 1, "same query, any case, kept once");
        assert_eq!(p.size_for("tops/shirts"), Some("M"));
        assert!(p.session.tables.get("category").is_some());
        p.learn(
            &event(
                r#"{"type":"view","product":{"id":"b","category":"bags"}}"#,
                5.0 * hour,
            ),
            &config,
        );
        assert_eq!(p.stats.visits, 2, "a long pause starts a new visit");
        assert!(
            p.session
                .tables
                .get("category")
                .unwrap()
                .get("tops")
                .is_none(),
            "new session intent"
        );
        assert!(
            p.taste.get("category").unwrap().get("tops").is_some(),
            "long-term taste stays"
        );
    }

    #[test]
    fn sensitive_categories_and_facets_are_never_learned() {
        let config = Config {
            sensitive_categories: vec!["health".into()],
            sensitive_facets: vec!["religion".into()],
            ..Config::default()
        };
        let mut p = Profile::default();
        assert!(!p.learn(
            &event(
                r#"{"type":"view","product":{"id":1,"category":"health/tests"}}"#,
                0.0
            ),
            &config
        ));
        assert!(!p.learn(
            &event(
                r#"{"type":"preference","facet":"religion","value":"x"}"#,
                0.0
            ),
            &config
        ));
        assert!(p.is_empty());
        assert!(p.learn(&event(r#"{"type":"view","product":{"id":2,"category":"books","facets":{"religion":"x","genre":"crime"}}}"#, 0.0), &config));
        assert!(p.taste.get("religion").is_none());
        assert!(p.taste.get("genre").is_some());
    }

    #[test]
    fn dismissals_and_preferences() {
        let config = Config::default();
        let mut p = Profile::default();
        p.learn(
            &event(r#"{"type":"view","product":{"id":1,"brand":"Acme"}}"#, 0.0),
            &config,
        );
        p.learn(
            &event(
                r#"{"type":"not_interested","facet":"brand","value":"Acme"}"#,
                1.0,
            ),
            &config,
        );
        assert!(p.taste.get("brand").is_none(), "dismissed value forgotten");
        p.learn(
            &event(r#"{"type":"view","product":{"id":2,"brand":"Acme"}}"#, 2.0),
            &config,
        );
        assert!(p.taste.get("brand").is_none(), "and not learned again");
        p.learn(
            &event(
                r#"{"type":"preference","facet":"brand","value":"Acme","weight":0.5}"#,
                3.0,
            ),
            &config,
        );
        assert!(p.blocked.is_empty(), "a stated liking lifts the dismissal");
        assert_eq!(p.stated, [Stated("brand".into(), "Acme".into(), 0.5, 3.0)]);
        assert!(p.forget("brand", "Acme"));
        assert!(p.stated.is_empty());
    }

    #[test]
    fn facets_are_capped_and_the_weakest_value_goes() {
        let config = Config {
            max_values_per_facet: 4,
            ..Config::default()
        };
        let mut p = Profile::default();
        for (i, c) in ["a", "b", "c", "d", "e"].iter().enumerate() {
            p.learn(
                &Event::new(
                    EventKind::View,
                    Product::new("p").with_category(*c),
                    i as f64 * DAY_MS,
                ),
                &config,
            );
        }
        let mut kept: Vec<&str> = p
            .taste
            .get("category")
            .unwrap()
            .values()
            .iter()
            .map(|(v, _)| v.as_str())
            .collect();
        kept.sort_unstable();
        assert_eq!(
            kept,
            ["b", "c", "d", "e"],
            "oldest (most decayed) value is forgotten"
        );
    }

    #[test]
    fn retention_forgets_old_evidence() {
        let config = Config::default();
        let mut p = Profile::default();
        p.learn(
            &event(
                r#"{"type":"view","product":{"id":1,"category":"old"}}"#,
                0.0,
            ),
            &config,
        );
        p.forget_before(100.0 * DAY_MS - config.retention_ms());
        assert!(p.taste.get("category").is_none());
        assert!(p.viewed.is_empty());
        assert_eq!(p.stats.events, 1, "counters stay");
    }

    #[test]
    fn sanitize_drops_what_is_out_of_range() {
        let config = Config::default();
        let mut p = Profile::default();
        p.taste.0.push(FacetTable(
            "brand".into(),
            vec![
                (
                    "ok".into(),
                    Affinity {
                        score: 1.0,
                        at_ms: 5.0,
                        count: 1,
                        kinds: 1,
                    },
                ),
                (
                    "nan".into(),
                    Affinity {
                        score: f64::NAN,
                        at_ms: 5.0,
                        count: 1,
                        kinds: 1,
                    },
                ),
                (
                    "".into(),
                    Affinity {
                        score: 1.0,
                        at_ms: 5.0,
                        count: 1,
                        kinds: 1,
                    },
                ),
            ],
        ));
        p.taste.0.push(FacetTable("Bad Facet".into(), Vec::new()));
        p.cart.push(CartLine("x".into(), 0, None, 5.0));
        p.stated
            .push(Stated("style".into(), "minimal".into(), 7.0, 5.0));
        p.stats.spend = f64::INFINITY;
        assert_eq!(p.sanitize(10.0, &config), 6);
        assert_eq!(p.taste.get("brand").unwrap().values().len(), 1);
        assert!(p.cart.is_empty() && p.stated.is_empty());
        assert_eq!(p.stats.spend, 0.0);
    }
}
