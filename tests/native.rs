//! Native tests of the core through its public API: consent gating and signals,
//! persistence and its failure modes, several tabs, the preference center, ranking.
#![cfg(not(target_arch = "wasm32"))]

use std::cell::RefCell;
use std::rc::Rc;

use proptest::prelude::*;
use shelfwise::core::store::{seal, Keys, Record};
use shelfwise::core::{
    rank, Config, Engine, ErrorCode, Event, EventInput, EventKind, MemoryStore, Product,
    RankOptions, Signals, StorageMode, Store, StoreError,
};

const T0: f64 = 1_700_000_000_000.0;
const MINUTE: f64 = 60_000.0;

/// One storage shared by several engines, as tabs of one origin share localStorage.
#[derive(Clone, Default)]
struct Shared(Rc<RefCell<MemoryStore>>);

impl Store for Shared {
    fn get(&self, key: &str) -> Result<Option<String>, StoreError> {
        self.0.borrow().get(key)
    }
    fn set(&mut self, key: &str, value: &str) -> Result<(), StoreError> {
        self.0.borrow_mut().set(key, value)
    }
    fn remove(&mut self, key: &str) -> Result<(), StoreError> {
        self.0.borrow_mut().remove(key)
    }
    fn keys(&self, prefix: &str) -> Result<Vec<String>, StoreError> {
        self.0.borrow().keys(prefix)
    }
}

impl Shared {
    fn keys(&self) -> Vec<String> {
        self.0.borrow().entries.keys().cloned().collect()
    }
    fn shelfwise_keys(&self) -> Vec<String> {
        self.keys()
            .into_iter()
            .filter(|k| k.starts_with("shelfwise:"))
            .collect()
    }
}

/// The import fields of an export's JSON; anything unreadable becomes an empty file.
fn file(json: &str) -> shelfwise::core::export::ImportFile {
    shelfwise::core::export::ImportFile::from_json(json).unwrap_or(
        shelfwise::core::export::ImportFile {
            format: None,
            version: None,
            checksum: None,
            payload: None,
        },
    )
}

fn open(store: &Shared, tab: &str) -> Engine<Shared> {
    Engine::open("shop", tab, store.clone(), Config::default(), T0).unwrap()
}

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

fn event(json: &str, at: f64) -> Event {
    EventInput::from_json(json, at).unwrap()
}

fn order<S: Store>(engine: &Engine<S>, products: &[Product], strength: f64) -> Vec<String> {
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
    let store = Shared::default();
    let products = catalogue();
    let mut engine = open(&store, "a");
    assert_eq!(engine.consent().personalization.as_str(), "unknown");
    for p in &products {
        assert!(
            !engine.track(&view(p, T0)),
            "track without consent must not record"
        );
    }
    assert!(!engine.flush(T0));
    engine.compact(T0).unwrap();
    assert_eq!(store.0.borrow().writes, 0);
    assert!(store.keys().is_empty());
    assert!(engine.profile().is_empty());
    assert_eq!(order(&engine, &products, 1.0), shop_order(&products));
}

#[test]
fn profile_survives_reopening_and_moves_the_viewed_category_up() {
    let store = Shared::default();
    let products = catalogue();
    let mut engine = open(&store, "a");
    engine.grant_consent(true, false, T0).unwrap();
    for (i, id) in ["2", "5", "8"].iter().enumerate() {
        let laptop = products.iter().find(|p| p.id == *id).unwrap();
        assert!(engine.track(&view(laptop, T0 + i as f64 * MINUTE)));
    }
    engine.flush(T0 + 3.0 * MINUTE);
    assert_eq!(
        store.shelfwise_keys(),
        ["shelfwise:shop:v2", "shelfwise:shop:v2:j:a"]
    );

    let reopened = open(&store, "b");
    assert_eq!(reopened.consent().personalization.as_str(), "granted");
    assert_eq!(reopened.profile().stats.events, 3);
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
    let top3: Vec<&str> = full[..3].iter().map(String::as_str).collect();
    assert!(
        top3.iter().all(|id| ["2", "5", "8"].contains(id)),
        "laptops lead: {full:?}"
    );
}

