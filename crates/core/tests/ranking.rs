//! Ranking everywhere a shop shows products (issue 4): business rules, diversity,
//! exploration, similar items, reasons, lifecycle segments and the modules' inputs.
#![cfg(not(target_arch = "wasm32"))]

use proptest::prelude::*;
use shelfwise_core::event::{Event, EventKind, Product};
use shelfwise_core::insights::Segment;
use shelfwise_core::profile::{Profile, ProfileConfig, DAY_MS};
use shelfwise_core::rank::{
    rank, reason_value, similar_to, similarity, Candidate, OutOfStock, RankOptions, Reason,
};

const T0: f64 = 1_700_000_000_000.0;
const MINUTE: f64 = 60_000.0;

fn learn(profile: &mut Profile, kind: EventKind, product: &Product, at: f64) {
    assert!(profile.learn(
        &Event::new(kind, product.clone(), at),
        &ProfileConfig::default()
    ));
}

fn phones() -> Vec<Product> {
    [
        ("p1", "Samsung", 999.0),
        ("p2", "Samsung", 899.0),
        ("p3", "Samsung", 799.0),
        ("p4", "Apple", 1099.0),
        ("p5", "Apple", 999.0),
        ("p6", "Xiaomi", 399.0),
        ("p7", "Xiaomi", 299.0),
        ("p8", "Google", 699.0),
    ]
    .iter()
    .map(|(id, brand, price)| {
        Product::new(*id)
            .with_category("electronics/smartphone")
            .with_brand(*brand)
            .with_price(*price)
    })
    .collect()
}

fn ids(products: &[Product], ranked: &[shelfwise_core::Ranked]) -> Vec<String> {
    ranked
        .iter()
        .map(|r| products[r.index].id.clone())
        .collect()
}

#[test]
fn the_phone_viewed_last_leads_and_says_why() {
    let products = phones();
    let mut profile = Profile::default();
    learn(&mut profile, EventKind::View, &products[4], T0);
    learn(&mut profile, EventKind::View, &products[6], T0 + MINUTE);
    let config = ProfileConfig::default();
    let snapshot = profile.snapshot(T0 + 2.0 * MINUTE, &config);
    let list: Vec<Candidate> = products.iter().map(Candidate::new).collect();
    let ranked = rank(&list, &RankOptions::default(), Some(&snapshot)).unwrap();
    let order = ids(&products, &ranked);
    assert_eq!(order[0], "p7", "the phone viewed last leads: {order:?}");
    assert_eq!(ranked[0].reason, Reason::Viewed);
    assert!(
        order[..3].contains(&"p5".to_owned()),
        "the one viewed before stays near the top: {order:?}"
    );
    // A product like the one just viewed (Xiaomi, close in price) earns "similar".
    let p6 = ranked
        .iter()
        .find(|r| products[r.index].id == "p6")
        .unwrap();
    assert_eq!(p6.reason, Reason::Similar, "{ranked:?}");
}

