//! Stored data a page script or a damaged disk may leave: any bytes as the binary
//! profile, any text as a stored envelope or journal, and any text under the profile's
//! key when a tab opens. Nothing may panic; what opens must be usable.
#![no_main]

use libfuzzer_sys::fuzz_target;
use shelfwise_core::codec::{from_bytes, to_bytes};
use shelfwise_core::profile::{Profile, ProfileConfig};
use shelfwise_core::store::{storage_key, unseal, Envelope, Journal};
use shelfwise_core::{candidates, Engine, MemoryStore, Product, RankOptions};

const NOW: f64 = 1_763_712_000_000.0;

fuzz_target!(|data: &[u8]| {
    let config = ProfileConfig::default();
    if let Some(mut profile) = from_bytes::<Profile>(data) {
        profile.sanitize(&config);
        // A repaired profile encodes, decodes to itself, and summarizes.
        let bytes = to_bytes(&profile);
        assert_eq!(from_bytes::<Profile>(&bytes).as_ref(), Some(&profile));
        let _ = profile.summary(NOW, &config, 5);
    }
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let _ = unseal::<Envelope>(text);
    let _ = unseal::<Journal>(text);
    // A tab opening on that text where its profile should be.
    let mut store = MemoryStore::new();
    store.entries.insert(storage_key("shop"), text.to_owned());
    let mut engine = Engine::open("shop", store).expect("a valid namespace opens");
    let products = [
        Product::new("a").with_category("x"),
        Product::new("b").with_brand("y"),
    ];
    let ranked = engine
        .rank(&candidates(&products), &RankOptions::default(), NOW)
        .expect("valid options rank");
    assert_eq!(ranked.len(), 2);
    let _ = engine.summary(NOW);
    engine.compact(NOW).expect("a valid time compacts");
});
