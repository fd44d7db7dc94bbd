//! Storage: persistence across pages, damaged and full storage, the size bound.
#![cfg(not(target_arch = "wasm32"))]

mod common;

use common::*;
use shelfwise_core::{Engine, Event, EventKind, MemoryStore, Product, StorageMode};

#[test]
fn profile_survives_reopening_and_moves_the_viewed_category_up() {
    let products = catalogue();
    let mut engine = Engine::open("shop", MemoryStore::new()).unwrap();
    engine.grant_consent(true, false, T0).unwrap();
    for (i, id) in ["2", "5", "8"].iter().enumerate() {
        let laptop = products.iter().find(|p| p.id == *id).unwrap();
        assert!(engine.track(&view(laptop, T0 + i as f64 * MINUTE)));
    }
    assert!(!engine.flush(), "three events do not call for a compaction");
    engine.compact(T0 + 2.0 * MINUTE).unwrap();
    assert_eq!(
        engine.store().entries.keys().collect::<Vec<_>>(),
        ["shelfwise:shop:v3", "shelfwise:shop:v3:j:main"],
        "the journal stays until the envelope on file confirms it"
    );
    engine.compact(T0 + 3.0 * MINUTE).unwrap();
    let store = engine.store().clone();
    assert_eq!(
        store.entries.keys().collect::<Vec<_>>(),
        ["shelfwise:shop:v3"],
        "confirmed later: journal removed"
    );

    let reopened = Engine::open("shop", store).unwrap();
    assert_eq!(reopened.consent().personalization.as_str(), "granted");
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
    let full = order(&reopened, &products, 1.0);
    for laptop in ["2", "5", "8"] {
        assert!(
            position(&full, laptop) < 4,
            "at full strength the viewed laptops are near the top: {full:?}"
        );
    }
    assert!(
        position(&full, "8") < position(&full, "2"),
        "the latest before the oldest: {full:?}"
    );
}

/// A granted envelope with some learning, sealed as Shelfwise stores it.
fn stored_profile() -> String {
    let mut engine = Engine::open("shop", MemoryStore::new()).unwrap();
    engine.grant_consent(true, false, T0).unwrap();
    for product in catalogue() {
        engine.track(&view(&product, T0));
    }
    engine.flush();
    engine.compact(T0).unwrap();
    engine.store().entries["shelfwise:shop:v3"].clone()
}

#[test]
fn damaged_records_are_salvaged_or_replaced_never_thrown() {
    let sealed = stored_profile();
    let body = sealed.splitn(3, ':').nth(2).unwrap().to_owned();
    let cases: Vec<(&str, String, Option<&str>, u64)> = vec![
        ("intact", sealed.clone(), None, 8),
        (
            "truncated",
            sealed[..sealed.len() / 2].to_owned(),
            Some("record_unreadable"),
            0,
        ),
        (
            "stale checksum",
            format!("sw3:0000000000000000:{body}"),
            Some("record_salvaged"),
            8,
        ),
        (
            "not base64",
            "sw3:0000000000000000:%%%".into(),
            Some("record_unreadable"),
            0,
        ),
        ("foreign text", "hello".into(), Some("record_unreadable"), 0),
        ("json", "{\"v\":2}".into(), Some("record_unreadable"), 0),
        (
            "future format",
            "sw4:0:AA".into(),
            Some("record_future_version"),
            0,
        ),
        ("empty", String::new(), Some("record_unreadable"), 0),
    ];
    for (name, value, warning, events) in cases {
        let mut store = MemoryStore::new();
        store.entries.insert("shelfwise:shop:v3".into(), value);
        let mut engine = Engine::open("shop", store).unwrap();
        let codes: Vec<&str> = engine.take_warnings().iter().map(|w| w.code).collect();
        assert_eq!(codes.first().copied(), warning, "{name}");
        assert_eq!(engine.profile().events, events, "{name}");
        // It keeps working: consent and learning go on, and the next write is readable.
        engine.grant_consent(true, false, T0).unwrap();
        assert!(engine.track(&view(&catalogue()[0], T0)), "{name}");
        engine.flush();
        let reopened = Engine::open("shop", engine.store().clone()).unwrap();
        assert_eq!(reopened.profile().events, events + 1, "{name}");
    }
}

#[test]
fn full_storage_degrades_to_memory_without_losing_events() {
    let products = catalogue();
    let mut engine = Engine::open("shop", MemoryStore::new()).unwrap();
    engine.grant_consent(true, false, T0).unwrap();
    engine.store_mut().full = true;
    assert!(engine.track(&view(&products[1], T0)));
    assert!(engine.track(&view(&products[4], T0)));
    engine.flush();
    assert_eq!(engine.storage_mode(), StorageMode::Memory);
    assert_eq!(engine.profile().events, 2, "events are kept in memory");
    // Space frees up: the next write carries everything learned meanwhile.
    engine.store_mut().full = false;
    assert!(engine.track(&view(&products[7], T0)));
    engine.flush();
    assert_eq!(engine.storage_mode(), StorageMode::Persistent);
    let reopened = Engine::open("shop", engine.store().clone()).unwrap();
    assert_eq!(reopened.profile().events, 3);
}

#[test]
fn a_grant_that_found_storage_full_is_written_once_there_is_room() {
    let products = catalogue();
    let mut store = MemoryStore::new();
    store.full = true;
    let mut engine = Engine::open("shop", store).unwrap();
    engine.grant_consent(true, false, T0).unwrap();
    assert!(engine.track(&view(&products[0], T0)));
    engine.flush();
    assert!(
        engine.track(&view(&products[1], T0)),
        "consent survives a failed write"
    );
    engine.store_mut().full = false;
    engine.flush();
    let reopened = Engine::open("shop", engine.store().clone()).unwrap();
    assert_eq!(reopened.consent().personalization.as_str(), "granted");
    assert_eq!(reopened.profile().events, 2);
}

#[test]
fn the_stored_profile_stays_under_32_kb_after_100_000_random_events() {
    let mut engine = granted(MemoryStore::new());
    // A deterministic stream of 100,000 events over 2,000 categories and brands with
    // long labels, across a year.
    let mut state: u64 = 0x9e37_79b9_7f4a_7c15;
    let mut next = || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    let kinds = [EventKind::View, EventKind::AddToCart, EventKind::Purchase];
    for i in 0..100_000u64 {
        let n = next();
        let product = Product::new(format!("p{}", n % 50_000))
            .with_category(format!("{}-{}", "category".repeat(10), n % 2_000))
            .with_brand(format!("{}-{}", "brand".repeat(20), (n >> 16) % 2_000))
            .with_price((n % 100_000) as f64 / 10.0);
        engine.track(&Event::new(
            kinds[(n % 3) as usize],
            product,
            T0 + i as f64 * 300_000.0,
        ));
        if engine.flush() {
            engine.compact(T0 + i as f64 * 300_000.0).unwrap();
        }
    }
    engine.compact(T0 + 3e10).unwrap();
    let stored = &engine.store().entries["shelfwise:shop:v3"];
    println!(
        "stored profile after 100,000 events: {} bytes",
        stored.len()
    );
    assert!(stored.len() <= 32 * 1024, "{} bytes", stored.len());
    assert_eq!(engine.profile().events, 100_000);
}
