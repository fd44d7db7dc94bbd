//! The engine ties consent, profile and storage together. It is what the wasm boundary
//! wraps and what native tests and tools drive.
//!
//! Rules it enforces:
//! - nothing is learned or written while personalization is not granted;
//! - withdrawing consent erases every Shelfwise key, in every namespace, at once;
//! - storage failures never surface as errors: the engine keeps working in memory and
//!   reports it through [`Engine::storage_mode`];
//! - consent follows the latest decision (the shopper's, a CMP's); GPC and Consent
//!   Mode defaults apply only while there is none (see [`super::consent`]).

use super::consent::{
    consent_mode_decision, default_consent, tcf_decision, Consent, ConsentModeState, ConsentStatus,
    Signals, Source,
};
use super::error::Result;
use super::event::{validate_time, Event, Product};
use super::profile::{Affinity, Facet, FacetValues};
use super::profile::{Profile, ProfileConfig, Summary};
use super::rank::{rank, RankOptions, Ranked};
use super::store::{
    legacy_key, storage_key, validate_namespace, Envelope, Store, StoreError, Unreadable,
    KEY_PREFIX,
};
use super::tcf;

/// Interests per facet in [`Engine::summary`].
pub const SUMMARY_PER_FACET: usize = 5;

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

/// Something the page may want to know that is not an error: unreadable stored data,
/// a migration. Codes are stable.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Warning {
    pub code: &'static str,
    pub message: String,
}

/// A version-0.1 record, as the JS face reads it from its JSON (the browser build has
/// no JSON parser of its own).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct LegacyRecord {
    pub granted: bool,
    pub decided_ms: Option<f64>,
    /// `(facet, value, score, atMs, count)` with facet `category`, `brand` or `price_band`.
    pub affinities: Vec<(String, String, f64, f64, u32)>,
    pub events: u64,
    pub first_ms: Option<f64>,
    pub last_ms: Option<f64>,
}

pub struct Engine<S: Store> {
    key: String,
    legacy_key: String,
    warnings: Vec<Warning>,
    store: S,
    /// The latest decision (shopper or CMP); `decided_ms == None` while there is none.
    decision: Consent,
    signals: Signals,
    policy: ConsentPolicy,
    /// The Consent Mode update last applied, to date only changes.
    consent_mode_update: Option<ConsentModeState>,
    profile: Profile,
    config: ProfileConfig,
    last_storage_error: Option<StoreError>,
}

impl<S: Store> Engine<S> {
    /// Opens the namespace, loading any stored consent and profile. Unreadable stored
    /// data is ignored (and replaced at the next write), never an error.
    pub fn open(namespace: &str, store: S) -> Result<Self> {
        Self::with_config(namespace, store, ProfileConfig::default())
    }

    pub fn with_config(namespace: &str, store: S, config: ProfileConfig) -> Result<Self> {
        Self::with_policy(namespace, store, config, ConsentPolicy::default())
    }

    pub fn with_policy(
        namespace: &str,
        store: S,
        config: ProfileConfig,
        policy: ConsentPolicy,
    ) -> Result<Self> {
        validate_namespace(namespace)?;
        let mut engine = Engine {
            key: storage_key(namespace),
            legacy_key: legacy_key(namespace),
            warnings: Vec::new(),
            store,
            decision: Consent::default(),
            signals: Signals::default(),
            policy,
            consent_mode_update: None,
            profile: Profile::default(),
            config,
            last_storage_error: None,
        };
        engine.reload();
        Ok(engine)
    }

