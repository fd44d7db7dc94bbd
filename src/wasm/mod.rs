//! The wasm-bindgen boundary: the only place with `#[wasm_bindgen]`.
//!
//! It converts JS values into core types once (serde-wasm-bindgen), calls the core,
//! and maps every core error to a JS `Error` whose `code` property is the stable error
//! code. The JS face in `src/js/` wraps [`Engine`] in the public `Shelfwise` class.

mod storage;

pub use storage::BrowserStore;

use serde::Serialize;
use wasm_bindgen::prelude::*;

use crate::core::{self, EventInput, ProductInput, RankOptions};

#[wasm_bindgen(typescript_custom_section)]
const TYPES: &'static str = r#"
/** Consent for personalization: nothing is learned or stored unless `"granted"`. */
export type ConsentStatus = "unknown" | "granted" | "denied";
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
/** One ranked position: the product's index in the input, its id and its score. */
export interface RankedIndex {
  index: number;
  id: string;
  score: number;
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

fn to_js<T: Serialize>(value: &T) -> JsValue {
    // Plain structs of numbers and strings always serialize.
    value
        .serialize(&serde_wasm_bindgen::Serializer::json_compatible())
        .unwrap_or(JsValue::NULL)
}

/// Shelfwise's engine for one namespace. Use it through the `Shelfwise` class of the
/// package, which supplies the clock and browser events.
#[wasm_bindgen]
pub struct Engine(core::Engine<BrowserStore>);

#[wasm_bindgen]
impl Engine {
    /// Opens `namespace` (1 to 64 of `A-Z a-z 0-9 - _ .`), loading any stored profile.
    #[wasm_bindgen(constructor)]
    pub fn new(namespace: &str) -> Result<Engine, JsValue> {
        Ok(Engine(core::Engine::open(namespace, BrowserStore)?))
    }

    #[wasm_bindgen(getter, unchecked_return_type = "ConsentStatus")]
    pub fn consent(&self) -> String {
        self.0.consent().as_str().to_owned()
    }

    #[wasm_bindgen(getter, js_name = storageMode, unchecked_return_type = "StorageMode")]
    pub fn storage_mode(&self) -> String {
        self.0.storage_mode().as_str().to_owned()
    }

    #[wasm_bindgen(js_name = grantConsent)]
    pub fn grant_consent(&mut self, now_ms: f64) -> Result<(), JsValue> {
        Ok(self.0.grant_consent(now_ms)?)
    }

    /// Denies or withdraws consent and erases every Shelfwise key in this call.
    #[wasm_bindgen(js_name = withdrawConsent)]
    pub fn withdraw_consent(&mut self, now_ms: f64) -> Result<(), JsValue> {
        Ok(self.0.withdraw_consent(now_ms)?)
    }

    /// Learns from one event at `now_ms`. Returns `false` (and stores nothing) without
    /// consent. Throws `invalid_event` on malformed input, changing nothing.
    pub fn track(
        &mut self,
        #[wasm_bindgen(unchecked_param_type = "TrackEvent")] event: JsValue,
        now_ms: f64,
    ) -> Result<bool, JsValue> {
        let input: EventInput = serde_wasm_bindgen::from_value(event)
            .map_err(|e| core::Error::InvalidEvent(e.to_string()))?;
        let event = input.validate(now_ms)?;
        Ok(self.0.track(&event))
    }

    /// Ranks `products` (in the shop's order). Throws `invalid_product` or
    /// `invalid_options` on malformed input.
    #[wasm_bindgen(unchecked_return_type = "RankedIndex[]")]
    pub fn rank(
        &self,
        #[wasm_bindgen(unchecked_param_type = "readonly ProductAttributes[]")] products: JsValue,
        #[wasm_bindgen(unchecked_param_type = "RankOptions | undefined")] options: JsValue,
        now_ms: f64,
    ) -> Result<JsValue, JsValue> {
        let products = products_from_js(products)?;
        let options: RankOptions = if options.is_undefined() || options.is_null() {
            RankOptions::default()
        } else {
            serde_wasm_bindgen::from_value(options)
                .map_err(|e| core::Error::InvalidOptions(e.to_string()))?
        };
        Ok(to_js(&self.0.rank(&products, &options, now_ms)?))
    }

    /// What the profile holds, for the shopper's own overview.
    #[wasm_bindgen(unchecked_return_type = "ProfileSummary")]
    pub fn summary(&self, now_ms: f64) -> Result<JsValue, JsValue> {
        Ok(to_js(&self.0.summary(now_ms)?))
    }

    /// Forgets the profile, keeping the consent decision.
    pub fn erase(&mut self) {
        self.0.erase();
    }

    /// Re-reads storage (after another tab changed it).
    pub fn reload(&mut self) {
        self.0.reload();
    }
}

fn products_from_js(products: JsValue) -> Result<Vec<core::Product>, core::Error> {
    if !js_sys::Array::is_array(&products) {
        return Err(core::Error::InvalidArgument(
            "products must be an array".into(),
        ));
    }
    js_sys::Array::from(&products)
        .iter()
        .enumerate()
        .map(|(index, value)| {
            serde_wasm_bindgen::from_value::<ProductInput>(value)
                .map_err(|e| e.to_string())
                .and_then(ProductInput::validate)
                .map_err(|reason| core::Error::InvalidProduct { index, reason })
        })
        .collect()
}
