//! The browser's boundary decoding, as a page could drive it: any text interned as
//! product ids and facet values, then any numbers as rows and extras. Interning either
//! gives ids or a coded error; ranking either rejects the rows with an error or returns
//! a permutation of them (less those hidden). Nothing panics.
#![no_main]

use libfuzzer_sys::fuzz_target;
use shelfwise_core::catalog::Catalog;
use shelfwise_core::profile::{Profile, ProfileConfig};
use shelfwise_core::rank::{rank_rows, RankOptions, Rows};
use shelfwise_core::wire::{self, ROW_STRIDE};
use shelfwise_core::{Event, EventKind, Product};

const NOW: f64 = 1_763_712_000_000.0;

fuzz_target!(|data: &[u8]| {
    let Some((&split, rest)) = data.split_first() else {
        return;
    };
    let (text, numbers) = rest.split_at((usize::from(split) * 2).min(rest.len()));
    let mut catalog = Catalog::default();
    let entries = String::from_utf8_lossy(text);
    let owners: Vec<u32> = (0..entries.len() as u32).collect();
    let interned = wire::intern(&mut catalog, &entries, &owners, false, None).unwrap_or_default();
    // Numbers: small whole ones mostly (valid ids), any bit pattern now and then.
    let numbers: Vec<f64> = numbers
        .chunks(2)
        .map(|c| match c {
            [0xff, b] => f64::from_le_bytes([*b; 8]),
            [a, b] => f64::from(u16::from_le_bytes([*a, *b]) % 64),
            [a] => f64::from(*a),
            _ => 0.0,
        })
        .collect();
    let cut = (numbers.len() / ROW_STRIDE) * ROW_STRIDE;
    let (row_numbers, extra_numbers) = numbers.split_at(cut.min(numbers.len()));
    let rows = wire::rows(row_numbers);
    let extras = wire::ids(extra_numbers);
    let mut profile = Profile::default();
    for (i, _) in interned.iter().enumerate().take(8) {
        let product = Product::new(i.to_string()).with_category("a/b");
        profile.learn(
            &Event::new(EventKind::View, product, NOW),
            &ProfileConfig::default(),
        );
    }
    let snapshot = profile.snapshot(NOW, &ProfileConfig::default());
    let list = Rows {
        rows: &rows,
        extras: &extras,
        catalog: &catalog,
    };
    if let Ok(ranked) = rank_rows(list, &RankOptions::default(), Some(&snapshot)) {
        let mut seen = vec![false; rows.len()];
        for r in &ranked {
            assert!(!seen[r.index], "an index twice");
            seen[r.index] = true;
        }
        assert!(ranked.len() <= rows.len());
    }
});