#[test]
fn withdrawal_erases_every_shelfwise_key_and_only_those() {
    let store = Shared::default();
    store
        .0
        .borrow_mut()
        .entries
        .insert("shelfwise:other:v2".into(), "x".into());
    store
        .0
        .borrow_mut()
        .entries
        .insert("shelfwise:shop:v1".into(), "old".into());
    store
        .0
        .borrow_mut()
        .entries
        .insert("cart".into(), "[1,2]".into());
    let products = catalogue();
    let mut engine = open(&store, "a");
    engine.grant_consent(true, true, T0).unwrap();
    engine.track(&view(&products[0], T0));
    engine.flush(T0);
    engine.withdraw_consent(T0 + MINUTE).unwrap();

    assert_eq!(engine.consent().personalization.as_str(), "denied");
    assert!(engine.profile().is_empty());
    assert_eq!(
        store.keys(),
        ["cart"],
        "the shop's own keys stay, all Shelfwise keys go"
    );
    assert!(!engine.track(&view(&products[0], T0 + 2.0 * MINUTE)));
    engine.flush(T0 + 2.0 * MINUTE);
    assert_eq!(store.keys(), ["cart"]);
}

#[test]
fn two_tabs_tracking_at_once_lose_no_event() {
    let store = Shared::default();
    let products = catalogue();
    let mut a = open(&store, "a");
    a.grant_consent(true, false, T0).unwrap();
    let mut b = open(&store, "b");
    assert_eq!(b.consent().personalization.as_str(), "granted");
    // Interleaved tracking, flushing and compacting in both tabs.
    for i in 0..500u32 {
        let at = T0 + f64::from(i) * 1000.0;
        assert!(a.track(&view(&products[(i % 8) as usize], at)));
        assert!(b.track(&view(&products[((i + 3) % 8) as usize], at + 1.0)));
        if i % 7 == 0 {
            a.flush(at);
        }
        if i % 11 == 0 && b.flush(at) {
            b.compact(at).unwrap();
        }
        if i % 97 == 0 {
            a.compact(at).unwrap();
            b.reload(at).unwrap();
        }
    }
    a.flush(T0 + 600_000.0);
    b.flush(T0 + 600_000.0);
    let c = open(&store, "c");
    assert_eq!(
        c.profile().stats.events,
        1000,
        "every event counted exactly once"
    );
    a.reload(T0 + 600_000.0).unwrap();
    assert_eq!(a.profile().stats.events, 1000);
    b.compact(T0 + 600_000.0).unwrap();
    assert_eq!(
        open(&store, "d").profile().stats.events,
        1000,
        "and still after compaction"
    );
}

#[test]
fn withdrawal_in_one_tab_while_another_tracks_leaves_nothing() {
    let store = Shared::default();
    let products = catalogue();
    let mut a = open(&store, "a");
    a.grant_consent(true, false, T0).unwrap();
    let mut b = open(&store, "b");
    for i in 0..10 {
        b.track(&view(&products[i % 8], T0 + i as f64));
    }
    b.flush(T0);
    a.withdraw_consent(T0 + 1.0).unwrap();
    // b has not heard yet and keeps tracking, then tries to write.
    b.track(&view(&products[1], T0 + 2.0));
    b.flush(T0 + 3.0);
    b.compact(T0 + 3.0).unwrap();
    assert!(
        store.shelfwise_keys().is_empty(),
        "left: {:?}",
        store.shelfwise_keys()
    );
    assert_eq!(b.consent().personalization.as_str(), "unknown");
    assert!(!b.track(&view(&products[1], T0 + 4.0)));
}

#[test]
fn erase_in_one_tab_drops_what_the_others_had_not_written() {
    let store = Shared::default();
    let products = catalogue();
    let mut a = open(&store, "a");
    a.grant_consent(true, false, T0).unwrap();
    let mut b = open(&store, "b");
    b.track(&view(&products[1], T0));
    a.erase(T0 + 1.0).unwrap();
    b.flush(T0 + 2.0);
    assert!(b.profile().is_empty());
    assert_eq!(open(&store, "c").profile().stats.events, 0);
    assert_eq!(
        open(&store, "c").consent().personalization.as_str(),
        "granted"
    );
}

