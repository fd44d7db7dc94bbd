//! Reranking a shop's product list (a grid, search results, a module's candidates) with
//! the shopper's profile, under the shop's business rules.
//!
//! Scoring: `score = ((1 - strength) * base + strength * personal) * boost`, where
//! - `base` is the shop's own score scaled to `[0, 1]`, or, without one, its position:
//!   `1 / sqrt(position + 1)` (1 for the first product, 0.5 for the fourth), so the top
//!   of the shop's order stays strong while a long tail can still rise;
//! - `personal` is the profile's affinity for the product's facets (scaled by the
//!   profile's confidence), what the shopper stated, and product-level signals: viewed
//!   in this visit (most of all the latest), like what was just viewed, in the cart;
//! - `boost` is the shop's multiplier (above 1 promotes, below 1 buries).
//!
//! Then, in order: products the shopper dismissed and durable goods they just bought go
//! after the rest, out-of-stock products last (or are left out), `diversity` spreads
//! brands and categories, `exploration` gives a few positions to products the shopper
//! has not seen, and pinned products land exactly where the shop put them. Ties keep the
//! shop's order, so the same inputs and profile always give the same order, and
//! `strength = 0` without rules is the shop's order exactly.

use super::catalog::{Catalog, Id, Record, BRAND_FACET, CATEGORY_FACET, NONE, PRICE_BAND_FACET};
use super::error::{at_index, Error, Result};
use super::event::Product;
use super::profile::SESSION_HALF_LIFE_MS;
use super::profile::{decay, facet_values, Snapshot, SIZE};

/// Share of the personal score each built-in facet contributes (they sum to 1), by
/// facet number: category, brand, price band.
pub const FACET_WEIGHTS: [f64; 3] = [0.6, 0.25, 0.15];
/// Weight of the product's other facets together, relative to the built-in ones: when a
/// product has any, the five parts are renormalised to sum to 1.
pub const OTHER_FACETS_WEIGHT: f64 = 0.25;
/// How telling each built-in facet is as a reason shown to the shopper (the brand says
/// most, a price band least); the shop's other facets count [`OTHER_FACETS_REASON`].
/// Multiplied by the value's affinity, the largest names the reason.
/// By facet number: category, brand, price band.
pub const REASON_PRIORITY: [f64; 3] = [0.3, 0.5, 0.15];
pub const OTHER_FACETS_REASON: f64 = 0.4;
/// How much a stated preference of weight 1 adds to the personal score (or, negative,
/// takes from it).
pub const STATED_WEIGHT: f64 = 0.5;
/// How much the product viewed last adds; it halves every [`SESSION_HALF_LIFE_MS`] and
/// falls by [`VIEWED_FALLOFF`] per newer view: shoppers come back to what they were
/// just comparing (the replay in `EVALUATION.md` measures it).
pub const VIEWED_WEIGHT: f64 = 4.0;
pub const VIEWED_FALLOFF: f64 = 0.3;
/// How much "like what you just viewed" adds at most: the [`similarity`] to the most
/// recently viewed candidates ([`MAX_ANCHORS`], falling by [`ANCHOR_FALLOFF`] each).
pub const SIMILAR_WEIGHT: f64 = 1.0;
pub const MAX_ANCHORS: usize = 3;
pub const ANCHOR_FALLOFF: f64 = 0.4;
/// Above this contribution, likeness is the reason shown.
const SIMILAR_REASON: f64 = 0.3;
/// How much a product in the cart adds.
pub const IN_CART_WEIGHT: f64 = 0.3;

pub const DEFAULT_STRENGTH: f64 = 0.5;
/// Durable goods bought within this many days are not shown again first.
pub const DEFAULT_BOUGHT_WITHIN_DAYS: f64 = 30.0;
/// Highest share of positions exploration may take.
pub const MAX_EXPLORATION: f64 = 0.5;
/// Largest multiplier a shop may boost by.
pub const MAX_BOOST: f64 = 1000.0;
/// Exploration picks among this many next unseen products.
const EXPLORATION_POOL: usize = 8;

/// What happens to products the shop marks out of stock.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum OutOfStock {
    /// After every product in stock (default).
    #[default]
    Last,
    /// Left out of the result.
    Hide,
    /// Ranked like any other.
    Keep,
}

