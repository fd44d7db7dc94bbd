//! The engine ties consent, profile and storage together. It is what the wasm boundary
//! wraps and what native tests and tools drive.
//!
//! Rules it enforces:
//! - nothing is learned or written while personalization is not granted;
//! - withdrawing consent erases every Shelfwise key, in every namespace, at once;
//! - storage failures never surface as errors: the engine keeps working in memory,
//!   reports `storage_mode() == Memory` and queues a warning;
//! - several tabs lose no event: each tab appends to its own journal key, and
//!   [`Engine::compact`] folds journals into the record, remembering per tab how far it
//!   got, so an event is counted exactly once. A record that disappears (withdrawn in
//!   another tab) is never written back.

use serde::Serialize;

use super::config::Config;
use super::consent::{
    consent_mode_decision, default_consent, tcf_decision, Consent, ConsentModeState, ConsentStatus,
    Signals, Source,
};
use super::error::{Error, Result};
use super::event::{validate_time, Event, EventInput, Product};
use super::profile::Profile;
use super::rank::{rank, RankOptions, Ranked, Snapshot};
use super::store::{
    migrate_v1, validate_namespace, validate_tab, Applied, Journal, Keys, Record, Store,
    StoreError, Unreadable, KEY_PREFIX,
};
use super::summary::{summarize, Summary};
use super::tcf;

/// Own journal entries after which [`Engine::flush`] asks for a compaction.
pub const COMPACT_AFTER: usize = 64;
/// Journal positions kept in the record.
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

/// Something the page may want to know that is not an error: unreadable stored data,
/// a migration, storage going away. Codes are stable.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Warning {
    pub code: &'static str,
    pub message: String,
}

pub struct Engine<S: Store> {
    keys: Keys,
    tab: String,
    store: S,
    config: Config,
    signals: Signals,
    /// The latest decision (shopper or CMP); `decided_ms == None` when there is none.
    decision: Consent,
    /// The Consent Mode update last applied, to date only changes.
    consent_mode_update: Option<ConsentModeState>,
    /// The record as last read or written; `None` when nothing is on file.
    record: Option<Record>,
    /// This tab's events not yet folded into the record: `(seq, event)`.
    own: Vec<(u64, Event)>,
    next_seq: u64,
    /// Other tabs' journal entries not yet in the record: `(tab, seq, event)`.
    others: Vec<(String, u64, Event)>,
    /// Record + other tabs' entries + own entries: what ranking and the summary see.
    view: Profile,
    dirty: bool,
    mode: StorageMode,
    warnings: Vec<Warning>,
}

impl<S: Store> Engine<S> {
    /// Opens `namespace` for the tab `tab`, loading whatever is stored. Unreadable data
    /// is salvaged or ignored with a warning, never an error.
    pub fn open(namespace: &str, tab: &str, store: S, config: Config, now_ms: f64) -> Result<Self> {
        validate_namespace(namespace)?;
        validate_tab(tab)?;
        config.validate()?;
        let now_ms = validate_time(now_ms)?;
        let mut engine = Engine {
            keys: Keys::new(namespace),
            tab: tab.to_owned(),
            store,
            config,
            signals: Signals::default(),
            decision: Consent::default(),
            consent_mode_update: None,
            record: None,
            own: Vec::new(),
            next_seq: 1,
            others: Vec::new(),
            view: Profile::default(),
            dirty: false,
            mode: StorageMode::Persistent,
            warnings: Vec::new(),
        };
        engine.load_record(now_ms);
        engine.read_journals();
        engine.rebuild_view();
        Ok(engine)
    }