#[test]
fn business_rules_pins_boosts_stock_and_just_bought_durables() {
    let products = phones();
    let mut profile = Profile::default();
    learn(&mut profile, EventKind::Purchase, &products[1], T0);
    let config = ProfileConfig::default();
    let snapshot = profile.snapshot(T0 + DAY_MS, &config);
    let mut list: Vec<Candidate> = products.iter().map(Candidate::new).collect();
    list[7].pin = Some(0);
    list[5].boost = 5.0;
    list[0].in_stock = false;
    let unboosted = {
        let mut plain = list.clone();
        plain[5].boost = 1.0;
        ids(
            &products,
            &rank(&plain, &RankOptions::default(), Some(&snapshot)).unwrap(),
        )
    };
    let ranked = rank(&list, &RankOptions::default(), Some(&snapshot)).unwrap();
    let order = ids(&products, &ranked);
    assert_eq!(order[0], "p8", "pinned first: {order:?}");
    assert_eq!(ranked[0].reason, Reason::Pinned);
    let at = |order: &[String]| order.iter().position(|id| id == "p6").unwrap();
    assert!(
        at(&order) + 2 <= at(&unboosted) || at(&order) == 1,
        "a boost of 5 moves it well up: {unboosted:?} -> {order:?}"
    );
    assert_eq!(
        ranked[at(&order)].reason,
        Reason::Promoted,
        "and says so: {ranked:?}"
    );
    assert_eq!(order.last().unwrap(), "p1", "out of stock last");
    assert_eq!(ranked.last().unwrap().reason, Reason::OutOfStock);
    let bought = order.iter().position(|id| id == "p2").unwrap();
    assert_eq!(
        bought,
        order.len() - 2,
        "the phone just bought is held back"
    );
    assert_eq!(ranked[bought].reason, Reason::BoughtRecently);

    // A consumable is never held back; "hide" leaves out-of-stock products out.
    list[1].consumable = true;
    let options = RankOptions {
        out_of_stock: OutOfStock::Hide,
        ..RankOptions::default()
    };
    let ranked = rank(&list, &options, Some(&snapshot)).unwrap();
    let order = ids(&products, &ranked);
    assert!(!order.contains(&"p1".to_owned()));
    assert_ne!(ranked.last().unwrap().reason, Reason::BoughtRecently);
}

#[test]
fn shop_scores_set_the_base_order() {
    let products = phones();
    let mut list: Vec<Candidate> = products.iter().map(Candidate::new).collect();
    for (i, candidate) in list.iter_mut().enumerate() {
        candidate.base = Some(i as f64);
    }
    let ranked = rank(&list, &RankOptions::default(), None).unwrap();
    assert_eq!(
        ids(&products, &ranked)[0],
        "p8",
        "the highest shop score leads"
    );
    list[2].base = Some(f64::NAN);
    let error = rank(&list, &RankOptions::default(), None).unwrap_err();
    assert_eq!(error.code().as_str(), "invalid_product");
    assert!(error.to_string().contains("index 2"), "{error}");
}

#[test]
fn exploration_is_deterministic_per_seed_and_keeps_the_first_position() {
    let products: Vec<Product> = (0..60)
        .map(|i| Product::new(format!("x{i}")).with_category("tops"))
        .collect();
    let mut profile = Profile::default();
    learn(&mut profile, EventKind::View, &products[30], T0);
    let config = ProfileConfig::default();
    let snapshot = profile.snapshot(T0 + MINUTE, &config);
    let list: Vec<Candidate> = products.iter().map(Candidate::new).collect();
    let with_seed = |seed: f64| {
        let options = RankOptions {
            exploration: 0.2,
            seed,
            ..RankOptions::default()
        };
        rank(&list, &options, Some(&snapshot)).unwrap()
    };
    let (a, b, c) = (with_seed(1.0), with_seed(1.0), with_seed(2.0));
    assert_eq!(a, b, "one page view, one order");
    assert_ne!(
        ids(&products, &a),
        ids(&products, &c),
        "another page view explores elsewhere"
    );
    assert_eq!(
        a[0].reason,
        Reason::Viewed,
        "the first position is never explored"
    );
    let explored = a.iter().filter(|r| r.reason == Reason::Exploration).count();
    assert!(
        (4..=24).contains(&explored),
        "about a fifth of 59 positions: {explored}"
    );
}

#[test]
fn similar_items_leave_the_anchor_out_and_prefer_its_brand_and_price() {
    let products = phones();
    let list: Vec<Candidate> = products.iter().map(Candidate::new).collect();
    let anchor = &products[0]; // Samsung at 999
    let ranked = similar_to(anchor, &list, &RankOptions::default(), None).unwrap();
    let order = ids(&products, &ranked);
    assert!(!order.contains(&"p1".to_owned()));
    assert_eq!(order[0], "p2", "same brand, closest price: {order:?}");
    assert_eq!(ranked[0].reason, Reason::LikeThis);
    assert!(similarity(anchor, &products[1]) > similarity(anchor, &products[6]));
    assert_eq!(similarity(anchor, anchor), 1.0);
}

