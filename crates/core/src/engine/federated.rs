//! Learning for federated training (see [`crate::federated`]): the lists ranked in this
//! page, each choice's gradient, journaled with its event so that every tab's choices
//! count exactly once, and taking them for a contribution under the device's budget.

use super::*;
use crate::catalog::Id;
use crate::federated::{Learning, Privacy};
use crate::measure::Random;
use crate::rank::KeptList;

/// Lists kept per page (a page may rank a grid, search results and a few modules).
const KEPT_LISTS: usize = 4;
/// Products kept per list: the top of any list a shopper can see.
const KEPT_ROWS: usize = 1_000;

/// What the engine learns with: the privacy and budget, the model's version, and the
/// lists ranked in this page (newest first).
#[derive(Debug, Clone, Default)]
pub(super) struct Learner {
    privacy: Privacy,
    model: String,
    lists: Vec<KeptList>,
}

/// One choice's gradient, journaled with the event it came from: `(tab, seq)` name that
/// event. It counts against the model the page ranks with (journals are folded in within
/// seconds, so a choice never outlives a model).
#[derive(Debug, Clone, PartialEq)]
pub(super) struct Choice {
    pub tab: String,
    pub seq: u64,
    pub gradient: Vec<f64>,
}

/// What a contribution is made of; the tools module randomizes it.
#[derive(Debug, Clone, PartialEq)]
pub struct Taken {
    pub model: String,
    pub mean: Vec<f64>,
    /// A pair of the shopper's facet values (`federated::pair_text`), if they have two.
    pub pair: Option<String>,
    pub privacy: Privacy,
}

impl From<Taken> for crate::federated::Learned {
    fn from(taken: Taken) -> Self {
        crate::federated::Learned {
            model: taken.model,
            mean: taken.mean,
            pair: taken.pair,
            privacy: taken.privacy.numbers(),
        }
    }
}

impl Learner {
    /// The version of the model learned against.
    pub(super) fn model(&self) -> &str {
        &self.model
    }

    /// Forgets the lists ranked so far (consent to measurement withdrawn).
    pub(super) fn forget_lists(&mut self) {
        self.lists.clear();
    }
}

impl<S: Store> Engine<S> {
    /// Turns learning on (with the page's privacy and the version of the model it ranks
    /// with) or off. Learning also needs the `measurement` purpose.
    pub fn set_learning(&mut self, privacy: Option<Privacy>, model: &str) -> Result<()> {
        if !crate::federated::valid_version(model) {
            return Err(Error::InvalidOptions(
                "model.version must be 1 to 64 characters".into(),
            ));
        }
        self.learner = privacy.map(|privacy| Learner {
            privacy,
            model: model.to_owned(),
            lists: Vec::new(),
        });
        // Choices journaled by other tabs count from now.
        self.rebuild();
        Ok(())
    }

    /// Whether choices are learned from now: learning on, personalization and
    /// measurement granted, not in the holdout (their lists are the shop's order).
    pub(super) fn learning_allowed(&self) -> bool {
        self.learner.is_some()
            && self.personalization_allowed()
            && self.consent().measurement == ConsentStatus::Granted
            && !self.in_holdout()
    }

    /// A slot for the list about to be ranked, when learning (the oldest is reused).
    pub(super) fn list_to_keep(&mut self) -> Option<KeptList> {
        if !self.learning_allowed() {
            return None;
        }
        let learner = self.learner.as_mut()?;
        let mut list = match learner.lists.len() >= KEPT_LISTS {
            true => learner.lists.pop().unwrap_or_default(),
            false => KeptList::default(),
        };
        list.keys.clear();
        list.features.clear();
        Some(list)
    }

    /// Keeps a ranked list (its rows beyond [`KEPT_ROWS`] are dropped).
    pub(super) fn keep_list(&mut self, mut list: KeptList) {
        list.keys.truncate(KEPT_ROWS);
        list.features.truncate(KEPT_ROWS);
        if let Some(learner) = &mut self.learner {
            if !list.keys.is_empty() {
                learner.lists.insert(0, list);
            }
        }
    }

