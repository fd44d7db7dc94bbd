//! The profile's product attributes and shop state: facets, tags and variants, currency,
//! price bands and sizes per category, the cart, purchases, sensitive facets and the
//! the summary's interests.

use shelfwise_core::event::{EventDetails, EventInput};
use shelfwise_core::profile::{BRAND, CATEGORY, COLOUR, PRICE_BAND, SIZE, TAG};
use shelfwise_core::{validate_items, Event, EventKind, Product, ProductInput};
use shelfwise_core::{Engine, MemoryStore, Profile, ProfileConfig};

const T0: f64 = 1_763_712_000_000.0;
const DAY: f64 = 86_400_000.0;

fn event(json: &str, at: f64) -> Event {
    EventInput::from_json(json, at).unwrap_or_else(|e| panic!("{json}: {e}"))
}

fn learned(profile: &Profile, facet: &str, value: &str) -> bool {
    profile
        .taste
        .get(facet)
        .and_then(|values| values.get(value))
        .is_some()
}

#[test]
fn tags_variants_and_shop_facets_are_learned_as_facets() {
    let config = ProfileConfig::default();
    let mut profile = Profile::default();
    let view = event(
        r#"{"type":"view","product":{"id":"1","category":"tops","tags":["organic"],
            "variant":{"size":"M","color":"navy"},"facets":{"style":"minimal","material":["wool","silk"]}}}"#,
        T0,
    );
    assert_eq!(
        view.product.facets,
        [
            ("tag", "organic"),
            ("colour", "navy"),
            ("size", "M"),
            ("material", "wool"),
            ("material", "silk"),
            ("style", "minimal"),
        ]
        .map(|(f, v)| (f.to_owned(), v.to_owned())),
        "color is read as colour"
    );
    assert!(profile.learn(&view, &config));
    for (facet, value) in [
        (TAG, "organic"),
        (COLOUR, "navy"),
        ("material", "silk"),
        ("style", "minimal"),
    ] {
        assert!(learned(&profile, facet, value), "{facet} {value}");
    }
    assert!(
        profile.taste.get(SIZE).is_none(),
        "sizes are kept per category, not as taste"
    );
    assert!(
        profile.sizes.0.is_empty(),
        "a view says nothing about the shopper's size"
    );
}

