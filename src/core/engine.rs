//! The engine ties consent, profile and storage together. It is what the wasm boundary
//! wraps and what native tests and tools drive.
//!
//! Rules it enforces:
//! - nothing is learned or written while personalization is not granted;
//! - withdrawing consent erases every Shelfwise key, in every namespace, at once;
//! - storage failures never surface as errors: the engine keeps working in memory and
//!   reports it through [`Engine::storage_mode`].

use super::consent::{Consent, ConsentStatus};
use super::error::Result;
use super::event::{validate_time, Event, Product};
use super::profile::{Profile, ProfileConfig, Summary};
use super::rank::{rank, RankOptions, Ranked};
use super::store::{storage_key, validate_namespace, Envelope, Store, StoreError, KEY_PREFIX};

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

pub struct Engine<S: Store> {
    key: String,
    store: S,
    consent: Consent,
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
        validate_namespace(namespace)?;
        let mut engine = Engine {
            key: storage_key(namespace),
            store,
            consent: Consent::default(),
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
        match self.store.read(&self.key) {
            Ok(Some(envelope)) if envelope.consent.allows_personalization() => {
                self.consent = envelope.consent;
                self.profile = envelope.profile;
                self.last_storage_error = None;
            }
            Ok(_) => {
                // Denied or unknown consent is never stored, so a record without a grant
                // carries nothing we may use.
                if self.consent.allows_personalization() {
                    self.consent = Consent::default();
                }
                self.profile = Profile::default();
                self.last_storage_error = None;
            }
            Err(error) => self.last_storage_error = Some(error),
        }
    }

    pub fn consent(&self) -> ConsentStatus {
        self.consent.personalization
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

    /// Grants personalization and writes the consent record (the first write ever).
    pub fn grant_consent(&mut self, now_ms: f64) -> Result<()> {
        let now_ms = validate_time(now_ms)?;
        if !self.consent.allows_personalization() {
            self.consent = Consent::granted(now_ms);
        }
        self.persist();
        Ok(())
    }

    /// Denies or withdraws personalization: the profile is dropped and every Shelfwise
    /// key (all namespaces, all versions) is removed in this call.
    pub fn withdraw_consent(&mut self, now_ms: f64) -> Result<()> {
        let now_ms = validate_time(now_ms)?;
        self.consent = Consent {
            personalization: ConsentStatus::Denied,
            updated_ms: Some(now_ms),
        };
        self.profile = Profile::default();
        self.erase_stored();
        Ok(())
    }

    /// Learns from a validated event. Returns whether it was recorded: `false` without
    /// consent, when nothing is learned or stored.
    pub fn track(&mut self, event: &Event) -> bool {
        if self.storage_mode() == StorageMode::Persistent {
            self.reload();
        }
        if !self.consent.allows_personalization() {
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
        if self.consent.allows_personalization() && !self.profile.is_empty() {
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
        if self.consent.allows_personalization() {
            self.persist();
        }
    }

    fn erase_stored(&mut self) {
        match self.store.remove_prefixed(KEY_PREFIX) {
            Ok(_) => self.last_storage_error = None,
            Err(error) => self.last_storage_error = Some(error),
        }
    }

    fn persist(&mut self) {
        let envelope = Envelope::new(self.consent, self.profile.clone());
        match self.store.write(&self.key, &envelope) {
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
