//! Consent state. Shelfwise stores nothing and learns nothing until personalization
//! is granted; withdrawing it erases everything (see [`super::Engine::withdraw_consent`]).

use serde::{Deserialize, Serialize};

use super::names::string_enum;

string_enum! {
    #[derive(Default)]
    pub enum ConsentStatus {
        /// The shopper has not decided (the start state).
        #[default]
        Unknown = "unknown",
        Granted = "granted",
        Denied = "denied",
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