#[test]
fn reasons_name_the_facet_value_they_are_about() {
    let products = phones();
    let mut profile = Profile::default();
    for i in 0..5 {
        learn(
            &mut profile,
            EventKind::View,
            &products[3],
            T0 - 3.0 * DAY_MS + f64::from(i),
        );
    }
    let config = ProfileConfig::default();
    let snapshot = profile.snapshot(T0, &config);
    let list: Vec<Candidate> = products.iter().map(Candidate::new).collect();
    let ranked = rank(&list, &RankOptions::default(), Some(&snapshot)).unwrap();
    let apple = ranked
        .iter()
        .find(|r| products[r.index].id == "p5")
        .unwrap();
    assert!(matches!(apple.reason, Reason::Interest(_)), "{apple:?}");
    assert_eq!(
        reason_value(&products[apple.index], apple.reason),
        Some(("brand", "Apple"))
    );
    for reason in [
        Reason::Pinned,
        Reason::Stated(3),
        Reason::Interest(7),
        Reason::OutOfStock,
    ] {
        assert_eq!(Reason::from_number(reason.number()), Some(reason));
    }
}

fn brand_of(products: &[Product], r: &shelfwise_core::Ranked) -> Option<String> {
    products[r.index].brand.clone()
}

fn arb_candidates() -> impl Strategy<Value = Vec<(Product, Option<u32>, f64, bool)>> {
    prop::collection::vec(
        (
            "[a-z]{1,4}",
            prop::sample::select(vec!["a", "b", "c"]),
            proptest::option::of(prop::sample::select(vec!["Apple", "Nike", "Dior", "Acme"])),
            proptest::option::of(0.0..500.0f64),
            proptest::option::weighted(0.2, 0u32..12),
            prop::sample::select(vec![0.5, 1.0, 1.0, 2.0]),
            prop::bool::weighted(0.9),
        )
            .prop_map(|(id, category, brand, price, pin, boost, in_stock)| {
                let mut product = Product::new(id).with_category(category);
                if let Some(brand) = brand {
                    product = product.with_brand(brand);
                }
                if let Some(price) = price {
                    product = product.with_price(price);
                }
                (product, pin, boost, in_stock)
            }),
        0..30,
    )
}

fn arb_options() -> impl Strategy<Value = RankOptions> {
    (
        0.0..=1.0f64,
        0.0..=1.0f64,
        0.0..=0.5f64,
        0u32..1000,
        0usize..3,
    )
        .prop_map(
            |(strength, diversity, exploration, seed, stock)| RankOptions {
                strength,
                diversity,
                exploration,
                seed: f64::from(seed),
                out_of_stock: [OutOfStock::Last, OutOfStock::Hide, OutOfStock::Keep][stock],
                ..RankOptions::default()
            },
        )
}