impl OutOfStock {
    pub const NAMES: [&'static str; 3] = ["last", "hide", "keep"];

    pub fn from_name(name: &str) -> Option<Self> {
        match name {
            "last" => Some(OutOfStock::Last),
            "hide" => Some(OutOfStock::Hide),
            "keep" => Some(OutOfStock::Keep),
            _ => None,
        }
    }
}

/// The names of [`RankOptions`], in the order [`RankOptions::from_numbers`] reads them.
pub const OPTION_NAMES: [&str; 6] = [
    "strength",
    "diversity",
    "exploration",
    "seed",
    "outOfStock",
    "boughtWithinDays",
];

/// Options of [`rank`], all numbers so the browser passes them as one array.
#[derive(Debug, Clone, PartialEq)]
pub struct RankOptions {
    /// How much the profile may move products, in `[0, 1]`. 0 keeps the shop's order
    /// (with its rules). Default 0.5.
    pub strength: f64,
    /// How strongly to avoid the same brand (and, less, category) twice in a row, in
    /// `[0, 1]`. At 1 one brand never follows itself while another brand is left.
    /// Default 0.
    pub diversity: f64,
    /// Share of positions, in `[0, 0.5]`, given to products the shopper has not viewed,
    /// chosen by `seed`. Default 0.
    pub exploration: f64,
    /// Varies exploration (a whole number from 0 to 2^32 - 1): keep it for one page
    /// view, change it for the next.
    pub seed: f64,
    pub out_of_stock: OutOfStock,
    /// Durable goods (not marked consumable) bought within this many days go after the
    /// rest, in `[0, 3650]`. Default 30; 0 turns it off.
    pub bought_within_days: f64,
}

impl Default for RankOptions {
    fn default() -> Self {
        RankOptions {
            strength: DEFAULT_STRENGTH,
            diversity: 0.0,
            exploration: 0.0,
            seed: 0.0,
            out_of_stock: OutOfStock::Last,
            bought_within_days: DEFAULT_BOUGHT_WITHIN_DAYS,
        }
    }
}

impl RankOptions {
    pub fn with_strength(strength: f64) -> Self {
        RankOptions {
            strength,
            ..RankOptions::default()
        }
    }

    /// Options from numbers in [`OPTION_NAMES`] order, as the browser passes them:
    /// `given` has bit `i` set when option `i` is given; the others keep their default.
    /// `outOfStock` is an index into [`OutOfStock::NAMES`].
    pub fn from_numbers(given: u32, numbers: &[f64]) -> Result<Self> {
        let mut options = RankOptions::default();
        let value = |i: usize| numbers.get(i).copied().filter(|_| given & 1 << i != 0);
        let fields = [
            &mut options.strength,
            &mut options.diversity,
            &mut options.exploration,
            &mut options.seed,
        ];
        for (i, field) in fields.into_iter().enumerate() {
            if let Some(v) = value(i) {
                *field = v;
            }
        }
        if let Some(v) = value(5) {
            options.bought_within_days = v;
        }
        if let Some(v) = value(4) {
            options.out_of_stock = match v {
                0.0 => OutOfStock::Last,
                1.0 => OutOfStock::Hide,
                2.0 => OutOfStock::Keep,
                _ => {
                    return Err(Error::InvalidOptions(
                        "outOfStock must be \"last\", \"hide\" or \"keep\"".into(),
                    ))
                }
            };
        }
        options.validate()?;
        Ok(options)
    }

    /// Checks every numeric option is in its range (all start at 0; the upper bounds
    /// are spelled out too, since formatting a float would add kilobytes to the module).
    pub fn validate(&self) -> Result<()> {
        let checks = [
            (0, self.strength, 1.0, "1"),
            (1, self.diversity, 1.0, "1"),
            (2, self.exploration, MAX_EXPLORATION, "0.5"),
            (3, self.seed, f64::from(u32::MAX), "4294967295"),
            (5, self.bought_within_days, 3650.0, "3650"),
        ];
        for (i, value, max, max_text) in checks {
            if !(value.is_finite() && (0.0..=max).contains(&value)) {
                return Err(Error::InvalidOptions(
                    [OPTION_NAMES[i], " must be a number from 0 to ", max_text].concat(),
                ));
            }
        }
        Ok(())
    }
}

/// One product to rank and what the shop says about it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Candidate<'a> {
    pub product: &'a Product,
    /// The shop's own score (any scale, higher first); without one its position counts.
    pub base: Option<f64>,
    /// The shop's multiplier: above 1 promotes, below 1 buries. 1 by default.
    pub boost: f64,
    /// Where the shop wants it, from 0; it lands exactly there (or last, if the list is
    /// shorter).
    pub pin: Option<u32>,
    pub in_stock: bool,
    /// Bought again and again (coffee, not a sofa): never held back after a purchase.
    pub consumable: bool,
}

impl<'a> Candidate<'a> {
    pub fn new(product: &'a Product) -> Self {
        Candidate {
            product,
            base: None,
            boost: 1.0,
            pin: None,
            in_stock: true,
            consumable: false,
        }
    }

    /// Checks what the shop gave; `index` names the candidate in the error.
    pub fn validate(&self, index: usize) -> Result<()> {
        let score_ok = self.base.is_none_or(f64::is_finite);
        if score_ok && self.boost.is_finite() && (0.0..=MAX_BOOST).contains(&self.boost) {
            return Ok(());
        }
        Err(Error::InvalidProduct(at_index(
            index,
            "score must be a finite number, boost a number from 0 to 1000",
        )))
    }
}

