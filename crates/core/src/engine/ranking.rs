//! Ranking, similar items and homepage slots with this shopper's profile.

use super::*;

impl<S: Store> Engine<S> {
    /// Ranks candidates given in the shop's order. Without consent only the shop's
    /// scores and rules apply.
    pub fn rank(
        &self,
        candidates: &[Candidate],
        options: &RankOptions,
        now_ms: f64,
    ) -> Result<Vec<Ranked>> {
        let now_ms = validate_time(now_ms)?;
        rank(candidates, options, self.snapshot(now_ms).as_ref())
    }

    /// Ranks interned rows (the browser's path; see [`crate::rank::rank_rows`]), by
    /// likeness to `anchor` when there is one.
    /// With federated learning on, the list is kept so that a choice from it is learned
    /// from (see [`Engine::track_choice`]).
    pub fn rank_rows(
        &mut self,
        rows: crate::rank::Rows,
        anchor: Option<&crate::catalog::Record>,
        options: &RankOptions,
        now_ms: f64,
    ) -> Result<Vec<crate::rank::RankedRow>> {
        let now_ms = validate_time(now_ms)?;
        let mut kept = anchor.is_none().then(|| self.list_to_keep()).flatten();
        let snapshot = self.snapshot(now_ms);
        let ranked = match anchor {
            Some(anchor) => crate::rank::similar_rows(anchor, rows, options, snapshot.as_ref()),
            None => crate::rank::rank_rows_keeping(rows, options, snapshot.as_ref(), kept.as_mut()),
        };
        drop(snapshot);
        if let Some(kept) = kept {
            self.keep_list(kept);
        }
        ranked
    }

    /// Ranks candidates by likeness to `anchor`, personalized (see [`similar_to`]).
    pub fn similar_to(
        &self,
        anchor: &Product,
        candidates: &[Candidate],
        options: &RankOptions,
        now_ms: f64,
    ) -> Result<Vec<Ranked>> {
        let now_ms = validate_time(now_ms)?;
        let snapshot = self.snapshot(now_ms);
        similar_to(anchor, candidates, options, snapshot.as_ref())
    }

    /// The context's segment replaced by this shopper's (the holdout's is a new
    /// shopper's, as it sees what a shopper without a profile sees).
    pub(super) fn in_segment<'a>(
        &self,
        context: &crate::slots::Context<'a>,
    ) -> crate::slots::Context<'a> {
        let segment = match self.in_holdout() {
            true => Profile::default().segment(context.now_ms, &self.config),
            false => self.profile.segment(context.now_ms, &self.config),
        };
        crate::slots::Context {
            segment,
            ..*context
        }
    }

    /// Fills homepage slots for this shopper (see [`crate::slots::fill_slots`]).
    pub fn fill_slots(
        &self,
        slots: usize,
        items: &[crate::slots::SlotItem],
        context: &crate::slots::Context,
        options: &RankOptions,
    ) -> Result<Vec<Option<Ranked>>> {
        let now_ms = validate_time(context.now_ms)?;
        let context = self.in_segment(context);
        let shown = |id: &str| self.profile.impressions_on(id, now_ms);
        let snapshot = self.snapshot(now_ms);
        crate::slots::fill_slots(slots, items, &context, options, snapshot.as_ref(), &shown)
    }

    /// Fills homepage slots with interned rows (the browser's path): `placements` say
    /// where each row may go; their impressions today are counted here.
    pub fn fill_slot_rows(
        &self,
        slots: usize,
        rows: crate::rank::Rows,
        placements: &mut [crate::slots::Placement],
        context: &crate::slots::Context,
        options: &RankOptions,
    ) -> Result<Vec<Option<crate::rank::RankedRow>>> {
        let now_ms = validate_time(context.now_ms)?;
        let context = self.in_segment(context);
        for (placement, row) in placements.iter_mut().zip(rows.rows) {
            let id = rows.catalog.product_id(row.record.key).unwrap_or_default();
            placement.shown_today = self.profile.impressions_on(id, now_ms);
        }
        let snapshot = self.snapshot(now_ms);
        let ranked = crate::rank::rank_rows(rows, options, snapshot.as_ref())?;
        let order: Vec<usize> = ranked.iter().map(|r| r.index).collect();
        let filled = crate::slots::place(slots, placements, &context, &order);
        Ok(filled
            .into_iter()
            .map(|at| at.map(|at| ranked[at]))
            .collect())
    }

    /// The profile frozen at `now_ms`, when personalization is allowed, anything is
    /// known and the shopper is not in the holdout.
    pub fn snapshot(&self, now_ms: f64) -> Option<Snapshot<'_>> {
        (self.personalization_allowed() && !self.profile.is_empty() && !self.in_holdout())
            .then(|| self.profile.snapshot(now_ms, &self.config))
    }

    /// How each offer kind fits this shopper (see [`crate::insights::Insights::offer_fit`]);
    /// no fit at all without personalization or in the holdout, who see the shop's
    /// priorities.
    pub fn offer_fits(
        &self,
        kinds: &[crate::insights::OfferKind],
        now_ms: f64,
    ) -> Result<Vec<Option<(f64, crate::insights::OfferFit)>>> {
        let now_ms = validate_time(now_ms)?;
        if !self.personalization_allowed() || self.in_holdout() {
            return Ok(vec![None; kinds.len()]);
        }
        let insights = self.profile.insights(now_ms, &self.config);
        Ok(kinds.iter().map(|kind| insights.offer_fit(*kind)).collect())
    }
}
