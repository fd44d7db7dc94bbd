//! The shopper's module: the `Engine` behind the JS face's `Shelfwise` class.

use wasm_bindgen::prelude::*;

use crate::storage::BrowserStore;
use shelfwise_core::json::{decimal, to_string as json};
use shelfwise_core::wire::{items, PAIR};
use shelfwise_glue::JsError;

use shelfwise_core::catalog::Catalog;
use shelfwise_core::contract::Op;
use shelfwise_core::error::at_index;
use shelfwise_core::export::ImportFile;
use shelfwise_core::insights::{OfferKind, Segment};
use shelfwise_core::profile::ProfileConfig;
use shelfwise_core::rank::{Rows, OPTION_NAMES};
use shelfwise_core::slots::Context;
use shelfwise_core::wire;
use shelfwise_core::{self as core, ConsentPolicy, ConsentState, RankOptions};

// The error for input the JS face could not even encode as JSON (a `BigInt`, a
// circular object, a getter that throws), so it carries the same codes as the rest.
#[wasm_bindgen(js_name = inputError, unchecked_return_type = "Error")]
pub fn input_error(
    #[wasm_bindgen(
        unchecked_param_type = "\"event\" | \"products\" | \"options\" | \"argument\" | \"import\" | \"passphrase\" | \"wrongPassphrase\" | \"tampered\" | \"truncated\""
    )]
    what: &str,
    reason: &str,
) -> JsValue {
    // The last four: what the face's encrypted export found.
    let unread = || ["cannot be read: ", reason].concat();
    let error = match what {
        "event" => core::Error::InvalidEvent(unread()),
        "products" => core::Error::InvalidProduct(unread()),
        "options" => core::Error::InvalidOptions(unread()),
        "import" => core::Error::InvalidImport(unread()),
        "passphrase" => core::Error::PassphraseRequired(reason.into()),
        "wrongPassphrase" => core::Error::WrongPassphrase(reason.into()),
        "tampered" => core::Error::TamperedExport(reason.into()),
        "truncated" => core::Error::TruncatedExport(reason.into()),
        _ => core::Error::InvalidArgument(unread()),
    };
    JsError::from(error).into()
}

// Shelfwise's engine for one namespace. Use it through the `Shelfwise` class of the
// package, which packs inputs into strings and numbers, supplies the clock and follows
// browser events. Only plain values cross, so no JS getter ever runs while Rust holds
// the engine.
#[wasm_bindgen]
pub struct Engine {
    inner: core::Engine<BrowserStore>,
    // Every product id and facet value the face has interned, by id.
    catalog: Catalog,
}

#[wasm_bindgen]
impl Engine {
    // Opens `namespace` (1 to 64 of `A-Z a-z 0-9 - _ .`) for one tab (`tab`: 1 to 32
    // ASCII letters or digits, unique per page), loading any stored profile. `config`:
    // a bit set of the options given, then one value per option of `CONFIG_OPTIONS`.
    #[wasm_bindgen(constructor)]
    #[allow(clippy::too_many_arguments)]
    pub fn new(
        namespace: &str,
        tab: &str,
        respect_gpc: bool,
        tcf_vendor_id: Option<u32>,
        config_numbers: &[f64],
        sensitive_categories: &str,
        sensitive_facets: &str,
    ) -> Result<Engine, JsError> {
        let mut config = ProfileConfig::from_numbers(config_numbers)?;
        config.sensitive_categories = items(sensitive_categories).map(str::to_owned).collect();
        config.sensitive_facets = items(sensitive_facets).map(str::to_owned).collect();
        let policy = ConsentPolicy {
            respect_gpc,
            tcf_vendor_id,
        };
        let inner = core::Engine::with_policy(namespace, tab, BrowserStore, config, policy)?;
        Ok(Engine {
            inner,
            catalog: Catalog::default(),
        })
    }

    // What the page says about consent, read by the JS face (decoded by `wire::signals`).
    #[wasm_bindgen(js_name = setSignals)]
    pub fn set_signals(
        &mut self,
        flags: u32,
        tc_string: &str,
        lists: &[u32],
        now_ms: f64,
    ) -> Result<(), JsError> {
        let signals = wire::signals(flags, tc_string, lists);
        Ok(self.inner.set_signals(signals, now_ms)?)
    }

