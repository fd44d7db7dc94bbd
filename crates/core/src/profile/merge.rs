//! Merging the profile another device exported into this one.
//!
//! A profile is a state-based replicated record, in the way y-crdt and automerge keep
//! one state per replica: each device has an `origin`, and a profile keeps, beside what
//! it shows (its own learning plus everything merged), a bounded snapshot of what every
//! other origin contributed (`peers`). A device's own part is what it shows minus its
//! peers. Merging a file takes each origin's newest snapshot (the file's own part and
//! the peers it carries, each the strongest [`PEER_VALUES`] values of every group, as it
//! is kept) and applies only the difference to what this device already had of that
//! origin. Decayed sums are linear in time, so that difference is exact:
//!
//! - the same file merged twice changes nothing the second time;
//! - a profile that went phone → laptop → phone counts the phone's events once;
//! - two devices merged either way round show the same affinities and lists.
//!
//! Summed: affinities (with decay at their own times), price bands and sizes per
//! category, the event, visit and order counts and spend, and each product's orders.
//! United by time: recently viewed and searches (interleaved), the cart (the newest
//! change of a line wins, a removal included), what taught which product, slot
//! impressions. Taken with the latest decision winning: stated preferences, "not
//! interested", and forgetting (a value forgotten here stays forgotten unless the other
//! device learned it afterwards). Kept from this device: session intent (the visit in
//! progress), measurement counts and the bucketing id.

use super::learning::later;
use super::*;

/// Other devices' snapshots kept; the oldest beyond it is dropped (what it contributed
/// stays, but a later file of that device can then count it again).
pub const MAX_PEERS: usize = 3;
/// Values kept per group in a peer's snapshot (the strongest): bounds the stored size.
/// Only these are merged, so that a later snapshot takes back exactly what was added.
pub const PEER_VALUES: usize = 8;
/// Decisions (statements, "not interested", forgetting, cart removals) whose times are
/// kept so that the latest wins in a merge.
pub const MAX_DECIDED: usize = 64;

/// What one other device contributed to the sums, as of `through_ms`.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Peer {
    pub origin: u64,
    /// The newest event or decision of that device this snapshot includes.
    pub through_ms: f64,
    pub taste: Groups,
    pub prices: Groups,
    pub sizes: Groups,
    pub events: u64,
    pub visits: u64,
    pub orders: u64,
    pub spend: f64,
    /// Orders and units per product bought: `[id, orders, units]`.
    pub bought: Vec<(String, u32, u32)>,
}

impl Peer {
    /// The snapshot as it is kept: the strongest [`PEER_VALUES`] of each group.
    fn strongest(&self, half_life_ms: f64) -> Peer {
        Peer {
            taste: self.taste.strongest(half_life_ms),
            prices: self.prices.strongest(half_life_ms),
            sizes: self.sizes.strongest(half_life_ms),
            ..self.clone()
        }
    }
}

codec_fields!(Peer {
    origin,
    through_ms,
    taste,
    prices,
    sizes,
    events,
    visits,
    orders,
    spend,
    bought
});

/// What a decision was about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DecisionKind {
    /// A stated preference, or taking one back (`facet`, `value`).
    Stated = 0,
    /// "Not interested" in a product, or taking it back (`value` is the id).
    Hidden = 1,
    /// A forgotten value (`facet`, `value`).
    Forgot = 2,
    /// A product that left the cart (`value` is the id).
    LeftCart = 3,
}

/// When the shopper last decided something, so that the latest decision wins a merge.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Decision {
    pub kind: u32,
    pub facet: String,
    pub value: String,
    pub at_ms: f64,
}

codec_fields!(Decision {
    kind,
    facet,
    value,
    at_ms
});

impl Decision {
    fn is(&self, kind: DecisionKind, facet: &str, value: &str) -> bool {
        self.kind == kind as u32 && self.facet == facet && self.value == value
    }
}

impl Affinity {
    /// Adds another affinity's score and evidence, each at its own time.
    fn absorb(&mut self, other: &Affinity, half_life_ms: f64) {
        if self.count == 0 || other.at_ms >= self.at_ms {
            self.score = decay(self.score, self.at_ms, other.at_ms, half_life_ms) + other.score;
            self.at_ms = other.at_ms;
        } else {
            self.score += decay(other.score, other.at_ms, self.at_ms, half_life_ms);
        }
        self.count = self.count.saturating_add(other.count);
    }

