//! Shopper events and the product attributes they carry, validated once at the edge.
//!
//! [`EventInput`] is what callers send (one flat object, deserialized from JSON); the
//! validated [`Event`] is what the rest of the core trusts. A validated event converts
//! back into its input form, which is how it is written to the per-tab journal.

use std::fmt;

use serde::de::{self, Deserializer, MapAccess, SeqAccess, Visitor};
use serde::{Deserialize, Serialize};

use super::error::{Error, Result};
use super::names::string_enum;

/// Longest id, category, brand, tag, query or facet value accepted, in bytes.
pub const MAX_LABEL_BYTES: usize = 128;
/// Highest accepted price: above this it is a unit mistake, not a product.
pub const MAX_PRICE: f64 = 1e9;
/// Deepest category path accepted (`a/b/c/d`).
pub const MAX_CATEGORY_DEPTH: usize = 4;
/// Tags and shop facets per product.
pub const MAX_TAGS: usize = 16;
pub const MAX_FACETS: usize = 8;
/// Line items per purchase and units per line.
pub const MAX_LINE_ITEMS: usize = 100;
pub const MAX_QUANTITY: u32 = 10_000;
/// Facet names the profile uses itself; shop facets may not take them.
pub const RESERVED_FACETS: [&str; 6] = ["category", "brand", "price_band", "tag", "color", "size"];
/// Largest integer id accepted (JavaScript's `Number.MAX_SAFE_INTEGER`).
const MAX_SAFE_INTEGER: f64 = 9_007_199_254_740_991.0;

string_enum! {
    /// What the shopper did, named in snake_case as JS callers write it.
    pub enum EventKind {
        View = "view",
        Click = "click",
        AddToCart = "add_to_cart",
        RemoveFromCart = "remove_from_cart",
        Purchase = "purchase",
        Wishlist = "wishlist",
        Search = "search",
        Preference = "preference",
        NotInterested = "not_interested",
    }
}

/// A product id as sent: a non-empty string or a non-negative integer (`42` and `"42"`
/// are the same product).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(transparent)]
pub struct ProductId(pub String);

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
                if v.is_finite() && v.fract() == 0.0 && (0.0..=MAX_SAFE_INTEGER).contains(&v) {
                    Ok(ProductId((v as u64).to_string()))
                } else {
                    Err(E::custom(
                        "numeric product id must be a non-negative safe integer",
                    ))
                }
            }
        }
        deserializer.deserialize_any(IdVisitor)
    }
}

/// `{ name: value }` pairs in the order given (shop facets such as `{ style: "minimal" }`).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Pairs(pub Vec<(String, String)>);

impl<'de> Deserialize<'de> for Pairs {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct PairsVisitor;
        impl<'de> Visitor<'de> for PairsVisitor {
            type Value = Pairs;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("an object of facet names to string values")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Pairs, A::Error> {
                let mut pairs = Vec::new();
                while let Some((name, value)) = map.next_entry::<String, String>()? {
                    if pairs.len() == MAX_FACETS {
                        return Err(de::Error::custom(format_args!(
                            "at most {MAX_FACETS} shop facets per product"
                        )));
                    }
                    pairs.push((name, value));
                }
                Ok(Pairs(pairs))
            }
        }
        deserializer.deserialize_map(PairsVisitor)
    }
}

impl Serialize for Pairs {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let mut map = serializer.serialize_map(Some(self.0.len()))?;
        for (name, value) in &self.0 {
            map.serialize_entry(name, value)?;
        }
        map.end()
    }
}

/// Variant attributes of a product.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct VariantInput {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub size: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub color: Option<String>,
}

/// Product attributes as a caller sends them; unknown fields (title, image...) are ignored.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ProductInput {
    pub id: ProductId,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub category: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub brand: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub price: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub currency: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tags: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub variant: Option<VariantInput>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub facets: Option<Pairs>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub consumable: Option<bool>,
}

