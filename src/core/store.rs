//! Where the profile lives between page views: a versioned envelope under a namespaced
//! key, behind a small [`Store`] trait. The core never touches browser storage itself;
//! the wasm boundary implements the trait with `localStorage`, tests with [`MemoryStore`].

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::consent::Consent;
use super::error::{Error, Result};
use super::profile::Profile;

/// Every key Shelfwise writes starts with this; erasing removes all of them.
pub const KEY_PREFIX: &str = "shelfwise:";
/// Version of the stored envelope format (also part of the key).
pub const FORMAT_VERSION: u32 = 1;
const MAX_NAMESPACE_LEN: usize = 64;

/// The storage key of a namespace: `shelfwise:<namespace>:v1`.
pub fn storage_key(namespace: &str) -> String {
    format!("{KEY_PREFIX}{namespace}:v{FORMAT_VERSION}")
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
        Err(Error::InvalidArgument(format!(
            "namespace must be 1 to {MAX_NAMESPACE_LEN} ASCII letters, digits, '-', '_' or '.', got \"{namespace}\""
        )))
    }
}

/// What is stored: the format version, the consent on file and the profile.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Envelope {
    #[serde(rename = "v")]
    pub version: u32,
    #[serde(rename = "c")]
    pub consent: Consent,
    #[serde(rename = "p", default)]
    pub profile: Profile,
}

impl Envelope {
    pub fn new(consent: Consent, profile: Profile) -> Self {
        Envelope {
            version: FORMAT_VERSION,
            consent,
            profile,
        }
    }

    /// The stored form. Serializing plain data to a string cannot fail.
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }

    /// Parses a stored envelope, rejecting other format versions.
    pub fn from_json(json: &str) -> Result<Self, StoreError> {
        let envelope: Envelope =
            serde_json::from_str(json).map_err(|e| StoreError::Corrupt(e.to_string()))?;
        envelope.checked()
    }

    /// Rejects envelopes of another format version.
    pub fn checked(self) -> Result<Self, StoreError> {
        if self.version == FORMAT_VERSION {
            Ok(self)
        } else {
            Err(StoreError::Corrupt(format!(
                "unsupported format version {}",
                self.version
            )))
        }
    }
}

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum StoreError {
    /// No storage at all (blocked by the browser, or no `window`, as in a server render).
    #[error("storage unavailable: {0}")]
    Unavailable(String),
    /// The write was refused (quota exceeded, storage disabled mid-session).
    #[error("storage write failed: {0}")]
    WriteFailed(String),
    /// The stored bytes are not a readable envelope.
    #[error("stored profile is unreadable: {0}")]
    Corrupt(String),
}

/// Key-value persistence for envelopes. Implementations must never panic.
pub trait Store {
    fn read(&self, key: &str) -> Result<Option<Envelope>, StoreError>;
    fn write(&mut self, key: &str, envelope: &Envelope) -> Result<(), StoreError>;
    /// Removes every key starting with `prefix`; returns how many were removed.
    fn remove_prefixed(&mut self, prefix: &str) -> Result<usize, StoreError>;
}

/// An in-memory store holding the same JSON text a browser would, with switches to
/// simulate full or broken storage in tests.
#[derive(Debug, Clone, Default)]
pub struct MemoryStore {
    pub entries: BTreeMap<String, String>,
    /// Successful writes so far.
    pub writes: usize,
    /// When set, every write fails as a full storage would.
    pub full: bool,
}

impl MemoryStore {
    pub fn new() -> Self {
        MemoryStore::default()
    }
}

impl Store for MemoryStore {
    fn read(&self, key: &str) -> Result<Option<Envelope>, StoreError> {
        self.entries
            .get(key)
            .map(|json| Envelope::from_json(json))
            .transpose()
    }

    fn write(&mut self, key: &str, envelope: &Envelope) -> Result<(), StoreError> {
        if self.full {
            return Err(StoreError::WriteFailed("quota exceeded".into()));
        }
        self.entries.insert(key.to_owned(), envelope.to_json());
        self.writes += 1;
        Ok(())
    }

    fn remove_prefixed(&mut self, prefix: &str) -> Result<usize, StoreError> {
        let before = self.entries.len();
        self.entries.retain(|key, _| !key.starts_with(prefix));
        Ok(before - self.entries.len())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::ConsentStatus;

    #[test]
    fn keys_are_namespaced_and_versioned() {
        assert_eq!(storage_key("acme"), "shelfwise:acme:v1");
        assert!(validate_namespace("acme-shop_eu.1").is_ok());
        for bad in ["", "a:b", "with space", &"x".repeat(65)] {
            assert!(validate_namespace(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn envelope_round_trips_and_rejects_garbage() {
        let envelope = Envelope::new(
            Consent::decided(
                ConsentStatus::Granted,
                ConsentStatus::Unknown,
                5.0,
                crate::core::consent::Source::Shopper,
            ),
            Profile::default(),
        );
        assert_eq!(Envelope::from_json(&envelope.to_json()).unwrap(), envelope);
        assert!(matches!(
            Envelope::from_json("{nope"),
            Err(StoreError::Corrupt(_))
        ));
        let future = envelope.to_json().replace("\"v\":1", "\"v\":99");
        assert!(matches!(
            Envelope::from_json(&future),
            Err(StoreError::Corrupt(_))
        ));
    }
}
