//! How Shelfwise lays its data out in key-value storage, and the [`Store`] trait the
//! browser (and tests) implement. The core only reads and writes text.
//!
//! Keys of namespace `ns` (every key starts with `shelfwise:`):
//! - `shelfwise:ns:v2`: the record: consent, profile and which journal entries it holds;
//! - `shelfwise:ns:v2:j:TAB`: one tab's journal of events not yet in the record;
//! - `shelfwise:ns:v1`: the format of version 0.1, migrated on open.
//!
//! Every value is `sw2:<checksum>:<base64>`: the postcard encoding of the data in
//! base64url, the checksum being FNV-1a 64 of those bytes. Binary keeps the record small
//! (the 32 KB bound) and its decoder small (every byte of wasm is paid by shoppers).

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use serde::{Deserialize, Serialize};

use super::consent::{Consent, ConsentStatus, Source};
use super::error::{Error, Result};
use super::event::Event;
use super::profile::{Affinity, FacetTable, Profile, Tables};

/// Every key Shelfwise writes starts with this; withdrawal removes all of them.
pub const KEY_PREFIX: &str = "shelfwise:";
/// Version of the stored format (also part of the keys).
pub const FORMAT_VERSION: u32 = 2;
const VALUE_PREFIX: &str = "sw2:";
const MAX_NAMESPACE_LEN: usize = 64;

/// A namespace is 1 to 64 ASCII letters, digits, `-`, `_` or `.`.
pub fn validate_namespace(namespace: &str) -> Result<()> {
    let ok = (1..=MAX_NAMESPACE_LEN).contains(&namespace.len())
        && namespace
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'));
    if ok {
        Ok(())
    } else {
        Err(Error::InvalidArgument(format!(
            "namespace must be 1 to {MAX_NAMESPACE_LEN} ASCII letters, digits, '-', '_' or '.', got \"{namespace}\""
        )))
    }
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

/// The keys of one namespace.
#[derive(Debug, Clone, PartialEq)]
pub struct Keys {
    pub record: String,
    pub journal_prefix: String,
    pub legacy: String,
}

impl Keys {
    pub fn new(namespace: &str) -> Self {
        Keys {
            record: format!("{KEY_PREFIX}{namespace}:v{FORMAT_VERSION}"),
            journal_prefix: format!("{KEY_PREFIX}{namespace}:v{FORMAT_VERSION}:j:"),
            legacy: format!("{KEY_PREFIX}{namespace}:v1"),
        }
    }

    pub fn journal(&self, tab: &str) -> String {
        format!("{}{tab}", self.journal_prefix)
    }
}

/// FNV-1a, 64-bit: a checksum against truncation and edits, not a signature.
pub fn fnv1a64(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |hash, byte| {
        (hash ^ u64::from(*byte)).wrapping_mul(0x0000_0100_0000_01b3)
    })
}

/// `sw2:<16 hex digits>:<base64url>`.
pub fn seal(bytes: &[u8]) -> String {
    format!(
        "{VALUE_PREFIX}{:016x}:{}",
        fnv1a64(bytes),
        URL_SAFE_NO_PAD.encode(bytes)
    )
}

/// Why a stored value was not used.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum Unreadable {
    #[error("not a Shelfwise value")]
    Foreign,
    #[error("written by a newer Shelfwise (format {0})")]
    Future(u32),
    #[error("checksum mismatch (truncated or edited)")]
    Checksum,
    #[error("malformed")]
    Malformed,
}

/// The bytes of a sealed value and whether their checksum holds. Only values that are
/// not even base64 after the `sw2:<sum>:` prefix are errors.
pub fn unseal(text: &str) -> Result<(Vec<u8>, bool), Unreadable> {
    let Some(rest) = text.strip_prefix("sw") else {
        return Err(Unreadable::Foreign);
    };
    let (version, rest) = rest.split_once(':').ok_or(Unreadable::Foreign)?;
    match version.parse::<u32>() {
        Ok(FORMAT_VERSION) => {}
        Ok(v) if v > FORMAT_VERSION => return Err(Unreadable::Future(v)),
        _ => return Err(Unreadable::Foreign),
    }
    let (sum, data) = rest.split_once(':').ok_or(Unreadable::Checksum)?;
    let bytes = URL_SAFE_NO_PAD
        .decode(data)
        .map_err(|_| Unreadable::Malformed)?;
    let intact = sum.len() == 16 && u64::from_str_radix(sum, 16) == Ok(fnv1a64(&bytes));
    Ok((bytes, intact))
}

