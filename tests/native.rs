//! Native tests of the core through its public API: consent gating, persistence,
//! ranking guarantees and input validation.
#![cfg(not(target_arch = "wasm32"))]

use proptest::prelude::*;
use shelfwise::core::{
    rank, Engine, ErrorCode, Event, EventInput, EventKind, MemoryStore, Product, RankOptions,
    StorageMode,
};

const T0: f64 = 1_700_000_000_000.0;
const MINUTE: f64 = 60_000.0;

/// A small mixed catalogue in the shop's order.
fn catalogue() -> Vec<Product> {
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

fn view(product: &Product, at: f64) -> Event {
    Event::new(EventKind::View, product.clone(), at)
}

fn order(engine: &Engine<MemoryStore>, products: &[Product], strength: f64) -> Vec<String> {
    engine
        .rank(
            products,
            &RankOptions::with_strength(strength),
            T0 + 10.0 * MINUTE,
        )
        .unwrap()
        .into_iter()
        .map(|r| r.id)
        .collect()
}

fn shop_order(products: &[Product]) -> Vec<String> {
    products.iter().map(|p| p.id.clone()).collect()
}

#[test]
fn nothing_is_learned_or_written_before_consent() {
    let products = catalogue();
    let mut engine = Engine::open("shop", MemoryStore::new()).unwrap();
    assert_eq!(engine.consent().as_str(), "unknown");
    for p in &products {
        assert!(
            !engine.track(&view(p, T0)),
            "track without consent must not record"
        );
    }
    assert_eq!(engine.store().writes, 0);
    assert!(engine.store().entries.is_empty());
    assert!(engine.profile().is_empty());
    assert_eq!(order(&engine, &products, 1.0), shop_order(&products));
}

#[test]
fn profile_survives_reopening_and_moves_the_viewed_category_up() {
    let products = catalogue();
    let mut engine = Engine::open("shop", MemoryStore::new()).unwrap();
    engine.grant_consent(T0).unwrap();
    for (i, id) in ["2", "5", "8"].iter().enumerate() {
        let laptop = products.iter().find(|p| p.id == *id).unwrap();
        assert!(engine.track(&view(laptop, T0 + i as f64 * MINUTE)));
    }
    let store = engine.store().clone();
    assert_eq!(
        store.entries.keys().collect::<Vec<_>>(),
        ["shelfwise:shop:v1"]
    );

    let reopened = Engine::open("shop", store).unwrap();
    assert_eq!(reopened.consent().as_str(), "granted");
    assert_eq!(reopened.profile(), engine.profile());
    let shop = shop_order(&products);
    let ranked = order(&reopened, &products, 0.5);
    let position = |list: &[String], id: &str| list.iter().position(|x| x == id).unwrap();
    for laptop in ["5", "8"] {
        assert!(
            position(&ranked, laptop) < position(&shop, laptop),
            "laptop {laptop} moved up: {ranked:?}"
        );
    }
    assert_eq!(ranked[0], "2", "the shop's first laptop leads");
    let full = order(&reopened, &products, 1.0);
    assert_eq!(
        &full[..3],
        ["5", "2", "8"],
        "at full strength laptops lead: {full:?}"
    );
}

#[test]
fn withdrawal_erases_every_shelfwise_key_and_only_those() {
    let products = catalogue();
    let mut store = MemoryStore::new();
    store
        .entries
        .insert("shelfwise:other:v1".into(), "{}".into());
    store
        .entries
        .insert("shelfwise:shop:v0".into(), "old".into());
    store.entries.insert("cart".into(), "[1,2]".into());
    let mut engine = Engine::open("shop", store).unwrap();
    engine.grant_consent(T0).unwrap();
    engine.track(&view(&products[0], T0));
    engine.withdraw_consent(T0 + MINUTE).unwrap();

    assert_eq!(engine.consent().as_str(), "denied");
    assert!(engine.profile().is_empty());
    let keys: Vec<&String> = engine.store().entries.keys().collect();
    assert_eq!(
        keys,
        ["cart"],
        "the shop's own keys stay, all Shelfwise keys go"
    );
    assert!(!engine.track(&view(&products[0], T0 + 2.0 * MINUTE)));
    assert_eq!(engine.store().entries.len(), 1);
}

#[test]
fn another_tabs_withdrawal_is_not_undone_by_tracking() {
    let products = catalogue();
    let mut engine = Engine::open("shop", MemoryStore::new()).unwrap();
    engine.grant_consent(T0).unwrap();
    engine.track(&view(&products[0], T0));
    // Another tab withdrew: the record is gone from the shared storage.
    engine.store_mut().entries.clear();
    assert!(!engine.track(&view(&products[1], T0 + MINUTE)));
    assert!(engine.store().entries.is_empty());
    assert_eq!(engine.consent().as_str(), "unknown");
}

#[test]
fn corrupted_storage_opens_empty_and_is_replaced_on_grant() {
    let mut store = MemoryStore::new();
    store
        .entries
        .insert("shelfwise:shop:v1".into(), "{\"v\":1,\"c\":".into());
    let mut engine = Engine::open("shop", store).unwrap();
    assert_eq!(engine.consent().as_str(), "unknown");
    assert!(engine.storage_error().is_some());
    engine.grant_consent(T0).unwrap();
    assert_eq!(engine.storage_mode(), StorageMode::Persistent);
    let reopened = Engine::open("shop", engine.store().clone()).unwrap();
    assert_eq!(reopened.consent().as_str(), "granted");
}

#[test]
fn full_storage_degrades_to_memory_without_losing_events() {
    let products = catalogue();
    let mut engine = Engine::open("shop", MemoryStore::new()).unwrap();
    engine.grant_consent(T0).unwrap();
    engine.store_mut().full = true;
    assert!(engine.track(&view(&products[1], T0)));
    assert!(engine.track(&view(&products[4], T0)));
    assert_eq!(engine.storage_mode(), StorageMode::Memory);
    assert_eq!(engine.profile().events, 2, "events are kept in memory");
    // Space frees up: the next write carries everything learned meanwhile.
    engine.store_mut().full = false;
    assert!(engine.track(&view(&products[7], T0)));
    assert_eq!(engine.storage_mode(), StorageMode::Persistent);
    let reopened = Engine::open("shop", engine.store().clone()).unwrap();
    assert_eq!(reopened.profile().events, 3);
}

#[test]
fn invalid_events_are_rejected_with_their_code_and_change_nothing() {
    let mut engine = Engine::open("shop", MemoryStore::new()).unwrap();
    engine.grant_consent(T0).unwrap();
    let good = EventInput::from_json(
        r#"{"type":"add_to_cart","product":{"id":"9","category":"laptops","price":10}}"#,
        T0,
    )
    .unwrap();
    engine.track(&good);
    let before = engine.profile().clone();
    let writes = engine.store().writes;
    for bad in [
        r#"{"type":"like","product":{"id":"1"}}"#,
        r#"{"type":"view","product":{"brand":"Apple"}}"#,
        r#"{"type":"view","product":{"id":"1","price":"NaN"}}"#,
        r#"{"type":"view","product":{"id":true}}"#,
        r#"{"type":"view","product":[]}"#,
    ] {
        let err = EventInput::from_json(bad, T0).unwrap_err();
        assert_eq!(err.code(), ErrorCode::InvalidEvent, "{bad}");
        assert_eq!(err.code().as_str(), "invalid_event");
    }
    assert_eq!(engine.profile(), &before);
    assert_eq!(engine.store().writes, writes);
}

#[test]
fn invalid_options_and_namespaces_have_codes() {
    let engine = Engine::open("shop", MemoryStore::new()).unwrap();
    for strength in [-0.1, 1.5, f64::NAN] {
        let err = engine
            .rank(&catalogue(), &RankOptions::with_strength(strength), T0)
            .unwrap_err();
        assert_eq!(err.code().as_str(), "invalid_options");
    }
    let err = Engine::open("no spaces", MemoryStore::new()).err().unwrap();
    assert_eq!(err.code().as_str(), "invalid_argument");
}

fn arb_product() -> impl Strategy<Value = Product> {
    (
        "[a-z0-9]{1,6}",
        proptest::option::of(prop::sample::select(vec![
            "laptops", "shoes", "beauty", "tops",
        ])),
        proptest::option::of(prop::sample::select(vec!["Apple", "Nike", "Dior"])),
        proptest::option::of(0.0..5000.0f64),
    )
        .prop_map(|(id, category, brand, price)| Product {
            id,
            category: category.map(str::to_owned),
            brand: brand.map(str::to_owned),
            price,
        })
}

fn arb_kind() -> impl Strategy<Value = EventKind> {
    prop::sample::select(vec![
        EventKind::View,
        EventKind::AddToCart,
        EventKind::Purchase,
    ])
}

proptest! {
    #[test]
    fn ranking_is_a_deterministic_permutation_and_strength_zero_is_the_shop_order(
        products in prop::collection::vec(arb_product(), 0..40),
        history in prop::collection::vec((arb_kind(), arb_product(), 0.0..1e9f64), 0..30),
        strength in 0.0..=1.0f64,
    ) {
        let mut engine = Engine::open("shop", MemoryStore::new()).unwrap();
        engine.grant_consent(T0).unwrap();
        for (kind, product, offset) in history {
            engine.track(&Event::new(kind, product, T0 + offset));
        }
        let options = RankOptions::with_strength(strength);
        let ranked = engine.rank(&products, &options, T0 + 2e9).unwrap();
        let mut indices: Vec<usize> = ranked.iter().map(|r| r.index).collect();
        indices.sort_unstable();
        prop_assert_eq!(indices, (0..products.len()).collect::<Vec<_>>());
        prop_assert!(ranked.windows(2).all(|w| w[0].score >= w[1].score));
        prop_assert_eq!(&ranked, &engine.rank(&products, &options, T0 + 2e9).unwrap());
        let unchanged = engine.rank(&products, &RankOptions::with_strength(0.0), T0 + 2e9).unwrap();
        prop_assert_eq!(unchanged.iter().map(|r| r.index).collect::<Vec<_>>(), (0..products.len()).collect::<Vec<_>>());
    }

    #[test]
    fn without_a_profile_every_strength_keeps_the_shop_order(
        products in prop::collection::vec(arb_product(), 0..40),
        strength in 0.0..=1.0f64,
    ) {
        let ranked = rank(&products, &RankOptions::with_strength(strength), None).unwrap();
        prop_assert_eq!(ranked.iter().map(|r| r.index).collect::<Vec<_>>(), (0..products.len()).collect::<Vec<_>>());
    }
}
