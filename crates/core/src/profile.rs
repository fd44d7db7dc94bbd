//! The preference profile: time-decayed affinities per facet value, and what a shop
//! needs besides (cart, purchases, price bands and sizes per category, recent lists,
//! lifecycle counts).
//!
//! Each affinity keeps its score as of the last update (`at_ms`); reading it at any
//! later time applies exponential decay with the configured half-life, so nothing has
//! to be rewritten as time passes and the result does not depend on when it is read.

use super::codec::{codec_fields, Codec};
use super::error::{Error, Result};
use super::event::{valid_currency, valid_facet_name, Event, EventKind, Product, MAX_QUANTITY};
use super::json::{json_fields, object, ToJson};
use super::measure::Counters;

/// One millisecond-based day.
pub const DAY_MS: f64 = 86_400_000.0;

/// Evidence (in event-weight units) at which the profile's confidence reaches one half.
/// Two views of a category count as much as the shop's own order; one view does not.
pub const HALF_CONFIDENCE_EVIDENCE: f64 = 2.0;

/// Facets every product can have. Tags are facet `tag`, variant attributes `size` and
/// `colour`; shops add their own (`style`, `material`...).
pub const CATEGORY: &str = "category";
pub const BRAND: &str = "brand";
pub const PRICE_BAND: &str = "price_band";
pub const TAG: &str = "tag";
pub const SIZE: &str = "size";
pub const COLOUR: &str = "colour";

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
    /// Facets never learned (`"religion"`) and facet values whose products are never
    /// learned from (`"tag:pregnancy"`, `"brand:Acme Pharma"`, `"category:health"`).
    pub sensitive_facets: Vec<String>,
    /// Lifecycle segment thresholds ([`super::insights::Segment`]): visits that make a
    /// shopper returning (default 2), orders that make a customer loyal (default 4), and
    /// days since the last order that put a customer at risk (60) or lapsed (180).
    pub returning_visits: u64,
    pub loyal_orders: u64,
    pub at_risk_days: f64,
    pub lapsed_days: f64,
    /// The modules measurement counts for; empty while the `measurement` purpose is not
    /// granted (the engine keeps this in step with consent).
    pub measured_modules: Vec<String>,
}

