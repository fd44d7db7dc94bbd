//! Where the profile lives between page views, behind a small [`Store`] trait of text
//! keys and values. The core never touches browser storage itself: the wasm boundary
//! implements the trait with `localStorage`, tests with [`MemoryStore`].
//!
//! Keys of namespace `ns` (every Shelfwise key starts with `shelfwise:`):
//! - `shelfwise:ns:v2`: the envelope `{ version, epoch, consent, profile, applied }`;
//! - `shelfwise:ns:v2:j:TAB`: one tab's journal of events not yet in the envelope.
//!
//! Format 2 is the first released format. Both keys and values carry the version: a
//! newer format is left alone for its writer, and a later format migrates from this
//! one here.
//!
//! Values are `sw3:<checksum>:<base64url>`: the binary encoding of [`super::codec`],
//! the checksum being FNV-1a 64 of those bytes.

use std::collections::BTreeMap;

use super::base64url;
use super::codec::{codec_fields, from_bytes, to_bytes, Codec};

use super::consent::{Consent, ConsentStatus, Source};
use super::error::{Error, Result};
use super::event::Event;
use super::json::{decimal, hex16};
use super::profile::Profile;

/// Every key Shelfwise writes starts with this; erasing removes all of them.
pub const KEY_PREFIX: &str = "shelfwise:";
/// Version of the stored envelope format (also part of the key).
pub const FORMAT_VERSION: u32 = 3;
const VALUE_PREFIX: &str = "sw3:";
const MAX_NAMESPACE_LEN: usize = 64;

/// The storage key of a namespace: `shelfwise:<namespace>:v2`.
pub fn storage_key(namespace: &str) -> String {
    [
        KEY_PREFIX,
        namespace,
        ":v",
        &decimal(u64::from(FORMAT_VERSION)),
    ]
    .concat()
}

/// Where the shopper's refusal is kept (`shelfwise-consent:<namespace>`): outside
/// [`KEY_PREFIX`], so erasing what was learned never erases the refusal itself.
pub const REFUSAL_PREFIX: &str = "shelfwise-consent:";

pub fn refusal_key(namespace: &str) -> String {
    [REFUSAL_PREFIX, namespace].concat()
}

/// The refusal record: the decision per purpose and its time, nothing else
/// (`denied denied 1764770000000`).
pub fn refusal_text(consent: &Consent) -> String {
    let ms = consent.decided_ms.unwrap_or(0.0).max(0.0) as u64;
    [
        consent.personalization.as_str(),
        " ",
        consent.measurement.as_str(),
        " ",
        &decimal(ms),
    ]
    .concat()
}

/// A refusal record read back; `None` for anything else (it is then ignored).
pub fn parse_refusal(text: &str) -> Option<Consent> {
    let mut parts = text.split(' ');
    let personalization = ConsentStatus::from_name(parts.next()?)?;
    let measurement = ConsentStatus::from_name(parts.next()?)?;
    let ms: u64 = parts.next()?.parse().ok()?;
    (parts.next().is_none() && personalization == ConsentStatus::Denied)
        .then(|| Consent::decided(personalization, measurement, ms as f64, Source::Shopper))
}

/// The prefix of the namespace's journal keys (`shelfwise:ns:v2:j:TAB`).
pub fn journal_prefix(namespace: &str) -> String {
    storage_key(namespace) + ":j:"
}

/// A tab id is 1 to 32 ASCII letters or digits.
pub fn validate_tab(tab: &str) -> Result<()> {
    if (1..=32).contains(&tab.len()) && tab.bytes().all(|b| b.is_ascii_alphanumeric()) {
        Ok(())
    } else {
        Err(Error::InvalidArgument(
            "tab id must be 1 to 32 ASCII letters or digits".into(),
        ))
    }
}

/// A namespace is 1 to 64 ASCII letters, digits, `-`, `_` or `.`.
pub fn validate_namespace(namespace: &str) -> Result<()> {
    let ok = (1..=MAX_NAMESPACE_LEN).contains(&namespace.len())
        && namespace
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'));
    if ok {
        Ok(())
    } else {
        Err(Error::InvalidArgument(
            [
                "namespace must be 1 to 64 ASCII letters, digits, '-', '_' or '.', got \"",
                namespace,
                "\"",
            ]
            .concat(),
        ))
    }
}

/// FNV-1a, 64-bit: a checksum against truncation and edits, not a signature.
pub fn fnv1a64(bytes: &[u8]) -> u64 {
    fnv1a64_from(FNV1A64_OFFSET, bytes)
}

/// FNV-1a 64's starting state.
pub const FNV1A64_OFFSET: u64 = 0xcbf2_9ce4_8422_2325;

