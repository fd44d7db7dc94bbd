//! What the profile says about the shopper's relationship with the shop, computed on the
//! device: the lifecycle segment, RFM scores, price sensitivity, and the inputs of the
//! recommendation modules (cart reminder, replenishment, size suggestions).

use super::json::shape;
use super::names::string_enum;
use super::profile::{CartLine, Profile, ProfileConfig, DAY_MS, PRICE_BAND};

string_enum! {
    /// Where the shopper stands, by the thresholds in [`ProfileConfig`] (README,
    /// "Segments"). Customers are judged by their orders first, the others by visits.
    #[derive(Default)]
    pub enum Segment {
        /// First visit, no order.
        #[default]
        New = "new",
        /// Several visits, no order, nothing in the cart.
        Returning = "returning",
        /// No order yet, but products in the cart.
        Prospect = "prospect",
        FirstTimeCustomer = "first_time_customer",
        RepeatCustomer = "repeat_customer",
        /// At least `loyalOrders` orders, the last one recent.
        Loyal = "loyal",
        /// A customer whose last order is `atRiskDays` old.
        AtRisk = "at_risk",
        /// A customer whose last order is `lapsedDays` old.
        Lapsed = "lapsed",
    }
}

/// Score edges for RFM, each 1 (weakest) to 5 (strongest); 0 without an order.
/// Recency: days since the last order at most 7, 30, 90, 180, beyond.
pub const RECENCY_DAYS: [f64; 4] = [7.0, 30.0, 90.0, 180.0];
/// Frequency: orders at least 1, 2, 3, 5, 10.
pub const FREQUENCY_ORDERS: [f64; 4] = [2.0, 3.0, 5.0, 10.0];
/// Monetary: spend (in the profile's currency) at least 0, 50, 100, 250, 500.
pub const MONETARY_SPEND: [f64; 4] = [50.0, 100.0, 250.0, 500.0];

shape! {
    /// A product bought in several orders, due again at `dueMs` (its average interval after the last order).
    #[derive(Debug, Clone, PartialEq)]
    pub struct Due as "DueProduct" {
        pub id: String => "id": "string",
        pub due_ms: f64 => "dueMs": "number",
        pub interval_ms: f64 => "intervalMs": "number",
        pub orders: u32 => "orders": "number",
    }
}

shape! {
    /// The size the shopper takes in a category, and the share of their size evidence there it has.
    #[derive(Debug, Clone, PartialEq)]
    pub struct Size as "SizeSuggestion" {
        pub category: String => "category": "string",
        pub size: String => "size": "string",
        pub confidence: f64 => "confidence": "number",
    }
}

shape! {
    /// What the profile says about the shopper's relationship with the shop, computed on the device.
    #[derive(Debug, Clone, PartialEq, Default)]
    pub struct Insights as "Insights" {
        pub segment: Segment => "segment": "Segment",
        /// Recency, frequency and monetary scores, each 1 to 5 (0 without an order).
        pub rfm: (u32, u32, u32) => "rfm": "[number, number, number]",
        /// Share (0 to 1) of the shopper's weighted interest in discounted products (facet `deal`); null before any priced event.
        pub price_sensitivity: Option<f64> => "priceSensitivity": "number | null",
        /// Cart lines left alone for longer than a visit gap.
        pub cart_reminder: Vec<CartLine> => "cartReminder": "CartLine[]",
        /// Repeat purchases that are due (or due within a tenth of their interval), soonest first.
        pub replenishment: Vec<Due> => "replenishment": "DueProduct[]",
        /// The size taken per category, from the cart and purchases.
        pub sizes: Vec<Size> => "sizes": "SizeSuggestion[]",
    }
}

/// `1 + ` how many of `edges` the value reaches.
fn score(value: f64, edges: &[f64; 4]) -> u32 {
    1 + edges.iter().filter(|edge| value >= **edge).count() as u32
}

impl Profile {
    /// Days since the last order at `now_ms`, if there was one.
    fn days_since_order(&self, now_ms: f64) -> Option<f64> {
        self.last_order_ms.map(|at| (now_ms - at) / DAY_MS)
    }

