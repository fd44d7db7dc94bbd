//! The preference center's edits, the summary, export, import and erasure.

use super::*;
use crate::profile::DecisionKind;

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
                profile.decide(DecisionKind::Forgot, facet, value, now_ms);
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
        self.edit(now_ms, &mut |profile| {
            profile.state(facet, &value, weight);
            profile.decide(DecisionKind::Stated, facet, &value, now_ms);
        })
    }

    /// Marks a product "not interested" (`hidden`: it is ranked last from now on), or
    /// takes that back.
    pub fn hide_product(&mut self, id: &str, hidden: bool, now_ms: f64) -> Result<()> {
        let now_ms = validate_time(now_ms)?;
        let id = statement_label(id)?;
        self.edit(now_ms, &mut |profile| {
            match hidden {
                true => profile.hide(&id),
                false => profile.hidden.retain(|h| *h != id),
            }
            profile.decide(DecisionKind::Hidden, "", &id, now_ms);
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
    /// Without consent the profile is empty. The first export names this device (its
    /// `origin`, kept), so that merging its files elsewhere counts each event once.
    pub fn export(&mut self, now_ms: f64) -> Result<String> {
        let now_ms = validate_time(now_ms)?;
        if self.personalization_allowed() {
            self.own_origin(now_ms);
        }
        Ok(crate::export::export(&self.profile))
    }

    /// Restores an export (needs personalization consent): the file's profile replaces
    /// what this browser knew, in every tab, so export then import is lossless and
    /// importing twice changes nothing. Another device's file makes this browser a new
    /// device holding it (see `Profile::rebase`), so the two can later be merged. A
    /// foreign, edited or malformed file is rejected with `invalid_import` and changes
    /// nothing.
    pub fn import(&mut self, file: &crate::export::ImportFile, now_ms: f64) -> Result<()> {
        let mut imported = self.imported(file, now_ms)?;
        // This browser's own export comes back exactly; any other file (or one from a
        // browser with no name yet) makes this browser a new device holding it.
        if imported.origin.is_none() || imported.origin != self.profile.origin {
            let fresh = fresh_origin(&imported, &self.tab, now_ms);
            imported.rebase(fresh, &self.config);
        }
        // Restored: whatever the browser deleted is back.
        self.evicted = false;
        self.compact_with(now_ms, &mut |profile| profile.clone_from(&imported));
        Ok(())
    }

    /// Merges an export into what this browser knows (see `profile::merge`), in every
    /// tab; merging the same file again changes nothing. The page does it in the tools
    /// module (`export::merged`, then `import`), so the shopper's module carries none of
    /// it; this is the same for native callers.
    pub fn merge(&mut self, file: &crate::export::ImportFile, now_ms: f64) -> Result<()> {
        let imported = self.imported(file, now_ms)?;
        // A browser without a name takes one in the same write as the merge.
        let fresh = fresh_origin(&self.profile, &self.tab, now_ms);
        let config = self.config.clone();
        self.evicted = false;
        self.compact_with(now_ms, &mut |profile| {
            profile.merge(&imported, fresh, &config);
        });
        Ok(())
    }

    /// The profile of a file to import, repaired, once consent allows importing.
    fn imported(&self, file: &crate::export::ImportFile, now_ms: f64) -> Result<Profile> {
        validate_time(now_ms)?;
        if !self.personalization_allowed() {
            return Err(Error::ConsentRequired(
                "importing a profile needs personalization consent".into(),
            ));
        }
        let mut imported = crate::export::import(file)?;
        imported.sanitize(&self.config);
        Ok(imported)
    }

    /// This device's origin: made from the profile, the tab and the time (so two devices
    /// practically never share one) and kept, when the profile has none yet.
    fn own_origin(&mut self, now_ms: f64) -> u64 {
        if let Some(origin) = self.profile.origin {
            return origin;
        }
        let origin = fresh_origin(&self.profile, &self.tab, now_ms);
        self.compact_with(now_ms, &mut |profile| {
            profile.origin.get_or_insert(origin);
        });
        self.profile.origin.unwrap_or(origin)
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

/// A new origin: a hash of a profile's bytes, a tab id and a time (never 0).
fn fresh_origin(profile: &Profile, tab: &str, now_ms: f64) -> u64 {
    let mut bytes = crate::codec::to_bytes(profile);
    bytes.extend_from_slice(tab.as_bytes());
    bytes.extend_from_slice(&now_ms.to_le_bytes());
    crate::store::fnv1a64(&bytes) | 1
}
