//! The engine ties consent, profile and storage together. It is what the wasm boundary
//! wraps and what native tests and tools drive.
//!
//! Rules it enforces:
//! - nothing is learned or written while personalization is not granted;
//! - withdrawing consent erases every Shelfwise key, in every namespace, at once;
//! - storage failures never surface as errors: the engine keeps working in memory and
//!   reports it through [`Engine::storage_mode`];
//! - consent follows the latest decision (the shopper's, a CMP's); GPC and Consent
//!   Mode defaults apply only while there is none (see [`super::consent`]);
//! - tabs lose no event: each tab appends to its own journal key ([`Engine::flush`]),
//!   and [`Engine::compact`] folds journals into the envelope, remembering per tab how
//!   far it got, so every event counts exactly once. An envelope that disappears
//!   (consent withdrawn in another tab) is never written back.

use super::consent::{
    consent_mode_decision, default_consent, tcf_decision, Consent, ConsentModeState, ConsentStatus,
    Signals, Source,
};
use super::error::{Error, Result};
use super::event::Product;
use super::event::{valid_facet_name, validate_time, Event, FACET_NAME_RULE};
use super::json::decimal;
use super::json::json_fields;
use super::measure::{check_modules, Counters};
use super::profile::Snapshot;
use super::profile::{Profile, ProfileConfig, Summary};
use super::rank::{rank, similar_to, Candidate, RankOptions, Ranked};
use super::store::{
    journal_prefix, seal, storage_key, unseal, validate_namespace, validate_tab, Applied, Envelope,
    Journal, Store, StoreError, Unreadable, KEY_PREFIX,
};

/// Interests per facet in [`Engine::summary`].
pub const SUMMARY_PER_FACET: usize = 5;
/// Own journal entries after which [`Engine::flush`] asks for a compaction.
pub const COMPACT_AFTER: usize = 64;
/// A tab keeps its journal entries this long after an envelope on file first shows them
/// folded in. Browsers pass localStorage writes to other processes late, so another
/// page may still write an envelope read before that fold; the entries then count again
/// at the next compaction instead of being lost.
pub const CONFIRM_AFTER_MS: f64 = 2_000.0;
/// Journal positions kept in the envelope.
const MAX_APPLIED: usize = 32;

/// Whether the profile currently reaches persistent storage.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StorageMode {
    /// Reads and writes reach storage.
    Persistent,
    /// Storage is blocked, full or failing: state is kept in memory for this page only.
    Memory,
}

impl StorageMode {
    pub fn as_str(self) -> &'static str {
        match self {
            StorageMode::Persistent => "persistent",
            StorageMode::Memory => "memory",
        }
    }
}

/// How a shop wants consent signals read.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ConsentPolicy {
    /// Global Privacy Control denies consent unless the shopper grants it in the shop.
    /// Default true.
    pub respect_gpc: bool,
    /// The shop's IAB TCF vendor id; without it TCF is read as publisher consent.
    pub tcf_vendor_id: Option<u32>,
}

impl Default for ConsentPolicy {
    fn default() -> Self {
        ConsentPolicy {
            respect_gpc: true,
            tcf_vendor_id: None,
        }
    }
}

/// Something the page may want to know that is not an error: unreadable, salvaged or
/// repaired stored data. Codes are stable.
#[derive(Debug, Clone, PartialEq)]
pub struct Warning {
    pub code: &'static str,
    pub message: String,
}

json_fields!(Warning {
    "code": code,
    "message": message,
});

