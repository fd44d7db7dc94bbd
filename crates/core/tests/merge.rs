//! Merging another device's export: sums without double counting, lists by time, the
//! latest decision winning, and the size bounds kept.
#![cfg(not(target_arch = "wasm32"))]

mod common;

use common::*;
use proptest::prelude::*;
use shelfwise_core::codec::to_bytes;
use shelfwise_core::profile::{Profile, MAX_DECIDED, MAX_PEERS, MAX_SEARCHES, MAX_VIEWED};
use shelfwise_core::{Engine, Event, EventKind, MemoryStore, Product};

const DAY: f64 = 86_400_000.0;

/// An engine of its own (a device) that learned `history` (offsets from `T0`).
fn device(history: &[(EventKind, Product, f64)]) -> Engine<MemoryStore> {
    let mut engine = granted(MemoryStore::new());
    for (kind, product, offset) in history {
        engine.track(&Event::new(*kind, product.clone(), T0 + offset));
    }
    engine.flush();
    engine
}

fn export(engine: &mut Engine<MemoryStore>, at: f64) -> shelfwise_core::export::ImportFile {
    import_file(&engine.export(at).unwrap())
}

fn merge(engine: &mut Engine<MemoryStore>, file: &shelfwise_core::export::ImportFile, at: f64) {
    engine.merge(file, at).unwrap();
}

/// The brand's long-term score at `at`.
fn brand_score(engine: &Engine<MemoryStore>, brand: &str, at: f64) -> f64 {
    engine.profile().learned("brand", brand).map_or(0.0, |a| {
        a.score_at(at, shelfwise_core::ProfileConfig::default().half_life_ms)
    })
}

fn phone_device() -> Engine<MemoryStore> {
    let products = catalogue();
    device(&[
        (EventKind::View, products[0].clone(), 0.0),
        (EventKind::View, products[4].clone(), MINUTE),
        (EventKind::Purchase, products[0].clone(), 2.0 * MINUTE),
    ])
}

fn laptop_device() -> Engine<MemoryStore> {
    let products = catalogue();
    device(&[
        (EventKind::View, products[1].clone(), DAY),
        (EventKind::View, products[5].clone(), DAY + MINUTE),
        (
            EventKind::AddToCart,
            products[6].clone(),
            DAY + 2.0 * MINUTE,
        ),
    ])
}

#[test]
fn a_merge_sums_both_devices_and_a_round_trip_counts_each_event_once() {
    let (mut phone, mut laptop) = (phone_device(), laptop_device());
    let at = T0 + 2.0 * DAY;
    let apple_on_phone = brand_score(&phone, "Apple", at);
    let dell_on_laptop = brand_score(&laptop, "Dell", at);
    assert!(apple_on_phone > 0.0 && dell_on_laptop > 0.0);

    let from_phone = export(&mut phone, at);
    merge(&mut laptop, &from_phone, at);
    assert!((brand_score(&laptop, "Apple", at) - apple_on_phone).abs() < 1e-9);
    assert!((brand_score(&laptop, "Dell", at) - dell_on_laptop).abs() < 1e-9);
    assert_eq!(laptop.profile().events, 6);
    assert_eq!(laptop.profile().orders, 1);
    let viewed: Vec<&str> = laptop
        .profile()
        .viewed
        .iter()
        .map(|(id, _)| id.as_str())
        .collect();
    assert_eq!(
        viewed,
        ["6", "2", "5", "1"],
        "recently viewed, interleaved by time"
    );
    assert_eq!(laptop.profile().cart.len(), 1);

    // Back to the phone: the phone's own events came home inside the laptop's file.
    let from_laptop = export(&mut laptop, at);
    merge(&mut phone, &from_laptop, at);
    assert!(
        (brand_score(&phone, "Apple", at) - apple_on_phone).abs() < 1e-9,
        "the phone's views are counted once, not twice"
    );
    assert!((brand_score(&phone, "Dell", at) - dell_on_laptop).abs() < 1e-9);
    assert_eq!(phone.profile().events, 6);
    assert_eq!(
        phone.profile().orders,
        1,
        "the order seen on both sides counts once"
    );
    assert_eq!(phone.profile().purchases[0].orders, 1);
    assert_eq!(phone.profile().spend, laptop.profile().spend);

    // Both devices now show the same.
    assert_eq!(phone.summary(at).unwrap(), laptop.summary(at).unwrap());
}

