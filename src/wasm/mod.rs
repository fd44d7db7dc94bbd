//! The wasm-bindgen boundary: the only place with `#[wasm_bindgen]`.
//!
//! Items here carry `//` comments, not `///` docs: wasm-bindgen copies doc comments into
//! the shipped JS glue, and the public documentation lives on the JS face (`src/js/`).
//!
//! Inputs cross as plain strings, numbers and typed arrays: the JS face checks JS types
//! and flattens objects (so no JS getter ever runs while Rust holds the engine, and the
//! module carries no JSON parser); the core checks every value. Lists of text travel
//! as one string joined by ASCII separators, which no valid label can contain. Results
//! come back as JSON text or typed arrays. Every core error becomes a JS `Error` with a
//! `code`. The JS face in `src/js/` wraps [`Engine`] in the public `Shelfwise` class.

mod storage;

pub use storage::BrowserStore;

use serde::Serialize;
use wasm_bindgen::prelude::*;

use crate::core::consent::{ConsentModeState, TcfState};
use crate::core::event::{LineItemInput, Pairs, ProductId, ProductInput, VariantInput};
use crate::core::export::ImportFile;
use crate::core::{
    self, Config, ConsentStatus, EventInput, EventKind, Product, RankOptions, Signals,
};

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

/// Separates the items of a list (unit separator).
const ITEM: char = '\u{1f}';
/// Separates the values of one product's tags or facets (record separator).
const PART: char = '\u{1e}';
/// Separates a facet's name from its value (group separator).
const PAIR: char = '\u{1d}';

fn split(list: &str, separator: char) -> Vec<String> {
    if list.is_empty() {
        Vec::new()
    } else {
        list.split(separator).map(str::to_owned).collect()
    }
}

fn pairs(list: &str) -> Pairs {
    Pairs(
        split(list, PART)
            .into_iter()
            .map(|pair| match pair.split_once(PAIR) {
                Some((name, value)) => (name.to_owned(), value.to_owned()),
                None => (pair, String::new()),
            })
            .collect(),
    )
}

/// A whole number from 0 to `max` (quantities, counts).
fn whole(
    name: &str,
    value: Option<f64>,
    max: u32,
    error: fn(String) -> core::Error,
) -> Result<Option<u32>, core::Error> {
    match value {
        None => Ok(None),
        Some(v) if v.fract() == 0.0 && (0.0..=f64::from(max)).contains(&v) => Ok(Some(v as u32)),
        Some(_) => Err(error(format!(
            "{name} must be a whole number from 0 to {max}"
        ))),
    }
}

fn status(value: Option<String>) -> Option<ConsentStatus> {
    value.as_deref().and_then(ConsentStatus::from_name)
}

// The error for input the JS face rejects before it reaches the core (wrong JS types,
// a `BigInt`, a getter that throws), so it carries the same codes as the rest.
#[wasm_bindgen(js_name = inputError, unchecked_return_type = "Error")]
pub fn input_error(
    #[wasm_bindgen(
        unchecked_param_type = "\"event\" | \"products\" | \"options\" | \"argument\" | \"import\""
    )]
    what: &str,
    reason: &str,
) -> JsValue {
    let reason = reason.to_owned();
    match what {
        "event" => core::Error::InvalidEvent(reason),
        "products" => core::Error::InvalidProduct(reason),
        "options" => core::Error::InvalidOptions(reason),
        "import" => core::Error::InvalidImport(reason),
        _ => core::Error::InvalidArgument(reason),
    }
    .into()
}

// Shelfwise's engine for one namespace and tab, wrapped by the `Shelfwise` class of the
// package. Products of an event are given first (`product`, then `item` for purchase
// lines), then the event itself (`track`).
#[wasm_bindgen]
pub struct Engine {
    inner: core::Engine<BrowserStore>,
    products: Vec<ProductInput>,
    items: Vec<LineItemInput>,
}

