//! The wasm-bindgen boundary: the only place with `#[wasm_bindgen]`.
//!
//! Items here carry `//` comments, not `///` docs: wasm-bindgen copies doc comments into
//! the shipped JS glue, and the public documentation lives on the JS face (`src/js/`).
//!
//! It converts JS values into core types once (serde-wasm-bindgen), calls the core,
//! and maps every core error to a JS `Error` whose `code` property is the stable error
//! code. The JS face in `src/js/` wraps [`Engine`] in the public `Shelfwise` class.

mod storage;

pub use storage::BrowserStore;

use wasm_bindgen::prelude::*;

use crate::core::consent::{ConsentModeState, TcfState};
use crate::core::{
    self, products_from_json, ConsentPolicy, ConsentState, ConsentStatus, EventInput, RankOptions,
    Signals,
};

#[wasm_bindgen(typescript_custom_section)]
const TYPES: &'static str = r#"
/** Consent for one purpose: nothing is learned or stored for it unless `"granted"`. */
export type ConsentStatus = "unknown" | "granted" | "denied";
/** `personalization`: learn a profile and rank with it. `measurement`: local counters. */
export type Purpose = "personalization" | "measurement";
/** Where the deciding signal came from. */
export type ConsentSource = "shopper" | "tcf" | "consent_mode" | "gpc";
/** Consent per purpose; `decidedMs` is null while only a default (GPC, a Consent Mode default) applies. */
export interface ConsentState {
  personalization: ConsentStatus;
  measurement: ConsentStatus;
  decidedMs: number | null;
  source: ConsentSource | null;
}
/** Events the profile learns from. Weights: view 1, add_to_cart 3, purchase 5. */
export type EventType = "view" | "add_to_cart" | "purchase";
/**
 * The product attributes Shelfwise reads; any other fields are ignored.
 * `id`: non-empty string or non-negative integer (`42` and `"42"` are the same product).
 * `category`, `brand`: up to 128 bytes. `price`: finite, 0 to 1e9.
 */
export interface ProductAttributes {
  id: string | number;
  category?: string | null;
  brand?: string | null;
  price?: number | null;
}
/** A shopper action, e.g. `{ type: "view", product: { id: 7, category: "laptops" } }`. */
export interface TrackEvent {
  type: EventType;
  product: ProductAttributes;
}
/** Options of `rank`. Unknown option names are rejected. */
export interface RankOptions {
  /** How far the profile may move products, 0 to 1 (0 = the shop's order exactly). Default 0.5. */
  strength?: number;
}
export type Facet = "category" | "brand" | "price_band";
/** One learned interest; `strength` is relative to the strongest value of its facet (0 to 1]. */
export interface Interest {
  facet: Facet;
  value: string;
  strength: number;
  /** Number of events behind it. */
  evidence: number;
}
/** What Shelfwise knows about this shopper, in the form the shopper may see. */
export interface ProfileSummary {
  events: number;
  /** How much evidence the profile holds, 0 to 1. */
  confidence: number;
  firstMs: number | null;
  lastMs: number | null;
  interests: Interest[];
}
/** `"memory"` when storage is blocked, full or failing: nothing outlives the page. */
export type StorageMode = "persistent" | "memory";
/** Stable codes on every `Error` Shelfwise throws. */
export type ErrorCode = "invalid_event" | "invalid_product" | "invalid_options" | "invalid_argument";
"#;

/// The single error mapping: a real `Error` named `ShelfwiseError` with a `code`.
impl From<core::Error> for JsValue {
    fn from(error: core::Error) -> JsValue {
        let js = js_sys::Error::new(&error.to_string());
        js.set_name("ShelfwiseError");
        // Setting a property on a fresh Error object cannot fail.
        let _ = js_sys::Reflect::set(&js, &"code".into(), &error.code().as_str().into());
        js.into()
    }
}

// The error for input the JS face could not even encode as JSON (a `BigInt`, a
// circular object, a getter that throws), so it carries the same codes as the rest.
#[wasm_bindgen(js_name = inputError, unchecked_return_type = "Error")]
pub fn input_error(
    #[wasm_bindgen(unchecked_param_type = "\"event\" | \"products\" | \"options\" | \"argument\"")]
    what: &str,
    reason: &str,
) -> JsValue {
    let reason = format!("cannot be read: {reason}");
    match what {
        "event" => core::Error::InvalidEvent(reason),
        "products" => core::Error::InvalidProduct(reason),
        "options" => core::Error::InvalidOptions(reason),
        _ => core::Error::InvalidArgument(reason),
    }
    .into()
}

// Shelfwise's engine for one namespace. Use it through the `Shelfwise` class of the
// package, which encodes inputs as JSON, supplies the clock and follows browser events.
//
// Inputs cross as JSON text: one parser (serde_json, shared with native tools) checks
// them, and no JS getter ever runs while Rust holds the engine.
#[wasm_bindgen]
pub struct Engine(core::Engine<BrowserStore>);

