//! Properties over random inputs: ranking is a deterministic permutation, does not
//! depend on the order strings were interned in, and `strength: 0` is the shop's order;
//! export then import is exact; decay never grows.
#![cfg(not(target_arch = "wasm32"))]

mod common;

use common::*;
use proptest::prelude::*;
use shelfwise_core::catalog::Catalog;
use shelfwise_core::profile::Profile;
use shelfwise_core::rank::Rows;
use shelfwise_core::{
    candidates, rank, Engine, Event, EventKind, MemoryStore, Product, RankOptions, Reason,
};

/// A granted engine that learned `history` (offsets from `T0`).
fn learned(history: Vec<(EventKind, Product, f64)>) -> Engine<MemoryStore> {
    let mut engine = granted(MemoryStore::new());
    for (kind, product, offset) in history {
        engine.track(&Event::new(kind, product, T0 + offset));
    }
    engine
}

proptest! {
    #[test]
    fn ranking_is_a_deterministic_permutation_and_strength_zero_is_the_shop_order(
        products in prop::collection::vec(arb_product(), 0..40),
        history in prop::collection::vec((arb_kind(), arb_product(), 0.0..1e9f64), 0..30),
        strength in 0.0..=1.0f64,
    ) {
        let engine = learned(history);
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
    fn ranking_rows_does_not_depend_on_the_order_strings_were_interned(
        products in prop::collection::vec(arb_product(), 1..30),
        earlier in prop::collection::vec(arb_product(), 0..30),
        history in prop::collection::vec((arb_kind(), arb_product(), 0.0..1e9f64), 0..30),
        strength in 0.0..=1.0f64,
    ) {
        // As the browser ranks: one catalog interned in the order strings were seen,
        // another that saw other products first, against the Rust API's own.
        let mut engine = learned(history);
        let options = RankOptions::with_strength(strength);
        let expected = engine.rank(&candidates(&products), &options, T0 + 2e9).unwrap();
        for seen_before in [&earlier[..], &[]] {
            let mut catalog = Catalog::default();
            let mut extras = Vec::new();
            for product in seen_before.iter().rev() {
                catalog.record(product, &mut Vec::new());
            }
            let rows = plain_rows(&products, &mut catalog, &mut extras);
            let list = Rows { rows: &rows, extras: &extras, catalog: &catalog };
            let ranked = engine.rank_rows(list, None, &options, T0 + 2e9).unwrap();
            let got: Vec<(usize, f64)> = ranked.iter().map(|r| (r.index, r.score)).collect();
            let want: Vec<(usize, f64)> = expected.iter().map(|r| (r.index, r.score)).collect();
            prop_assert_eq!(got, want);
        }
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
        let exported = engine.export(T0 + 2e9).unwrap();
        let mut fresh = granted(MemoryStore::new());
        fresh.import(&import_file(&exported), T0 + 2e9).unwrap();
        // Everything learned comes across; the new browser is another device holding it
        // (its own origin, the file's device among its peers).
        let content = |profile: &Profile| Profile { origin: None, peers: Vec::new(), ..profile.clone() };
        prop_assert_eq!(content(fresh.profile()), content(engine.profile()));
        prop_assert_eq!(&fresh.profile().peers[0].taste, &engine.profile().taste);
        prop_assert_ne!(fresh.profile().origin, engine.profile().origin);
        let again = fresh.export(T0 + 2e9).unwrap();
        fresh.import(&import_file(&again), T0 + 2e9).unwrap();
        prop_assert_eq!(fresh.export(T0 + 2e9).unwrap(), again, "its own file imports exactly");
        engine.erase(T0 + 2e9).unwrap();
        prop_assert!(engine.profile().is_empty());
        engine.withdraw_consent(T0 + 2e9).unwrap();
        let keys: Vec<&String> = engine.store().entries.keys().collect();
        prop_assert_eq!(keys, ["shelfwise-consent:shop"], "nothing but the refusal is left");
    }

    #[test]
    fn decay_never_increases_with_time(score in 0.0..1e6f64, a in 0.0..1e12f64, b in 0.0..1e12f64, half_life in 1.0..1e10f64) {
        let (early, late) = if a <= b { (a, b) } else { (b, a) };
        let at_early = shelfwise_core::profile::decay(score, 0.0, early, half_life);
        let at_late = shelfwise_core::profile::decay(score, 0.0, late, half_life);
        prop_assert!(at_late <= at_early && at_late >= 0.0);
    }

}
