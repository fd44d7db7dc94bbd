//! Ranking rows of interned ids: the one scoring implementation, and likeness.

use super::*;

/// The shop's score for the product at `index` when it gives only an order.
pub fn position_score(index: usize) -> f64 {
    1.0 / ((index + 1) as f64).sqrt()
}

/// One product to rank as numbers (see [`Record`]) and what the shop says about it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Row {
    pub record: Record,
    pub base: Option<f64>,
    pub boost: f64,
    pub pin: Option<u32>,
    pub in_stock: bool,
    pub consumable: bool,
}

impl Row {
    fn validate(&self, index: usize, catalog: &Catalog, extras: &[Id]) -> Result<()> {
        self.check(catalog, extras)
            .map_err(|reason| Error::InvalidProduct(at_index(index, &reason)))
    }

    /// A boost the shop may give: a number from 0 to [`MAX_BOOST`].
    fn boost_ok(&self) -> bool {
        self.boost.is_finite() && (0.0..=MAX_BOOST).contains(&self.boost)
    }

    /// Checks the row against the catalog its ids come from; why it is not valid.
    pub fn check(&self, catalog: &Catalog, extras: &[Id]) -> std::result::Result<(), String> {
        self.record.validate(catalog, extras)?;
        if self.base.is_none_or(f64::is_finite) && self.boost_ok() {
            return Ok(());
        }
        Err("score must be a finite number, boost a number from 0 to 1000".into())
    }

    /// The row of a product that could not be read: the shop's position and rules only
    /// (a score or boost that is not a number is dropped too).
    pub fn unread(&self) -> Row {
        Row {
            record: Record::UNREAD,
            base: self.base.filter(|b| b.is_finite()),
            boost: if self.boost_ok() { self.boost } else { 1.0 },
            ..*self
        }
    }
}

/// One ranked row: its position in the input, final score, main reason, and the facet
/// value a [`Reason::Stated`] or [`Reason::Interest`] is about ([`NONE`] otherwise).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RankedRow {
    pub index: usize,
    pub score: f64,
    pub reason: Reason,
    pub value: Id,
}

/// Deterministic pseudo-random number in `[0, 1)` for exploration.
pub(super) fn unit(seed: f64, position: usize, salt: u64) -> f64 {
    // SplitMix64 of the three inputs.
    let mut z =
        ((seed as u64) << 32 ^ (position as u64) << 1 ^ salt).wrapping_add(0x9e37_79b9_7f4a_7c15);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^= z >> 31;
    (z >> 11) as f64 / (1u64 << 53) as f64
}

/// A list of rows with the catalog their ids come from.
#[derive(Clone, Copy)]
pub struct Rows<'a> {
    pub rows: &'a [Row],
    pub extras: &'a [Id],
    pub catalog: &'a Catalog,
}

/// What scoring a list needs once: the profile as dense tables, each row's marks, the
/// anchors of "like what you just viewed", and the range of the shop's scores.
struct Scorer<'a> {
    list: Rows<'a>,
    dense: Option<Dense>,
    marks: Vec<Mark>,
    /// What likeness reads of each anchor, and the anchor's weight.
    anchors: Vec<(Likeness<'a>, f64)>,
    low: f64,
    span: f64,
    /// Each row's place in the shop's order: by its score when the shop gives scores,
    /// else its position. The model's `base` feature is read from it, so scored lists
    /// and ordered ones look alike to the model (it was fit on orders).
    places: Vec<u32>,
}

