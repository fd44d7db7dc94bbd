//! Events as the face hands them over: validation codes, dwell, quantities and line
//! items, recent searches, options and namespaces.
#![cfg(not(target_arch = "wasm32"))]

mod common;

use common::*;
use shelfwise_core::event::EventDetails;
use shelfwise_core::profile::CATEGORY;
use shelfwise_core::{
    candidates, Engine, ErrorCode, EventInput, EventKind, MemoryStore, Product, RankOptions,
};
use shelfwise_core::{validate_items, ProductInput, ProfileConfig};

#[test]
fn recent_searches_keep_what_found_something_once_each_newest_first() {
    let mut engine = Engine::open("shop", MemoryStore::new()).unwrap();
    assert!(
        !engine.search("boots", Some(3.0), T0).unwrap(),
        "no consent, nothing kept"
    );
    engine.grant_consent(true, false, T0).unwrap();
    assert!(engine.search("Boots", Some(3.0), T0 + 1.0).unwrap());
    assert!(
        !engine.search("unicorn socks", Some(0.0), T0 + 2.0).unwrap(),
        "found nothing"
    );
    assert!(engine.search("rain jacket", None, T0 + 3.0).unwrap());
    assert!(engine.search("boots", Some(5.0), T0 + 4.0).unwrap());
    for (query, results) in [
        ("", None),
        ("  ", None),
        ("x", Some(-1.0)),
        ("x", Some(1.5)),
    ] {
        let err = engine.search(query, results, T0).unwrap_err();
        assert_eq!(err.code(), ErrorCode::InvalidEvent, "{query:?} {results:?}");
    }
    let summary = engine.summary(T0 + 5.0).unwrap();
    assert_eq!(summary.recent_searches, ["boots", "rain jacket"]);
    assert_eq!(summary.events, 0, "a search is not a product event");
}

#[test]
fn invalid_events_are_rejected_with_their_code_and_change_nothing() {
    let mut engine = Engine::open("shop", MemoryStore::new()).unwrap();
    engine.grant_consent(true, false, T0).unwrap();
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

fn dwelling(dwell_ms: Option<f64>) -> EventDetails {
    EventDetails {
        dwell_ms,
        ..EventDetails::default()
    }
}

#[test]
fn dwell_scales_a_view_and_line_items_make_one_order() {
    let mut engine = Engine::open("shop", MemoryStore::new()).unwrap();
    engine.grant_consent(true, false, T0).unwrap();
    let shoes = ProductInput::from(Product::new("s").with_category("shoes"));
    for (dwell, at) in [
        (Some(1_000.0), T0),
        (None, T0 + 1.0),
        (Some(60_000.0), T0 + 2.0),
    ] {
        let events = validate_items(
            EventKind::View,
            vec![shoes.clone()],
            dwelling(dwell),
            &[],
            at,
        )
        .unwrap();
        assert!(engine.track(&events[0]));
    }
    // A bounce counts 0.2, an ordinary view 1, a long read is capped at 3.
    let score = engine
        .profile()
        .affinity(CATEGORY, "shoes", T0 + 2.0, &ProfileConfig::default());
    assert!((score - 4.2).abs() < 1e-3, "{score}");

    let items = vec![
        ProductInput::from(Product::new("a").with_price(10.0)),
        ProductInput::from(Product::new("b").with_price(2.5)),
    ];
    let order = validate_items(
        EventKind::Purchase,
        items.clone(),
        EventDetails::default(),
        &[3.0, 2.0],
        T0 + 3.0,
    )
    .unwrap();
    for event in &order {
        engine.track(event);
    }
    let second = validate_items(
        EventKind::Purchase,
        items,
        EventDetails::default(),
        &[],
        T0 + 4.0,
    )
    .unwrap();
    for event in &second {
        engine.track(event);
    }
    let profile = engine.profile();
    assert_eq!(profile.orders, 2, "two orders of two line items each");
    assert_eq!(profile.spend, 3.0 * 10.0 + 2.0 * 2.5 + 12.5);
}

#[test]
fn dwell_quantity_and_items_are_validated_all_or_nothing() {
    let product = || ProductInput::from(Product::new("p"));
    type Case = (EventKind, Vec<ProductInput>, Option<f64>, &'static [f64]);
    let bad: [Case; 9] = [
        (EventKind::Click, vec![product()], Some(5.0), &[]),
        (EventKind::View, vec![product()], Some(-1.0), &[]),
        (EventKind::View, vec![product()], Some(f64::NAN), &[]),
        (EventKind::View, vec![product()], None, &[1.0]),
        (EventKind::Purchase, vec![product()], None, &[0.0]),
        (EventKind::Purchase, vec![product()], None, &[1.5]),
        (
            EventKind::Purchase,
            vec![product(), product()],
            None,
            &[1.0],
        ),
        (EventKind::View, vec![product(), product()], None, &[]),
        (EventKind::Purchase, vec![], None, &[]),
    ];
    for (kind, products, dwell, quantities) in bad {
        let err = validate_items(kind, products, dwelling(dwell), quantities, T0).unwrap_err();
        assert_eq!(
            err.code(),
            ErrorCode::InvalidEvent,
            "{kind:?} {dwell:?} {quantities:?}"
        );
    }
    let err = validate_items(
        EventKind::Purchase,
        vec![
            product(),
            ProductInput::from(Product::new("x").with_price(-1.0)),
        ],
        EventDetails::default(),
        &[],
        T0,
    )
    .unwrap_err();
    assert!(err.to_string().contains("items[1]"), "{err}");
}

#[test]
fn invalid_options_and_namespaces_have_codes() {
    let engine = Engine::open("shop", MemoryStore::new()).unwrap();
    for strength in [-0.1, 1.5, f64::NAN] {
        let err = engine
            .rank(
                &candidates(&catalogue()),
                &RankOptions::with_strength(strength),
                T0,
            )
            .unwrap_err();
        assert_eq!(err.code().as_str(), "invalid_options");
    }
    let err = Engine::open("no spaces", MemoryStore::new()).err().unwrap();
    assert_eq!(err.code().as_str(), "invalid_argument");
}
