//! The shop's rules after scoring: diversity, exploration and pins.

use super::*;

/// Greedy re-selection: each next product is the best by score minus a penalty for
/// sharing the previous product's brand (twice the score span, times `diversity`) or
/// category (a quarter of it). Scores are sorted, so the scan stops as soon as no later
/// product can win.
pub(super) fn diversify(order: Vec<RankedRow>, rows: &[Row], diversity: f64) -> Vec<RankedRow> {
    let (low, high) = order
        .iter()
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), r| {
            (lo.min(r.score), hi.max(r.score))
        });
    let span = (high - low).max(1e-9) * diversity;
    let mut taken = vec![false; order.len()];
    let mut result = Vec::with_capacity(order.len());
    let mut head = 0;
    let mut previous: Option<&Record> = None;
    let same = |a: Id, b: Id| f64::from(u8::from(a != NONE && a == b));
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
            let record = &rows[candidate.index].record;
            let penalty = previous.map_or(0.0, |p| {
                2.0 * same(p.brand, record.brand) + 0.25 * same(p.category, record.category)
            });
            let adjusted = candidate.score - span * penalty;
            if best.is_none_or(|(_, b)| adjusted > b) {
                best = Some((i, adjusted));
            }
        }
        let Some((i, _)) = best else { break };
        taken[i] = true;
        previous = Some(&rows[order[i].index].record);
        result.push(order[i]);
    }
    result
}

/// Gives about `exploration` of the positions to products the shopper has not viewed,
/// each drawn (by `seed`) from the next few such products.
pub(super) fn explore(
    order: &mut [RankedRow],
    viewed: &dyn Fn(usize) -> bool,
    options: &RankOptions,
) {
    // Not viewed, not in the cart, and not held back or out of stock.
    let unseen = |r: &RankedRow| {
        !matches!(
            r.reason,
            Reason::Viewed
                | Reason::InCart
                | Reason::NotInterested
                | Reason::BoughtRecently
                | Reason::OutOfStock
        ) && !viewed(r.index)
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
        order[position].value = NONE;
    }
}

/// Moves pinned products to their positions, lowest position first; a pin beyond the
/// end lands last, and of two pins on one position the earlier candidate wins it.
pub(super) fn pin(order: &mut Vec<RankedRow>, rows: &[Row]) {
    let key = |r: &RankedRow| (rows[r.index].pin, r.index);
    let mut pinned: Vec<RankedRow> = order
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
        order.insert(
            at,
            RankedRow {
                reason: Reason::Pinned,
                value: NONE,
                ..ranked
            },
        );
        next_free = at + 1;
    }
}