#[test]
fn blocked_or_full_storage_degrades_to_memory_without_losing_events() {
    let store = Shared::default();
    let products = catalogue();
    let mut engine = open(&store, "a");
    engine.grant_consent(true, false, T0).unwrap();
    store.0.borrow_mut().full = true;
    for i in 0..100 {
        assert!(engine.track(&view(&products[i % 8], T0 + i as f64)));
        engine.flush(T0 + i as f64);
    }
    assert_eq!(engine.storage_mode(), StorageMode::Memory);
    assert!(engine
        .take_warnings()
        .iter()
        .any(|w| w.code == "storage_full"));
    assert_eq!(
        engine.profile().stats.events,
        100,
        "events are kept in memory"
    );
    assert_ne!(
        order(&engine, &products, 1.0),
        shop_order(&products),
        "ranking keeps working"
    );

    let blocked = Shared::default();
    blocked.0.borrow_mut().blocked = true;
    let mut engine = open(&blocked, "a");
    assert_eq!(engine.storage_mode(), StorageMode::Memory);
    engine.grant_consent(true, false, T0).unwrap();
    assert!(engine.track(&view(&products[0], T0)));
    assert_eq!(engine.profile().stats.events, 1);
}

#[test]
fn unreadable_records_are_salvaged_or_replaced_never_thrown() {
    let keys = Keys::new("shop");
    let mut granted = Record::new(
        shelfwise::core::Consent::decided(
            shelfwise::core::ConsentStatus::Granted,
            shelfwise::core::ConsentStatus::Unknown,
            T0,
            shelfwise::core::consent::Source::Shopper,
        ),
        1,
    );
    granted.profile.stats.events = 7;
    let sealed = granted.to_sealed();
    let body = sealed.splitn(3, ':').nth(2).unwrap().to_owned();
    let mut denied = granted.clone();
    denied.consent.personalization = shelfwise::core::ConsentStatus::Denied;
    let cases: Vec<(&str, String, &str, u64)> = vec![
        (
            "truncated",
            sealed[..sealed.len() / 2].to_owned(),
            "record_unreadable",
            0,
        ),
        (
            "edited but decodable",
            format!("sw2:0000000000000000:{body}"),
            "record_salvaged",
            7,
        ),
        (
            "garbage",
            "\u{0}\u{1}not ours".into(),
            "record_unreadable",
            0,
        ),
        (
            "not base64",
            "sw2:0000000000000000:***".into(),
            "record_unreadable",
            0,
        ),
        ("future", "sw3:0:AA".into(), "record_future_version", 0),
        ("no consent", denied.to_sealed(), "record_unreadable", 0),
        ("wrong shape", seal(&[1, 2, 3]), "record_unreadable", 0),
    ];
    for (name, value, warning, events) in cases {
        let store = Shared::default();
        store
            .0
            .borrow_mut()
            .entries
            .insert(keys.record.clone(), value);
        let mut engine = open(&store, "a");
        let warnings = engine.take_warnings();
        assert!(
            warnings.iter().any(|w| w.code == warning),
            "{name}: {warnings:?}"
        );
        assert_eq!(engine.profile().stats.events, events, "{name}");
        // It keeps working: consent and learning go on.
        engine.grant_consent(true, false, T0).unwrap();
        assert!(engine.track(&view(&catalogue()[0], T0)), "{name}");
    }
}

#[test]
fn version_one_profiles_migrate() {
    let store = Shared::default();
    store.0.borrow_mut().entries.insert(
        "shelfwise:shop:v1".into(),
        r#"{"v":1,"c":{"p":"granted","t":5},"p":{"c":[["laptops",[2.5,10,3]]],"b":[],"p":[],"e":3,"f":1,"l":10}}"#.into(),
    );
    let mut engine = open(&store, "a");
    assert!(engine
        .take_warnings()
        .iter()
        .any(|w| w.code == "record_migrated"));
    assert_eq!(engine.consent().personalization.as_str(), "granted");
    assert_eq!(engine.profile().stats.events, 3);
    assert_eq!(store.shelfwise_keys(), ["shelfwise:shop:v2"]);
}

