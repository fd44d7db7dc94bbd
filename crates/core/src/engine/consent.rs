//! Consent decisions and the page's signals (GPC, IAB TCF, Google Consent Mode).

use super::*;

impl<S: Store> Engine<S> {
    /// The consent that applies now: the latest decision, or the signals' defaults.
    pub fn consent(&self) -> Consent {
        if self.decision.decided_ms.is_some() {
            self.decision
        } else {
            default_consent(&self.signals, self.policy.respect_gpc)
        }
    }

    pub(super) fn personalization_allowed(&self) -> bool {
        self.consent().allows_personalization()
    }

    /// Applies a decision if it is at least as recent as the current one: a grant of
    /// personalization writes the record, anything else erases what was stored. Returns
    /// whether it was applied. `earlier`: the decision was made on an earlier visit, so a
    /// profile should be on file (see [`Engine::evicted`]).
    pub(super) fn decide(&mut self, decision: Consent, earlier: bool) -> bool {
        if !self.decision.superseded_by(&decision) {
            return false;
        }
        let was_allowed = self.personalization_allowed();
        self.decision = decision;
        if decision.allows_personalization() {
            if earlier && !self.on_file {
                self.evicted = self.nothing_on_file();
            }
            self.persist();
        } else if was_allowed {
            self.profile = Profile::default();
            self.erase_stored();
        }
        self.remember_decision();
        self.sync_measurement();
        true
    }

    /// Remembers the shopper's refusal of personalization (the decision and its time
    /// only, which needs no consent), or forgets it once personalization is granted.
    fn remember_decision(&mut self) {
        let decision = self.decision;
        let written = if decision.allows_personalization() {
            self.store.remove(&self.refusal_key)
        } else if decision.source == Some(Source::Shopper)
            && decision.personalization == ConsentStatus::Denied
        {
            self.store.set(&self.refusal_key, &refusal_text(&decision))
        } else {
            return;
        };
        if let Err(error) = written {
            self.last_storage_error = Some(error);
        }
    }

    /// Whether storage reads fine and holds nothing of this namespace: no envelope, no
    /// journal, no refusal. `false` when storage cannot be read (nothing can be told).
    fn nothing_on_file(&self) -> bool {
        let absent = |key: &str| matches!(self.store.get(key), Ok(None));
        absent(&self.key)
            && absent(&self.refusal_key)
            && self
                .store
                .keys(&self.journal_prefix)
                .is_ok_and(|keys| keys.is_empty())
    }

    /// Takes a refusal on file (this visit's first, or another tab's) when it is the
    /// latest decision.
    pub(super) fn read_refusal(&mut self) {
        let refusal = match self.store.get(&self.refusal_key) {
            Ok(Some(text)) => parse_refusal(&text),
            _ => None,
        };
        if let Some(refusal) = refusal.filter(|r| self.decision.superseded_by(r)) {
            self.decision = refusal;
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
        self.grant_recorded(personalization, measurement, now_ms, now_ms)
    }

    /// A grant the shop has on record (its own consent records, an account), dated when
    /// the shopper gave it (`decided_ms`, not after `now_ms`). The latest decision still
    /// wins: a refusal made since in this browser stands. A grant dated before `now_ms`
    /// is from an earlier visit: finding nothing on file then marks the profile evicted.
    pub fn grant_recorded(
        &mut self,
        personalization: bool,
        measurement: bool,
        decided_ms: f64,
        now_ms: f64,
    ) -> Result<()> {
        let now_ms = validate_time(now_ms)?;
        let decided_ms = validate_time(decided_ms)?;
        if decided_ms > now_ms {
            return Err(Error::InvalidArgument(
                "a grant cannot be dated in the future".into(),
            ));
        }
        let current = self.consent();
        let status =
            |grant: bool, now: ConsentStatus| if grant { ConsentStatus::Granted } else { now };
        let decision = Consent::decided(
            status(personalization, current.personalization),
            status(measurement, current.measurement),
            decided_ms,
            Source::Shopper,
        );
        // Granting again keeps the record on file (another script may have cleared it);
        // a grant that was applied is on file already.
        if !self.decide(decision, decided_ms < now_ms) && self.personalization_allowed() {
            self.persist();
        }
        Ok(())
    }

    /// Withdraws the `measurement` purpose only: its counts are erased in every tab, and
    /// the profile stays.
    pub fn withdraw_measurement(&mut self, now_ms: f64) -> Result<()> {
        let now_ms = validate_time(now_ms)?;
        let personalization = self.consent().personalization;
        let decision = Consent::decided(
            personalization,
            ConsentStatus::Denied,
            now_ms,
            Source::Shopper,
        );
        if !self.decide(decision, false) && self.personalization_allowed() {
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
        self.remember_decision();
        self.sync_measurement();
        Ok(())
    }

    /// Takes in what the page says (GPC, IAB TCF, Google Consent Mode). A TC string is a
    /// decision dated by its `lastUpdated`; a Consent Mode update is one dated when it
    /// is first seen; an unreadable TC string is ignored.
    pub fn set_signals(&mut self, signals: Signals, now_ms: f64) -> Result<()> {
        let now_ms = validate_time(now_ms)?;
        let was_allowed = self.personalization_allowed();
        if let Some(state) = signals.tcf.as_ref().filter(|t| t.gdpr_applies) {
            if let Some(choices) = &state.choices {
                self.decide(
                    tcf_decision(choices, self.policy.tcf_vendor_id),
                    state.loaded,
                );
            }
        }
        if signals.consent_mode_update != self.consent_mode_update {
            self.consent_mode_update = signals.consent_mode_update;
            if let Some(decision) = signals
                .consent_mode_update
                .as_ref()
                .and_then(|state| consent_mode_decision(state, now_ms))
            {
                // Consent Mode does not say whether the decision is from an earlier visit.
                self.decide(decision, false);
            }
        }
        self.signals = signals;
        if was_allowed && !self.personalization_allowed() {
            self.profile = Profile::default();
            self.erase_stored();
        }
        self.sync_measurement();
        Ok(())
    }
}
