//! Shopper events and the product attributes they carry, validated once at the edge.
//!
//! `*Input` types are what callers send (deserialized from JS objects or JSON);
//! `Event` and `Product` are the validated forms the rest of the core trusts.

use std::fmt;
use std::ops::RangeInclusive;

use serde::de::{self, Deserializer, Visitor};
use serde::Deserialize;

use super::codec::codec_fields;
use super::error::{Error, Result};
use super::json::decimal;
use super::names::string_enum;

/// Longest id, category or brand accepted, in bytes. Keeps the stored profile bounded.
pub const MAX_LABEL_BYTES: usize = 128;
/// Highest accepted price: above this it is a unit mistake, not a product.
pub const MAX_PRICE: f64 = 1e9;
/// Largest integer id accepted (JavaScript's `Number.MAX_SAFE_INTEGER`).
const MAX_SAFE_INTEGER: f64 = 9_007_199_254_740_991.0;

string_enum! {
    /// What the shopper did, named in snake_case as JS callers write it.
    #[derive(Default)]
    pub enum EventKind {
        #[default]
        View = "view",
        Click = "click",
        AddToCart = "add_to_cart",
        RemoveFromCart = "remove_from_cart",
        Purchase = "purchase",
        Wishlist = "wishlist",
        /// A homepage slot's banner, collection or offer was shown: counted for
        /// frequency caps, never learned as taste.
        Impression = "impression",
    }
}

/// A product id as sent: a non-empty string or a non-negative integer (`42` and `"42"`
/// are the same product).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ProductId(pub String);

impl ProductId {
    /// A numeric id: a whole number from 0 to `MAX_SAFE_INTEGER`.
    pub fn from_number(n: f64) -> Option<ProductId> {
        whole_number(n, 0.0..=MAX_SAFE_INTEGER).map(|n| ProductId(decimal(n)))
    }
}

/// `n` when it is a whole number within `range` (NaN, infinities and fractions are not).
pub fn whole_number(n: f64, range: RangeInclusive<f64>) -> Option<u64> {
    (n.fract() == 0.0 && range.contains(&n)).then_some(n as u64)
}

impl<'de> Deserialize<'de> for ProductId {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct IdVisitor;
        impl Visitor<'_> for IdVisitor {
            type Value = ProductId;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a product id (non-empty string or non-negative integer)")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<ProductId, E> {
                Ok(ProductId(v.to_owned()))
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<ProductId, E> {
                Ok(ProductId(v.to_string()))
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<ProductId, E> {
                u64::try_from(v)
                    .map(|v| ProductId(v.to_string()))
                    .map_err(|_| E::custom("product id must not be negative"))
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<ProductId, E> {
                ProductId::from_number(v).ok_or_else(|| {
                    E::custom("numeric product id must be a non-negative safe integer")
                })
            }
        }
        deserializer.deserialize_any(IdVisitor)
    }
}

/// Product attributes as a caller sends them; unknown fields (title, image...) are ignored.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(from = "ProductJson")]
pub struct ProductInput {
    pub id: ProductId,
    pub category: Option<String>,
    pub brand: Option<String>,
    pub price: Option<f64>,
    /// ISO 4217 code of `price`, e.g. `"EUR"`.
    pub currency: Option<String>,
    pub tags: Vec<String>,
    /// `[name, value]`: variant attributes (`size`, `colour`) and the shop's own facets
    /// (`style`, `material`...), a name repeated for several values.
    pub facets: Vec<(String, String)>,
}

/// Facet names a product's own fields produce; `facets` may not use them.
pub const DERIVED_FACETS: [&str; 3] = ["category", "brand", "price_band"];
/// Most tags and facet values one product may carry.
pub const MAX_PRODUCT_FACETS: usize = 32;
/// Longest facet name, in bytes.
pub const MAX_FACET_NAME_BYTES: usize = 32;

/// An ISO 4217 currency code as written: three upper-case ASCII letters.
pub fn valid_currency(code: &str) -> bool {
    code.len() == 3 && code.bytes().all(|b| b.is_ascii_uppercase())
}

