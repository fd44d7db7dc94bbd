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

use super::error::{at_index, Error, Result};
use super::event::Product;
use super::profile::SESSION_HALF_LIFE_MS;
use super::profile::{decay, facet_values, Snapshot, BRAND, CATEGORY, PRICE_BAND, SIZE};

/// Share of the personal score each built-in facet contributes (they sum to 1).
pub const FACET_WEIGHTS: [(&str, f64); 3] = [(CATEGORY, 0.6), (BRAND, 0.25), (PRICE_BAND, 0.15)];
/// Weight of the product's other facets together, relative to the built-in ones: when a
/// product has any, the five parts are renormalised to sum to 1.
pub const OTHER_FACETS_WEIGHT: f64 = 0.25;
/// How telling each built-in facet is as a reason shown to the shopper (the brand says
/// most, a price band least); the shop's other facets count [`OTHER_FACETS_REASON`].
/// Multiplied by the value's affinity, the largest names the reason.
pub const REASON_PRIORITY: [(&str, f64); 3] = [(BRAND, 0.5), (CATEGORY, 0.3), (PRICE_BAND, 0.15)];
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

/// Ranks `candidates` by how much they are like `anchor` (the product on the page),
/// personalized like any list: [`similarity`] takes the place of the shop's score (its
/// order breaks ties). The anchor itself is left out. Indexes refer to `candidates`.
pub fn similar_to(
    anchor: &Product,
    candidates: &[Candidate],
    options: &RankOptions,
    snapshot: Option<&Snapshot>,
) -> Result<Vec<Ranked>> {
    let scored: Vec<Candidate> = candidates
        .iter()
        .map(|c| Candidate {
            base: Some(similarity(anchor, c.product)),
            ..*c
        })
        .collect();
    let mut ranked = rank(&scored, options, snapshot)?;
    ranked.retain(|r| candidates[r.index].product.id != anchor.id);
    for r in &mut ranked {
        if r.reason == Reason::ShopOrder {
            r.reason = Reason::LikeThis;
        }
    }
    Ok(ranked)
}

/// Plain candidates for products in the shop's order, without scores or rules.
pub fn candidates(products: &[Product]) -> Vec<Candidate<'_>> {
    products.iter().map(Candidate::new).collect()
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

/// The profile's view of one product (see [`Personal`]).
pub fn personal_score(product: &Product, snapshot: &Snapshot) -> Personal {
    let values = facet_values(product);
    // "Not interested" in the product, or in one of its values.
    let mut dismissed = snapshot.hidden.contains(&product.id);
    // Per facet the best value (a category or one of its parents, discounted by level);
    // facet values arrive grouped by facet.
    let mut built_in = [0.0; 3];
    let (mut other_sum, mut others) = (0.0, 0u32);
    let mut current: Option<(&str, f64)> = None;
    let mut best_reason = (0.0, Reason::ShopOrder);
    let mut stated = 0.0;
    let mut flush = |current: Option<(&str, f64)>, built_in: &mut [f64; 3]| {
        if let Some((facet, score)) = current {
            match FACET_WEIGHTS.iter().position(|(f, _)| *f == facet) {
                Some(i) => built_in[i] = score,
                None => {
                    other_sum += score;
                    others += 1;
                }
            }
        }
    };
    for (index, (facet, value, share)) in values.iter().enumerate() {
        // Sizes are kept per category, for size suggestions, not as taste.
        if *facet == SIZE {
            continue;
        }
        let score = share * snapshot.relative(facet, value);
        let telling = REASON_PRIORITY
            .iter()
            .find(|(f, _)| f == facet)
            .map_or(OTHER_FACETS_REASON, |(_, w)| *w);
        if telling * score > best_reason.0 {
            best_reason = (telling * score, Reason::Interest(index as u8));
        }
        for (f, v, w) in snapshot.stated {
            if f == facet && v == value {
                stated += w;
                if *w <= -1.0 {
                    dismissed = true;
                }
                if STATED_WEIGHT * w > best_reason.0 {
                    best_reason = (STATED_WEIGHT * w, Reason::Stated(index as u8));
                }
            }
        }
        match &mut current {
            Some((f, best)) if f == facet => *best = best.max(score),
            _ => {
                flush(current, &mut built_in);
                current = Some((facet, score));
            }
        }
    }
    flush(current, &mut built_in);
    let built_in: f64 = FACET_WEIGHTS
        .iter()
        .zip(built_in)
        .map(|((_, w), score)| w * score)
        .sum();
    // The other facets on average, so a product with many tags does not outrank one
    // with few.
    let affinity = if others == 0 {
        built_in
    } else {
        (built_in + OTHER_FACETS_WEIGHT * other_sum / f64::from(others))
            / (1.0 + OTHER_FACETS_WEIGHT)
    };
    let mut personal = snapshot.confidence * affinity + STATED_WEIGHT * stated;
    if best_reason.1 != Reason::ShopOrder && !matches!(best_reason.1, Reason::Stated(_)) {
        best_reason.0 *= snapshot.confidence;
    }
    let id = product.id.as_str();
    if let Some(position) = snapshot.viewed.iter().position(|(v, _)| v == id) {
        let at = snapshot.viewed[position].1;
        let recency = decay(1.0, at, snapshot.now_ms, SESSION_HALF_LIFE_MS);
        let viewed = VIEWED_WEIGHT * recency * VIEWED_FALLOFF.powi(position as i32);
        personal += viewed;
        if viewed > best_reason.0 {
            best_reason = (viewed, Reason::Viewed);
        }
    }
    if snapshot.cart.iter().any(|line| line.id == id) {
        personal += IN_CART_WEIGHT;
        if IN_CART_WEIGHT > best_reason.0 {
            best_reason = (IN_CART_WEIGHT, Reason::InCart);
        }
    }
    Personal {
        score: personal.max(0.0),
        reason: best_reason.1,
        dismissed,
    }
}

