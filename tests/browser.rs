//! The wasm boundary in headless Chromium and Firefox (wasm-bindgen-test, run once per
//! browser by `npm test`): real `localStorage`, real JS errors.
#![cfg(target_arch = "wasm32")]

use shelfwise::Engine;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_test::*;
use web_sys::Storage;

wasm_bindgen_test_configure!(run_in_browser);

const NOW: f64 = 1_700_000_000_000.0;

fn local() -> Storage {
    web_sys::window().unwrap().local_storage().unwrap().unwrap()
}

fn session() -> Storage {
    web_sys::window()
        .unwrap()
        .session_storage()
        .unwrap()
        .unwrap()
}

fn keys(storage: &Storage) -> Vec<String> {
    (0..storage.length().unwrap())
        .filter_map(|i| storage.key(i).unwrap())
        .collect()
}

fn shelfwise_keys() -> Vec<String> {
    let mut all = keys(&local());
    all.extend(keys(&session()));
    all.retain(|k| k.starts_with("shelfwise:"));
    all
}

fn reset() {
    local().clear().unwrap();
    session().clear().unwrap();
}

fn open(namespace: &str) -> Result<Engine, JsValue> {
    Engine::new(namespace, "tab1", true, None, &[], "", "").map_err(JsValue::from)
}

/// The personalization status from the engine's consent JSON.
fn personalization(engine: &Engine) -> String {
    let state = js_sys::JSON::parse(&engine.consent_json()).unwrap();
    js_sys::Reflect::get(&state, &"personalization".into())
        .unwrap()
        .as_string()
        .unwrap()
}

/// One product as the JS face hands it to `track`: its strings interned, then one row
/// (no currency, tags or facets).
fn product(
    engine: &mut Engine,
    id: &str,
    category: Option<&str>,
    brand: Option<&str>,
    price: Option<f64>,
) -> Result<Vec<f64>, JsValue> {
    const NONE: f64 = u32::MAX as f64;
    let entries = [
        Some(format!("\u{1e}{id}")),
        category.map(|c| format!(":category\u{1e}{c}")),
        brand.map(|b| format!(":brand\u{1e}{b}")),
    ];
    let given: Vec<String> = entries.into_iter().flatten().collect();
    let ids = engine.intern(&given.join("\u{1f}"), &[0, 0, 0], true, false)?;
    let mut next = ids.iter().map(|id| f64::from(*id));
    let key = next.next().unwrap_or(NONE);
    let category = category.map_or(NONE, |_| next.next().unwrap_or(NONE));
    let brand = brand.map_or(NONE, |_| next.next().unwrap_or(NONE));
    let price = price.unwrap_or(f64::NAN);
    Ok(vec![
        key, category, brand, price, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0,
    ])
}

/// Tracks a view of product `id` in `category`.
fn view(engine: &mut Engine, id: u32, category: &str, at: f64) -> Result<bool, JsValue> {
    let brand = format!("B{id}");
    let price = f64::from(id) * 10.0 + 9.5;
    let row = product(
        engine,
        &id.to_string(),
        Some(category),
        Some(&brand),
        Some(price),
    )?;
    let learned = engine.track("view", &row, &[], "", None, &[], at)?;
    // Write at once, as the JS face does on pagehide.
    engine.flush();
    Ok(learned)
}

const GRID: [(u32, &str); 6] = [
    (1, "beauty"),
    (2, "groceries"),
    (3, "laptops"),
    (4, "beauty"),
    (5, "laptops"),
    (6, "tops"),
];

/// Rows for `rank` (product id, category, brand, price, extras, score, boost, pin,
/// flags) of products already interned as ids `keys`, in categories `categories`.
fn rows(keys: &[u32], categories: &[u32]) -> Vec<f64> {
    const NONE: f64 = u32::MAX as f64;
    keys.iter()
        .zip(categories)
        .flat_map(|(k, c)| {
            [
                f64::from(*k),
                f64::from(*c),
                NONE,
                f64::NAN,
                0.0,
                0.0,
                f64::NAN,
                1.0,
                -1.0,
                0.0,
            ]
        })
        .collect()
}