/// The options of `Shelfwise.open({ config })`: name, range, and the range as text
/// (formatting floats would add kilobytes to the module). Whole-number options are
/// truncated.
pub const CONFIG_OPTIONS: [(&str, f64, f64, &str); 14] = [
    ("halfLifeDays", 0.01, 3650.0, "0.01 to 3650"),
    ("retentionDays", 1.0, 3650.0, "1 to 3650"),
    ("sessionGapMinutes", 1.0, 1440.0, "1 to 1440"),
    ("maxValuesPerFacet", 4.0, 64.0, "4 to 64"),
    ("weights.view", -100.0, 100.0, "-100 to 100"),
    ("weights.click", -100.0, 100.0, "-100 to 100"),
    ("weights.addToCart", -100.0, 100.0, "-100 to 100"),
    ("weights.removeFromCart", -100.0, 100.0, "-100 to 100"),
    ("weights.purchase", -100.0, 100.0, "-100 to 100"),
    ("weights.wishlist", -100.0, 100.0, "-100 to 100"),
    ("segments.returningVisits", 2.0, 1000.0, "2 to 1000"),
    ("segments.loyalOrders", 2.0, 1000.0, "2 to 1000"),
    ("segments.atRiskDays", 1.0, 3650.0, "1 to 3650"),
    ("segments.lapsedDays", 1.0, 3650.0, "1 to 3650"),
];

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
            sensitive_facets: Vec::new(),
            returning_visits: 2,
            loyal_orders: 4,
            at_risk_days: 60.0,
            lapsed_days: 180.0,
            measured_modules: Vec::new(),
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
            EventKind::Impression => 0.0,
        }
    }

    /// Sets one option by its name in `Shelfwise.open({ config })` (`"halfLifeDays"`,
    /// `"weights.addToCart"`...). Unknown names and values out of range are rejected.
    pub fn set(&mut self, name: &str, value: f64) -> Result<()> {
        match CONFIG_OPTIONS.iter().position(|option| option.0 == name) {
            Some(index) => self.set_index(index, value),
            None => Err(Error::InvalidOptions(
                ["unknown config option \"", name, "\""].concat(),
            )),
        }
    }

    /// Sets the option at `index` of [`CONFIG_OPTIONS`] (the browser passes options by
    /// index); a value out of range is rejected.
    pub fn set_index(&mut self, index: usize, value: f64) -> Result<()> {
        let Some((name, min, max, range)) = CONFIG_OPTIONS.get(index) else {
            return Err(Error::InvalidOptions("unknown config option".into()));
        };
        if !(value.is_finite() && (*min..=*max).contains(&value)) {
            return Err(Error::InvalidOptions(
                ["config ", name, " must be a number from ", range].concat(),
            ));
        }
        let days = value * DAY_MS;
        match index {
            0 => self.half_life_ms = days,
            1 => self.retention_ms = days,
            2 => self.session_gap_ms = value * 60_000.0,
            3 => self.max_values_per_facet = value as usize,
            4 => self.view_weight = value,
            5 => self.click_weight = value,
            6 => self.add_to_cart_weight = value,
            7 => self.remove_from_cart_weight = value,
            8 => self.purchase_weight = value,
            9 => self.wishlist_weight = value,
            10 => self.returning_visits = value as u64,
            11 => self.loyal_orders = value as u64,
            12 => self.at_risk_days = value,
            _ => self.lapsed_days = value,
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

    /// Whether nothing may be learned from a product: it is in a sensitive category or
    /// carries a sensitive facet value (category entries cover everything below them).
    /// `values` are the product's [`facet_values`].
    pub fn excludes(&self, product: &Product, values: &[(&str, &str, f64)]) -> bool {
        product
            .category
            .as_deref()
            .is_some_and(|c| self.is_sensitive(c))
            || values.iter().any(|(facet, value, _)| {
                self.sensitive_facets.iter().any(|entry| {
                    entry.split_once(':').is_some_and(|(f, v)| {
                        f.trim() == *facet && v.trim().eq_ignore_ascii_case(value)
                    })
                })
            })
    }

    /// Whether a facet may be learned at all.
    pub fn learns(&self, facet: &str) -> bool {
        !self
            .sensitive_facets
            .iter()
            .any(|entry| entry.trim() == facet)
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
        self.0.iter().find(|(v, _)| v == value).map(|(_, a)| a)
    }

    /// Adds evidence for `value`, then keeps at most `cap` values.
    fn learn(&mut self, value: &str, weight: f64, at_ms: f64, cap: usize, half_life_ms: f64) {
        let position = match self.0.iter().position(|(v, _)| v == value) {
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
    fn newest(&self) -> f64 {
        self.0.iter().map(|(_, a)| a.at_ms).fold(0.0, f64::max)
    }

    /// Drops entries whose labels or numbers are out of range, then the weakest beyond
    /// `cap`. Returns how many were dropped.
    fn sanitize(&mut self, cap: usize, half_life_ms: f64) -> usize {
        let before = self.len();
        self.0.retain(|(value, a)| {
            valid_label(value) && a.score.is_finite() && a.score >= 0.0 && valid_time(a.at_ms)
        });
        self.prune(cap, self.newest(), half_life_ms);
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
        self.0.iter().find(|(k, _)| k == key).map(|(_, v)| v)
    }

    pub fn is_empty(&self) -> bool {
        self.0.iter().all(|(_, values)| values.is_empty())
    }

    /// Adds evidence for `value` in group `key`. A new group beyond the bound replaces
    /// the one with the oldest evidence.
    fn learn(&mut self, key: &str, value: &str, weight: f64, at_ms: f64, bounds: Bounds) {
        let index = match self.0.iter().position(|(k, _)| k == key) {
            Some(index) => index,
            None => {
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
        };
        let values = &mut self.0[index].1;
        values.learn(value, weight, at_ms, bounds.values, bounds.half_life_ms);
    }

    /// Keeps the values `keep(key, value, affinity)` accepts; drops emptied groups.
    fn retain(&mut self, mut keep: impl FnMut(&str, &str, &Affinity) -> bool) {
        for (key, values) in &mut self.0 {
            values.0.retain(|(value, a)| keep(key, value, a));
        }
        self.0.retain(|(_, values)| !values.is_empty());
    }

    /// Repairs groups read back from storage (`valid_key` checks the keys); returns
    /// how many entries were dropped.
    fn sanitize(&mut self, valid_key: fn(&str) -> bool, bounds: Bounds) -> usize {
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
    fn freeze(&self, now_ms: f64, half_life_ms: f64) -> Vec<(&str, FacetSnapshot<'_>)> {
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

/// One product in the cart, with the time of its latest change.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct CartLine {
    pub id: String,
    pub quantity: u32,
    pub at_ms: f64,
}

codec_fields!(CartLine {
    id,
    quantity,
    at_ms
});

json_fields!(CartLine {
    "id": id,
    "quantity": quantity,
    "atMs": at_ms,
});

/// What the shopper bought of one product: for replenishment (the interval between
/// orders) and for not recommending a durable good just bought.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Purchased {
    pub id: String,
    pub category: Option<String>,
    pub first_ms: f64,
    pub last_ms: f64,
    /// Orders that contained it, and units bought in all.
    pub orders: u32,
    pub units: u32,
}

codec_fields!(Purchased {
    id,
    category,
    first_ms,
    last_ms,
    orders,
    units
});

json_fields!(Purchased {
    "id": id,
    "category": category,
    "firstMs": first_ms,
    "lastMs": last_ms,
    "orders": orders,
    "units": units,
});

impl Purchased {
    /// Records an order at `at_ms` (line items of one order share their time).
    fn add(&mut self, at_ms: f64, units: u32) {
        if at_ms != self.first_ms && at_ms != self.last_ms {
            self.orders = self.orders.saturating_add(1);
        }
        self.first_ms = self.first_ms.min(at_ms);
        self.last_ms = self.last_ms.max(at_ms);
        self.units = self.units.saturating_add(units);
    }
}

/// What Shelfwise has learned about one shopper: stored in the envelope (see
/// [`super::codec`]) and shown in exports (JSON, schema in the README).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Profile {
    /// Long-term taste per facet, decayed with the configured half-life.
    pub taste: Groups,
    /// What the current visit is about: decayed with [`SESSION_HALF_LIFE_MS`] and reset
    /// when a new visit starts.
    pub session: Groups,
    /// Price bands per category (the shopper's price range there).
    pub prices: Groups,
    /// Sizes per category, from what was put in the cart and bought.
    pub sizes: Groups,
    /// Events learned from, ever (for the shopper's overview).
    pub events: u64,
    /// Time of the first and the latest event learned from.
    pub first_ms: Option<f64>,
    pub last_ms: Option<f64>,
    /// Visits (a pause longer than the session gap starts one), orders, the sum of
    /// purchased prices, and the time of the last order: what lifecycle segments need.
    pub visits: u64,
    pub orders: u64,
    pub spend: f64,
    pub last_order_ms: Option<f64>,
    /// The currency of `spend` and the price bands: the first one seen. Prices in
    /// another currency are not learned.
    pub currency: Option<String>,
    /// What the shopper said: `[facet, value, weight]`, weight -1 (not interested) to 1
    /// (likes). Not decayed: the shopper's own words stay until changed.
    pub stated: Vec<(String, String, f64)>,
    /// Products the shopper marked "not interested".
    pub hidden: Vec<String>,
    /// Recently viewed products, newest first: `[id, atMs]`.
    pub viewed: Vec<(String, f64)>,
    /// Recent searches that found something, newest first: `[query, atMs]` (lower case,
    /// single spaces).
    pub searches: Vec<(String, f64)>,
    /// The cart as the shopper left it, most recently changed first.
    pub cart: Vec<CartLine>,
    /// Products bought, most recently bought first.
    pub purchases: Vec<Purchased>,
    /// Homepage slot items shown today: `[id, day, count]`, the day as whole days since
    /// the epoch (UTC), for frequency caps.
    pub impressions: Vec<(String, f64, u32)>,
    /// Measurement counts since the last report (only with the `measurement` purpose).
    pub measured: Counters,
    /// A random id for bucketing (holdout, experiments) when the shop gives none.
    pub unit: Option<String>,
}

codec_fields!(Profile {
    taste,
    session,
    prices,
    sizes,
    events,
    first_ms,
    last_ms,
    visits,
    orders,
    spend,
    last_order_ms,
    currency,
    stated,
    hidden,
    viewed,
    searches,
    cart,
    purchases;
    impressions,
    measured,
    unit
});

json_fields!(Profile {
    "taste": taste,
    "session": session,
    "prices": prices,
    "sizes": sizes,
    "events": events,
    "firstMs": first_ms,
    "lastMs": last_ms,
    "visits": visits,
    "orders": orders,
    "spend": spend,
    "lastOrderMs": last_order_ms,
    "currency": currency,
    "stated": stated,
    "hidden": hidden,
    "viewed": viewed,
    "searches": searches,
    "cart": cart,
    "purchases": purchases,
    "impressions": impressions,
    "measured": measured,
});

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

/// A view with this dwell counts as an ordinary view.
pub const TYPICAL_DWELL_MS: f64 = 10_000.0;

/// How much a view's weight is scaled by its dwell: a bounce counts a fifth of an
/// ordinary view, a long read up to three times.
pub fn dwell_factor(dwell_ms: f64) -> f64 {
    (dwell_ms / TYPICAL_DWELL_MS).clamp(0.2, 3.0)
}

/// Facets a profile learns at most (the built-in ones and the shop's own); a new facet
/// beyond this replaces the one with the oldest evidence.
pub const MAX_FACETS: usize = 12;
/// Session intent decays fast: half its weight in 30 minutes.
pub const SESSION_HALF_LIFE_MS: f64 = 30.0 * 60_000.0;
/// Values of session intent kept per facet.
pub const SESSION_VALUES: usize = 8;
/// Share of session intent in the affinity ranking uses (when the visit has any).
pub const SESSION_SHARE: f64 = 0.35;
/// Categories whose price bands and sizes are kept, and values kept for each.
pub const MAX_CATEGORIES_KEPT: usize = 16;
pub const VALUES_PER_CATEGORY: usize = 4;
/// Recently viewed products kept.
pub const MAX_VIEWED: usize = 20;
/// Recent searches kept.
pub const MAX_SEARCHES: usize = 10;
/// Cart lines and purchased products kept.
pub const MAX_CART: usize = 50;
pub const MAX_PURCHASED: usize = 50;

/// Slot items whose impressions are counted per day.
pub const MAX_IMPRESSIONS: usize = 64;

/// Stated preferences and hidden products kept.
pub const MAX_STATED: usize = 32;
pub const MAX_HIDDEN: usize = 100;

/// Inserts `item` into a list kept newest first by `time`, after any items of the same
/// time, and keeps at most `cap`.
fn insert_newest_first<T>(list: &mut Vec<T>, item: T, time: fn(&T) -> f64, cap: usize) {
    let at = time(&item);
    let index = list.iter().take_while(|other| time(other) > at).count();
    list.insert(index, item);
    list.truncate(cap);
}

/// Keeps the newest `cap` items of a list whose newest items are last.
fn keep_last<T>(list: &mut Vec<T>, cap: usize) {
    let excess = list.len().saturating_sub(cap);
    list.drain(..excess);
}

impl Profile {
    fn taste_bounds(config: &ProfileConfig) -> Bounds {
        Bounds {
            groups: MAX_FACETS,
            values: config.max_values_per_facet,
            half_life_ms: config.half_life_ms,
        }
    }

    const SESSION_BOUNDS: Bounds = Bounds {
        groups: MAX_FACETS,
        values: SESSION_VALUES,
        half_life_ms: SESSION_HALF_LIFE_MS,
    };

    fn category_bounds(config: &ProfileConfig) -> Bounds {
        Bounds {
            groups: MAX_CATEGORIES_KEPT,
            values: VALUES_PER_CATEGORY,
            half_life_ms: config.half_life_ms,
        }
    }

    /// Whether nothing is known: no event, statement, search or learned value.
    pub fn is_empty(&self) -> bool {
        self.events == 0 && self.entries() == 0
    }

    /// How many values, statements and list items the profile holds.
    fn entries(&self) -> usize {
        let groups = [&self.taste, &self.session, &self.prices, &self.sizes];
        let values: usize = groups
            .iter()
            .flat_map(|g| &g.0)
            .map(|(_, values)| values.len())
            .sum();
        values
            + self.stated.len()
            + self.hidden.len()
            + self.viewed.len()
            + self.searches.len()
            + self.cart.len()
            + self.purchases.len()
    }

    /// Repairs a profile read back from storage: drops entries whose labels or numbers
    /// are out of range and re-applies the caps. Returns how many entries were dropped.
    pub fn sanitize(&mut self, config: &ProfileConfig) -> usize {
        let mut dropped = 0;
        dropped += self
            .taste
            .sanitize(valid_facet_name, Self::taste_bounds(config));
        dropped += self
            .session
            .sanitize(valid_facet_name, Self::SESSION_BOUNDS);
        let by_category = Self::category_bounds(config);
        dropped += self.prices.sanitize(valid_label, by_category);
        dropped += self.sizes.sanitize(valid_label, by_category);
        dropped += sanitize_recent(&mut self.viewed, MAX_VIEWED);
        dropped += sanitize_recent(&mut self.searches, MAX_SEARCHES);
        let before = self.stated.len() + self.hidden.len() + self.cart.len();
        let before = before + self.purchases.len();
        self.stated.retain(|(facet, value, weight)| {
            valid_facet_name(facet)
                && valid_label(value)
                && weight.is_finite()
                && (-1.0..=1.0).contains(weight)
        });
        self.hidden.retain(|id| valid_label(id));
        self.impressions
            .retain(|(id, day, _)| valid_label(id) && valid_time(*day));
        self.impressions.truncate(MAX_IMPRESSIONS);
        dropped += self.measured.sanitize(valid_label);
        if self.unit.as_deref().is_some_and(|u| !valid_label(u)) {
            self.unit = None;
            dropped += 1;
        }
        self.cart.retain(|line| {
            valid_label(&line.id)
                && (1..=MAX_QUANTITY).contains(&line.quantity)
                && valid_time(line.at_ms)
        });
        self.purchases.retain(|p| {
            valid_label(&p.id)
                && p.category.as_deref().is_none_or(valid_label)
                && valid_time(p.first_ms)
                && p.first_ms <= p.last_ms
                && p.last_ms.is_finite()
                && p.orders >= 1
        });
        keep_last(&mut self.stated, MAX_STATED);
        keep_last(&mut self.hidden, MAX_HIDDEN);
        self.cart.truncate(MAX_CART);
        self.purchases.truncate(MAX_PURCHASED);
        let after = self.stated.len() + self.hidden.len() + self.cart.len();
        dropped += before - after - self.purchases.len();
        if !(self.spend.is_finite() && self.spend >= 0.0) {
            self.spend = 0.0;
            dropped += 1;
        }
        if self.currency.as_deref().is_some_and(|c| !valid_currency(c)) {
            self.currency = None;
            dropped += 1;
        }
        for time in [
            &mut self.first_ms,
            &mut self.last_ms,
            &mut self.last_order_ms,
            &mut self.measured.since_ms,
        ] {
            if time.is_some_and(|t| !valid_time(t)) {
                *time = None;
                dropped += 1;
            }
        }
        dropped
    }

    /// Forgets one facet value, learned or stated, everywhere it is kept (a category
    /// with its price bands and sizes). Returns whether it was known.
    pub fn forget(&mut self, facet: &str, value: &str) -> bool {
        let before = self.entries();
        let not_it = |f: &str, v: &str| !(f == facet && v == value);
        self.taste.retain(|f, v, _| not_it(f, v));
        self.session.retain(|f, v, _| not_it(f, v));
        self.stated.retain(|(f, v, _)| not_it(f, v));
        match facet {
            CATEGORY => {
                let below = |category: &str| {
                    category == value
                        || category
                            .strip_prefix(value)
                            .is_some_and(|r| r.starts_with('/'))
                };
                self.prices.retain(|category, _, _| !below(category));
                self.sizes.retain(|category, _, _| !below(category));
            }
            PRICE_BAND => self.prices.retain(|_, band, _| band != value),
            SIZE => self.sizes.retain(|_, size, _| size != value),
            _ => {}
        }
        self.entries() != before
    }

    /// Records what the shopper said about a facet value: weight -1 (not interested) to
    /// 1 (likes); 0 takes the statement back. The newest statements are kept.
    pub fn state(&mut self, facet: &str, value: &str, weight: f64) {
        self.stated.retain(|(f, v, _)| !(f == facet && v == value));
        if weight != 0.0 {
            self.stated
                .push((facet.to_owned(), value.to_owned(), weight));
        }
        keep_last(&mut self.stated, MAX_STATED);
    }

    /// Marks a product "not interested": it is ranked last from now on.
    pub fn hide(&mut self, id: &str) {
        self.hidden.retain(|h| h != id);
        self.hidden.push(id.to_owned());
        keep_last(&mut self.hidden, MAX_HIDDEN);
    }

    /// Learns from one validated event; `false` when the product may not be learned
    /// from (a sensitive category or facet value).
    pub fn learn(&mut self, event: &Event, config: &ProfileConfig) -> bool {
        let at = event.at_ms;
        let product = &event.product;
        if event.kind == EventKind::Impression && event.module.is_none() {
            self.note_impression(&product.id, at);
            return true;
        }
        let values = facet_values(product);
        if config.excludes(product, &values) {
            return false;
        }
        if !config.measured_modules.is_empty() {
            self.measured.count(event, &config.measured_modules);
        }
        if event.kind == EventKind::Impression {
            // A module was shown: counted above when measured (else not worth keeping),
            // never taste.
            return event
                .module
                .as_ref()
                .is_some_and(|m| config.measured_modules.contains(m));
        }
        if self
            .last_ms
            .is_none_or(|last| at - last > config.session_gap_ms)
        {
            self.visits = self.visits.saturating_add(1);
            self.session = Groups::default();
        }
        // A price in another currency than the profile's says nothing about its bands.
        if self.currency.is_none() {
            self.currency.clone_from(&product.currency);
        }
        let priced = product.currency.is_none() || product.currency == self.currency;
        let weight = config.weight(event.kind) * event.dwell_ms.map_or(1.0, dwell_factor);
        let taste = Self::taste_bounds(config);
        for (facet, value, share) in values {
            if facet == SIZE || (facet == PRICE_BAND && !priced) || !config.learns(facet) {
                continue;
            }
            self.taste.learn(facet, value, weight * share, at, taste);
            let session = Self::SESSION_BOUNDS;
            self.session
                .learn(facet, value, weight * share, at, session);
        }
        let by_category = Self::category_bounds(config);
        if let Some(category) = product.category.as_deref() {
            if let Some(price) = product
                .price
                .filter(|_| priced && config.learns(PRICE_BAND))
            {
                let band = price_band(price);
                self.prices.learn(category, band, weight, at, by_category);
            }
            // Sizes only from what the shopper would wear: the cart and purchases.
            let sized = matches!(
                event.kind,
                EventKind::AddToCart | EventKind::RemoveFromCart | EventKind::Purchase
            );
            if sized && config.learns(SIZE) {
                for size in product.facet(SIZE) {
                    self.sizes.learn(category, size, weight, at, by_category);
                }
            }
        }
        match event.kind {
            EventKind::View => note_recent(&mut self.viewed, &product.id, at, MAX_VIEWED),
            EventKind::AddToCart | EventKind::RemoveFromCart => self.change_cart(event),
            EventKind::Purchase => self.note_purchase(event, priced),
            _ => {}
        }
        self.events = self.events.saturating_add(1);
        self.first_ms = Some(self.first_ms.map_or(at, |f| f.min(at)));
        self.last_ms = later(self.last_ms, Some(at));
        if self.events % 64 == 0 {
            self.forget_before(at - config.retention_ms);
        }
        true
    }

    /// Adds to or takes from the cart line of the event's product.
    fn change_cart(&mut self, event: &Event) {
        let id = &event.product.id;
        let units = event.units();
        let index = self.cart.iter().position(|line| line.id == *id);
        let mut line = match index {
            Some(i) => self.cart.remove(i),
            None => CartLine {
                id: id.clone(),
                quantity: 0,
                at_ms: event.at_ms,
            },
        };
        line.quantity = if event.kind == EventKind::AddToCart {
            line.quantity.saturating_add(units).min(MAX_QUANTITY)
        } else {
            line.quantity.saturating_sub(units)
        };
        line.at_ms = line.at_ms.max(event.at_ms);
        if line.quantity > 0 {
            insert_newest_first(&mut self.cart, line, |l| l.at_ms, MAX_CART);
        }
    }

    /// Counts an order (line items of one order share their time), its spend, and the
    /// product in the purchases; a bought product leaves the cart.
    fn note_purchase(&mut self, event: &Event, priced: bool) {
        let (product, at, units) = (&event.product, event.at_ms, event.units());
        if self.last_order_ms != Some(at) {
            self.orders = self.orders.saturating_add(1);
        }
        if priced {
            self.spend += product.price.unwrap_or(0.0) * f64::from(units);
        }
        self.last_order_ms = later(self.last_order_ms, Some(at));
        self.cart.retain(|line| line.id != product.id);
        let mut bought = match self.purchases.iter().position(|p| p.id == product.id) {
            Some(i) => self.purchases.remove(i),
            None => Purchased {
                id: product.id.clone(),
                category: None,
                first_ms: at,
                last_ms: at,
                orders: 1,
                units: 0,
            },
        };
        bought.add(at, units);
        bought.category.clone_from(&product.category);
        insert_newest_first(&mut self.purchases, bought, |p| p.last_ms, MAX_PURCHASED);
    }

    /// Counts one impression of a slot item today; older days are dropped.
    fn note_impression(&mut self, id: &str, at_ms: f64) {
        let day = (at_ms / DAY_MS).floor();
        self.impressions.retain(|(_, d, _)| *d >= day);
        match self
            .impressions
            .iter_mut()
            .find(|(i, d, _)| i == id && *d == day)
        {
            Some((_, _, count)) => *count = count.saturating_add(1),
            None => self.impressions.push((id.to_owned(), day, 1)),
        }
        keep_last(&mut self.impressions, MAX_IMPRESSIONS);
    }

    /// How often the slot item `id` was shown on the day of `now_ms`.
    pub fn impressions_on(&self, id: &str, now_ms: f64) -> u32 {
        let day = (now_ms / DAY_MS).floor();
        self.impressions
            .iter()
            .find(|(i, d, _)| i == id && *d == day)
            .map_or(0, |(_, _, count)| *count)
    }

    /// Records a search in the recent searches.
    pub fn note_search(&mut self, query: &str, at_ms: f64) {
        note_recent(&mut self.searches, query, at_ms, MAX_SEARCHES);
    }

    /// Forgets evidence older than `cutoff_ms` (the retention period).
    pub fn forget_before(&mut self, cutoff_ms: f64) {
        let recent = |_: &str, _: &str, a: &Affinity| a.at_ms >= cutoff_ms;
        self.taste.retain(recent);
        self.prices.retain(recent);
        self.sizes.retain(recent);
        self.viewed.retain(|(_, at)| *at >= cutoff_ms);
        self.searches.retain(|(_, at)| *at >= cutoff_ms);
        self.cart.retain(|line| line.at_ms >= cutoff_ms);
        self.purchases.retain(|p| p.last_ms >= cutoff_ms);
    }

    /// The decayed affinity of one facet value (0 when unknown).
    pub fn affinity(&self, facet: &str, value: &str, now_ms: f64, config: &ProfileConfig) -> f64 {
        self.taste
            .get(facet)
            .and_then(|values| values.get(value))
            .map_or(0.0, |a| a.score_at(now_ms, config.half_life_ms))
    }

    /// A read-only snapshot for scoring many products at one instant.
    pub fn snapshot(&self, now_ms: f64, config: &ProfileConfig) -> Snapshot<'_> {
        let facets = self.taste.freeze(now_ms, config.half_life_ms);
        let session = self.session.freeze(now_ms, SESSION_HALF_LIFE_MS);
        let evidence = facets
            .iter()
            .map(|(_, f)| f.scores.iter().map(|s| s.1).sum::<f64>())
            .fold(0.0, f64::max);
        let session_share = if session.iter().any(|(_, f)| f.max > 0.0) {
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
            viewed: &self.viewed,
            cart: &self.cart,
            purchases: &self.purchases,
            now_ms,
            confidence: evidence / (evidence + HALF_CONFIDENCE_EVIDENCE),
        }
    }

    /// The strongest interests per facet, strongest first, in the shopper's overview
    /// (the JS face words them: shopper-facing text is localizable there).
    pub fn summary(&self, now_ms: f64, config: &ProfileConfig, per_facet: usize) -> Summary {
        let snapshot = self.snapshot(now_ms, config);
        let mut interests = Vec::new();
        for (facet, facet_snapshot) in &snapshot.facets {
            let mut ranked: Vec<Interest> = facet_snapshot
                .scores
                .iter()
                .filter(|(_, score, _, _)| *score > 0.0)
                .map(|(value, score, count, at)| {
                    let strength = score / facet_snapshot.max;
                    Interest {
                        facet: (*facet).to_owned(),
                        value: (*value).to_owned(),
                        strength,
                        evidence: *count,
                        last_ms: *at,
                    }
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
            cart: self.cart.clone(),
            purchases: self.purchases.clone(),
            currency: self.currency.clone(),
            events: self.events,
            visits: self.visits,
            orders: self.orders,
            spend: self.spend,
            confidence: snapshot.confidence,
            first_ms: self.first_ms,
            last_ms: self.last_ms,
            last_order_ms: self.last_order_ms,
            interests,
            insights: self.insights(now_ms, config),
        }
    }
}

fn later(a: Option<f64>, b: Option<f64>) -> Option<f64> {
    match (a, b) {
        (Some(a), Some(b)) => Some(a.max(b)),
        (a, b) => a.or(b),
    }
}

#[derive(Debug, Clone, PartialEq)]
struct FacetSnapshot<'a> {
    /// `(value, score, count, at_ms)`.
    scores: Vec<(&'a str, f64, u32, f64)>,
    max: f64,
}

/// Decayed affinities frozen at one instant, normalised per facet.
#[derive(Debug, Clone, PartialEq)]
pub struct Snapshot<'a> {
    facets: Vec<(&'a str, FacetSnapshot<'a>)>,
    session: Vec<(&'a str, FacetSnapshot<'a>)>,
    session_share: f64,
    /// What the shopper said, and the products they hid.
    pub stated: &'a [(String, String, f64)],
    pub hidden: &'a [String],
    /// Recently viewed products, the cart and purchases, for product-level signals.
    pub viewed: &'a [(String, f64)],
    pub cart: &'a [CartLine],
    pub purchases: &'a [Purchased],
    /// The instant the snapshot is frozen at.
    pub now_ms: f64,
    /// How much evidence the profile holds, in `[0, 1)`: `E / (E + 2)` with `E` the
    /// largest total decayed weight of any facet.
    pub confidence: f64,
}

impl Snapshot<'_> {
    /// Every learned value with its [`Snapshot::relative`] share from long-term taste
    /// and from this visit; a value in both is given twice, and its parts add up.
    pub fn for_each_relative(&self, mut part: impl FnMut(&str, &str, f64)) {
        let shares = [
            (&self.facets, 1.0 - self.session_share),
            (&self.session, self.session_share),
        ];
        for (facets, share) in shares {
            for (facet, snapshot) in facets.iter().filter(|(_, f)| f.max > 0.0) {
                for (value, score, _, _) in &snapshot.scores {
                    part(facet, value, share * score / snapshot.max);
                }
            }
        }
    }

    /// The value's affinity relative to the strongest value of its facet, in `[0, 1]`.
    pub fn relative(&self, facet: &str, value: &str) -> f64 {
        let of = |facets: &[(&str, FacetSnapshot)]| {
            let Some((_, facet)) = facets.iter().find(|(f, _)| *f == facet) else {
                return 0.0;
            };
            if facet.max <= 0.0 {
                return 0.0;
            }
            facet
                .scores
                .iter()
                .find(|(v, _, _, _)| *v == value)
                .map_or(0.0, |(_, score, _, _)| score / facet.max)
        };
        // Long-term taste blended with what this visit is about.
        (1.0 - self.session_share) * of(&self.facets) + self.session_share * of(&self.session)
    }
}

/// The shopper-facing overview of a profile.
#[derive(Debug, Clone, PartialEq)]
pub struct Summary {
    /// Recently viewed product ids, newest first.
    pub recently_viewed: Vec<String>,
    /// Recent searches, newest first.
    pub recent_searches: Vec<String>,
    /// Stated preferences: `[facet, value, weight]`, -1 meaning "not interested".
    pub stated: Vec<(String, String, f64)>,
    pub hidden_products: Vec<String>,
    /// The cart as the shopper left it, most recently changed first.
    pub cart: Vec<CartLine>,
    pub purchases: Vec<Purchased>,
    pub currency: Option<String>,
    pub events: u64,
    pub visits: u64,
    pub orders: u64,
    pub spend: f64,
    pub confidence: f64,
    pub first_ms: Option<f64>,
    pub last_ms: Option<f64>,
    pub last_order_ms: Option<f64>,
    pub interests: Vec<Interest>,
    /// Segment, RFM, price sensitivity and the modules' inputs.
    pub insights: super::insights::Insights,
}

/// One learned interest: its value in plain words, strength and the evidence behind it.
#[derive(Debug, Clone, PartialEq)]
pub struct Interest {
    pub facet: String,
    pub value: String,
    /// Relative to the strongest value of the same facet, in `(0, 1]`.
    pub strength: f64,
    /// Events behind it, and the time of the latest.
    pub evidence: u32,
    pub last_ms: f64,
}

json_fields!(Summary {
    "recentlyViewed": recently_viewed,
    "recentSearches": recent_searches,
    "stated": stated,
    "hiddenProducts": hidden_products,
    "cart": cart,
    "purchases": purchases,
    "currency": currency,
    "events": events,
    "visits": visits,
    "orders": orders,
    "spend": spend,
    "confidence": confidence,
    "firstMs": first_ms,
    "lastMs": last_ms,
    "lastOrderMs": last_order_ms,
    "interests": interests,
    "insights": insights,
});

json_fields!(Interest {
    "facet": facet,
    "value": value,
    "strength": strength,
    "evidence": evidence,
    "lastMs": last_ms,
});

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
        assert_eq!(profile.affinity(CATEGORY, "laptops", 0.0, &config), 5.0);
        assert_eq!(profile.affinity(CATEGORY, "smartphones", 0.0, &config), 1.0);
        assert_eq!(profile.affinity(BRAND, "Apple", 0.0, &config), 5.0);
        assert_eq!(profile.affinity(PRICE_BAND, "1000-2500", 0.0, &config), 5.0);
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
            .get(CATEGORY)
            .unwrap()
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
            p.affinity(CATEGORY, "shoes/running/trail", 0.0, &config),
            5.0
        );
        assert_eq!(p.affinity(CATEGORY, "shoes/running", 0.0, &config), 2.5);
        assert_eq!(p.affinity(CATEGORY, "shoes", 0.0, &config), 1.25);
    }

    #[test]
    fn every_product_event_type_has_its_weight_and_removal_never_goes_negative() {
        let config = ProfileConfig::default();
        let mut p = Profile::default();
        let product = || Product::new("1").with_brand("Acme");
        for kind in [EventKind::Click, EventKind::Wishlist] {
            learn(&mut p, kind, product(), 0.0, &config);
        }
        assert_eq!(p.affinity(BRAND, "Acme", 0.0, &config), 4.0);
        for _ in 0..10 {
            learn(&mut p, EventKind::RemoveFromCart, product(), 0.0, &config);
        }
        assert_eq!(p.affinity(BRAND, "Acme", 0.0, &config), 0.0);
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
            p.taste.get(CATEGORY).unwrap().get("old").is_none(),
            "forgotten after 90 days"
        );
        assert!(p.taste.get(CATEGORY).unwrap().get("new").is_some());
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
            p.session.get(CATEGORY).unwrap().get("tops").is_none(),
            "a new visit starts a new intent"
        );
        assert!(p.session.get(CATEGORY).unwrap().get("shoes").is_some());
        assert!(
            p.taste.get(CATEGORY).unwrap().get("tops").is_some(),
            "long-term taste stays"
        );
        // Long-term, tops lead by far; this visit is about shoes, which narrows the gap.
        let snapshot = p.snapshot(10.0 * hour, &config);
        let blended = snapshot.relative(CATEGORY, "shoes");
        let long_term = p.affinity(CATEGORY, "shoes", 10.0 * hour, &config)
            / p.affinity(CATEGORY, "tops", 10.0 * hour, &config);
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