#[test]
fn signals_decide_consent_latest_decision_first() {
    let store = Shared::default();
    let mut engine = open(&store, "a");
    let gpc = Signals {
        gpc: true,
        ..Signals::default()
    };
    engine.set_signals(gpc.clone(), T0).unwrap();
    assert_eq!(
        engine.consent().personalization.as_str(),
        "denied",
        "GPC denies by default"
    );
    engine.grant_consent(true, false, T0 + 1.0).unwrap();
    assert_eq!(
        engine.consent().personalization.as_str(),
        "granted",
        "an explicit grant in the shop wins"
    );

    // A CMP decision newer than the grant withdraws and erases.
    let tc = "CPAavcCPAavcCAGABCFRBKCsAP_AAH_AAAqIHFNf_X_fb3_j-_59_9t0eY1f9_7_v-0zjgeds-8Nyd_X_L8X5mM7vB36pq4KuR4Eu3LBAQdlHOHcTUmw6IkVqTPsbk2Mr7NKJ7PEinMbe2dYGH9_n9XT_ZKY79_____7__-_____7_f__-__3_vp9V---wOJAIMBAUAgAEMAAQIFCIQAAQhiQAAAABBCIBQJIAEqgAWVwEdoIEACAxAQgQAgBBQgwCAAQAAJKAgBACwQCAAiAQAAgAEAIAAEIAILACQEAAAEAJCAAiACECAgiAAg5DAgIgCCAFABAAAuJDACAMooASBAPGQGAAKAAqACGAEwALgAjgBlgDUAHZAPsA_ACMAFLAK2AbwBMQCbAFogLYAYEAw8BkQDOQGeAM-EQHwAVABWAC4AIYAZAAywBqADZAHYAPwAgABGAClgFPANYAdUA-QCGwEOgIvASIAmwBOwCkQFyAMCAYSAw8Bk4DOQGfCQAYADgBzgN_CQTgAEAALgAoACoAGQAOAAeABAACIAFQAMIAaABqADyAIYAigBMgCqAKwAWAAuABvADmAHoAQ0AiACJgEsAS4AmgBSgC3AGGAMgAZcA1ADVAGyAO8AewA-IB9gH6AQAAjABQQClgFPAL8AYoA1gBtADcAG8AOIAegA-QCGwEOgIqAReAkQBMQCZQE2AJ2AUOApEBYoC2AFyALvAYEAwYBhIDDQGHgMiAZIAycBlwDOQGfANIAadA1gDWQoAEAYQaBIACoAKwAXABDADIAGWANQAbIA7AB-AEAAIKARgApYBT4C0ALSAawA3gB1QD5AIbAQ6Ai8BIgCbAE7AKRAXIAwIBhIDDwGMAMnAZyAzwBnwcAEAA4Bv4qA2ABQAFQAQwAmABcAEcAMsAagA7AB-AEYAKXAWgBaQDeAJBATEAmwBTYC2AFyAMCAYeAyIBnIDPAGfANyHQWQAFwAUABUADIAHAAQAAiABdADAAMYAaABqADwAH0AQwBFACZAFUAVgAsABcADEAGYAN4AcwA9ACGAERAJYAmABNACjAFKALEAW4AwwBkADKAGiANQAbIA3wB3gD2gH2AfoBGACVAFBAKeAWKAtAC0gFzALyAX4AxQBuADiQHTAdQA9ACGwEOgIiAReAkEBIgCbAE7AKHAU0AqwBYsC2ALZAXAAuQBdoC7wGEgMNAYeAxIBjADHgGSAMnAZUAywBlwDOQGfANEgaQBpIDSwGnANYAbGPABAIqAb-QgZgALAAoABkAEQALgAYgBDACYAFUALgAYgAzABvAD0AI4AWIAygBqADfAHfAPsA_ACMAFBAKGAU-AtAC0gF-AMUAdQA9ACQQEiAJsAU0AsUBaMC2ALaAXAAuQBdoDDwGJAMiAZOAzkBngDPgGiANJAaWA4AlAyAAQAAsACgAGQAOAAigBgAGIAPAAiABMACqAFwAMQAZgA2gCGgEQARIAowBSgC3AGEAMoAaoA2QB3gD8AIwAU-AtAC0gGKANwAcQA6gCHQEXgJEATYAsUBbAC7QGHgMiAZOAywBnIDPAGfANIAawA4AmACARUA38pBBAAXABQAFQAMgAcABAACKAGAAYwA0ADUAHkAQwBFACYAFIAKoAWAAuABiADMAHMAQwAiABRgClAFiALcAZQA0QBqgDZAHfAPsA_ACMAFBAKGAVsAuYBeQDaAG4APQAh0BF4CRAE2AJ2AUOApoBWwCxQFsALgAXIAu0BhoDDwGMAMiAZIAycBlwDOQGeAM-gaQBpMDWANZAbGVABAA-Ab-A.YAAAAAAAAAAA";
    let decoded = shelfwise::core::tcf::decode(tc).unwrap();
    // Purposes 1, 5, 6 consented in this string; with an unlisted vendor it denies.
    let config = Config {
        tcf_vendor_id: Some(65_000),
        ..Config::default()
    };
    let mut strict = Engine::open(
        "shop",
        "b",
        Shared::default(),
        config,
        decoded.last_updated_ms() - 1.0,
    )
    .unwrap();
    strict
        .grant_consent(true, false, decoded.last_updated_ms() - 1.0)
        .unwrap();
    strict.track(&view(&catalogue()[0], decoded.last_updated_ms() - 1.0));
    let tcf = Signals {
        tcf: Some(shelfwise::core::consent::TcfState {
            gdpr_applies: true,
            tc_string: Some(tc.into()),
        }),
        ..Signals::default()
    };
    strict.set_signals(tcf.clone(), T0).unwrap();
    assert_eq!(
        strict.consent().personalization.as_str(),
        "denied",
        "newer CMP decision for an unlisted vendor"
    );
    assert!(
        strict.store().0.borrow().entries.is_empty(),
        "and it erased"
    );

    // The same string is an older decision than the shopper's grant above: ignored.
    engine.set_signals(tcf, T0 + 2.0).unwrap();
    assert_eq!(engine.consent().personalization.as_str(), "granted");

    // An unreadable TC string is ignored with a warning.
    let mut other = open(&Shared::default(), "c");
    other
        .set_signals(
            Signals {
                tcf: Some(shelfwise::core::consent::TcfState {
                    gdpr_applies: true,
                    tc_string: Some("CO".into()),
                }),
                ..Signals::default()
            },
            T0,
        )
        .unwrap();
    assert!(other
        .take_warnings()
        .iter()
        .any(|w| w.code == "tcf_unreadable"));
    assert_eq!(other.consent().personalization.as_str(), "unknown");
}

