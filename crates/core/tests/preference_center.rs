//! The shopper's controls: forget, state a preference, dismiss, export, import, erase.
#![cfg(not(target_arch = "wasm32"))]

mod common;

use common::*;
use shelfwise_core::{Engine, MemoryStore};

/// Found by the `import` fuzz target: a stored or imported profile whose measurement
/// start was NaN passed repair, and NaN made export then import unequal.
#[test]
fn a_nan_measurement_time_is_repaired_and_export_import_stays_lossless() {
    let mut profile = shelfwise_core::Profile::default();
    profile.measured.since_ms = Some(f64::NAN);
    profile
        .measured
        .clicks
        .push(("p".into(), "grid".into(), f64::NAN));
    let file = export_file_of(&profile);
    let mut engine = granted(MemoryStore::new());
    engine.import(&file, T0).unwrap();
    assert_eq!(engine.profile().measured.since_ms, None);
    assert!(engine.profile().measured.clicks.is_empty());
    let imported = engine.profile().clone();
    let exported = engine.export(T0).unwrap();
    engine.import(&import_file(&exported), T0).unwrap();
    assert_eq!(
        engine.profile(),
        &imported,
        "export then import is lossless"
    );
}

#[test]
fn the_shopper_can_forget_export_import_and_erase() {
    let mut engine = granted(MemoryStore::new());
    for product in catalogue() {
        engine.track(&view(&product, T0));
    }
    engine.flush();
    let exported = engine.export(T0).unwrap();
    let summary = engine.summary(T0).unwrap();
    let json: serde_json::Value = serde_json::from_str(&exported).unwrap();
    assert_eq!(json["format"], "shelfwise-export");
    assert_eq!(json["version"], 3);
    assert!(json["checksum"].as_str().unwrap().starts_with("fnv1a64:"));
    // The readable parts (date, consent, summary) are the JS face's (tests/face).
    assert_eq!(json.as_object().unwrap().len(), 4);

    assert!(engine.forget("brand", "Apple", T0).unwrap());
    assert!(
        !engine.forget("brand", "Apple", T0).unwrap(),
        "already forgotten"
    );
    assert!(!knows_brand(engine.profile(), "Apple"));
    assert_eq!(
        engine.forget("Mood!", "x", T0).unwrap_err().code().as_str(),
        "invalid_argument"
    );
    let reopened = Engine::open("shop", engine.store().clone()).unwrap();
    assert!(
        !knows_brand(reopened.profile(), "Apple"),
        "forgotten on file too"
    );

    // Edited, foreign and future files are rejected and change nothing.
    let before = engine.profile().clone();
    let payload = json["payload"].as_str().unwrap();
    let flipped = if payload.starts_with('A') {
        payload.replacen('A', "B", 1)
    } else {
        format!("A{}", &payload[1..])
    };
    for bad in [
        exported.replace(payload, &flipped),
        exported.replace("\"version\":3", "\"version\":4"),
        exported.replace("shelfwise-export", "other-export"),
        "{}".to_owned(),
        "not json".to_owned(),
    ] {
        let error = engine.import(&import_file(&bad), T0).unwrap_err();
        assert_eq!(error.code().as_str(), "invalid_import", "{error}");
    }
    assert_eq!(engine.profile(), &before);

    engine.erase(T0).unwrap();
    assert!(engine.profile().is_empty());
    engine.import(&import_file(&exported), T0).unwrap();
    assert!(knows_brand(engine.profile(), "Apple"), "import restores");
    assert_eq!(
        engine.summary(T0).unwrap(),
        summary,
        "export, erase, import: the same profile"
    );
    let round_trip = engine.export(T0).unwrap();
    engine.import(&import_file(&exported), T0).unwrap();
    engine.import(&import_file(&exported), T0).unwrap();
    assert_eq!(
        engine.export(T0).unwrap(),
        round_trip,
        "importing twice changes nothing"
    );

    let mut no_consent = Engine::open("other", MemoryStore::new()).unwrap();
    let error = no_consent.import(&import_file(&exported), T0).unwrap_err();
    assert_eq!(error.code().as_str(), "consent_required");
}