/// Why a product is where it is. The JS face words it (`src/js/words.ts`); the facet
/// value a reason is about comes from [`reason_value`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reason {
    /// The shop's own order decided.
    ShopOrder,
    /// The shop pinned it there.
    Pinned,
    /// The shop promoted it (boost above 1).
    Promoted,
    /// Given a place so the shopper discovers something new.
    Exploration,
    /// Viewed during this visit.
    Viewed,
    /// Like a product viewed during this visit.
    Similar,
    /// Like the product the shopper is looking at (`similar_to`).
    LikeThis,
    InCart,
    /// A value the shopper said they like; the index of the value in `facet_values`.
    Stated(u8),
    /// A learned interest; the index of the value in `facet_values`.
    Interest(u8),
    /// A durable good bought recently: held back.
    BoughtRecently,
    /// The shopper said "not interested".
    NotInterested,
    OutOfStock,
}

impl Reason {
    /// A stable code for the reason, as JavaScript sees it.
    pub fn code(self) -> &'static str {
        match self {
            Reason::ShopOrder => "shop_order",
            Reason::Pinned => "pinned",
            Reason::Promoted => "promoted",
            Reason::Exploration => "exploration",
            Reason::Viewed => "viewed",
            Reason::Similar => "similar",
            Reason::LikeThis => "like_this",
            Reason::InCart => "in_cart",
            Reason::Stated(_) => "stated",
            Reason::Interest(_) => "interest",
            Reason::BoughtRecently => "bought_recently",
            Reason::NotInterested => "not_interested",
            Reason::OutOfStock => "out_of_stock",
        }
    }
}

impl Reason {
    /// Every reason kind in the order of its number (`number() >> 8`).
    pub const KINDS: [Reason; 13] = [
        Reason::ShopOrder,
        Reason::Pinned,
        Reason::Promoted,
        Reason::Exploration,
        Reason::Viewed,
        Reason::Similar,
        Reason::LikeThis,
        Reason::InCart,
        Reason::Stated(0),
        Reason::Interest(0),
        Reason::BoughtRecently,
        Reason::NotInterested,
        Reason::OutOfStock,
    ];

    /// The reason as one number for the browser: its kind times 256 plus the value index.
    pub fn number(self) -> u32 {
        let (kind, value) = match self {
            Reason::Stated(i) => (Reason::Stated(0), i),
            Reason::Interest(i) => (Reason::Interest(0), i),
            other => (other, 0),
        };
        let kind = Reason::KINDS.iter().position(|k| *k == kind).unwrap_or(0);
        (kind as u32) << 8 | u32::from(value)
    }

    /// The reason a [`Reason::number`] stands for.
    pub fn from_number(number: u32) -> Option<Reason> {
        let value = (number & 0xff) as u8;
        match Reason::KINDS.get((number >> 8) as usize)? {
            Reason::Stated(_) => Some(Reason::Stated(value)),
            Reason::Interest(_) => Some(Reason::Interest(value)),
            kind => Some(*kind),
        }
    }
}

/// One ranked product: its position in the input (`index`), final score and main reason.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Ranked {
    pub index: usize,
    pub score: f64,
    pub reason: Reason,
}

/// The shop's score for the product at `index` when it gives only an order.
pub fn position_score(index: usize) -> f64 {
    1.0 / ((index + 1) as f64).sqrt()
}

/// One product to rank as numbers (see [`Record`]) and what the shop says about it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Row {
    pub record: Record,
    pub base: Option<f64>,
    pub boost: f64,
    pub pin: Option<u32>,
    pub in_stock: bool,
    pub consumable: bool,
}

impl Row {
    fn validate(&self, index: usize, catalog: &Catalog, extras: &[Id]) -> Result<()> {
        self.record
            .validate(catalog, extras)
            .map_err(|reason| Error::InvalidProduct(at_index(index, &reason)))?;
        Candidate {
            product: &Product::default(),
            base: self.base,
            boost: self.boost,
            pin: self.pin,
            in_stock: self.in_stock,
            consumable: self.consumable,
        }
        .validate(index)
    }
}

/// One ranked row: its position in the input, final score, main reason, and the facet
/// value a [`Reason::Stated`] or [`Reason::Interest`] is about ([`NONE`] otherwise).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RankedRow {
    pub index: usize,
    pub score: f64,
    pub reason: Reason,
    pub value: Id,
}

/// What the profile says about one product, found once per rank.
#[derive(Debug, Clone, Copy, Default)]
struct Mark {
    /// Position among the recently viewed (newest 0) and when.
    viewed: Option<(u32, f64)>,
    in_cart: bool,
    hidden: bool,
    /// Orders that held it and the latest one's time.
    bought: Option<(u32, f64)>,
}

