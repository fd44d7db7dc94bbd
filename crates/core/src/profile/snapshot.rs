//! Frozen views of the profile: for ranking many products at one instant, and the
//! shopper-facing summary.

use super::*;
use crate::json::shape;

impl Profile {
    /// The decayed affinity of one facet value (0 when unknown).
    pub fn affinity(&self, facet: &str, value: &str, now_ms: f64, config: &ProfileConfig) -> f64 {
        self.learned(facet, value)
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
            taught: &self.taught,
            last_ms: self.last_ms,
            model: config.model,
            priors: config.priors.clone(),
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
                    let strength = score / (score + HALF_STRENGTH_EVIDENCE);
                    Interest {
                        facet: (*facet).to_owned(),
                        value: (*value).to_owned(),
                        strength,
                        evidence: *count,
                        last_ms: *at,
                    }
                })
                .collect();
            // Strengths equal to a millionth are ties, ordered by value: decay in single
            // precision must not swap two equally known interests as time passes.
            let level = |i: &Interest| (i.strength * 1e6).round();
            ranked
                .sort_unstable_by(|a, b| level(b).total_cmp(&level(a)).then(a.value.cmp(&b.value)));
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
            learning: LearningSummary {
                choices: self.learning.examples,
                contributions: self.learning.sent_within(now_ms, crate::federated::YEAR_MS) as u32,
                epsilon_spent: self.learning.spent(now_ms),
            },
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub(super) struct FacetSnapshot<'a> {
    /// `(value, score, count, at_ms)`.
    pub(super) scores: Vec<(&'a str, f64, u32, f64)>,
    pub(super) max: f64,
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
    /// The last products learned from, oldest first, with their events and times.
    pub taught: &'a [Taught],
    /// The shopper's latest event.
    pub last_ms: Option<f64>,
    /// The ranking model's weights, and the shop's private priors if it loaded them.
    pub model: crate::rank::Model,
    pub priors: Option<std::rc::Rc<[f32]>>,
    /// The instant the snapshot is frozen at.
    pub now_ms: f64,
    /// How much evidence the profile holds, in `[0, 1)`: `E / (E + 2)` with `E` the
    /// largest total decayed weight of any facet.
    pub confidence: f64,
}

impl<'a> Snapshot<'a> {
    /// Every learned value with its [`Snapshot::relative`] share from long-term taste
    /// and from this visit; a value in both is given twice, and its parts add up.
    pub fn for_each_relative(&self, mut part: impl FnMut(&'a str, &'a str, f64)) {
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

    /// The value's affinity relative to the strongest value of its facet, in `[0, 1]`:
    /// long-term taste blended with what this visit is about.
    pub fn relative(&self, facet: &str, value: &str) -> f64 {
        let mut relative = 0.0;
        self.for_each_relative(|f, v, part| {
            if f == facet && v == value {
                relative += part;
            }
        });
        relative
    }
}

shape! {
    /// What Shelfwise knows about this shopper, in the form the shopper may see.
    #[derive(Debug, Clone, PartialEq)]
    pub struct Summary as "ProfileSummary" {
        /// Recently viewed product ids, newest first (up to 20).
        pub recently_viewed: Vec<String> => "recentlyViewed": "string[]",
        /// Recent searches, newest first (up to 10), in lower case with single spaces.
        pub recent_searches: Vec<String> => "recentSearches": "string[]",
        /// What the shopper said: `[facet, value, weight]`, weight -1 (not interested) to 1 (likes).
        pub stated: Vec<(String, String, f64)> => "stated": "[Facet, string, number][]",
        /// Products marked "not interested".
        pub hidden_products: Vec<String> => "hiddenProducts": "string[]",
        /// The cart as the shopper left it, most recently changed first (up to 50 lines).
        pub cart: Vec<CartLine> => "cart": "CartLine[]",
        /// Products bought, most recently bought first (up to 50).
        pub purchases: Vec<Purchased> => "purchases": "Purchased[]",
        /// The currency of `spend` and the price bands: the first one seen.
        pub currency: Option<String> => "currency": "string | null",
        pub events: u64 => "events": "number",
        /// Visits: a pause longer than `sessionGapMinutes` starts a new one.
        pub visits: u64 => "visits": "number",
        pub orders: u64 => "orders": "number",
        /// Sum of purchased prices × quantities, in `currency`.
        pub spend: f64 => "spend": "number",
        /// How much evidence the profile holds, 0 to 1.
        pub confidence: f64 => "confidence": "number",
        pub first_ms: Option<f64> => "firstMs": "number | null",
        pub last_ms: Option<f64> => "lastMs": "number | null",
        pub last_order_ms: Option<f64> => "lastOrderMs": "number | null",
        /// Up to 5 per facet, strongest first.
        pub interests: Vec<Interest> => "interests": "LearnedInterest[]",
        /// Segment, RFM, price sensitivity and the modules' inputs.
        pub insights: crate::insights::Insights => "insights": "Insights",
        /// What federated learning holds (only with the `measurement` purpose).
        pub learning: LearningSummary => "learning": "LearningSummary",
    }
}

shape! {
    /// What federated learning holds, as the shopper may see it: how many of their choices
    /// from ranked lists wait for the next contribution, and the contributions made and
    /// ε spent in the last 365 days.
    #[derive(Debug, Clone, PartialEq, Default)]
    pub struct LearningSummary as "LearningSummary" {
        pub choices: u32 => "choices": "number",
        pub contributions: u32 => "contributions": "number",
        pub epsilon_spent: f64 => "epsilonSpent": "number",
    }
}

shape! {
    /// One learned interest; `strength` (0 to 1) grows with the evidence behind it, decayed: the same evidence always shows the same strength, whatever else is known (3 ordinary views: 0.5).
    #[derive(Debug, Clone, PartialEq)]
    pub struct Interest as "LearnedInterest" {
        pub facet: String => "facet": "Facet",
        pub value: String => "value": "string",
        pub strength: f64 => "strength": "number",
        /// Number of events behind it, and the time of the latest.
        pub evidence: u32 => "evidence": "number",
        pub last_ms: f64 => "lastMs": "number",
    }
}