#[test]
fn merging_the_same_file_twice_changes_nothing_the_second_time() {
    let (mut phone, mut laptop) = (phone_device(), laptop_device());
    let at = T0 + 2.0 * DAY;
    let file = export(&mut phone, at);
    merge(&mut laptop, &file, at);
    let once = laptop.profile().clone();
    merge(&mut laptop, &file, at + MINUTE);
    assert_eq!(laptop.profile(), &once);
    // So does a newer file of the same device: only what is new counts.
    let products = catalogue();
    phone.track(&view(&products[0], T0 + 3.0 * DAY));
    phone.flush();
    let newer = export(&mut phone, T0 + 3.0 * DAY);
    merge(&mut laptop, &newer, T0 + 3.0 * DAY);
    let at = T0 + 3.0 * DAY;
    assert!((brand_score(&laptop, "Apple", at) - brand_score(&phone, "Apple", at)).abs() < 1e-9);
    assert_eq!(laptop.profile().events, 7);
    let stale = export(&mut phone, at);
    merge(&mut laptop, &file, at);
    merge(&mut laptop, &stale, at);
    assert_eq!(
        laptop.profile().events,
        7,
        "an older file of a device adds nothing"
    );
}

#[test]
fn a_moved_profile_stays_another_device_so_later_merges_add_only_what_is_new() {
    let (mut phone, mut laptop) = (phone_device(), laptop_device());
    laptop.erase(T0).unwrap();
    let at = T0 + 2.0 * DAY;
    // "Move my profile": the laptop takes the phone's profile as it is.
    laptop.import(&export(&mut phone, at), at).unwrap();
    assert_ne!(laptop.profile().origin, phone.profile().origin);
    let products = catalogue();
    laptop.track(&view(&products[1], at + MINUTE));
    laptop.flush();
    phone.track(&view(&products[4], at + 2.0 * MINUTE));
    phone.flush();
    let later = at + DAY;
    merge(&mut laptop, &export(&mut phone, later), later);
    merge(&mut phone, &export(&mut laptop, later), later);
    assert_eq!(laptop.profile().events, 5);
    assert_eq!(phone.profile().events, 5);
    for brand in ["Apple", "Dell"] {
        let (on_phone, on_laptop) = (
            brand_score(&phone, brand, later),
            brand_score(&laptop, brand, later),
        );
        assert!(
            on_phone > 0.0 && (on_phone - on_laptop).abs() < 1e-9,
            "{brand}"
        );
    }
}

#[test]
fn the_latest_decision_wins_statements_dismissals_forgetting_and_the_cart() {
    let (mut phone, mut laptop) = (phone_device(), laptop_device());
    let at = T0 + 2.0 * DAY;
    laptop.set_preference("style", "minimal", 1.0, at).unwrap();
    phone
        .set_preference("style", "minimal", -1.0, at + MINUTE)
        .unwrap();
    phone.hide_product("9", true, at).unwrap();
    laptop.hide_product("9", false, at + MINUTE).unwrap();
    phone.forget("brand", "Apple", at).unwrap();
    // The laptop heard of Apple only from the phone, before the phone forgot it.
    let mut with_apple = laptop_device();
    merge(
        &mut with_apple,
        &export(&mut phone_device(), at - DAY / 2.0),
        at - DAY / 2.0,
    );
    assert!(knows_brand(with_apple.profile(), "Apple"));
    merge(&mut with_apple, &export(&mut phone, at + DAY), at + DAY);
    assert!(
        !knows_brand(with_apple.profile(), "Apple"),
        "forgotten there after: forgotten here"
    );

    merge(&mut laptop, &export(&mut phone, at + DAY), at + DAY);
    let stated: Vec<_> = laptop.profile().stated.clone();
    assert_eq!(stated, [("style".to_owned(), "minimal".to_owned(), -1.0)]);
    assert!(
        laptop.profile().hidden.is_empty(),
        "taken back later on the laptop"
    );
    assert!(!knows_brand(laptop.profile(), "Apple"));

    // The cart: a line removed on one device is not brought back by the other's file.
    let products = catalogue();
    let mut buyer = laptop_device();
    let file = export(&mut buyer, at);
    buyer.track(&Event::new(
        EventKind::RemoveFromCart,
        products[6].clone(),
        at + MINUTE,
    ));
    buyer.flush();
    assert!(buyer.profile().cart.is_empty());
    merge(&mut buyer, &file, at + 2.0 * MINUTE);
    assert!(
        buyer.profile().cart.is_empty(),
        "the removal is newer than the file's line"
    );
    let mut other = laptop_device();
    merge(
        &mut other,
        &export(&mut buyer, at + 3.0 * MINUTE),
        at + 3.0 * MINUTE,
    );
    assert!(
        other.profile().cart.is_empty(),
        "the removal reaches the other device"
    );
}