/// The profile as dense tables over a catalog's ids, built once per rank: scoring a
/// product is then array reads, with no string in sight.
struct Dense {
    /// By value id: the relative affinity, the stated weights' sum and largest one, and
    /// whether one of them is "not interested".
    relative: Vec<f64>,
    stated: Vec<(f64, f64, bool)>,
    /// By product id, sorted.
    marks: Vec<(Id, Mark)>,
    confidence: f64,
    now_ms: f64,
    size_facet: Option<u32>,
}

impl Dense {
    fn new(snapshot: &Snapshot, catalog: &Catalog) -> Dense {
        let mut relative = vec![0.0; catalog.values_len()];
        snapshot.for_each_relative(|facet, value, part| {
            if let Some(id) = catalog.find(facet, value) {
                relative[id as usize] += part;
            }
        });
        let mut stated = Vec::new();
        for (facet, value, weight) in snapshot.stated {
            if let Some(id) = catalog.find(facet, value) {
                if stated.is_empty() {
                    stated = vec![(0.0, f64::NEG_INFINITY, false); catalog.values_len()];
                }
                let entry = &mut stated[id as usize];
                entry.0 += weight;
                entry.1 = entry.1.max(*weight);
                entry.2 |= *weight <= -1.0;
            }
        }
        let mut marks: Vec<(Id, Mark)> = Vec::new();
        let mut mark = |id: &str, set: &mut dyn FnMut(&mut Mark)| {
            if let Some(id) = catalog.find_product(id) {
                marks.push((id, Mark::default()));
                set(&mut marks.last_mut().expect("just pushed").1);
            }
        };
        for (position, (id, at)) in snapshot.viewed.iter().enumerate() {
            mark(id, &mut |m| m.viewed = Some((position as u32, *at)));
        }
        for line in snapshot.cart {
            mark(&line.id, &mut |m| m.in_cart = true);
        }
        for id in snapshot.hidden {
            mark(id, &mut |m| m.hidden = true);
        }
        for p in snapshot.purchases {
            mark(&p.id, &mut |m| m.bought = Some((p.orders, p.last_ms)));
        }
        // One mark per product: the entries merge, the first viewed position kept.
        marks.sort_by_key(|(id, _)| *id);
        marks.dedup_by(|(id, later), (kept_id, kept)| {
            if id != kept_id {
                return false;
            }
            kept.viewed = kept.viewed.or(later.viewed);
            kept.in_cart |= later.in_cart;
            kept.hidden |= later.hidden;
            kept.bought = kept.bought.or(later.bought);
            true
        });
        Dense {
            relative,
            stated,
            marks,
            confidence: snapshot.confidence,
            now_ms: snapshot.now_ms,
            size_facet: catalog.find_facet(SIZE),
        }
    }

    fn mark(&self, key: Id) -> Mark {
        self.marks
            .binary_search_by_key(&key, |(id, _)| *id)
            .map_or(Mark::default(), |i| self.marks[i].1)
    }
}

/// The profile's view of one product.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Personal {
    /// 0 or more: affinity, statements, and having viewed it or put it in the cart.
    score: f64,
    /// What contributed most, and the facet value it is about.
    reason: Reason,
    value: Id,
    /// The shopper said "not interested" to it or to one of its values.
    dismissed: bool,
}

/// A category and its parents, root first (at most four levels).
fn category_chain(category: Id, catalog: &Catalog) -> ([Id; 4], usize) {
    let mut chain = [NONE; 4];
    let mut len = 0;
    let mut at = category;
    while at != NONE && len < chain.len() {
        chain[len] = at;
        len += 1;
        at = catalog.parent(at);
    }
    chain[..len].reverse();
    (chain, len)
}

