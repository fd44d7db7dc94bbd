//! The profile as dense tables over a catalog's ids, and one product's personal score.

use std::cell::Cell;

use super::*;

/// What the profile says about one product, found once per rank.
#[derive(Debug, Clone, Copy, Default)]
pub(super) struct Mark {
    /// Position among the recently viewed (newest 0) and when.
    pub(super) viewed: Option<(u32, f64)>,
    pub(super) in_cart: bool,
    pub(super) hidden: bool,
    /// Orders that held it and the latest one's time.
    pub(super) bought: Option<(u32, f64)>,
    /// Place among the last products interacted with (newest 0), events on it, and when
    /// the latest was.
    pub(super) taught: Option<(u32, u32, f64)>,
}

/// The profile as dense tables over a catalog's ids, built once per rank: scoring a
/// product is then array reads, with no string in sight.
pub(super) struct Dense {
    /// By value id: the relative affinity, the stated weights' sum and largest one, and
    /// whether one of them is "not interested".
    pub(super) relative: Vec<f64>,
    pub(super) stated: Vec<(f64, f64, bool)>,
    /// By product id, sorted.
    pub(super) marks: Vec<(Id, Mark)>,
    pub(super) confidence: f64,
    pub(super) now_ms: f64,
    pub(super) size_facet: Option<u32>,
    pub(super) model: Model,
    /// The gate's features but the list's counts (see [`Model`]): 1, the return rate,
    /// activity, whether the last action was a repeat.
    pub(super) session: [f64; GATE],
    /// With the shop's priors: what ranking with them needs.
    pub(super) priors: Option<DensePriors>,
}

/// The shop's priors' table, the shopper's strongest interests (value id and relative
/// share), and per value id its prior and the interest it comes from, found on first
/// use (NaN: not yet).
pub(super) struct DensePriors {
    table: std::rc::Rc<[f32]>,
    interests: Vec<(Id, f64)>,
    known: Vec<Cell<(f32, Id)>>,
}

impl Dense {
    pub(super) fn new(snapshot: &Snapshot, catalog: &Catalog) -> Dense {
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
        for (place, t) in snapshot.taught.iter().rev().enumerate() {
            mark(&t.id, &mut |m| {
                m.taught = Some((place as u32, t.events, t.at_ms))
            });
        }
        // One mark per product: the entries merge, the first viewed position kept. The
        // entries are ordered by one integer key each (product id, then the entry's
        // place), not moved by a comparison sort: sorting the marks themselves was a
        // sixth of ranking 100 products.
        // (u128 like ranking's keys: one sort in the module.)
        let mut order: Vec<u128> = marks
            .iter()
            .enumerate()
            .map(|(at, (id, _))| u128::from(*id) << 32 | at as u128)
            .collect();
        super::rows::sort_keys(&mut order);
        let mut merged: Vec<(Id, Mark)> = Vec::with_capacity(marks.len());
        for key in order {
            let (id, later) = marks[key as u32 as usize];
            match merged.last_mut() {
                Some((kept_id, kept)) if *kept_id == id => {
                    kept.viewed = kept.viewed.or(later.viewed);
                    kept.in_cart |= later.in_cart;
                    kept.hidden |= later.hidden;
                    kept.bought = kept.bought.or(later.bought);
                    kept.taught = kept.taught.or(later.taught);
                }
                _ => merged.push((id, later)),
            }
        }
        let marks = merged;
        let taught = snapshot.taught;
        let returning = taught.iter().filter(|t| t.events > 1).count() as f64;
        let return_rate = returning / (taught.len().max(1) as f64);
        let activity = snapshot.last_ms.map_or(0.0, |last| {
            decay(1.0, last, snapshot.now_ms, SESSION_HALF_LIFE_MS)
        });
        let last_repeat = taught
            .last()
            .map_or(0.0, |t| f64::from(u8::from(t.events > 1)));
        let priors = snapshot.priors.clone().map(|table| {
            let interests = strongest(&relative);
            let unknown = Cell::new((f32::NAN, NONE));
            let known = vec![unknown; relative.len()];
            DensePriors {
                table,
                interests,
                known,
            }
        });
        Dense {
            priors,
            relative,
            stated,
            marks,
            confidence: snapshot.confidence,
            now_ms: snapshot.now_ms,
            size_facet: catalog.find_facet(SIZE),
            model: snapshot.model,
            session: [1.0, return_rate, activity, last_repeat, 0.0, 0.0],
        }
    }

