//! The profile as dense tables over a catalog's ids, and one product's personal score.

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

    pub(super) fn mark(&self, key: Id) -> Mark {
        self.marks
            .binary_search_by_key(&key, |(id, _)| *id)
            .map_or(Mark::default(), |i| self.marks[i].1)
    }
}

/// The profile's view of one product.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) struct Personal {
    /// 0 or more: affinity, statements, and having viewed it or put it in the cart.
    pub(super) score: f64,
    /// What contributed most, and the facet value it is about.
    pub(super) reason: Reason,
    pub(super) value: Id,
    /// The shopper said "not interested" to it or to one of its values.
    pub(super) dismissed: bool,
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