#[test]
fn preference_center_forget_export_import_erase() {
    let store = Shared::default();
    let mut engine = open(&store, "a");
    engine.grant_consent(true, false, T0).unwrap();
    for json in [
        r#"{"type":"view","product":{"id":1,"category":"shoes/running","brand":"Nike","price":120}}"#,
        r#"{"type":"purchase","items":[{"product":{"id":2,"category":"shoes/trail","brand":"Salomon","price":150},"quantity":1}]}"#,
        r#"{"type":"preference","facet":"style","value":"minimal","weight":1}"#,
        r#"{"type":"not_interested","facet":"brand","value":"Acme"}"#,
        r#"{"type":"search","query":"trail shoes","resultCount":4}"#,
    ] {
        assert!(engine.track(&event(json, T0)), "{json}");
    }
    let summary = engine.summary(T0).unwrap();
    let sentences: Vec<&str> = summary
        .interests
        .iter()
        .map(|i| i.sentence.as_str())
        .collect();
    assert!(
        sentences.contains(&"You bought Salomon products"),
        "{sentences:?}"
    );
    assert!(
        sentences.contains(&"You looked at shoes › running"),
        "{sentences:?}"
    );
    assert_eq!(
        summary.stated[0].sentence,
        "You told us you like style \u{201c}minimal\u{201d}"
    );
    assert_eq!(
        summary.not_interested[0].sentence,
        "You are not interested in Acme products"
    );
    assert_eq!(summary.recent_searches, ["trail shoes"]);
    assert_eq!(summary.orders, 1);

    let exported = engine.export(T0).unwrap();
    assert!(engine.forget("brand", "Nike", T0).unwrap());
    assert!(engine
        .profile()
        .taste
        .get("brand")
        .unwrap()
        .get("Nike")
        .is_none());
    assert!(!engine.forget("brand", "Nike", T0).unwrap());

    // Tampered and foreign files are rejected and change nothing.
    let before = engine.profile().clone();
    for bad in [
        tamper_payload(&exported),
        r#"{"format":"other","version":2}"#.to_owned(),
        exported.replace("\"version\":2", "\"version\":9"),
        "not json".to_owned(),
    ] {
        assert_eq!(
            engine.import(&file(&bad), T0).unwrap_err().code(),
            ErrorCode::InvalidImport
        );
    }
    assert_eq!(engine.profile(), &before);

    engine.erase(T0).unwrap();
    assert!(engine.profile().is_empty());
    assert_eq!(engine.consent().personalization.as_str(), "granted");
    engine.import(&file(&exported), T0).unwrap();
    assert!(
        engine
            .profile()
            .taste
            .get("brand")
            .unwrap()
            .get("Nike")
            .is_some(),
        "import restores"
    );
    assert_eq!(
        engine.export(T0).unwrap(),
        exported,
        "export → import is lossless"
    );
    engine.import(&file(&exported), T0).unwrap();
    assert_eq!(
        engine.export(T0).unwrap(),
        exported,
        "importing twice changes nothing"
    );
    assert_eq!(
        open(&store, "z").export(T0).unwrap(),
        exported,
        "and it was written"
    );
}

