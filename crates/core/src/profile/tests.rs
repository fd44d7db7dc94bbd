use super::*;

fn close(a: f64, b: f64) -> bool {
    // Decay factors are single precision.
    (a - b).abs() < 1e-6 * b.abs().max(1.0)
}

#[test]
fn decay_halves_per_half_life() {
    let hl = 14.0 * DAY_MS;
    assert!(close(decay(8.0, 0.0, hl, hl), 4.0));
    assert!(close(decay(8.0, 0.0, 3.0 * hl, hl), 1.0));
    assert!(close(decay(8.0, 0.0, 0.5 * hl, hl), 8.0 / 2f64.sqrt()));
    assert_eq!(
        decay(8.0, 100.0, 50.0, hl),
        8.0,
        "time going backwards adds nothing"
    );
}

#[test]
fn affinity_is_independent_of_arrival_order() {
    let hl = 10.0;
    let mut in_order = Affinity::default();
    in_order.add(1.0, 0.0, hl);
    in_order.add(3.0, 10.0, hl);
    let mut late = Affinity::default();
    late.add(3.0, 10.0, hl);
    late.add(1.0, 0.0, hl);
    assert!(close(in_order.score, 3.5), "{}", in_order.score);
    assert!(close(late.score, in_order.score));
    assert_eq!(late.at_ms, 10.0);
    assert_eq!(late.count, 2);
    assert!(close(in_order.score_at(20.0, hl), 1.75));
}

#[test]
fn price_bands_cover_the_range() {
    assert_eq!(price_band(0.0), "0-10");
    assert_eq!(price_band(9.99), "0-10");
    assert_eq!(price_band(10.0), "10-25");
    assert_eq!(price_band(999.0), "500-1000");
    assert_eq!(price_band(1e9), "5000+");
}

#[test]
fn purchase_outweighs_view_and_facets_are_learned() {
    let config = ProfileConfig::default();
    let mut profile = Profile::default();
    let laptop = Product::new("1")
        .with_category("laptops")
        .with_brand("Apple")
        .with_price(1299.0);
    let phone = Product::new("2")
        .with_category("smartphones")
        .with_price(799.0);
    profile.learn(&Event::new(EventKind::View, phone.clone(), 0.0), &config);
    profile.learn(&Event::new(EventKind::Purchase, laptop, 0.0), &config);
    assert_eq!(profile.affinity(CATEGORY, "laptops", 0.0, &config), 5.0);
    assert_eq!(profile.affinity(CATEGORY, "smartphones", 0.0, &config), 1.0);
    assert_eq!(profile.affinity(BRAND, "Apple", 0.0, &config), 5.0);
    assert_eq!(profile.affinity(PRICE_BAND, "1000-2500", 0.0, &config), 5.0);
    assert_eq!(profile.events, 2);
    let summary = profile.summary(0.0, &config, 3);
    assert_eq!(summary.interests[0].value, "laptops");
    // Strength by evidence: 5 / (5 + 3) and 1 / (1 + 3), not relative to each other.
    assert!(close(summary.interests[0].strength, 0.625));
    assert_eq!(summary.interests[1].value, "smartphones");
    assert!(close(summary.interests[1].strength, 0.25));
    // confidence = E / (E + 2) with E = 6 (total category weight).
    assert!(close(summary.confidence, 0.75));
}

#[test]
fn facets_are_capped_and_the_weakest_value_goes() {
    let config = ProfileConfig {
        max_values_per_facet: 3,
        ..ProfileConfig::default()
    };
    let mut profile = Profile::default();
    for (i, category) in ["a", "b", "c", "d"].iter().enumerate() {
        let event = Event::new(
            EventKind::View,
            Product::new("p").with_category(*category),
            i as f64 * DAY_MS,
        );
        profile.learn(&event, &config);
    }
    let mut kept: Vec<&str> = profile
        .taste
        .get(CATEGORY)
        .unwrap()
        .0
        .iter()
        .map(|(v, _)| v.as_str())
        .collect();
    kept.sort_unstable();
    assert_eq!(
        kept,
        ["b", "c", "d"],
        "oldest (most decayed) value is forgotten"
    );
}

fn learn(
    profile: &mut Profile,
    kind: EventKind,
    product: Product,
    at: f64,
    config: &ProfileConfig,
) -> bool {
    profile.learn(&Event::new(kind, product, at), config)
}

#[test]
fn categories_roll_up_to_their_parents() {
    let config = ProfileConfig::default();
    let mut p = Profile::default();
    learn(
        &mut p,
        EventKind::Purchase,
        Product::new("1").with_category("shoes/running/trail"),
        0.0,
        &config,
    );
    assert_eq!(
        p.affinity(CATEGORY, "shoes/running/trail", 0.0, &config),
        5.0
    );
    assert_eq!(p.affinity(CATEGORY, "shoes/running", 0.0, &config), 2.5);
    assert_eq!(p.affinity(CATEGORY, "shoes", 0.0, &config), 1.25);
}

