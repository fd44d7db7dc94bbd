//! Ranking `Product`s (the Rust API, the offline replay, homepage slots in tests):
//! they are interned into a catalog of their own and ranked as rows.

use super::*;

/// Products as rows of a catalog made for them (the Rust API, the offline replay and
/// homepage slots rank products this way; the browser hands rows over directly).
pub(super) struct Interned {
    catalog: Catalog,
    rows: Vec<Row>,
    extras: Vec<Id>,
}

impl Interned {
    fn new(candidates: &[Candidate]) -> Interned {
        let mut catalog = Catalog::default();
        let mut extras = Vec::new();
        let rows = candidates
            .iter()
            .map(|c| Row {
                record: catalog.record(c.product, &mut extras),
                base: c.base,
                boost: c.boost,
                pin: c.pin,
                in_stock: c.in_stock,
                consumable: c.consumable,
            })
            .collect();
        Interned {
            catalog,
            rows,
            extras,
        }
    }

    fn rows(&self) -> Rows<'_> {
        Rows {
            rows: &self.rows,
            extras: &self.extras,
            catalog: &self.catalog,
        }
    }

    /// A ranked row with its reason's value as an index into the product's
    /// [`facet_values`] (what [`reason_value`] reads).
    fn ranked(&self, r: RankedRow, candidates: &[Candidate]) -> Ranked {
        let index_of = || {
            let (facet, value) = self.catalog.describe(r.value)?;
            let values = facet_values(candidates[r.index].product);
            let at = values
                .iter()
                .position(|(f, v, _)| *f == facet && *v == value)?;
            u8::try_from(at).ok()
        };
        let reason = match r.reason {
            Reason::Stated(_) => Reason::Stated(index_of().unwrap_or(0)),
            Reason::Interest(_) => Reason::Interest(index_of().unwrap_or(0)),
            other => other,
        };
        Ranked {
            index: r.index,
            score: r.score,
            reason,
        }
    }
}

/// Reorders `candidates` (given in the shop's order). Without a profile snapshot (no
/// consent, or nothing learned) only the shop's scores and rules apply.
pub fn rank(
    candidates: &[Candidate],
    options: &RankOptions,
    snapshot: Option<&Snapshot>,
) -> Result<Vec<Ranked>> {
    // `rank_rows` checks the options, then every candidate's terms.
    let interned = Interned::new(candidates);
    let ranked = rank_rows(interned.rows(), options, snapshot)?;
    Ok(ranked
        .into_iter()
        .map(|r| interned.ranked(r, candidates))
        .collect())
}

/// Each candidate's model features and the list's gate features (see
/// [`features_rows`]).
pub fn features(
    candidates: &[Candidate],
    options: &RankOptions,
    snapshot: Option<&Snapshot>,
) -> Result<Option<(Vec<RowFeatures>, [f64; GATE])>> {
    features_rows(Interned::new(candidates).rows(), options, snapshot)
}

/// Ranks `candidates` by how much they are like `anchor` (see [`similar_rows`]).
pub fn similar_to(
    anchor: &Product,
    candidates: &[Candidate],
    options: &RankOptions,
    snapshot: Option<&Snapshot>,
) -> Result<Vec<Ranked>> {
    let mut interned = Interned::new(candidates);
    let mut extras = std::mem::take(&mut interned.extras);
    let anchor = interned.catalog.record(anchor, &mut extras);
    interned.extras = extras;
    let ranked = similar_rows(&anchor, interned.rows(), options, snapshot)?;
    Ok(ranked
        .into_iter()
        .map(|r| interned.ranked(r, candidates))
        .collect())
}

/// How alike two products are (see [`similarity_of`]).
pub fn similarity(a: &Product, b: &Product) -> f64 {
    let candidates = [Candidate::new(a), Candidate::new(b)];
    let interned = Interned::new(&candidates);
    similarity_of(
        &interned.rows[0].record,
        &interned.rows[1].record,
        interned.rows(),
    )
}

/// Plain candidates for products in the shop's order, without scores or rules.
pub fn candidates(products: &[Product]) -> Vec<Candidate<'_>> {
    products.iter().map(Candidate::new).collect()
}

/// The facet value a [`Reason::Stated`] or [`Reason::Interest`] is about (the JS face
/// words reasons: shopper-facing text is localizable there).
pub fn reason_value(product: &Product, reason: Reason) -> Option<(&str, &str)> {
    match reason {
        Reason::Stated(i) | Reason::Interest(i) => facet_values(product)
            .get(usize::from(i))
            .map(|(facet, value, _)| (*facet, *value)),
        _ => None,
    }
}