fn personal_score(
    row: &Row,
    mark: Mark,
    catalog: &Catalog,
    extras: &[Id],
    dense: &Dense,
) -> Personal {
    let record = &row.record;
    let mut dismissed = mark.hidden;
    // Per facet the best value (a category or one of its parents, discounted by level);
    // the shop's other facets count as groups of consecutive values of one facet.
    let mut built_in = [0.0; 3];
    let (mut other_sum, mut others) = (0.0, 0u32);
    let mut current: Option<(u32, f64)> = None;
    let mut best = (0.0, Reason::ShopOrder, NONE);
    let mut stated = 0.0;
    let mut flush = |current: Option<(u32, f64)>, built_in: &mut [f64; 3]| {
        if let Some((facet, score)) = current {
            match built_in.get_mut(facet as usize) {
                Some(slot) => *slot = score,
                None => {
                    other_sum += score;
                    others += 1;
                }
            }
        }
    };
    let mut visit = |facet: u32, id: Id, share: f64, built_in: &mut [f64; 3]| {
        let score = share * dense.relative[id as usize];
        let telling = REASON_PRIORITY
            .get(facet as usize)
            .copied()
            .unwrap_or(OTHER_FACETS_REASON);
        if telling * score > best.0 {
            best = (telling * score, Reason::Interest(0), id);
        }
        if let Some((sum, largest, dismissing)) = dense.stated.get(id as usize) {
            if *largest > f64::NEG_INFINITY {
                stated += sum;
                dismissed |= dismissing;
                if STATED_WEIGHT * largest > best.0 {
                    best = (STATED_WEIGHT * largest, Reason::Stated(0), id);
                }
            }
        }
        match &mut current {
            Some((f, kept)) if *f == facet => *kept = kept.max(score),
            _ => {
                flush(current, built_in);
                current = Some((facet, score));
            }
        }
    };
    let (chain, levels) = category_chain(record.category, catalog);
    for (i, id) in chain[..levels].iter().enumerate() {
        let share = super::profile::ROLLUP.powi((levels - 1 - i) as i32);
        visit(CATEGORY_FACET, *id, share, &mut built_in);
    }
    if record.brand != NONE {
        visit(BRAND_FACET, record.brand, 1.0, &mut built_in);
    }
    if let Some(price) = record.price() {
        visit(PRICE_BAND_FACET, catalog.band(price), 1.0, &mut built_in);
    }
    for id in record.extras(extras) {
        let facet = catalog.value(*id).map_or(NONE, |v| v.facet);
        // Sizes are kept per category, for size suggestions, not as taste.
        if Some(facet) != dense.size_facet {
            visit(facet, *id, 1.0, &mut built_in);
        }
    }
    flush(current, &mut built_in);
    let built_in: f64 = FACET_WEIGHTS.iter().zip(built_in).map(|(w, s)| w * s).sum();
    // The other facets on average, so a product with many tags does not outrank one
    // with few.
    let affinity = if others == 0 {
        built_in
    } else {
        (built_in + OTHER_FACETS_WEIGHT * other_sum / f64::from(others))
            / (1.0 + OTHER_FACETS_WEIGHT)
    };
    let mut personal = dense.confidence * affinity + STATED_WEIGHT * stated;
    if matches!(best.1, Reason::Interest(_)) {
        best.0 *= dense.confidence;
    }
    if let Some((position, at)) = mark.viewed {
        let recency = decay(1.0, at, dense.now_ms, SESSION_HALF_LIFE_MS);
        let viewed = VIEWED_WEIGHT * recency * VIEWED_FALLOFF.powi(position as i32);
        personal += viewed;
        if viewed > best.0 {
            best = (viewed, Reason::Viewed, NONE);
        }
    }
    if mark.in_cart {
        personal += IN_CART_WEIGHT;
        if IN_CART_WEIGHT > best.0 {
            best = (IN_CART_WEIGHT, Reason::InCart, NONE);
        }
    }
    Personal {
        score: personal.max(0.0),
        reason: best.1,
        value: best.2,
        dismissed,
    }
}

/// Deterministic pseudo-random number in `[0, 1)` for exploration.
fn unit(seed: f64, position: usize, salt: u64) -> f64 {
    // SplitMix64 of the three inputs.
    let mut z =
        ((seed as u64) << 32 ^ (position as u64) << 1 ^ salt).wrapping_add(0x9e37_79b9_7f4a_7c15);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^= z >> 31;
    (z >> 11) as f64 / (1u64 << 53) as f64
}

/// A list of rows with the catalog their ids come from.
#[derive(Clone, Copy)]
pub struct Rows<'a> {
    pub rows: &'a [Row],
    pub extras: &'a [Id],
    pub catalog: &'a Catalog,
}

