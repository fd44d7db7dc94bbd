//! The wasm boundary in headless Chromium (wasm-bindgen-test): real `localStorage`,
//! real JS errors.
#![cfg(target_arch = "wasm32")]

use shelfwise::wasm::Engine;
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

fn json(text: &str) -> JsValue {
    js_sys::JSON::parse(text).unwrap()
}

fn view(id: u32, category: &str) -> JsValue {
    json(&format!(
        r#"{{"type":"view","product":{{"id":{id},"category":"{category}","brand":"B{id}","price":{id}9.5}}}}"#
    ))
}

fn grid() -> JsValue {
    json(
        r#"[{"id":1,"category":"beauty"},{"id":2,"category":"groceries"},{"id":3,"category":"laptops"},
            {"id":4,"category":"beauty"},{"id":5,"category":"laptops"},{"id":6,"category":"tops"}]"#,
    )
}

fn ranked_ids(engine: &Engine, strength: f64) -> Vec<String> {
    let options = json(&format!(r#"{{"strength":{strength}}}"#));
    let ranked = js_sys::Array::from(&engine.rank(grid(), options, NOW).unwrap());
    ranked
        .iter()
        .map(|r| {
            js_sys::Reflect::get(&r, &"id".into())
                .unwrap()
                .as_string()
                .unwrap()
        })
        .collect()
}

fn reset() {
    local().clear().unwrap();
    session().clear().unwrap();
}

#[wasm_bindgen_test]
fn nothing_is_written_to_any_storage_before_consent() {
    reset();
    local().set_item("shop:cart", "[3]").unwrap();
    let mut engine = Engine::new("before-consent").unwrap();
    assert_eq!(engine.consent(), "unknown");
    assert!(!engine.track(view(3, "laptops"), NOW).unwrap());
    assert!(!engine.track(view(5, "laptops"), NOW).unwrap());
    assert_eq!(ranked_ids(&engine, 1.0), ["1", "2", "3", "4", "5", "6"]);
    engine.summary(NOW).unwrap();
    assert_eq!(keys(&local()), ["shop:cart"], "only the shop's own key");
    assert!(keys(&session()).is_empty());
}

#[wasm_bindgen_test]
fn profile_survives_a_new_instance() {
    reset();
    let mut first = Engine::new("survives").unwrap();
    first.grant_consent(NOW).unwrap();
    assert!(first.track(view(3, "laptops"), NOW).unwrap());
    assert!(first.track(view(5, "laptops"), NOW).unwrap());
    assert_eq!(shelfwise_keys(), ["shelfwise:survives:v1"]);
    drop(first);

    let second = Engine::new("survives").unwrap();
    assert_eq!(second.consent(), "granted");
    assert_eq!(second.storage_mode(), "persistent");
    let summary = second.summary(NOW).unwrap();
    let events = js_sys::Reflect::get(&summary, &"events".into()).unwrap();
    assert_eq!(events.as_f64(), Some(2.0));
    let order = ranked_ids(&second, 0.8);
    assert_eq!(&order[..2], ["3", "5"], "laptops lead: {order:?}");
}

#[wasm_bindgen_test]
fn withdrawal_leaves_no_shelfwise_key() {
    reset();
    local().set_item("shop:cart", "[3]").unwrap();
    session().set_item("shelfwise:stray:v1", "{}").unwrap();
    let mut other = Engine::new("other-namespace").unwrap();
    other.grant_consent(NOW).unwrap();
    let mut engine = Engine::new("withdraw").unwrap();
    engine.grant_consent(NOW).unwrap();
    engine.track(view(3, "laptops"), NOW).unwrap();
    assert_eq!(shelfwise_keys().len(), 3);

    engine.withdraw_consent(NOW).unwrap();
    assert!(shelfwise_keys().is_empty(), "left: {:?}", shelfwise_keys());
    assert_eq!(keys(&local()), ["shop:cart"]);
    assert_eq!(engine.consent(), "denied");
    assert!(!engine.track(view(5, "laptops"), NOW).unwrap());
    assert!(shelfwise_keys().is_empty());
}

#[wasm_bindgen_test]
fn bad_input_throws_an_error_with_a_code_and_changes_nothing() {
    reset();
    let mut engine = Engine::new("errors").unwrap();
    engine.grant_consent(NOW).unwrap();
    engine.track(view(3, "laptops"), NOW).unwrap();
    let stored = local().get_item("shelfwise:errors:v1").unwrap();

    let cases = [
        (r#"{"type":"teleport","product":{"id":1}}"#, "invalid_event"),
        (
            r#"{"type":"view","product":{"category":"laptops"}}"#,
            "invalid_event",
        ),
        (
            r#"{"type":"view","product":{"id":"1","price":"12"}}"#,
            "invalid_event",
        ),
        (r#"{"type":"view","product":{"id":{}}}"#, "invalid_event"),
        (r#"42"#, "invalid_event"),
    ];
    for (event, code) in cases {
        let thrown = engine.track(json(event), NOW).unwrap_err();
        let error = thrown.dyn_into::<js_sys::Error>().expect("a real Error");
        assert_eq!(error.name(), "ShelfwiseError");
        let got = js_sys::Reflect::get(&error, &"code".into()).unwrap();
        assert_eq!(got.as_string().as_deref(), Some(code), "{event}");
    }
    let nan_price = json(r#"{"type":"view","product":{"id":"1"}}"#);
    let product = js_sys::Reflect::get(&nan_price, &"product".into()).unwrap();
    js_sys::Reflect::set(&product, &"price".into(), &f64::NAN.into()).unwrap();
    assert!(engine.track(nan_price, NOW).is_err());

    let bad_options = engine
        .rank(grid(), json(r#"{"strength":2}"#), NOW)
        .unwrap_err();
    let code = js_sys::Reflect::get(&bad_options, &"code".into()).unwrap();
    assert_eq!(code.as_string().as_deref(), Some("invalid_options"));
    let bad_product = engine.rank(json(r#"[{"id":1},{"name":"x"}]"#), JsValue::UNDEFINED, NOW);
    let message = js_sys::Error::from(bad_product.unwrap_err()).message();
    assert!(String::from(message).contains("index 1"));

    assert_eq!(
        local().get_item("shelfwise:errors:v1").unwrap(),
        stored,
        "profile unchanged"
    );
}

#[wasm_bindgen_test]
fn corrupted_storage_opens_empty_and_recovers() {
    reset();
    local()
        .set_item("shelfwise:corrupt:v1", "{\"v\":1,\"c\":{")
        .unwrap();
    let mut engine = Engine::new("corrupt").unwrap();
    assert_eq!(engine.consent(), "unknown");
    engine.grant_consent(NOW).unwrap();
    assert!(engine.track(view(1, "beauty"), NOW).unwrap());
    assert_eq!(Engine::new("corrupt").unwrap().consent(), "granted");
}
