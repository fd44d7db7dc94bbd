//! Native tests of the core through its public API: consent gating, persistence,
//! several tabs sharing one storage, ranking guarantees and input validation.
#![cfg(not(target_arch = "wasm32"))]

mod common;

use proptest::prelude::*;
use shelfwise_core::consent::{ConsentModeState, Source, TcfState};
use shelfwise_core::event::EventDetails;
use shelfwise_core::profile::{BRAND, CATEGORY};
use shelfwise_core::{
    candidates, rank, ConsentPolicy, ConsentStatus, Engine, ErrorCode, Event, EventInput,
    EventKind, MemoryStore, Product, RankOptions, Reason, Signals, StorageMode, Store,
};
use shelfwise_core::{validate_items, ProductInput, ProfileConfig};

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
            &candidates(products),
            &RankOptions::with_strength(strength),
            T0 + 10.0 * MINUTE,
        )
        .unwrap()
        .into_iter()
        .map(|r| products[r.index].id.clone())
        .collect()
}

fn shop_order(products: &[Product]) -> Vec<String> {
    products.iter().map(|p| p.id.clone()).collect()
}

#[test]
fn nothing_is_learned_or_written_before_consent() {
    let products = catalogue();
    let mut engine = Engine::open("shop", MemoryStore::new()).unwrap();
    assert_eq!(engine.consent().personalization.as_str(), "unknown");
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
    assert_eq!(ranked[0], "8", "the laptop viewed last leads: {ranked:?}");
    let full = order(&reopened, &products, 1.0);
    assert_eq!(
        &full[..3],
        ["8", "5", "2"],
        "at full strength the viewed laptops lead, the latest first: {full:?}"
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
    engine.grant_consent(true, false, T0).unwrap();
    engine.track(&view(&products[0], T0));
    engine.withdraw_consent(T0 + MINUTE).unwrap();

    assert_eq!(engine.consent().personalization.as_str(), "denied");
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
    engine.grant_consent(true, false, T0).unwrap();
    engine.track(&view(&products[0], T0));
    // Another tab withdrew: the envelope is gone from the shared storage.
    engine.store_mut().entries.clear();
    engine.track(&view(&products[1], T0 + MINUTE));
    assert!(!engine.flush());
    assert!(
        engine.store().entries.is_empty(),
        "nothing written back: {:?}",
        engine.store().entries
    );
    assert_eq!(engine.consent().personalization.as_str(), "unknown");
    assert!(!engine.track(&view(&products[1], T0 + 2.0 * MINUTE)));
}

use common::Shared;

fn tab(store: &Shared, id: &str) -> Engine<Shared> {
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
fn two_granted_tabs(store: &Shared) -> (Engine<Shared>, Engine<Shared>) {
    let mut a = tab(store, "a");
    a.grant_consent(true, false, T0).unwrap();
    let b = tab(store, "b");
    assert_eq!(b.consent().personalization.as_str(), "granted");
    (a, b)
}

#[test]
fn two_tabs_tracking_at_once_lose_no_event() {
    let store = Shared::default();
    let products = catalogue();
    let (mut a, mut b) = two_granted_tabs(&store);
    // Interleaved tracking, flushing, compacting and reloading in both tabs.
    for i in 0..500u32 {
        let at = T0 + f64::from(i) * 1000.0;
        assert!(a.track(&view(&products[(i % 8) as usize], at)));
        assert!(b.track(&view(&products[((i + 3) % 8) as usize], at + 1.0)));
        if i % 7 == 0 && a.flush() {
            a.compact(at).unwrap();
        }
        if i % 11 == 0 && b.flush() {
            b.compact(at).unwrap();
        }
        if i % 97 == 0 {
            a.compact(at).unwrap();
            b.reload();
        }
    }
    a.flush();
    b.flush();
    assert_eq!(
        tab(&store, "c").profile().events,
        1000,
        "every event counted exactly once"
    );
    a.reload();
    assert_eq!(a.profile().events, 1000);
    b.compact(T0 + 1e6).unwrap();
    a.compact(T0 + 1e6).unwrap();
    assert_eq!(
        tab(&store, "d").profile().events,
        1000,
        "and still after compaction"
    );
    // Journals stay until a later look at the envelope confirms them.
    b.compact(T0 + 2e6).unwrap();
    a.compact(T0 + 2e6).unwrap();
    assert_eq!(tab(&store, "e").profile().events, 1000);
    assert_eq!(
        common::shelfwise_keys(&store),
        ["shelfwise:shop:v3"],
        "journals folded in"
    );
}

#[test]
fn a_late_write_of_an_older_envelope_loses_no_event() {
    let store = Shared::default();
    let (mut a, _b) = two_granted_tabs(&store);
    let products = catalogue();
    for i in 0..10u32 {
        assert!(a.track(&view(&products[(i % 8) as usize], T0 + f64::from(i))));
    }
    a.flush();
    let older = store.get("shelfwise:shop:v3").unwrap().unwrap();
    a.compact(T0 + 100.0).unwrap();
    // Another page, in another process, writes the envelope it read before that
    // compaction reached it (browsers pass localStorage writes between processes late).
    let mut other_process = store.clone();
    other_process.set("shelfwise:shop:v3", &older).unwrap();
    assert_eq!(tab(&store, "c").profile().events, 10, "still journaled");
    a.compact(T0 + 200.0).unwrap();
    assert_eq!(tab(&store, "d").profile().events, 10, "folded in again");
    // Once an envelope on file has shown them for CONFIRM_AFTER_MS, they go: removed by
    // the next compaction of any tab, even after this one is gone.
    drop(a);
    let mut later = tab(&store, "f");
    later.compact(T0 + 10_000.0).unwrap();
    assert_eq!(common::shelfwise_keys(&store), ["shelfwise:shop:v3"]);
    assert_eq!(tab(&store, "e").profile().events, 10);
}

#[test]
fn a_repeated_grant_in_a_stale_tab_keeps_what_another_tab_compacted() {
    let store = Shared::default();
    let (mut a, mut b) = two_granted_tabs(&store);
    let products = catalogue();
    for i in 0..10 {
        assert!(b.track(&view(&products[i % 8], T0 + f64::from(i as u32))));
    }
    b.flush();
    b.compact(T0 + 20.0).unwrap();
    assert_eq!(
        tab(&store, "c").profile().events,
        10,
        "b's journal folded in"
    );
    // `a` still holds the envelope it read before b compacted.
    a.grant_consent(true, false, T0 + 30.0).unwrap();
    assert_eq!(
        a.profile().events,
        10,
        "the grant builds on the envelope on file"
    );
    assert_eq!(
        tab(&store, "c").profile().events,
        10,
        "nothing was overwritten"
    );
}

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
fn withdrawal_in_one_tab_while_another_tracks_leaves_nothing() {
    let store = Shared::default();
    let products = catalogue();
    let (mut a, mut b) = two_granted_tabs(&store);
    for i in 0..10 {
        b.track(&view(&products[i % 8], T0 + i as f64));
    }
    b.flush();
    a.withdraw_consent(T0 + 1.0).unwrap();
    // b has not heard yet and keeps tracking, then tries to write.
    b.track(&view(&products[1], T0 + 2.0));
    b.flush();
    b.compact(T0 + 3.0).unwrap();
    assert!(
        common::shelfwise_keys(&store).is_empty(),
        "left: {:?}",
        common::shelfwise_keys(&store)
    );
    assert_eq!(b.consent().personalization.as_str(), "unknown");
    assert!(!b.track(&view(&products[1], T0 + 4.0)));
}

#[test]
fn erase_in_one_tab_drops_what_the_others_had_not_written() {
    let store = Shared::default();
    let products = catalogue();
    let (mut a, mut b) = two_granted_tabs(&store);
    b.track(&view(&products[1], T0));
    a.erase(T0 + 1.0).unwrap();
    b.flush();
    assert!(b.profile().is_empty());
    let c = tab(&store, "c");
    assert_eq!(c.profile().events, 0);
    assert_eq!(c.consent().personalization.as_str(), "granted");
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

fn knows_brand(profile: &shelfwise_core::Profile, brand: &str) -> bool {
    profile
        .taste
        .get(BRAND)
        .and_then(|v| v.get(brand))
        .is_some()
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

/// A vector of tests/fixtures/tcf-v2-vectors.json (from prebid/go-gdpr): purposes 1 to
/// 10 consented, no publisher segment, vendors 3 to 7 among those with consent.
const TC_ALL_PURPOSES: &str = "COwDzqZOwDzqZN4ABMENAPCAAP4AAP-AAAhoAFQAYABgAOABQAAAAA";

/// The signals of a CMP that decoded `tc` for `vendor_id` (an unreadable string gives
/// no choices, as a CMP has none to report).
fn tcf_for(tc: &str, vendor_id: Option<u32>) -> Signals {
    let choices = shelfwise_core::tcf::decode(tc)
        .ok()
        .map(|decoded| decoded.choices(vendor_id));
    Signals {
        tcf: Some(TcfState {
            gdpr_applies: true,
            choices,
        }),
        ..Signals::default()
    }
}

fn tcf(tc: &str) -> Signals {
    tcf_for(tc, None)
}

#[test]
fn gpc_denies_until_the_shopper_grants_in_the_shop() {
    let mut engine = Engine::open("shop", MemoryStore::new()).unwrap();
    let gpc = Signals {
        gpc: true,
        ..Signals::default()
    };
    engine.set_signals(gpc.clone(), T0).unwrap();
    assert_eq!(engine.consent().personalization.as_str(), "denied");
    assert_eq!(engine.consent().source, Some(Source::Gpc));
    assert!(!engine.track(&view(&catalogue()[0], T0)));
    assert!(engine.store().entries.is_empty());
    engine.grant_consent(true, false, T0 + 1.0).unwrap();
    engine.set_signals(gpc, T0 + 2.0).unwrap();
    assert_eq!(
        engine.consent().personalization.as_str(),
        "granted",
        "an explicit grant wins over GPC"
    );

    let policy = ConsentPolicy {
        respect_gpc: false,
        tcf_vendor_id: None,
    };
    let mut lenient = with_policy(policy);
    lenient
        .set_signals(
            Signals {
                gpc: true,
                ..Signals::default()
            },
            T0,
        )
        .unwrap();
    assert_eq!(
        lenient.consent().personalization.as_str(),
        "unknown",
        "a shop may choose not to read GPC"
    );
}

#[test]
fn tcf_decides_with_purposes_1_5_6_and_the_latest_decision_wins() {
    let decoded = shelfwise_core::tcf::decode(TC_ALL_PURPOSES).unwrap();
    assert!(decoded.choices(None).grants(&[1, 5, 6], None));
    let updated = decoded.choices(None).last_updated_ms;
    assert_eq!(
        shelfwise_core::tcf::last_updated_ms(TC_ALL_PURPOSES),
        Some(updated),
        "the header alone gives the decision's date"
    );

    // A CMP grant newer than anything else grants, and writes the record.
    let mut engine = Engine::open("shop", MemoryStore::new()).unwrap();
    engine.set_signals(tcf(TC_ALL_PURPOSES), T0).unwrap();
    assert_eq!(engine.consent().personalization.as_str(), "granted");
    assert_eq!(engine.consent().source, Some(Source::Tcf));
    assert!(engine.track(&view(&catalogue()[1], T0)));

    // A shopper's withdrawal after that TC string wins, and the same string (older) does
    // not grant again.
    engine.withdraw_consent(updated + 1.0).unwrap();
    engine.set_signals(tcf(TC_ALL_PURPOSES), T0).unwrap();
    assert_eq!(engine.consent().personalization.as_str(), "denied");
    assert!(engine.store().entries.is_empty());

    // With a vendor id the vendor needs consent too: an unlisted vendor is denied, and a
    // newer CMP denial erases what a grant had stored.
    let policy = ConsentPolicy {
        respect_gpc: true,
        tcf_vendor_id: Some(9_999),
    };
    let mut strict = with_policy(policy);
    strict.grant_consent(true, false, updated - 1.0).unwrap();
    assert!(strict.track(&view(&catalogue()[1], updated - 1.0)));
    strict
        .set_signals(tcf_for(TC_ALL_PURPOSES, Some(9_999)), T0)
        .unwrap();
    assert_eq!(strict.consent().personalization.as_str(), "denied");
    assert!(strict.store().entries.is_empty(), "the CMP's denial erased");

    // GDPR not applying, or an unreadable string, decides nothing.
    let mut other = Engine::open("shop", MemoryStore::new()).unwrap();
    let mut not_applying = tcf(TC_ALL_PURPOSES);
    not_applying.tcf.as_mut().unwrap().gdpr_applies = false;
    other.set_signals(not_applying, T0).unwrap();
    other.set_signals(tcf("CO"), T0).unwrap();
    assert_eq!(other.consent().personalization.as_str(), "unknown");
}

#[test]
fn consent_mode_defaults_and_updates() {
    let mut engine = Engine::open("shop", MemoryStore::new()).unwrap();
    let mut signals = Signals {
        consent_mode_default: Some(ConsentModeState {
            personalization_storage: Some(ConsentStatus::Denied),
            analytics_storage: Some(ConsentStatus::Granted),
        }),
        ..Signals::default()
    };
    engine.set_signals(signals.clone(), T0).unwrap();
    let consent = engine.consent();
    assert_eq!(
        (
            consent.personalization.as_str(),
            consent.measurement.as_str()
        ),
        ("denied", "granted")
    );
    assert_eq!(consent.decided_ms, None, "a default, not a decision");
    signals.consent_mode_update = Some(ConsentModeState {
        personalization_storage: Some(ConsentStatus::Granted),
        analytics_storage: None,
    });
    engine.set_signals(signals.clone(), T0 + 5.0).unwrap();
    assert_eq!(engine.consent().personalization.as_str(), "granted");
    assert_eq!(engine.consent().decided_ms, Some(T0 + 5.0));
    assert!(engine.track(&view(&catalogue()[0], T0 + 6.0)));
    // The same update seen again is not a new decision: a later withdrawal stands.
    engine.withdraw_consent(T0 + 7.0).unwrap();
    engine.set_signals(signals, T0 + 8.0).unwrap();
    assert_eq!(engine.consent().personalization.as_str(), "denied");
}

fn arb_product() -> impl Strategy<Value = Product> {
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
        engine.grant_consent(true, false, T0).unwrap();
        for (kind, product, offset) in history {
            engine.track(&Event::new(kind, product, T0 + offset));
        }
        let options = RankOptions::with_strength(strength);
        let ranked = engine.rank(&candidates(&products), &options, T0 + 2e9).unwrap();
        let mut indices: Vec<usize> = ranked.iter().map(|r| r.index).collect();
        indices.sort_unstable();
        prop_assert_eq!(indices, (0..products.len()).collect::<Vec<_>>());
        // Scores fall within the products ranked on their merits (held-back ones follow).
        let merit: Vec<f64> = ranked.iter().filter(|r| !matches!(r.reason, Reason::NotInterested | Reason::BoughtRecently)).map(|r| r.score).collect();
        prop_assert!(merit.windows(2).all(|w| w[0] >= w[1]), "{:?}", ranked);
        prop_assert_eq!(&ranked, &engine.rank(&candidates(&products), &options, T0 + 2e9).unwrap());
        let unchanged = engine.rank(&candidates(&products), &RankOptions::with_strength(0.0), T0 + 2e9).unwrap();
        prop_assert_eq!(unchanged.iter().map(|r| r.index).collect::<Vec<_>>(), (0..products.len()).collect::<Vec<_>>());
    }

    #[test]
    fn without_a_profile_every_strength_keeps_the_shop_order(
        products in prop::collection::vec(arb_product(), 0..40),
        strength in 0.0..=1.0f64,
    ) {
        let ranked = rank(&candidates(&products), &RankOptions::with_strength(strength), None).unwrap();
        prop_assert_eq!(ranked.iter().map(|r| r.index).collect::<Vec<_>>(), (0..products.len()).collect::<Vec<_>>());
    }
    #[test]
    fn export_then_import_reproduces_the_profile_and_erase_leaves_nothing(
        history in prop::collection::vec((arb_kind(), arb_product(), 0.0..1e9f64), 1..40),
    ) {
        let mut engine = granted(MemoryStore::new());
        for (kind, product, offset) in history {
            engine.track(&Event::new(kind, product, T0 + offset));
        }
        engine.flush();
        let exported = engine.export();
        let mut fresh = granted(MemoryStore::new());
        fresh.import(&import_file(&exported), T0 + 2e9).unwrap();
        prop_assert_eq!(fresh.profile(), engine.profile());
        prop_assert_eq!(fresh.export(), exported);
        engine.erase(T0 + 2e9).unwrap();
        prop_assert!(engine.profile().is_empty());
        engine.withdraw_consent(T0 + 2e9).unwrap();
        prop_assert!(engine.store().entries.is_empty());
    }

    #[test]
    fn decay_never_increases_with_time(score in 0.0..1e6f64, a in 0.0..1e12f64, b in 0.0..1e12f64, half_life in 1.0..1e10f64) {
        let (early, late) = if a <= b { (a, b) } else { (b, a) };
        let at_early = shelfwise_core::profile::decay(score, 0.0, early, half_life);
        let at_late = shelfwise_core::profile::decay(score, 0.0, late, half_life);
        prop_assert!(at_late <= at_early && at_late >= 0.0);
    }

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
fn tracking_after_a_flush_goes_on() {
    let products = catalogue();
    let mut engine = Engine::open("shop", MemoryStore::new()).unwrap();
    engine.grant_consent(true, false, T0).unwrap();
    assert!(engine.track(&view(&products[0], T0)));
    engine.flush();
    assert!(
        engine.track(&view(&products[1], T0)),
        "{:?}",
        engine.consent()
    );
    engine.flush();
    assert_eq!(
        Engine::open("shop", engine.store().clone())
            .unwrap()
            .profile()
            .events,
        2
    );
}

/// The import fields of an export's JSON, as the JS face reads them.
fn import_file(json: &str) -> shelfwise_core::export::ImportFile {
    let value: serde_json::Value = serde_json::from_str(json).unwrap_or_default();
    let text = |key: &str| value.get(key).and_then(|v| v.as_str()).map(str::to_owned);
    shelfwise_core::export::ImportFile {
        format: text("format"),
        version: value.get("version").and_then(|v| v.as_f64()),
        checksum: text("checksum"),
        payload: text("payload"),
    }
}

fn with_policy(policy: ConsentPolicy) -> Engine<MemoryStore> {
    Engine::with_policy(
        "shop",
        "main",
        MemoryStore::new(),
        Default::default(),
        policy,
    )
    .unwrap()
}

fn granted(store: MemoryStore) -> Engine<MemoryStore> {
    let mut engine = Engine::open("shop", store).unwrap();
    engine.grant_consent(true, false, T0).unwrap();
    engine
}

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
    let bytes = shelfwise_core::codec::to_bytes(&profile);
    let file = shelfwise_core::export::ImportFile {
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
    };
    let mut engine = granted(MemoryStore::new());
    engine.import(&file, T0).unwrap();
    assert_eq!(engine.profile().measured.since_ms, None);
    assert!(engine.profile().measured.clicks.is_empty());
    let imported = engine.profile().clone();
    engine.import(&import_file(&engine.export()), T0).unwrap();
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
    let exported = engine.export();
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
    let round_trip = engine.export();
    assert_eq!(
        round_trip, exported,
        "export, erase, import, export: the same file"
    );
    engine.import(&import_file(&exported), T0).unwrap();
    assert_eq!(engine.export(), exported, "importing twice changes nothing");

    let mut no_consent = Engine::open("other", MemoryStore::new()).unwrap();
    let error = no_consent.import(&import_file(&exported), T0).unwrap_err();
    assert_eq!(error.code().as_str(), "consent_required");
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
    engine.hide_product("1", T0).unwrap();
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
            .hide_product("1", T0)
            .unwrap_err()
            .code()
            .as_str(),
        "consent_required"
    );
}
