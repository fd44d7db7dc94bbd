//! Storage: this tab's journal, other tabs' journals, the envelope, compaction and
//! salvage. Every event counts exactly once across tabs.

use super::*;

impl<S: Store> Engine<S> {
    /// A journal under this tab's id is left from an earlier page with the same id: its
    /// entries continue as this tab's own, so rewriting the key loses none of them.
    pub(super) fn adopt_own_journal(&mut self) {
        let Some(record) = &self.record else { return };
        let (epoch, applied) = (record.epoch, record.applied_seq(&self.tab));
        // Numbering continues after what the envelope already holds from this id.
        self.next_seq = self.next_seq.max(applied + 1);
        let Ok(Some(text)) = self.store.get(&self.journal_key()) else {
            return;
        };
        let Ok(journal) = unseal::<Journal>(&text) else {
            return;
        };
        if journal.epoch != epoch {
            return;
        }
        for (seq, event) in journal.entries {
            if let (true, Ok(event)) = (seq > applied, event.revalidate()) {
                self.next_seq = self.next_seq.max(seq + 1);
                self.own.push((seq, event));
            }
        }
        self.read_choices(&self.tab.clone(), journal.choices, applied);
        self.rebuild();
    }

    /// Re-reads storage, adopting what other tabs wrote. A missing envelope means
    /// nothing is on file: state returns to "unknown" (or the shopper's refusal on file)
    /// and empty rather than resurrecting data that someone erased.
    pub fn reload(&mut self) {
        if !self.read_record() {
            return;
        }
        self.read_refusal();
        self.read_journals();
        self.rebuild();
    }

    /// Reads the envelope into `self.record`; `false` when storage failed.
    pub(super) fn read_record(&mut self) -> bool {
        let envelope = match self.store.get(&self.key) {
            Ok(Some(text)) => self.unseal(&text),
            Ok(None) => None,
            Err(error) => {
                self.last_storage_error = Some(error);
                return false;
            }
        };
        self.last_storage_error = None;
        match envelope.filter(|e| e.consent.allows_personalization()) {
            Some(envelope) => self.adopt(envelope),
            None => {
                // Denied or unknown consent is never stored, so nothing on file means no
                // consent on file: a grant that vanished was withdrawn elsewhere. (A grant
                // that never reached storage, which was full, stays.)
                if self.on_file {
                    self.on_file = false;
                    self.decision = Consent::default();
                    self.own.clear();
                    self.dirty = false;
                    self.record = None;
                }
            }
        }
        true
    }

    /// Takes a granted envelope read from storage as this tab's record.
    pub(super) fn adopt(&mut self, envelope: Envelope) {
        // A grant on file; a newer decision made in this tab stays.
        if self.decision.superseded_by(&envelope.consent) {
            self.decision = envelope.consent;
        }
        let own_epoch = self.record.as_ref().map(|r| r.epoch);
        if own_epoch.is_some_and(|epoch| epoch != envelope.epoch) {
            // Erased in another tab: what this tab had not written goes too.
            self.own.clear();
            self.dirty = false;
        } else if let Some(applied) = envelope.applied(&self.tab) {
            // Folded in long enough ago that no late write can undo it: drop them.
            if self.clock_ms - applied.at_ms >= CONFIRM_AFTER_MS {
                let seq = applied.seq;
                self.own.retain(|(own, _)| *own > seq);
            }
        }
        self.record = Some(envelope);
        self.on_file = true;
    }