/// Ids of the grid in ranked order (`rank` returns `[position, score, reason, value, ...]`).
fn ranked_ids(engine: &mut Engine, strength: f64) -> Vec<u32> {
    let entries: Vec<String> = GRID
        .iter()
        .flat_map(|(id, category)| [format!("\u{1e}{id}"), format!(":category\u{1e}{category}")])
        .collect();
    let ids = engine
        .intern(&entries.join("\u{1f}"), &[0; 12], false, false)
        .unwrap();
    let keys: Vec<u32> = ids.iter().step_by(2).copied().collect();
    let categories: Vec<u32> = ids.iter().skip(1).step_by(2).copied().collect();
    let ranked = engine
        .rank(&rows(&keys, &categories), &[], &[1.0, strength], false, NOW)
        .unwrap();
    assert!(ranked.chunks(4).all(|t| t[1] >= 0.0));
    ranked.chunks(4).map(|t| t[0] as u32 + 1).collect()
}

/// The code of the error a view of `row` throws.
fn rejected_view(engine: &mut Engine, row: &[f64]) -> String {
    code_of(
        engine
            .track("view", row, &[], "", None, &[], NOW)
            .unwrap_err(),
    )
}

fn code_of(thrown: impl Into<JsValue>) -> String {
    let thrown: JsValue = thrown.into();
    let error = thrown.dyn_into::<js_sys::Error>().expect("a real Error");
    assert_eq!(error.name(), "ShelfwiseError");
    js_sys::Reflect::get(&error, &"code".into())
        .unwrap()
        .as_string()
        .unwrap()
}

#[wasm_bindgen_test]
fn nothing_is_written_to_any_storage_before_consent() {
    reset();
    local().set_item("shop:cart", "[3]").unwrap();
    let mut engine = open("before-consent").unwrap();
    assert_eq!(personalization(&engine), "unknown");
    assert!(!view(&mut engine, 3, "laptops", NOW).unwrap());
    assert!(!view(&mut engine, 5, "laptops", NOW).unwrap());
    assert_eq!(ranked_ids(&mut engine, 1.0), [1, 2, 3, 4, 5, 6]);
    engine.summary(NOW).unwrap();
    assert_eq!(keys(&local()), ["shop:cart"], "only the shop's own key");
    assert!(keys(&session()).is_empty());
}

