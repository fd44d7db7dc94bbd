//! The preference profile: time-decayed affinities per facet value, and what a shop
//! needs besides (cart, purchases, price bands and sizes per category, recent lists,
//! lifecycle counts).
//!
//! Each affinity keeps its score as of the last update (`at_ms`); reading it at any
//! later time applies exponential decay with the configured half-life, so nothing has
//! to be rewritten as time passes and the result does not depend on when it is read.
//!
//! By concern: `config` (the shop's learning parameters), `affinity` (decay, facet
//! values and their bounded groups), `learning` (what an event teaches), `edits` (the
//! shopper's own changes and retention), `snapshot` (frozen views for ranking and the
//! summary). This file holds the profile's records and their repair.

mod affinity;
mod config;
mod edits;
mod learning;
mod merge;
mod snapshot;
#[cfg(test)]
mod tests;

pub use affinity::*;
pub use config::*;
pub use merge::*;
pub use snapshot::*;

use crate::codec::{codec_fields, Codec};
use crate::error::{Error, Result};
use crate::event::{valid_currency, valid_facet_name, Event, EventKind, Product, MAX_QUANTITY};
use crate::json::{object, shape, ToJson};
use crate::measure::Counters;

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

shape! {
    /// A product in the cart, with the time of its latest change.
    #[derive(Debug, Clone, PartialEq, Default)]
    pub struct CartLine as "CartLine", stored {
        pub id: String => "id": "string",
        pub quantity: u32 => "quantity": "number",
        pub at_ms: f64 => "atMs": "number",
    }
}

shape! {
    /// What the shopper bought of one product (for replenishment and for not pushing it again).
    #[derive(Debug, Clone, PartialEq, Default)]
    pub struct Purchased as "Purchased", stored {
        pub id: String => "id": "string",
        pub category: Option<String> => "category": "string | null",
        pub first_ms: f64 => "firstMs": "number",
        pub last_ms: f64 => "lastMs": "number",
        /// Orders that contained it, and units bought in all.
        pub orders: u32 => "orders": "number",
        pub units: u32 => "units": "number",
    }
}

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
    /// What the latest products learned from taught, oldest first: so forgetting a value
    /// also takes back what the same products taught through their other values.
    pub taught: Vec<Taught>,
    /// This device's name among the devices whose profiles were merged (random, made at
    /// the first export or merge), and what each other device contributed (see `merge`).
    pub origin: Option<u64>,
    pub peers: Vec<Peer>,
    /// When the shopper decided things, newest first, so that the latest decision wins
    /// a merge.
    pub decided: Vec<Decision>,
    /// What this device learned for federated training since its last contribution,
    /// and the contributions it made (only with the `measurement` purpose).
    pub learning: crate::federated::Learning,
}

/// What one product taught: the facet values it carries, how many events came from it,
/// and when the latest did.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Taught {
    pub id: String,
    pub values: Vec<(String, String)>,
    pub events: u32,
    pub at_ms: f64,
}

codec_fields!(Taught {
    id,
    values,
    events,
    at_ms
});

/// Products whose events are kept (for the ranking model's repeat features), and of
/// those the newest whose values are kept too (for forgetting: each costs up to a few
/// hundred bytes of storage, and the stored profile stays under 32 KB).
pub const MAX_TAUGHT: usize = 50;
pub const MAX_TAUGHT_VALUES: usize = MAX_VIEWED;

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
    unit,
    taught,
    origin,
    peers,
    decided,
    learning
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
    // An item seen again keeps its string: only a new one allocates.
    let text = match list.iter().position(|(v, _)| same(v, item)) {
        Some(i) if list[i].1 > at_ms => return,
        Some(i) => list.remove(i).0,
        None => item.to_owned(),
    };
    // An insertion keeps the order without pulling a sort into the module.
    let index = list.iter().take_while(|(_, t)| *t > at_ms).count();
    list.insert(index, (text, at_ms));
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

/// Decayed evidence at which an interest shows half strength in the summary: about three
/// ordinary views.
pub const HALF_STRENGTH_EVIDENCE: f64 = 3.0;

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

    /// How many of the shopper's actions taught `facet` = `value` (0: not learned).
    pub fn evidence(&self, facet: &str, value: &str) -> u32 {
        self.learned(facet, value)
            .map_or(0, |affinity| affinity.count)
    }

    /// The long-term affinity learned for `facet` = `value`, if any.
    pub fn learned(&self, facet: &str, value: &str) -> Option<&Affinity> {
        self.taste.get(facet).and_then(|values| values.get(value))
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
        let taught = self.taught.len();
        self.taught.retain(|t| {
            valid_label(&t.id)
                && t.events >= 1
                && valid_time(t.at_ms)
                && t.values
                    .iter()
                    .all(|(facet, value)| valid_facet_name(facet) && valid_label(value))
        });
        keep_last(&mut self.taught, MAX_TAUGHT);
        dropped += taught - self.taught.len();
        self.impressions
            .retain(|(id, day, _)| valid_label(id) && valid_time(*day));
        self.impressions.truncate(MAX_IMPRESSIONS);
        dropped += self.measured.sanitize(valid_label);
        dropped += self.learning.sanitize();
        dropped += self.sanitize_merge(config);
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
}
