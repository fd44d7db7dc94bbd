//! The engine ties consent, profile and storage together. It is what the wasm boundary
//! wraps and what native tests and tools drive.
//!
//! Rules it enforces:
//! - nothing is learned or written while personalization is not granted;
//! - withdrawing consent erases every Shelfwise key, in every namespace, at once;
//! - storage failures never surface as errors: the engine keeps working in memory and
//!   reports it through [`Engine::storage_mode`]; a profile the browser deleted is told
//!   from a new one where a grant from an earlier visit says one should exist
//!   ([`Engine::evicted`]);
//! - consent follows the latest decision (the shopper's, a CMP's); GPC and Consent
//!   Mode defaults apply only while there is none (see [`super::consent`]);
//! - the shopper's refusal is remembered (only the decision and its time, under its
//!   own key that erasing never touches), so a banner does not ask again each visit;
//! - tabs lose no event: each tab appends to its own journal key ([`Engine::flush`]),
//!   and [`Engine::compact`] folds journals into the envelope, remembering per tab how
//!   far it got, so every event counts exactly once. An envelope that disappears
//!   (consent withdrawn in another tab) is never written back.
//!
//! By concern: `consent`, `journal` (storage, tabs, compaction), `edits` (the
//! preference center, summary, export, import, erasure), `ranking`, `measurement`,
//! `federated` (what a contribution to federated learning is made of).

mod consent;
mod edits;
mod federated;
mod journal;
mod measurement;
mod ranking;

use crate::consent::{
    consent_mode_decision, default_consent, tcf_decision, Consent, ConsentModeState, ConsentStatus,
    Signals, Source,
};
pub use federated::Taken;

use crate::error::{Error, Result};
use crate::event::Product;
use crate::event::{valid_facet_name, validate_time, Event, FACET_NAME_RULE};
use crate::json::decimal;
use crate::json::shape;
use crate::measure::{check_modules, Counters};
use crate::profile::Snapshot;
use crate::profile::{Profile, ProfileConfig, Summary};
use crate::rank::{rank, similar_to, Candidate, RankOptions, Ranked};
use crate::store::{
    journal_prefix, parse_refusal, refusal_key, refusal_text, seal, storage_key, unseal,
    validate_namespace, validate_tab, Applied, Envelope, Journal, Store, StoreError, Unreadable,
    KEY_PREFIX,
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
    pub const ALL: [StorageMode; 2] = [StorageMode::Persistent, StorageMode::Memory];

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

shape! {
    /// Something the page may want to know that is not an error: unreadable, salvaged or
    /// repaired stored data, or a product ranking could not read. Codes are stable.
    #[derive(Debug, Clone, PartialEq)]
    pub struct Warning as "ShelfwiseWarning" {
        pub code: &'static str => "code": "\"record_unreadable\" | \"record_salvaged\" | \"record_repaired\" | \"record_future_version\" | \"product_unread\"",
        pub message: String => "message": "string",
    }
}

pub struct Engine<S: Store> {
    key: String,
    journal_prefix: String,
    /// Where the shopper's refusal is remembered (see [`crate::store::refusal_key`]).
    refusal_key: String,
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
    /// A grant from an earlier visit found nothing of this namespace on file: the browser
    /// deleted the profile (see [`Engine::evicted`]).
    evicted: bool,
    /// Federated learning, when the shop turned it on.
    learner: Option<federated::Learner>,
    /// Journaled choices' gradients, own and other tabs' (see [`federated::Choice`]).
    choices: Vec<federated::Choice>,
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
            refusal_key: refusal_key(namespace),
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
            evicted: false,
            learner: None,
            choices: Vec::new(),
        };
        engine.reload();
        engine.adopt_own_journal();
        Ok(engine)
    }

    fn warn(&mut self, code: &'static str, message: impl Into<String>) {
        if self.warnings.len() < 16 {
            self.warnings.push(Warning {
                code,
                message: message.into(),
            });
        }
    }

    /// Notes a product that could not be read, ranked in the shop's order without
    /// personal signals (lenient ranking): a `product_unread` warning naming it and why.
    pub fn warn_unread(&mut self, index: usize, reason: &str) {
        let message = [
            "product ",
            &crate::error::at_index(index, reason),
            "; it keeps the shop's position, without personal signals",
        ]
        .concat();
        self.warn("product_unread", message);
    }

    /// Warnings since the last call (the JS face turns them into `warning` events).
    pub fn take_warnings(&mut self) -> Vec<Warning> {
        std::mem::take(&mut self.warnings)
    }

    pub fn storage_mode(&self) -> StorageMode {
        match self.last_storage_error {
            Some(_) => StorageMode::Memory,
            None => StorageMode::Persistent,
        }
    }

    /// Whether the profile was evicted: personalization is granted by a decision from an
    /// earlier visit (a TCF CMP's stored choices, or a grant the shop has on record), the
    /// storage reads fine, and yet nothing of this namespace is on file: no profile, no
    /// journal, no refusal. Browsers delete site storage (Safari's Intelligent Tracking
    /// Prevention after seven days of use without an interaction with the site, the
    /// shopper clearing site data, eviction under storage pressure); the shop can then offer to import the shopper's export.
    /// It cannot be told apart from a grant given where Shelfwise never ran in this
    /// browser (another device, a page without Shelfwise). Without such a grant, or when
    /// storage cannot be read, it stays `false`: a deleted profile looks like a new
    /// shopper. Stays set for the page until the profile is imported, erased or withdrawn.
    pub fn evicted(&self) -> bool {
        self.evicted
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
    crate::event::label("value", Some(text.to_owned()))
        .map_err(Error::InvalidArgument)?
        .ok_or_else(|| Error::InvalidArgument("value must not be empty".into()))
}