proptest! {
    #[test]
    fn any_options_give_a_permutation_with_pins_where_asked(
        rows in arb_candidates(),
        history in prop::collection::vec((0usize..30, 0.0..1e8f64), 0..20),
        options in arb_options(),
    ) {
        let products: Vec<Product> = rows.iter().map(|r| r.0.clone()).collect();
        let list: Vec<Candidate> = rows.iter().enumerate().map(|(i, (_, pin, boost, in_stock))| Candidate {
            pin: *pin,
            boost: *boost,
            in_stock: *in_stock,
            ..Candidate::new(&products[i])
        }).collect();
        let mut profile = Profile::default();
        for (i, offset) in history {
            if let Some(product) = products.get(i) {
                learn(&mut profile, EventKind::View, product, T0 + offset);
            }
        }
        let config = ProfileConfig::default();
        let snapshot = profile.snapshot(T0 + 2e8, &config);
        let ranked = rank(&list, &options, Some(&snapshot)).unwrap();
        prop_assert_eq!(&ranked, &rank(&list, &options, Some(&snapshot)).unwrap(), "deterministic");

        // A permutation of what is shown: everything, less out of stock under "hide".
        let mut shown: Vec<usize> = ranked.iter().map(|r| r.index).collect();
        shown.sort_unstable();
        let expected: Vec<usize> = (0..list.len())
            .filter(|i| list[*i].in_stock || options.out_of_stock != OutOfStock::Hide)
            .collect();
        prop_assert_eq!(&shown, &expected);

        // Pins land where asked: taking pins by (position, input order), each lands at
        // its position, or the next free one after an earlier pin, or last.
        let mut pins: Vec<(u32, usize)> = ranked.iter().filter_map(|r| list[r.index].pin.map(|p| (p, r.index))).collect();
        pins.sort_unstable();
        let mut next_free = 0;
        let unpinned = ranked.len() - pins.len();
        for (k, (at, index)) in pins.iter().enumerate() {
            let want = (*at as usize).max(next_free).min(unpinned + k);
            let got = ranked.iter().position(|r| r.index == *index).unwrap();
            prop_assert_eq!(got, want, "pin {} of {:?}", at, pins);
            prop_assert_eq!(ranked[got].reason, Reason::Pinned);
            next_free = want + 1;
        }
    }

    #[test]
    fn full_diversity_never_repeats_a_brand_while_another_is_left(
        rows in arb_candidates(),
        strength in 0.0..=1.0f64,
    ) {
        let products: Vec<Product> = rows.iter().map(|r| r.0.clone()).collect();
        let list: Vec<Candidate> = products.iter().map(Candidate::new).collect();
        let options = RankOptions { strength, diversity: 1.0, ..RankOptions::default() };
        let ranked = rank(&list, &options, None).unwrap();
        for i in 1..ranked.len() {
            let brand = brand_of(&products, &ranked[i]);
            if brand.is_some() && brand == brand_of(&products, &ranked[i - 1]) {
                // Only when every product still to place has that brand.
                prop_assert!(
                    ranked[i..].iter().all(|r| brand_of(&products, r) == brand),
                    "a run of {:?} at {} while others were left", brand, i
                );
            }
        }
    }

    #[test]
    fn strength_zero_without_rules_is_the_shop_order(
        rows in arb_candidates(),
        history in prop::collection::vec((0usize..30, 0.0..1e8f64), 0..20),
    ) {
        let products: Vec<Product> = rows.iter().map(|r| r.0.clone()).collect();
        let list: Vec<Candidate> = products.iter().map(Candidate::new).collect();
        let mut profile = Profile::default();
        for (i, offset) in history {
            if let Some(product) = products.get(i) {
                learn(&mut profile, EventKind::Purchase, product, T0 + offset);
            }
        }
        let config = ProfileConfig::default();
        let snapshot = profile.snapshot(T0 + 2e8, &config);
        let ranked = rank(&list, &RankOptions::with_strength(0.0), Some(&snapshot)).unwrap();
        prop_assert_eq!(ranked.iter().map(|r| r.index).collect::<Vec<_>>(), (0..list.len()).collect::<Vec<_>>());
    }
}

/// A profile with `orders` orders, the last `days_ago` days before `T0`, over `visits`.
fn customer(orders: u32, days_ago: f64, visits: u32) -> Profile {
    let mut profile = Profile::default();
    let product = Product::new("mug")
        .with_category("kitchen")
        .with_price(20.0);
    for visit in 0..visits {
        let at = T0 - 400.0 * DAY_MS + f64::from(visit) * DAY_MS;
        learn(&mut profile, EventKind::View, &product, at);
    }
    for order in 0..orders {
        let at = T0 - days_ago * DAY_MS - f64::from(orders - 1 - order) * DAY_MS;
        learn(&mut profile, EventKind::Purchase, &product, at);
    }
    profile
}

