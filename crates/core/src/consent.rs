//! Consent per purpose, and how the signals a page carries decide it.
//!
//! Purposes: `personalization` (learning a profile and ranking with it) and
//! `measurement` (local counters). Each is `unknown`, `granted` or `denied`.
//!
//! Decisions come from the shopper in the shop (`grantConsent` / `withdrawConsent`), from
//! an IAB TCF CMP (a TC string, dated by its `lastUpdated`) or from a Google Consent
//! Mode `update`. **The latest decision wins.** Standing defaults apply only while no
//! decision exists: Global Privacy Control denies (when the shop respects it, the
//! default), then a Consent Mode `default` command.

use super::codec::codec_fields;
use super::json::shape;

use super::names::string_enum;
use super::tcf::TcfChoices;

string_enum! {
    #[derive(Default)]
    pub enum ConsentStatus {
        /// No decision (the start state).
        #[default]
        Unknown = "unknown",
        Granted = "granted",
        Denied = "denied",
    }
}

string_enum! {
    /// Where a consent decision came from.
    pub enum Source {
        Shopper = "shopper",
        Tcf = "tcf",
        ConsentMode = "consent_mode",
        Gpc = "gpc",
    }
}

impl ConsentStatus {
    fn from_granted(granted: bool) -> Self {
        if granted {
            ConsentStatus::Granted
        } else {
            ConsentStatus::Denied
        }
    }
}

/// Consent for both purposes, with the time and source of the decision behind it
/// (`None` when it is only a default).
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Consent {
    pub personalization: ConsentStatus,
    pub measurement: ConsentStatus,
    pub decided_ms: Option<f64>,
    pub source: Option<Source>,
}

codec_fields!(Consent {
    personalization,
    measurement,
    decided_ms,
    source
});

shape! {
    /// Consent per purpose; `decidedMs` is null while only a default (GPC, a Consent Mode default) applies.
    #[derive(Debug, Clone, Copy, PartialEq)]
    pub struct ConsentState as "ConsentState" {
        pub personalization: ConsentStatus => "personalization": "ConsentStatus",
        pub measurement: ConsentStatus => "measurement": "ConsentStatus",
        pub decided_ms: Option<f64> => "decidedMs": "number | null",
        pub source: Option<Source> => "source": "ConsentSource | null",
    }
}

impl From<Consent> for ConsentState {
    fn from(c: Consent) -> Self {
        ConsentState {
            personalization: c.personalization,
            measurement: c.measurement,
            decided_ms: c.decided_ms,
            source: c.source,
        }
    }
}

impl Consent {
    /// A decision for both purposes.
    pub fn decided(
        personalization: ConsentStatus,
        measurement: ConsentStatus,
        at_ms: f64,
        source: Source,
    ) -> Self {
        Consent {
            personalization,
            measurement,
            decided_ms: Some(at_ms),
            source: Some(source),
        }
    }

    pub fn allows_personalization(&self) -> bool {
        self.personalization == ConsentStatus::Granted
    }

    pub fn allows_measurement(&self) -> bool {
        self.measurement == ConsentStatus::Granted
    }

    /// Whether `other` is a decision at least as recent as this one.
    pub fn superseded_by(&self, other: &Consent) -> bool {
        match (self.decided_ms, other.decided_ms) {
            (_, None) => false,
            (None, Some(_)) => true,
            (Some(ours), Some(theirs)) => theirs >= ours,
        }
    }
}

/// Purposes measurement needs in TCF terms: 1 (store on a device) and 8 (measure
/// content performance).
pub const MEASUREMENT_PURPOSES: [u32; 2] = [1, 8];

/// A Google Consent Mode state: `None` where the page set nothing.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct ConsentModeState {
    pub personalization_storage: Option<ConsentStatus>,
    pub analytics_storage: Option<ConsentStatus>,
}

/// The TCF state a CMP reported through `__tcfapi`.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct TcfState {
    /// `false`: GDPR does not apply here, so TCF decides nothing.
    pub gdpr_applies: bool,
    /// The shopper's choices; `None` before the CMP has a TC string (or when its
    /// `lastUpdated` cannot be read).
    pub choices: Option<TcfChoices>,
    /// The CMP read these choices from its own storage (TCF `tcloaded`): the shopper
    /// decided on an earlier visit. `false` for a decision made on this page
    /// (`useractioncomplete`).
    pub loaded: bool,
}