/// The profile's view of one product.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Personal {
    /// 0 or more: affinity, statements, and having viewed it or put it in the cart.
    pub score: f64,
    /// What contributed most.
    pub reason: Reason,
    /// The shopper said "not interested" to it or to one of its values.
    pub dismissed: bool,
}

/// Whether a durable good was bought within the window (a product bought in two
/// orders or more is a consumable whatever the shop says).
fn bought_recently(candidate: &Candidate, snapshot: &Snapshot, within_days: f64) -> bool {
    !candidate.consumable
        && snapshot.purchases.iter().any(|p| {
            p.id == candidate.product.id
                && p.orders < 2
                && snapshot.now_ms - p.last_ms < within_days * 86_400_000.0
        })
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

/// Reorders `candidates` (given in the shop's order). Without a profile snapshot (no
/// consent, or nothing learned) only the shop's scores and rules apply.
pub fn rank(
    candidates: &[Candidate],
    options: &RankOptions,
    snapshot: Option<&Snapshot>,
) -> Result<Vec<Ranked>> {
    options.validate()?;
    for (index, candidate) in candidates.iter().enumerate() {
        candidate.validate(index)?;
    }
    let personal = snapshot.filter(|_| options.strength > 0.0);
    // The shop's scores, scaled to [0, 1] over the list.
    let (low, high) = candidates
        .iter()
        .filter_map(|c| c.base)
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), b| {
            (lo.min(b), hi.max(b))
        });
    let span = (high - low).max(f64::MIN_POSITIVE);
    // Recently viewed products among the candidates anchor "more like this".
    let mut anchors: Vec<(usize, f64)> = Vec::new();
    if let Some(snapshot) = personal {
        for (position, (id, at)) in snapshot.viewed.iter().enumerate().take(20) {
            // "Not interested" asks for nothing like it.
            if snapshot.hidden.contains(id) {
                continue;
            }
            if let Some(i) = candidates.iter().position(|c| c.product.id == *id) {
                let recency = decay(1.0, *at, snapshot.now_ms, SESSION_HALF_LIFE_MS);
                anchors.push((i, recency * ANCHOR_FALLOFF.powi(position as i32)));
                if anchors.len() == MAX_ANCHORS {
                    break;
                }
            }
        }
    }
    // (group, ranked): group 0 ranks normally, 1 is held back, 2 is out of stock.
    let mut ranked: Vec<(u8, Ranked)> = Vec::with_capacity(candidates.len());
    for (index, candidate) in candidates.iter().enumerate() {
        let in_stock = candidate.in_stock || options.out_of_stock == OutOfStock::Keep;
        if !in_stock && options.out_of_stock == OutOfStock::Hide {
            continue;
        }
        let base = candidate
            .base
            .map_or_else(|| position_score(index), |b| (b - low) / span);
        let (mut group, mut score, mut reason) = (0, base, Reason::ShopOrder);
        if let Some(snapshot) = personal {
            let Personal {
                score: mut personal,
                reason: mut why,
                dismissed,
            } = personal_score(candidate.product, snapshot);
            // Products viewed recently score by their own view, not by likeness.
            let viewed = snapshot
                .viewed
                .iter()
                .any(|(id, _)| *id == candidate.product.id);
            if !viewed {
                let like = anchors
                    .iter()
                    .map(|(a, w)| w * similarity(candidates[*a].product, candidate.product))
                    .fold(0.0, f64::max);
                personal += SIMILAR_WEIGHT * like;
                if SIMILAR_WEIGHT * like > SIMILAR_REASON {
                    why = Reason::Similar;
                }
            }
            score = (1.0 - options.strength) * base + options.strength * personal;
            reason = why;
            if dismissed {
                (group, reason) = (1, Reason::NotInterested);
            } else if bought_recently(candidate, snapshot, options.bought_within_days) {
                (group, reason) = (1, Reason::BoughtRecently);
            }
        }
        score *= candidate.boost;
        if candidate.boost > 1.0 && group == 0 && matches!(reason, Reason::ShopOrder) {
            reason = Reason::Promoted;
        }
        if !in_stock {
            (group, reason) = (2, Reason::OutOfStock);
        }
        ranked.push((
            group,
            Ranked {
                index,
                score,
                reason,
            },
        ));
    }
    ranked.sort_unstable_by(|(ga, a), (gb, b)| {
        ga.cmp(gb)
            .then(b.score.total_cmp(&a.score))
            .then(a.index.cmp(&b.index))
    });
    let mut order: Vec<Ranked> = ranked.into_iter().map(|(_, r)| r).collect();
    if options.diversity > 0.0 {
        order = diversify(order, candidates, options.diversity);
    }
    if let Some(snapshot) = personal.filter(|_| options.exploration > 0.0) {
        explore(&mut order, candidates, snapshot, options);
    }
    pin(&mut order, candidates);
    Ok(order)
}