#[test]
fn every_product_event_type_has_its_weight_and_removal_never_goes_negative() {
    let config = ProfileConfig::default();
    let mut p = Profile::default();
    let product = || Product::new("1").with_brand("Acme");
    for kind in [EventKind::Click, EventKind::Wishlist] {
        learn(&mut p, kind, product(), 0.0, &config);
    }
    assert_eq!(p.affinity(BRAND, "Acme", 0.0, &config), 4.0);
    for _ in 0..10 {
        learn(&mut p, EventKind::RemoveFromCart, product(), 0.0, &config);
    }
    assert_eq!(p.affinity(BRAND, "Acme", 0.0, &config), 0.0);
}

#[test]
fn visits_orders_and_spend_are_counted() {
    let config = ProfileConfig::default();
    let mut p = Profile::default();
    let hour = 3_600_000.0;
    learn(&mut p, EventKind::View, Product::new("1"), 0.0, &config);
    learn(
        &mut p,
        EventKind::Purchase,
        Product::new("1").with_price(20.0),
        60_000.0,
        &config,
    );
    learn(
        &mut p,
        EventKind::Purchase,
        Product::new("2").with_price(5.5),
        3.0 * hour,
        &config,
    );
    assert_eq!((p.visits, p.orders, p.spend), (2, 2, 25.5));
    assert_eq!(p.last_order_ms, Some(3.0 * hour));
}

#[test]
fn sensitive_categories_are_never_learned() {
    let config = ProfileConfig {
        sensitive_categories: vec!["health".into(), "adult/toys".into()],
        ..ProfileConfig::default()
    };
    let mut p = Profile::default();
    for category in ["health", "Health/pharmacy", "adult/toys/x"] {
        assert!(
            !learn(
                &mut p,
                EventKind::View,
                Product::new("1").with_category(category),
                0.0,
                &config
            ),
            "{category}"
        );
    }
    assert!(p.is_empty());
    for category in ["healthy-snacks", "adult/books"] {
        assert!(
            learn(
                &mut p,
                EventKind::View,
                Product::new("1").with_category(category),
                0.0,
                &config
            ),
            "{category}"
        );
    }
}

#[test]
fn evidence_older_than_the_retention_period_is_forgotten() {
    let config = ProfileConfig::default();
    let mut p = Profile::default();
    learn(
        &mut p,
        EventKind::View,
        Product::new("1").with_category("old"),
        0.0,
        &config,
    );
    for i in 0..63 {
        learn(
            &mut p,
            EventKind::View,
            Product::new("2").with_category("new"),
            100.0 * DAY_MS + f64::from(i),
            &config,
        );
    }
    assert!(
        p.taste.get(CATEGORY).unwrap().get("old").is_none(),
        "forgotten after 90 days"
    );
    assert!(p.taste.get(CATEGORY).unwrap().get("new").is_some());
    assert_eq!(p.events, 64, "counters stay");
}

#[test]
fn configuration_is_set_by_name_and_checked() {
    let mut config = ProfileConfig::default();
    config.set("halfLifeDays", 7.0).unwrap();
    config.set("weights.addToCart", 4.0).unwrap();
    config.set("maxValuesPerFacet", 8.0).unwrap();
    assert_eq!(config.half_life_ms, 7.0 * DAY_MS);
    assert_eq!(config.weight(EventKind::AddToCart), 4.0);
    assert_eq!(config.max_values_per_facet, 8);
    for (name, value) in [
        ("halfLifeDayz", 7.0),
        ("halfLifeDays", 0.0),
        ("weights.view", f64::NAN),
        ("retentionDays", 1e9),
    ] {
        let error = config.set(name, value).unwrap_err();
        assert_eq!(error.code().as_str(), "invalid_options", "{name}");
    }
}

#[test]
fn session_intent_resets_with_each_visit_and_leans_the_ranking() {
    let config = ProfileConfig::default();
    let mut p = Profile::default();
    let hour = 3_600_000.0;
    for i in 0..5 {
        learn(
            &mut p,
            EventKind::Purchase,
            Product::new("1").with_category("tops"),
            f64::from(i),
            &config,
        );
    }
    learn(
        &mut p,
        EventKind::View,
        Product::new("2").with_category("shoes"),
        10.0 * hour,
        &config,
    );
    assert!(
        p.session.get(CATEGORY).unwrap().get("tops").is_none(),
        "a new visit starts a new intent"
    );
    assert!(p.session.get(CATEGORY).unwrap().get("shoes").is_some());
    assert!(
        p.taste.get(CATEGORY).unwrap().get("tops").is_some(),
        "long-term taste stays"
    );
    // Long-term, tops lead by far; this visit is about shoes, which narrows the gap.
    let snapshot = p.snapshot(10.0 * hour, &config);
    let blended = snapshot.relative(CATEGORY, "shoes");
    let long_term = p.affinity(CATEGORY, "shoes", 10.0 * hour, &config)
        / p.affinity(CATEGORY, "tops", 10.0 * hour, &config);
    assert!(blended > long_term + 0.3, "{blended} vs {long_term}");
}