    /// Takes back what `absorb(other)` added (never below zero).
    fn withdraw(&mut self, other: &Affinity, half_life_ms: f64) {
        let taken = decay(other.score, other.at_ms, self.at_ms, half_life_ms);
        self.score = (self.score - taken).max(0.0);
        self.count = self.count.saturating_sub(other.count);
    }
}

impl Groups {
    /// Adds (`add`) or takes back another set of groups' evidence, value by value, then
    /// re-applies the bounds. `skip(key, value, affinity)` leaves a value out.
    fn combine(
        &mut self,
        other: &Groups,
        add: bool,
        bounds: Bounds,
        skip: &dyn Fn(&str, &str, &Affinity) -> bool,
    ) {
        for (key, values) in &other.0 {
            for (value, affinity) in values.0.iter().filter(|(v, a)| !skip(key, v, a)) {
                match (self.entry(key, value, add, bounds), add) {
                    (Some(mine), true) => mine.absorb(affinity, bounds.half_life_ms),
                    (Some(mine), false) => mine.withdraw(affinity, bounds.half_life_ms),
                    (None, _) => {}
                }
            }
        }
        self.retain(|_, _, a| a.count > 0);
        for (_, values) in &mut self.0 {
            let newest = values.newest();
            values.prune(bounds.values, newest, bounds.half_life_ms);
        }
    }

    /// The affinity of `value` in group `key`, made (empty) when `make` and missing.
    fn entry(
        &mut self,
        key: &str,
        value: &str,
        make: bool,
        bounds: Bounds,
    ) -> Option<&mut Affinity> {
        let group = match self.0.iter().position(|(k, _)| k == key) {
            Some(group) => group,
            None if make => self.make_group(key, bounds),
            None => return None,
        };
        let values = &mut self.0[group].1 .0;
        let index = match values.iter().position(|(v, _)| v == value) {
            Some(index) => index,
            None if make => {
                values.push((value.to_owned(), Affinity::default()));
                values.len() - 1
            }
            None => return None,
        };
        Some(&mut values[index].1)
    }

    /// A snapshot's copy: the strongest [`PEER_VALUES`] of each group.
    fn strongest(&self, half_life_ms: f64) -> Groups {
        let mut copy = self.clone();
        for (_, values) in &mut copy.0 {
            let newest = values.newest();
            values.prune(PEER_VALUES, newest, half_life_ms);
        }
        copy
    }
}

impl Profile {
    /// The time up to which this profile's own part is known: its newest event or
    /// decision.
    fn through_ms(&self) -> f64 {
        let decided = self.decided.iter().map(|d| d.at_ms);
        decided.fold(self.last_ms.unwrap_or(0.0), f64::max)
    }

    /// What this device contributed itself: the sums minus its peers' snapshots.
    pub fn own_part(&self, config: &ProfileConfig) -> Peer {
        let mut own = Peer {
            // A profile from before origins existed is its own origin, named by its contents.
            origin: self
                .origin
                .unwrap_or_else(|| crate::store::fnv1a64(&crate::codec::to_bytes(self)) | 1),
            through_ms: self.through_ms(),
            taste: self.taste.clone(),
            prices: self.prices.clone(),
            sizes: self.sizes.clone(),
            events: self.events,
            visits: self.visits,
            orders: self.orders,
            spend: self.spend,
            bought: self
                .purchases
                .iter()
                .map(|p| (p.id.clone(), p.orders, p.units))
                .collect(),
        };
        let (taste, by_category) = (Self::taste_bounds(config), Self::category_bounds(config));
        for peer in &self.peers {
            own.taste
                .combine(&peer.taste, false, taste, &|_, _, _| false);
            own.prices
                .combine(&peer.prices, false, by_category, &|_, _, _| false);
            own.sizes
                .combine(&peer.sizes, false, by_category, &|_, _, _| false);
            own.events = own.events.saturating_sub(peer.events);
            own.visits = own.visits.saturating_sub(peer.visits);
            own.orders = own.orders.saturating_sub(peer.orders);
            own.spend = (own.spend - peer.spend).max(0.0);
            for (id, orders, units) in &peer.bought {
                if let Some(mine) = own.bought.iter_mut().find(|(i, _, _)| i == id) {
                    mine.1 = mine.1.saturating_sub(*orders);
                    mine.2 = mine.2.saturating_sub(*units);
                }
            }
        }
        own.bought.retain(|(_, orders, _)| *orders > 0);
        own
    }