    // Learns from one event: its products as rows of interned ids (`wire::ROW_STRIDE`
    // numbers each; the shop's columns unused) with their tags and facet values in
    // `extras`, and their currencies (`ITEM`-joined, `ABSENT` for none). One product, or
    // the line items of one purchase (`quantities` empty or one per item). `kind` is the
    // event type, then its module and slot if any (`PAIR`-joined, `ABSENT` when
    // missing). Nothing is learned unless every item is valid. Returns `false` (storing
    // nothing) without consent.
    #[allow(clippy::too_many_arguments)]
    pub fn track(
        &mut self,
        kind: &str,
        rows: &[f64],
        extras: &[f64],
        currencies: &str,
        dwell_ms: Option<f64>,
        quantities: &[f64],
        now_ms: f64,
    ) -> Result<bool, JsError> {
        let products = wire::event_products(&self.catalog, rows, extras, currencies)?;
        let (kind, details) = wire::event_details(kind, dwell_ms)?;
        let events = core::event::validate_events(kind, products, details, quantities, now_ms)?;
        // One product's event may be a choice from a ranked list (federated learning).
        let key = match rows.len() == wire::ROW_STRIDE {
            true => Some(rows[0] as u32),
            false => None,
        };
        Ok(events.into_iter().fold(false, |learned, event| {
            self.inner.track_choice(event, key) | learned
        }))
    }

    // Ranks with the shop's private priors: `buckets` holds `[bucket, count]` pairs of a
    // priors file whose threshold is `k` (empty: no priors).
    #[wasm_bindgen(js_name = setPriors)]
    pub fn set_priors(&mut self, buckets: &[f64], k: f64) -> Result<(), JsError> {
        let width = core::federated::SKETCH_WIDTH as f64;
        let pairs: Vec<(u32, f64)> = buckets
            .chunks_exact(2)
            .map(|pair| (pair[0], pair[1]))
            .filter(|(b, c)| b.fract() == 0.0 && (0.0..width).contains(b) && c.is_finite())
            .map(|(b, c)| (b as u32, c))
            .collect();
        if pairs.len() * 2 != buckets.len() || !(k.is_finite() && k >= 1.0) {
            let message =
                "priors hold [bucket, count] pairs with buckets below 1024 and k of at least 1";
            return Err(core::Error::InvalidOptions(message.into()).into());
        }
        let table = (!pairs.is_empty()).then(|| core::federated::table_of(&pairs, k));
        self.inner.set_priors(table);
        Ok(())
    }

    // Turns federated learning on with `privacy` (`federated::Privacy::from_numbers`) for
    // the model of version `model`, or off (`privacy` empty).
    #[wasm_bindgen(js_name = setLearning)]
    pub fn set_learning(&mut self, model: &str, privacy: &[f64]) -> Result<(), JsError> {
        let privacy = match privacy.is_empty() {
            true => None,
            false => Some(core::federated::Privacy::from_numbers(privacy)?),
        };
        Ok(self.inner.set_learning(privacy, model)?)
    }

    // Interns new strings (see `wire::intern`); `event`: for `track`, so an error is an
    // `invalid_event`; `lenient`: a string that is not valid gets `UNREADABLE`, and a
    // `product_unread` warning names its product.
    pub fn intern(
        &mut self,
        entries: &str,
        owners: &[u32],
        event: bool,
        lenient: bool,
    ) -> Result<Vec<u32>, JsError> {
        let mut unread = Vec::new();
        let keep = (lenient && !event).then_some(&mut unread);
        let ids = wire::intern(&mut self.catalog, entries, owners, event, keep)?;
        for (owner, reason) in &unread {
            self.inner.warn_unread(*owner, reason);
        }
        Ok(ids)
    }