/// Decodes a sealed value: `Ok` only when the checksum holds and the bytes decode;
/// `Err(Checksum)` with the value decoded anyway (when it still decodes) for salvage.
pub fn open_sealed<T: serde::de::DeserializeOwned>(
    text: &str,
) -> Result<T, (Unreadable, Option<T>)> {
    let (bytes, intact) = unseal(text).map_err(|e| (e, None))?;
    let decoded = postcard::from_bytes::<T>(&bytes).ok();
    match (intact, decoded) {
        (true, Some(value)) => Ok(value),
        (true, None) => Err((Unreadable::Malformed, None)),
        (false, decoded) => Err((Unreadable::Checksum, decoded)),
    }
}

fn to_sealed<T: Serialize>(value: &T) -> String {
    // Plain data always encodes.
    seal(&postcard::to_allocvec(value).unwrap_or_default())
}

/// How far one tab's journal has been folded into the record: `[tab, seq, atMs]`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Applied(pub String, pub u64, pub f64);

/// The record: `{ format, version, epoch, consent, profile, applied }`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Record {
    pub format: String,
    pub version: u32,
    /// Changes whenever the profile is erased: journals of another epoch are stale.
    pub epoch: u64,
    pub consent: Consent,
    #[serde(default)]
    pub profile: Profile,
    #[serde(default)]
    pub applied: Vec<Applied>,
}

pub const RECORD_FORMAT: &str = "shelfwise";

impl Record {
    pub fn new(consent: Consent, epoch: u64) -> Self {
        Record {
            format: RECORD_FORMAT.into(),
            version: FORMAT_VERSION,
            epoch,
            consent,
            profile: Profile::default(),
            applied: Vec::new(),
        }
    }

    pub fn to_sealed(&self) -> String {
        to_sealed(self)
    }

    /// The record of a stored value; on a checksum mismatch, the error carries what
    /// still decodes, for salvage.
    pub fn from_sealed(text: &str) -> Result<Self, (Unreadable, Option<Self>)> {
        let record: Record = open_sealed(text)?;
        if record.format != RECORD_FORMAT {
            return Err((Unreadable::Foreign, None));
        }
        if record.version != FORMAT_VERSION {
            return Err((Unreadable::Future(record.version), None));
        }
        Ok(record)
    }

    /// The journal position of `tab` already folded into this record.
    pub fn applied_seq(&self, tab: &str) -> u64 {
        self.applied.iter().find(|a| a.0 == tab).map_or(0, |a| a.1)
    }
}

/// One tab's pending events: `{ tab, epoch, entries: [(seq, event), ...] }`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Journal {
    pub tab: String,
    pub epoch: u64,
    pub entries: Vec<(u64, Event)>,
}

impl Journal {
    pub fn to_sealed(&self) -> String {
        to_sealed(self)
    }

    pub fn from_sealed(text: &str) -> Result<Self, Unreadable> {
        open_sealed(text).map_err(|(e, _)| e)
    }
}

/// The format of version 0.1 (`shelfwise:ns:v1`, JSON), read once to migrate it.
#[derive(Deserialize)]
struct LegacyEnvelope {
    v: u32,
    c: LegacyConsent,
    #[serde(default)]
    p: LegacyProfile,
}