impl<'a> Scorer<'a> {
    /// Checks the options and every row (an `invalid_product` naming the first that is
    /// not one), then prepares what scoring the list needs.
    fn new(list: Rows<'a>, options: &RankOptions, snapshot: Option<&Snapshot>) -> Result<Self> {
        let Rows {
            rows,
            extras,
            catalog,
        } = list;
        options.validate()?;
        for (index, row) in rows.iter().enumerate() {
            row.validate(index, catalog, extras)?;
        }
        let dense = snapshot
            .filter(|_| options.strength > 0.0)
            .map(|s| Dense::new(s, catalog));
        let marks: Vec<Mark> = match &dense {
            Some(dense) => rows.iter().map(|r| dense.mark(r.record.key)).collect(),
            None => Vec::new(),
        };
        // The shop's scores, scaled to [0, 1] over the list.
        let (low, high) = rows
            .iter()
            .filter_map(|r| r.base)
            .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), b| {
                (lo.min(b), hi.max(b))
            });
        let span = (high - low).max(f64::MIN_POSITIVE);
        // Recently viewed products among the candidates anchor "more like this": per
        // position among the viewed, the first candidate that is that product.
        let mut anchors: Vec<(Likeness, f64)> = Vec::new();
        if let Some(dense) = &dense {
            let mut first = [usize::MAX; 20];
            for (i, mark) in marks.iter().enumerate() {
                if let Some((position, _)) = mark.viewed {
                    // "Not interested" asks for nothing like it.
                    if !mark.hidden && (position as usize) < first.len() {
                        let slot = &mut first[position as usize];
                        *slot = (*slot).min(i);
                    }
                }
            }
            for (position, i) in first.iter().enumerate().filter(|(_, i)| **i != usize::MAX) {
                let at = marks[*i].viewed.map_or(0.0, |(_, at)| at);
                let recency = decay(1.0, at, dense.now_ms, SESSION_HALF_LIFE_MS);
                let weight = recency * ANCHOR_FALLOFF.powi(position as i32);
                anchors.push((Likeness::of(&rows[*i].record, list), weight));
                if anchors.len() == MAX_ANCHORS {
                    break;
                }
            }
        }
        let mut places: Vec<u32> = (0..rows.len() as u32).collect();
        if dense.is_some() && rows.iter().any(|r| r.base.is_some()) {
            // Highest score first, ties in the shop's order: one integer key per row, as
            // the final order is sorted (`total_cmp`'s order, flipped).
            let mut by_score: Vec<u128> = rows
                .iter()
                .enumerate()
                .map(|(at, r)| {
                    u128::from(highest_first(r.base.unwrap_or(f64::NEG_INFINITY))) << 32
                        | at as u128
                })
                .collect();
            sort_keys(&mut by_score);
            for (place, key) in by_score.iter().enumerate() {
                places[*key as u32 as usize] = place as u32;
            }
        }
        Ok(Scorer {
            list,
            dense,
            marks,
            anchors,
            low,
            span,
            places,
        })
    }

    /// The shop's score of the row at `index` in `[0, 1]`, or its position's.
    fn base(&self, index: usize, row: &Row) -> f64 {
        row.base
            .map_or_else(|| position_score(index), |b| (b - self.low) / self.span)
    }

    /// The row's features (base and likeness included) and the values they are about.
    fn personal(&self, index: usize, row: &Row, dense: &Dense) -> Personal {
        let Rows {
            extras, catalog, ..
        } = self.list;
        let mark = self.marks[index];
        let mut p = personal_score(row, mark, catalog, extras, dense);
        // The log of the place's score: a softmax of it is a power law over the shop's order.
        p.features.explore[BASE] = -0.5 * ln_1p(self.places[index] as f64);
        // Products the shopper goes back to score by that, not by likeness.
        if !p.features.returned && !self.anchors.is_empty() {
            let this = Likeness::of(&row.record, self.list);
            p.features.explore[SIMILAR] = self
                .anchors
                .iter()
                .map(|(anchor, w)| w * anchor.to(&this))
                .fold(0.0, f64::max);
        }
        p
    }

    /// Every row's features, and the list's gate features.
    fn all_personal(&self, dense: &Dense) -> (Vec<Personal>, [f64; GATE]) {
        let personal: Vec<Personal> = self
            .list
            .rows
            .iter()
            .enumerate()
            .map(|(index, row)| self.personal(index, row, dense))
            .collect();
        let returned = personal.iter().filter(|p| p.features.returned).count();
        let mut gate = dense.session;
        gate[GATE - 2] = ln_1p(returned as f64);
        gate[GATE - 1] = ln_1p((personal.len() - returned) as f64);
        (personal, gate)
    }
}