/// FNV-1a 64 continued from `hash` over `bytes`: a text hashed in parts hashes as the
/// whole text.
pub fn fnv1a64_from(hash: u64, bytes: &[u8]) -> u64 {
    bytes.iter().fold(hash, |hash, byte| {
        (hash ^ u64::from(*byte)).wrapping_mul(0x0000_0100_0000_01b3)
    })
}

/// Why a stored value was not used as it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum Unreadable {
    #[error("{}", self.describe())]
    Foreign,
    #[error("{}", self.describe())]
    Future,
    #[error("{}", self.describe())]
    Checksum,
    #[error("{}", self.describe())]
    Malformed,
}

impl Unreadable {
    /// What `Display` writes, without the formatting machinery.
    pub fn describe(self) -> &'static str {
        match self {
            Unreadable::Foreign => "not a Shelfwise value",
            Unreadable::Future => "written by a newer Shelfwise",
            Unreadable::Checksum => "checksum mismatch (truncated or edited)",
            Unreadable::Malformed => "malformed",
        }
    }
}

/// `sw3:<checksum>:<base64url>` of a value's binary encoding.
pub fn seal<T: Codec>(value: &T) -> String {
    let bytes = to_bytes(value);
    [
        VALUE_PREFIX,
        &hex16(fnv1a64(&bytes)),
        ":",
        &base64url::encode(&bytes),
    ]
    .concat()
}

/// Reads a sealed value. On a checksum mismatch the error carries the value when the
/// bytes still decode, so the caller can salvage it.
pub fn unseal<T: Codec>(text: &str) -> std::result::Result<T, (Unreadable, Option<Box<T>>)> {
    let rest = text.strip_prefix("sw").ok_or((Unreadable::Foreign, None))?;
    let (version, rest) = rest.split_once(':').ok_or((Unreadable::Foreign, None))?;
    match version.parse::<u32>() {
        Ok(FORMAT_VERSION) => {}
        Ok(v) if v > FORMAT_VERSION => return Err((Unreadable::Future, None)),
        _ => return Err((Unreadable::Foreign, None)),
    }
    let (sum, data) = rest.split_once(':').ok_or((Unreadable::Checksum, None))?;
    let bytes = base64url::decode(data).ok_or((Unreadable::Malformed, None))?;
    let intact = sum.len() == 16 && u64::from_str_radix(sum, 16) == Ok(fnv1a64(&bytes));
    match (intact, from_bytes::<T>(&bytes)) {
        (true, Some(value)) => Ok(value),
        (true, None) => Err((Unreadable::Malformed, None)),
        (false, value) => Err((Unreadable::Checksum, value.map(Box::new))),
    }
}

/// How far one tab's journal has been folded into the envelope: `(tab, seq, atMs)`.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Applied {
    pub tab: String,
    pub seq: u64,
    pub at_ms: f64,
}

codec_fields!(Applied { tab, seq, at_ms });

/// What is stored: the format version, the consent on file, the profile, and how far
/// each tab's journal is already in it. `epoch` changes when the profile is erased, so
/// journals written before are known to be stale.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Envelope {
    pub version: u32,
    pub epoch: u64,
    pub consent: Consent,
    pub profile: Profile,
    pub applied: Vec<Applied>,
}

codec_fields!(Envelope {
    version,
    epoch,
    consent,
    profile,
    applied
});

impl Envelope {
    pub fn new(consent: Consent, epoch: u64) -> Self {
        Envelope {
            version: FORMAT_VERSION,
            epoch,
            consent,
            profile: Profile::default(),
            applied: Vec::new(),
        }
    }

    pub fn to_sealed(&self) -> String {
        seal(self)
    }

    pub fn from_sealed(text: &str) -> std::result::Result<Self, (Unreadable, Option<Box<Self>>)> {
        match unseal::<Envelope>(text) {
            Ok(envelope) if envelope.version != FORMAT_VERSION => {
                Err((Unreadable::Malformed, None))
            }
            other => other,
        }
    }

    /// The journal position of `tab` already folded into this envelope.
    pub fn applied_seq(&self, tab: &str) -> u64 {
        self.applied(tab).map_or(0, |a| a.seq)
    }

    /// The mark of `tab`'s entries folded into this envelope, with its time.
    pub fn applied(&self, tab: &str) -> Option<&Applied> {
        self.applied.iter().find(|a| a.tab == tab)
    }
}

/// One tab's events not yet in the envelope, written against envelope `epoch`.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Journal {
    pub tab: String,
    pub epoch: u64,
    pub entries: Vec<(u64, Event)>,
    /// The gradients of the entries that were choices from a ranked list, for federated
    /// learning: `[seq, gradient]`.
    pub choices: Vec<(u64, Vec<f64>)>,
}