    /// The lifecycle segment at `now_ms`, by the thresholds in `config`.
    pub fn segment(&self, now_ms: f64, config: &ProfileConfig) -> Segment {
        match self.days_since_order(now_ms) {
            Some(days) if days >= config.lapsed_days => Segment::Lapsed,
            Some(days) if days >= config.at_risk_days => Segment::AtRisk,
            Some(_) if self.orders >= config.loyal_orders => Segment::Loyal,
            Some(_) if self.orders >= 2 => Segment::RepeatCustomer,
            Some(_) => Segment::FirstTimeCustomer,
            None if !self.cart.is_empty() => Segment::Prospect,
            None if self.visits >= config.returning_visits => Segment::Returning,
            None => Segment::New,
        }
    }

    /// What the profile says about the shopper at `now_ms` (see [`Insights`]).
    pub fn insights(&self, now_ms: f64, config: &ProfileConfig) -> Insights {
        let segment = self.segment(now_ms, config);
        let days_since_order = self.days_since_order(now_ms);
        let rfm = match days_since_order {
            // Fewer days is more recent: score the negated age against negated edges.
            Some(days) => (
                score(-days, &RECENCY_DAYS.map(|d| -d)),
                score(self.orders as f64, &FREQUENCY_ORDERS),
                score(self.spend, &MONETARY_SPEND),
            ),
            None => (0, 0, 0),
        };
        let total = |facet: &str| {
            self.taste.get(facet).map_or(0.0, |values| {
                values
                    .0
                    .iter()
                    .map(|(_, a)| a.score_at(now_ms, config.half_life_ms))
                    .sum::<f64>()
            })
        };
        // Every priced event adds to the price bands; discounted ones to `deal` as well.
        let priced = total(PRICE_BAND);
        let price_sensitivity = (priced > 0.0).then(|| (total(DEAL) / priced).clamp(0.0, 1.0));
        let cart_reminder = self
            .cart
            .iter()
            .filter(|line| now_ms - line.at_ms > config.session_gap_ms)
            .cloned()
            .collect();
        let mut replenishment: Vec<Due> = Vec::new();
        for p in self.purchases.iter().filter(|p| p.orders >= 2) {
            let interval_ms = (p.last_ms - p.first_ms) / f64::from(p.orders - 1);
            let due_ms = p.last_ms + interval_ms;
            if due_ms - interval_ms / 10.0 > now_ms {
                continue;
            }
            // Soonest first: an insertion keeps the order without another sort.
            let at = replenishment
                .iter()
                .take_while(|d| d.due_ms <= due_ms)
                .count();
            let due = Due {
                id: p.id.clone(),
                due_ms,
                interval_ms,
                orders: p.orders,
            };
            replenishment.insert(at, due);
        }
        let mut sizes = Vec::new();
        for (category, values) in &self.sizes.0 {
            let (mut best, mut total, mut size) = (0.0, 0.0, "");
            for (value, affinity) in &values.0 {
                let score = affinity.score_at(now_ms, config.half_life_ms);
                total += score;
                if score > best {
                    (best, size) = (score, value);
                }
            }
            if best > 0.0 {
                sizes.push(Size {
                    category: category.clone(),
                    size: size.to_owned(),
                    confidence: best / total,
                });
            }
        }
        Insights {
            segment,
            rfm,
            price_sensitivity,
            cart_reminder,
            replenishment,
            sizes,
        }
    }
}

/// The facet a shop gives discounted products (any value, e.g. `"sale"`), which price
/// sensitivity reads.
pub const DEAL: &str = "deal";

string_enum! {
    /// The kinds of offer a shop can ask Shelfwise to choose among (it never sets prices).
    pub enum OfferKind {
        FreeShipping = "free_shipping",
        PercentOff = "percent_off",
        LoyaltyBonus = "loyalty_bonus",
        EarlyAccess = "early_access",
    }
}

string_enum! {
    /// Why an offer's kind fits this shopper.
    pub enum OfferFit {
        /// Price-sensitive: they buy on sale and look at low price bands.
        DealSeeker = "deal_seeker",
        /// No order yet.
        Welcome = "welcome",
        /// A repeat or loyal customer.
        LoyalCustomer = "loyal_customer",
        /// A customer whose last order is getting old.
        WinBack = "win_back",
    }
}