    /// Other tabs' entries not yet in the envelope; stale and orphaned journals (no
    /// envelope, or one erased since) are removed: they hold data without consent.
    pub(super) fn read_journals(&mut self) {
        self.others.clear();
        let own_tab = self.tab.clone();
        self.choices.retain(|c| c.tab == own_tab);
        let Ok(keys) = self.store.keys(&self.journal_prefix) else {
            return;
        };
        let own_key = self.journal_key();
        for key in keys {
            let journal = match self.store.get(&key) {
                Ok(Some(text)) => unseal::<Journal>(&text).ok(),
                _ => continue,
            };
            let clock = self.clock_ms;
            let current = match (&self.record, journal) {
                (Some(record), Some(journal)) if journal.epoch == record.epoch => {
                    let mark = record.applied(&journal.tab);
                    let applied = mark.map_or(0, |a| a.seq);
                    // Every entry folded in, and confirmed: the journal has done its work.
                    let confirmed = mark.is_some_and(|a| clock - a.at_ms >= CONFIRM_AFTER_MS)
                        && journal.entries.iter().all(|(seq, _)| *seq <= applied);
                    (!confirmed).then_some((applied, journal))
                }
                _ => None,
            };
            match current {
                Some((applied, journal)) if key != own_key => {
                    self.read_choices(&journal.tab, journal.choices, applied);
                    for (seq, event) in journal.entries {
                        if seq <= applied {
                            continue;
                        }
                        match event.revalidate() {
                            Ok(event) => self.others.push((journal.tab.clone(), seq, event)),
                            Err(_) => {
                                self.warn("journal_unreadable", "skipped an invalid journal entry")
                            }
                        }
                    }
                }
                Some(_) => {}
                None => {
                    let _ = self.store.remove(&key);
                }
            }
        }
        self.others.sort_by(|a, b| {
            a.2.at_ms
                .total_cmp(&b.2.at_ms)
                .then(a.0.cmp(&b.0))
                .then(a.1.cmp(&b.1))
        });
    }

    /// The profile ranking sees: the envelope's, plus every tab's pending events.
    pub(super) fn rebuild(&mut self) {
        let mut profile = self
            .record
            .as_ref()
            .map(|r| r.profile.clone())
            .unwrap_or_default();
        let model = self.learning_model();
        let model = model.as_deref();
        for (tab, seq, event) in &self.others {
            profile.learn(event, &self.config);
            Self::apply_choice(&self.choices, &mut profile.learning, model, tab, *seq);
        }
        for (seq, event) in self.unapplied() {
            profile.learn(event, &self.config);
            Self::apply_choice(&self.choices, &mut profile.learning, model, &self.tab, *seq);
        }
        self.profile = profile;
    }

    /// Writes this tab's journal (or removes it when empty).
    pub(super) fn write_journal(&mut self) {
        let key = self.journal_key();
        let written = if self.own.is_empty() {
            self.store.remove(&key)
        } else {
            let (tab, own) = (&self.tab, &self.own);
            // Choices of entries no longer journaled go with them.
            self.choices
                .retain(|c| &c.tab != tab || own.iter().any(|(seq, _)| *seq == c.seq));
            let choices = self
                .choices
                .iter()
                .filter(|c| &c.tab == tab)
                .map(|c| (c.seq, c.gradient.clone()))
                .collect();
            // The entries are lent to the journal and taken back: every flush writes the
            // whole journal, and copying each event for it was most of a flush.
            let journal = Journal {
                tab: self.tab.clone(),
                epoch: self.record.as_ref().map_or(0, |r| r.epoch),
                entries: std::mem::take(&mut self.own),
                choices,
            };
            let sealed = seal(&journal);
            self.own = journal.entries;
            self.store.set(&key, &sealed)
        };
        match written {
            Ok(()) => {
                self.last_storage_error = None;
                self.dirty = false;
            }
            Err(error) => self.last_storage_error = Some(error),
        }
    }

    /// Own entries the envelope does not hold yet (the others wait for confirmation).
    pub(super) fn unapplied(&self) -> impl Iterator<Item = &(u64, Event)> {
        let applied = self.record.as_ref().map_or(0, |r| r.applied_seq(&self.tab));
        self.own.iter().filter(move |(seq, _)| *seq > applied)
    }

    pub(super) fn journal_key(&self) -> String {
        [self.journal_prefix.as_str(), &self.tab].concat()
    }

    /// The envelope of a stored value, salvaged when only its checksum fails; anything
    /// unusable is reported and removed (a newer format is left for its writer).
    pub(super) fn unseal(&mut self, text: &str) -> Option<Envelope> {
        let envelope = match Envelope::from_sealed(text) {
            Ok(envelope) => envelope,
            Err((Unreadable::Checksum, Some(envelope))) => {
                self.warn(
                    "record_salvaged",
                    "stored profile failed its checksum; kept what validates",
                );
                *envelope
            }
            Err((Unreadable::Future, _)) => {
                self.warn(
                    "record_future_version",
                    "stored profile is from a newer Shelfwise; starting fresh",
                );
                return None;
            }
            Err((reason, _)) => {
                self.warn(
                    "record_unreadable",
                    [
                        "stored profile is unreadable (",
                        reason.describe(),
                        "); starting fresh",
                    ]
                    .concat(),
                );
                let _ = self.store.remove(&self.key);
                return None;
            }
        };
        let mut envelope = envelope;
        // Any script on the page can rewrite storage, checksum included.
        let dropped = envelope.profile.sanitize(&self.config);
        if dropped > 0 {
            self.warn(
                "record_repaired",
                [
                    "dropped ",
                    &decimal(dropped as u64),
                    " invalid stored entries",
                ]
                .concat(),
            );
        }
        Some(envelope)
    }