#[derive(Deserialize)]
struct LegacyConsent {
    p: ConsentStatus,
    #[serde(default)]
    t: Option<f64>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct LegacyProfile {
    c: Vec<(String, Affinity)>,
    b: Vec<(String, Affinity)>,
    p: Vec<(String, Affinity)>,
    e: u64,
    f: Option<f64>,
    l: Option<f64>,
}

/// Converts a version-0.1 value into a record. Only granted consent was ever stored.
pub fn migrate_v1(text: &str, epoch: u64) -> Result<Record, Unreadable> {
    let old: LegacyEnvelope = serde_json::from_str(text).map_err(|_| Unreadable::Malformed)?;
    if old.v != 1 || old.c.p != ConsentStatus::Granted {
        return Err(Unreadable::Foreign);
    }
    let consent = Consent::decided(
        ConsentStatus::Granted,
        ConsentStatus::Unknown,
        old.c.t.unwrap_or(0.0),
        Source::Shopper,
    );
    let mut record = Record::new(consent, epoch);
    let tables: Vec<FacetTable> = [
        ("category", old.p.c),
        ("brand", old.p.b),
        ("price_band", old.p.p),
    ]
    .into_iter()
    .filter(|(_, values)| !values.is_empty())
    .map(|(facet, values)| FacetTable(facet.into(), values))
    .collect();
    record.profile.taste = Tables(tables);
    record.profile.stats.events = old.p.e;
    record.profile.stats.first_ms = old.p.f;
    record.profile.stats.last_ms = old.p.l;
    Ok(record)
}

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum StoreError {
    /// No storage at all (blocked by the browser, or no `window`, as in a server render).
    #[error("storage unavailable: {0}")]
    Unavailable(String),
    /// The write was refused (quota exceeded, storage disabled mid-session).
    #[error("storage write failed: {0}")]
    WriteFailed(String),
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

/// An in-memory store with switches to simulate blocked, full or failing storage.
#[derive(Debug, Clone, Default)]
pub struct MemoryStore {
    pub entries: std::collections::BTreeMap<String, String>,
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

    #[test]
    fn keys_are_namespaced_and_versioned() {
        let keys = Keys::new("acme");
        assert_eq!(keys.record, "shelfwise:acme:v2");
        assert_eq!(keys.journal("t1"), "shelfwise:acme:v2:j:t1");
        assert_eq!(keys.legacy, "shelfwise:acme:v1");
        assert!(validate_namespace("acme-shop_eu.1").is_ok());
        for bad in ["", "a:b", "with space", &"x".repeat(65)] {
            assert!(validate_namespace(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn sealed_values_detect_truncation_edits_and_other_formats() {
        let record = Record::new(Consent::default(), 7);
        let sealed = record.to_sealed();
        assert_eq!(Record::from_sealed(&sealed).unwrap(), record);
        let truncated = Record::from_sealed(&sealed[..sealed.len() - 3]).unwrap_err();
        assert!(
            matches!(truncated.0, Unreadable::Checksum | Unreadable::Malformed),
            "{truncated:?}"
        );
        // An edit with a stale checksum is reported, with what still decodes.
        let mut edited = record.clone();
        edited.epoch = 8;
        let forged = format!(
            "sw2:{:016x}:{}",
            fnv1a64(b"other"),
            &edited.to_sealed()[21..]
        );
        assert_eq!(
            Record::from_sealed(&forged),
            Err((Unreadable::Checksum, Some(edited)))
        );
        assert_eq!(
            Record::from_sealed("{\"v\":1}").unwrap_err().0,
            Unreadable::Foreign
        );
        assert_eq!(
            Record::from_sealed("sw9:0:AA").unwrap_err().0,
            Unreadable::Future(9)
        );
        assert_eq!(
            Record::from_sealed("sw2:0:***").unwrap_err().0,
            Unreadable::Malformed
        );
        assert_eq!(
            Record::from_sealed(&seal(&[1, 2, 3])).unwrap_err().0,
            Unreadable::Malformed
        );
    }

    #[test]
    fn version_one_values_migrate() {
        let old = r#"{"v":1,"c":{"p":"granted","t":5},"p":{"c":[["laptops",[2.5,10,3]]],"b":[],"p":[["500-1000",[1.0,10,1]]],"e":3,"f":1,"l":10}}"#;
        let record = migrate_v1(old, 1).unwrap();
        assert!(record.consent.allows_personalization());
        assert_eq!(
            record
                .profile
                .taste
                .get("category")
                .unwrap()
                .get("laptops")
                .unwrap()
                .score,
            2.5
        );
        assert!(record.profile.taste.get("brand").is_none());
        assert_eq!(record.profile.stats.events, 3);
        assert!(migrate_v1(r#"{"v":1,"c":{"p":"denied"}}"#, 1).is_err());
    }
}
