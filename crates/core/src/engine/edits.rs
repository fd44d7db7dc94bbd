//! The preference center's edits, the summary, export, import and erasure.

use super::*;

impl<S: Store> Engine<S> {
    /// Forgets one interest (a facet value, learned or stated, with what is kept per
    /// category for a category) in every tab. Returns whether it was known.
    pub fn forget(&mut self, facet: &str, value: &str, now_ms: f64) -> Result<bool> {
        let now_ms = validate_time(now_ms)?;
        let facet = parse_facet(facet)?;
        let known = self.profile.clone().forget(facet, value);
        if known {
            self.compact_with(now_ms, &mut |profile| {
                profile.forget(facet, value);
            });
        }
        Ok(known)
    }

    /// Records a stated preference: `weight` -1 (not interested: ranked last) to 1
    /// (likes); 0 takes it back. Needs personalization consent.
    pub fn set_preference(
        &mut self,
        facet: &str,
        value: &str,
        weight: f64,
        now_ms: f64,
    ) -> Result<()> {
        let now_ms = validate_time(now_ms)?;
        let facet = parse_facet(facet)?;
        let value = statement_label(value)?;
        if !(weight.is_finite() && (-1.0..=1.0).contains(&weight)) {
            return Err(Error::InvalidArgument(
                "weight must be a number from -1 to 1".into(),
            ));
        }
        self.edit(now_ms, &mut |profile| profile.state(facet, &value, weight))
    }

    /// Marks a product "not interested" (`hidden`: it is ranked last from now on), or
    /// takes that back.
    pub fn hide_product(&mut self, id: &str, hidden: bool, now_ms: f64) -> Result<()> {
        let now_ms = validate_time(now_ms)?;
        let id = statement_label(id)?;
        self.edit(now_ms, &mut |profile| match hidden {
            true => profile.hide(&id),
            false => profile.hidden.retain(|h| *h != id),
        })
    }

    /// Records a search (query text, and how many results it found) in the recent
    /// searches. A search that found nothing is not kept: it is no use to suggest again.
    /// Returns whether it was kept (`false` without personalization consent).
    pub fn search(&mut self, query: &str, results: Option<f64>, now_ms: f64) -> Result<bool> {
        let now_ms = validate_time(now_ms)?;
        let invalid = |reason: String| Error::InvalidEvent(reason);
        // Case does not make another search. ASCII only here: Unicode case tables would
        // add 12 KB gzipped to the module, and the JS face lower-cases first.
        let query = crate::event::label("query", Some(query.to_ascii_lowercase()))
            .map_err(invalid)?
            .ok_or_else(|| invalid("query must not be empty".into()))?;
        let found = match results {
            None => true,
            Some(n) => match crate::event::whole_number(n, 0.0..=1e9) {
                Some(count) => count > 0,
                None => {
                    return Err(invalid(
                        "results must be a whole number from 0 to 1000000000".into(),
                    ))
                }
            },
        };
        if !found || !self.personalization_allowed() {
            return Ok(false);
        }
        Ok(self.compact_with(now_ms, &mut |profile| profile.note_search(&query, now_ms)))
    }

    /// Applies a preference-center edit to the stored profile (through a compaction, so
    /// every tab sees it).
    pub(super) fn edit(&mut self, now_ms: f64, edit: &mut dyn FnMut(&mut Profile)) -> Result<()> {
        if !self.personalization_allowed() {
            return Err(Error::ConsentRequired(
                "the profile can only be changed with personalization consent".into(),
            ));
        }
        self.compact_with(now_ms, edit);
        Ok(())
    }

    /// The integrity part of the shopper's export (format, version, checksum and the
    /// profile as payload; README: "Export format"); the JS face adds the readable parts.
    /// Without consent the profile is empty.
    pub fn export(&self) -> String {
        crate::export::export(&self.profile)
    }

    /// Restores an export (needs personalization consent): the file's profile replaces
    /// what this browser knew, in every tab, so export then import is lossless and
    /// importing twice changes nothing. A foreign, edited or malformed file is rejected
    /// with `invalid_import` and changes nothing.
    pub fn import(&mut self, file: &crate::export::ImportFile, now_ms: f64) -> Result<()> {
        let now_ms = validate_time(now_ms)?;
        if !self.personalization_allowed() {
            return Err(Error::ConsentRequired(
                "importing a profile needs personalization consent".into(),
            ));
        }
        let mut imported = crate::export::import(file)?;
        imported.sanitize(&self.config);
        // Restored: whatever the browser deleted is back.
        self.evicted = false;
        self.compact_with(now_ms, &mut |profile| profile.clone_from(&imported));
        Ok(())
    }

    /// What the profile says about the shopper (the summary's insights).
    pub fn insights(&self, now_ms: f64) -> Result<crate::insights::Insights> {
        let now_ms = validate_time(now_ms)?;
        Ok(self.profile.insights(now_ms, &self.config))
    }

    /// What Shelfwise knows, for the shopper's overview.
    pub fn summary(&self, now_ms: f64) -> Result<Summary> {
        let now_ms = validate_time(now_ms)?;
        Ok(self
            .profile
            .summary(now_ms, &self.config, SUMMARY_PER_FACET))
    }

    /// Forgets the profile in every tab, keeping the consent decision: the envelope gets
    /// a new epoch, so journals written before it are dropped.
    pub fn erase(&mut self, now_ms: f64) -> Result<()> {
        let now_ms = validate_time(now_ms)?;
        let old_epoch = self.record.as_ref().map_or(0, |r| r.epoch);
        self.evicted = false;
        self.own.clear();
        self.others.clear();
        self.dirty = false;
        self.remove_namespace_keys();
        self.record = None;
        self.on_file = false;
        if self.personalization_allowed() {
            self.record = Some(Envelope::new(
                self.decision,
                (now_ms as u64).max(old_epoch + 1),
            ));
            self.persist();
        }
        self.rebuild();
        Ok(())
    }
}