/// Each row's model features and the list's gate features, as ranking computes them:
/// what `shelfwise fit` learns the model from. `None` without a profile.
pub fn features_rows(
    list: Rows,
    options: &RankOptions,
    snapshot: Option<&Snapshot>,
) -> Result<Option<(Vec<RowFeatures>, [f64; GATE])>> {
    let scorer = Scorer::new(list, options, snapshot)?;
    Ok(scorer.dense.as_ref().map(|dense| {
        let (personal, gate) = scorer.all_personal(dense);
        (personal.iter().map(|p| p.features).collect(), gate)
    }))
}

/// A ranked list as its model saw it, for federated learning: each product's key and
/// features, and the list's gate features.
#[derive(Debug, Clone, Default)]
pub struct KeptList {
    pub keys: Vec<Id>,
    pub features: Vec<RowFeatures>,
    pub gate: [f64; GATE],
}

/// Reorders `rows` (given in the shop's order). Without a profile snapshot (no consent,
/// or nothing learned) only the shop's scores and rules apply. `like` ranks by likeness
/// to that record instead of the shop's scores (see [`similar_rows`]).
pub fn rank_rows(
    list: Rows,
    options: &RankOptions,
    snapshot: Option<&Snapshot>,
) -> Result<Vec<RankedRow>> {
    rank_rows_keeping(list, options, snapshot, None)
}

/// [`rank_rows`], keeping what the model saw in `kept` (left empty without a profile).
pub fn rank_rows_keeping(
    list: Rows,
    options: &RankOptions,
    snapshot: Option<&Snapshot>,
    kept: Option<&mut KeptList>,
) -> Result<Vec<RankedRow>> {
    let rows = list.rows;
    let scorer = Scorer::new(list, options, snapshot)?;
    let Scorer { dense, marks, .. } = &scorer;
    // The model's probabilities need the whole list: features first, then scores.
    let (personal, probability, mean) = match dense {
        Some(dense) => {
            let (personal, gate) = scorer.all_personal(dense);
            let mut probability = Vec::new();
            dense.model.probabilities(
                &personal,
                |p: &Personal| &p.features,
                &gate,
                &mut probability,
            );
            if let Some(kept) = kept {
                kept.keys.extend(rows.iter().map(|r| r.record.key));
                kept.features.extend(personal.iter().map(|p| p.features));
                kept.gate = gate;
            }
            // The explore features' average over the products explored, for reasons.
            let mut mean = [0.0; EXPLORE];
            let mut count = 0.0;
            for p in personal.iter().filter(|p| !p.features.returned) {
                count += 1.0;
                for (m, x) in mean.iter_mut().zip(&p.features.explore) {
                    *m += x;
                }
            }
            for m in &mut mean {
                *m /= f64::max(count, 1.0);
            }
            (personal, probability, mean)
        }
        None => (Vec::new(), Vec::new(), [0.0; EXPLORE]),
    };
    // (group, ranked): group 0 ranks normally, 1 is held back, 2 is out of stock.
    let mut ranked: Vec<(u8, RankedRow)> = Vec::with_capacity(rows.len());
    for (index, row) in rows.iter().enumerate() {
        let in_stock = row.in_stock || options.out_of_stock == OutOfStock::Keep;
        if !in_stock && options.out_of_stock == OutOfStock::Hide {
            continue;
        }
        let base = scorer.base(index, row);
        let (mut group, mut score, mut reason, mut value) = (0, base, Reason::ShopOrder, NONE);
        if let Some(dense) = dense {
            let mark = marks[index];
            let p = &personal[index];
            score = (1.0 - options.strength) * base + options.strength * probability[index];
            (reason, value) = p.reason(&dense.model, mark, &mean);
            let bought_recently = !row.consumable
                && mark.bought.is_some_and(|(orders, last_ms)| {
                    let since = dense.now_ms - last_ms;
                    orders < 2
                        && since >= BOUGHT_GRACE_MS
                        && since < options.bought_within_days * 86_400_000.0
                });
            if p.dismissed {
                (group, reason, value) = (1, Reason::NotInterested, NONE);
            } else if bought_recently {
                (group, reason, value) = (1, Reason::BoughtRecently, NONE);
            }
        }
        score *= row.boost;
        if row.boost > 1.0 && group == 0 && matches!(reason, Reason::ShopOrder) {
            reason = Reason::Promoted;
        }
        if !in_stock {
            (group, reason, value) = (2, Reason::OutOfStock, NONE);
        }
        ranked.push((
            group,
            RankedRow {
                index,
                score,
                reason,
                value,
            },
        ));
    }
    // Group, then score (highest first), then the shop's order, as one integer key per
    // product: sorting 16-byte keys is three times faster than sorting the rows with a
    // comparator (std's size-optimised sort is a heapsort). Scores are never negative,
    // so their bits order as the numbers do.
    let mut keys: Vec<u128> = ranked
        .iter()
        .enumerate()
        .map(|(at, (group, r))| {
            let bits = if r.score > 0.0 { r.score.to_bits() } else { 0 };
            u128::from(*group) << 96 | u128::from(u64::MAX - bits) << 32 | at as u128
        })
        .collect();
    sort_keys(&mut keys);
    let mut order: Vec<RankedRow> = keys.iter().map(|k| ranked[*k as u32 as usize].1).collect();
    if options.diversity > 0.0 {
        order = diversify(order, rows, options.diversity);
    }
    if dense.is_some() && options.exploration > 0.0 {
        let viewed = |index: usize| marks[index].viewed.is_some();
        explore(&mut order, &viewed, options);
    }
    pin(&mut order, rows);
    Ok(order)
}