#[test]
fn a_file_from_before_origins_merges_once() {
    let mut old = phone_device();
    let at = T0 + 2.0 * DAY;
    let mut profile = old.profile().clone();
    profile.origin = None;
    profile.peers.clear();
    profile.decided.clear();
    let file = export_file_of(&profile);
    let mut laptop = laptop_device();
    merge(&mut laptop, &file, at);
    let once = laptop.profile().clone();
    merge(&mut laptop, &file, at);
    assert_eq!(laptop.profile(), &once);
    assert_eq!(laptop.profile().events, 6);
    let _ = old.export(at).unwrap();
}

#[test]
fn merges_keep_the_stored_profile_within_its_bounds() {
    // Four full devices, each with a wide history, merged into one.
    let mut hub = granted(MemoryStore::new());
    for d in 0..4u32 {
        let mut history = Vec::new();
        for i in 0..400u32 {
            let product = Product::new(format!("d{d}p{i}"))
                .with_category(format!("c{}/s{}", i % 17, i % 5))
                .with_brand(format!("b{d}x{}", i % 41))
                .with_price(f64::from(i % 300) * 7.0)
                .with_facet("tag", format!("t{}", i % 29))
                .with_facet("size", format!("{}", 36 + i % 9));
            let kind =
                [EventKind::View, EventKind::AddToCart, EventKind::Purchase][(i % 3) as usize];
            history.push((kind, product, f64::from(d) * DAY + f64::from(i) * MINUTE));
        }
        let mut other = device(&history);
        for i in 0..40 {
            other
                .set_preference("style", &format!("s{d}{i}"), 1.0, T0 + f64::from(i))
                .unwrap();
            other
                .hide_product(&format!("h{d}{i}"), true, T0 + f64::from(i))
                .unwrap();
            other
                .search(&format!("query {d} {i}"), Some(3.0), T0 + f64::from(i))
                .unwrap();
        }
        merge(
            &mut hub,
            &export(&mut other, T0 + 5.0 * DAY),
            T0 + 5.0 * DAY,
        );
    }
    let profile = hub.profile();
    assert_eq!(profile.peers.len(), MAX_PEERS);
    assert!(profile.decided.len() <= MAX_DECIDED);
    assert!(profile.viewed.len() <= MAX_VIEWED && profile.searches.len() <= MAX_SEARCHES);
    let stored = to_bytes(profile).len();
    assert!(stored <= 32 * 1024, "the stored profile is {stored} bytes");
}

/// Scores (to six decimals) per facet value, recently viewed, searches, cart lines, events.
type Shown = (
    Vec<(String, String, i64)>,
    Vec<String>,
    Vec<String>,
    Vec<(String, u32)>,
    u64,
);