codec_fields!(Journal {
    tab,
    epoch,
    entries;
    choices
});

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum StoreError {
    /// No storage at all (blocked by the browser, or no `window`, as in a server render).
    #[error("storage unavailable: {0}")]
    Unavailable(String),
    /// The write was refused (quota exceeded, storage disabled mid-session).
    #[error("storage write failed: {0}")]
    WriteFailed(String),
}

/// One storage shared by several engines, as the tabs of one origin share
/// `localStorage` (native tests and fuzzing open several tabs on one `MemoryStore`).
impl<S: Store> Store for std::rc::Rc<std::cell::RefCell<S>> {
    fn get(&self, key: &str) -> Result<Option<String>, StoreError> {
        self.borrow().get(key)
    }
    fn set(&mut self, key: &str, value: &str) -> Result<(), StoreError> {
        self.borrow_mut().set(key, value)
    }
    fn remove(&mut self, key: &str) -> Result<(), StoreError> {
        self.borrow_mut().remove(key)
    }
    fn keys(&self, prefix: &str) -> Result<Vec<String>, StoreError> {
        self.borrow().keys(prefix)
    }
}

/// Text key-value persistence (the browser's `localStorage`). Implementations must
/// never panic.
pub trait Store {
    fn get(&self, key: &str) -> Result<Option<String>, StoreError>;
    fn set(&mut self, key: &str, value: &str) -> Result<(), StoreError>;
    fn remove(&mut self, key: &str) -> Result<(), StoreError>;
    /// Every key that starts with `prefix`.
    fn keys(&self, prefix: &str) -> Result<Vec<String>, StoreError>;
}

/// An in-memory store with switches to simulate blocked or full storage.
#[derive(Debug, Clone, Default)]
pub struct MemoryStore {
    pub entries: BTreeMap<String, String>,
    /// Successful writes so far.
    pub writes: usize,
    /// Every write fails, as a full storage would.
    pub full: bool,
    /// Every call fails, as a blocked storage would.
    pub blocked: bool,
}

impl MemoryStore {
    pub fn new() -> Self {
        MemoryStore::default()
    }

    fn check(&self) -> Result<(), StoreError> {
        if self.blocked {
            Err(StoreError::Unavailable("blocked".into()))
        } else {
            Ok(())
        }
    }
}

impl Store for MemoryStore {
    fn get(&self, key: &str) -> Result<Option<String>, StoreError> {
        self.check()?;
        Ok(self.entries.get(key).cloned())
    }

    fn set(&mut self, key: &str, value: &str) -> Result<(), StoreError> {
        self.check()?;
        if self.full {
            return Err(StoreError::WriteFailed("quota exceeded".into()));
        }
        self.entries.insert(key.to_owned(), value.to_owned());
        self.writes += 1;
        Ok(())
    }

    fn remove(&mut self, key: &str) -> Result<(), StoreError> {
        self.check()?;
        self.entries.remove(key);
        Ok(())
    }

    fn keys(&self, prefix: &str) -> Result<Vec<String>, StoreError> {
        self.check()?;
        Ok(self
            .entries
            .keys()
            .filter(|k| k.starts_with(prefix))
            .cloned()
            .collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::consent::Source;
    use crate::ConsentStatus;

    #[test]
    fn keys_are_namespaced_and_versioned() {
        assert_eq!(storage_key("acme"), "shelfwise:acme:v3");
        assert!(validate_namespace("acme-shop_eu.1").is_ok());
        for bad in ["", "a:b", "with space", &"x".repeat(65)] {
            assert!(validate_namespace(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn sealed_envelopes_round_trip_and_detect_damage() {
        let consent = Consent::decided(
            ConsentStatus::Granted,
            ConsentStatus::Unknown,
            5.0,
            Source::Shopper,
        );
        let envelope = Envelope::new(consent, 7);
        let sealed = envelope.to_sealed();
        assert_eq!(Envelope::from_sealed(&sealed).unwrap(), envelope);
        let cut = Envelope::from_sealed(&sealed[..sealed.len() - 2])
            .unwrap_err()
            .0;
        assert!(
            matches!(cut, Unreadable::Checksum | Unreadable::Malformed),
            "{cut:?}"
        );
        let stale_sum = format!("sw3:{:016x}:{}", fnv1a64(b"x"), &sealed[21..]);
        assert_eq!(
            Envelope::from_sealed(&stale_sum),
            Err((Unreadable::Checksum, Some(Box::new(envelope))))
        );
        assert_eq!(
            Envelope::from_sealed("{\"v\":1}").unwrap_err().0,
            Unreadable::Foreign
        );
        assert_eq!(
            Envelope::from_sealed("sw9:0:AA").unwrap_err().0,
            Unreadable::Future
        );
        assert_eq!(
            Envelope::from_sealed("sw3:0:***").unwrap_err().0,
            Unreadable::Malformed
        );
    }
}