/// Flips one character of the export's payload.
fn tamper_payload(exported: &str) -> String {
    let start = exported.find("\"payload\":\"").unwrap() + 11;
    let mut bytes = exported.as_bytes().to_vec();
    bytes[start + 5] = if bytes[start + 5] == b'A' { b'B' } else { b'A' };
    String::from_utf8(bytes).unwrap()
}

#[test]
fn invalid_input_has_codes_and_changes_nothing() {
    let mut engine = open(&Shared::default(), "a");
    engine.grant_consent(true, false, T0).unwrap();
    engine.track(&event(
        r#"{"type":"add_to_cart","product":{"id":"9","category":"laptops","price":10}}"#,
        T0,
    ));
    let before = engine.profile().clone();
    for bad in [
        r#"{"type":"like","product":{"id":"1"}}"#,
        r#"{"type":"view","product":{"brand":"Apple"}}"#,
        r#"{"type":"view","product":{"id":"1","price":"NaN"}}"#,
        r#"{"type":"view","product":{"id":true}}"#,
        r#"{"type":"view","product":[]}"#,
    ] {
        let err = engine.track_json(bad, T0).unwrap_err();
        assert_eq!(err.code().as_str(), "invalid_event", "{bad}");
    }
    assert_eq!(engine.profile(), &before);
    for strength in [-0.1, 1.5, f64::NAN] {
        let err = engine
            .rank(&catalogue(), &RankOptions::with_strength(strength), T0)
            .unwrap_err();
        assert_eq!(err.code().as_str(), "invalid_options");
    }
    let err = Engine::open("no spaces", "a", MemoryStore::new(), Config::default(), T0)
        .err()
        .unwrap();
    assert_eq!(err.code().as_str(), "invalid_argument");
    let mut no_consent = open(&Shared::default(), "b");
    assert_eq!(
        no_consent
            .import(&file("{}"), T0)
            .unwrap_err()
            .code()
            .as_str(),
        "consent_required"
    );
}

#[test]
fn dismissed_products_and_values_go_last() {
    let mut engine = open(&Shared::default(), "a");
    engine.grant_consent(true, false, T0).unwrap();
    let products = catalogue();
    engine.track(&view(&products[0], T0));
    engine.track(&event(
        r#"{"type":"not_interested","product":{"id":"1"}}"#,
        T0,
    ));
    engine.track(&event(
        r#"{"type":"not_interested","facet":"category","value":"laptops"}"#,
        T0,
    ));
    let ranked = order(&engine, &products, 0.5);
    assert_eq!(&ranked[4..], ["1", "2", "5", "8"], "{ranked:?}");
}

fn arb_product() -> impl Strategy<Value = Product> {
    (
        "[a-z0-9]{1,6}",
        proptest::option::of(prop::sample::select(vec![
            "laptops",
            "shoes/running",
            "shoes/trail",
            "beauty",
            "tops",
        ])),
        proptest::option::of(prop::sample::select(vec!["Apple", "Nike", "Dior"])),
        proptest::option::of(0.0..5000.0f64),
    )
        .prop_map(|(id, category, brand, price)| Product {
            id,
            category: category.map(str::to_owned),
            brand: brand.map(str::to_owned),
            price,
            ..Product::default()
        })
}

