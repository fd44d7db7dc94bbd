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

/// A TCF CMP's signals with purposes 1 to 10 consented (a vector of
/// tests/fixtures/tcf-v2-vectors.json, lastUpdated 2020-03-10). `loaded`: the CMP read the
/// choices from its own storage (`tcloaded`, a decision of an earlier visit) rather than
/// from the shopper on this page (`useractioncomplete`).
fn cmp_grant(loaded: bool) -> shelfwise_core::Signals {
    let tc = "COwDzqZOwDzqZN4ABMENAPCAAP4AAP-AAAhoAFQAYABgAOABQAAAAA";
    shelfwise_core::Signals {
        tcf: Some(shelfwise_core::consent::TcfState {
            gdpr_applies: true,
            choices: Some(shelfwise_core::tcf::decode(tc).unwrap().choices(None)),
            loaded,
        }),
        ..Default::default()
    }
}

const DAY: f64 = 86_400_000.0;

#[test]
fn a_cmp_grant_from_an_earlier_visit_with_nothing_on_file_is_an_evicted_profile() {
    let products = catalogue();
    // First visit: the shopper accepts in the CMP, and views two products.
    let mut first = Engine::open("shop", MemoryStore::new()).unwrap();
    first.set_signals(cmp_grant(false), T0).unwrap();
    assert_eq!(first.consent().personalization.as_str(), "granted");
    assert!(
        !first.evicted(),
        "decided on this page: nothing was expected on file"
    );
    first.track(&view(&products[1], T0));
    first.track(&view(&products[4], T0));
    first.flush();
    first.compact(T0).unwrap();
    let export = first.export(T0).unwrap();

    // A later visit: the CMP loads its stored choices, and the profile is on file.
    let mut second = Engine::open("shop", first.store().clone()).unwrap();
    second.set_signals(cmp_grant(true), T0 + DAY).unwrap();
    assert!(!second.evicted());
    assert_eq!(second.profile().events, 2);

    // Safari's ITP deleted the site's script-written storage after 7 days without a
    // visit; the CMP's own record (a cookie its server set) survived.
    let mut store = first.store().clone();
    store.entries.clear();
    let mut third = Engine::open("shop", store).unwrap();
    third.set_signals(cmp_grant(true), T0 + 9.0 * DAY).unwrap();
    assert!(
        third.evicted(),
        "a grant from an earlier visit, and nothing on file"
    );
    assert_eq!(third.consent().personalization.as_str(), "granted");
    assert_eq!(third.storage_mode(), StorageMode::Persistent);
    assert_eq!(third.profile().events, 0);
    assert!(
        third.store().entries.contains_key("shelfwise:shop:v3"),
        "the grant is on file again"
    );
    // Applying the same signals again (every page reads them) changes nothing.
    third.set_signals(cmp_grant(true), T0 + 9.0 * DAY).unwrap();
    assert!(third.evicted());
    // The shopper imports the file they downloaded: everything is back.
    third.import(&import_file(&export), T0 + 9.0 * DAY).unwrap();
    assert!(!third.evicted());
    assert_eq!(third.profile().events, 2);

    // The next visit finds the profile on file again.
    let mut fourth = Engine::open("shop", third.store().clone()).unwrap();
    fourth
        .set_signals(cmp_grant(true), T0 + 10.0 * DAY)
        .unwrap();
    assert!(!fourth.evicted());
    assert_eq!(fourth.profile().events, 2);
}

#[test]
fn a_grant_the_shop_has_on_record_tells_an_evicted_profile_from_a_new_one() {
    let products = catalogue();
    // A new shopper granting now: nothing was expected on file.
    let mut engine = Engine::open("shop", MemoryStore::new()).unwrap();
    engine.grant_consent(true, false, T0).unwrap();
    assert!(!engine.evicted());
    engine.track(&view(&products[0], T0));
    engine.flush();

    // Eight days later the storage is empty, and the shop's records say the shopper
    // granted on the first visit.
    let later = T0 + 8.0 * DAY;
    let mut store = engine.store().clone();
    store.entries.clear();
    let mut evicted = Engine::open("shop", store.clone()).unwrap();
    evicted.grant_recorded(true, false, T0, later).unwrap();
    assert!(evicted.evicted());
    assert_eq!(evicted.consent().decided_ms, Some(T0), "dated as recorded");
    // The shopper starts over: erasing clears the mark.
    evicted.erase(later).unwrap();
    assert!(!evicted.evicted());

    // The same record while the profile is on file: not evicted.
    let mut kept = Engine::open("shop", engine.store().clone()).unwrap();
    kept.grant_recorded(true, false, T0, later).unwrap();
    assert!(!kept.evicted());
    assert_eq!(kept.profile().events, 1);

    // A refusal made in this browser after the recorded grant stands.
    let mut refused = Engine::open("shop", MemoryStore::new()).unwrap();
    refused.withdraw_consent(T0 + DAY).unwrap();
    refused.grant_recorded(true, false, T0, later).unwrap();
    assert_eq!(refused.consent().personalization.as_str(), "denied");
    assert!(!refused.evicted());

    // A grant cannot be dated after now.
    let mut engine = Engine::open("shop", MemoryStore::new()).unwrap();
    let error = engine.grant_recorded(true, false, later, T0).unwrap_err();
    assert_eq!(error.code().as_str(), "invalid_argument");
    assert_eq!(engine.consent().personalization.as_str(), "unknown");
}

#[test]
fn storage_that_cannot_be_read_tells_nothing_about_eviction() {
    let mut store = MemoryStore::new();
    store.blocked = true;
    let mut engine = Engine::open("shop", store).unwrap();
    engine.set_signals(cmp_grant(true), T0).unwrap();
    assert_eq!(engine.consent().personalization.as_str(), "granted");
    assert_eq!(engine.storage_mode(), StorageMode::Memory);
    assert!(
        !engine.evicted(),
        "nothing could be read, so nothing is known"
    );
}

#[test]
fn writes_that_throw_from_the_first_as_in_private_browsing_keep_everything_in_memory() {
    // Reads work and find nothing; every write throws (QuotaExceededError).
    let products = catalogue();
    let mut store = MemoryStore::new();
    store.full = true;
    let mut engine = Engine::open("shop", store).unwrap();
    assert_eq!(
        engine.storage_mode(),
        StorageMode::Persistent,
        "nothing is written before consent, so nothing has failed yet"
    );
    engine.grant_consent(true, false, T0).unwrap();
    assert_eq!(
        engine.storage_mode(),
        StorageMode::Memory,
        "the grant's write threw"
    );
    assert!(!engine.evicted());
    // More than a journal holds before compaction (64): the in-memory fold runs too.
    for i in 0..78 {
        assert!(engine.track(&view(&products[i % products.len()], T0 + i as f64)));
    }
    engine.flush();
    engine.compact(T0 + 200.0).unwrap();
    assert_eq!(engine.storage_mode(), StorageMode::Memory);
    assert_eq!(engine.profile().events, 78, "every event kept in memory");
    assert_eq!(engine.consent().personalization.as_str(), "granted");
    let export = engine.export(T0).unwrap();
    assert!(engine.store().entries.is_empty(), "nothing reached storage");
    assert_eq!(engine.store().writes, 0);
    // The shopper can take the profile along: an export made in memory imports elsewhere.
    let mut elsewhere = Engine::open("shop", MemoryStore::new()).unwrap();
    elsewhere.grant_consent(true, false, T0 + DAY).unwrap();
    elsewhere.import(&import_file(&export), T0 + DAY).unwrap();
    assert_eq!(elsewhere.profile().events, 78);
}