    /// The gradient of the model's loss on choosing the product `key` from the newest
    /// kept list holding it, when learning is allowed.
    pub(super) fn choice_gradient(&self, key: Id) -> Option<Vec<f64>> {
        let learner = self.learner.as_ref().filter(|_| self.learning_allowed())?;
        learner.lists.iter().find_map(|list| {
            let chosen = list.keys.iter().position(|k| *k == key)?;
            let mut gradient = [0.0; crate::rank::WEIGHTS];
            self.config
                .model
                .choice_gradient(&list.features, chosen, &list.gate, &mut gradient);
            Some(gradient.to_vec())
        })
    }

    /// The version of the model learned against, when learning is allowed.
    pub(super) fn learning_model(&self) -> Option<String> {
        let learner = self.learner.as_ref().filter(|_| self.learning_allowed())?;
        Some(learner.model.clone())
    }

    /// Takes the choices of a journal of `tab` not yet folded in (`seq` after `applied`).
    pub(super) fn read_choices(&mut self, tab: &str, choices: Vec<(u64, Vec<f64>)>, applied: u64) {
        self.choices.retain(|c| c.tab != tab);
        for (seq, gradient) in choices {
            let valid =
                gradient.len() == crate::rank::WEIGHTS && gradient.iter().all(|g| g.is_finite());
            if seq > applied && valid {
                let tab = tab.to_owned();
                self.choices.push(Choice { tab, seq, gradient });
            }
        }
    }

    /// Adds the journaled choice of event `(tab, seq)`, if there is one, to `learning`
    /// (against `model`; none: learning is not allowed).
    pub(super) fn apply_choice(
        choices: &[Choice],
        learning: &mut Learning,
        model: Option<&str>,
        tab: &str,
        seq: u64,
    ) {
        let Some(model) = model else { return };
        if let Some(choice) = choices.iter().find(|c| c.seq == seq && c.tab == tab) {
            learning.add(model, &choice.gradient);
        }
    }

    /// Ranks with the shop's private priors (`ln(1 + count / k)` per sketch bucket; see
    /// [`crate::federated::table_of`]), or without.
    pub fn set_priors(&mut self, priors: Option<std::rc::Rc<[f32]>>) {
        self.config.priors = priors;
    }

    /// Takes what was learned since the last contribution, under the budget: `None`
    /// when this period's contributions are made. The contribution is recorded (and the
    /// learning restarts in every tab) before the report exists, so a report that is
    /// never made costs budget rather than privacy.
    pub fn take_learning(&mut self, now_ms: f64, seed: u64) -> Result<Option<Taken>> {
        let now_ms = validate_time(now_ms)?;
        let Some(learner) = &self.learner else {
            return Err(Error::InvalidOptions(
                "contributions need measurement.learning in the options of open".into(),
            ));
        };
        if !self.learning_allowed() {
            return Err(Error::ConsentRequired(
                "contributions need the measurement and personalization purposes".into(),
            ));
        }
        let (privacy, model) = (learner.privacy, learner.model.clone());
        if self.profile.learning.sent_within(now_ms, privacy.period_ms)
            >= privacy.per_period as usize
        {
            return Ok(None);
        }
        let snapshot = self.profile.snapshot(now_ms, &self.config);
        let values = crate::federated::strongest_values(&snapshot);
        let pair = crate::federated::draw_pair(&values, &mut Random::new(seed));
        drop(snapshot);
        let mut mean = Vec::new();
        let mut take = |profile: &mut Profile| {
            mean = profile.learning.mean(&model);
            profile.learning.record_sent(now_ms, privacy.epsilon());
        };
        if !self.compact_with(now_ms, &mut take) {
            take(&mut self.profile);
        }
        Ok(Some(Taken {
            model,
            mean,
            pair,
            privacy,
        }))
    }

    /// The ε this device spent on contributions in the last year, and the
    /// contributions it can still make this period (`None`: learning is off).
    pub fn learning_budget(&self, now_ms: f64) -> Option<(f64, u32)> {
        let learner = self.learner.as_ref()?;
        let privacy = learner.privacy;
        let made = self.profile.learning.sent_within(now_ms, privacy.period_ms) as u32;
        Some((
            self.profile.learning.spent(now_ms),
            privacy.per_period.saturating_sub(made),
        ))
    }
}
