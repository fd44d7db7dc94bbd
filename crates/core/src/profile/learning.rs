//! What an event teaches the profile.

use super::*;

impl Profile {
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
        let taught =
            |facet: &str| facet != SIZE && (priced || facet != PRICE_BAND) && config.learns(facet);
        for (facet, value, share) in values.iter().filter(|(f, _, _)| taught(f)) {
            self.taste.learn(facet, value, weight * share, at, taste);
            let session = Self::SESSION_BOUNDS;
            self.session
                .learn(facet, value, weight * share, at, session);
        }
        self.note_taught(&product.id, &values, at, taught);
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

    /// Remembers what the product taught (newest last): a product seen again moves to the
    /// end with one more event, and only a new product allocates.
    fn note_taught(
        &mut self,
        id: &str,
        values: &[(&str, &str, f64)],
        at_ms: f64,
        taught: impl Fn(&str) -> bool,
    ) {
        if let Some(i) = self.taught.iter().position(|t| same(&t.id, id)) {
            let mut entry = self.taught.remove(i);
            entry.events = entry.events.saturating_add(1);
            entry.at_ms = entry.at_ms.max(at_ms);
            self.taught.push(entry);
        } else {
            // The entry about to lose its values (the newest keep theirs) lends its
            // strings, and the entry about to drop out its id: steady browsing allocates
            // nothing here.
            let mut kept = match self.taught.len().checked_sub(MAX_TAUGHT_VALUES) {
                Some(older) => std::mem::take(&mut self.taught[older].values),
                None => Vec::new(),
            };
            let mut filled = 0;
            for (facet, value, _) in values.iter().filter(|(facet, _, _)| taught(facet)) {
                match kept.get_mut(filled) {
                    Some((f, v)) => {
                        f.clear();
                        f.push_str(facet);
                        v.clear();
                        v.push_str(value);
                    }
                    None => kept.push(((*facet).to_owned(), (*value).to_owned())),
                }
                filled += 1;
            }
            kept.truncate(filled);
            let mut text = match self.taught.len() >= MAX_TAUGHT {
                true => self.taught.remove(0).id,
                false => String::new(),
            };
            text.clear();
            text.push_str(id);
            self.taught.push(Taught {
                id: text,
                values: kept,
                events: 1,
                at_ms,
            });
            keep_last(&mut self.taught, MAX_TAUGHT);
        }
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
        } else {
            self.decide(DecisionKind::LeftCart, "", id, event.at_ms);
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
        if self.cart.iter().any(|line| line.id == product.id) {
            self.cart.retain(|line| line.id != product.id);
            self.decide(DecisionKind::LeftCart, "", &product.id, at);
        }
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
}

pub(super) fn later(a: Option<f64>, b: Option<f64>) -> Option<f64> {
    match (a, b) {
        (Some(a), Some(b)) => Some(a.max(b)),
        (a, b) => a.or(b),
    }
}