/// The facet name rule, as error messages state it.
pub const FACET_NAME_RULE: &str = "1 to 32 of a-z, 0-9 and _ starting with a letter";

/// A facet name: 1 to 32 lower-case ASCII letters, digits or `_`, starting with a letter.
pub fn valid_facet_name(name: &str) -> bool {
    (1..=MAX_FACET_NAME_BYTES).contains(&name.len())
        && name.starts_with(|c: char| c.is_ascii_lowercase())
        && name
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
}

/// A validated product. `facets` holds its tags (`tag`), variant attributes and the
/// shop's facets as `[name, value]`, each pair once, in the order given.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Product {
    pub id: String,
    pub category: Option<String>,
    pub brand: Option<String>,
    pub price: Option<f64>,
    pub currency: Option<String>,
    pub facets: Vec<(String, String)>,
}

codec_fields!(Product {
    id,
    category,
    brand,
    price,
    currency,
    facets
});

impl Product {
    /// A product with only an id, for tests and callers that build products in Rust.
    pub fn new(id: impl Into<String>) -> Self {
        Product {
            id: id.into(),
            ..Product::default()
        }
    }

    pub fn with_category(mut self, category: impl Into<String>) -> Self {
        self.category = Some(category.into());
        self
    }

    pub fn with_brand(mut self, brand: impl Into<String>) -> Self {
        self.brand = Some(brand.into());
        self
    }

    pub fn with_price(mut self, price: f64) -> Self {
        self.price = Some(price);
        self
    }

    pub fn with_currency(mut self, currency: impl Into<String>) -> Self {
        self.currency = Some(currency.into());
        self
    }

    pub fn with_facet(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.facets.push((name.into(), value.into()));
        self
    }