/// Reorders `rows` (given in the shop's order). Without a profile snapshot (no consent,
/// or nothing learned) only the shop's scores and rules apply. `like` ranks by likeness
/// to that record instead of the shop's scores (see [`similar_rows`]).
pub fn rank_rows(
    list: Rows,
    options: &RankOptions,
    snapshot: Option<&Snapshot>,
) -> Result<Vec<RankedRow>> {
    let Rows {
        rows,
        extras,
        catalog,
    } = list;
    options.validate()?;
    for (index, row) in rows.iter().enumerate() {
        row.validate(index, catalog, extras)?;
    }
    let dense = snapshot
        .filter(|_| options.strength > 0.0)
        .map(|s| Dense::new(s, catalog));
    let marks: Vec<Mark> = match &dense {
        Some(dense) => rows.iter().map(|r| dense.mark(r.record.key)).collect(),
        None => Vec::new(),
    };
    // The shop's scores, scaled to [0, 1] over the list.
    let (low, high) = rows
        .iter()
        .filter_map(|r| r.base)
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), b| {
            (lo.min(b), hi.max(b))
        });
    let span = (high - low).max(f64::MIN_POSITIVE);
    // Recently viewed products among the candidates anchor "more like this": per
    // position among the viewed, the first candidate that is that product.
    let mut anchors: Vec<(usize, f64)> = Vec::new();
    if let Some(dense) = &dense {
        let mut first = [usize::MAX; 20];
        for (i, mark) in marks.iter().enumerate() {
            if let Some((position, _)) = mark.viewed {
                // "Not interested" asks for nothing like it.
                if !mark.hidden && (position as usize) < first.len() {
                    let slot = &mut first[position as usize];
                    *slot = (*slot).min(i);
                }
            }
        }
        for (position, i) in first.iter().enumerate().filter(|(_, i)| **i != usize::MAX) {
            let at = marks[*i].viewed.map_or(0.0, |(_, at)| at);
            let recency = decay(1.0, at, dense.now_ms, SESSION_HALF_LIFE_MS);
            anchors.push((*i, recency * ANCHOR_FALLOFF.powi(position as i32)));
            if anchors.len() == MAX_ANCHORS {
                break;
            }
        }
    }
    // (group, ranked): group 0 ranks normally, 1 is held back, 2 is out of stock.
    let mut ranked: Vec<(u8, RankedRow)> = Vec::with_capacity(rows.len());
    for (index, row) in rows.iter().enumerate() {
        let in_stock = row.in_stock || options.out_of_stock == OutOfStock::Keep;
        if !in_stock && options.out_of_stock == OutOfStock::Hide {
            continue;
        }
        let base = row
            .base
            .map_or_else(|| position_score(index), |b| (b - low) / span);
        let (mut group, mut score, mut reason, mut value) = (0, base, Reason::ShopOrder, NONE);
        if let Some(dense) = &dense {
            let mark = marks[index];
            let p = personal_score(row, mark, catalog, extras, dense);
            let (mut personal, mut why) = (p.score, p.reason);
            value = p.value;
            // Products viewed recently score by their own view, not by likeness.
            if mark.viewed.is_none() {
                let like = anchors
                    .iter()
                    .map(|(a, w)| w * similarity_of(&rows[*a].record, &row.record, list))
                    .fold(0.0, f64::max);
                personal += SIMILAR_WEIGHT * like;
                if SIMILAR_WEIGHT * like > SIMILAR_REASON {
                    (why, value) = (Reason::Similar, NONE);
                }
            }
            score = (1.0 - options.strength) * base + options.strength * personal;
            reason = why;
            let bought_recently = !row.consumable
                && mark.bought.is_some_and(|(orders, last_ms)| {
                    orders < 2 && dense.now_ms - last_ms < options.bought_within_days * 86_400_000.0
                });
            if p.dismissed {
                (group, reason, value) = (1, Reason::NotInterested, NONE);
            } else if bought_recently {
                (group, reason, value) = (1, Reason::BoughtRecently, NONE);
            }
        }
        score *= row.boost;
        if row.boost > 1.0 && group == 0 && matches!(reason, Reason::ShopOrder) {
            reason = Reason::Promoted;
        }
        if !in_stock {
            (group, reason, value) = (2, Reason::OutOfStock, NONE);
        }
        ranked.push((
            group,
            RankedRow {
                index,
                score,
                reason,
                value,
            },
        ));
    }
    // Group, then score (highest first), then the shop's order, as one integer key per
    // product: sorting 16-byte keys is three times faster than sorting the rows with a
    // comparator (std's size-optimised sort is a heapsort). Scores are never negative,
    // so their bits order as the numbers do.
    let mut keys: Vec<u128> = ranked
        .iter()
        .enumerate()
        .map(|(at, (group, r))| {
            let bits = if r.score > 0.0 { r.score.to_bits() } else { 0 };
            u128::from(*group) << 96 | u128::from(u64::MAX - bits) << 32 | at as u128
        })
        .collect();
    keys.sort_unstable();
    let mut order: Vec<RankedRow> = keys.iter().map(|k| ranked[*k as u32 as usize].1).collect();
    if options.diversity > 0.0 {
        order = diversify(order, rows, options.diversity);
    }
    if dense.is_some() && options.exploration > 0.0 {
        let viewed = |index: usize| marks[index].viewed.is_some();
        explore(&mut order, &viewed, options);
    }
    pin(&mut order, rows);
    Ok(order)
}

/// Ranks `list` by how much each is like `anchor` (the product on the page),
/// personalized like any list: [`similarity_of`] takes the place of the shop's score
/// (its order breaks ties). The anchor itself is left out.
pub fn similar_rows(
    anchor: &Record,
    list: Rows,
    options: &RankOptions,
    snapshot: Option<&Snapshot>,
) -> Result<Vec<RankedRow>> {
    let scored: Vec<Row> = list
        .rows
        .iter()
        .map(|r| Row {
            base: Some(similarity_of(anchor, &r.record, list)),
            ..*r
        })
        .collect();
    let mut ranked = rank_rows(
        Rows {
            rows: &scored,
            ..list
        },
        options,
        snapshot,
    )?;
    ranked.retain(|r| list.rows[r.index].record.key != anchor.key);
    for r in &mut ranked {
        if r.reason == Reason::ShopOrder {
            r.reason = Reason::LikeThis;
        }
    }
    Ok(ranked)
}

