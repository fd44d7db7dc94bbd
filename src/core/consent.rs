//! Consent state. Shelfwise stores nothing and learns nothing until personalization
//! is granted; withdrawing it erases everything (see [`super::Engine::withdraw_consent`]).

use serde::de::{self, Deserializer};
use serde::{Deserialize, Serialize, Serializer};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ConsentStatus {
    /// The shopper has not decided (the start state).
    #[default]
    Unknown,
    Granted,
    Denied,
}

impl ConsentStatus {
    pub const NAMES: &'static [&'static str] = &["unknown", "granted", "denied"];

    pub fn as_str(self) -> &'static str {
        Self::NAMES[self as usize]
    }

    pub fn from_name(name: &str) -> Option<Self> {
        [
            ConsentStatus::Unknown,
            ConsentStatus::Granted,
            ConsentStatus::Denied,
        ]
        .into_iter()
        .find(|status| status.as_str() == name)
    }
}

impl Serialize for ConsentStatus {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

// By hand rather than derived, to keep the wasm module small (see `EventKind`).
impl<'de> Deserialize<'de> for ConsentStatus {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let name = std::borrow::Cow::<str>::deserialize(deserializer)?;
        ConsentStatus::from_name(&name)
            .ok_or_else(|| de::Error::unknown_variant(&name, ConsentStatus::NAMES))
    }
}

/// Consent per purpose, with the time of the last decision.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, Deserialize)]
pub struct Consent {
    /// Learning a profile and ranking with it.
    #[serde(rename = "p")]
    pub personalization: ConsentStatus,
    #[serde(rename = "t", default)]
    pub updated_ms: Option<f64>,
}

impl Consent {
    pub fn granted(at_ms: f64) -> Self {
        Consent {
            personalization: ConsentStatus::Granted,
            updated_ms: Some(at_ms),
        }
    }

    pub fn allows_personalization(&self) -> bool {
        self.personalization == ConsentStatus::Granted
    }
}