    // Ranks rows in the shop's order (`wire::ROW_STRIDE` numbers each, ids from `intern`)
    // whose tags and facet values are in `extras`. `options`: a bit set of the options
    // given, then their values in `OPTION_NAMES` order, then `similarTo` (the position of
    // a last, extra row to rank by likeness to; NaN for none). Returns
    // `wire::RANKED_STRIDE` numbers per product, best first.
    //
    // `lenient`: a row that is not valid (a price out of range, a score that is not a
    // number) is ranked unread, in the shop's position, with a warning, instead of
    // failing the list.
    pub fn rank(
        &mut self,
        rows: &[f64],
        extras: &[f64],
        options: &[f64],
        lenient: bool,
        now_ms: f64,
    ) -> Result<Vec<f64>, JsError> {
        let given = options.first().copied().unwrap_or(0.0) as u32;
        let values = options.get(1..).unwrap_or(&[]);
        let options = RankOptions::from_numbers(given, values)?;
        let mut rows = wire::rows(rows);
        let anchor = match values.get(OPTION_NAMES.len()) {
            Some(at) if !at.is_nan() => match rows.pop() {
                Some(anchor) if *at as usize == rows.len() => Some(anchor.record),
                _ => return Err(core::Error::InvalidProduct("not a product".into()).into()),
            },
            _ => None,
        };
        let extras = wire::ids(extras);
        if lenient {
            for (index, row) in rows.iter_mut().enumerate() {
                if let Err(reason) = row.check(&self.catalog, &extras) {
                    *row = row.unread();
                    self.inner.warn_unread(index, &reason);
                }
            }
        }
        let list = Rows {
            rows: &rows,
            extras: &extras,
            catalog: &self.catalog,
        };
        if let Some(anchor) = &anchor {
            anchor
                .validate(&self.catalog, &extras)
                .map_err(|reason| core::Error::InvalidProduct(at_index(rows.len(), &reason)))?;
        }
        let ranked = self
            .inner
            .rank_rows(list, anchor.as_ref(), &options, now_ms)?;
        Ok(ranked.iter().flat_map(wire::ranked).collect())
    }

    // Fills homepage slots. `numbers`: slot count, local hour, weekday and device index,
    // the options as for `rank` (bit set, then values), then each item's
    // `wire::SLOT_ITEM_STRIDE` numbers; `extras` as for `rank`. `locales`: the page's
    // locale, then each item's locale prefixes (`ITEM`-joined), all `PAIR`-separated.
    // Returns per slot `wire::RANKED_STRIDE` numbers, the position -1 when empty.
    #[wasm_bindgen(js_name = fillSlots)]
    pub fn fill_slots(
        &self,
        numbers: &[f64],
        extras: &[f64],
        locales: &str,
        now_ms: f64,
    ) -> Result<Vec<f64>, JsError> {
        let at = |i: usize| numbers.get(i).copied().unwrap_or(0.0);
        let options_end = 5 + OPTION_NAMES.len();
        let options = numbers.get(5..options_end).unwrap_or(&[]);
        let options = RankOptions::from_numbers(at(4) as u32, options)?;
        let (locale, prefixes) = wire::locales(locales);
        let items_numbers = numbers.get(options_end..).unwrap_or(&[]);
        let extras = wire::ids(extras);
        let (rows, mut placements) = wire::slot_items(items_numbers, &prefixes);
        let list = Rows {
            rows: &rows,
            extras: &extras,
            catalog: &self.catalog,
        };
        let context = Context {
            now_ms,
            hour: at(1) as u8,
            weekday: at(2) as u8,
            device: at(3) as u8,
            locale,
            segment: Segment::New,
        };
        let filled =
            self.inner
                .fill_slot_rows(at(0) as usize, list, &mut placements, &context, &options)?;
        Ok(filled
            .iter()
            .flat_map(|slot| match slot {
                Some(r) => wire::ranked(r),
                None => [-1.0, 0.0, 0.0, -1.0],
            })
            .collect())
    }
}

