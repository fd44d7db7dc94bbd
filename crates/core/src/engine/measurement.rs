//! Measured modules and their counts, the holdout and the kept bucketing id.

use super::*;

impl<S: Store> Engine<S> {
    /// Measures the shop's `modules` (none: no measurement). Counting needs the
    /// `measurement` purpose as well as `personalization` (the counts are kept with the
    /// profile).
    pub fn set_modules(&mut self, modules: Vec<String>) -> Result<()> {
        check_modules(&modules)?;
        self.modules = modules;
        self.sync_measurement();
        Ok(())
    }

    /// Keeps the counted modules in step with consent; without the `measurement`
    /// purpose the counts and federated learning kept so far are erased in every tab.
    pub(super) fn sync_measurement(&mut self) {
        let measuring = self.consent().measurement == ConsentStatus::Granted;
        self.config.measured_modules = match measuring {
            true => self.modules.clone(),
            false => Vec::new(),
        };
        if !measuring {
            self.choices.clear();
            if let Some(learner) = &mut self.learner {
                learner.forget_lists();
            }
        }
        let kept = self.profile.measured != Counters::default()
            || self.profile.learning != Default::default();
        if !measuring && kept {
            let now_ms = self.clock_ms;
            self.compact_with(now_ms, &mut |profile| {
                profile.measured = Counters::default();
                profile.learning = Default::default();
            });
        }
    }

    /// Puts the shopper in the shop's holdout (or takes them out): they see the shop's
    /// order while their profile still learns. Membership comes from the holdout's seed
    /// and percent and the shopper's id ([`crate::bucket::in_holdout`]).
    pub fn set_held_out(&mut self, held_out: bool) {
        self.held_out = held_out;
    }

    /// Whether the shopper is in the shop's holdout (personalization off).
    pub fn in_holdout(&self) -> bool {
        self.held_out
    }

    /// The random id kept in the profile for bucketing (holdout, experiments), with
    /// consent; [`Engine::keep_unit`] creates it.
    pub fn unit(&self) -> Option<&str> {
        self.profile
            .unit
            .as_deref()
            .filter(|_| self.personalization_allowed())
    }

    /// Keeps `candidate` (random, from the browser) as the shopper's id unless one is
    /// kept already; only with consent. Returns the id in effect.
    pub fn keep_unit(&mut self, candidate: &str, now_ms: f64) -> Result<Option<String>> {
        let now_ms = validate_time(now_ms)?;
        if self.profile.unit.is_none() && self.personalization_allowed() {
            let valid = (16..=64).contains(&candidate.len())
                && candidate
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-');
            if !valid {
                return Err(Error::InvalidArgument(
                    "a unit id is 16 to 64 letters, digits or '-'".into(),
                ));
            }
            let unit = candidate.to_owned();
            self.compact_with(now_ms, &mut |profile| {
                profile.unit.get_or_insert_with(|| unit.clone());
            });
            // Storage refused it: keep it for this page.
            self.profile
                .unit
                .get_or_insert_with(|| candidate.to_owned());
        }
        Ok(self.unit().map(str::to_owned))
    }

    /// What was counted since the last call, per module of the layout in its order
    /// (`[impressions, clicks, add_to_cart, purchases, revenue]` each), for a report
    /// (see [`super::measure`]); the counts then restart in every tab.
    pub fn take_counts(&mut self, now_ms: f64) -> Result<Vec<[f64; 5]>> {
        let now_ms = validate_time(now_ms)?;
        if self.modules.is_empty() {
            return Err(Error::InvalidOptions(
                "measurement needs measurement.modules in the options of open".into(),
            ));
        }
        if self.config.measured_modules.is_empty() || !self.personalization_allowed() {
            return Err(Error::ConsentRequired(
                "reports need the measurement and personalization purposes".into(),
            ));
        }
        // Everything counted so far, this tab's unwritten events and other tabs' included,
        // read and restarted in one compaction.
        let modules = self.modules.clone();
        let mut counts = Vec::new();
        let mut take = |profile: &mut Profile| {
            counts = modules.iter().map(|m| profile.measured.of(m)).collect();
            profile.measured.counts.clear();
        };
        if !self.compact_with(now_ms, &mut take) {
            // Nothing on file to compact: the counts kept in memory.
            take(&mut self.profile);
        }
        Ok(counts)
    }
}