/// Ranks `list` by how much each is like `anchor` (the product on the page),
/// personalized like any list: [`similarity_of`] takes the place of the shop's score
/// (its order breaks ties). The anchor itself is left out.
pub fn similar_rows(
    anchor: &Record,
    list: Rows,
    options: &RankOptions,
    snapshot: Option<&Snapshot>,
) -> Result<Vec<RankedRow>> {
    let scored: Vec<Row> = list
        .rows
        .iter()
        .map(|r| Row {
            base: Some(similarity_of(anchor, &r.record, list)),
            ..*r
        })
        .collect();
    let mut ranked = rank_rows(
        Rows {
            rows: &scored,
            ..list
        },
        options,
        snapshot,
    )?;
    ranked.retain(|r| list.rows[r.index].record.key != anchor.key);
    for r in &mut ranked {
        if r.reason == Reason::ShopOrder {
            r.reason = Reason::LikeThis;
        }
    }
    Ok(ranked)
}

/// How alike two products are, in `[0, 1]`: the same brand, a close price (within a
/// factor of two counts, identical counts fully), the same category (or its parent) and
/// shared facet values, each weighted and averaged over what both products have.
pub fn similarity_of(a: &Record, b: &Record, list: Rows) -> f64 {
    Likeness::of(a, list).to(&Likeness::of(b, list))
}

/// What likeness reads of one product, looked up once: ranking compares every
/// candidate with up to [`MAX_ANCHORS`] recently viewed ones.
#[derive(Clone, Copy)]
pub struct Likeness<'a> {
    brand: Id,
    price: Option<f64>,
    category: Id,
    parent: Id,
    extras: &'a [Id],
}

impl<'a> Likeness<'a> {
    pub fn of(record: &Record, list: Rows<'a>) -> Self {
        let parent = match record.category {
            NONE => NONE,
            category => list.catalog.parent(category),
        };
        Likeness {
            brand: record.brand,
            price: record.price(),
            category: record.category,
            parent,
            extras: record.extras(list.extras),
        }
    }

    /// [`similarity_of`] the two products.
    pub fn to(&self, other: &Likeness) -> f64 {
        let (a, b) = (self, other);
        let mut total = 0.0;
        let mut weights = 0.0;
        let mut part = |weight: f64, score: Option<f64>| {
            if let Some(score) = score {
                total += weight * score;
                weights += weight;
            }
        };
        let both = |x: Id, y: Id| (x != NONE && y != NONE).then_some((x, y));
        part(
            0.45,
            both(a.brand, b.brand).map(|(x, y)| f64::from(u8::from(x == y))),
        );
        // 1 for the same price, falling linearly with the price ratio to 0 at 0.375 (one
        // price about e times the other).
        part(
            0.35,
            a.price.zip(b.price).map(|(x, y)| {
                let ratio = x.min(y).max(0.01) / x.max(y).max(0.01);
                (1.6 * ratio - 0.6).max(0.0)
            }),
        );
        part(
            0.2,
            both(a.category, b.category).map(|(x, y)| {
                if x == y {
                    1.0
                } else if a.parent != NONE && a.parent == b.parent {
                    0.5
                } else {
                    0.0
                }
            }),
        );
        let (fa, fb) = (a.extras, b.extras);
        if !fa.is_empty() || !fb.is_empty() {
            let shared = fa.iter().filter(|f| fb.contains(f)).count();
            let union = fa.len() + fb.len() - shared;
            part(0.25, Some(shared as f64 / union.max(1) as f64));
        }
        if weights > 0.0 {
            total / weights
        } else {
            0.0
        }
    }
}