pub struct Engine<S: Store> {
    key: String,
    journal_prefix: String,
    tab: String,
    warnings: Vec<Warning>,
    store: S,
    /// The latest decision (shopper or CMP); `decided_ms == None` while there is none.
    decision: Consent,
    signals: Signals,
    policy: ConsentPolicy,
    /// The Consent Mode update last applied, to date only changes.
    consent_mode_update: Option<ConsentModeState>,
    /// The envelope as last read or written; `None` when nothing is on file.
    record: Option<Envelope>,
    /// Whether `record` is known to be in storage (read from it or written to it): only
    /// then does its absence mean another tab withdrew.
    on_file: bool,
    /// This tab's events not yet in the envelope: `(seq, event)`.
    own: Vec<(u64, Event)>,
    next_seq: u64,
    /// Own events not yet written to the journal.
    dirty: bool,
    /// Other tabs' journal entries not yet in the envelope: `(tab, seq, event)`.
    others: Vec<(String, u64, Event)>,
    /// Envelope + other tabs' entries + own entries: what ranking and the summary see.
    profile: Profile,
    config: ProfileConfig,
    last_storage_error: Option<StoreError>,
    /// The latest time this engine was given (events, compactions): when to drop own
    /// journal entries an envelope confirms.
    clock_ms: f64,
    /// The modules the shop measures (none: no measurement).
    modules: Vec<String>,
    /// The shopper is in the shop's holdout: the shop's order, while the profile learns.
    held_out: bool,
}

impl<S: Store> Engine<S> {
    /// Opens the namespace as tab `"main"` with the default configuration.
    pub fn open(namespace: &str, store: S) -> Result<Self> {
        Self::with_policy(
            namespace,
            "main",
            store,
            ProfileConfig::default(),
            ConsentPolicy::default(),
        )
    }

    /// Opens the namespace for one tab (ids: 1 to 32 ASCII letters or digits, unique
    /// per page), loading the envelope and every tab's journal. Unreadable stored data is
    /// salvaged or ignored with a warning, never an error.
    pub fn with_policy(
        namespace: &str,
        tab: &str,
        store: S,
        config: ProfileConfig,
        policy: ConsentPolicy,
    ) -> Result<Self> {
        validate_namespace(namespace)?;
        validate_tab(tab)?;
        let mut engine = Engine {
            key: storage_key(namespace),
            journal_prefix: journal_prefix(namespace),
            tab: tab.to_owned(),
            warnings: Vec::new(),
            store,
            decision: Consent::default(),
            signals: Signals::default(),
            policy,
            consent_mode_update: None,
            record: None,
            on_file: false,
            own: Vec::new(),
            next_seq: 1,
            dirty: false,
            others: Vec::new(),
            profile: Profile::default(),
            config,
            last_storage_error: None,
            clock_ms: 0.0,
            modules: Vec::new(),
            held_out: false,
        };
        engine.reload();
        engine.adopt_own_journal();
        Ok(engine)
    }

    /// A journal under this tab's id is left from an earlier page with the same id: its
    /// entries continue as this tab's own, so rewriting the key loses none of them.
    fn adopt_own_journal(&mut self) {
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
        self.rebuild();
    }

    /// Re-reads storage, adopting what other tabs wrote. A missing envelope means
    /// nothing is on file: state returns to "unknown" and empty rather than resurrecting
    /// data that someone erased.
    pub fn reload(&mut self) {
        if !self.read_record() {
            return;
        }
        self.read_journals();
        self.rebuild();
    }