#[wasm_bindgen]
impl Engine {
    // Opens `namespace` (1 to 64 of `A-Z a-z 0-9 - _ .`), loading any stored profile.
    #[wasm_bindgen(constructor)]
    pub fn new(
        namespace: &str,
        respect_gpc: bool,
        tcf_vendor_id: Option<u32>,
    ) -> Result<Engine, JsValue> {
        let policy = ConsentPolicy {
            respect_gpc,
            tcf_vendor_id,
        };
        Ok(Engine(core::Engine::with_policy(
            namespace,
            BrowserStore,
            Default::default(),
            policy,
        )?))
    }

    // `ConsentState` as JSON.
    #[wasm_bindgen(js_name = consentJson)]
    pub fn consent_json(&self) -> String {
        serde_json::to_string(&ConsentState::from(self.0.consent())).unwrap_or_default()
    }

    #[wasm_bindgen(getter, js_name = storageMode, unchecked_return_type = "StorageMode")]
    pub fn storage_mode(&self) -> String {
        self.0.storage_mode().as_str().to_owned()
    }

    #[wasm_bindgen(js_name = grantConsent)]
    pub fn grant_consent(
        &mut self,
        personalization: bool,
        measurement: bool,
        now_ms: f64,
    ) -> Result<(), JsValue> {
        Ok(self.0.grant_consent(personalization, measurement, now_ms)?)
    }

    // What the page says about consent, read by the JS face: GPC, the CMP's TCF state
    // (`gdpr_applies` absent when there is no CMP) and Consent Mode commands.
    #[wasm_bindgen(js_name = setSignals)]
    #[allow(clippy::too_many_arguments)]
    pub fn set_signals(
        &mut self,
        gpc: bool,
        gdpr_applies: Option<bool>,
        tc_string: Option<String>,
        default_personalization: Option<String>,
        default_analytics: Option<String>,
        update_personalization: Option<String>,
        update_analytics: Option<String>,
        now_ms: f64,
    ) -> Result<(), JsValue> {
        let status = |value: Option<String>| value.as_deref().and_then(ConsentStatus::from_name);
        let mode = |personalization: Option<String>, analytics: Option<String>| {
            let state = ConsentModeState {
                personalization_storage: status(personalization),
                analytics_storage: status(analytics),
            };
            (state != ConsentModeState::default()).then_some(state)
        };
        let signals = Signals {
            gpc,
            tcf: gdpr_applies.map(|gdpr_applies| TcfState {
                gdpr_applies,
                tc_string,
            }),
            consent_mode_default: mode(default_personalization, default_analytics),
            consent_mode_update: mode(update_personalization, update_analytics),
        };
        Ok(self.0.set_signals(signals, now_ms)?)
    }

    // Denies or withdraws consent and erases every Shelfwise key in this call.
    #[wasm_bindgen(js_name = withdrawConsent)]
    pub fn withdraw_consent(&mut self, now_ms: f64) -> Result<(), JsValue> {
        Ok(self.0.withdraw_consent(now_ms)?)
    }

    // Learns from one event (a `TrackEvent` as JSON) at `now_ms`. Returns `false` (and
    // stores nothing) without consent. Throws `invalid_event`, changing nothing.
    pub fn track(&mut self, event_json: &str, now_ms: f64) -> Result<bool, JsValue> {
        let event = EventInput::from_json(event_json, now_ms)?;
        Ok(self.0.track(&event))
    }

    // Ranks products (a JSON array of `ProductAttributes`, in the shop's order) with
    // `RankOptions` as JSON (`null` for defaults). Returns `[index, score, ...]` pairs,
    // best first. Throws `invalid_product` or `invalid_options`.
    pub fn rank(
        &self,
        products_json: &str,
        options_json: &str,
        now_ms: f64,
    ) -> Result<Vec<f64>, JsValue> {
        let products = products_from_json(products_json)?;
        let options = RankOptions::from_json(options_json)?;
        let ranked = self.0.rank(&products, &options, now_ms)?;
        Ok(ranked
            .iter()
            .flat_map(|r| [r.index as f64, r.score])
            .collect())
    }

    // What the profile holds (a `ProfileSummary` as JSON), for the shopper's own overview.
    pub fn summary(&self, now_ms: f64) -> Result<String, JsValue> {
        let summary = self.0.summary(now_ms)?;
        Ok(serde_json::to_string(&summary).unwrap_or_default())
    }

    // Forgets the profile, keeping the consent decision.
    pub fn erase(&mut self) {
        self.0.erase();
    }

    // Re-reads storage (after another tab changed it).
    pub fn reload(&mut self) {
        self.0.reload();
    }
}