    fn warn(&mut self, code: &'static str, message: impl Into<String>) {
        if self.warnings.len() < 32 && !self.warnings.iter().any(|w| w.code == code) {
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

    fn storage_failed(&mut self, error: StoreError) {
        if self.mode == StorageMode::Persistent {
            let code = match error {
                StoreError::Unavailable(_) => "storage_unavailable",
                StoreError::WriteFailed(_) => "storage_full",
            };
            self.warn(code, format!("{error}; keeping this page's data in memory"));
        }
        self.mode = StorageMode::Memory;
    }

    fn storage_ok(&mut self) {
        self.mode = StorageMode::Persistent;
    }

    /// Reads the record (migrating or salvaging as needed) into `self.record`.
    fn load_record(&mut self, now_ms: f64) {
        let text = match self.store.get(&self.keys.record) {
            Ok(text) => text,
            Err(error) => return self.storage_failed(error),
        };
        let record = match text {
            Some(text) => self.parse_record(&text),
            None => self.migrate_legacy(now_ms),
        };
        match record {
            Some(mut record) => {
                let dropped = record.profile.sanitize(now_ms, &self.config);
                if dropped > 0 {
                    self.warn(
                        "record_repaired",
                        format!("dropped {dropped} invalid stored entries"),
                    );
                }
                if record.consent.superseded_by(&self.decision) {
                    // A decision made in this tab is newer than the stored one.
                    record.consent = self.decision;
                }
                self.decision = record.consent;
                self.record = Some(record);
            }
            None => self.record = None,
        }
    }

    fn parse_record(&mut self, text: &str) -> Option<Record> {
        match Record::from_sealed(text) {
            Ok(record) if record.consent.allows_personalization() => Some(record),
            Ok(_) => {
                // Data without consent must not exist: drop it.
                self.warn(
                    "record_unreadable",
                    "stored record holds no consent; removed",
                );
                self.remove_namespace_keys();
                None
            }
            Err((Unreadable::Future(version), _)) => {
                // Left alone: a newer Shelfwise on this origin may still want it. It is
                // replaced only when the shopper decides again here.
                self.warn(
                    "record_future_version",
                    format!("stored record is format {version}, newer than this Shelfwise; starting fresh"),
                );
                None
            }
            Err((Unreadable::Checksum, salvaged)) => {
                // Edited or cut short: keep what still decodes (sanitized by the caller).
                match salvaged.filter(|r| r.consent.allows_personalization()) {
                    Some(record) => {
                        self.warn(
                            "record_salvaged",
                            "stored record failed its checksum; kept what validates",
                        );
                        Some(record)
                    }
                    None => {
                        self.warn("record_unreadable", "stored record failed its checksum and could not be read; starting fresh");
                        self.remove_namespace_keys();
                        None
                    }
                }
            }
            Err((error, _)) => {
                self.warn(
                    "record_unreadable",
                    format!("stored record is unreadable ({error}); starting fresh"),
                );
                self.remove_namespace_keys();
                None
            }
        }
    }

    fn migrate_legacy(&mut self, now_ms: f64) -> Option<Record> {
        let text = match self.store.get(&self.keys.legacy) {
            Ok(Some(text)) => text,
            Ok(None) => return None,
            Err(error) => {
                self.storage_failed(error);
                return None;
            }
        };
        let record = migrate_v1(&text, now_ms as u64);
        let _ = self.store.remove(&self.keys.legacy);
        match record {
            Ok(record) => {
                self.warn("record_migrated", "stored profile migrated from format 1");
                if let Err(error) = self.store.set(&self.keys.record, &record.to_sealed()) {
                    self.storage_failed(error);
                }
                Some(record)
            }
            Err(error) => {
                self.warn(
                    "record_unreadable",
                    format!("format-1 profile is unreadable ({error}); removed"),
                );
                None
            }
        }
    }

    /// Reads every journal of this namespace: other tabs' entries not yet in the record
    /// go to `others`; stale and orphaned journals are removed.
    fn read_journals(&mut self) {
        self.others.clear();
        let keys = match self.store.keys(&self.keys.journal_prefix) {
            Ok(keys) => keys,
            Err(error) => return self.storage_failed(error),
        };
        let own_key = self.keys.journal(&self.tab);
        for key in keys {
            if key == own_key {
                continue;
            }
            let journal = match self.store.get(&key) {
                Ok(Some(text)) => Journal::from_sealed(&text),
                Ok(None) => continue,
                Err(error) => return self.storage_failed(error),
            };
            let Some(record) = &self.record else {
                // A journal with no record behind it holds data without consent.
                let _ = self.store.remove(&key);
                continue;
            };
            match journal {
                Ok(journal) if journal.epoch == record.epoch => {
                    let applied = record.applied_seq(&journal.tab);
                    for (seq, event) in journal.entries {
                        if seq <= applied {
                            continue;
                        }
                        // Storage is writable by any script: re-check what it holds.
                        match event.to_input().validate(event.at_ms) {
                            Ok(event) => self.others.push((journal.tab.clone(), seq, event)),
                            Err(_) => {
                                self.warn("journal_unreadable", "skipped an invalid journal entry")
                            }
                        }
                    }
                }
                Ok(_) => {
                    // Written against an erased profile.
                    let _ = self.store.remove(&key);
                }
                Err(error) => {
                    self.warn(
                        "journal_unreadable",
                        format!("removed an unreadable journal ({error})"),
                    );
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

    fn rebuild_view(&mut self) {
        let mut view = self
            .record
            .as_ref()
            .map(|r| r.profile.clone())
            .unwrap_or_default();
        for (_, _, event) in &self.others {
            view.learn(event, &self.config);
        }
        for (_, event) in &self.own {
            view.learn(event, &self.config);
        }
        self.view = view;
    }

    /// The consent that applies now: the latest decision, or the defaults of the signals.
    pub fn consent(&self) -> Consent {
        if self.decision.decided_ms.is_some() {
            self.decision
        } else {
            default_consent(&self.signals, self.config.respect_gpc)
        }
    }

    pub fn storage_mode(&self) -> StorageMode {
        self.mode
    }

    /// What ranking and the summary see: the record plus every tab's pending events.
    pub fn profile(&self) -> &Profile {
        &self.view
    }

    pub fn config(&self) -> &Config {
        &self.config
    }

    pub fn store(&self) -> &S {
        &self.store
    }

    pub fn store_mut(&mut self) -> &mut S {
        &mut self.store
    }

    /// Applies a decision if it is at least as recent as the current one; erases
    /// everything when it takes personalization away.
    fn decide(&mut self, decision: Consent, now_ms: f64) {
        if !self.decision.superseded_by(&decision) {
            return;
        }
        let was_granted = self.consent().allows_personalization();
        self.decision = decision;
        if decision.allows_personalization() {
            self.write_consent(now_ms);
        } else if was_granted || self.record.is_some() || !self.own.is_empty() {
            self.erase_everything();
        }
    }

    /// Puts the current decision on file, keeping a record another tab may have written.
    fn write_consent(&mut self, now_ms: f64) {
        if self.mode == StorageMode::Persistent {
            self.load_record(now_ms);
        }
        let decision = self.decision;
        let record = self
            .record
            .get_or_insert_with(|| Record::new(decision, now_ms as u64));
        record.consent = decision;
        let sealed = record.to_sealed();
        match self.store.set(&self.keys.record, &sealed) {
            Ok(()) => self.storage_ok(),
            Err(error) => self.storage_failed(error),
        }
        self.read_journals();
        self.rebuild_view();
    }

    /// Grants `personalization` and/or `measurement` as the shopper's decision.
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
        self.decide(
            Consent::decided(
                status(personalization, current.personalization),
                status(measurement, current.measurement),
                now_ms,
                Source::Shopper,
            ),
            now_ms,
        );
        Ok(())
    }

    /// Denies or withdraws consent for both purposes: every Shelfwise key (all
    /// namespaces, all versions, all journals) is removed in this call.
    pub fn withdraw_consent(&mut self, now_ms: f64) -> Result<()> {
        let now_ms = validate_time(now_ms)?;
        let decision = Consent::decided(
            ConsentStatus::Denied,
            ConsentStatus::Denied,
            now_ms,
            Source::Shopper,
        );
        // A withdrawal always wins over earlier decisions and always erases.
        self.decision = decision;
        self.erase_everything();
        Ok(())
    }

    /// Takes in what the page says (GPC, TCF, Consent Mode); see [`super::consent`].
    pub fn set_signals(&mut self, signals: Signals, now_ms: f64) -> Result<()> {
        let now_ms = validate_time(now_ms)?;
        let was_granted = self.consent().allows_personalization();
        if let Some(state) = signals.tcf.as_ref().filter(|t| t.gdpr_applies) {
            match state.tc_string.as_deref().map(tcf::decode) {
                Some(Ok(tc)) => {
                    let decision =
                        tcf_decision(&tc, self.config.tcf_vendor_id, tc.last_updated_ms());
                    self.decide(decision, now_ms);
                }
                Some(Err(error)) => self.warn(
                    "tcf_unreadable",
                    format!("ignored the CMP's TC string: {error}"),
                ),
                None => {}
            }
        }
        if signals.consent_mode_update != self.consent_mode_update {
            self.consent_mode_update = signals.consent_mode_update;
            if let Some(decision) = signals
                .consent_mode_update
                .as_ref()
                .and_then(|s| consent_mode_decision(s, now_ms))
            {
                self.decide(decision, now_ms);
            }
        }
        self.signals = signals;
        if was_granted && !self.consent().allows_personalization() {
            self.erase_everything();
        }
        Ok(())
    }

    /// Learns from a validated event. Returns whether it was recorded: `false` without
    /// consent or for sensitive categories and facets. Nothing is written here; see
    /// [`Engine::flush`].
    pub fn track(&mut self, event: &Event) -> bool {
        if !self.consent().allows_personalization() || !self.view.learn(event, &self.config) {
            return false;
        }
        self.own.push((self.next_seq, event.clone()));
        self.next_seq += 1;
        self.dirty = true;
        if self.mode == StorageMode::Memory && self.own.len() >= COMPACT_AFTER {
            // Nowhere to journal to: fold into the in-memory record.
            if let Some(record) = &mut self.record {
                record.profile = self.view.clone();
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
    /// it under a Web Lock so that one tab at a time compacts).
    pub fn flush(&mut self, now_ms: f64) -> bool {
        if !self.dirty {
            return false;
        }
        if !self.consent().allows_personalization() {
            self.own.clear();
            self.dirty = false;
            return false;
        }
        if !self.record_still_ours(now_ms) {
            return false;
        }
        let Some(record) = &self.record else {
            return false;
        };
        let journal = Journal {
            tab: self.tab.clone(),
            epoch: record.epoch,
            entries: self.own.iter().cloned().collect(),
        };
        match self
            .store
            .set(&self.keys.journal(&self.tab), &journal.to_sealed())
        {
            Ok(()) => {
                self.storage_ok();
                self.dirty = false;
            }
            Err(error) => self.storage_failed(error),
        }
        self.own.len() >= COMPACT_AFTER
    }

    /// Re-reads the record before a write. `false` when it vanished (consent withdrawn
    /// elsewhere) or was replaced by an erase; the engine has then adopted that state.
    fn record_still_ours(&mut self, now_ms: f64) -> bool {
        let epoch = self.record.as_ref().map(|r| r.epoch);
        match self.store.get(&self.keys.record) {
            Err(error) => {
                self.storage_failed(error);
                return false;
            }
            Ok(None) if self.mode == StorageMode::Persistent => {
                self.record_vanished();
                return false;
            }
            _ => {}
        }
        self.load_record(now_ms);
        if self.record.as_ref().map(|r| r.epoch) != epoch {
            self.own.clear();
            self.read_journals();
            self.rebuild_view();
            return false;
        }
        self.record.is_some()
    }

    /// Another tab withdrew consent (or a script cleared storage): nothing on file means
    /// no consent on file, so this tab drops its data and never writes it back.
    fn record_vanished(&mut self) {
        self.decision = Consent::default();
        self.record = None;
        self.own.clear();
        self.others.clear();
        self.view = Profile::default();
        self.dirty = false;
        self.remove_namespace_keys();
        self.warn(
            "consent_withdrawn_elsewhere",
            "the stored profile was removed by another tab or script",
        );
    }

    /// Folds every journal into the record and trims this tab's journal.
    pub fn compact(&mut self, now_ms: f64) -> Result<()> {
        let now_ms = validate_time(now_ms)?;
        self.compact_with(now_ms, |_, _, _| {});
        Ok(())
    }

    /// Compacts, then lets `edit` change the profile before it is written.
    fn compact_with(&mut self, now_ms: f64, edit: impl FnOnce(&mut Profile, f64, &Config)) -> bool {
        if !self.consent().allows_personalization() {
            return false;
        }
        if self.mode == StorageMode::Memory {
            let Some(record) = &mut self.record else {
                return false;
            };
            record.profile = self.view.clone();
            self.own.clear();
            edit(&mut record.profile, now_ms, &self.config);
            self.rebuild_view();
            return true;
        }
        if !self.record_still_ours(now_ms) {
            return false;
        }
        self.read_journals();
        let config = self.config.clone();
        let Some(record) = &mut self.record else {
            return false;
        };
        let mut positions: Vec<(String, u64)> = Vec::new();
        let mut note = |tab: &str, seq: u64| match positions.iter_mut().find(|p| p.0 == tab) {
            Some(p) => p.1 = p.1.max(seq),
            None => positions.push((tab.to_owned(), seq)),
        };
        for (tab, seq, event) in &self.others {
            record.profile.learn(event, &config);
            note(tab, *seq);
        }
        let own_applied = record.applied_seq(&self.tab);
        for (seq, event) in self.own.iter().filter(|(seq, _)| *seq > own_applied) {
            record.profile.learn(event, &config);
            note(&self.tab, *seq);
        }
        for (tab, seq) in positions {
            record.applied.retain(|a| a.0 != tab);
            record.applied.insert(0, Applied(tab, seq, now_ms));
        }
        record.applied.truncate(MAX_APPLIED);
        record.profile.forget_before(now_ms - config.retention_ms());
        edit(&mut record.profile, now_ms, &config);
        record.profile.sanitize(now_ms, &config);
        let sealed = record.to_sealed();
        match self.store.set(&self.keys.record, &sealed) {
            Ok(()) => {
                self.storage_ok();
                self.others.clear();
                self.own.clear();
                self.dirty = false;
                let _ = self.store.remove(&self.keys.journal(&self.tab));
                self.rebuild_view();
                true
            }
            Err(error) => {
                self.storage_failed(error);
                // The record in memory now holds every event; nothing more to journal.
                self.others.clear();
                self.own.clear();
                self.rebuild_view();
                true
            }
        }
    }

    /// Re-reads storage after another tab changed it (the `storage` event).
    pub fn reload(&mut self, now_ms: f64) -> Result<()> {
        let now_ms = validate_time(now_ms)?;
        if self.mode == StorageMode::Memory {
            return Ok(());
        }
        let had_record = self.record.is_some();
        let epoch = self.record.as_ref().map(|r| r.epoch);
        match self.store.get(&self.keys.record) {
            Err(error) => self.storage_failed(error),
            Ok(None) if had_record || !self.own.is_empty() => self.record_vanished(),
            Ok(None) => {
                // Not granted here and nothing on file: any journal is an orphan.
                if !self.consent().allows_personalization() {
                    self.read_journals();
                }
            }
            Ok(Some(_)) => {
                self.load_record(now_ms);
                let record = self.record.as_ref();
                if record.map(|r| r.epoch) != epoch {
                    self.own.clear();
                    self.dirty = false;
                } else if let Some(record) = record {
                    let applied = record.applied_seq(&self.tab);
                    self.own.retain(|(seq, _)| *seq > applied);
                }
                self.read_journals();
                self.rebuild_view();
            }
        }
        Ok(())
    }

    /// Ranks products given in the shop's order. Without consent the shop's order is kept.
    pub fn rank(
        &self,
        products: &[Product],
        options: &RankOptions,
        now_ms: f64,
    ) -> Result<Vec<Ranked>> {
        let now_ms = validate_time(now_ms)?;
        if self.consent().allows_personalization() && !self.view.is_empty() {
            let snapshot = Snapshot::new(&self.view, now_ms, &self.config);
            rank(products, options, Some(&snapshot))
        } else {
            rank(products, options, None)
        }
    }

    /// What Shelfwise knows, in the shopper's terms.
    pub fn summary(&self, now_ms: f64) -> Result<Summary> {
        let now_ms = validate_time(now_ms)?;
        Ok(summarize(&self.view, self.consent(), now_ms, &self.config))
    }

    /// Forgets one facet value everywhere. Returns whether it was known.
    pub fn forget(&mut self, facet: &str, value: &str, now_ms: f64) -> Result<bool> {
        let now_ms = validate_time(now_ms)?;
        let known = self.view.clone().forget(facet, value);
        if known {
            self.compact_with(now_ms, |profile, _, _| {
                profile.forget(facet, value);
            });
        }
        Ok(known)
    }

    /// The shopper's profile as a versioned, checksummed JSON document (README: "Export
    /// format"). Without consent the profile is empty.
    pub fn export(&self, now_ms: f64) -> Result<String> {
        let now_ms = validate_time(now_ms)?;
        Ok(super::export::export(&self.view, self.consent(), now_ms))
    }

    /// Merges an export into the profile. Rejects foreign, tampered or malformed files
    /// with `invalid_import`, changing nothing; needs personalization consent.
    pub fn import(&mut self, file: &super::export::ImportFile, now_ms: f64) -> Result<()> {
        let now_ms = validate_time(now_ms)?;
        if !self.consent().allows_personalization() {
            return Err(Error::ConsentRequired(
                "importing a profile needs personalization consent".into(),
            ));
        }
        let mut imported = super::export::import(file)?;
        imported.sanitize(now_ms, &self.config);
        self.compact_with(now_ms, |profile, now, config| {
            profile.merge(&imported, now, config)
        });
        Ok(())
    }

    /// Forgets everything learned, in every tab, keeping the consent decision.
    pub fn erase(&mut self, now_ms: f64) -> Result<()> {
        let now_ms = validate_time(now_ms)?;
        let old_epoch = self.record.as_ref().map_or(0, |r| r.epoch);
        self.remove_namespace_keys();
        self.own.clear();
        self.others.clear();
        self.dirty = false;
        self.record = None;
        if self.consent().allows_personalization() {
            // A new epoch makes other tabs drop what they had not written yet.
            let record = Record::new(self.decision, (now_ms as u64).max(old_epoch + 1));
            match self.store.set(&self.keys.record, &record.to_sealed()) {
                Ok(()) => self.storage_ok(),
                Err(error) => self.storage_failed(error),
            }
            self.record = Some(record);
        }
        self.rebuild_view();
        Ok(())
    }

    /// Removes this namespace's record and journals.
    fn remove_namespace_keys(&mut self) {
        let prefix = self.keys.record.clone();
        match self.store.keys(&prefix) {
            Ok(keys) => {
                for key in keys {
                    let _ = self.store.remove(&key);
                }
            }
            Err(error) => self.storage_failed(error),
        }
    }

    /// Removes every Shelfwise key of every namespace and drops all state.
    fn erase_everything(&mut self) {
        self.record = None;
        self.own.clear();
        self.others.clear();
        self.view = Profile::default();
        self.dirty = false;
        match self.store.keys(KEY_PREFIX) {
            Ok(keys) => {
                for key in keys {
                    let _ = self.store.remove(&key);
                }
            }
            Err(error) => self.storage_failed(error),
        }
    }

    /// Parses and tracks an event from JSON (the boundary's path).
    pub fn track_json(&mut self, json: &str, now_ms: f64) -> Result<bool> {
        let event = EventInput::from_json(json, now_ms)?;
        Ok(self.track(&event))
    }
}