    /// The values of one facet this product carries.
    pub fn facet<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a str> + 'a {
        self.facets
            .iter()
            .filter(move |(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }
}

impl From<Product> for ProductInput {
    fn from(product: Product) -> Self {
        ProductInput {
            id: ProductId(product.id),
            category: product.category,
            brand: product.brand,
            price: product.price,
            currency: product.currency,
            tags: Vec::new(),
            facets: product.facets,
        }
    }
}

/// A product as JSON spells it: `tags` an array, `variant` and `facets` objects whose
/// values are text or (facets) arrays of text. Native tools and tests read this.
#[derive(Deserialize)]
struct ProductJson {
    id: ProductId,
    #[serde(default)]
    category: Option<String>,
    #[serde(default)]
    brand: Option<String>,
    #[serde(default)]
    price: Option<f64>,
    #[serde(default)]
    currency: Option<String>,
    #[serde(default)]
    tags: Vec<String>,
    #[serde(default)]
    variant: std::collections::BTreeMap<String, String>,
    #[serde(default)]
    facets: std::collections::BTreeMap<String, FacetJson>,
}

#[derive(Deserialize)]
#[serde(untagged)]
enum FacetJson {
    One(String),
    Many(Vec<String>),
}

impl From<ProductJson> for ProductInput {
    fn from(json: ProductJson) -> Self {
        let mut facets: Vec<(String, String)> = json.variant.into_iter().collect();
        for (name, values) in json.facets {
            match values {
                FacetJson::One(value) => facets.push((name, value)),
                FacetJson::Many(values) => {
                    facets.extend(values.into_iter().map(|v| (name.clone(), v)))
                }
            }
        }
        ProductInput {
            id: json.id,
            category: json.category,
            brand: json.brand,
            price: json.price,
            currency: json.currency,
            tags: json.tags,
            facets,
        }
    }
}

impl ProductInput {
    /// Checks every field; the error is a reason in plain words, without the context
    /// (event or candidate index) that the caller adds.
    pub fn validate(self) -> Result<Product, String> {
        let id = label("id", Some(self.id.0))?.ok_or("id must not be empty")?;
        let category = match label("category", self.category)? {
            Some(category) => Some(category_path(&category)?),
            None => None,
        };
        let brand = label("brand", self.brand)?;
        let price = match self.price {
            None => None,
            Some(p) if p.is_finite() && (0.0..=MAX_PRICE).contains(&p) => Some(p),
            Some(_) => return Err("price must be a finite number from 0 to 1000000000".into()),
        };
        let currency = match self.currency {
            Some(c) if valid_currency(&c) => Some(c),
            Some(_) => return Err("currency must be an ISO 4217 code such as \"EUR\"".into()),
            None => None,
        };
        let tags = self.tags.into_iter().map(|t| ("tag".to_owned(), t));
        let mut facets: Vec<(String, String)> = Vec::new();
        for (name, value) in tags.chain(self.facets) {
            // The common spelling of one variant attribute.
            let name = if name == "color" {
                "colour".to_owned()
            } else {
                name
            };
            if !valid_facet_name(&name) || DERIVED_FACETS.contains(&name.as_str()) {
                return Err([
                    "facet name \"",
                    &name,
                    "\" must be ",
                    FACET_NAME_RULE,
                    ", and not category, brand or price_band",
                ]
                .concat());
            }
            let Some(value) = label("facet value", Some(value))? else {
                continue;
            };
            if !facets.iter().any(|(n, v)| *n == name && *v == value) {
                facets.push((name, value));
                // At once: checking each value against all kept ones is quadratic, and a
                // page passing 100,000 tags must not freeze the tab.
                if facets.len() > MAX_PRODUCT_FACETS {
                    return Err("a product carries more than 32 tags and facet values".into());
                }
            }
        }
        Ok(Product {
            id,
            category,
            brand,
            price,
            currency,
            facets,
        })
    }
}

/// Deepest category path accepted (`a/b/c/d`).
pub const MAX_CATEGORY_DEPTH: usize = 4;

/// Normalises `" Shoes / Running "` to `"Shoes/Running"`: `/` separates levels, at most
/// four, none empty.
pub fn category_path(category: &str) -> Result<String, String> {
    let mut path = String::with_capacity(category.len());
    for (depth, level) in category.split('/').map(str::trim).enumerate() {
        if level.is_empty() {
            return Err("category has an empty level".into());
        }
        if depth == MAX_CATEGORY_DEPTH {
            return Err("category is deeper than 4 levels".into());
        }
        if depth > 0 {
            path.push('/');
        }
        path.push_str(level);
    }
    Ok(path)
}

/// Trims a text attribute; empty means absent, except for the id (checked by the caller).
pub fn label(field: &str, value: Option<String>) -> Result<Option<String>, String> {
    let Some(value) = value else { return Ok(None) };
    let trimmed = value.trim();
    if trimmed.len() > MAX_LABEL_BYTES {
        return Err([field, " is longer than 128 bytes"].concat());
    }
    if trimmed.chars().any(char::is_control) {
        return Err([field, " contains control characters"].concat());
    }
    Ok((!trimmed.is_empty()).then(|| trimmed.to_owned()))
}

/// An event as a caller sends it: `{ type, product, dwellMs?, quantity?, module?, slot? }`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct EventInput {
    #[serde(rename = "type")]
    pub kind: EventKind,
    pub product: ProductInput,
    /// How long a product page was looked at (views only).
    #[serde(default)]
    pub dwell_ms: Option<f64>,
    /// Units added, removed or bought (cart and purchase events only).
    #[serde(default)]
    pub quantity: Option<f64>,
    /// Where the product was shown: the module (`"similar"`, `"search"`) and its slot
    /// (`"hero"`, `"3"`). Clicks, add-to-carts, purchases and impressions (a module
    /// shown) only; local measurement credits the module (an add-to-cart or purchase
    /// without one goes to the module its product was last clicked in).
    #[serde(default)]
    pub module: Option<String>,
    #[serde(default)]
    pub slot: Option<String>,
}

/// Longest dwell accepted: a day.
pub const MAX_DWELL_MS: f64 = 86_400_000.0;
/// Largest quantity accepted in one event.
pub const MAX_QUANTITY: u32 = 10_000;

/// A validated event, stamped with the time it happened. Journals store it as it is.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Event {
    pub kind: EventKind,
    pub product: Product,
    pub at_ms: f64,
    pub dwell_ms: Option<f64>,
    pub quantity: Option<u32>,
    pub module: Option<String>,
    pub slot: Option<String>,
}