impl Insights {
    /// The size the shopper takes in `category`, or else in the nearest category above it
    /// (`shoes/running`, then `shoes`).
    pub fn size_for(&self, category: &str) -> Option<&Size> {
        let mut path = category.trim();
        while !path.is_empty() {
            if let Some(size) = self.sizes.iter().find(|s| s.category == path) {
                return Some(size);
            }
            path = path.rfind('/').map_or("", |end| &path[..end]);
        }
        None
    }
}

/// Price sensitivity from which a shopper counts as a deal seeker.
pub const DEAL_SEEKER_SENSITIVITY: f64 = 0.3;

impl Insights {
    /// How well an offer of `kind` fits this shopper: a multiplier for the offer's
    /// priority (above 1) and why, or `None` when the kind does not particularly fit.
    /// Discounts fit shoppers whom discounts move (price sensitivity, the share of their
    /// interest in products on deal, 0.3 or more) and customers at risk or lapsed; free
    /// shipping fits shoppers without an order yet; loyalty bonuses and early access fit
    /// repeat and loyal customers (README: "Offers").
    pub fn offer_fit(&self, kind: OfferKind) -> Option<(f64, OfferFit)> {
        let sensitivity = self.price_sensitivity.unwrap_or(0.0);
        let deals = sensitivity >= DEAL_SEEKER_SENSITIVITY;
        let lapsing = matches!(self.segment, Segment::AtRisk | Segment::Lapsed);
        let customer = matches!(self.segment, Segment::RepeatCustomer | Segment::Loyal);
        let no_order = matches!(
            self.segment,
            Segment::New | Segment::Returning | Segment::Prospect
        );
        match kind {
            OfferKind::PercentOff if deals => Some((1.0 + sensitivity, OfferFit::DealSeeker)),
            OfferKind::PercentOff if lapsing => Some((1.3, OfferFit::WinBack)),
            OfferKind::FreeShipping if no_order => Some((1.3, OfferFit::Welcome)),
            OfferKind::FreeShipping if deals => {
                Some((1.0 + sensitivity / 2.0, OfferFit::DealSeeker))
            }
            OfferKind::LoyaltyBonus if customer => Some((1.5, OfferFit::LoyalCustomer)),
            OfferKind::LoyaltyBonus if lapsing => Some((1.2, OfferFit::WinBack)),
            OfferKind::EarlyAccess if customer => Some((1.5, OfferFit::LoyalCustomer)),
            _ => None,
        }
    }
}

#[cfg(test)]
mod offer_tests {
    use super::*;

    fn insights(segment: Segment, sensitivity: Option<f64>) -> Insights {
        Insights {
            segment,
            price_sensitivity: sensitivity,
            ..Insights::default()
        }
    }

    #[test]
    fn a_size_falls_back_to_the_category_above() {
        let size = |category: &str| Size {
            category: category.into(),
            size: "42".into(),
            confidence: 1.0,
        };
        let insights = Insights {
            sizes: vec![size("shoes"), size("tops/shirts")],
            ..Insights::default()
        };
        assert_eq!(
            insights
                .size_for("shoes/running")
                .map(|s| s.category.as_str()),
            Some("shoes")
        );
        assert_eq!(
            insights
                .size_for(" tops/shirts ")
                .map(|s| s.category.as_str()),
            Some("tops/shirts")
        );
        assert_eq!(insights.size_for("tops"), None);
        assert_eq!(insights.size_for(""), None);
    }

    #[test]
    fn offers_fit_by_segment_and_price_sensitivity() {
        let new = insights(Segment::New, None);
        assert_eq!(
            new.offer_fit(OfferKind::FreeShipping),
            Some((1.3, OfferFit::Welcome))
        );
        assert_eq!(new.offer_fit(OfferKind::LoyaltyBonus), None);
        let deal = insights(Segment::RepeatCustomer, Some(0.5));
        assert_eq!(
            deal.offer_fit(OfferKind::PercentOff),
            Some((1.5, OfferFit::DealSeeker))
        );
        assert_eq!(
            deal.offer_fit(OfferKind::EarlyAccess),
            Some((1.5, OfferFit::LoyalCustomer))
        );
        let lapsed = insights(Segment::Lapsed, Some(0.1));
        assert_eq!(
            lapsed.offer_fit(OfferKind::PercentOff),
            Some((1.3, OfferFit::WinBack))
        );
        assert_eq!(lapsed.offer_fit(OfferKind::FreeShipping), None);
    }
}