    /// Makes this profile another device's copy under `origin`: what it shows stays, and
    /// its own part becomes one of its peers.
    pub fn rebase(&mut self, origin: u64, config: &ProfileConfig) {
        let own = self.own_part(config).strongest(config.half_life_ms);
        self.peers
            .retain(|p| p.origin != own.origin && p.origin != origin);
        insert_newest_first(&mut self.peers, own, |p| p.through_ms, MAX_PEERS);
        self.origin = Some(origin);
    }

    /// Records when the shopper decided something about (`kind`, `facet`, `value`).
    pub fn decide(&mut self, kind: DecisionKind, facet: &str, value: &str, at_ms: f64) {
        self.decided.retain(|d| !d.is(kind, facet, value));
        let decision = Decision {
            kind: kind as u32,
            facet: facet.to_owned(),
            value: value.to_owned(),
            at_ms,
        };
        insert_newest_first(&mut self.decided, decision, |d| d.at_ms, MAX_DECIDED);
    }

    /// When (`kind`, `facet`, `value`) was last decided (0: never, as far as is kept).
    fn decided_at(&self, kind: DecisionKind, facet: &str, value: &str) -> f64 {
        self.decided
            .iter()
            .find(|d| d.is(kind, facet, value))
            .map_or(0.0, |d| d.at_ms)
    }