    /// Learns from a validated event. Returns whether it was recorded: `false` without
    /// consent. Nothing is written here: [`Engine::flush`] writes this tab's journal.
    pub fn track(&mut self, event: &Event) -> bool {
        self.track_event(event.clone())
    }

    /// [`Engine::track`], keeping the event itself for the journal (no copy of its
    /// strings: what the browser's `track` calls).
    pub fn track_event(&mut self, event: Event) -> bool {
        self.track_choice(event, None)
    }

    /// [`Engine::track_event`] of an event about the product with catalog key `key`: a
    /// click or view of a product of a list ranked in this page is a choice, whose
    /// gradient federated learning sums (see [`crate::federated`]).
    pub fn track_choice(&mut self, event: Event, key: Option<crate::catalog::Id>) -> bool {
        // Sensitive categories are never learned, so never journaled either.
        self.clock_ms = self.clock_ms.max(event.at_ms);
        if !self.personalization_allowed() || !self.profile.learn(&event, &self.config) {
            return false;
        }
        let chosen = matches!(event.kind, crate::EventKind::Click | crate::EventKind::View);
        // Only a choice from a kept list costs anything here (no copy of the version).
        let gradient = key
            .filter(|_| chosen)
            .and_then(|key| self.choice_gradient(key));
        if let (Some(gradient), Some(learner)) = (gradient, &self.learner) {
            self.profile.learning.add(learner.model(), &gradient);
            let (tab, seq) = (self.tab.clone(), self.next_seq);
            self.choices.push(federated::Choice { tab, seq, gradient });
        }
        self.own.push((self.next_seq, event));
        self.next_seq += 1;
        self.dirty = true;
        if self.storage_mode() == StorageMode::Memory && self.own.len() >= COMPACT_AFTER {
            // Nowhere to journal to: fold into the envelope kept in memory.
            if let Some(record) = &mut self.record {
                record.profile = self.profile.clone();
                self.own.clear();
            }
        }
        true
    }

    /// Whether events are waiting to be written.
    pub fn has_pending(&self) -> bool {
        self.dirty
    }

    /// Writes this tab's journal. Returns whether a compaction is due (the JS face runs
    /// it under a Web Lock, so that one tab at a time compacts).
    pub fn flush(&mut self) -> bool {
        if !self.dirty {
            return false;
        }
        if !self.personalization_allowed() {
            self.own.clear();
            self.dirty = false;
            return false;
        }
        // Another tab may have withdrawn (envelope gone) or erased (new epoch).
        let epoch = self.record.as_ref().map(|r| r.epoch);
        if !self.read_record()
            || self.record.as_ref().map(|r| r.epoch) != epoch
            || self.record.is_none()
        {
            self.read_journals();
            self.rebuild();
            if self.record.is_none() {
                self.remove_namespace_keys();
            }
            return false;
        }
        if !self.on_file {
            // The grant never reached storage (it was full then): try again first, so
            // the journal does not stand without an envelope.
            self.persist();
        }
        self.write_journal();
        self.unapplied().count() >= COMPACT_AFTER
    }

    /// Folds every tab's journal into the envelope and empties this tab's journal.
    pub fn compact(&mut self, now_ms: f64) -> Result<()> {
        let now_ms = validate_time(now_ms)?;
        self.compact_with(now_ms, &mut |_| {});
        Ok(())
    }