/// What the page currently says about consent, read by the JS face.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Signals {
    /// `navigator.globalPrivacyControl === true`.
    pub gpc: bool,
    pub tcf: Option<TcfState>,
    /// Consent Mode `default` commands (a standing default, not a decision).
    pub consent_mode_default: Option<ConsentModeState>,
    /// Consent Mode `update` commands (a decision, dated when first seen).
    pub consent_mode_update: Option<ConsentModeState>,
}

/// The decision a CMP's choices carry for Shelfwise, dated by the string's `lastUpdated`.
pub fn tcf_decision(choices: &TcfChoices, vendor_id: Option<u32>) -> Consent {
    Consent::decided(
        ConsentStatus::from_granted(
            choices.grants(&super::tcf::PERSONALIZATION_PURPOSES, vendor_id),
        ),
        ConsentStatus::from_granted(choices.grants(&MEASUREMENT_PURPOSES, vendor_id)),
        choices.last_updated_ms,
        Source::Tcf,
    )
}

fn mode_status(state: &ConsentModeState) -> (ConsentStatus, ConsentStatus) {
    (
        state.personalization_storage.unwrap_or_default(),
        state.analytics_storage.unwrap_or_default(),
    )
}

/// A Consent Mode update as a decision (`None` when it says nothing about our purposes).
pub fn consent_mode_decision(state: &ConsentModeState, seen_ms: f64) -> Option<Consent> {
    let (personalization, measurement) = mode_status(state);
    (personalization != ConsentStatus::Unknown || measurement != ConsentStatus::Unknown)
        .then(|| Consent::decided(personalization, measurement, seen_ms, Source::ConsentMode))
}

/// The consent that applies while no decision exists.
pub fn default_consent(signals: &Signals, respect_gpc: bool) -> Consent {
    if signals.gpc && respect_gpc {
        return Consent {
            personalization: ConsentStatus::Denied,
            measurement: ConsentStatus::Denied,
            decided_ms: None,
            source: Some(Source::Gpc),
        };
    }
    match &signals.consent_mode_default {
        Some(state) => {
            let (personalization, measurement) = mode_status(state);
            Consent {
                personalization,
                measurement,
                decided_ms: None,
                source: Some(Source::ConsentMode),
            }
        }
        None => Consent::default(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn newer_decisions_supersede_older_ones_and_defaults_never_do() {
        let old = Consent::decided(
            ConsentStatus::Granted,
            ConsentStatus::Unknown,
            10.0,
            Source::Shopper,
        );
        let new = Consent::decided(
            ConsentStatus::Denied,
            ConsentStatus::Denied,
            20.0,
            Source::Tcf,
        );
        assert!(old.superseded_by(&new));
        assert!(!new.superseded_by(&old));
        assert!(Consent::default().superseded_by(&old));
        assert!(!old.superseded_by(&default_consent(
            &Signals {
                gpc: true,
                ..Signals::default()
            },
            true
        )));
    }

    #[test]
    fn gpc_denies_by_default_unless_the_shop_opts_out() {
        let signals = Signals {
            gpc: true,
            ..Signals::default()
        };
        assert_eq!(
            default_consent(&signals, true).personalization,
            ConsentStatus::Denied
        );
        assert_eq!(
            default_consent(&signals, false).personalization,
            ConsentStatus::Unknown
        );
    }

    #[test]
    fn consent_mode_maps_storage_types_to_purposes() {
        let state = ConsentModeState {
            personalization_storage: Some(ConsentStatus::Granted),
            analytics_storage: Some(ConsentStatus::Denied),
        };
        let decision = consent_mode_decision(&state, 5.0).unwrap();
        assert_eq!(
            (decision.personalization, decision.measurement),
            (ConsentStatus::Granted, ConsentStatus::Denied)
        );
        assert_eq!(
            consent_mode_decision(&ConsentModeState::default(), 5.0),
            None
        );
    }
}