codec_fields!(Event {
    kind,
    product,
    at_ms,
    dwell_ms,
    quantity,
    module,
    slot
});

impl Event {
    /// Checks an event read back from storage (any script can write there) as if it
    /// had just arrived.
    pub fn revalidate(self) -> Result<Event> {
        let product = ProductInput::from(self.product);
        EventInput {
            kind: self.kind,
            product,
            dwell_ms: self.dwell_ms,
            quantity: self.quantity.map(f64::from),
            module: self.module,
            slot: self.slot,
        }
        .validate(self.at_ms)
    }

    pub fn new(kind: EventKind, product: Product, at_ms: f64) -> Self {
        Event {
            kind,
            product,
            at_ms,
            dwell_ms: None,
            quantity: None,
            module: None,
            slot: None,
        }
    }

    /// Units this event is about: its quantity, else one.
    pub fn units(&self) -> u32 {
        self.quantity.unwrap_or(1)
    }
}

impl EventInput {
    pub fn validate(self, at_ms: f64) -> Result<Event> {
        let product = self.product.validate().map_err(Error::InvalidEvent)?;
        let details = EventDetails {
            dwell_ms: self.dwell_ms,
            module: self.module,
            slot: self.slot,
        };
        event(self.kind, product, &details, self.quantity, at_ms)
    }

    /// Parses and validates an event from JSON text (the CLI and tests use this; the
    /// wasm boundary deserializes JS objects into [`EventInput`] directly).
    pub fn from_json(json: &str, at_ms: f64) -> Result<Event> {
        let input: EventInput =
            serde_json::from_str(json).map_err(|e| Error::InvalidEvent(e.to_string()))?;
        input.validate(at_ms)
    }
}

/// The optional fields of a `track` call besides its products and quantities.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct EventDetails {
    pub dwell_ms: Option<f64>,
    pub module: Option<String>,
    pub slot: Option<String>,
}

/// An event of a validated product: checks what the event adds (time, dwell, quantity,
/// where it was shown).
fn event(
    kind: EventKind,
    product: Product,
    details: &EventDetails,
    quantity: Option<f64>,
    at_ms: f64,
) -> Result<Event> {
    let at_ms = validate_time(at_ms)?;
    let invalid = |reason: &str| Error::InvalidEvent(reason.into());
    let dwell_ms = match details.dwell_ms {
        Some(_) if kind != EventKind::View => {
            return Err(invalid("dwellMs applies only to view events"))
        }
        Some(d) if !(d.is_finite() && (0.0..=MAX_DWELL_MS).contains(&d)) => {
            return Err(invalid(
                "dwellMs must be a number of milliseconds from 0 to 86400000",
            ))
        }
        dwell => dwell,
    };
    let counted = matches!(
        kind,
        EventKind::AddToCart | EventKind::RemoveFromCart | EventKind::Purchase
    );
    let quantity = match quantity {
        Some(_) if !counted => {
            return Err(invalid(
                "quantity applies only to add_to_cart, remove_from_cart and purchase events",
            ))
        }
        Some(q) => match whole_number(q, 1.0..=f64::from(MAX_QUANTITY)) {
            Some(q) => Some(q as u32),
            None => return Err(invalid("quantity must be a whole number from 1 to 10000")),
        },
        None => None,
    };
    let credited = matches!(
        kind,
        EventKind::Click | EventKind::AddToCart | EventKind::Purchase | EventKind::Impression
    );
    if (details.module.is_some() || details.slot.is_some()) && !credited {
        return Err(invalid(
            "module and slot apply only to click, add_to_cart, purchase and impression events",
        ));
    }
    let module = label("module", details.module.clone()).map_err(Error::InvalidEvent)?;
    let slot = label("slot", details.slot.clone()).map_err(Error::InvalidEvent)?;
    Ok(Event {
        dwell_ms,
        quantity,
        module,
        slot,
        ..Event::new(kind, product, at_ms)
    })
}