/// Greedy re-selection: each next product is the best by score minus a penalty for
/// sharing the previous product's brand (twice the score span, times `diversity`) or
/// category (a quarter of it). Scores are sorted, so the scan stops as soon as no later
/// product can win.
fn diversify(order: Vec<RankedRow>, rows: &[Row], diversity: f64) -> Vec<RankedRow> {
    let (low, high) = order
        .iter()
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), r| {
            (lo.min(r.score), hi.max(r.score))
        });
    let span = (high - low).max(1e-9) * diversity;
    let mut taken = vec![false; order.len()];
    let mut result = Vec::with_capacity(order.len());
    let mut head = 0;
    let mut previous: Option<&Record> = None;
    let same = |a: Id, b: Id| f64::from(u8::from(a != NONE && a == b));
    while result.len() < order.len() {
        while taken[head] {
            head += 1;
        }
        let mut best: Option<(usize, f64)> = None;
        for (i, candidate) in order.iter().enumerate().skip(head) {
            if taken[i] {
                continue;
            }
            if best.is_some_and(|(_, adjusted)| candidate.score < adjusted) {
                break;
            }
            let record = &rows[candidate.index].record;
            let penalty = previous.map_or(0.0, |p| {
                2.0 * same(p.brand, record.brand) + 0.25 * same(p.category, record.category)
            });
            let adjusted = candidate.score - span * penalty;
            if best.is_none_or(|(_, b)| adjusted > b) {
                best = Some((i, adjusted));
            }
        }
        let Some((i, _)) = best else { break };
        taken[i] = true;
        previous = Some(&rows[order[i].index].record);
        result.push(order[i]);
    }
    result
}

/// Gives about `exploration` of the positions to products the shopper has not viewed,
/// each drawn (by `seed`) from the next few such products.
fn explore(order: &mut [RankedRow], viewed: &dyn Fn(usize) -> bool, options: &RankOptions) {
    // Not viewed, not in the cart, and not held back or out of stock.
    let unseen = |r: &RankedRow| {
        !matches!(
            r.reason,
            Reason::Viewed
                | Reason::InCart
                | Reason::NotInterested
                | Reason::BoughtRecently
                | Reason::OutOfStock
        ) && !viewed(r.index)
    };
    // The first position always stays the best product.
    for position in 1..order.len() {
        if unit(options.seed, position, 0) >= options.exploration {
            continue;
        }
        let later = || (position + 1..order.len()).filter(|&i| unseen(&order[i]));
        let pool = later().take(EXPLORATION_POOL).count();
        let nth = (unit(options.seed, position, 1) * pool as f64) as usize;
        let Some(pick) = later().nth(nth) else { break };
        order[position..=pick].rotate_right(1);
        order[position].reason = Reason::Exploration;
        order[position].value = NONE;
    }
}

/// Moves pinned products to their positions, lowest position first; a pin beyond the
/// end lands last, and of two pins on one position the earlier candidate wins it.
fn pin(order: &mut Vec<RankedRow>, rows: &[Row]) {
    let key = |r: &RankedRow| (rows[r.index].pin, r.index);
    let mut pinned: Vec<RankedRow> = order
        .iter()
        .filter(|r| key(r).0.is_some())
        .copied()
        .collect();
    order.retain(|r| key(r).0.is_none());
    // Lowest position first; pins are few, so a selection rather than a sort.
    let mut next_free = 0;
    while !pinned.is_empty() {
        let first = (1..pinned.len()).fold(0, |best, i| {
            if key(&pinned[i]) < key(&pinned[best]) {
                i
            } else {
                best
            }
        });
        let ranked = pinned.swap_remove(first);
        let at = (key(&ranked).0.unwrap_or(0) as usize)
            .max(next_free)
            .min(order.len());
        order.insert(
            at,
            RankedRow {
                reason: Reason::Pinned,
                value: NONE,
                ..ranked
            },
        );
        next_free = at + 1;
    }
}

/// How alike two products are, in `[0, 1]`: the same brand, a close price (within a
/// factor of two counts, identical counts fully), the same category (or its parent) and
/// shared facet values, each weighted and averaged over what both products have.
pub fn similarity_of(a: &Record, b: &Record, list: Rows) -> f64 {
    let mut total = 0.0;
    let mut weights = 0.0;
    let mut part = |weight: f64, score: Option<f64>| {
        if let Some(score) = score {
            total += weight * score;
            weights += weight;
        }
    };
    let both = |x: Id, y: Id| (x != NONE && y != NONE).then_some((x, y));
    part(
        0.45,
        both(a.brand, b.brand).map(|(x, y)| f64::from(u8::from(x == y))),
    );
    // 1 for the same price, falling linearly with the price ratio to 0 at 0.375 (one
    // price about e times the other).
    part(
        0.35,
        a.price().zip(b.price()).map(|(x, y)| {
            let ratio = x.min(y).max(0.01) / x.max(y).max(0.01);
            (1.6 * ratio - 0.6).max(0.0)
        }),
    );
    part(
        0.2,
        both(a.category, b.category).map(|(x, y)| {
            let parent = list.catalog.parent(x);
            if x == y {
                1.0
            } else if parent != NONE && parent == list.catalog.parent(y) {
                0.5
            } else {
                0.0
            }
        }),
    );
    let (fa, fb) = (a.extras(list.extras), b.extras(list.extras));
    if !fa.is_empty() || !fb.is_empty() {
        let shared = fa.iter().filter(|f| fb.contains(f)).count();
        let union = fa.len() + fb.len() - shared;
        part(0.25, Some(shared as f64 / union.max(1) as f64));
    }
    if weights > 0.0 {
        total / weights
    } else {
        0.0
    }
}