/// The affinities, lists and counts a profile shows (not which device holds it).
fn shown(profile: &Profile, at: f64) -> Shown {
    let half_life = shelfwise_core::ProfileConfig::default().half_life_ms;
    let mut taste: Vec<(String, String, i64)> = profile
        .taste
        .0
        .iter()
        .flat_map(|(facet, values)| {
            values.0.iter().map(move |(value, a)| {
                (
                    facet.clone(),
                    value.clone(),
                    (a.score_at(at, half_life) * 1e6).round() as i64,
                )
            })
        })
        .collect();
    taste.sort();
    let viewed = profile.viewed.iter().map(|(id, _)| id.clone()).collect();
    let mut searches: Vec<String> = profile.searches.iter().map(|(q, _)| q.clone()).collect();
    searches.sort();
    let mut cart: Vec<(String, u32)> = profile
        .cart
        .iter()
        .map(|l| (l.id.clone(), l.quantity))
        .collect();
    cart.sort();
    (taste, viewed, searches, cart, profile.events)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    #[test]
    fn merging_is_commutative_idempotent_and_bounded(
        first in prop::collection::vec((arb_kind(), arb_product(), 0.0..1e9f64), 0..25),
        second in prop::collection::vec((arb_kind(), arb_product(), 0.0..1e9f64), 0..25),
    ) {
        let at = T0 + 2e9;
        let (mut a, mut b) = (device(&first), device(&second));
        let (from_a, from_b) = (export(&mut a, at), export(&mut b, at));
        let (mut a_then_b, mut b_then_a) = (a, b);
        merge(&mut a_then_b, &from_b, at);
        merge(&mut b_then_a, &from_a, at);
        prop_assert_eq!(shown(a_then_b.profile(), at), shown(b_then_a.profile(), at));

        let once = a_then_b.profile().clone();
        merge(&mut a_then_b, &from_b, at + 1.0);
        prop_assert_eq!(a_then_b.profile(), &once, "idempotent");
        merge(&mut a_then_b, &from_a, at + 1.0);
        prop_assert_eq!(a_then_b.profile(), &once, "its own file adds nothing");

        let events = once.events;
        prop_assert_eq!(events, (first.len() + second.len()) as u64);
        prop_assert!(once.viewed.len() <= MAX_VIEWED);
        prop_assert!(once.peers.len() <= MAX_PEERS);
    }
}

#[test]
fn a_later_file_of_the_same_device_never_counts_a_value_twice() {
    // The phone learned more brands than a peer snapshot keeps (`PEER_VALUES`, the
    // strongest 8 per facet): the brands it viewed once are the weak ones. Two files of
    // the phone, one after the other: a weak brand was once added whole by the first and
    // never taken back by the second, so it counted twice.
    let products: Vec<Product> = (0..14)
        .map(|i| Product::new(format!("p{i}")).with_brand(format!("B{i}")))
        .collect();
    let mut history: Vec<(EventKind, Product, f64)> = Vec::new();
    for (i, product) in products.iter().enumerate() {
        let views = if i < 8 { 3 } else { 1 };
        for v in 0..views {
            history.push((
                EventKind::View,
                product.clone(),
                (i * 3 + v) as f64 * MINUTE,
            ));
        }
    }
    let mut phone = device(&history);
    let mut laptop = device(&[]);
    let at = T0 + DAY;
    merge(&mut laptop, &export(&mut phone, at), at);
    phone.track(&view(&products[0], at + MINUTE));
    phone.flush();
    let later = at + 2.0 * MINUTE;
    merge(&mut laptop, &export(&mut phone, later), later);
    // The strongest brands arrive exactly; the weak ones beyond a snapshot not at all.
    for (i, product) in products.iter().enumerate() {
        let brand = product.brand.as_deref().unwrap();
        let (on_phone, on_laptop) = (
            brand_score(&phone, brand, later),
            brand_score(&laptop, brand, later),
        );
        let expected = if i < 8 { on_phone } else { 0.0 };
        assert!(
            on_phone > 0.0 && (on_laptop - expected).abs() < 1e-9,
            "{brand}: the phone has {on_phone}, the laptop {on_laptop}"
        );
    }
    assert_eq!(laptop.profile().events, phone.profile().events);
}