/// A validated product.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Product {
    pub id: String,
    /// Hierarchical path, `/`-separated, e.g. `shoes/running`.
    pub category: Option<String>,
    pub brand: Option<String>,
    pub price: Option<f64>,
    /// ISO 4217 code, upper case.
    pub currency: Option<String>,
    pub tags: Vec<String>,
    pub size: Option<String>,
    pub color: Option<String>,
    /// Shop-defined facets, `(name, value)`; names are `[a-z0-9_]`, 1 to 32 bytes.
    pub facets: Vec<(String, String)>,
    /// Used up and bought again (coffee, razors), as opposed to durable goods.
    pub consumable: bool,
}

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

    /// The category path from the top: `shoes/running` gives `shoes`, `shoes/running`.
    pub fn category_path(&self) -> impl Iterator<Item = &str> {
        let category = self.category.as_deref().unwrap_or("");
        category
            .match_indices('/')
            .map(move |(i, _)| &category[..i])
            .chain(self.category.as_deref())
    }

    fn to_input(&self) -> ProductInput {
        let variant = (self.size.is_some() || self.color.is_some()).then(|| VariantInput {
            size: self.size.clone(),
            color: self.color.clone(),
        });
        ProductInput {
            id: ProductId(self.id.clone()),
            category: self.category.clone(),
            brand: self.brand.clone(),
            price: self.price,
            currency: self.currency.clone(),
            tags: self.tags.clone(),
            variant,
            facets: (!self.facets.is_empty()).then(|| Pairs(self.facets.clone())),
            consumable: self.consumable.then_some(true),
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
        let price = match self.price {
            None => None,
            Some(p) if p.is_finite() && (0.0..=MAX_PRICE).contains(&p) => Some(p),
            Some(_) => {
                return Err(format!(
                    "price must be a finite number from 0 to {}",
                    MAX_PRICE as u64
                ))
            }
        };
        let currency = match self.currency {
            Some(c) if c.len() == 3 && c.bytes().all(|b| b.is_ascii_alphabetic()) => {
                Some(c.to_ascii_uppercase())
            }
            Some(_) => return Err("currency must be a three-letter ISO 4217 code".into()),
            None => None,
        };
        if self.tags.len() > MAX_TAGS {
            return Err(format!("at most {MAX_TAGS} tags per product"));
        }
        let mut tags = Vec::with_capacity(self.tags.len());
        for tag in self.tags {
            if let Some(tag) = label("tag", Some(tag))? {
                if !tags.contains(&tag) {
                    tags.push(tag);
                }
            }
        }
        let variant = self.variant.unwrap_or_default();
        let mut facets = Vec::new();
        for (name, value) in self.facets.unwrap_or_default().0 {
            let name = facet_name(&name)?;
            if RESERVED_FACETS.contains(&name.as_str()) {
                return Err(format!(
                    "shop facet \"{name}\" clashes with a built-in facet"
                ));
            }
            if let Some(value) = label("facet value", Some(value))? {
                facets.push((name, value));
            }
        }
        Ok(Product {
            id,
            category,
            brand: label("brand", self.brand)?,
            price,
            currency,
            tags,
            size: label("size", variant.size)?,
            color: label("color", variant.color)?,
            facets,
            consumable: self.consumable.unwrap_or(false),
        })
    }
}

/// Trims a text attribute; empty means absent.
pub fn label(field: &str, value: Option<String>) -> Result<Option<String>, String> {
    let Some(value) = value else { return Ok(None) };
    let trimmed = value.trim();
    if trimmed.len() > MAX_LABEL_BYTES {
        return Err(format!("{field} is longer than {MAX_LABEL_BYTES} bytes"));
    }
    if trimmed.chars().any(char::is_control) {
        return Err(format!("{field} contains control characters"));
    }
    Ok((!trimmed.is_empty()).then(|| trimmed.to_owned()))
}