/// A score as an integer that orders as [`f64::total_cmp`] does, reversed: the highest
/// score gets the smallest key.
fn highest_first(score: f64) -> u64 {
    let bits = score.to_bits();
    let ascending = if bits >> 63 == 1 {
        !bits
    } else {
        bits | 1 << 63
    };
    !ascending
}

/// Sorts distinct keys ascending: runs of [`RUN`] by insertion, then a bottom-up merge.
/// std's sort, built for size (`optimize_for_size`), is a heapsort, which was a sixth of
/// ranking a list of 1,000; this is about twice as fast for a few hundred bytes.
pub(super) fn sort_keys(keys: &mut Vec<u128>) {
    const RUN: usize = 8;
    let n = keys.len();
    for run in keys.chunks_mut(RUN) {
        for i in 1..run.len() {
            let mut j = i;
            while j > 0 && run[j - 1] > run[j] {
                run.swap(j - 1, j);
                j -= 1;
            }
        }
    }
    if n <= RUN {
        return;
    }
    let mut from = std::mem::take(keys);
    let mut to = vec![0u128; n];
    let mut width = RUN;
    while width < n {
        for start in (0..n).step_by(2 * width) {
            let mid = (start + width).min(n);
            let end = (start + 2 * width).min(n);
            let (mut i, mut j) = (start, mid);
            for slot in &mut to[start..end] {
                if j >= end || (i < mid && from[i] < from[j]) {
                    *slot = from[i];
                    i += 1;
                } else {
                    *slot = from[j];
                    j += 1;
                }
            }
        }
        std::mem::swap(&mut from, &mut to);
        width *= 2;
    }
    *keys = from;
}

#[cfg(test)]
mod tests {
    use super::{highest_first, sort_keys};

    #[test]
    fn score_keys_order_as_total_cmp_highest_first_ties_in_order() {
        let scores = [
            0.5,
            -1.0,
            f64::NEG_INFINITY,
            0.0,
            -0.0,
            3.25,
            0.5,
            -7.5e-300,
            1e300,
            f64::MIN,
        ];
        let key = |at: usize, score: f64| u128::from(highest_first(score)) << 32 | at as u128;
        let mut keys: Vec<u128> = scores
            .iter()
            .enumerate()
            .map(|(at, s)| key(at, *s))
            .collect();
        sort_keys(&mut keys);
        let by_keys: Vec<usize> = keys.iter().map(|k| *k as u32 as usize).collect();
        let mut expected: Vec<usize> = (0..scores.len()).collect();
        expected.sort_by(|a, b| scores[*b].total_cmp(&scores[*a]));
        assert_eq!(by_keys, expected);
    }

    #[test]
    fn sort_keys_orders_as_std_sort_at_every_length() {
        // Lengths around the run size and the merge widths, with keys as ranking makes
        // them (group, score bits, index) and a pseudo-random order.
        let mut state = 0x9e37_79b9_7f4a_7c15u64;
        for n in [0, 1, 2, 7, 8, 9, 15, 16, 17, 31, 33, 100, 257, 1000] {
            let mut keys: Vec<u128> = (0..n)
                .map(|at| {
                    state ^= state << 13;
                    state ^= state >> 7;
                    state ^= state << 17;
                    u128::from(state % 3) << 96 | u128::from(state >> 8) << 32 | at as u128
                })
                .collect();
            let mut expected = keys.clone();
            expected.sort_unstable();
            sort_keys(&mut keys);
            assert_eq!(keys, expected, "length {n}");
        }
    }
}