    /// The prior of value `id` and the shopper's interest it comes from: the strongest of
    /// `share(u) · table[pair(u, id)]` over the shopper's interests `u` ([`NONE`]: none).
    pub(super) fn prior(&self, id: Id, catalog: &Catalog) -> (f32, Id) {
        let Some(DensePriors {
            table,
            interests,
            known,
        }) = &self.priors
        else {
            return (0.0, NONE);
        };
        let Some(slot) = known.get(id as usize) else {
            return (0.0, NONE);
        };
        if !slot.get().0.is_nan() {
            return slot.get();
        }
        let mut best = (0.0, NONE);
        if let Some(value) = catalog.describe(id) {
            for (interest, share) in interests.iter().filter(|(u, _)| *u != id) {
                let Some(other) = catalog.describe(*interest) else {
                    continue;
                };
                let count = table[crate::federated::pair_bucket(other, value)];
                let score = *share as f32 * count;
                if score > best.0 {
                    best = (score, *interest);
                }
            }
        }
        slot.set(best);
        best
    }

    pub(super) fn mark(&self, key: Id) -> Mark {
        self.marks
            .binary_search_by_key(&key, |(id, _)| *id)
            .map_or(Mark::default(), |i| self.marks[i].1)
    }
}

/// The value ids of the shopper's strongest interests with their relative shares, as a
/// contribution draws its pairs from (`federated::PAIR_FROM`; selection, no sort).
fn strongest(relative: &[f64]) -> Vec<(Id, f64)> {
    let mut strongest: Vec<(Id, f64)> = Vec::new();
    for (id, share) in relative.iter().enumerate().filter(|(_, s)| **s > 0.0) {
        let at = strongest
            .iter()
            .position(|(_, s)| share > s)
            .unwrap_or(strongest.len());
        if at < crate::federated::PAIR_FROM {
            strongest.insert(at, (id as Id, *share));
            strongest.truncate(crate::federated::PAIR_FROM);
        }
    }
    strongest
}

/// The profile's view of one product: its features, and the values they are about.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) struct Personal {
    /// `base` and `similar` are filled in by the caller, which knows the list.
    pub(super) features: RowFeatures,
    /// Per facet group (category, brand, price band, other facets) the value that
    /// counted most, and the stated value liked most ([`NONE`] for none).
    pub(super) values: [Id; 4],
    pub(super) stated_value: Id,
    /// The shopper's interest the product's prior comes from ([`NONE`]: none).
    pub(super) prior_value: Id,
    /// The shopper said "not interested" to it or to one of its values.
    pub(super) dismissed: bool,
}

impl Personal {
    /// The reason for a score: for a product the shopper goes back to, that (viewed
    /// only when it was viewed); for another, the explore feature that lifted it most
    /// above the list's average (`mean`: what every product shares, such as the
    /// category of a category page, moves none of them), with the profile's value it is
    /// about, or the shop's order when the base score did. Interest and stated reasons
    /// name a value the shopper acted on or stated.
    pub(super) fn reason(&self, model: &Model, mark: Mark, mean: &[f64; EXPLORE]) -> (Reason, Id) {
        if self.features.returned {
            let reason = if mark.viewed.is_some() {
                Reason::Viewed
            } else if mark.in_cart {
                Reason::InCart
            } else {
                Reason::Returned
            };
            return (reason, NONE);
        }
        let part = |i: usize| model.weights[i] * (self.features.explore[i] - mean[i]);
        // Below this, a lift is rounding (a value every product shares).
        const LIFT: f64 = 1e-6;
        let mut best = (part(BASE).max(LIFT), Reason::ShopOrder, NONE);
        let mut consider = |contribution: f64, reason: Reason, value: Id| {
            if contribution > best.0 {
                best = (contribution, reason, value);
            }
        };
        for (group, value) in self.values.iter().enumerate() {
            if *value != NONE {
                consider(part(CATEGORY + group), Reason::Interest(0), *value);
            }
        }
        if self.stated_value != NONE {
            consider(part(STATED), Reason::Stated(0), self.stated_value);
        }
        consider(part(SIMILAR), Reason::Similar, NONE);
        if self.prior_value != NONE {
            consider(part(PRIOR), Reason::SharedInterest, self.prior_value);
        }
        (best.1, best.2)
    }
}