#[wasm_bindgen]
impl Engine {
    #[wasm_bindgen(constructor)]
    pub fn new(
        namespace: &str,
        tab: &str,
        option_names: &str,
        option_values: &[f64],
        sensitive_categories: &str,
        sensitive_facets: &str,
        now_ms: f64,
    ) -> Result<Engine, JsValue> {
        let mut config = Config::default();
        for (name, value) in split(option_names, ITEM).iter().zip(option_values) {
            config.set(name, *value)?;
        }
        config.sensitive_categories = split(sensitive_categories, ITEM);
        config.sensitive_facets = split(sensitive_facets, ITEM);
        Ok(Engine {
            inner: core::Engine::open(namespace, tab, BrowserStore, config, now_ms)?,
            products: Vec::new(),
            items: Vec::new(),
        })
    }

    // `ConsentState` as JSON.
    #[wasm_bindgen(js_name = consentJson)]
    pub fn consent_json(&self) -> String {
        json(&self.inner.consent())
    }

    #[wasm_bindgen(getter, js_name = storageMode, unchecked_return_type = "StorageMode")]
    pub fn storage_mode(&self) -> String {
        self.inner.storage_mode().as_str().to_owned()
    }

    #[wasm_bindgen(getter, js_name = hasPending)]
    pub fn has_pending(&self) -> bool {
        self.inner.has_pending()
    }

    #[wasm_bindgen(js_name = grantConsent)]
    pub fn grant_consent(
        &mut self,
        personalization: bool,
        measurement: bool,
        now_ms: f64,
    ) -> Result<(), JsValue> {
        Ok(self
            .inner
            .grant_consent(personalization, measurement, now_ms)?)
    }

