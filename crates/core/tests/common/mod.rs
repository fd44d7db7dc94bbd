//! Helpers shared by the native test files (`mod common;` in each); not every file
//! uses every helper.
#![allow(dead_code)]

use std::cell::RefCell;
use std::rc::Rc;

use shelfwise_core::profile::BRAND;

/// One storage shared by several engines, as tabs of one origin share localStorage.
pub type Shared = Rc<RefCell<MemoryStore>>;

/// The `shelfwise:` keys in the storage.
pub fn shelfwise_keys(store: &Shared) -> Vec<String> {
    store
        .borrow()
        .entries
        .keys()
        .filter(|k| k.starts_with("shelfwise:"))
        .cloned()
        .collect()
}

use shelfwise_core::{
    candidates, ConsentPolicy, Engine, Event, EventKind, MemoryStore, Product, RankOptions,
};

pub const T0: f64 = 1_700_000_000_000.0;

pub const MINUTE: f64 = 60_000.0;

/// A small mixed catalogue in the shop's order.
pub fn catalogue() -> Vec<Product> {
    let rows = [
        ("1", "smartphones", "Apple", 999.0),
        ("2", "laptops", "Dell", 1299.0),
        ("3", "beauty", "Essence", 9.99),
        ("4", "groceries", "", 2.49),
        ("5", "laptops", "Apple", 1999.0),
        ("6", "fragrances", "Dior", 89.0),
        ("7", "smartphones", "Samsung", 699.0),
        ("8", "laptops", "Lenovo", 849.0),
    ];
    rows.iter()
        .map(|(id, category, brand, price)| {
            let product = Product::new(*id)
                .with_category(*category)
                .with_price(*price);
            if brand.is_empty() {
                product
            } else {
                product.with_brand(*brand)
            }
        })
        .collect()
}

/// `products` as the browser ranks them: rows of ids interned into `catalog`, with no
/// shop score or rule.
pub fn plain_rows(
    products: &[Product],
    catalog: &mut shelfwise_core::catalog::Catalog,
    extras: &mut Vec<u32>,
) -> Vec<shelfwise_core::rank::Row> {
    products
        .iter()
        .map(|product| shelfwise_core::rank::Row {
            record: catalog.record(product, extras),
            base: None,
            boost: 1.0,
            pin: None,
            in_stock: true,
            consumable: false,
        })
        .collect()
}

pub fn view(product: &Product, at: f64) -> Event {
    Event::new(EventKind::View, product.clone(), at)
}

pub fn order(engine: &Engine<MemoryStore>, products: &[Product], strength: f64) -> Vec<String> {
    engine
        .rank(
            &candidates(products),
            &RankOptions::with_strength(strength),
            T0 + 10.0 * MINUTE,
        )
        .unwrap()
        .into_iter()
        .map(|r| products[r.index].id.clone())
        .collect()
}

pub fn shop_order(products: &[Product]) -> Vec<String> {
    products.iter().map(|p| p.id.clone()).collect()
}

pub fn tab(store: &Shared, id: &str) -> Engine<Shared> {
    Engine::with_policy(
        "shop",
        id,
        store.clone(),
        Default::default(),
        ConsentPolicy::default(),
    )
    .unwrap()
}

/// Tab `a` grants; tab `b`, opened after, follows the stored grant.
pub fn two_granted_tabs(store: &Shared) -> (Engine<Shared>, Engine<Shared>) {
    let mut a = tab(store, "a");
    a.grant_consent(true, false, T0).unwrap();
    let b = tab(store, "b");
    assert_eq!(b.consent().personalization.as_str(), "granted");
    (a, b)
}

pub fn with_policy(policy: ConsentPolicy) -> Engine<MemoryStore> {
    Engine::with_policy(
        "shop",
        "main",
        MemoryStore::new(),
        Default::default(),
        policy,
    )
    .unwrap()
}

pub fn granted(store: MemoryStore) -> Engine<MemoryStore> {
    let mut engine = Engine::open("shop", store).unwrap();
    engine.grant_consent(true, false, T0).unwrap();
    engine
}

pub fn knows_brand(profile: &shelfwise_core::Profile, brand: &str) -> bool {
    profile
        .taste
        .get(BRAND)
        .and_then(|v| v.get(brand))
        .is_some()
}

/// An export file of `profile` as the core writes one (format, version, checksum, payload).
pub fn export_file_of(profile: &shelfwise_core::Profile) -> shelfwise_core::export::ImportFile {
    let bytes = shelfwise_core::codec::to_bytes(profile);
    shelfwise_core::export::ImportFile {
        format: Some("shelfwise-export".into()),
        version: Some(3.0),
        checksum: Some(
            [
                "fnv1a64:",
                &shelfwise_core::json::hex16(shelfwise_core::store::fnv1a64(&bytes)),
            ]
            .concat(),
        ),
        payload: Some(shelfwise_core::base64url::encode(&bytes)),
    }
}

/// The import fields of an export's JSON, as the JS face reads them.
pub fn import_file(json: &str) -> shelfwise_core::export::ImportFile {
    let value: serde_json::Value = serde_json::from_str(json).unwrap_or_default();
    let text = |key: &str| value.get(key).and_then(|v| v.as_str()).map(str::to_owned);
    shelfwise_core::export::ImportFile {
        format: text("format"),
        version: value.get("version").and_then(|v| v.as_f64()),
        checksum: text("checksum"),
        payload: text("payload"),
    }
}

/// Strategies for the property tests (native only: proptest has no wasm32 randomness).
#[cfg(not(target_arch = "wasm32"))]
mod strategies {
    use super::*;
    use proptest::prelude::*;

    /// Products drawn from a few categories, brands and facets, so that histories overlap.
    pub fn arb_product() -> impl Strategy<Value = Product> {
        (
            "[a-z0-9]{1,6}",
            proptest::option::of(prop::sample::select(vec![
                "laptops", "shoes", "beauty", "tops",
            ])),
            proptest::option::of(prop::sample::select(vec!["Apple", "Nike", "Dior"])),
            proptest::option::of(0.0..5000.0f64),
            prop::sample::subsequence(
                vec![
                    ("tag", "vegan"),
                    ("tag", "sale"),
                    ("tag", "new"),
                    ("colour", "black"),
                    ("colour", "red"),
                    ("size", "M"),
                    ("size", "42"),
                    ("style", "minimal"),
                    ("material", "wool"),
                ],
                0..4,
            ),
        )
            .prop_map(|(id, category, brand, price, facets)| Product {
                id,
                category: category.map(str::to_owned),
                brand: brand.map(str::to_owned),
                price,
                currency: Some("EUR".to_owned()),
                facets: facets
                    .into_iter()
                    .map(|(f, v)| (f.to_owned(), v.to_owned()))
                    .collect(),
            })
    }

    pub fn arb_kind() -> impl Strategy<Value = EventKind> {
        prop::sample::select(vec![
            EventKind::View,
            EventKind::AddToCart,
            EventKind::Purchase,
        ])
    }
}
#[cfg(not(target_arch = "wasm32"))]
#[allow(unused_imports)]
pub use strategies::*;
