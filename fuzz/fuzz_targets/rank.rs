//! Ranking options and candidates as a page could pass them (any numbers, NaN and
//! infinities included): bad ones are rejected with an error; good ones give a
//! permutation of the candidates (less those hidden) with every pin where asked.
#![no_main]

use libfuzzer_sys::fuzz_target;
use shelfwise_core::profile::{Profile, ProfileConfig};
use shelfwise_core::rank::{rank, Candidate, RankOptions};
use shelfwise_core::{Event, EventKind, Product};

const NOW: f64 = 1_763_712_000_000.0;

fn number(bytes: &[u8]) -> f64 {
    let mut raw = [0u8; 8];
    raw[..bytes.len().min(8)].copy_from_slice(&bytes[..bytes.len().min(8)]);
    // Half the time a small, plausible value; otherwise any bit pattern (NaN, infinities).
    if raw[7] & 1 == 0 {
        f64::from(raw[0]) / 255.0
    } else {
        f64::from_le_bytes(raw)
    }
}

fuzz_target!(|data: &[u8]| {
    if data.len() < 8 {
        return;
    }
    let (head, rest) = data.split_at(8.min(data.len()));
    let options = RankOptions::from_numbers(
        u32::from(head[0]),
        &[
            number(&head[1..]),
            number(&head[2..]),
            number(&head[3..]),
            f64::from(head[4]),
            f64::from(head[5] % 4),
            number(&head[6..]),
        ],
    );
    let products: Vec<Product> = rest
        .chunks(4)
        .take(64)
        .enumerate()
        .map(|(i, c)| {
            let mut product = Product::new(i.to_string())
                .with_category(["a", "a/b", "c", "c/d/e"][usize::from(c[0] % 4)])
                .with_brand(["x", "y", "z"][usize::from(c.get(1).copied().unwrap_or(0) % 3)]);
            if let Some(price) = c.get(2) {
                product = product.with_price(f64::from(*price) * 7.5);
            }
            product
        })
        .collect();
    let list: Vec<Candidate> = products
        .iter()
        .zip(rest.chunks(4))
        .map(|(product, c)| {
            let flags = c.get(3).copied().unwrap_or(0);
            Candidate {
                base: (flags & 1 != 0).then(|| f64::from(c[0]) - 100.0),
                boost: if flags & 2 != 0 {
                    f64::from(c[0]) / 16.0
                } else {
                    1.0
                },
                pin: (flags & 4 != 0).then(|| u32::from(c.get(1).copied().unwrap_or(0) % 80)),
                in_stock: flags & 8 == 0,
                consumable: flags & 16 != 0,
                ..Candidate::new(product)
            }
        })
        .collect();
    let mut profile = Profile::default();
    for (i, product) in products.iter().enumerate().take(6) {
        profile.learn(
            &Event::new(EventKind::View, product.clone(), NOW - 6e4 * i as f64),
            &ProfileConfig::default(),
        );
    }
    let snapshot = profile.snapshot(NOW, &ProfileConfig::default());
    let Ok(options) = options else { return };
    let Ok(ranked) = rank(&list, &options, Some(&snapshot)) else {
        return;
    };
    let mut seen = vec![false; list.len()];
    for r in &ranked {
        assert!(!seen[r.index], "each candidate at most once");
        seen[r.index] = true;
    }
    let hidden = list.iter().filter(|c| !c.in_stock).count();
    let expected = if options.out_of_stock == shelfwise_core::rank::OutOfStock::Hide {
        list.len() - hidden
    } else {
        list.len()
    };
    assert_eq!(ranked.len(), expected, "a permutation, less what is hidden");
    // When the pins of the ranked candidates are distinct positions inside the list,
    // each lands exactly there.
    let pins: Vec<(usize, u32)> = ranked
        .iter()
        .filter_map(|r| list[r.index].pin.map(|p| (r.index, p)))
        .collect();
    let mut positions: Vec<u32> = pins.iter().map(|(_, p)| *p).collect();
    positions.sort_unstable();
    positions.dedup();
    if positions.len() == pins.len() && pins.iter().all(|(_, p)| (*p as usize) < ranked.len()) {
        for (index, pin) in pins {
            assert_eq!(ranked[pin as usize].index, index, "a pin lands where asked");
        }
    }
});