    /// Reads the envelope into `self.record`; `false` when storage failed.
    fn read_record(&mut self) -> bool {
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
    fn adopt(&mut self, envelope: Envelope) {
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
    fn read_journals(&mut self) {
        self.others.clear();
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
    fn rebuild(&mut self) {
        let mut profile = self
            .record
            .as_ref()
            .map(|r| r.profile.clone())
            .unwrap_or_default();
        for (_, _, event) in &self.others {
            profile.learn(event, &self.config);
        }
        for (_, event) in self.unapplied() {
            profile.learn(event, &self.config);
        }
        self.profile = profile;
    }

    /// Writes this tab's journal (or removes it when empty).
    fn write_journal(&mut self) {
        let key = self.journal_key();
        let written = if self.own.is_empty() {
            self.store.remove(&key)
        } else {
            let journal = Journal {
                tab: self.tab.clone(),
                epoch: self.record.as_ref().map_or(0, |r| r.epoch),
                entries: self.own.clone(),
            };
            self.store.set(&key, &seal(&journal))
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
    fn unapplied(&self) -> impl Iterator<Item = &(u64, Event)> {
        let applied = self.record.as_ref().map_or(0, |r| r.applied_seq(&self.tab));
        self.own.iter().filter(move |(seq, _)| *seq > applied)
    }

    fn journal_key(&self) -> String {
        [self.journal_prefix.as_str(), &self.tab].concat()
    }

    /// The envelope of a stored value, salvaged when only its checksum fails; anything
    /// unusable is reported and removed (a newer format is left for its writer).
    fn unseal(&mut self, text: &str) -> Option<Envelope> {
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

    fn warn(&mut self, code: &'static str, message: impl Into<String>) {
        if self.warnings.len() < 16 {
            self.warnings.push(Warning {
                code,
                message: message.into(),
            });
        }
    }

    /// Warnings since the last call (the JS face turns them into `warning` events).
    pub fn take_warnings(&mut self) -> Vec<Warning> {
        std::mem::take(&mut self.warnings)
    }

    /// The consent that applies now: the latest decision, or the signals' defaults.
    pub fn consent(&self) -> Consent {
        if self.decision.decided_ms.is_some() {
            self.decision
        } else {
            default_consent(&self.signals, self.policy.respect_gpc)
        }
    }

    fn personalization_allowed(&self) -> bool {
        self.consent().allows_personalization()
    }

    pub fn storage_mode(&self) -> StorageMode {
        match self.last_storage_error {
            Some(_) => StorageMode::Memory,
            None => StorageMode::Persistent,
        }
    }

    /// The last storage problem, for diagnostics.
    pub fn storage_error(&self) -> Option<&StoreError> {
        self.last_storage_error.as_ref()
    }

    /// What ranking and the summary see: the envelope plus every tab's pending events.
    pub fn profile(&self) -> &Profile {
        &self.profile
    }

    pub fn config(&self) -> &ProfileConfig {
        &self.config
    }

    /// Applies a decision if it is at least as recent as the current one: a grant of
    /// personalization writes the record, anything else erases what was stored. Returns
    /// whether it was applied.
    fn decide(&mut self, decision: Consent) -> bool {
        if !self.decision.superseded_by(&decision) {
            return false;
        }
        let was_allowed = self.personalization_allowed();
        self.decision = decision;
        if decision.allows_personalization() {
            self.persist();
        } else if was_allowed {
            self.profile = Profile::default();
            self.erase_stored();
        }
        self.sync_measurement();
        true
    }

    /// The shopper grants `personalization` and/or `measurement` in the shop. Granting
    /// personalization writes the consent record (the first write ever).
    pub fn grant_consent(
        &mut self,
        personalization: bool,
        measurement: bool,
        now_ms: f64,
    ) -> Result<()> {
        let now_ms = validate_time(now_ms)?;
        let current = self.consent();
        let status =
            |grant: bool, now: ConsentStatus| if grant { ConsentStatus::Granted } else { now };
        let decision = Consent::decided(
            status(personalization, current.personalization),
            status(measurement, current.measurement),
            now_ms,
            Source::Shopper,
        );
        // Granting again keeps the record on file (another script may have cleared it);
        // a grant that was applied is on file already.
        if !self.decide(decision) && self.personalization_allowed() {
            self.persist();
        }
        Ok(())
    }

    /// Withdraws the `measurement` purpose only: its counts are erased in every tab, and
    /// the profile stays.
    pub fn withdraw_measurement(&mut self, now_ms: f64) -> Result<()> {
        let now_ms = validate_time(now_ms)?;
        let personalization = self.consent().personalization;
        let decision = Consent::decided(
            personalization,
            ConsentStatus::Denied,
            now_ms,
            Source::Shopper,
        );
        if !self.decide(decision) && self.personalization_allowed() {
            self.persist();
        }
        Ok(())
    }

    /// Denies or withdraws consent for every purpose: the profile is dropped and every
    /// Shelfwise key (all namespaces, all versions) is removed in this call.
    pub fn withdraw_consent(&mut self, now_ms: f64) -> Result<()> {
        let now_ms = validate_time(now_ms)?;
        // A withdrawal always wins and always erases.
        self.decision = Consent::decided(
            ConsentStatus::Denied,
            ConsentStatus::Denied,
            now_ms,
            Source::Shopper,
        );
        self.profile = Profile::default();
        self.erase_stored();
        self.sync_measurement();
        Ok(())
    }

    /// Takes in what the page says (GPC, IAB TCF, Google Consent Mode). A TC string is a
    /// decision dated by its `lastUpdated`; a Consent Mode update is one dated when it
    /// is first seen; an unreadable TC string is ignored.
    pub fn set_signals(&mut self, signals: Signals, now_ms: f64) -> Result<()> {
        let now_ms = validate_time(now_ms)?;
        let was_allowed = self.personalization_allowed();
        if let Some(state) = signals.tcf.as_ref().filter(|t| t.gdpr_applies) {
            if let Some(choices) = &state.choices {
                self.decide(tcf_decision(choices, self.policy.tcf_vendor_id));
            }
        }
        if signals.consent_mode_update != self.consent_mode_update {
            self.consent_mode_update = signals.consent_mode_update;
            if let Some(decision) = signals
                .consent_mode_update
                .as_ref()
                .and_then(|state| consent_mode_decision(state, now_ms))
            {
                self.decide(decision);
            }
        }
        self.signals = signals;
        if was_allowed && !self.personalization_allowed() {
            self.profile = Profile::default();
            self.erase_stored();
        }
        self.sync_measurement();
        Ok(())
    }

    /// Learns from a validated event. Returns whether it was recorded: `false` without
    /// consent. Nothing is written here: [`Engine::flush`] writes this tab's journal.
    pub fn track(&mut self, event: &Event) -> bool {
        // Sensitive categories are never learned, so never journaled either.
        self.clock_ms = self.clock_ms.max(event.at_ms);
        if !self.personalization_allowed() || !self.profile.learn(event, &self.config) {
            return false;
        }
        self.own.push((self.next_seq, event.clone()));
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
    fn compact_with(&mut self, now_ms: f64, edit: &mut dyn FnMut(&mut Profile)) -> bool {
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

    /// Marks a product "not interested": it is ranked last from now on.
    pub fn hide_product(&mut self, id: &str, now_ms: f64) -> Result<()> {
        let now_ms = validate_time(now_ms)?;
        let id = statement_label(id)?;
        self.edit(now_ms, &mut |profile| profile.hide(&id))
    }

    /// Records a search (query text, and how many results it found) in the recent
    /// searches. A search that found nothing is not kept: it is no use to suggest again.
    /// Returns whether it was kept (`false` without personalization consent).
    pub fn search(&mut self, query: &str, results: Option<f64>, now_ms: f64) -> Result<bool> {
        let now_ms = validate_time(now_ms)?;
        let invalid = |reason: String| Error::InvalidEvent(reason);
        // Case does not make another search. ASCII only here: Unicode case tables would
        // add 12 KB gzipped to the module, and the JS face lower-cases first.
        let query = super::event::label("query", Some(query.to_ascii_lowercase()))
            .map_err(invalid)?
            .ok_or_else(|| invalid("query must not be empty".into()))?;
        let found = match results {
            None => true,
            Some(n) => match super::event::whole_number(n, 0.0..=1e9) {
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
    fn edit(&mut self, now_ms: f64, edit: &mut dyn FnMut(&mut Profile)) -> Result<()> {
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
        super::export::export(&self.profile)
    }

    /// Restores an export (needs personalization consent): the file's profile replaces
    /// what this browser knew, in every tab, so export then import is lossless and
    /// importing twice changes nothing. A foreign, edited or malformed file is rejected
    /// with `invalid_import` and changes nothing.
    pub fn import(&mut self, file: &super::export::ImportFile, now_ms: f64) -> Result<()> {
        let now_ms = validate_time(now_ms)?;
        if !self.personalization_allowed() {
            return Err(Error::ConsentRequired(
                "importing a profile needs personalization consent".into(),
            ));
        }
        let mut imported = super::export::import(file)?;
        imported.sanitize(&self.config);
        self.compact_with(now_ms, &mut |profile| profile.clone_from(&imported));
        Ok(())
    }

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
    pub fn rank_rows(
        &self,
        rows: crate::rank::Rows,
        anchor: Option<&crate::catalog::Record>,
        options: &RankOptions,
        now_ms: f64,
    ) -> Result<Vec<crate::rank::RankedRow>> {
        let now_ms = validate_time(now_ms)?;
        let snapshot = self.snapshot(now_ms);
        match anchor {
            Some(anchor) => crate::rank::similar_rows(anchor, rows, options, snapshot.as_ref()),
            None => crate::rank::rank_rows(rows, options, snapshot.as_ref()),
        }
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
    fn in_segment<'a>(&self, context: &super::slots::Context<'a>) -> super::slots::Context<'a> {
        let segment = match self.in_holdout() {
            true => Profile::default().segment(context.now_ms, &self.config),
            false => self.profile.segment(context.now_ms, &self.config),
        };
        super::slots::Context {
            segment,
            ..*context
        }
    }

    /// Fills homepage slots for this shopper (see [`super::slots::fill_slots`]).
    pub fn fill_slots(
        &self,
        slots: usize,
        items: &[super::slots::SlotItem],
        context: &super::slots::Context,
        options: &RankOptions,
    ) -> Result<Vec<Option<Ranked>>> {
        let now_ms = validate_time(context.now_ms)?;
        let context = self.in_segment(context);
        let shown = |id: &str| self.profile.impressions_on(id, now_ms);
        let snapshot = self.snapshot(now_ms);
        super::slots::fill_slots(slots, items, &context, options, snapshot.as_ref(), &shown)
    }

    /// Fills homepage slots with interned rows (the browser's path): `placements` say
    /// where each row may go; their impressions today are counted here.
    pub fn fill_slot_rows(
        &self,
        slots: usize,
        rows: crate::rank::Rows,
        placements: &mut [super::slots::Placement],
        context: &super::slots::Context,
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
        let filled = super::slots::place(slots, placements, &context, &order);
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

    /// Measures the shop's `modules` (none: no measurement). Counting needs the
    /// `measurement` purpose as well as `personalization` (the counts are kept with the
    /// profile).
    pub fn set_modules(&mut self, modules: Vec<String>) -> Result<()> {
        check_modules(&modules)?;
        self.modules = modules;
        self.sync_measurement();
        Ok(())
    }

    /// Keeps the counted modules in step with consent; without the `measurement`
    /// purpose the counts kept so far are erased in every tab.
    fn sync_measurement(&mut self) {
        let measuring = self.consent().measurement == ConsentStatus::Granted;
        self.config.measured_modules = match measuring {
            true => self.modules.clone(),
            false => Vec::new(),
        };
        if !measuring && self.profile.measured != Counters::default() {
            let now_ms = self.clock_ms;
            self.compact_with(now_ms, &mut |profile| {
                profile.measured = Counters::default()
            });
        }
    }

    /// Puts the shopper in the shop's holdout (or takes them out): they see the shop's
    /// order while their profile still learns. Membership comes from the holdout's seed
    /// and percent and the shopper's id ([`super::bucket::in_holdout`]).
    pub fn set_held_out(&mut self, held_out: bool) {
        self.held_out = held_out;
    }

    /// Whether the shopper is in the shop's holdout (personalization off).
    pub fn in_holdout(&self) -> bool {
        self.held_out
    }

    /// The random id kept in the profile for bucketing (holdout, experiments), with
    /// consent; [`Engine::keep_unit`] creates it.
    pub fn unit(&self) -> Option<&str> {
        self.profile
            .unit
            .as_deref()
            .filter(|_| self.personalization_allowed())
    }

    /// Keeps `candidate` (random, from the browser) as the shopper's id unless one is
    /// kept already; only with consent. Returns the id in effect.
    pub fn keep_unit(&mut self, candidate: &str, now_ms: f64) -> Result<Option<String>> {
        let now_ms = validate_time(now_ms)?;
        if self.profile.unit.is_none() && self.personalization_allowed() {
            let valid = (16..=64).contains(&candidate.len())
                && candidate
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-');
            if !valid {
                return Err(Error::InvalidArgument(
                    "a unit id is 16 to 64 letters, digits or '-'".into(),
                ));
            }
            let unit = candidate.to_owned();
            self.compact_with(now_ms, &mut |profile| {
                profile.unit.get_or_insert_with(|| unit.clone());
            });
            // Storage refused it: keep it for this page.
            self.profile
                .unit
                .get_or_insert_with(|| candidate.to_owned());
        }
        Ok(self.unit().map(str::to_owned))
    }

    /// What was counted since the last call, per module of the layout in its order
    /// (`[impressions, clicks, add_to_cart, purchases, revenue]` each), for a report
    /// (see [`super::measure`]); the counts then restart in every tab.
    pub fn take_counts(&mut self, now_ms: f64) -> Result<Vec<[f64; 5]>> {
        let now_ms = validate_time(now_ms)?;
        if self.modules.is_empty() {
            return Err(Error::InvalidOptions(
                "measurement needs measurement.modules in the options of open".into(),
            ));
        }
        if self.config.measured_modules.is_empty() || !self.personalization_allowed() {
            return Err(Error::ConsentRequired(
                "reports need the measurement and personalization purposes".into(),
            ));
        }
        // Everything counted so far, this tab's unwritten events and other tabs' included,
        // read and restarted in one compaction.
        let modules = self.modules.clone();
        let mut counts = Vec::new();
        let mut take = |profile: &mut Profile| {
            counts = modules.iter().map(|m| profile.measured.of(m)).collect();
            profile.measured.counts.clear();
        };
        if !self.compact_with(now_ms, &mut take) {
            // Nothing on file to compact: the counts kept in memory.
            take(&mut self.profile);
        }
        Ok(counts)
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

    /// Removes this namespace's envelope and journals.
    fn remove_namespace_keys(&mut self) {
        if let Ok(keys) = self.store.keys(&self.key) {
            for key in keys {
                let _ = self.store.remove(&key);
            }
        }
    }

    /// Removes every Shelfwise key of every namespace and drops all state.
    fn erase_stored(&mut self) {
        self.record = None;
        self.on_file = false;
        self.own.clear();
        self.others.clear();
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
    fn persist(&mut self) {
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

    /// The store, for tests and tools that inspect what was written.
    pub fn store(&self) -> &S {
        &self.store
    }

    pub fn store_mut(&mut self) -> &mut S {
        &mut self.store
    }
}

/// A facet name as products use them (`category`, `brand`, `price_band`, `tag`,
/// `size`, `colour`, or the shop's own).
fn parse_facet(facet: &str) -> Result<&str> {
    if valid_facet_name(facet) {
        Ok(facet)
    } else {
        Err(Error::InvalidArgument(
            ["facet must be ", FACET_NAME_RULE, ", got \"", facet, "\""].concat(),
        ))
    }
}

/// A value or product id of the preference center, checked like event attributes.
fn statement_label(text: &str) -> Result<String> {
    super::event::label("value", Some(text.to_owned()))
        .map_err(Error::InvalidArgument)?
        .ok_or_else(|| Error::InvalidArgument("value must not be empty".into()))
}