#[wasm_bindgen]
impl Engine {
    // Every call that takes at most a text and a number, by operation number (`op`, see
    // `contract::Op`, whose `returns` says what each gives back): one export instead of
    // one each keeps the module and its glue smaller. `text` holds the query, product id,
    // facet and value (`PAIR`-joined), a grant's date (ms), an export's format, checksum and payload
    // (`PAIR`-joined, `ABSENT` when missing), a candidate bucketing id, the measured
    // modules (`PAIR`-joined), offer kinds (`ITEM`-joined) or a category; `number` the
    // grant's purposes (bit 1 personalization, bit 2 measurement), a preference's weight,
    // a search's result count or an export's version (NaN: none), a facet value's id, or
    // the holdout's percent (with its seed and the shopper's id, `PAIR`-joined, as text;
    // NaN: no holdout). The texts are decoded by `wire`.
    #[wasm_bindgen(unchecked_return_type = "unknown")]
    pub fn command(
        &mut self,
        op: u32,
        text: &str,
        number: f64,
        now_ms: f64,
    ) -> Result<JsValue, JsError> {
        let (facet, value) = wire::pair(text);
        let given = |n: f64| Some(n).filter(|n| !n.is_nan());
        let done = JsValue::UNDEFINED;
        Ok(match Op::from_number(op) {
            // `text`: when the shopper gave it, in ms (a grant the shop has on record;
            // empty: now).
            Some(Op::Grant) => {
                let purposes = number as u32;
                let decided = text.parse::<u64>().map_or(now_ms, |ms| ms as f64);
                self.inner
                    .grant_recorded(purposes & 1 != 0, purposes & 2 != 0, decided, now_ms)?;
                done
            }
            Some(Op::Withdraw) => self.withdraw_consent(now_ms).map(|()| done)?,
            Some(Op::Erase) => self.erase(now_ms).map(|()| done)?,
            Some(Op::Compact) => self.compact(now_ms).map(|()| done)?,
            Some(Op::Reload) => {
                self.reload();
                done
            }
            Some(Op::Flush) => self.flush().into(),
            Some(Op::HasPending) => self.has_pending().into(),
            Some(Op::StorageMode) => self.storage_mode().into(),
            Some(Op::Evicted) => self.evicted().into(),
            Some(Op::Consent) => self.consent_json().into(),
            Some(Op::Warnings) => self.take_warnings().into(),
            Some(Op::Summary) => self.summary(now_ms)?.into(),
            Some(Op::Export) => self.export(now_ms)?.into(),
            Some(Op::Forget) => self.forget(facet, value, now_ms)?.into(),
            Some(Op::Preference) => self
                .set_preference(facet, value, number, now_ms)
                .map(|()| done)?,
            // `0` takes a "not interested" back.
            Some(Op::Hide) => self
                .hide_product(text, number != 0.0, now_ms)
                .map(|()| done)?,
            Some(Op::Search) => self.search(text, given(number), now_ms)?.into(),
            Some(Op::Import) => {
                let file = wire::import_fields(text);
                self.import(
                    file.format,
                    given(number),
                    file.checksum,
                    file.payload,
                    now_ms,
                )?;
                done
            }
            Some(Op::ReasonValue) => self.reason_value(number).into(),
            Some(Op::KeepUnit) => self.inner.keep_unit(text, now_ms)?.into(),
            Some(Op::InHoldout) => self.inner.in_holdout().into(),
            Some(Op::TakeCounts) => json(&self.inner.take_counts(now_ms)?.concat()).into(),
            Some(Op::Modules) => self.inner.set_modules(wire::names(text)).map(|()| done)?,
            Some(Op::Unit) => self.inner.unit().map(str::to_owned).into(),
            Some(Op::WithdrawMeasurement) => {
                self.inner.withdraw_measurement(now_ms).map(|()| done)?
            }
            Some(Op::Holdout) => {
                let (seed, unit) = wire::pair(text);
                let held_out = !number.is_nan() && core::bucket::in_holdout(unit, seed, number);
                self.inner.set_held_out(held_out);
                held_out.into()
            }
            // `text`: offer kinds, `ITEM`-joined. Returns per offer its priority multiplier
            // and the index of why it fits in `OfferFit::NAMES` (0 and -1: no fit).
            Some(Op::OfferFits) => {
                let kinds = items(text)
                    .map(|kind| {
                        OfferKind::from_name(kind).ok_or_else(|| {
                            let rule = "offer kind must be free_shipping, percent_off, loyalty_bonus or early_access";
                            core::Error::InvalidProduct(rule.into())
                        })
                    })
                    .collect::<Result<Vec<_>, _>>()?;
                let fits = self.inner.offer_fits(&kinds, now_ms)?;
                let numbers: Vec<f64> = fits
                    .iter()
                    .flat_map(|fit| match fit {
                        Some((multiplier, why)) => [*multiplier, f64::from(*why as u8)],
                        None => [0.0, -1.0],
                    })
                    .collect();
                js_sys::Float64Array::from(&numbers[..]).into()
            }
            // `text`: a category. The size the shopper takes there or above, as JSON.
            Some(Op::SizeFor) => {
                let insights = self.inner.insights(now_ms)?;
                json(&insights.size_for(text)).into()
            }
            // `number`: fresh randomness for drawing the pair. What a contribution is made
            // of as JSON (`Learned`), or `null` when this period's are made.
            Some(Op::TakeLearning) => {
                let taken = self.inner.take_learning(now_ms, number as u64)?;
                json(&taken.map(core::federated::Learned::from)).into()
            }
            // The ε spent in the last year and the contributions left this period, as
            // JSON `[spent, left]` (`null`: learning is off).
            Some(Op::LearningBudget) => {
                let budget = self.inner.learning_budget(now_ms);
                json(&budget.map(|(spent, left)| [spent, f64::from(left)].to_vec())).into()
            }
            None => return Err(core::Error::InvalidArgument("unknown command".into()).into()),
        })
    }
}

