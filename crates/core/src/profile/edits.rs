//! The shopper's own changes (forget, state, hide) and retention.

use super::*;

impl Profile {
    /// Forgets one facet value, learned or stated, everywhere it is kept (a category
    /// with its price bands and sizes). Returns whether it was known.
    pub fn forget(&mut self, facet: &str, value: &str) -> bool {
        let before = self.entries();
        // The products that carry the value taught through their other values too (an
        // iPhone taught `smartphones` and `#apple` as well as `Apple`): take that back in
        // proportion, and drop them from the recently viewed.
        let carries = |t: &Taught| t.values.iter().any(|(f, v)| f == facet && v == value);
        let (from, kept): (Vec<Taught>, Vec<Taught>) = std::mem::take(&mut self.taught)
            .into_iter()
            .partition(carries);
        self.taught = kept;
        for product in &from {
            for (f, v) in &product.values {
                self.taste.take_back(f, v, product.events);
                self.session.take_back(f, v, product.events);
            }
            self.viewed.retain(|(id, _)| *id != product.id);
        }
        let not_it = |f: &str, v: &str| !(f == facet && v == value);
        // Nor does what other devices contributed keep it (a later export would carry it).
        for peer in &mut self.peers {
            peer.taste.retain(|f, v, _| not_it(f, v));
        }
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
        !from.is_empty() || self.entries() != before
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

    /// Forgets evidence older than `cutoff_ms` (the retention period).
    pub fn forget_before(&mut self, cutoff_ms: f64) {
        let recent = |_: &str, _: &str, a: &Affinity| a.at_ms >= cutoff_ms;
        self.taste.retain(recent);
        for peer in &mut self.peers {
            peer.taste.retain(recent);
        }
        self.prices.retain(recent);
        self.sizes.retain(recent);
        self.viewed.retain(|(_, at)| *at >= cutoff_ms);
        self.searches.retain(|(_, at)| *at >= cutoff_ms);
        self.cart.retain(|line| line.at_ms >= cutoff_ms);
        self.purchases.retain(|p| p.last_ms >= cutoff_ms);
    }
}