    /// Merges `other` (a profile another device exported) into this one; see the module
    /// documentation. `fresh_origin` names this device when it has no origin yet.
    pub fn merge(&mut self, other: &Profile, fresh_origin: u64, config: &ProfileConfig) {
        let origin = *self.origin.get_or_insert(fresh_origin);
        let mut snapshots = other.peers.clone();
        snapshots.push(other.own_part(config));
        for snapshot in snapshots.iter().filter(|s| s.origin != origin) {
            self.take_snapshot(snapshot, other, config);
        }
        self.take_decisions(other);
        self.unite_lists(other);
        self.first_ms = match (self.first_ms, other.first_ms) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        };
        self.last_ms = later(self.last_ms, other.last_ms);
        self.last_order_ms = later(self.last_order_ms, other.last_order_ms);
        if self.currency.is_none() {
            self.currency.clone_from(&other.currency);
        }
    }

    /// Applies what is new in one origin's snapshot, and keeps it (unless this profile
    /// already has that origin's snapshot as of the same time or later).
    fn take_snapshot(&mut self, snapshot: &Peer, file: &Profile, config: &ProfileConfig) {
        let known = self.peers.iter().position(|p| p.origin == snapshot.origin);
        if known.is_some_and(|i| self.peers[i].through_ms >= snapshot.through_ms) {
            return;
        }
        let old = known.map(|i| self.peers.remove(i)).unwrap_or_default();
        // What the shopper forgot here after that device learned it stays forgotten.
        let forgotten = self.decided.clone();
        let skip = |facet: &str, value: &str, a: &Affinity| {
            forgotten
                .iter()
                .any(|d| d.is(DecisionKind::Forgot, facet, value) && d.at_ms >= a.at_ms)
        };
        let mut new = snapshot.strongest(config.half_life_ms);
        for groups in [&mut new.taste, &mut new.prices, &mut new.sizes] {
            groups.retain(|f, v, a| !skip(f, v, a));
        }
        // Exactly what is kept is applied, so that the device's next file takes back
        // exactly what this one added: values beyond a snapshot's strongest were once
        // added whole and never taken back, and counted twice from the next file on.
        let (taste, by_category) = (Self::taste_bounds(config), Self::category_bounds(config));
        let none = |_: &str, _: &str, _: &Affinity| false;
        self.taste.combine(&new.taste, true, taste, &none);
        self.taste.combine(&old.taste, false, taste, &none);
        self.prices.combine(&new.prices, true, by_category, &none);
        self.prices.combine(&old.prices, false, by_category, &none);
        self.sizes.combine(&new.sizes, true, by_category, &none);
        self.sizes.combine(&old.sizes, false, by_category, &none);
        let more = |new: u64, old: u64| new.saturating_sub(old);
        self.events = self.events.saturating_add(more(new.events, old.events));
        self.visits = self.visits.saturating_add(more(new.visits, old.visits));
        self.orders = self.orders.saturating_add(more(new.orders, old.orders));
        self.spend += (new.spend - old.spend).max(0.0);
        for (id, orders, units) in &new.bought {
            let (was_orders, was_units) = old
                .bought
                .iter()
                .find(|(i, _, _)| i == id)
                .map_or((0, 0), |(_, o, u)| (*o, *u));
            let (orders, units) = (
                orders.saturating_sub(was_orders),
                units.saturating_sub(was_units),
            );
            if orders == 0 && units == 0 {
                continue;
            }
            let record = file.purchases.iter().find(|p| p.id == *id);
            let bought = match self.purchases.iter().position(|p| p.id == *id) {
                Some(i) => {
                    let mut mine = self.purchases.remove(i);
                    mine.orders = mine.orders.saturating_add(orders);
                    mine.units = mine.units.saturating_add(units);
                    if let Some(record) = record {
                        mine.first_ms = mine.first_ms.min(record.first_ms);
                        mine.last_ms = mine.last_ms.max(record.last_ms);
                    }
                    mine
                }
                None => match record {
                    Some(record) => Purchased {
                        orders: orders.max(1),
                        units,
                        ..record.clone()
                    },
                    None => continue,
                },
            };
            insert_newest_first(&mut self.purchases, bought, |p| p.last_ms, MAX_PURCHASED);
        }
        // The newest snapshots are kept.
        insert_newest_first(&mut self.peers, new, |p| p.through_ms, MAX_PEERS);
    }

    /// Statements, "not interested" and forgetting: the latest decision wins.
    fn take_decisions(&mut self, other: &Profile) {
        // Statements on either side, with their decision times (0 when not kept).
        let mut stated_keys: Vec<(String, String)> = other
            .stated
            .iter()
            .map(|(f, v, _)| (f.clone(), v.clone()))
            .collect();
        stated_keys.extend(
            other
                .decided
                .iter()
                .filter(|d| d.kind == DecisionKind::Stated as u32)
                .map(|d| (d.facet.clone(), d.value.clone())),
        );
        for (facet, value) in &stated_keys {
            let (mine_at, theirs_at) = (
                self.decided_at(DecisionKind::Stated, facet, value),
                other.decided_at(DecisionKind::Stated, facet, value),
            );
            let theirs = other.stated_weight(facet, value);
            let mine = self.stated_weight(facet, value);
            // On a tie, a statement wins over none, and the stronger liking over the other.
            let wins = theirs_at > mine_at
                || (theirs_at == mine_at && theirs.unwrap_or(f64::MIN) > mine.unwrap_or(f64::MIN));
            if wins {
                self.state(facet, value, theirs.unwrap_or(0.0));
                if theirs_at > 0.0 {
                    self.decide(DecisionKind::Stated, facet, value, theirs_at);
                }
            }
        }
        let mut hidden_keys: Vec<&str> = other.hidden.iter().map(String::as_str).collect();
        hidden_keys.extend(
            other
                .decided
                .iter()
                .filter(|d| d.kind == DecisionKind::Hidden as u32)
                .map(|d| d.value.as_str()),
        );
        for id in hidden_keys {
            let (mine_at, theirs_at) = (
                self.decided_at(DecisionKind::Hidden, "", id),
                other.decided_at(DecisionKind::Hidden, "", id),
            );
            let theirs = other.hidden.iter().any(|h| h == id);
            let mine = self.hidden.iter().any(|h| h == id);
            if theirs_at > mine_at || (theirs_at == mine_at && theirs && !mine) {
                match theirs {
                    true => self.hide(id),
                    false => self.hidden.retain(|h| h != id),
                }
                if theirs_at > 0.0 {
                    self.decide(DecisionKind::Hidden, "", id, theirs_at);
                }
            }
        }
        for d in other
            .decided
            .iter()
            .filter(|d| d.kind == DecisionKind::Forgot as u32)
        {
            if d.at_ms > self.decided_at(DecisionKind::Forgot, &d.facet, &d.value) {
                // Forgotten there after this device last learned it: forgotten here too.
                let newer_here = self
                    .learned(&d.facet, &d.value)
                    .is_some_and(|a| a.at_ms > d.at_ms);
                if !newer_here {
                    self.forget(&d.facet, &d.value);
                }
                self.decide(DecisionKind::Forgot, &d.facet, &d.value, d.at_ms);
            }
        }
        for d in other
            .decided
            .iter()
            .filter(|d| d.kind == DecisionKind::LeftCart as u32)
        {
            if d.at_ms > self.decided_at(DecisionKind::LeftCart, "", &d.value) {
                self.cart
                    .retain(|line| line.id != d.value || line.at_ms > d.at_ms);
                self.decide(DecisionKind::LeftCart, "", &d.value, d.at_ms);
            }
        }
    }

    fn stated_weight(&self, facet: &str, value: &str) -> Option<f64> {
        self.stated
            .iter()
            .find(|(f, v, _)| f == facet && v == value)
            .map(|(_, _, w)| *w)
    }

    /// Recent lists, the cart, taught products and impressions, united by time.
    fn unite_lists(&mut self, other: &Profile) {
        for (id, at) in &other.viewed {
            note_recent(&mut self.viewed, id, *at, MAX_VIEWED);
        }
        for (query, at) in &other.searches {
            note_recent(&mut self.searches, query, *at, MAX_SEARCHES);
        }
        for line in &other.cart {
            if self.decided_at(DecisionKind::LeftCart, "", &line.id) >= line.at_ms {
                continue;
            }
            match self.cart.iter().position(|mine| mine.id == line.id) {
                Some(i) if self.cart[i].at_ms > line.at_ms => {}
                Some(i) if self.cart[i].at_ms == line.at_ms => {
                    self.cart[i].quantity = self.cart[i].quantity.max(line.quantity);
                }
                Some(i) => {
                    self.cart.remove(i);
                    insert_newest_first(&mut self.cart, line.clone(), |l| l.at_ms, MAX_CART);
                }
                None => insert_newest_first(&mut self.cart, line.clone(), |l| l.at_ms, MAX_CART),
            }
        }
        // A product bought on either side (the purchases are merged by now) has left the
        // cart.
        let purchases = &self.purchases;
        let bought_after = |line: &CartLine| {
            purchases
                .iter()
                .any(|p| p.id == line.id && p.last_ms >= line.at_ms)
        };
        self.cart.retain(|line| !bought_after(line));
        for product in &other.taught {
            match self.taught.iter().position(|t| t.id == product.id) {
                Some(i) => {
                    let mine = &mut self.taught[i];
                    if (product.at_ms, product.events) > (mine.at_ms, mine.events) {
                        let values = std::mem::take(&mut mine.values);
                        *mine = product.clone();
                        if mine.values.is_empty() {
                            mine.values = values;
                        }
                    }
                }
                None => {
                    // Oldest first, as learning keeps it.
                    let at = self
                        .taught
                        .iter()
                        .take_while(|t| t.at_ms <= product.at_ms)
                        .count();
                    self.taught.insert(at, product.clone());
                }
            }
        }
        keep_last(&mut self.taught, MAX_TAUGHT);
        for (id, day, count) in &other.impressions {
            match self
                .impressions
                .iter_mut()
                .find(|(i, d, _)| i == id && d == day)
            {
                Some((_, _, mine)) => *mine = (*mine).max(*count),
                None => self.impressions.push((id.clone(), *day, *count)),
            }
        }
        keep_last(&mut self.impressions, MAX_IMPRESSIONS);
    }

    /// Repairs the merge records read back from storage; returns how many were dropped.
    pub(super) fn sanitize_merge(&mut self, config: &ProfileConfig) -> usize {
        let before = self.peers.len() + self.decided.len();
        // No device is named 0 (it stands for none in a snapshot).
        let mut dropped = usize::from(self.origin == Some(0));
        self.origin = self.origin.filter(|origin| *origin != 0);
        let (taste, by_category) = (Self::taste_bounds(config), Self::category_bounds(config));
        self.peers.retain(|p| {
            p.origin != 0
                && valid_time(p.through_ms)
                && p.spend.is_finite()
                && p.spend >= 0.0
                && p.bought.iter().all(|(id, _, _)| valid_label(id))
        });
        self.peers.truncate(MAX_PEERS);
        for peer in &mut self.peers {
            dropped += peer.taste.sanitize(valid_facet_name, taste);
            dropped += peer.prices.sanitize(valid_label, by_category);
            dropped += peer.sizes.sanitize(valid_label, by_category);
        }
        self.decided.retain(|d| {
            d.kind <= DecisionKind::LeftCart as u32
                && (d.facet.is_empty() || valid_facet_name(&d.facet))
                && valid_label(&d.value)
                && valid_time(d.at_ms)
        });
        self.decided.truncate(MAX_DECIDED);
        dropped + before - self.peers.len() - self.decided.len()
    }
}
