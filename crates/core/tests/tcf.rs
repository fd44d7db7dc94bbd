//! Every IAB TCF v2 test vector: valid strings decode field by field to the reference
//! decoding, invalid ones fail.
#![cfg(not(target_arch = "wasm32"))]

use std::path::Path;

use serde_json::Value;
use shelfwise_core::tcf;

const FIXTURE: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../tests/fixtures/tcf-v2-vectors.json"
);

fn vectors() -> Vec<Value> {
    let text = std::fs::read_to_string(FIXTURE).expect("fixture readable");
    let file: Value = serde_json::from_str(&text).expect("fixture is JSON");
    file["vectors"].as_array().expect("vectors array").clone()
}

#[test]
fn every_valid_vector_decodes_to_the_reference_fields() {
    let mut checked = 0;
    for vector in vectors().iter().filter(|v| v["expect"] == "valid") {
        let tc_string = vector["tcString"].as_str().unwrap();
        let decoded = tcf::decode(tc_string).unwrap_or_else(|e| panic!("{tc_string}: {e}"));
        let ours = serde_json::to_value(&decoded).unwrap();
        let expected = vector["decoded"].as_object().unwrap();
        for (field, want) in expected {
            assert_eq!(&ours[field], want, "{field} of {tc_string}");
        }
        assert_eq!(
            ours.as_object().unwrap().len(),
            expected.len(),
            "no extra fields"
        );
        checked += 1;
    }
    assert_eq!(checked, 42);
}

#[test]
fn every_invalid_vector_is_rejected() {
    let mut checked = 0;
    for vector in vectors().iter().filter(|v| v["expect"] == "invalid") {
        let tc_string = vector["tcString"].as_str().unwrap();
        assert!(
            tcf::decode(tc_string).is_err(),
            "{tc_string} must not decode"
        );
        checked += 1;
    }
    assert_eq!(checked, 12);
}

#[test]
fn the_fixture_matches_the_shared_vectors() {
    let shared = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../../shared/data/testvectors/tcf-v2-vectors.json");
    if let Ok(shared) = std::fs::read(shared) {
        assert_eq!(
            shared,
            std::fs::read(FIXTURE).unwrap(),
            "tests/fixtures copy is stale"
        );
    }
}