#[test]
fn bad_attributes_are_rejected_with_their_reason() {
    for (json, needle) in [
        (r#"{"id":"1","currency":"eur"}"#, "currency"),
        (r#"{"id":"1","currency":"EURO"}"#, "currency"),
        (r#"{"id":"1","facets":{"Style":"x"}}"#, "facet name"),
        (r#"{"id":"1","facets":{"brand":"x"}}"#, "facet name"),
        (r#"{"id":"1","tags":["a\u0007"]}"#, "control characters"),
    ] {
        let json = format!(r#"{{"type":"view","product":{json}}}"#);
        let error = EventInput::from_json(&json, T0).unwrap_err();
        assert_eq!(error.code().as_str(), "invalid_event");
        assert!(error.to_string().contains(needle), "{json}: {error}");
    }
    let many: Vec<String> = (0..33).map(|i| format!("\"t{i}\"")).collect();
    let json = format!(
        r#"{{"type":"view","product":{{"id":"1","tags":[{}]}}}}"#,
        many.join(",")
    );
    assert!(EventInput::from_json(&json, T0).is_err(), "33 tags");
    let click = |extra: &str, kind: &str| {
        EventInput::from_json(
            &format!(r#"{{"type":"{kind}","product":{{"id":"1"}}{extra}}}"#),
            T0,
        )
    };
    let from = click(r#","module":"similar","slot":"3""#, "click").unwrap();
    assert_eq!(
        (from.module.as_deref(), from.slot.as_deref()),
        (Some("similar"), Some("3"))
    );
    assert!(
        click(r#","module":"similar""#, "view").is_err(),
        "clicks only"
    );
}

#[test]
fn price_bands_and_sizes_are_kept_per_category_in_the_first_currency() {
    let config = ProfileConfig::default();
    let mut profile = Profile::default();
    let shoe = |price: f64, currency: &str, size: &str| {
        Product::new("s")
            .with_category("shoes/running")
            .with_price(price)
            .with_currency(currency)
            .with_facet(SIZE, size)
    };
    for (i, (kind, product)) in [
        (EventKind::AddToCart, shoe(89.0, "EUR", "42")),
        (EventKind::Purchase, shoe(95.0, "EUR", "42")),
        (EventKind::View, shoe(30.0, "EUR", "40")),
        (EventKind::Purchase, shoe(9_000.0, "USD", "43")),
    ]
    .into_iter()
    .enumerate()
    {
        profile.learn(&Event::new(kind, product, T0 + i as f64), &config);
    }
    assert_eq!(profile.currency.as_deref(), Some("EUR"));
    assert_eq!(
        profile.spend, 95.0,
        "the USD purchase is not added to EUR spend"
    );
    let bands = profile.prices.get("shoes/running").unwrap();
    assert!(bands.get("50-100").unwrap().score > bands.get("25-50").unwrap().score);
    assert!(bands.get("5000+").is_none(), "a price in another currency");
    assert!(!learned(&profile, PRICE_BAND, "5000+"));
    let sizes = profile.sizes.get("shoes/running").unwrap();
    assert!(sizes.get("42").unwrap().score > sizes.get("43").unwrap().score);
    assert!(sizes.get("40").is_none(), "viewed, never carted");

    assert!(profile.forget(CATEGORY, "shoes"));
    assert!(
        profile.prices.0.is_empty() && profile.sizes.0.is_empty(),
        "forgetting a category forgets what is kept below it"
    );
}

#[test]
fn the_cart_follows_adds_removals_and_purchases() {
    let config = ProfileConfig::default();
    let mut profile = Profile::default();
    let track = |profile: &mut Profile, kind: EventKind, id: &str, quantity: u32, at: f64| {
        let mut event = Event::new(kind, Product::new(id), at);
        event.quantity = Some(quantity);
        profile.learn(&event, &config);
    };
    track(&mut profile, EventKind::AddToCart, "a", 2, T0);
    track(&mut profile, EventKind::AddToCart, "b", 1, T0 + 1.0);
    track(&mut profile, EventKind::AddToCart, "a", 1, T0 + 2.0);
    track(&mut profile, EventKind::RemoveFromCart, "b", 5, T0 + 3.0);
    track(&mut profile, EventKind::AddToCart, "c", 1, T0 + 4.0);
    let cart: Vec<(&str, u32)> = profile
        .cart
        .iter()
        .map(|l| (l.id.as_str(), l.quantity))
        .collect();
    assert_eq!(cart, [("c", 1), ("a", 3)], "newest change first; b removed");
    track(&mut profile, EventKind::Purchase, "a", 3, T0 + 5.0);
    assert_eq!(profile.cart.len(), 1, "a bought product leaves the cart");
    assert_eq!(profile.cart[0].id, "c");
}

#[test]
fn purchases_record_orders_and_intervals_for_replenishment() {
    let config = ProfileConfig::default();
    let mut profile = Profile::default();
    let coffee = || {
        ProductInput::from(
            Product::new("coffee")
                .with_category("grocery/coffee")
                .with_price(12.0),
        )
    };
    let filters = || ProductInput::from(Product::new("filters").with_price(3.0));
    for (day, quantities) in [(0.0, [2.0, 1.0]), (30.0, [1.0, 1.0]), (61.0, [3.0, 1.0])] {
        let order = validate_items(
            EventKind::Purchase,
            vec![coffee(), filters()],
            EventDetails::default(),
            &quantities,
            T0 + day * DAY,
        )
        .unwrap();
        for event in &order {
            profile.learn(event, &config);
        }
    }
    assert_eq!(profile.orders, 3);
    let ids: Vec<&str> = profile.purchases.iter().map(|p| p.id.as_str()).collect();
    assert_eq!(
        ids,
        ["filters", "coffee"],
        "newest first; an order's last item first"
    );
    let coffee = &profile.purchases[1];
    assert_eq!(
        (coffee.orders, coffee.units),
        (3, 6),
        "three orders, six bags"
    );
    assert_eq!(coffee.category.as_deref(), Some("grocery/coffee"));
    assert_eq!(
        (coffee.last_ms - coffee.first_ms) / f64::from(coffee.orders - 1) / DAY,
        30.5,
        "the mean interval between orders"
    );
}

#[test]
fn sensitive_facets_and_values_are_never_learned() {
    let config = ProfileConfig {
        sensitive_facets: vec!["religion".into(), "tag:Pregnancy".into()],
        ..ProfileConfig::default()
    };
    let mut profile = Profile::default();
    let test_kit = Product::new("kit")
        .with_brand("Acme")
        .with_facet(TAG, "pregnancy");
    assert!(!profile.learn(&Event::new(EventKind::Purchase, test_kit, T0), &config));
    assert!(profile.is_empty(), "nothing of the product is kept");
    let book = Product::new("book")
        .with_brand("Press")
        .with_facet("religion", "x");
    assert!(profile.learn(&Event::new(EventKind::View, book, T0), &config));
    assert!(learned(&profile, BRAND, "Press"));
    assert!(profile.taste.get("religion").is_none());
}

#[test]
fn stated_preferences_work_on_any_facet_and_the_summary_speaks_plainly() {
    let mut engine = Engine::open("shop", MemoryStore::new()).unwrap();
    engine.grant_consent(true, false, T0).unwrap();
    engine.set_preference("style", "minimal", 1.0, T0).unwrap();
    let plain = Product::new("plain").with_facet("style", "minimal");
    let loud = Product::new("loud").with_facet("style", "baroque");
    let products = [loud, plain];
    let ranked = engine
        .rank(
            &shelfwise_core::candidates(&products),
            &shelfwise_core::RankOptions::with_strength(1.0),
            T0,
        )
        .unwrap();
    assert_eq!(
        products[ranked[0].index].id, "plain",
        "the stated style leads"
    );

    let view = event(
        r#"{"type":"view","product":{"id":"1","category":"shoes/running","brand":"Nike","price":40,"currency":"EUR","facets":{"fit_type":"wide"}}}"#,
        T0,
    );
    engine.track(&view);
    let summary = engine.summary(T0 + DAY).unwrap();
    // The summary names each interest by facet and value (the JS face words them).
    let value = |facet: &str| {
        summary
            .interests
            .iter()
            .find(|i| i.facet == facet)
            .map(|i| i.value.as_str())
    };
    assert_eq!(value(CATEGORY), Some("shoes/running"));
    assert_eq!(value(BRAND), Some("Nike"));
    assert_eq!(value(PRICE_BAND), Some("25-50"));
    assert_eq!(value("fit_type"), Some("wide"));
    assert_eq!(summary.currency.as_deref(), Some("EUR"));
}

/// Found by the hostile-calls face test: 100,000 distinct tags were checked against one
/// another (quadratic: a minute in the browser) before the bound of 32 rejected them.
/// The bound now stops the check at the 33rd distinct value.
#[test]
fn a_hundred_thousand_tags_are_rejected_by_the_bound() {
    let tags: Vec<String> = (0..100_000).map(|i| format!("\"t{i}\"")).collect();
    let json = format!(
        r#"{{"type":"view","product":{{"id":"1","tags":[{}]}}}}"#,
        tags.join(",")
    );
    let error = EventInput::from_json(&json, 1.0).unwrap_err();
    assert!(error.to_string().contains("more than 32"), "{error}");
    // Duplicates still collapse before the bound counts.
    let same = vec!["\"sale\""; 1000].join(",");
    let json = format!(r#"{{"type":"view","product":{{"id":"1","tags":[{same}]}}}}"#);
    assert_eq!(
        EventInput::from_json(&json, 1.0)
            .unwrap()
            .product
            .facets
            .len(),
        1
    );
}