#[wasm_bindgen_test]
fn profile_survives_a_new_instance() {
    reset();
    let mut first = open("survives").unwrap();
    first.grant_consent(true, false, NOW).unwrap();
    assert!(view(&mut first, 3, "laptops", NOW).unwrap());
    assert!(view(&mut first, 5, "laptops", NOW).unwrap());
    let mut keys = shelfwise_keys();
    keys.sort();
    assert_eq!(
        keys,
        ["shelfwise:survives:v3", "shelfwise:survives:v3:j:tab1"]
    );
    let stored = local().get_item("shelfwise:survives:v3").unwrap().unwrap();
    assert!(stored.starts_with("sw3:"), "sealed: {stored}");
    drop(first);

    let mut second = open("survives").unwrap();
    assert_eq!(personalization(&second), "granted");
    assert_eq!(second.storage_mode(), "persistent");
    let summary = second.summary(NOW).unwrap();
    assert!(summary.contains(r#""events":2"#), "{summary}");
    assert!(summary.contains(r#""value":"laptops""#), "{summary}");
    let order = ranked_ids(&mut second, 0.8);
    assert_eq!(
        &order[..2],
        [5, 3],
        "the viewed laptops lead, the latest first: {order:?}"
    );
}

#[wasm_bindgen_test]
fn withdrawal_leaves_no_shelfwise_key() {
    reset();
    local().set_item("shop:cart", "[3]").unwrap();
    session().set_item("shelfwise:stray:v1", "{}").unwrap();
    let mut other = open("other-namespace").unwrap();
    other.grant_consent(true, false, NOW).unwrap();
    let mut engine = open("withdraw").unwrap();
    engine.grant_consent(true, false, NOW).unwrap();
    view(&mut engine, 3, "laptops", NOW).unwrap();
    assert_eq!(shelfwise_keys().len(), 4, "{:?}", shelfwise_keys());

    engine.withdraw_consent(NOW).unwrap();
    assert!(shelfwise_keys().is_empty(), "left: {:?}", shelfwise_keys());
    // The shop's key stays, and the refusal alone is remembered (decision and time).
    let mut left = keys(&local());
    left.sort();
    assert_eq!(left, ["shelfwise-consent:withdraw", "shop:cart"]);
    let refusal = local()
        .get_item("shelfwise-consent:withdraw")
        .unwrap()
        .unwrap();
    assert_eq!(refusal, format!("denied denied {}", NOW as u64));
    assert_eq!(personalization(&engine), "denied");
    assert!(!view(&mut engine, 5, "laptops", NOW).unwrap());
    assert!(shelfwise_keys().is_empty());
}

#[wasm_bindgen_test]
fn bad_input_throws_an_error_with_a_code_and_changes_nothing() {
    reset();
    let mut engine = open("errors").unwrap();
    engine.grant_consent(true, false, NOW).unwrap();
    view(&mut engine, 3, "laptops", NOW).unwrap();
    let stored = local().get_item("shelfwise:errors:v3:j:tab1").unwrap();

    let row = product(&mut engine, "1", None, None, None).unwrap();
    assert_eq!(
        code_of(
            engine
                .track("teleport", &row, &[], "", None, &[], NOW)
                .unwrap_err()
        ),
        "invalid_event"
    );
    assert_eq!(
        rejected_view(&mut engine, &[]),
        "invalid_event",
        "no product"
    );
    let row = product(&mut engine, "1", None, None, Some(f64::INFINITY)).unwrap();
    assert_eq!(
        rejected_view(&mut engine, &row),
        "invalid_event",
        "a price that is not finite"
    );
    let forged = [7.0, 0.0, 0.0, 1.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0];
    assert_eq!(
        rejected_view(&mut engine, &forged),
        "invalid_event",
        "a product id never interned"
    );
    let empty_id = product(&mut engine, "", None, None, None).unwrap_err();
    assert_eq!(code_of(empty_id), "invalid_event", "empty id");
    let long = product(&mut engine, "1", Some(&"x".repeat(200)), None, None).unwrap_err();
    assert_eq!(code_of(long), "invalid_event", "long category");

    assert_eq!(
        code_of(engine.rank(&[], &[], &[1.0, 2.0], false, NOW).unwrap_err()),
        "invalid_options",
        "strength 2"
    );
    assert_eq!(
        code_of(
            engine
                .rank(&[], &[], &[16.0, 0.0, 0.0, 0.0, 0.0, 7.0], false, NOW)
                .unwrap_err()
        ),
        "invalid_options",
        "an outOfStock that is not last, hide or keep"
    );
    assert_eq!(
        code_of(
            engine
                .rank(&rows(&[40], &[0]), &[], &[], false, NOW)
                .unwrap_err()
        ),
        "invalid_product",
        "a product id never interned"
    );
    let entries = ["\u{1e}1", ":category\u{1e}bad\u{7}"].join("\u{1f}");
    let bad_product = JsValue::from(engine.intern(&entries, &[0, 1], false, false).unwrap_err());
    let message = String::from(js_sys::Error::from(bad_product.clone()).message());
    assert!(message.contains("index 1"), "{message}");
    assert_eq!(code_of(bad_product), "invalid_product");

    assert_eq!(
        local().get_item("shelfwise:errors:v3:j:tab1").unwrap(),
        stored,
        "profile unchanged"
    );
    assert!(
        view(&mut engine, 5, "laptops", NOW).unwrap(),
        "and the engine still works"
    );
}

#[wasm_bindgen_test]
fn damaged_storage_opens_without_a_throw_and_recovers() {
    reset();
    for (i, damaged) in [
        "sw3:0:%%%",
        "{\"v\":1,\"c\":{",
        "sw3:0123456789abcdef:AAAA",
        "sw9:0:AA",
        "",
    ]
    .iter()
    .enumerate()
    {
        let namespace = format!("damaged{i}");
        local()
            .set_item(&format!("shelfwise:{namespace}:v3"), damaged)
            .unwrap();
        let mut engine = open(&namespace).unwrap();
        assert_eq!(personalization(&engine), "unknown", "{damaged}");
        assert!(
            engine.take_warnings().contains("record_"),
            "{damaged}: a warning"
        );
        engine.grant_consent(true, false, NOW).unwrap();
        assert!(view(&mut engine, 1, "beauty", NOW).unwrap());
        assert_eq!(personalization(&open(&namespace).unwrap()), "granted");
    }
}

/// The page's signals: GPC on, no CMP, no Consent Mode.
fn gpc_only(engine: &mut Engine, at: f64) {
    engine.set_signals(1, "", &[0, 0, 0], at).unwrap();
}

#[wasm_bindgen_test]
fn gpc_denies_and_a_grant_in_the_shop_overrides_it() {
    reset();
    let mut engine = open("gpc").unwrap();
    gpc_only(&mut engine, NOW);
    assert_eq!(personalization(&engine), "denied");
    assert!(!view(&mut engine, 3, "laptops", NOW).unwrap());
    assert!(shelfwise_keys().is_empty());
    engine.grant_consent(true, false, NOW + 1.0).unwrap();
    gpc_only(&mut engine, NOW + 2.0);
    assert_eq!(personalization(&engine), "granted");
    assert!(view(&mut engine, 3, "laptops", NOW + 3.0).unwrap());
    // A shop may choose not to read GPC as a denial.
    let mut lenient = Engine::new("gpc-lenient", "tab1", false, None, &[], "", "").unwrap();
    gpc_only(&mut lenient, NOW);
    assert_eq!(personalization(&lenient), "unknown");
}

#[wasm_bindgen_test]
fn a_cmp_decision_grants_and_a_later_one_withdraws_and_erases() {
    reset();
    // Purposes 1 to 10 consented (a vector from tests/fixtures), lastUpdated 2020-03-10.
    let tc = "COwDzqZOwDzqZN4ABMENAPCAAP4AAP-AAAhoAFQAYABgAOABQAAAAA";
    let mut engine = open("cmp").unwrap();
    // The CMP's TCData (the string and the purposes it decoded), plus a Consent Mode
    // update for personalization storage.
    let signals = |engine: &mut Engine, update: Option<&str>, at: f64| {
        // A CMP answered, GDPR applies; Consent Mode's personalization update at bit 8.
        let update = match update {
            Some("denied") => 2 << 8,
            Some(_) => 1 << 8,
            None => 0,
        };
        let mut lists: Vec<u32> = vec![10];
        lists.extend(1..=10);
        lists.extend([0, 0]);
        engine.set_signals(2 | 4 | update, tc, &lists, at).unwrap();
    };
    signals(&mut engine, None, NOW);
    assert_eq!(personalization(&engine), "granted");
    assert!(view(&mut engine, 5, "laptops", NOW).unwrap());
    assert!(shelfwise_keys().contains(&"shelfwise:cmp:v3".to_owned()));
    // A Consent Mode update denying personalization storage, seen now: newer, so it wins.
    signals(&mut engine, Some("denied"), NOW + 1.0);
    assert_eq!(personalization(&engine), "denied");
    assert!(
        shelfwise_keys().is_empty(),
        "denial erased: {:?}",
        shelfwise_keys()
    );
}

/// Runs a piece of JavaScript in the test page (to break storage the way pages do).
fn run_js(source: &str) {
    js_sys::Function::new_no_args(source)
        .call0(&JsValue::NULL)
        .unwrap();
}

/// A granted record with two viewed laptops, sealed as Shelfwise stores it.
fn sealed_record() -> String {
    reset();
    let mut engine = open("source").unwrap();
    engine.grant_consent(true, false, NOW).unwrap();
    view(&mut engine, 3, "laptops", NOW).unwrap();
    view(&mut engine, 5, "laptops", NOW).unwrap();
    engine.compact(NOW).unwrap();
    local().get_item("shelfwise:source:v3").unwrap().unwrap()
}

#[wasm_bindgen_test]
fn twenty_kinds_of_damaged_or_hostile_stored_data_never_throw() {
    let sealed = sealed_record();
    let (head, payload) = sealed.split_at(21);
    let mut flipped = payload.as_bytes().to_vec();
    flipped[10] = if flipped[10] == b'A' { b'B' } else { b'A' };
    let flipped = format!("{head}{}", String::from_utf8(flipped).unwrap());
    // (stored value, whether the two views survive)
    let cases: Vec<(String, bool)> = vec![
        (String::new(), false),
        ("null".into(), false),
        ("{}".into(), false),
        ("{\"v\":1,\"c\":{".into(), false),
        ("sw3:".into(), false),
        ("sw3:abc".into(), false),
        ("sw3:0000000000000000:".into(), false),
        ("sw3:zzzzzzzzzzzzzzzz:AAAA".into(), false),
        ("sw3:0000000000000000:%%%%".into(), false),
        (
            "sw3:0000000000000000:q83vASNFZ4mrze8BI0VniavN7w".into(),
            false,
        ),
        (sealed[..sealed.len() / 2].to_owned(), false),
        (flipped, false),
        (format!("sw3:0000000000000000:{payload}"), true),
        ("sw4:0:AA".into(), false),
        ("sw10:0:AA".into(), false),
        (sealed.replacen("sw3", "SW3", 1), false),
        (
            format!("sw3:0000000000000000:{}", "A".repeat(200_000)),
            false,
        ),
        ("\u{1F4A5}\u{1F4A5}\u{1F4A5}".into(), false),
        ("sw3:ffffffffffffffff:/+/+/+".into(), false),
        (sealed.clone(), true),
    ];
    assert_eq!(cases.len(), 20);
    for (i, (value, survives)) in cases.into_iter().enumerate() {
        reset();
        let namespace = format!("hostile{i}");
        local()
            .set_item(&format!("shelfwise:{namespace}:v3"), &value)
            .unwrap();
        let mut engine = open(&namespace).expect("open never throws on stored data");
        let summary = engine.summary(NOW).unwrap();
        assert_eq!(
            summary.contains(r#""events":2"#),
            survives,
            "case {i}: {summary}"
        );
        let expected = if survives { "granted" } else { "unknown" };
        assert_eq!(personalization(&engine), expected, "case {i}");
        // And it keeps working: learning, ranking and the next open all succeed.
        engine.grant_consent(true, false, NOW).unwrap();
        assert!(view(&mut engine, 1, "beauty", NOW).unwrap(), "case {i}");
        assert_eq!(ranked_ids(&mut engine, 0.0), [1, 2, 3, 4, 5, 6], "case {i}");
        let reopened = open(&namespace).unwrap();
        assert_eq!(personalization(&reopened), "granted", "case {i}");
    }
}

#[wasm_bindgen_test]
fn storage_that_throws_or_is_full_degrades_to_memory() {
    reset();
    run_js(
        "globalThis.__setItem = Storage.prototype.setItem;
         Storage.prototype.setItem = function () { throw new DOMException('full', 'QuotaExceededError'); };",
    );
    let mut engine = open("full").unwrap();
    engine.grant_consent(true, false, NOW).unwrap();
    assert_eq!(engine.storage_mode(), "memory");
    assert!(view(&mut engine, 3, "laptops", NOW).unwrap());
    assert!(view(&mut engine, 5, "laptops", NOW).unwrap());
    assert_eq!(
        &ranked_ids(&mut engine, 0.8)[..2],
        [5, 3],
        "ranking keeps working in memory: the viewed laptops lead, the latest first"
    );
    run_js("Storage.prototype.setItem = globalThis.__setItem;");
    // Space again: the next write carries everything learned meanwhile.
    assert!(view(&mut engine, 6, "tops", NOW).unwrap());
    assert_eq!(engine.storage_mode(), "persistent");
    assert!(open("full")
        .unwrap()
        .summary(NOW)
        .unwrap()
        .contains(r#""events":3"#));

    // Every storage call throwing (a blocked storage) also works, in memory.
    run_js(
        "globalThis.__getItem = Storage.prototype.getItem;
         Storage.prototype.getItem = function () { throw new Error('blocked'); };
         Storage.prototype.setItem = function () { throw 'not even an Error'; };",
    );
    let mut blocked = open("blocked").unwrap();
    blocked.grant_consent(true, false, NOW).unwrap();
    assert!(view(&mut blocked, 3, "laptops", NOW).unwrap());
    assert_eq!(blocked.storage_mode(), "memory");
    run_js(
        "Storage.prototype.getItem = globalThis.__getItem;
         Storage.prototype.setItem = globalThis.__setItem;",
    );
}

#[wasm_bindgen_test]
fn configuration_reaches_the_core_and_sensitive_categories_are_never_learned() {
    reset();
    let mut engine = Engine::new(
        "config",
        "tab1",
        true,
        None,
        // halfLifeDays (bit 0) and weights.view (bit 4) given.
        &[17.0, 7.0, 0.0, 0.0, 0.0, 2.0],
        "health\u{1f}adult",
        "",
    )
    .unwrap();
    engine.grant_consent(true, false, NOW).unwrap();
    assert!(
        !view(&mut engine, 1, "health/tests", NOW).unwrap(),
        "sensitive: not learned"
    );
    assert!(view(&mut engine, 2, "laptops", NOW).unwrap());
    let summary = engine.summary(NOW).unwrap();
    assert!(summary.contains(r#""events":1"#), "{summary}");
    assert!(!summary.contains("health"), "{summary}");
    // halfLifeDays out of range.
    let error = Engine::new("config", "tab1", true, None, &[1.0, 0.0], "", "")
        .err()
        .unwrap();
    assert_eq!(code_of(error), "invalid_options");
}

/// An export's format, checksum and payload, `PAIR`-joined, as the face passes them.
fn export_fields(engine: &mut Engine) -> (Option<String>, Option<String>, Option<String>) {
    let file = js_sys::JSON::parse(&engine.export(NOW).unwrap()).unwrap();
    let text = |key: &str| {
        js_sys::Reflect::get(&file, &key.into())
            .unwrap()
            .as_string()
    };
    (text("format"), text("checksum"), text("payload"))
}

#[wasm_bindgen_test]
fn an_export_moves_to_another_device_that_stays_itself() {
    reset();
    let mut phone = open("phone").unwrap();
    phone.grant_consent(true, false, NOW).unwrap();
    assert!(view(&mut phone, 3, "laptops", NOW).unwrap());
    assert!(view(&mut phone, 5, "laptops", NOW).unwrap());
    phone.flush();
    let (format, checksum, payload) = export_fields(&mut phone);
    let mut laptop = open("laptop").unwrap();
    laptop.grant_consent(true, false, NOW).unwrap();
    laptop
        .import(
            format.clone(),
            Some(3.0),
            checksum.clone(),
            payload.clone(),
            NOW,
        )
        .unwrap();
    let (phone_summary, laptop_summary) =
        (phone.summary(NOW).unwrap(), laptop.summary(NOW).unwrap());
    assert_eq!(
        laptop_summary, phone_summary,
        "the laptop shows what the phone knew"
    );
    // The laptop is another device holding the phone's profile: its own export differs
    // (its own origin, the phone among its peers) and imports back to itself exactly.
    let (_, laptop_checksum, laptop_payload) = export_fields(&mut laptop);
    assert_ne!(laptop_payload, payload);
    laptop
        .import(
            format.clone(),
            Some(3.0),
            laptop_checksum.clone(),
            laptop_payload.clone(),
            NOW,
        )
        .unwrap();
    assert_eq!(export_fields(&mut laptop).2, laptop_payload);
    assert!(local().get_item("shelfwise:laptop:v3").unwrap().is_some());
    // An edited payload is refused with its code and changes nothing.
    let edited = payload.map(|p| p.replacen('A', "B", 1));
    let error = laptop
        .import(format, Some(3.0), checksum, edited, NOW)
        .unwrap_err();
    assert_eq!(code_of(error), "invalid_import");
    assert_eq!(laptop.summary(NOW).unwrap(), laptop_summary);
}

#[wasm_bindgen_test]
fn a_cmp_grant_from_an_earlier_visit_finds_a_deleted_profile_evicted() {
    reset();
    // Purposes 1 to 10 consented; bit 12: the CMP loaded them from an earlier visit.
    let tc = "COwDzqZOwDzqZN4ABMENAPCAAP4AAP-AAAhoAFQAYABgAOABQAAAAA";
    let mut lists: Vec<u32> = vec![10];
    lists.extend(1..=10);
    lists.extend([0, 0]);
    let cmp = |engine: &mut Engine, loaded: bool, at: f64| {
        let flags = 2 | 4 | if loaded { 1 << 12 } else { 0 };
        engine.set_signals(flags, tc, &lists, at).unwrap();
    };
    let mut first = open("itp").unwrap();
    cmp(&mut first, false, NOW);
    assert!(view(&mut first, 5, "laptops", NOW).unwrap());
    first.flush();
    assert!(!first.evicted(), "decided on this page");
    let mut later = open("itp").unwrap();
    cmp(&mut later, true, NOW + 1.0);
    assert!(!later.evicted(), "the profile is on file");
    // The browser deletes the site's storage (Safari's ITP after 7 days without a visit).
    local().clear().unwrap();
    let mut evicted = open("itp").unwrap();
    cmp(&mut evicted, true, NOW + 2.0);
    assert!(evicted.evicted());
    assert_eq!(personalization(&evicted), "granted");
    assert_eq!(evicted.storage_mode(), "persistent");
    assert!(shelfwise_keys().contains(&"shelfwise:itp:v3".to_owned()));
    // Storage that throws on every call tells nothing: not evicted, in memory.
    local().clear().unwrap();
    run_js(
        "globalThis.__getItem = Storage.prototype.getItem;
         globalThis.__setItem = Storage.prototype.setItem;
         Storage.prototype.getItem = function () { throw new DOMException('blocked', 'SecurityError'); };
         Storage.prototype.setItem = Storage.prototype.getItem;",
    );
    let mut blocked = open("itp").unwrap();
    cmp(&mut blocked, true, NOW + 3.0);
    run_js(
        "Storage.prototype.getItem = globalThis.__getItem;
         Storage.prototype.setItem = globalThis.__setItem;",
    );
    assert!(!blocked.evicted());
    assert_eq!(blocked.storage_mode(), "memory");
}
