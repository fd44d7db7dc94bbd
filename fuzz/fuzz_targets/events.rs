//! Event ingestion sequences: each line is an event as JSON (valid, malformed or
//! hostile), tracked by one of two tabs sharing a storage, with flushes, compactions,
//! consent changes and rankings in between. Nothing may panic, and a bad event must
//! change nothing.
#![no_main]

use std::cell::RefCell;
use std::rc::Rc;

use libfuzzer_sys::fuzz_target;
use shelfwise_core::{
    candidates, ConsentPolicy, Engine, EventInput, MemoryStore, Product, RankOptions,
};

const NOW: f64 = 1_763_712_000_000.0;

/// Two tabs on one storage.
type Shared = Rc<RefCell<MemoryStore>>;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let store = Shared::default();
    let open = |tab: &str| {
        Engine::with_policy(
            "shop",
            tab,
            store.clone(),
            Default::default(),
            ConsentPolicy::default(),
        )
        .expect("valid ids open")
    };
    let mut tabs = [open("a"), open("b")];
    tabs[0]
        .grant_consent(true, true, NOW)
        .expect("a valid time");
    let products = [
        Product::new("1").with_category("laptops"),
        Product::new("2").with_brand("Apple"),
    ];
    for (i, line) in text.lines().enumerate() {
        let at = NOW + i as f64 * 1000.0;
        let tab = &mut tabs[i % 2];
        match line.as_bytes().first() {
            Some(b'F') => {
                tab.flush();
            }
            Some(b'C') => tab.compact(at).expect("a valid time compacts"),
            Some(b'W') => tab.withdraw_consent(at).expect("a valid time"),
            Some(b'G') => tab
                .grant_consent(true, line.len() % 2 == 0, at)
                .expect("a valid time"),
            Some(b'R') => {
                let ranked = tab
                    .rank(&candidates(&products), &RankOptions::default(), at)
                    .expect("ranks");
                assert_eq!(ranked.len(), 2);
            }
            _ => match EventInput::from_json(line, at) {
                Ok(event) => {
                    tab.track(&event);
                }
                Err(_) => {
                    // Rejected: the profile is as it was.
                    let before = tab.profile().clone();
                    assert!(EventInput::from_json(line, at).is_err());
                    assert_eq!(tab.profile(), &before);
                }
            },
        }
    }
    for tab in &mut tabs {
        tab.flush();
        tab.compact(NOW + 1e7).expect("a valid time compacts");
    }
});