#[test]
fn stated_preferences_and_dismissals_steer_the_ranking() {
    let products = catalogue();
    let mut engine = granted(MemoryStore::new());
    engine.track(&view(&products[0], T0));
    // The shopper says they like fragrances, and are not interested in laptops or product 1.
    engine
        .set_preference("category", "fragrances", 1.0, T0)
        .unwrap();
    engine
        .set_preference("category", "laptops", -1.0, T0)
        .unwrap();
    engine.hide_product("1", true, T0).unwrap();
    let ranked = order(&engine, &products, 0.5);
    assert_eq!(ranked[0], "6", "the stated liking leads: {ranked:?}");
    assert_eq!(
        &ranked[4..],
        ["1", "2", "5", "8"],
        "dismissed last, in shop order: {ranked:?}"
    );
    let summary = engine.summary(T0).unwrap();
    assert_eq!(summary.stated.len(), 2);
    assert_eq!(summary.hidden_products, ["1"]);

    // Taking a statement back, and forgetting, both work; bad input has codes.
    engine
        .set_preference("category", "laptops", 0.0, T0)
        .unwrap();
    assert!(engine.forget("category", "fragrances", T0).unwrap());
    assert!(engine.profile().stated.is_empty());
    let reopened = Engine::open("shop", engine.store().clone()).unwrap();
    assert_eq!(reopened.profile().hidden, ["1"], "statements are stored");
    // "Not interested" is undone from the panel: the product ranks on its merits again.
    engine.hide_product("1", false, T0).unwrap();
    assert!(engine.summary(T0).unwrap().hidden_products.is_empty());
    assert_ne!(order(&engine, &products, 0.5)[4..][..1], ["1"]);
    for (facet, value, weight) in [
        ("Mood", "x", 1.0),
        ("brand", "", 1.0),
        ("brand", "x", 2.0),
        ("brand", "x", f64::NAN),
    ] {
        let error = engine.set_preference(facet, value, weight, T0).unwrap_err();
        assert_eq!(
            error.code().as_str(),
            "invalid_argument",
            "{facet} {value} {weight}"
        );
    }
    let mut no_consent = Engine::open("other", MemoryStore::new()).unwrap();
    assert_eq!(
        no_consent
            .hide_product("1", true, T0)
            .unwrap_err()
            .code()
            .as_str(),
        "consent_required"
    );
}

/// The iPhone case from the issue: forgetting brand Apple must not leave what the same
/// products taught through their tag and category, nor keep iPhones first.
#[test]
fn forgetting_a_brand_takes_back_what_its_products_taught_through_other_facets() {
    use shelfwise_core::{Event, EventKind, Product};
    let iphone = |id: &str| {
        Product::new(id)
            .with_category("electronics/smartphones")
            .with_brand("Apple")
            .with_price(999.0)
            .with_facet("tag", "apple")
    };
    let galaxy = |id: &str| {
        Product::new(id)
            .with_category("electronics/smartphones")
            .with_brand("Samsung")
            .with_price(899.0)
    };
    let case = Product::new("c1")
        .with_category("electronics/mobile-accessories")
        .with_brand("Spigen")
        .with_price(19.0)
        .with_facet("tag", "apple");
    let mut engine = granted(MemoryStore::new());
    let mut at = T0;
    for id in ["i1", "i2", "i3", "i1", "i2", "i3", "i1", "i2", "i3"] {
        at += MINUTE;
        engine.track(&Event::new(EventKind::View, iphone(id), at));
    }
    for id in ["g1", "g2", "g1", "g2"] {
        at += MINUTE;
        engine.track(&Event::new(EventKind::View, galaxy(id), at));
    }
    at += MINUTE;
    engine.track(&Event::new(EventKind::View, case.clone(), at));
    let strength = |engine: &Engine<MemoryStore>, facet: &str, value: &str| {
        let summary = engine.summary(at).unwrap();
        summary
            .interests
            .iter()
            .find(|i| i.facet == facet && i.value == value)
            .map(|i| (i.strength, i.evidence))
    };
    let samsung_before = strength(&engine, "brand", "Samsung");
    assert_eq!(engine.profile().evidence("tag", "apple"), 10);

    assert!(engine.forget("brand", "Apple", at).unwrap());
    let profile = engine.profile();
    assert_eq!(profile.evidence("brand", "Apple"), 0);
    assert_eq!(
        profile.evidence("tag", "apple"),
        1,
        "only the case (not an Apple product) still teaches #apple"
    );
    assert_eq!(
        profile.evidence("category", "electronics/smartphones"),
        4,
        "the iPhones' part of smartphones is gone, the Galaxies' stays"
    );
    assert!(
        !profile.viewed.iter().any(|(id, _)| id.starts_with('i')),
        "iPhones leave the recently viewed"
    );
    assert_eq!(
        strength(&engine, "brand", "Samsung"),
        samsung_before,
        "another interest's strength does not jump when one is forgotten"
    );
    let list = [iphone("i9"), galaxy("g9"), iphone("i1"), galaxy("g1")];
    let ranked = engine
        .rank(
            &shelfwise_core::candidates(&list),
            &shelfwise_core::RankOptions::with_strength(1.0),
            at,
        )
        .unwrap();
    assert_eq!(
        list[ranked[0].index].brand.as_deref(),
        Some("Samsung"),
        "no iPhone first: {ranked:?}"
    );
    // The forgetting is stored: another visit sees the same.
    let reopened = Engine::open("shop", engine.store().clone()).unwrap();
    assert_eq!(reopened.profile().evidence("tag", "apple"), 1);
}