#[test]
fn segments_follow_their_documented_thresholds() {
    let config = ProfileConfig::default();
    let segment = |profile: &Profile| profile.insights(T0, &config).segment;
    assert_eq!(segment(&Profile::default()), Segment::New);
    assert_eq!(segment(&customer(0, 0.0, 1)), Segment::New);
    assert_eq!(segment(&customer(0, 0.0, 2)), Segment::Returning);
    let mut prospect = customer(0, 0.0, 1);
    let shirt = Product::new("shirt").with_category("tops");
    learn(&mut prospect, EventKind::AddToCart, &shirt, T0 - DAY_MS);
    assert_eq!(segment(&prospect), Segment::Prospect);
    assert_eq!(segment(&customer(1, 3.0, 1)), Segment::FirstTimeCustomer);
    assert_eq!(segment(&customer(2, 3.0, 1)), Segment::RepeatCustomer);
    assert_eq!(segment(&customer(3, 3.0, 1)), Segment::RepeatCustomer);
    assert_eq!(
        segment(&customer(4, 3.0, 1)),
        Segment::Loyal,
        "loyalOrders 4"
    );
    assert_eq!(segment(&customer(4, 59.0, 1)), Segment::Loyal);
    assert_eq!(
        segment(&customer(4, 60.0, 1)),
        Segment::AtRisk,
        "atRiskDays 60"
    );
    assert_eq!(segment(&customer(1, 179.0, 1)), Segment::AtRisk);
    assert_eq!(
        segment(&customer(1, 180.0, 1)),
        Segment::Lapsed,
        "lapsedDays 180"
    );

    // Thresholds are the shop's.
    let mut shop = ProfileConfig::default();
    shop.set("segments.loyalOrders", 2.0).unwrap();
    shop.set("segments.atRiskDays", 10.0).unwrap();
    assert_eq!(
        customer(2, 3.0, 1).insights(T0, &shop).segment,
        Segment::Loyal
    );
    assert_eq!(
        customer(2, 11.0, 1).insights(T0, &shop).segment,
        Segment::AtRisk
    );
    assert!(shop.set("segments.lapsedDays", 0.0).is_err());
}

#[test]
fn rfm_scores_follow_their_edges() {
    let config = ProfileConfig::default();
    assert_eq!(Profile::default().insights(T0, &config).rfm, (0, 0, 0));
    // One order of 20 yesterday: most recent, least frequent, least spent.
    assert_eq!(customer(1, 1.0, 1).insights(T0, &config).rfm, (5, 1, 1));
    // Five orders (100 spent), the last 45 days ago.
    assert_eq!(customer(5, 45.0, 1).insights(T0, &config).rfm, (3, 4, 3));
    assert_eq!(customer(10, 400.0, 1).insights(T0, &config).rfm, (1, 5, 3));
}

