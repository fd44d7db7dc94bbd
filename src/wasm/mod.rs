//! The wasm-bindgen boundary: the only place with `#[wasm_bindgen]`.
//!
//! Items here carry `//` comments, not `///` docs: wasm-bindgen copies doc comments into
//! the shipped JS glue, and the public documentation lives on the JS face (`src/js/`).
//!
//! Inputs cross as JSON text: one parser (serde_json, shared with native tools) checks
//! them, and no JS getter ever runs while Rust holds the engine. Results come back as
//! JSON text or typed arrays. Every core error becomes a JS `Error` with a `code`.

mod storage;

pub use storage::BrowserStore;

use serde::Serialize;
use wasm_bindgen::prelude::*;

use crate::core::{self, products_from_json, Config, RankOptions, Signals};

#[wasm_bindgen(typescript_custom_section)]
const TYPES: &'static str = r#"
/** Consent for one purpose: nothing is learned or stored for it unless `"granted"`. */
export type ConsentStatus = "unknown" | "granted" | "denied";
/** `personalization`: learn a profile and rank with it. `measurement`: local counters. */
export type Purpose = "personalization" | "measurement";
/** Where the deciding signal came from. */
export type ConsentSource = "shopper" | "tcf" | "consent_mode" | "gpc";
/** Consent per purpose; `decidedMs` is null while only a default (GPC, Consent Mode default) applies. */
export interface ConsentState {
  personalization: ConsentStatus;
  measurement: ConsentStatus;
  decidedMs: number | null;
  source: ConsentSource | null;
}
/** Event types and their default weights: view 1, click 1.5, add_to_cart 3, remove_from_cart -1, purchase 5, wishlist 2.5, preference 4. */
export type EventType =
  | "view" | "click" | "add_to_cart" | "remove_from_cart" | "purchase"
  | "wishlist" | "search" | "preference" | "not_interested";
/**
 * The product attributes Shelfwise reads; any other fields are ignored.
 * `id`: non-empty string or non-negative integer (`42` and `"42"` are the same product).
 * `category`: `/`-separated path, up to 4 levels (`"shoes/running"`). Text fields: up to 128 bytes.
 * `price`: finite, 0 to 1e9. `currency`: ISO 4217. `tags`: up to 16. `facets`: up to 8 shop facets,
 * names of `a-z 0-9 _`. `consumable`: bought again when used up (coffee), as opposed to durable goods.
 */
export interface ProductAttributes {
  id: string | number;
  category?: string | null;
  brand?: string | null;
  price?: number | null;
  currency?: string | null;
  tags?: readonly string[];
  variant?: { size?: string | null; color?: string | null } | null;
  facets?: Readonly<Record<string, string>> | null;
  consumable?: boolean | null;
}
export interface LineItem {
  product: ProductAttributes;
  /** 1 to 10,000. Default 1. */
  quantity?: number;
  /** Unit price paid; default the product's price. */
  price?: number;
}
/** A shopper action. Fields other than those listed for its type are rejected. */
export type TrackEvent =
  | { type: "view"; product: ProductAttributes; dwellMs?: number; module?: string; slot?: string }
  | { type: "click"; product: ProductAttributes; module?: string; slot?: string }
  | { type: "add_to_cart" | "remove_from_cart"; product: ProductAttributes; quantity?: number }
  | { type: "wishlist"; product: ProductAttributes }
  | { type: "purchase"; items: readonly LineItem[]; orderId?: string }
  | { type: "purchase"; product: ProductAttributes }
  | { type: "search"; query: string; resultCount?: number }
  | { type: "preference"; facet: string; value: string; weight?: number }
  | { type: "not_interested"; product: ProductAttributes }
  | { type: "not_interested"; facet: string; value: string };
/** Options of `rank`. Unknown option names are rejected. */
export interface RankOptions {
  /** How far the profile may move products, 0 to 1 (0 = the shop's order exactly). Default 0.5. */
  strength?: number;
}
/** What a shop can tune; every field is optional. See the README for defaults. */
export interface ShelfwiseConfig {
  halfLifeDays?: number;
  sessionHalfLifeMinutes?: number;
  sessionGapMinutes?: number;
  sessionShare?: number;
  retentionDays?: number;
  weights?: Partial<Record<"view" | "click" | "addToCart" | "removeFromCart" | "purchase" | "wishlist" | "preference", number>>;
  maxValuesPerFacet?: number;
  /** Categories never learned, with everything below them (e.g. `"health"`). */
  sensitiveCategories?: readonly string[];
  /** Facets never learned (e.g. a shop facet `"religion"`). */
  sensitiveFacets?: readonly string[];
  /** GPC denies consent unless the shopper grants it in the shop. Default true. */
  respectGpc?: boolean;
  /** The shop's IAB TCF vendor id; without it TCF is read as publisher consent. */
  tcfVendorId?: number;
}
/** `"category" | "brand" | "price_band" | "tag" | "color" | "size"` or a shop facet name. */
export type Facet = string;
/** One learned interest, e.g. sentence "You bought Apple products". */
export interface Interest {
  facet: Facet;
  value: string;
  /** Relative to the strongest value of the same facet, (0, 1]. */
  strength: number;
  /** Number of events behind it. */
  evidence: number;
  /** The strongest kind of event behind it. */
  because: EventType;
  sentence: string;
}
/** A stated preference (weight -1 to 1) or a dismissal (weight -1). */
export interface Statement {
  facet: Facet;
  value: string;
  weight: number;
  sentence: string;
}
/** What Shelfwise knows about this shopper, in the form the shopper may see. */
export interface ProfileSummary {
  consent: ConsentState;
  events: number;
  visits: number;
  orders: number;
  /** How much evidence the profile holds, 0 to 1. */
  confidence: number;
  firstMs: number | null;
  lastMs: number | null;
  interests: Interest[];
  /** What the current visit is about. */
  session: Interest[];
  stated: Statement[];
  notInterested: Statement[];
  hiddenProducts: string[];
  recentlyViewed: string[];
  cart: { id: string; quantity: number }[];
  recentSearches: string[];
  sizes: { category: string; value: string }[];
  priceLevels: { category: string; value: string }[];
}
/** `"memory"` when storage is blocked, full or failing: nothing outlives the page. */
export type StorageMode = "persistent" | "memory";
/** Something the page may want to know that is not an error (unreadable stored data, storage full...). */
export interface ShelfwiseWarning {
  code:
    | "record_unreadable" | "record_salvaged" | "record_repaired" | "record_future_version"
    | "record_migrated" | "journal_unreadable" | "storage_unavailable" | "storage_full"
    | "tcf_unreadable" | "consent_withdrawn_elsewhere";
  message: string;
}
/** Stable codes on every `Error` Shelfwise throws. */
export type ErrorCode =
  | "invalid_event" | "invalid_product" | "invalid_options" | "invalid_argument"
  | "invalid_import" | "consent_required";
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