    /// Re-reads storage, adopting what another tab may have written. A missing record
    /// means nothing is on file: state returns to "unknown" and empty rather than
    /// resurrecting data that someone erased.
    pub fn reload(&mut self) {
        let envelope = match self.store.get(&self.key) {
            Ok(Some(text)) => self.unseal(&text),
            Ok(None) => None,
            Err(error) => {
                self.last_storage_error = Some(error);
                return;
            }
        };
        self.last_storage_error = None;
        match envelope {
            Some(envelope) if envelope.consent.allows_personalization() => {
                // A grant on file; a newer decision made in this tab stays.
                if self.decision.superseded_by(&envelope.consent) {
                    self.decision = envelope.consent;
                }
                self.profile = envelope.profile;
            }
            _ => {
                // Denied or unknown consent is never stored, so a record without a grant
                // carries nothing we may use; a grant that vanished was withdrawn.
                if self.decision.allows_personalization() {
                    self.decision = Consent::default();
                }
                self.profile = Profile::default();
            }
        }
    }

    /// The envelope of a stored value, salvaged when only its checksum fails; anything
    /// unusable is reported and removed (a newer format is left for its writer).
    fn unseal(&mut self, text: &str) -> Option<Envelope> {
        match Envelope::from_sealed(text) {
            Ok(mut envelope) => {
                // Any script on the page can rewrite storage, checksum included.
                let dropped = envelope.profile.sanitize(&self.config);
                if dropped > 0 {
                    self.warn(
                        "record_repaired",
                        format!("dropped {dropped} invalid stored entries"),
                    );
                }
                Some(envelope)
            }
            Err((Unreadable::Checksum, Some(envelope))) => {
                let mut envelope = *envelope;
                let dropped = envelope.profile.sanitize(&self.config);
                self.warn(
                    "record_salvaged",
                    format!("stored profile failed its checksum; kept what validates ({dropped} entries dropped)"),
                );
                Some(envelope)
            }
            Err((Unreadable::Future, _)) => {
                self.warn(
                    "record_future_version",
                    "stored profile is from a newer Shelfwise; starting fresh",
                );
                None
            }
            Err((reason, _)) => {
                self.warn(
                    "record_unreadable",
                    format!("stored profile is unreadable ({reason}); starting fresh"),
                );
                let _ = self.store.remove(&self.key);
                None
            }
        }
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

    /// The version-0.1 record (JSON text) when there is one and nothing newer.
    pub fn legacy_json(&self) -> Option<String> {
        match self.store.get(&self.key) {
            Ok(None) => self.store.get(&self.legacy_key).ok().flatten(),
            _ => None,
        }
    }

    /// Migrates a version-0.1 record into the current format (or drops it when it is
    /// unreadable: `None`), then removes it.
    pub fn migrate_legacy(&mut self, legacy: Option<LegacyRecord>, now_ms: f64) -> Result<()> {
        let now_ms = validate_time(now_ms)?;
        let _ = self.store.remove(&self.legacy_key);
        let Some(legacy) = legacy.filter(|l| l.granted) else {
            self.warn(
                "record_unreadable",
                "a format-1 profile could not be read; removed",
            );
            return Ok(());
        };
        let mut profile = Profile::default();
        for (facet, value, score, at_ms, count) in legacy.affinities {
            let values: &mut FacetValues = match Facet::from_name(&facet) {
                Some(Facet::Category) => &mut profile.categories,
                Some(Facet::Brand) => &mut profile.brands,
                Some(Facet::PriceBand) => &mut profile.price_bands,
                None => continue,
            };
            values.0.push((
                value,
                Affinity {
                    score,
                    at_ms,
                    count,
                },
            ));
        }
        profile.events = legacy.events;
        profile.first_ms = legacy.first_ms;
        profile.last_ms = legacy.last_ms;
        profile.sanitize(&self.config);
        let decision = Consent::decided(
            ConsentStatus::Granted,
            ConsentStatus::Unknown,
            legacy.decided_ms.unwrap_or(now_ms),
            Source::Shopper,
        );
        if self.decision.superseded_by(&decision) {
            self.decision = decision;
            self.profile = profile;
            self.persist();
            self.warn("record_migrated", "stored profile migrated from format 1");
        }
        Ok(())
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
            Some(StoreError::Unavailable(_) | StoreError::WriteFailed(_)) => StorageMode::Memory,
            _ => StorageMode::Persistent,
        }
    }

