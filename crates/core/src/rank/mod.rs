//! Reranking a shop's product list (a grid, search results, a module's candidates) with
//! the shopper's profile, under the shop's business rules.
//!
//! Scoring: `score = ((1 - strength) * base + strength * personal) * boost`, where
//! - `base` is the shop's own score scaled to `[0, 1]`, or, without one, its position:
//!   `1 / sqrt(position + 1)` (1 for the first product, 0.5 for the fourth), so the top
//!   of the shop's order stays strong while a long tail can still rise;
//! - `personal` is the ranking model's probability that the shopper looks at the product
//!   next, scaled so the likeliest is 1 (`model`: a gate between going back to a
//!   product they acted on and exploring, then a softmax within each part over features
//!   from the profile's dense tables);
//! - `boost` is the shop's multiplier (above 1 promotes, below 1 buries).
//!
//! Then, in order: products the shopper dismissed and durable goods they just bought go
//! after the rest, out-of-stock products last (or are left out), `diversity` spreads
//! brands and categories, `exploration` gives a few positions to products the shopper
//! has not seen, and pinned products land exactly where the shop put them. Ties keep the
//! shop's order, so the same inputs and profile always give the same order, and
//! `strength = 0` without rules is the shop's order exactly.

//!
//! By concern: `rows` (ranking rows of interned ids, likeness), `model` (the learned
//! model and its weights), `personal` (the profile as dense tables, and one product's
//! features), `rules` (diversity, exploration, pins), `products` (the same ranking over
//! `Product`s, for the Rust API, the replay and the fit).

mod model;
mod personal;
mod products;
mod rows;
mod rules;

pub use model::*;
use personal::*;
pub use products::*;
pub use rows::*;
use rules::*;

use crate::catalog::{Catalog, Id, Record, BRAND_FACET, CATEGORY_FACET, NONE, PRICE_BAND_FACET};
use crate::error::{at_index, Error, Result};
use crate::event::Product;
use crate::profile::SESSION_HALF_LIFE_MS;
use crate::profile::{decay, facet_values, Snapshot, SIZE};

/// How the recently viewed fall per newer view in the `viewed` feature.
pub const VIEWED_FALLOFF: f64 = 0.3;
/// "Like what you just viewed" (the `similar` feature) is the [`similarity`] to the most
/// recently viewed candidates ([`MAX_ANCHORS`], falling by [`ANCHOR_FALLOFF`] each).
pub const MAX_ANCHORS: usize = 3;
pub const ANCHOR_FALLOFF: f64 = 0.4;

/// The learned model decides by default: it weighs the shop's order itself (its `base`
/// weight); a lower strength blends its probabilities with the shop's base score.
pub const DEFAULT_STRENGTH: f64 = 1.0;
/// Durable goods bought within this many days are not shown again first.
pub const DEFAULT_BOUGHT_WITHIN_DAYS: f64 = 30.0;
/// ... from this long after the purchase: right after buying, shoppers go back to what
/// they bought. On REES46's dev log, holding a bought product back from the purchase on
/// cost 0.0185 of NDCG@10 on all views, and from half an hour after it nothing.
pub const BOUGHT_GRACE_MS: f64 = 30.0 * 60_000.0;
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
    /// A product the shopper acted on before (carted, wishlisted, bought, clicked) and
    /// goes back to, when it is not among the recently viewed.
    Returned,
    /// Shoppers who share one of this shopper's interests (the value) look at it: the
    /// shop's private priors (`crate::federated`).
    SharedInterest,
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
            Reason::Returned => "returned",
            Reason::SharedInterest => "shared_interest",
        }
    }
}

impl Reason {
    /// Every reason kind in the order of its number (`number() >> 8`).
    pub const KINDS: [Reason; 15] = [
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
        Reason::Returned,
        Reason::SharedInterest,
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