    #[wasm_bindgen(js_name = withdrawConsent)]
    pub fn withdraw_consent(&mut self, now_ms: f64) -> Result<(), JsValue> {
        Ok(self.inner.withdraw_consent(now_ms)?)
    }

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
        Ok(self.inner.set_signals(signals, now_ms)?)
    }

    // One product of the next event (or of the next `rank` call's list).
    #[allow(clippy::too_many_arguments)]
    pub fn product(
        &mut self,
        id_text: Option<String>,
        id_number: Option<f64>,
        category: Option<String>,
        brand: Option<String>,
        price: Option<f64>,
        currency: Option<String>,
        size: Option<String>,
        color: Option<String>,
        consumable: Option<bool>,
        tags: &str,
        facets: &str,
    ) -> Result<(), JsValue> {
        let id = match (id_text, id_number) {
            (Some(text), None) => ProductId(text),
            (None, Some(n)) if n.fract() == 0.0 && (0.0..=9_007_199_254_740_991.0).contains(&n) => {
                ProductId((n as u64).to_string())
            }
            _ => {
                self.products.clear();
                self.items.clear();
                return Err(core::Error::InvalidEvent(
                    "product id must be a non-empty string or a non-negative whole number".into(),
                )
                .into());
            }
        };
        let variant = (size.is_some() || color.is_some()).then_some(VariantInput { size, color });
        self.products.push(ProductInput {
            id,
            category,
            brand,
            price,
            currency,
            tags: split(tags, ITEM),
            variant,
            facets: (!facets.is_empty()).then(|| pairs(facets)),
            consumable,
        });
        Ok(())
    }

    // Turns the last `product` into a purchase line.
    pub fn item(&mut self, quantity: Option<f64>, price: Option<f64>) -> Result<(), JsValue> {
        let quantity = whole("quantity", quantity, 10_000, core::Error::InvalidEvent)?;
        let product = self
            .products
            .pop()
            .ok_or_else(|| core::Error::InvalidEvent("line item without a product".into()))?;
        self.items.push(LineItemInput {
            product,
            quantity,
            price,
        });
        Ok(())
    }

    // Learns from one event made of the products and items given before it. Returns
    // `false` (storing nothing) without consent or for a sensitive category.
    #[allow(clippy::too_many_arguments)]
    pub fn track(
        &mut self,
        kind: &str,
        quantity: Option<f64>,
        dwell_ms: Option<f64>,
        module: Option<String>,
        slot: Option<String>,
        order_id: Option<String>,
        query: Option<String>,
        result_count: Option<f64>,
        facet: Option<String>,
        value: Option<String>,
        weight: Option<f64>,
        now_ms: f64,
    ) -> Result<bool, JsValue> {
        let mut products = std::mem::take(&mut self.products);
        let items = std::mem::take(&mut self.items);
        let kind = EventKind::from_name(kind).ok_or_else(|| {
            core::Error::InvalidEvent(format!(
                "unknown event type \"{kind}\" (expected one of {})",
                EventKind::NAMES.join(", ")
            ))
        })?;
        if products.len() > 1 {
            return Err(
                core::Error::InvalidEvent("an event has at most one product".into()).into(),
            );
        }
        let input = EventInput {
            kind,
            product: products.pop(),
            items: (!items.is_empty()).then_some(items),
            quantity: whole("quantity", quantity, 10_000, core::Error::InvalidEvent)?,
            dwell_ms,
            module,
            slot,
            order_id,
            query,
            result_count: whole(
                "resultCount",
                result_count,
                u32::MAX,
                core::Error::InvalidEvent,
            )?,
            facet,
            value,
            weight,
        };
        let event = input.validate(now_ms)?;
        Ok(self.inner.track(&event))
    }

    // Writes this tab's journal; returns whether a compaction is due.
    pub fn flush(&mut self, now_ms: f64) -> bool {
        self.inner.flush(now_ms)
    }

    pub fn compact(&mut self, now_ms: f64) -> Result<(), JsValue> {
        Ok(self.inner.compact(now_ms)?)
    }

    pub fn reload(&mut self, now_ms: f64) -> Result<(), JsValue> {
        Ok(self.inner.reload(now_ms)?)
    }

    // Ranks the products given with `product` since the last call, in the shop's
    // order. Returns `[index, score, ...]` pairs, best first.
    pub fn rank(
        &mut self,
        option_names: &str,
        option_values: &[f64],
        now_ms: f64,
    ) -> Result<Vec<f64>, JsValue> {
        let inputs = std::mem::take(&mut self.products);
        let mut options = RankOptions::default();
        for (name, value) in split(option_names, ITEM).iter().zip(option_values) {
            options.set(name, *value)?;
        }
        options.validate()?;
        let mut products: Vec<Product> = Vec::with_capacity(inputs.len());
        for (index, input) in inputs.into_iter().enumerate() {
            let product = input.validate().map_err(|reason| {
                core::Error::InvalidProduct(format!("at index {index}: {reason}"))
            })?;
            products.push(product);
        }
        let ranked = self.inner.rank(&products, &options, now_ms)?;
        Ok(ranked
            .iter()
            .flat_map(|r| [r.index as f64, r.score])
            .collect())
    }

    // Forgets products given with `product` and not used (after a JS-side error).
    pub fn discard(&mut self) {
        self.products.clear();
        self.items.clear();
    }

    // `ProfileSummary` as JSON.
    pub fn summary(&self, now_ms: f64) -> Result<String, JsValue> {
        Ok(json(&self.inner.summary(now_ms)?))
    }

    pub fn forget(&mut self, facet: &str, value: &str, now_ms: f64) -> Result<bool, JsValue> {
        Ok(self.inner.forget(facet, value, now_ms)?)
    }

    pub fn export(&self, now_ms: f64) -> Result<String, JsValue> {
        Ok(self.inner.export(now_ms)?)
    }

    pub fn import(
        &mut self,
        format: Option<String>,
        version: Option<f64>,
        checksum: Option<String>,
        payload: Option<String>,
        now_ms: f64,
    ) -> Result<(), JsValue> {
        let file = ImportFile {
            format,
            version,
            checksum,
            payload,
        };
        Ok(self.inner.import(&file, now_ms)?)
    }

    pub fn erase(&mut self, now_ms: f64) -> Result<(), JsValue> {
        Ok(self.inner.erase(now_ms)?)
    }

    // `ShelfwiseWarning[]` as JSON, since the last call.
    #[wasm_bindgen(js_name = takeWarnings)]
    pub fn take_warnings(&mut self) -> String {
        json(&self.inner.take_warnings())
    }
}