#[test]
fn the_last_of_several_views_in_one_millisecond_comes_first() {
    let config = ProfileConfig::default();
    let mut p = Profile::default();
    for id in ["a", "b", "a"] {
        learn(&mut p, EventKind::View, Product::new(id), 5.0, &config);
    }
    let ids: Vec<&str> = p.viewed.iter().map(|(id, _)| id.as_str()).collect();
    assert_eq!(ids, ["a", "b"]);
}

#[test]
fn recently_viewed_keeps_the_newest_twenty_once_each() {
    let config = ProfileConfig::default();
    let mut p = Profile::default();
    for i in 0..30u32 {
        learn(
            &mut p,
            EventKind::View,
            Product::new(format!("p{}", i % 25)),
            f64::from(i),
            &config,
        );
    }
    assert_eq!(p.viewed.len(), MAX_VIEWED);
    assert_eq!(p.viewed[0].0, "p4", "newest first");
    let ids: std::collections::BTreeSet<&str> =
        p.viewed.iter().map(|(id, _)| id.as_str()).collect();
    assert_eq!(ids.len(), MAX_VIEWED, "each product once");
}

#[test]
fn pruning_keeps_the_strongest_as_decaying_every_value_would() {
    // The prune skips the power for values a lower bound of the decay shows cannot be the
    // weakest; it must keep exactly what comparing every value's decayed score keeps, with
    // near ties, equal scores (the lexically last goes) and times after `now` among them.
    let mut state = 0x2545_f491_4f6c_dd1du64;
    let mut next = || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        (state >> 11) as f64 / (1u64 << 53) as f64
    };
    for half_life_ms in [30.0 * 60_000.0, 14.0 * DAY_MS] {
        for round in 0..300 {
            let now_ms = 1_700_000_000_000.0;
            let len = 2 + round % 40;
            let mut values = FacetValues::default();
            for i in 0..len {
                let score = match i % 7 {
                    0 => 1.0,
                    1 => 1.0 + 1e-9 * next(),
                    _ => 5.0 * next(),
                };
                let at_ms =
                    now_ms - next() * 3.0 * half_life_ms + if i % 11 == 0 { 5_000.0 } else { 0.0 };
                let count = 1;
                values.0.push((
                    format!("v{}", (i * 7919) % 97),
                    Affinity {
                        score,
                        at_ms,
                        count,
                    },
                ));
            }
            let cap = 1 + round % len;
            // The reference: every value's decayed score, the weakest (ties: the lexically
            // last value) dropped one at a time.
            let mut expected = values.0.clone();
            while expected.len() > cap {
                let weakest = (0..expected.len())
                    .min_by(|a, b| {
                        let (va, aa) = &expected[*a];
                        let (vb, ab) = &expected[*b];
                        aa.score_at(now_ms, half_life_ms)
                            .total_cmp(&ab.score_at(now_ms, half_life_ms))
                            .then_with(|| vb.cmp(va))
                    })
                    .unwrap();
                expected.swap_remove(weakest);
            }
            values.prune(cap, now_ms, half_life_ms);
            assert_eq!(
                values.0, expected,
                "round {round}, half-life {half_life_ms}"
            );
        }
    }
}

#[test]
fn taught_keeps_the_last_products_and_the_newest_ones_values() {
    // Seventy products one after the other: the last `MAX_TAUGHT` are kept in order, the
    // newest `MAX_TAUGHT_VALUES` with the values they taught (strings lent by the entry
    // that loses its values), the older with none.
    let config = ProfileConfig::default();
    let mut profile = Profile::default();
    let product = |i: usize| {
        Product::new(format!("p{i}"))
            .with_category(format!("c{}/s{}", i % 5, i % 3))
            .with_brand(format!("brand-{}", "x".repeat(i % 9)))
            .with_price(10.0 + i as f64)
    };
    for i in 0..70 {
        let event = Event::new(
            EventKind::View,
            product(i),
            1_700_000_000_000.0 + i as f64 * 1000.0,
        );
        assert!(profile.learn(&event, &config));
    }
    assert_eq!(profile.taught.len(), MAX_TAUGHT);
    for (place, taught) in profile.taught.iter().enumerate() {
        let i = 70 - MAX_TAUGHT + place;
        assert_eq!(taught.id, format!("p{i}"));
        assert_eq!(taught.events, 1);
        let expected: Vec<(String, String)> = if place >= MAX_TAUGHT - MAX_TAUGHT_VALUES {
            facet_values(&product(i))
                .iter()
                .map(|(f, v, _)| ((*f).to_owned(), (*v).to_owned()))
                .collect()
        } else {
            Vec::new()
        };
        assert_eq!(taught.values, expected, "p{i}");
    }
    // A product seen again moves to the end with one more event.
    let again = Event::new(EventKind::View, product(60), 1_700_000_100_000.0);
    assert!(profile.learn(&again, &config));
    let last = profile.taught.last().unwrap();
    assert_eq!((last.id.as_str(), last.events), ("p60", 2));
    assert_eq!(profile.taught.len(), MAX_TAUGHT);
}