#[test]
fn modules_cart_reminder_replenishment_sizes_and_price_sensitivity() {
    let config = ProfileConfig::default();
    let mut profile = Profile::default();
    let coffee = Product::new("coffee")
        .with_category("groceries")
        .with_price(9.0);
    for week in 0..3 {
        let at = T0 - 21.0 * DAY_MS + f64::from(week) * 7.0 * DAY_MS;
        learn(&mut profile, EventKind::Purchase, &coffee, at);
    }
    let shoe = Product::new("runner")
        .with_category("shoes/running")
        .with_price(80.0)
        .with_facet("size", "42")
        .with_facet("deal", "sale");
    learn(&mut profile, EventKind::AddToCart, &shoe, T0 - 2.0 * DAY_MS);
    let insights = profile.insights(T0, &config);
    let due = &insights.replenishment;
    assert_eq!(due.len(), 1);
    assert_eq!(due[0].id, "coffee");
    assert_eq!(due[0].interval_ms, 7.0 * DAY_MS);
    assert_eq!(due[0].due_ms, T0, "bought every 7 days, last 7 days ago");
    assert_eq!(
        insights.cart_reminder.len(),
        1,
        "left in the cart two days ago"
    );
    assert_eq!(insights.sizes[0].category, "shoes/running");
    assert_eq!(insights.sizes[0].size, "42");
    let sensitivity = insights.price_sensitivity.unwrap();
    assert!(sensitivity > 0.0 && sensitivity < 1.0, "{sensitivity}");

    // A line touched a minute ago is not a reminder yet; a product bought once is not due.
    let mut fresh = Profile::default();
    learn(&mut fresh, EventKind::AddToCart, &shoe, T0 - MINUTE);
    learn(&mut fresh, EventKind::Purchase, &coffee, T0 - 30.0 * DAY_MS);
    let insights = fresh.insights(T0, &config);
    assert!(insights.cart_reminder.is_empty());
    assert!(insights.replenishment.is_empty());
}

/// A REES46 log line: `event_time,event_type,product_id,category_id,category_code,brand,price,user_id,user_session`.
mod slots {
    use super::*;
    use shelfwise_core::slots::{fill_slots, Conditions, Context, SlotItem};
    use shelfwise_core::{Engine, MemoryStore};

    const WEDNESDAY_10H: Context = Context {
        now_ms: T0,
        hour: 10,
        weekday: 3,
        device: 2,
        locale: "de-AT",
        segment: Segment::New,
    };

    fn item<'a>(product: &'a Product, priority: f64, conditions: Conditions<'a>) -> SlotItem<'a> {
        SlotItem {
            candidate: Candidate {
                base: Some(priority),
                ..Candidate::new(product)
            },
            slots: 0,
            fallback: false,
            conditions,
        }
    }

    #[test]
    fn conditions_allow_only_what_matches_the_context() {
        let allow = |conditions: Conditions| conditions.allow(&WEDNESDAY_10H, 0);
        assert!(allow(Conditions::default()));
        assert!(allow(Conditions {
            hours: (9, 17),
            ..Default::default()
        }));
        assert!(!allow(Conditions {
            hours: (22, 6),
            ..Default::default()
        }));
        assert!(
            allow(Conditions {
                hours: (22, 11),
                ..Default::default()
            }),
            "across midnight"
        );
        assert!(!allow(Conditions {
            weekdays: 0b100_0001,
            ..Default::default()
        }));
        assert!(allow(Conditions {
            weekdays: 1 << 3,
            ..Default::default()
        }));
        assert!(!allow(Conditions {
            from_ms: Some(T0 + 1.0),
            ..Default::default()
        }));
        assert!(!allow(Conditions {
            until_ms: Some(T0),
            ..Default::default()
        }));
        assert!(!allow(Conditions {
            devices: 1,
            ..Default::default()
        }));
        assert!(
            allow(Conditions {
                segments: 1,
                ..Default::default()
            }),
            "new"
        );
        assert!(
            !allow(Conditions {
                segments: 1 << 5,
                ..Default::default()
            }),
            "loyal"
        );
        assert!(allow(Conditions {
            locales: &["DE"],
            ..Default::default()
        }));
        assert!(allow(Conditions {
            locales: &["fr", "de-at"],
            ..Default::default()
        }));
        assert!(
            !allow(Conditions {
                locales: &["d"],
                ..Default::default()
            }),
            "a prefix is a whole subtag"
        );
        let capped = Conditions {
            cap_per_day: 2,
            ..Default::default()
        };
        assert!(capped.allow(&WEDNESDAY_10H, 1));
        assert!(!capped.allow(&WEDNESDAY_10H, 2));
    }