/// Greedy re-selection: each next product is the best by score minus a penalty for
/// sharing the previous product's brand (twice the score span, times `diversity`) or
/// category (a quarter of it). Scores are sorted, so the scan stops as soon as no later
/// product can win.
fn diversify(order: Vec<Ranked>, candidates: &[Candidate], diversity: f64) -> Vec<Ranked> {
    let (low, high) = order
        .iter()
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), r| {
            (lo.min(r.score), hi.max(r.score))
        });
    let span = (high - low).max(1e-9) * diversity;
    let mut taken = vec![false; order.len()];
    let mut result = Vec::with_capacity(order.len());
    let mut head = 0;
    let mut previous: Option<&Product> = None;
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
            let product = candidates[candidate.index].product;
            let penalty = previous.map_or(0.0, |p| {
                let same = |a: &Option<String>, b: &Option<String>| a.is_some() && a == b;
                2.0 * f64::from(u8::from(same(&p.brand, &product.brand)))
                    + 0.25 * f64::from(u8::from(same(&p.category, &product.category)))
            });
            let adjusted = candidate.score - span * penalty;
            if best.is_none_or(|(_, b)| adjusted > b) {
                best = Some((i, adjusted));
            }
        }
        let Some((i, _)) = best else { break };
        taken[i] = true;
        previous = Some(candidates[order[i].index].product);
        result.push(order[i]);
    }
    result
}

/// Gives about `exploration` of the positions to products the shopper has not viewed,
/// each drawn (by `seed`) from the next few such products.
fn explore(
    order: &mut [Ranked],
    candidates: &[Candidate],
    snapshot: &Snapshot,
    options: &RankOptions,
) {
    // Not viewed, not in the cart, and not held back or out of stock.
    let unseen = |r: &Ranked| {
        let id = &candidates[r.index].product.id;
        !matches!(
            r.reason,
            Reason::Viewed
                | Reason::InCart
                | Reason::NotInterested
                | Reason::BoughtRecently
                | Reason::OutOfStock
        ) && !snapshot.viewed.iter().any(|(v, _)| v == id)
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
    }
}

/// Moves pinned products to their positions, lowest position first; a pin beyond the
/// end lands last, and of two pins on one position the earlier candidate wins it.
fn pin(order: &mut Vec<Ranked>, candidates: &[Candidate]) {
    let key = |r: &Ranked| (candidates[r.index].pin, r.index);
    let mut pinned: Vec<Ranked> = order
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
        let reason = Reason::Pinned;
        order.insert(at, Ranked { reason, ..ranked });
        next_free = at + 1;
    }
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

/// The category above a `/` path, if any.
fn parent(category: &str) -> Option<&str> {
    let end = category.bytes().rposition(|b| b == b'/')?;
    category.get(..end)
}

/// How alike two products are, in `[0, 1]`: the same brand, a close price (within a
/// factor of two counts, identical counts fully), the same category (or its parent) and
/// shared facet values, each weighted and averaged over what both products have.
pub fn similarity(a: &Product, b: &Product) -> f64 {
    let mut total = 0.0;
    let mut weights = 0.0;
    let mut part = |weight: f64, score: Option<f64>| {
        if let Some(score) = score {
            total += weight * score;
            weights += weight;
        }
    };
    let same = |x: &String, y: &String| f64::from(u8::from(x == y));
    part(
        0.45,
        a.brand
            .as_ref()
            .zip(b.brand.as_ref())
            .map(|(x, y)| same(x, y)),
    );
    // 1 for the same price, falling linearly with the price ratio to 0 at 0.375 (one
    // price about e times the other).
    part(
        0.35,
        a.price.zip(b.price).map(|(x, y)| {
            let ratio = x.min(y).max(0.01) / x.max(y).max(0.01);
            (1.6 * ratio - 0.6).max(0.0)
        }),
    );
    part(
        0.2,
        a.category
            .as_deref()
            .zip(b.category.as_deref())
            .map(|(x, y)| {
                if x == y {
                    1.0
                } else if parent(x).is_some() && parent(x) == parent(y) {
                    0.5
                } else {
                    0.0
                }
            }),
    );
    if !a.facets.is_empty() || !b.facets.is_empty() {
        let shared = a.facets.iter().filter(|f| b.facets.contains(f)).count();
        let union = a.facets.len() + b.facets.len() - shared;
        part(0.25, Some(shared as f64 / union.max(1) as f64));
    }
    if weights > 0.0 {
        total / weights
    } else {
        0.0
    }
}
