//! Properties of the core that hold for any input (issue 7), beyond the ranking and
//! export properties of native.rs and ranking.rs: decoding never panics on
//! any bytes or text, the stored profile stays under its bound for any history, and
//! local measurement counts exactly what it is given.
#![cfg(not(target_arch = "wasm32"))]

use proptest::prelude::*;
use shelfwise_core::codec::from_bytes;
use shelfwise_core::measure::{Counters, METRICS};
use shelfwise_core::profile::{Profile, ProfileConfig};
use shelfwise_core::store::{storage_key, unseal, Envelope, Journal};
use shelfwise_core::{base64url, tcf, Engine, Event, EventKind, MemoryStore, Product};

const T0: f64 = 1_763_712_000_000.0;
/// The stored profile's bound (README: "Storage guarantees").
const MAX_STORED_BYTES: usize = 32 * 1024;

fn kinds() -> impl Strategy<Value = EventKind> {
    prop::sample::select(vec![
        EventKind::View,
        EventKind::Click,
        EventKind::AddToCart,
        EventKind::RemoveFromCart,
        EventKind::Purchase,
        EventKind::Wishlist,
    ])
}

/// Products with any printable labels, so that values never repeat much.
fn products() -> impl Strategy<Value = Product> {
    (
        "[a-z0-9]{1,12}",
        "[a-z]{1,10}(/[a-z]{1,10}){0,3}",
        "[A-Za-z ]{1,20}",
        0.0..1e6f64,
        prop::collection::vec(("[a-z]{1,8}", "[a-z0-9]{1,10}"), 0..6),
    )
        .prop_map(|(id, category, brand, price, facets)| {
            let mut product = Product::new(id)
                .with_category(category)
                .with_brand(brand)
                .with_price(price);
            product.facets = facets;
            product.facets.sort();
            product.facets.dedup();
            product
        })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn decoding_any_bytes_or_text_never_panics(bytes in prop::collection::vec(any::<u8>(), 0..512), text in ".{0,300}") {
        let config = ProfileConfig::default();
        if let Some(mut profile) = from_bytes::<Profile>(&bytes) {
            profile.sanitize(&config);
            let _ = profile.summary(T0, &config, 5);
        }
        let _ = from_bytes::<Envelope>(&bytes);
        let _ = from_bytes::<Journal>(&bytes);
        for candidate in [text.as_str(), &base64url::encode(&bytes), &["sw3:0000000000000000:", &base64url::encode(&bytes)].concat()] {
            let _ = unseal::<Envelope>(candidate);
            let _ = unseal::<Journal>(candidate);
            let _ = base64url::decode(candidate);
            let _ = tcf::decode(candidate);
            let _ = tcf::last_updated_ms(candidate);
            // A tab opening on it where its profile is kept works, and ranks.
            let mut store = MemoryStore::new();
            store.entries.insert(storage_key("shop"), candidate.to_owned());
            let engine = Engine::open("shop", store).unwrap();
            prop_assert!(engine.summary(T0).is_ok());
        }
    }

    #[test]
    fn the_stored_profile_stays_under_its_bound_for_any_history(
        history in prop::collection::vec((kinds(), products(), 0.0..9e9f64), 1..400),
    ) {
        let mut engine = Engine::open("shop", MemoryStore::new()).unwrap();
        engine.grant_consent(true, true, T0).unwrap();
        engine.set_modules(vec!["grid".into(), "similar".into()]).unwrap();
        for (i, (kind, product, offset)) in history.into_iter().enumerate() {
            let mut event = Event::new(kind, product, T0 + offset);
            if matches!(kind, EventKind::Click | EventKind::AddToCart | EventKind::Purchase) {
                event.module = Some(["grid", "similar", "other"][i % 3].into());
            }
            engine.track(&event);
            if i % 50 == 49 {
                engine.flush();
                engine.compact(T0 + 1e10).unwrap();
            }
        }
        engine.flush();
        engine.compact(T0 + 1e10).unwrap();
        let stored = engine.store().entries.get(&storage_key("shop")).cloned().unwrap_or_default();
        prop_assert!(stored.len() <= MAX_STORED_BYTES, "{} bytes", stored.len());
    }

    #[test]
    fn measurement_counts_exactly_the_events_credited_to_declared_modules(
        events in prop::collection::vec((0usize..4, 0usize..3, 1.0..500.0f64), 0..80),
    ) {
        let modules = vec!["grid".to_owned(), "similar".to_owned()];
        let names = ["grid", "similar", "undeclared"];
        let kinds = [EventKind::Impression, EventKind::Click, EventKind::AddToCart, EventKind::Purchase];
        let mut counters = Counters::default();
        let mut expected = [[0.0; 5]; 2];
        for (i, (kind, module, price)) in events.into_iter().enumerate() {
            let mut event = Event::new(kinds[kind], Product::new(i.to_string()).with_price(price), T0 + i as f64);
            event.module = Some(names[module].into());
            counters.count(&event, &modules);
            if module < 2 {
                expected[module][kind] += 1.0;
                if kinds[kind] == EventKind::Purchase {
                    expected[module][4] += price;
                }
            }
        }
        for (m, name) in names.iter().take(2).enumerate() {
            let got = counters.of(name);
            for metric in 0..METRICS.len() {
                prop_assert!((got[metric] - expected[m][metric]).abs() < 1e-6, "{name} {metric}: {got:?} vs {:?}", expected[m]);
            }
        }
        prop_assert_eq!(counters.of("undeclared"), [0.0; 5]);
    }
}