/// Normalises `" Shoes / Running "` to `"Shoes/Running"`; at most four levels.
fn category_path(category: &str) -> Result<String, String> {
    let parts: Vec<&str> = category.split('/').map(str::trim).collect();
    if parts.iter().any(|p| p.is_empty()) {
        return Err("category path has an empty level".into());
    }
    if parts.len() > MAX_CATEGORY_DEPTH {
        return Err(format!(
            "category path is deeper than {MAX_CATEGORY_DEPTH} levels"
        ));
    }
    Ok(parts.join("/"))
}

/// A facet name: 1 to 32 of `a-z 0-9 _`.
pub fn facet_name(name: &str) -> Result<String, String> {
    let ok = (1..=32).contains(&name.len())
        && name
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_');
    if ok {
        Ok(name.to_owned())
    } else {
        Err(format!(
            "facet name \"{name}\" must be 1 to 32 of a-z, 0-9 and _"
        ))
    }
}

/// One line of a purchase.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LineItemInput {
    pub product: ProductInput,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub quantity: Option<u32>,
    /// Unit price paid; defaults to the product's price.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub price: Option<f64>,
}

/// An event as a caller sends it: one flat object whose `type` says which fields apply.
/// See the README for the fields of each type.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct EventInput {
    #[serde(rename = "type")]
    pub kind: EventKind,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub product: Option<ProductInput>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub items: Option<Vec<LineItemInput>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub quantity: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dwell_ms: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub module: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub slot: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub order_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub query: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub result_count: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub facet: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub weight: Option<f64>,
}

/// A validated purchase line.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LineItem {
    pub product: Product,
    pub quantity: u32,
    /// Unit price paid, when known.
    pub price: Option<f64>,
}

/// What a `not_interested` event points at.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Dismissal {
    Product(Product),
    Facet { facet: String, value: String },
}

/// The validated content of an event.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum EventData {
    /// view, click, add_to_cart, remove_from_cart, wishlist.
    Product {
        product: Product,
        quantity: u32,
        dwell_ms: Option<f64>,
        module: Option<String>,
        slot: Option<String>,
    },
    Purchase {
        items: Vec<LineItem>,
        order_id: Option<String>,
    },
    Search {
        query: String,
        result_count: Option<u32>,
    },
    /// A stated (zero-party) preference, weight in `[-1, 1]` (negative: dislike).
    Preference {
        facet: String,
        value: String,
        weight: f64,
    },
    NotInterested(Dismissal),
}

/// A validated event, stamped with the time it happened. Journals store it as is
/// (postcard), and re-validate it when reading another tab's journal.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Event {
    pub kind: EventKind,
    pub at_ms: f64,
    pub data: EventData,
}

impl Event {
    /// A product event (view, click, add_to_cart, remove_from_cart, wishlist) with
    /// quantity 1; a purchase of one unit for `Purchase`.
    pub fn new(kind: EventKind, product: Product, at_ms: f64) -> Self {
        let data = match kind {
            EventKind::Purchase => EventData::Purchase {
                items: vec![LineItem {
                    price: product.price,
                    product,
                    quantity: 1,
                }],
                order_id: None,
            },
            EventKind::NotInterested => EventData::NotInterested(Dismissal::Product(product)),
            _ => EventData::Product {
                product,
                quantity: 1,
                dwell_ms: None,
                module: None,
                slot: None,
            },
        };
        Event { kind, at_ms, data }
    }

    /// The products this event is about.
    pub fn products(&self) -> Vec<&Product> {
        match &self.data {
            EventData::Product { product, .. } => vec![product],
            EventData::Purchase { items, .. } => items.iter().map(|i| &i.product).collect(),
            EventData::NotInterested(Dismissal::Product(product)) => vec![product],
            _ => Vec::new(),
        }
    }