    #[test]
    fn each_slot_takes_the_best_item_allowed_there_once_then_fallbacks() {
        let products: Vec<Product> = ["a", "b", "c", "fallback"]
            .into_iter()
            .map(Product::new)
            .collect();
        let mut items: Vec<SlotItem> = products
            .iter()
            .zip([3.0, 2.0, 1.0, 9.0])
            .map(|(p, priority)| item(p, priority, Conditions::default()))
            .collect();
        items[0].slots = 0b10; // only the second slot
        items[3].fallback = true;
        items[2].conditions.hours = (0, 1); // never at 10:00
        let none = |_: &str| 0;
        let filled = fill_slots(
            4,
            &items,
            &WEDNESDAY_10H,
            &RankOptions::default(),
            None,
            &none,
        )
        .unwrap();
        let ids: Vec<Option<&str>> = filled
            .iter()
            .map(|slot| slot.map(|r| products[r.index].id.as_str()))
            .collect();
        assert_eq!(ids, [Some("b"), Some("a"), Some("fallback"), None]);
    }

    #[test]
    fn frequency_caps_hold_across_reloads_and_reset_the_next_day() {
        let banner = Product::new("slot:spring").with_category("garden");
        let other = Product::new("slot:other");
        let capped = Conditions {
            cap_per_day: 2,
            ..Default::default()
        };
        let items = [
            item(&banner, 2.0, capped),
            item(&other, 1.0, Conditions::default()),
        ];
        let mut engine = Engine::open("shop", MemoryStore::new()).unwrap();
        engine.grant_consent(true, false, T0).unwrap();
        let first = |engine: &Engine<MemoryStore>, now_ms: f64| {
            let context = Context {
                now_ms,
                ..WEDNESDAY_10H
            };
            let filled = engine
                .fill_slots(1, &items, &context, &RankOptions::default())
                .unwrap();
            filled[0].map(|r| r.index)
        };
        for shown in 0..2 {
            assert_eq!(
                first(&engine, T0 + f64::from(shown)),
                Some(0),
                "shown {shown} times"
            );
            assert!(engine.track(&Event::new(
                EventKind::Impression,
                banner.clone(),
                T0 + f64::from(shown)
            )));
        }
        assert_eq!(first(&engine, T0 + 10.0), Some(1), "capped at two a day");
        engine.flush();
        let reopened = Engine::open("shop", engine.store().clone()).unwrap();
        assert_eq!(first(&reopened, T0 + 20.0), Some(1), "the count is stored");
        assert_eq!(
            reopened.profile().events,
            0,
            "impressions are not learned as taste"
        );
        let tomorrow = (T0 / DAY_MS).floor() * DAY_MS + DAY_MS;
        assert_eq!(first(&reopened, tomorrow), Some(0), "a new day");
    }
}

#[test]
fn a_durable_good_is_held_back_from_half_an_hour_after_its_purchase() {
    // Right after buying, shoppers go back to what they bought: it ranks on its merits
    // during that half hour, then is held back for `boughtWithinDays`.
    let products = phones();
    let mut profile = Profile::default();
    learn(&mut profile, EventKind::Purchase, &products[1], T0);
    let config = ProfileConfig::default();
    let list: Vec<Candidate> = products.iter().map(Candidate::new).collect();
    let reason_at = |at: f64| {
        let snapshot = profile.snapshot(at, &config);
        let ranked = rank(&list, &RankOptions::default(), Some(&snapshot)).unwrap();
        ranked
            .iter()
            .find(|r| products[r.index].id == "p2")
            .unwrap()
            .reason
    };
    let minute = 60_000.0;
    assert_ne!(reason_at(T0 + minute), Reason::BoughtRecently);
    assert_ne!(reason_at(T0 + 29.0 * minute), Reason::BoughtRecently);
    assert_eq!(reason_at(T0 + 30.0 * minute), Reason::BoughtRecently);
    assert_eq!(reason_at(T0 + 29.0 * DAY_MS), Reason::BoughtRecently);
    assert_ne!(reason_at(T0 + 31.0 * DAY_MS), Reason::BoughtRecently);
}