    /// The last storage problem, for diagnostics.
    pub fn storage_error(&self) -> Option<&StoreError> {
        self.last_storage_error.as_ref()
    }

    pub fn profile(&self) -> &Profile {
        &self.profile
    }

    pub fn config(&self) -> &ProfileConfig {
        &self.config
    }

    /// Applies a decision if it is at least as recent as the current one: a grant of
    /// personalization writes the record, anything else erases what was stored.
    fn decide(&mut self, decision: Consent) {
        if !self.decision.superseded_by(&decision) {
            return;
        }
        let was_allowed = self.personalization_allowed();
        self.decision = decision;
        if decision.allows_personalization() {
            self.persist();
        } else if was_allowed {
            self.profile = Profile::default();
            self.erase_stored();
        }
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
        self.decide(decision);
        // Granting again keeps the record on file (another script may have cleared it).
        if self.personalization_allowed() {
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
        Ok(())
    }

    /// Takes in what the page says (GPC, IAB TCF, Google Consent Mode). A TC string is a
    /// decision dated by its `lastUpdated`; a Consent Mode update is one dated when it
    /// is first seen; an unreadable TC string is ignored.
    pub fn set_signals(&mut self, signals: Signals, now_ms: f64) -> Result<()> {
        let now_ms = validate_time(now_ms)?;
        let was_allowed = self.personalization_allowed();
        if let Some(state) = signals.tcf.as_ref().filter(|t| t.gdpr_applies) {
            if let Some(Ok(tc)) = state.tc_string.as_deref().map(tcf::decode) {
                self.decide(tcf_decision(
                    &tc,
                    self.policy.tcf_vendor_id,
                    tc.last_updated_ms(),
                ));
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
        Ok(())
    }

    /// Learns from a validated event. Returns whether it was recorded: `false` without
    /// consent, when nothing is learned or stored.
    pub fn track(&mut self, event: &Event) -> bool {
        if self.storage_mode() == StorageMode::Persistent {
            self.reload();
        }
        if !self.personalization_allowed() {
            return false;
        }
        self.profile.learn(event, &self.config);
        self.persist();
        true
    }

    /// Ranks products given in the shop's order. Without consent the shop's order is kept.
    pub fn rank(
        &self,
        products: &[Product],
        options: &RankOptions,
        now_ms: f64,
    ) -> Result<Vec<Ranked>> {
        let now_ms = validate_time(now_ms)?;
        if self.personalization_allowed() && !self.profile.is_empty() {
            let snapshot = self.profile.snapshot(now_ms, &self.config);
            rank(products, options, Some(&snapshot))
        } else {
            rank(products, options, None)
        }
    }

    /// What Shelfwise knows, for the shopper's overview.
    pub fn summary(&self, now_ms: f64) -> Result<Summary> {
        let now_ms = validate_time(now_ms)?;
        Ok(self
            .profile
            .summary(now_ms, &self.config, SUMMARY_PER_FACET))
    }

    /// Forgets the profile but keeps the consent decision (on file again if granted).
    pub fn erase(&mut self) {
        self.profile = Profile::default();
        self.erase_stored();
        if self.personalization_allowed() {
            self.persist();
        }
    }

    fn erase_stored(&mut self) {
        let removed = self
            .store
            .keys(KEY_PREFIX)
            .and_then(|keys| keys.iter().try_for_each(|key| self.store.remove(key)));
        match removed {
            Ok(()) => self.last_storage_error = None,
            Err(error) => self.last_storage_error = Some(error),
        }
    }

    fn persist(&mut self) {
        let sealed = Envelope::new(self.decision, self.profile.clone()).to_sealed();
        match self.store.set(&self.key, &sealed) {
            Ok(()) => self.last_storage_error = None,
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