/// Products as rows of a catalog made for them (the Rust API, the offline replay and
/// homepage slots rank products this way; the browser hands rows over directly).
struct Interned {
    catalog: Catalog,
    rows: Vec<Row>,
    extras: Vec<Id>,
}

impl Interned {
    fn new(candidates: &[Candidate]) -> Interned {
        let mut catalog = Catalog::default();
        let mut extras = Vec::new();
        let rows = candidates
            .iter()
            .map(|c| Row {
                record: catalog.record(c.product, &mut extras),
                base: c.base,
                boost: c.boost,
                pin: c.pin,
                in_stock: c.in_stock,
                consumable: c.consumable,
            })
            .collect();
        Interned {
            catalog,
            rows,
            extras,
        }
    }

    fn rows(&self) -> Rows<'_> {
        Rows {
            rows: &self.rows,
            extras: &self.extras,
            catalog: &self.catalog,
        }
    }

    /// A ranked row with its reason's value as an index into the product's
    /// [`facet_values`] (what [`reason_value`] reads).
    fn ranked(&self, r: RankedRow, candidates: &[Candidate]) -> Ranked {
        let index_of = || {
            let (facet, value) = self.catalog.describe(r.value)?;
            let values = facet_values(candidates[r.index].product);
            let at = values
                .iter()
                .position(|(f, v, _)| *f == facet && *v == value)?;
            u8::try_from(at).ok()
        };
        let reason = match r.reason {
            Reason::Stated(_) => Reason::Stated(index_of().unwrap_or(0)),
            Reason::Interest(_) => Reason::Interest(index_of().unwrap_or(0)),
            other => other,
        };
        Ranked {
            index: r.index,
            score: r.score,
            reason,
        }
    }
}

/// Reorders `candidates` (given in the shop's order). Without a profile snapshot (no
/// consent, or nothing learned) only the shop's scores and rules apply.
pub fn rank(
    candidates: &[Candidate],
    options: &RankOptions,
    snapshot: Option<&Snapshot>,
) -> Result<Vec<Ranked>> {
    for (index, candidate) in candidates.iter().enumerate() {
        candidate.validate(index)?;
    }
    let interned = Interned::new(candidates);
    let ranked = rank_rows(interned.rows(), options, snapshot)?;
    Ok(ranked
        .into_iter()
        .map(|r| interned.ranked(r, candidates))
        .collect())
}

/// Ranks `candidates` by how much they are like `anchor` (see [`similar_rows`]).
pub fn similar_to(
    anchor: &Product,
    candidates: &[Candidate],
    options: &RankOptions,
    snapshot: Option<&Snapshot>,
) -> Result<Vec<Ranked>> {
    let mut interned = Interned::new(candidates);
    let mut extras = std::mem::take(&mut interned.extras);
    let anchor = interned.catalog.record(anchor, &mut extras);
    interned.extras = extras;
    let ranked = similar_rows(&anchor, interned.rows(), options, snapshot)?;
    Ok(ranked
        .into_iter()
        .map(|r| interned.ranked(r, candidates))
        .collect())
}

/// How alike two products are (see [`similarity_of`]).
pub fn similarity(a: &Product, b: &Product) -> f64 {
    let candidates = [Candidate::new(a), Candidate::new(b)];
    let interned = Interned::new(&candidates);
    similarity_of(
        &interned.rows[0].record,
        &interned.rows[1].record,
        interned.rows(),
    )
}

/// Plain candidates for products in the shop's order, without scores or rules.
pub fn candidates(products: &[Product]) -> Vec<Candidate<'_>> {
    products.iter().map(Candidate::new).collect()
}

/// The facet value a [`Reason::Stated`] or [`Reason::Interest`] is about (the JS face
/// words reasons: shopper-facing text is localizable there).
pub fn reason_value(product: &Product, reason: Reason) -> Option<(&str, &str)> {
    match reason {
        Reason::Stated(i) | Reason::Interest(i) => facet_values(product)
            .get(usize::from(i))
            .map(|(facet, value, _)| (*facet, *value)),
        _ => None,
    }
}