/// Random events of every type with random (long, odd) labels.
fn arb_event_json() -> impl Strategy<Value = String> {
    let label = "[a-zA-Z0-9 éü/_-]{1,40}"
        .prop_map(|s| s.trim_matches(|c| c == '/' || c == ' ').replace("//", "/"));
    (0..9u8, label.clone(), label.clone(), label, 0.0..3000.0f64, 1..5u32).prop_map(|(kind, a, b, c, price, q)| {
        let a = if a.is_empty() { "x".to_owned() } else { a };
        let b = if b.is_empty() { "y".to_owned() } else { b };
        let c = if c.is_empty() { "z".to_owned() } else { c };
        let product = format!(
            r#"{{"id":"{a}","category":"{b}","brand":"{c}","price":{price},"tags":["{a}","{c}"],"variant":{{"size":"{q}","color":"{c}"}},"facets":{{"style":"{b}"}}}}"#
        );
        match kind {
            0 => format!(r#"{{"type":"view","product":{product},"dwellMs":{price}}}"#),
            1 => format!(r#"{{"type":"click","product":{product},"module":"m"}}"#),
            2 => format!(r#"{{"type":"add_to_cart","product":{product},"quantity":{q}}}"#),
            3 => format!(r#"{{"type":"remove_from_cart","product":{product}}}"#),
            4 => format!(r#"{{"type":"purchase","items":[{{"product":{product},"quantity":{q}}}]}}"#),
            5 => format!(r#"{{"type":"wishlist","product":{product}}}"#),
            6 => format!(r#"{{"type":"search","query":"{a} {b}","resultCount":{q}}}"#),
            7 => format!(r#"{{"type":"preference","facet":"style","value":"{c}","weight":0.5}}"#),
            _ => format!(r#"{{"type":"not_interested","facet":"brand","value":"{a}"}}"#),
        }
    })
}

fn arb_kind() -> impl Strategy<Value = EventKind> {
    prop::sample::select(vec![
        EventKind::View,
        EventKind::AddToCart,
        EventKind::Purchase,
        EventKind::Wishlist,
    ])
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, .. ProptestConfig::default() })]

    #[test]
    fn ranking_is_a_deterministic_permutation_and_strength_zero_is_the_shop_order(
        products in prop::collection::vec(arb_product(), 0..40),
        history in prop::collection::vec((arb_kind(), arb_product(), 0.0..1e9f64), 0..30),
        strength in 0.0..=1.0f64,
    ) {
        let mut engine = open(&Shared::default(), "a");
        engine.grant_consent(true, false, T0).unwrap();
        for (kind, product, offset) in history {
            engine.track(&Event::new(kind, product, T0 + offset));
        }
        let options = RankOptions::with_strength(strength);
        let ranked = engine.rank(&products, &options, T0 + 2e9).unwrap();
        let mut indices: Vec<usize> = ranked.iter().map(|r| r.index).collect();
        indices.sort_unstable();
        prop_assert_eq!(indices, (0..products.len()).collect::<Vec<_>>());
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

    #[test]
    fn stored_size_stays_bounded_and_export_import_round_trips(
        events in prop::collection::vec((arb_event_json(), 0.0..1e7f64), 1..300),
    ) {
        let store = Shared::default();
        let mut engine = open(&store, "a");
        engine.grant_consent(true, false, T0).unwrap();
        for (json, offset) in &events {
            let _ = engine.track_json(json, T0 + offset);
        }
        engine.compact(T0 + 2e7).unwrap();
        let record = store.0.borrow().entries.get("shelfwise:shop:v2").cloned().unwrap();
        prop_assert!(record.len() <= shelfwise::core::profile::MAX_STORED_BYTES, "{} bytes", record.len());
        let exported = engine.export(T0 + 2e7).unwrap();
        let mut fresh = open(&Shared::default(), "b");
        fresh.grant_consent(true, false, T0).unwrap();
        fresh.import(&file(&exported), T0 + 2e7).unwrap();
        prop_assert_eq!(fresh.export(T0 + 2e7).unwrap(), exported);
        engine.erase(T0 + 2e7).unwrap();
        prop_assert!(engine.profile().is_empty());
        prop_assert_eq!(store.shelfwise_keys(), vec!["shelfwise:shop:v2".to_owned()]);
        engine.withdraw_consent(T0 + 2e7).unwrap();
        prop_assert!(store.keys().is_empty());
    }

    #[test]
    fn decay_never_increases_with_time(score in 0.0..1e6f64, a in 0.0..1e12f64, b in 0.0..1e12f64, hl in 1.0..1e10f64) {
        let (early, late) = if a <= b { (a, b) } else { (b, a) };
        let at_early = shelfwise::core::profile::decay(score, 0.0, early, hl);
        let at_late = shelfwise::core::profile::decay(score, 0.0, late, hl);
        prop_assert!(at_late <= at_early);
        prop_assert!(at_late >= 0.0);
    }
}
