//! Profile import: any payload with a matching checksum (so decoding is reached), and
//! any file fields as a page could pass them. An import either replaces the profile
//! with something that exports and imports back to itself, or fails and changes nothing;
//! a file that imports also merges, and merging it twice changes nothing the second time.
#![no_main]

use libfuzzer_sys::fuzz_target;
use shelfwise_core::base64url;
use shelfwise_core::export::{ImportFile, EXPORT_FORMAT, EXPORT_VERSION};
use shelfwise_core::json::hex16;
use shelfwise_core::store::fnv1a64;
use shelfwise_core::{Engine, MemoryStore};

const NOW: f64 = 1_763_712_000_000.0;

fuzz_target!(|data: &[u8]| {
    let mut engine = Engine::open("shop", MemoryStore::new()).expect("opens");
    engine
        .grant_consent(true, false, NOW)
        .expect("a valid time");
    let honest = data.first().is_some_and(|b| b % 2 == 0);
    let file = ImportFile {
        format: Some(EXPORT_FORMAT.to_owned()),
        version: Some(f64::from(EXPORT_VERSION)),
        checksum: Some(if honest {
            ["fnv1a64:", &hex16(fnv1a64(data))].concat()
        } else {
            String::from_utf8_lossy(data).into_owned()
        }),
        payload: Some(base64url::encode(data)),
    };
    let before = engine.profile().clone();
    match engine.import(&file, NOW) {
        Ok(()) => {
            let exported = engine.export(NOW).unwrap();
            let again: serde_json::Value =
                serde_json::from_str(&exported).expect("an export is JSON");
            let round = ImportFile {
                format: again["format"].as_str().map(str::to_owned),
                version: again["version"].as_f64(),
                checksum: again["checksum"].as_str().map(str::to_owned),
                payload: again["payload"].as_str().map(str::to_owned),
            };
            let imported = engine.profile().clone();
            engine.import(&round, NOW).expect("an export imports");
            assert_eq!(
                engine.profile(),
                &imported,
                "export then import is lossless"
            );
            // Merging a file into a profile that already holds it changes nothing.
            let mut other = Engine::open("other", MemoryStore::new()).expect("opens");
            other.grant_consent(true, false, NOW).expect("a valid time");
            other
                .merge(&file, NOW)
                .expect("a file that replaces also merges");
            let merged = other.profile().clone();
            other.merge(&file, NOW).expect("merges again");
            assert_eq!(other.profile(), &merged, "merging twice changes nothing");
        }
        Err(_) => assert_eq!(
            engine.profile(),
            &before,
            "a rejected import changes nothing"
        ),
    }
});
