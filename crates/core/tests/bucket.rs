//! Every case of GrowthBook's cross-SDK `cases.json` for deterministic bucketing:
//! `hash`, `getBucketRange`, `chooseVariation`, `inNamespace` and `getEqualWeights`.
#![cfg(not(target_arch = "wasm32"))]

use std::path::Path;

use serde_json::Value;
use shelfwise_core::bucket::{bucket_ranges, choose_variation, equal_weights, hash, in_namespace};

const FIXTURE: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../tests/fixtures/growthbook-cases.json"
);

fn section(name: &str) -> Vec<Value> {
    let text = std::fs::read_to_string(FIXTURE).expect("fixture readable");
    let file: Value = serde_json::from_str(&text).expect("fixture is JSON");
    file[name].as_array().expect("section array").clone()
}

fn number(value: &Value) -> f64 {
    value.as_f64().expect("number")
}

/// GrowthBook's own tests compare rounded values (its cases hold 0.33333333 for 1/3).
fn close(a: f64, b: f64) -> bool {
    (a - b).abs() < 1e-6
}

#[test]
fn the_fixture_is_the_shared_file_unchanged() {
    let shared = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../../shared/data/testvectors/growthbook-cases.json");
    if let Ok(original) = std::fs::read(shared) {
        assert!(std::fs::read(FIXTURE).unwrap() == original);
    }
}

#[test]
fn every_hash_case() {
    let cases = section("hash");
    for case in &cases {
        let (seed, value) = (case[0].as_str().unwrap(), case[1].as_str().unwrap());
        let version = case[2].as_u64().unwrap() as u32;
        let got = hash(seed, value, version);
        match case[3].as_f64() {
            Some(want) => assert!(close(got.unwrap(), want), "{case}: {got:?}"),
            None => assert_eq!(got, None, "{case}"),
        }
    }
    assert_eq!(cases.len(), 15);
}

#[test]
fn every_bucket_range_case() {
    let cases = section("getBucketRange");
    for case in &cases {
        let args = &case[1];
        let weights: Option<Vec<f64>> = args[2].as_array().map(|w| w.iter().map(number).collect());
        let got = bucket_ranges(
            args[0].as_u64().unwrap() as usize,
            number(&args[1]),
            weights.as_deref(),
        );
        let want: Vec<(f64, f64)> = case[2]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| (number(&r[0]), number(&r[1])))
            .collect();
        assert_eq!(got.len(), want.len(), "{case}");
        for (g, w) in got.iter().zip(&want) {
            assert!(close(g.0, w.0) && close(g.1, w.1), "{case}: {got:?}");
        }
    }
    assert_eq!(cases.len(), 13);
}

#[test]
fn every_choose_variation_case() {
    let cases = section("chooseVariation");
    for case in &cases {
        let ranges: Vec<(f64, f64)> = case[2]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| (number(&r[0]), number(&r[1])))
            .collect();
        let got = choose_variation(number(&case[1]), &ranges).map_or(-1, |v| v as i64);
        assert_eq!(got, case[3].as_i64().unwrap(), "{case}");
    }
    assert_eq!(cases.len(), 13);
}

#[test]
fn every_in_namespace_case() {
    let cases = section("inNamespace");
    for case in &cases {
        let namespace = &case[2];
        let got = in_namespace(
            case[1].as_str().unwrap(),
            namespace[0].as_str().unwrap(),
            number(&namespace[1]),
            number(&namespace[2]),
        );
        assert_eq!(got, case[3].as_bool().unwrap(), "{case}");
    }
    assert_eq!(cases.len(), 16);
}

#[test]
fn every_equal_weights_case() {
    let cases = section("getEqualWeights");
    for case in &cases {
        let count = case[0].as_i64().unwrap().max(0) as usize;
        let got = equal_weights(count);
        let want: Vec<f64> = case[1].as_array().unwrap().iter().map(number).collect();
        assert_eq!(got.len(), want.len(), "{case}");
        assert!(
            got.iter().zip(&want).all(|(g, w)| close(*g, *w)),
            "{case}: {got:?}"
        );
    }
    assert_eq!(cases.len(), 6);
}