    /// Compacts, letting `edit` change the envelope's profile before it is written (the
    /// preference center's edits). Returns whether the edit was applied.
    ///
    /// `edit` is a trait object on purpose: one compaction in the wasm, not one per edit.
    pub(super) fn compact_with(&mut self, now_ms: f64, edit: &mut dyn FnMut(&mut Profile)) -> bool {
        if !self.personalization_allowed() {
            return false;
        }
        self.clock_ms = self.clock_ms.max(now_ms);
        let epoch = self.record.as_ref().map(|r| r.epoch);
        if !self.read_record() || self.record.as_ref().map(|r| r.epoch) != epoch {
            if self.storage_mode() == StorageMode::Memory {
                // Storage is gone: edit the envelope kept in memory.
                if let Some(record) = &mut self.record {
                    record.profile = self.profile.clone();
                    self.own.clear();
                    self.others.clear();
                    edit(&mut record.profile);
                    self.rebuild();
                    return true;
                }
            }
            self.read_journals();
            self.rebuild();
            return false;
        }
        self.read_journals();
        let model = self.learning_model();
        let Some(record) = &mut self.record else {
            return false;
        };
        let mut positions: Vec<(String, u64)> = Vec::new();
        let applied = record.applied_seq(&self.tab);
        let own = self
            .own
            .iter()
            .filter(|(seq, _)| *seq > applied)
            .map(|(seq, e)| (&self.tab, *seq, e));
        let others = self.others.iter().map(|(tab, seq, e)| (tab, *seq, e));
        for (tab, seq, event) in others.chain(own) {
            record.profile.learn(event, &self.config);
            let learning = &mut record.profile.learning;
            Self::apply_choice(&self.choices, learning, model.as_deref(), tab, seq);
            match positions.iter_mut().find(|p| p.0 == *tab) {
                Some(p) => p.1 = p.1.max(seq),
                None => positions.push((tab.clone(), seq)),
            }
        }
        for (tab, seq) in positions {
            record.applied.retain(|a| a.tab != tab);
            let at_ms = now_ms;
            record.applied.insert(0, Applied { tab, seq, at_ms });
        }
        record.applied.truncate(MAX_APPLIED);
        edit(&mut record.profile);
        let sealed = record.to_sealed();
        self.others.clear();
        match self.store.set(&self.key, &sealed) {
            Ok(()) => {
                self.last_storage_error = None;
                self.on_file = true;
                // Own entries stay journaled until confirmed (see CONFIRM_AFTER_MS).
                self.write_journal();
            }
            // The envelope in memory holds every event now; it is written next time.
            Err(error) => self.last_storage_error = Some(error),
        }
        self.rebuild();
        true
    }

    /// Removes this namespace's envelope and journals.
    pub(super) fn remove_namespace_keys(&mut self) {
        if let Ok(keys) = self.store.keys(&self.key) {
            for key in keys {
                let _ = self.store.remove(&key);
            }
        }
    }

    /// Removes every Shelfwise key of every namespace and drops all state.
    pub(super) fn erase_stored(&mut self) {
        self.evicted = false;
        self.record = None;
        self.on_file = false;
        self.own.clear();
        self.others.clear();
        self.choices.clear();
        self.dirty = false;
        self.profile = Profile::default();
        let removed = self
            .store
            .keys(KEY_PREFIX)
            .and_then(|keys| keys.iter().try_for_each(|key| self.store.remove(key)));
        match removed {
            Ok(()) => self.last_storage_error = None,
            Err(error) => self.last_storage_error = Some(error),
        }
    }

    /// Writes the envelope with the current decision, creating it on the first grant
    /// (keeping one another tab may have written).
    pub(super) fn persist(&mut self) {
        // Build on the envelope on file, not this tab's copy: another tab may have
        // granted, learned, compacted or erased since.
        let stored = match self.store.get(&self.key) {
            Ok(Some(text)) => self.unseal(&text),
            _ => None,
        };
        if let Some(envelope) = stored.filter(|e| e.consent.allows_personalization()) {
            // Keeps this tab's decision unless the one on file is newer.
            self.adopt(envelope);
            self.read_journals();
            self.rebuild();
        }
        let decision = self.decision;
        let epoch = self.record.as_ref().map_or(0, |r| r.epoch);
        let record = self.record.get_or_insert_with(|| {
            Envelope::new(
                decision,
                epoch.max(decision.decided_ms.unwrap_or(0.0) as u64),
            )
        });
        record.consent = decision;
        let sealed = record.to_sealed();
        match self.store.set(&self.key, &sealed) {
            Ok(()) => {
                self.last_storage_error = None;
                self.on_file = true;
            }
            Err(error) => self.last_storage_error = Some(error),
        }
    }
}