/// The events of one `track` call whose products are already valid (interned by a
/// catalog): one product, or the line items of one purchase. All or nothing.
pub fn validate_events(
    kind: EventKind,
    products: Vec<Product>,
    details: EventDetails,
    quantities: &[f64],
    at_ms: f64,
) -> Result<Vec<Event>> {
    events(kind, products, Ok, details, quantities, at_ms)
}

/// The events of a `track` call, each product made valid by `product` first; an item's
/// error names the item when there are several.
fn events<P>(
    kind: EventKind,
    products: Vec<P>,
    product: impl Fn(P) -> Result<Product>,
    details: EventDetails,
    quantities: &[f64],
    at_ms: f64,
) -> Result<Vec<Event>> {
    let items = check_items(kind, products.len(), quantities)?;
    products
        .into_iter()
        .enumerate()
        .map(|(i, p)| {
            product(p)
                .and_then(|p| event(kind, p, &details, quantities.get(i).copied(), at_ms))
                .map_err(|error| item_error(error, i, items))
        })
        .collect()
}

/// One product per event, or a purchase's line items with a quantity each or none.
fn check_items(kind: EventKind, items: usize, quantities: &[f64]) -> Result<usize> {
    if items == 0 || (items > 1 && kind != EventKind::Purchase) {
        return Err(Error::InvalidEvent(
            "an event needs one product; only a purchase takes several items".into(),
        ));
    }
    if !quantities.is_empty() && quantities.len() != items {
        return Err(Error::InvalidEvent(
            "give a quantity for every item or for none".into(),
        ));
    }
    Ok(items)
}

/// An item's error names the item when there are several.
fn item_error(error: Error, i: usize, items: usize) -> Error {
    match error {
        Error::InvalidEvent(reason) if items > 1 => {
            Error::InvalidEvent(["items[", &decimal(i as u64), "]: ", &reason].concat())
        }
        other => other,
    }
}

/// Validates the events of one `track` call: one product, or the line items of one
/// purchase (`quantities` empty or one per item). All or nothing: the error names the
/// first bad item.
pub fn validate_items(
    kind: EventKind,
    products: Vec<ProductInput>,
    details: EventDetails,
    quantities: &[f64],
    at_ms: f64,
) -> Result<Vec<Event>> {
    let valid = |p: ProductInput| p.validate().map_err(Error::InvalidEvent);
    events(kind, products, valid, details, quantities, at_ms)
}

/// Parses and validates a JSON array of products (the shop's list for `rank`). The
/// error names the index of the first bad product.
pub fn products_from_json(json: &str) -> Result<Vec<Product>> {
    struct ProductList(Vec<Product>);
    impl<'de> Deserialize<'de> for ProductList {
        fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
            struct ListVisitor;
            impl<'de> Visitor<'de> for ListVisitor {
                type Value = ProductList;
                fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                    f.write_str("an array of products")
                }
                fn visit_seq<A: de::SeqAccess<'de>>(
                    self,
                    mut seq: A,
                ) -> Result<ProductList, A::Error> {
                    let mut products = Vec::with_capacity(seq.size_hint().unwrap_or(0));
                    loop {
                        let index = products.len();
                        let at = |e: &dyn fmt::Display| {
                            de::Error::custom(format_args!("at index {index}: {e}"))
                        };
                        match seq.next_element::<ProductInput>().map_err(|e| at(&e))? {
                            Some(input) => products.push(input.validate().map_err(|e| at(&e))?),
                            None => return Ok(ProductList(products)),
                        }
                    }
                }
            }
            deserializer.deserialize_seq(ListVisitor)
        }
    }
    serde_json::from_str::<ProductList>(json)
        .map(|list| list.0)
        .map_err(|e| Error::InvalidProduct(e.to_string()))
}

