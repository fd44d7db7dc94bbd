//! What Shelfwise knows about a shopper, in their terms: interests with their strength
//! and the evidence behind them, stated preferences, dismissals, and the lists kept.
//! Sentences are plain English; shops that localise use the structured fields.

use serde::Serialize;

use super::config::Config;
use super::consent::Consent;
use super::event::EventKind;
use super::profile::{Profile, Tables};

/// Interests listed per facet.
pub const PER_FACET: usize = 5;
/// Session intents listed per facet.
pub const SESSION_PER_FACET: usize = 3;

/// One learned interest: "You bought Apple products" (strength 0.8, from 5 events).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Interest {
    pub facet: String,
    pub value: String,
    /// Relative to the strongest value of the same facet, in `(0, 1]`.
    pub strength: f64,
    /// Number of events behind it.
    pub evidence: u32,
    /// The strongest kind of event behind it.
    pub because: EventKind,
    pub sentence: String,
}

/// A preference the shopper stated or a value they dismissed.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Statement {
    pub facet: String,
    pub value: String,
    /// `[-1, 1]` for stated preferences; `-1` for dismissals.
    pub weight: f64,
    pub sentence: String,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CartItem {
    pub id: String,
    pub quantity: u32,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CategoryNote {
    pub category: String,
    pub value: String,
}

/// The shopper's overview.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Summary {
    pub consent: Consent,
    pub events: u64,
    pub visits: u64,
    pub orders: u64,
    /// How much evidence the profile holds, 0 to 1.
    pub confidence: f64,
    pub first_ms: Option<f64>,
    pub last_ms: Option<f64>,
    /// Long-term taste, strongest first within each facet.
    pub interests: Vec<Interest>,
    /// What this visit is about.
    pub session: Vec<Interest>,
    pub stated: Vec<Statement>,
    pub not_interested: Vec<Statement>,
    pub hidden_products: Vec<String>,
    pub recently_viewed: Vec<String>,
    pub cart: Vec<CartItem>,
    pub recent_searches: Vec<String>,
    pub sizes: Vec<CategoryNote>,
    pub price_levels: Vec<CategoryNote>,
}

/// How a facet value reads in a sentence.
fn thing(facet: &str, value: &str) -> String {
    match facet {
        "category" => value.replace('/', " › "),
        "brand" => format!("{value} products"),
        "price_band" => format!("items priced {value}"),
        "tag" => format!("items tagged \u{201c}{value}\u{201d}"),
        "color" => format!("{value} items"),
        "size" => format!("size {value}"),
        _ => format!("{} \u{201c}{value}\u{201d}", facet.replace('_', " ")),
    }
}

fn learned_sentence(facet: &str, value: &str, because: EventKind, evidence: u32) -> String {
    let thing = thing(facet, value);
    match because {
        EventKind::Purchase => format!("You bought {thing}"),
        EventKind::AddToCart => format!("You added {thing} to your cart"),
        EventKind::Wishlist => format!("You saved {thing} to your wishlist"),
        _ if evidence > 1 => format!("You looked at {thing} {evidence} times"),
        _ => format!("You looked at {thing}"),
    }
}

fn interests(tables: &Tables, now_ms: f64, half_life_ms: f64, per_facet: usize) -> Vec<Interest> {
    let mut all = Vec::new();
    for table in &tables.0 {
        let scored: Vec<(&str, f64, &super::profile::Affinity)> = table
            .values()
            .iter()
            .map(|(v, a)| (v.as_str(), a.score_at(now_ms, half_life_ms), a))
            .filter(|(_, score, _)| *score > 0.0)
            .collect();
        let max = scored.iter().map(|s| s.1).fold(0.0, f64::max);
        let mut ranked: Vec<Interest> = scored
            .into_iter()
            .map(|(value, score, affinity)| {
                let because = affinity.strongest_kind();
                Interest {
                    facet: table.facet().to_owned(),
                    value: value.to_owned(),
                    strength: score / max,
                    evidence: affinity.count,
                    because,
                    sentence: learned_sentence(table.facet(), value, because, affinity.count),
                }
            })
            .collect();
        ranked.sort_unstable_by(|a, b| {
            b.strength
                .total_cmp(&a.strength)
                .then(a.value.cmp(&b.value))
        });
        all.extend(ranked.into_iter().take(per_facet));
    }
    all
}

pub fn summarize(profile: &Profile, consent: Consent, now_ms: f64, config: &Config) -> Summary {
    let snapshot = super::rank::Snapshot::new(profile, now_ms, config);
    Summary {
        consent,
        events: profile.stats.events,
        visits: profile.stats.visits,
        orders: profile.stats.orders,
        confidence: snapshot.confidence,
        first_ms: profile.stats.first_ms,
        last_ms: profile.stats.last_ms,
        interests: interests(&profile.taste, now_ms, config.half_life_ms(), PER_FACET),
        session: interests(
            &profile.session.tables,
            now_ms,
            config.session_half_life_ms(),
            SESSION_PER_FACET,
        ),
        stated: profile
            .stated
            .iter()
            .map(|s| Statement {
                facet: s.0.clone(),
                value: s.1.clone(),
                weight: s.2,
                sentence: if s.2 >= 0.0 {
                    format!("You told us you like {}", thing(&s.0, &s.1))
                } else {
                    format!("You told us you don't like {}", thing(&s.0, &s.1))
                },
            })
            .collect(),
        not_interested: profile
            .blocked
            .iter()
            .map(|b| Statement {
                facet: b.0.clone(),
                value: b.1.clone(),
                weight: -1.0,
                sentence: format!("You are not interested in {}", thing(&b.0, &b.1)),
            })
            .collect(),
        hidden_products: profile.hidden.iter().map(|h| h.0.clone()).collect(),
        recently_viewed: profile.viewed.iter().map(|v| v.0.clone()).collect(),
        cart: profile
            .cart
            .iter()
            .map(|l| CartItem {
                id: l.0.clone(),
                quantity: l.1,
            })
            .collect(),
        recent_searches: profile.searches.iter().map(|s| s.0.clone()).collect(),
        sizes: profile
            .sizes
            .iter()
            .map(|s| CategoryNote {
                category: s.0.clone(),
                value: s.1.clone(),
            })
            .collect(),
        price_levels: profile
            .price_levels
            .iter()
            .map(|l| CategoryNote {
                category: l.0.clone(),
                value: super::profile::price_band(l.1.exp() - 1.0).to_owned(),
            })
            .collect(),
    }
}