    /// The input form of this event (what the journal stores).
    pub fn to_input(&self) -> EventInput {
        let mut input = EventInput::empty(self.kind);
        match &self.data {
            EventData::Product {
                product,
                quantity,
                dwell_ms,
                module,
                slot,
            } => {
                input.product = Some(product.to_input());
                input.quantity = (*quantity != 1).then_some(*quantity);
                input.dwell_ms = *dwell_ms;
                input.module.clone_from(module);
                input.slot.clone_from(slot);
            }
            EventData::Purchase { items, order_id } => {
                input.items = Some(
                    items
                        .iter()
                        .map(|item| LineItemInput {
                            product: item.product.to_input(),
                            quantity: Some(item.quantity),
                            price: item.price,
                        })
                        .collect(),
                );
                input.order_id.clone_from(order_id);
            }
            EventData::Search {
                query,
                result_count,
            } => {
                input.query = Some(query.clone());
                input.result_count = *result_count;
            }
            EventData::Preference {
                facet,
                value,
                weight,
            } => {
                input.facet = Some(facet.clone());
                input.value = Some(value.clone());
                input.weight = Some(*weight);
            }
            EventData::NotInterested(Dismissal::Product(product)) => {
                input.product = Some(product.to_input());
            }
            EventData::NotInterested(Dismissal::Facet { facet, value }) => {
                input.facet = Some(facet.clone());
                input.value = Some(value.clone());
            }
        }
        input
    }
}

fn quantity(value: Option<u32>) -> Result<u32, String> {
    match value.unwrap_or(1) {
        q @ 1..=MAX_QUANTITY => Ok(q),
        _ => Err(format!("quantity must be 1 to {MAX_QUANTITY}")),
    }
}

fn require<T>(value: Option<T>, what: &str) -> Result<T, String> {
    value.ok_or_else(|| format!("missing {what}"))
}

impl EventInput {
    fn empty(kind: EventKind) -> Self {
        EventInput {
            kind,
            product: None,
            items: None,
            quantity: None,
            dwell_ms: None,
            module: None,
            slot: None,
            order_id: None,
            query: None,
            result_count: None,
            facet: None,
            value: None,
            weight: None,
        }
    }

    /// Names the first field that does not belong to this event type.
    fn check_fields(&self) -> Result<(), String> {
        use EventKind::*;
        let present = [
            (
                "product",
                self.product.is_some(),
                &[
                    View,
                    Click,
                    AddToCart,
                    RemoveFromCart,
                    Wishlist,
                    Purchase,
                    NotInterested,
                ][..],
            ),
            ("items", self.items.is_some(), &[Purchase][..]),
            (
                "quantity",
                self.quantity.is_some(),
                &[AddToCart, RemoveFromCart][..],
            ),
            ("dwellMs", self.dwell_ms.is_some(), &[View][..]),
            ("module", self.module.is_some(), &[View, Click][..]),
            ("slot", self.slot.is_some(), &[View, Click][..]),
            ("orderId", self.order_id.is_some(), &[Purchase][..]),
            ("query", self.query.is_some(), &[Search][..]),
            ("resultCount", self.result_count.is_some(), &[Search][..]),
            (
                "facet",
                self.facet.is_some(),
                &[Preference, NotInterested][..],
            ),
            (
                "value",
                self.value.is_some(),
                &[Preference, NotInterested][..],
            ),
            ("weight", self.weight.is_some(), &[Preference][..]),
        ];
        match present
            .iter()
            .find(|(_, set, allowed)| *set && !allowed.contains(&self.kind))
        {
            Some((field, _, _)) => Err(format!(
                "field \"{field}\" does not belong to a \"{}\" event",
                self.kind.as_str()
            )),
            None => Ok(()),
        }
    }