/// A time in milliseconds since the Unix epoch must be finite and not negative.
pub fn validate_time(at_ms: f64) -> Result<f64> {
    if at_ms.is_finite() && at_ms >= 0.0 {
        Ok(at_ms)
    } else {
        Err(Error::InvalidArgument(
            "time must be a finite, non-negative number of milliseconds".into(),
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ErrorCode;

    fn parse(json: &str) -> Result<Event> {
        EventInput::from_json(json, 1_000.0)
    }

    #[test]
    fn limits_in_messages_match_the_constants() {
        let long = Some("x".repeat(MAX_LABEL_BYTES + 1));
        let message = label("brand", long).unwrap_err();
        assert!(message.contains(&MAX_LABEL_BYTES.to_string()), "{message}");
        let deep = "a/".repeat(MAX_CATEGORY_DEPTH) + "a";
        let message = category_path(&deep).unwrap_err();
        assert!(
            message.contains(&MAX_CATEGORY_DEPTH.to_string()),
            "{message}"
        );
    }

    #[test]
    fn accepts_string_and_integer_ids_as_the_same_product() {
        let a = parse(r#"{"type":"view","product":{"id":"42","category":"shoes"}}"#).unwrap();
        let b = parse(r#"{"type":"view","product":{"id":42,"category":"shoes"}}"#).unwrap();
        assert_eq!(a.product.id, "42");
        assert_eq!(a, b);
    }

    #[test]
    fn trims_labels_and_treats_empty_as_absent() {
        let e = parse(
            r#"{"type":"purchase","product":{"id":" 7 ","brand":"  ","category":" laptops "}}"#,
        )
        .unwrap();
        assert_eq!(e.product.id, "7");
        assert_eq!(e.product.brand, None);
        assert_eq!(e.product.category.as_deref(), Some("laptops"));
        assert_eq!(e.kind, EventKind::Purchase);
    }

    #[test]
    fn rejects_malformed_events_with_invalid_event() {
        let cases = [
            r#"{"type":"teleport","product":{"id":"1"}}"#,
            r#"{"type":"view","product":{"category":"shoes"}}"#,
            r#"{"type":"view","product":{"id":""}}"#,
            r#"{"type":"view","product":{"id":-3}}"#,
            r#"{"type":"view","product":{"id":1.5}}"#,
            r#"{"type":"view","product":{"id":"1","price":"cheap"}}"#,
            r#"{"type":"view","product":{"id":"1","price":-1}}"#,
            r#"{"type":"view","product":{"id":"1","category":7}}"#,
            r#"{"type":"view","product":{"id":"1","category":"a//b"}}"#,
            r#"{"type":"view","product":{"id":"1","category":"a/b/c/d/e"}}"#,
            r#"{"type":"view"}"#,
            r#"{"type":"view","product":{"id":"1"},"extra":true}"#,
            r#""view""#,
        ];
        for json in cases {
            let err = parse(json).expect_err(json);
            assert_eq!(err.code(), ErrorCode::InvalidEvent, "{json}: {err}");
        }
    }

    #[test]
    fn rejects_nan_and_infinite_prices() {
        for price in [f64::NAN, f64::INFINITY, MAX_PRICE * 2.0] {
            let input = ProductInput {
                id: ProductId("1".into()),
                price: Some(price),
                ..ProductInput::default()
            };
            assert!(input.validate().is_err(), "{price}");
        }
    }

    #[test]
    fn rejects_bad_times() {
        for t in [f64::NAN, -1.0, f64::INFINITY] {
            let err =
                EventInput::from_json(r#"{"type":"view","product":{"id":"1"}}"#, t).unwrap_err();
            assert_eq!(err.code(), ErrorCode::InvalidArgument);
        }
    }

    #[test]
    fn product_lists_name_the_bad_index() {
        let products =
            products_from_json(r#"[{"id":1,"category":"a"},{"id":"2","price":3}]"#).unwrap();
        assert_eq!(products[1], Product::new("2").with_price(3.0));
        for (json, needle) in [
            (r#"[{"id":1},{"id":2,"price":"NaN"}]"#, "at index 1"),
            (r#"[{"id":1},{"id":2},{"name":"x"}]"#, "at index 2"),
            (
                r#"[{"id":1,"category":"   ","brand":"\u0007"}]"#,
                "at index 0",
            ),
            (r#"{"id":1}"#, "an array of products"),
        ] {
            let err = products_from_json(json).unwrap_err();
            assert_eq!(err.code(), ErrorCode::InvalidProduct);
            assert!(err.to_string().contains(needle), "{json}: {err}");
        }
    }
}