// The operations of `command`, callable from Rust (the browser tests use them).
impl Engine {
    // Restores an export, given by the fields the face read from its JSON.
    pub fn import(
        &mut self,
        format: Option<String>,
        version: Option<f64>,
        checksum: Option<String>,
        payload: Option<String>,
        now_ms: f64,
    ) -> Result<(), JsError> {
        let file = ImportFile {
            format,
            version,
            checksum,
            payload,
        };
        Ok(self.inner.import(&file, now_ms)?)
    }

    // The facet, value and evidence (how many actions taught it), `PAIR`-joined, that a
    // ranked product's reason (as `rank` numbered it) is about, for the face to word;
    // undefined for other reasons.
    pub fn reason_value(&self, id: f64) -> Option<String> {
        let (facet, value) = self.catalog.describe(id as u32)?;
        let evidence = self.inner.profile().evidence(facet, value);
        let mut about = String::with_capacity(facet.len() + value.len() + 12);
        about.push_str(facet);
        for part in [value, &decimal(u64::from(evidence))] {
            about.push(PAIR);
            about.push_str(part);
        }
        Some(about)
    }

    // `ConsentState` as JSON.
    pub fn consent_json(&self) -> String {
        json(&ConsentState::from(self.inner.consent()))
    }

    pub fn storage_mode(&self) -> String {
        self.inner.storage_mode().as_str().to_owned()
    }

    // Whether the browser deleted the profile (see `core::Engine::evicted`).
    pub fn evicted(&self) -> bool {
        self.inner.evicted()
    }

    pub fn grant_consent(
        &mut self,
        personalization: bool,
        measurement: bool,
        now_ms: f64,
    ) -> Result<(), JsError> {
        Ok(self
            .inner
            .grant_consent(personalization, measurement, now_ms)?)
    }

    // Denies or withdraws consent and erases every Shelfwise key in this call.
    pub fn withdraw_consent(&mut self, now_ms: f64) -> Result<(), JsError> {
        Ok(self.inner.withdraw_consent(now_ms)?)
    }

    // `ProfileSummary` as JSON.
    pub fn summary(&self, now_ms: f64) -> Result<String, JsError> {
        Ok(json(&self.inner.summary(now_ms)?))
    }

    // Forgets one interest in every tab; returns whether it was known.
    pub fn forget(&mut self, facet: &str, value: &str, now_ms: f64) -> Result<bool, JsError> {
        Ok(self.inner.forget(facet, value, now_ms)?)
    }

    // A stated preference, weight -1 (not interested) to 1; 0 takes it back.
    pub fn set_preference(
        &mut self,
        facet: &str,
        value: &str,
        weight: f64,
        now_ms: f64,
    ) -> Result<(), JsError> {
        Ok(self.inner.set_preference(facet, value, weight, now_ms)?)
    }

    // Records a search in the recent searches; `false` without consent.
    pub fn search(
        &mut self,
        query: &str,
        results: Option<f64>,
        now_ms: f64,
    ) -> Result<bool, JsError> {
        Ok(self.inner.search(query, results, now_ms)?)
    }

    // Marks a product "not interested", or takes that back.
    pub fn hide_product(&mut self, id: &str, hidden: bool, now_ms: f64) -> Result<(), JsError> {
        Ok(self.inner.hide_product(id, hidden, now_ms)?)
    }

    // The profile as an export document (JSON text).
    pub fn export(&mut self, now_ms: f64) -> Result<String, JsError> {
        Ok(self.inner.export(now_ms)?)
    }

    // Forgets the profile in every tab, keeping the consent decision.
    pub fn erase(&mut self, now_ms: f64) -> Result<(), JsError> {
        Ok(self.inner.erase(now_ms)?)
    }

    pub fn has_pending(&self) -> bool {
        self.inner.has_pending()
    }

    // Writes this tab's journal; returns whether a compaction is due.
    pub fn flush(&mut self) -> bool {
        self.inner.flush()
    }

    // Folds every tab's journal into the stored profile (one tab at a time: the face
    // holds a Web Lock).
    pub fn compact(&mut self, now_ms: f64) -> Result<(), JsError> {
        Ok(self.inner.compact(now_ms)?)
    }

    // Re-reads storage (after another tab changed it).
    pub fn reload(&mut self) {
        self.inner.reload();
    }

    // `ShelfwiseWarning[]` as JSON, since the last call.
    pub fn take_warnings(&mut self) -> String {
        json(&self.inner.take_warnings())
    }
}