fn json<T: Serialize>(value: &T) -> String {
    // Plain data always serializes.
    serde_json::to_string(value).unwrap_or_default()
}

// The error for input the JS face could not even encode as JSON (a `BigInt`, a circular
// object, a getter that throws), so it carries the same codes as the rest.
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

// Shelfwise's engine for one namespace and tab, wrapped by the `Shelfwise` class of the
// package, which encodes inputs, supplies the clock and follows browser events.
#[wasm_bindgen]
pub struct Engine(core::Engine<BrowserStore>);

#[wasm_bindgen]
impl Engine {
    #[wasm_bindgen(constructor)]
    pub fn new(
        namespace: &str,
        tab: &str,
        config_json: &str,
        now_ms: f64,
    ) -> Result<Engine, JsValue> {
        let config = Config::from_json(config_json)?;
        Ok(Engine(core::Engine::open(
            namespace,
            tab,
            BrowserStore,
            config,
            now_ms,
        )?))
    }

    // `ConsentState` as JSON.
    #[wasm_bindgen(js_name = consentJson)]
    pub fn consent_json(&self) -> String {
        json(&self.0.consent())
    }

    #[wasm_bindgen(getter, js_name = storageMode, unchecked_return_type = "StorageMode")]
    pub fn storage_mode(&self) -> String {
        self.0.storage_mode().as_str().to_owned()
    }

    #[wasm_bindgen(getter, js_name = hasPending)]
    pub fn has_pending(&self) -> bool {
        self.0.has_pending()
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

    #[wasm_bindgen(js_name = withdrawConsent)]
    pub fn withdraw_consent(&mut self, now_ms: f64) -> Result<(), JsValue> {
        Ok(self.0.withdraw_consent(now_ms)?)
    }

    #[wasm_bindgen(js_name = setSignals)]
    pub fn set_signals(&mut self, signals_json: &str, now_ms: f64) -> Result<(), JsValue> {
        let signals: Signals = serde_json::from_str(signals_json)
            .map_err(|e| core::Error::InvalidArgument(format!("consent signals: {e}")))?;
        Ok(self.0.set_signals(signals, now_ms)?)
    }

    pub fn track(&mut self, event_json: &str, now_ms: f64) -> Result<bool, JsValue> {
        Ok(self.0.track_json(event_json, now_ms)?)
    }

    // Writes this tab's journal; returns whether a compaction is due.
    pub fn flush(&mut self, now_ms: f64) -> bool {
        self.0.flush(now_ms)
    }

    pub fn compact(&mut self, now_ms: f64) -> Result<(), JsValue> {
        Ok(self.0.compact(now_ms)?)
    }

    pub fn reload(&mut self, now_ms: f64) -> Result<(), JsValue> {
        Ok(self.0.reload(now_ms)?)
    }

    // `[index, score, ...]` pairs, best first.
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

    // `ProfileSummary` as JSON.
    pub fn summary(&self, now_ms: f64) -> Result<String, JsValue> {
        Ok(json(&self.0.summary(now_ms)?))
    }

    pub fn forget(&mut self, facet: &str, value: &str, now_ms: f64) -> Result<bool, JsValue> {
        Ok(self.0.forget(facet, value, now_ms)?)
    }

    pub fn export(&self, now_ms: f64) -> Result<String, JsValue> {
        Ok(self.0.export(now_ms)?)
    }

    pub fn import(&mut self, json: &str, now_ms: f64) -> Result<(), JsValue> {
        Ok(self.0.import(json, now_ms)?)
    }

    pub fn erase(&mut self, now_ms: f64) -> Result<(), JsValue> {
        Ok(self.0.erase(now_ms)?)
    }

    // `ShelfwiseWarning[]` as JSON, since the last call.
    #[wasm_bindgen(js_name = takeWarnings)]
    pub fn take_warnings(&mut self) -> String {
        json(&self.0.take_warnings())
    }
}