    fn into_data(self) -> Result<EventData, String> {
        self.check_fields()?;
        let product =
            |p: Option<ProductInput>| require(p, "product").and_then(ProductInput::validate);
        Ok(match self.kind {
            EventKind::View
            | EventKind::Click
            | EventKind::AddToCart
            | EventKind::RemoveFromCart
            | EventKind::Wishlist => {
                let dwell_ms = match self.dwell_ms {
                    Some(d) if !(d.is_finite() && d >= 0.0) => {
                        return Err("dwellMs must be a non-negative number".into())
                    }
                    d => d,
                };
                EventData::Product {
                    product: product(self.product)?,
                    quantity: quantity(self.quantity)?,
                    dwell_ms,
                    module: label("module", self.module)?,
                    slot: label("slot", self.slot)?,
                }
            }
            EventKind::Purchase => {
                let items = match (self.product, self.items) {
                    (Some(p), None) => vec![LineItemInput {
                        product: p,
                        quantity: None,
                        price: None,
                    }],
                    (None, Some(items)) if !items.is_empty() => items,
                    (None, Some(_)) => return Err("items must not be empty".into()),
                    (Some(_), Some(_)) => {
                        return Err("give either product or items, not both".into())
                    }
                    (None, None) => return Err("missing items".into()),
                };
                if items.len() > MAX_LINE_ITEMS {
                    return Err(format!("at most {MAX_LINE_ITEMS} line items"));
                }
                let mut lines = Vec::with_capacity(items.len());
                for (i, item) in items.into_iter().enumerate() {
                    let at = |e: String| format!("item {i}: {e}");
                    let product = item.product.validate().map_err(at)?;
                    let price = match item.price {
                        Some(p) if p.is_finite() && (0.0..=MAX_PRICE).contains(&p) => Some(p),
                        Some(_) => {
                            return Err(at("price must be a finite number from 0 to 1e9".into()))
                        }
                        None => product.price,
                    };
                    lines.push(LineItem {
                        quantity: quantity(item.quantity).map_err(at)?,
                        price,
                        product,
                    });
                }
                EventData::Purchase {
                    items: lines,
                    order_id: label("orderId", self.order_id)?,
                }
            }
            EventKind::Search => EventData::Search {
                query: require(label("query", self.query)?, "query")?,
                result_count: self.result_count,
            },
            EventKind::Preference => {
                let weight = self.weight.unwrap_or(1.0);
                if !(weight.is_finite() && (-1.0..=1.0).contains(&weight)) {
                    return Err("weight must be a number from -1 to 1".into());
                }
                EventData::Preference {
                    facet: facet_name(&require(self.facet, "facet")?)?,
                    value: require(label("value", self.value)?, "value")?,
                    weight,
                }
            }
            EventKind::NotInterested => match (self.product, self.facet, self.value) {
                (Some(p), None, None) => {
                    EventData::NotInterested(Dismissal::Product(p.validate()?))
                }
                (None, Some(facet), Some(value)) => EventData::NotInterested(Dismissal::Facet {
                    facet: facet_name(&facet)?,
                    value: require(label("value", Some(value))?, "value")?,
                }),
                _ => return Err("give either product, or facet and value".into()),
            },
        })
    }

    pub fn validate(self, at_ms: f64) -> Result<Event> {
        let at_ms = validate_time(at_ms)?;
        let kind = self.kind;
        let data = self.into_data().map_err(Error::InvalidEvent)?;
        Ok(Event { kind, at_ms, data })
    }