/// A category and its parents, root first (at most four levels).
pub(super) fn category_chain(category: Id, catalog: &Catalog) -> ([Id; 4], usize) {
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

/// Category, brand and price band: the facets every product may have.
const BUILT_IN_FACETS: usize = 3;

pub(super) fn personal_score(
    row: &Row,
    mark: Mark,
    catalog: &Catalog,
    extras: &[Id],
    dense: &Dense,
) -> Personal {
    let record = &row.record;
    let mut dismissed = mark.hidden;
    // Per facet the best value (a category or one of its parents, discounted by level);
    // the shop's other facets count as groups of consecutive values of one facet,
    // averaged, so a product with many tags does not outrank one with few.
    let mut built_in = [(0.0, NONE); 3];
    let (mut other_sum, mut others, mut other_best) = (0.0, 0u32, (0.0, NONE));
    let mut current: Option<(u32, f64)> = None;
    let (mut stated, mut stated_best) = (0.0, (0.0, NONE));
    let mut prior: (f32, Id) = (0.0, NONE);
    let mut flush = |current: Option<(u32, f64)>| {
        if let Some((facet, score)) = current {
            if facet as usize >= BUILT_IN_FACETS {
                other_sum += score;
                others += 1;
            }
        }
    };
    let mut visit = |facet: u32, id: Id, share: f64, built_in: &mut [(f64, Id); 3]| {
        let score = share * dense.relative[id as usize];
        if dense.priors.is_some() {
            let found = dense.prior(id, catalog);
            if found.0 > prior.0 {
                prior = found;
            }
        }
        match built_in.get_mut(facet as usize) {
            Some(slot) if score > slot.0 => *slot = (score, id),
            Some(_) => {}
            None if score > other_best.0 => other_best = (score, id),
            None => {}
        }
        if let Some((sum, largest, dismissing)) = dense.stated.get(id as usize) {
            if *largest > f64::NEG_INFINITY {
                stated += sum;
                dismissed |= dismissing;
                if *largest > stated_best.0 {
                    stated_best = (*largest, id);
                }
            }
        }
        match &mut current {
            Some((f, kept)) if *f == facet => *kept = kept.max(score),
            _ => {
                flush(current);
                current = Some((facet, score));
            }
        }
    };
    let (chain, levels) = category_chain(record.category, catalog);
    for (i, id) in chain[..levels].iter().enumerate() {
        let share = crate::profile::ROLLUP.powi((levels - 1 - i) as i32);
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
    flush(current);
    let mut features = RowFeatures::default();
    let explore = &mut features.explore;
    for (i, (score, _)) in built_in.iter().enumerate() {
        explore[CATEGORY + i] = dense.confidence * score;
    }
    if others > 0 {
        explore[OTHER_FACETS] = dense.confidence * other_sum / f64::from(others);
    }
    explore[STATED] = stated;
    explore[PRIOR] = f64::from(prior.0);
    let repeat = &mut features.repeat;
    if let Some((place, events, _)) = mark.taught {
        features.returned = true;
        repeat[RETURNED] = RETURN_FALLOFF.powi(place as i32);
        repeat[RETURNED_LAST] = f64::from(u8::from(place == 0));
        repeat[INTERACTIONS] = ln_1p(f64::from(events));
    }
    if let Some((position, at)) = mark.viewed {
        let recency = decay(1.0, at, dense.now_ms, SESSION_HALF_LIFE_MS);
        repeat[VIEWED] = recency * VIEWED_FALLOFF.powi(position as i32);
    }
    repeat[IN_CART] = f64::from(u8::from(mark.in_cart));
    features.returned |= mark.viewed.is_some() || mark.in_cart;
    let values = [built_in[0].1, built_in[1].1, built_in[2].1, other_best.1];
    Personal {
        features,
        values,
        stated_value: stated_best.1,
        prior_value: prior.1,
        dismissed,
    }
}
