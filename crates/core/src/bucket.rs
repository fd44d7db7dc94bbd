//! Deterministic bucketing, compatible with GrowthBook's SDKs: the same seed and
//! hashing attribute land in the same bucket here, in GrowthBook and on the server, so
//! a shop that already runs GrowthBook sees each shopper in one group everywhere.
//!
//! Cross-checked against every case of the `hash`, `getBucketRange`,
//! `chooseVariation`, `inNamespace` and `getEqualWeights` sections of GrowthBook's
//! `cases.json` (tests/bucket.rs here, and tests/browser.rs through the npm package).

/// 32-bit FNV-1a over the UTF-16 code units of `text`, as GrowthBook's JavaScript SDK
/// computes it (`charCodeAt`), so non-ASCII attributes hash the same.
pub fn fnv32a(text: &str) -> u32 {
    text.encode_utf16().fold(0x811c_9dc5, |hash: u32, unit| {
        (hash ^ u32::from(unit)).wrapping_mul(0x0100_0193)
    })
}

/// GrowthBook's hash of `value` under `seed` in `[0, 1)`: version 1 has 1,000 buckets,
/// version 2 (the default) 10,000 and no bias between seeds. Other versions: `None`.
pub fn hash(seed: &str, value: &str, version: u32) -> Option<f64> {
    match version {
        1 => Some(f64::from(fnv32a(&[value, seed].concat()) % 1000) / 1000.0),
        2 => {
            let first = fnv32a(&[seed, value].concat());
            let second = fnv32a(&super::json::decimal(u64::from(first)));
            Some(f64::from(second % 10_000) / 10_000.0)
        }
        _ => None,
    }
}

/// `count` equal weights summing to 1 (none for `count` 0).
pub fn equal_weights(count: usize) -> Vec<f64> {
    vec![1.0 / count as f64; count]
}

/// The `[start, end)` hash range of each variation: `weights` (equal when missing, of
/// the wrong length or not summing to 1 ± 0.01) laid end to end, each shortened to
/// `coverage` (clamped to `[0, 1]`) of its width.
pub fn bucket_ranges(count: usize, coverage: f64, weights: Option<&[f64]>) -> Vec<(f64, f64)> {
    let coverage = coverage.clamp(0.0, 1.0);
    let weights = weights
        .filter(|w| w.len() == count && (0.99..=1.01).contains(&w.iter().sum::<f64>()))
        .map_or_else(|| equal_weights(count), <[f64]>::to_vec);
    let mut cumulative = 0.0;
    weights
        .iter()
        .map(|w| {
            let start = cumulative;
            cumulative += w;
            (start, start + coverage * w)
        })
        .collect()
}

/// The variation whose range holds `n`, or `None` when `n` falls between ranges (the
/// shopper is not in the experiment).
pub fn choose_variation(n: f64, ranges: &[(f64, f64)]) -> Option<usize> {
    ranges
        .iter()
        .position(|(start, end)| n >= *start && n < *end)
}

/// Whether `value` falls in the namespace's `[start, end)` share (GrowthBook hashes
/// `__<namespace>` with version 1), so mutually exclusive experiments can share one.
pub fn in_namespace(value: &str, namespace: &str, start: f64, end: f64) -> bool {
    hash(&["__", namespace].concat(), value, 1).is_some_and(|n| n >= start && n < end)
}

/// An experiment (or the holdout) as the shop configures it.
#[derive(Debug, Clone, PartialEq)]
pub struct Split<'a> {
    /// GrowthBook's `seed` (its experiment key by default).
    pub seed: &'a str,
    pub variations: usize,
    pub weights: Option<&'a [f64]>,
    pub coverage: f64,
    /// `(name, start, end)`: only shoppers in this share of the namespace take part.
    pub namespace: Option<(&'a str, f64, f64)>,
    pub hash_version: u32,
}

impl Split<'_> {
    /// The variation of the shopper identified by `unit` (GrowthBook's hashing
    /// attribute), or `None` when they are outside the experiment.
    pub fn assign(&self, unit: &str) -> Option<usize> {
        if unit.is_empty() || self.variations == 0 {
            return None;
        }
        if let Some((name, start, end)) = self.namespace {
            if !in_namespace(unit, name, start, end) {
                return None;
            }
        }
        let n = hash(self.seed, unit, self.hash_version)?;
        choose_variation(
            n,
            &bucket_ranges(self.variations, self.coverage, self.weights),
        )
    }
}

/// Whether the shopper is in a holdout of `percent` (0 to 100) under `seed`: the
/// first `percent` of the version 2 hash range, so raising it only adds shoppers.
pub fn in_holdout(unit: &str, seed: &str, percent: f64) -> bool {
    !unit.is_empty() && hash(seed, unit, 2).is_some_and(|n| n < percent / 100.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn non_ascii_hashes_by_utf16_units() {
        // "é" is one UTF-16 unit (0xE9), "😀" two surrogates: JavaScript's charCodeAt.
        let by_units = |units: &[u16]| {
            units.iter().fold(0x811c_9dc5u32, |h, u| {
                (h ^ u32::from(*u)).wrapping_mul(0x0100_0193)
            })
        };
        assert_eq!(fnv32a("é"), by_units(&[0xe9]));
        assert_eq!(fnv32a("😀"), by_units(&[0xd83d, 0xde00]));
    }

    #[test]
    fn holdout_grows_by_adding_shoppers() {
        let units: Vec<String> = (0..2000).map(|i| i.to_string()).collect();
        let small: Vec<&String> = units.iter().filter(|u| in_holdout(u, "h", 5.0)).collect();
        let large: Vec<&String> = units.iter().filter(|u| in_holdout(u, "h", 20.0)).collect();
        assert!(small.iter().all(|u| large.contains(u)));
        // About 5% and 20% of 2,000.
        assert!((70..=130).contains(&small.len()), "{}", small.len());
        assert!((340..=460).contains(&large.len()), "{}", large.len());
        assert!(!in_holdout("", "h", 100.0));
    }
}