    /// Parses and validates an event from JSON text (the boundary, the CLI and the
    /// journal all use this one parser).
    pub fn from_json(json: &str, at_ms: f64) -> Result<Event> {
        let input: EventInput =
            serde_json::from_str(json).map_err(|e| Error::InvalidEvent(e.to_string()))?;
        input.validate(at_ms)
    }
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
                fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<ProductList, A::Error> {
                    let mut products =
                        Vec::with_capacity(seq.size_hint().unwrap_or(0).min(100_000));
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

/// A time in milliseconds since the Unix epoch must be finite and not negative; it is
/// kept to the whole millisecond.
pub fn validate_time(at_ms: f64) -> Result<f64> {
    if at_ms.is_finite() && at_ms >= 0.0 {
        Ok(at_ms.round())
    } else {
        Err(Error::InvalidArgument(
            "time must be a finite, non-negative number of milliseconds".into(),
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::ErrorCode;

    fn parse(json: &str) -> Result<Event> {
        EventInput::from_json(json, 1_000.0)
    }

    fn product_of(event: &Event) -> &Product {
        event.products()[0]
    }

    #[test]
    fn accepts_string_and_integer_ids_as_the_same_product() {
        let a = parse(r#"{"type":"view","product":{"id":"42","category":"shoes"}}"#).unwrap();
        let b = parse(r#"{"type":"view","product":{"id":42,"category":"shoes"}}"#).unwrap();
        assert_eq!(product_of(&a).id, "42");
        assert_eq!(a, b);
    }

    #[test]
    fn normalises_labels_categories_and_currency() {
        let e = parse(
            r#"{"type":"add_to_cart","quantity":2,"product":{"id":" 7 ","brand":"  ","category":" Shoes / Running ",
                "currency":"eur","tags":["trail","trail"," "],"variant":{"size":"42","color":"red"},
                "facets":{"style":"minimal"},"consumable":true}}"#,
        )
        .unwrap();
        let p = product_of(&e);
        assert_eq!(p.id, "7");
        assert_eq!(p.brand, None);
        assert_eq!(p.category.as_deref(), Some("Shoes/Running"));
        assert_eq!(
            p.category_path().collect::<Vec<_>>(),
            ["Shoes", "Shoes/Running"]
        );
        assert_eq!(p.currency.as_deref(), Some("EUR"));
        assert_eq!(p.tags, ["trail"]);
        assert_eq!(
            (p.size.as_deref(), p.color.as_deref()),
            (Some("42"), Some("red"))
        );
        assert_eq!(p.facets, [("style".to_owned(), "minimal".to_owned())]);
        assert!(p.consumable);
        assert!(matches!(e.data, EventData::Product { quantity: 2, .. }));
    }

    #[test]
    fn every_event_type_parses() {
        for json in [
            r#"{"type":"view","product":{"id":1},"dwellMs":4200,"module":"grid","slot":"3"}"#,
            r#"{"type":"click","product":{"id":1},"module":"similar"}"#,
            r#"{"type":"remove_from_cart","product":{"id":1}}"#,
            r#"{"type":"purchase","items":[{"product":{"id":1,"price":5},"quantity":2},{"product":{"id":2},"price":3}],"orderId":"A-1"}"#,
            r#"{"type":"purchase","product":{"id":1}}"#,
            r#"{"type":"wishlist","product":{"id":1}}"#,
            r#"{"type":"search","query":"running shoes","resultCount":12}"#,
            r#"{"type":"preference","facet":"style","value":"minimal","weight":0.8}"#,
            r#"{"type":"not_interested","product":{"id":1}}"#,
            r#"{"type":"not_interested","facet":"brand","value":"Acme"}"#,
        ] {
            let event = parse(json).unwrap_or_else(|e| panic!("{json}: {e}"));
            // The journal form parses back to the same event.
            let again = serde_json::to_string(&event.to_input()).unwrap();
            assert_eq!(
                EventInput::from_json(&again, 1_000.0).unwrap(),
                event,
                "{again}"
            );
        }
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
            r#"{"type":"view","product":{"id":"1","currency":"euro"}}"#,
            r#"{"type":"view","product":{"id":"1","facets":{"Style":"x"}}}"#,
            r#"{"type":"view","product":{"id":"1","facets":{"brand":"x"}}}"#,
            r#"{"type":"view","product":{"id":"1","variant":{"width":3}}}"#,
            r#"{"type":"view"}"#,
            r#"{"type":"view","product":{"id":"1"},"extra":true}"#,
            r#"{"type":"view","product":{"id":"1"},"query":"x"}"#,
            r#"{"type":"view","product":{"id":"1"},"dwellMs":-5}"#,
            r#"{"type":"add_to_cart","product":{"id":"1"},"quantity":0}"#,
            r#"{"type":"purchase","items":[]}"#,
            r#"{"type":"purchase","items":[{"product":{"id":1},"price":"NaN"}]}"#,
            r#"{"type":"search"}"#,
            r#"{"type":"search","query":"  "}"#,
            r#"{"type":"preference","facet":"style","value":"x","weight":3}"#,
            r#"{"type":"not_interested","facet":"brand"}"#,
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
                price: Some(price),
                ..Product::new("1").to_input()
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
