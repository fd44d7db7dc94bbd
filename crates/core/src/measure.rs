//! Local measurement and private aggregate reports.
//!
//! With the `measurement` purpose, the profile counts per module the shop declares
//! (`"grid"`, `"search"`, `"home:hero"`): impressions, clicks, add-to-carts, purchases
//! and revenue. A click is credited to the module it came from; an add-to-cart or
//! purchase to the module given with it, else to the module the product was last
//! clicked in within [`ATTRIBUTION_MS`].
//!
//! [`Counters::report`] turns the counts into a report the shop may send to its own
//! analytics: each count becomes unary ("thermometer") bits, `count >= 1`, `>= 2`, ...
//! up to [`COUNT_LEVELS`] (revenue in steps of the shop's `revenueStep`), and every bit
//! is kept with probability `p = e^ε / (1 + e^ε)` and flipped otherwise (randomized
//! response, as in RAPPOR). One more or one fewer event changes one count bit (a
//! purchase also up to [`COUNT_LEVELS`] revenue bits), so a report reveals at most `ε`
//! about whether any one click or add-to-cart happened, and at most `5ε` about a
//! purchase. Counts restart after each report, so every event is in exactly one report
//! and that bound holds however many reports a shopper sends.
//!
//! [`estimate`] is the shop's side: it inverts the randomization over many reports into
//! unbiased totals (of the counts capped at [`COUNT_LEVELS`]) with 95% confidence
//! intervals, per group (holdout, personalized, or an experiment's variations), and the
//! lift of each group over a baseline.

use super::codec::codec_fields;
use super::error::{Error, Result};
use super::event::{Event, EventKind};
use super::json::{json_fields, shape};

/// What each module counts, in report order.
pub const METRICS: [&str; 5] = [
    "impressions",
    "clicks",
    "add_to_cart",
    "purchases",
    "revenue",
];
/// Unary levels per metric in a report: counts above it report as this many.
pub const COUNT_LEVELS: usize = 4;
/// Report bits per module.
pub const BITS_PER_MODULE: usize = METRICS.len() * COUNT_LEVELS;
/// Modules a shop may declare.
pub const MAX_MODULES: usize = 16;
/// How long a click is credited with the add-to-cart or purchase of its product.
pub const ATTRIBUTION_MS: f64 = 7.0 * 86_400_000.0;
/// Clicks kept for attribution.
const MAX_CLICKS: usize = 32;
/// Randomization of each report bit, by default: `ε = ln 3` keeps a bit with
/// probability 3/4 (RAPPOR's `f = 0.5`).
pub const DEFAULT_EPSILON: f64 = 1.098_612_288_668_109_8;
pub const MAX_EPSILON: f64 = 10.0;
/// Report format, and the version its layout has.
pub const REPORT_FORMAT: &str = "shelfwise-report";
pub const REPORT_VERSION: u32 = 1;
/// The two-sided 95% normal quantile.
const Z95: f64 = 1.959_963_984_540_054;

/// Counts per declared module since the last report.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Counters {
    /// `[module, value, metric]`: the value of one metric (an index into [`METRICS`]) of
    /// one module; absent means 0. (Tuples of the profile's own shapes keep the module
    /// small: each new shape of list costs its own decoding, cloning and dropping.)
    pub counts: Vec<(String, f64, u32)>,
    /// Recent clicks for attribution, newest first: `[product id, module, atMs]`.
    pub clicks: Vec<(String, String, f64)>,
    /// When counting started (the first count after the last report).
    pub since_ms: Option<f64>,
}

codec_fields!(Counters {
    counts,
    clicks,
    since_ms
});

json_fields!(Counters {
    "counts": counts,
    "since": since_ms
});

impl Counters {
    /// Counts one learned event for the declared `modules` (undeclared ones are not
    /// counted: a report only ever covers the declared layout).
    pub fn count(&mut self, event: &Event, modules: &[String]) {
        let id = &event.product.id;
        let at = event.at_ms;
        let credited = match (event.kind, &event.module) {
            (EventKind::Impression | EventKind::Click, Some(module)) => Some(module.clone()),
            (EventKind::AddToCart | EventKind::Purchase, Some(module)) => Some(module.clone()),
            (EventKind::AddToCart | EventKind::Purchase, None) => self
                .clicks
                .iter()
                .find(|(p, _, t)| p == id && at - t <= ATTRIBUTION_MS)
                .map(|(_, m, _)| m.clone()),
            _ => None,
        };
        let Some(module) = credited.filter(|m| modules.contains(m)) else {
            return;
        };
        if event.kind == EventKind::Click {
            self.clicks.retain(|(p, _, _)| p != id);
            self.clicks.insert(0, (id.clone(), module.clone(), at));
            self.clicks.truncate(MAX_CLICKS);
        }
        let metric = match event.kind {
            EventKind::Impression => 0,
            EventKind::Click => 1,
            EventKind::AddToCart => 2,
            _ => 3,
        };
        self.add(&module, metric, 1.0);
        if event.kind == EventKind::Purchase {
            let revenue = event.product.price.unwrap_or(0.0) * f64::from(event.units());
            self.add(&module, 4, revenue);
        }
        self.since_ms = Some(self.since_ms.map_or(at, |s| s.min(at)));
    }

    fn add(&mut self, module: &str, metric: u32, value: f64) {
        match self
            .counts
            .iter_mut()
            .find(|(m, _, i)| m == module && *i == metric)
        {
            Some((_, count, _)) => *count += value,
            None => self.counts.push((module.to_owned(), value, metric)),
        }
    }

    /// Drops what a stored value may hold beyond its bounds; returns how many entries.
    pub fn sanitize(&mut self, valid_label: fn(&str) -> bool) -> usize {
        let before = self.counts.len() + self.clicks.len();
        self.counts.retain(|(m, value, metric)| {
            valid_label(m)
                && value.is_finite()
                && *value >= 0.0
                && (*metric as usize) < METRICS.len()
        });
        self.counts.truncate(MAX_MODULES * METRICS.len());
        self.clicks
            .retain(|(p, m, at)| valid_label(p) && valid_label(m) && at.is_finite() && *at >= 0.0);
        self.clicks.truncate(MAX_CLICKS);
        before - self.counts.len() - self.clicks.len()
    }

    /// The counts of `module` (zeros when nothing was counted).
    pub fn of(&self, module: &str) -> [f64; 5] {
        let mut counts = [0.0; 5];
        for (_, value, metric) in self.counts.iter().filter(|(m, _, _)| m == module) {
            if let Some(slot) = counts.get_mut(*metric as usize) {
                *slot += value;
            }
        }
        counts
    }

    /// Counters holding `counts` (five per module, in `modules` order).
    pub fn from_counts(modules: &[String], counts: &[f64]) -> Counters {
        let mut counters = Counters::default();
        for (module, values) in modules.iter().zip(counts.chunks(METRICS.len())) {
            for (metric, value) in values.iter().enumerate() {
                counters.add(module, metric as u32, *value);
            }
        }
        counters
    }

    /// The report of these counts for `layout`, randomized with `random` (seeded by the
    /// caller: the browser's `crypto.getRandomValues`, a fixed seed in tests).
    pub fn report(&self, layout: &Layout, group: &str, random: &mut Random) -> Report {
        let mut bits = String::with_capacity(layout.modules.len() * BITS_PER_MODULE);
        let keep = keep_probability(layout.epsilon);
        for module in &layout.modules {
            for (metric, count) in self.of(module).into_iter().enumerate() {
                let units = if metric == 4 {
                    count / layout.revenue_step
                } else {
                    count
                };
                for level in 1..=COUNT_LEVELS {
                    let truth = units >= level as f64;
                    let kept = random.unit() < keep;
                    bits.push(if truth == kept { '1' } else { '0' });
                }
            }
        }
        Report {
            format: REPORT_FORMAT,
            version: REPORT_VERSION,
            epsilon: layout.epsilon,
            revenue_step: layout.revenue_step,
            modules: layout.modules.clone(),
            group: group.to_owned(),
            bits,
        }
    }
}

/// Probability a report bit is sent as it is, for `epsilon`.
pub fn keep_probability(epsilon: f64) -> f64 {
    1.0 / (1.0 + (-epsilon).exp())
}

/// What every report of a shop has in common; reports aggregate only with their own.
#[derive(Debug, Clone, PartialEq)]
pub struct Layout {
    pub modules: Vec<String>,
    pub epsilon: f64,
    /// Revenue is reported in steps of this much (the shop's currency).
    pub revenue_step: f64,
}

impl Layout {
    /// Checks the shop's measurement configuration. Reports state numbers to six
    /// decimals, so epsilon and the revenue step are rounded to six decimals first: a
    /// report is randomized with exactly what it states.
    pub fn new(modules: Vec<String>, epsilon: f64, revenue_step: f64) -> Result<Layout> {
        let invalid = |why: &str| Err(Error::InvalidOptions(why.into()));
        check_modules(&modules)?;
        let six = |x: f64| (x * 1e6).round() / 1e6;
        let (epsilon, revenue_step) = (six(epsilon), six(revenue_step));
        if !(epsilon.is_finite() && epsilon > 0.0 && epsilon <= MAX_EPSILON) {
            return invalid("measurement.epsilon must be a number above 0, at most 10");
        }
        if !(revenue_step.is_finite() && revenue_step > 0.0) {
            return invalid("measurement.revenueStep must be a number of at least 0.000001");
        }
        Ok(Layout {
            modules,
            epsilon,
            revenue_step,
        })
    }
}

/// Checks the modules a shop measures: at most [`MAX_MODULES`] distinct names of 1 to 64
/// characters without control characters.
pub fn check_modules(modules: &[String]) -> Result<()> {
    let bad = modules.iter().enumerate().any(|(i, m)| {
        m.is_empty() || m.len() > 64 || m.chars().any(char::is_control) || modules[..i].contains(m)
    });
    if bad || modules.len() > MAX_MODULES {
        return Err(Error::InvalidOptions(
            "measurement.modules must be at most 16 distinct names of 1 to 64 characters".into(),
        ));
    }
    Ok(())
}

shape! {
    /// One shopper's randomized report, as the shop receives it (from `measurement.report()`).
    #[derive(Debug, Clone, PartialEq)]
    pub struct Report as "MeasurementReport" {
        pub format: &'static str => "format": "'shelfwise-report'",
        pub version: u32 => "version": "1",
        /// Randomized response per bit: a bit is kept with probability e^ε / (1 + e^ε).
        pub epsilon: f64 => "epsilon": "number",
        /// Revenue is reported in steps of this much.
        pub revenue_step: f64 => "revenueStep": "number",
        pub modules: Vec<String> => "modules": "string[]",
        /// `"holdout"`, `"personalized"`, or `"<experiment>:<variation>"`.
        pub group: String => "group": "string",
        /// `0`/`1` per bit: per module, per metric, four unary levels.
        pub bits: String => "bits": "string",
    }
}

/// SplitMix64: small, fast and good enough to draw randomized-response coins from a
/// seed the browser's `crypto.getRandomValues` supplies.
#[derive(Debug, Clone)]
pub struct Random(u64);

impl Random {
    pub fn new(seed: u64) -> Self {
        Random(seed)
    }

    /// The next number in `[0, 1)`.
    pub fn unit(&mut self) -> f64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^= z >> 31;
        (z >> 11) as f64 / (1u64 << 53) as f64
    }
}

shape! {
    /// An estimate with its 95% confidence interval.
    #[derive(Debug, Clone, Copy, PartialEq, Default)]
    pub struct Interval as "Interval" {
        pub value: f64 => "value": "number",
        pub low: f64 => "low": "number",
        pub high: f64 => "high": "number",
    }
}

impl Interval {
    fn new(value: f64, standard_error: f64) -> Self {
        Interval {
            value,
            low: value - Z95 * standard_error,
            high: value + Z95 * standard_error,
        }
    }

    pub fn contains(&self, x: f64) -> bool {
        self.low <= x && x <= self.high
    }
}

shape! {
    /// One metric of one module in one group.
    #[derive(Debug, Clone, PartialEq)]
    pub struct MetricEstimate as "MetricEstimate" {
        pub module: String => "module": "string",
        pub metric: &'static str => "metric": "'impressions' | 'clicks' | 'add_to_cart' | 'purchases' | 'revenue'",
        /// The unbiased total over the group's reports (counts capped at 4 per report, revenue at 4 steps).
        pub total: Interval => "total": "Interval",
        /// The mean per report.
        pub per_report: Interval => "perReport": "Interval",
        /// The mean per report minus the baseline group's; null for the baseline itself.
        pub lift: Option<Interval> => "lift": "Interval | null",
    }
}

shape! {
    /// The estimates of one group.
    #[derive(Debug, Clone, PartialEq)]
    pub struct GroupEstimate as "GroupEstimate" {
        pub group: String => "group": "string",
        pub reports: u64 => "reports": "number",
        pub metrics: Vec<MetricEstimate> => "metrics": "MetricEstimate[]",
    }
}

shape! {
    /// What `estimate` finds in many shoppers' reports.
    #[derive(Debug, Clone, PartialEq)]
    pub struct Estimate as "Estimate" {
        pub epsilon: f64 => "epsilon": "number",
        pub revenue_step: f64 => "revenueStep": "number",
        pub modules: Vec<String> => "modules": "string[]",
        /// The group lifts are measured against.
        pub baseline: Option<String> => "baseline": "string | null",
        pub groups: Vec<GroupEstimate> => "groups": "GroupEstimate[]",
        /// Reports left out: another layout than the first report's, or malformed.
        pub ignored: u64 => "ignored": "number",
    }
}

/// A group's report count, then per (module, metric) the sum of the reports' values and
/// the sum of their squares.
type GroupSums = (String, u64, Vec<(f64, f64)>);

/// Unbiased totals from reports of one layout (the first well-formed report's; others
/// are counted in `ignored`). Each report's value of a metric is estimated without bias as
/// `step * Σ (bit - (1 - p)) / (2p - 1)` over its levels; totals sum these, and the
/// intervals come from their sample variance. `baseline` names the group lifts are
/// measured against (by default `"holdout"` when present).
pub fn estimate(reports: &[Report], baseline: Option<&str>) -> Result<Estimate> {
    // The layout is the first well-formed report's.
    let well_formed = |r: &&Report| {
        r.bits.len() == r.modules.len() * BITS_PER_MODULE
            && r.bits.bytes().all(|b| b == b'0' || b == b'1')
            && Layout::new(r.modules.clone(), r.epsilon, r.revenue_step).is_ok()
    };
    let Some(first) = reports.iter().find(well_formed) else {
        return Err(Error::InvalidArgument(
            "no readable report to estimate from".into(),
        ));
    };
    let layout = (&first.modules, first.epsilon, first.revenue_step);
    let width = first.modules.len() * BITS_PER_MODULE;
    let keep = keep_probability(first.epsilon);
    let mut ignored = 0;
    let mut groups: Vec<GroupSums> = Vec::new();
    let cells = first.modules.len() * METRICS.len();
    for report in reports {
        let same = (&report.modules, report.epsilon, report.revenue_step) == layout;
        if !same
            || report.bits.len() != width
            || report.bits.bytes().any(|b| b != b'0' && b != b'1')
        {
            ignored += 1;
            continue;
        }
        let index = match groups.iter().position(|(g, _, _)| *g == report.group) {
            Some(i) => i,
            None => {
                groups.push((report.group.clone(), 0, vec![(0.0, 0.0); cells]));
                groups.len() - 1
            }
        };
        let (_, count, sums) = &mut groups[index];
        *count += 1;
        let bits = report.bits.as_bytes();
        for (cell, sum) in sums.iter_mut().enumerate() {
            let step = if cell % METRICS.len() == 4 {
                first.revenue_step
            } else {
                1.0
            };
            let levels = &bits[cell * COUNT_LEVELS..(cell + 1) * COUNT_LEVELS];
            let value: f64 = levels
                .iter()
                .map(|b| (f64::from(b - b'0') - (1.0 - keep)) / (2.0 * keep - 1.0))
                .sum::<f64>()
                * step;
            sum.0 += value;
            sum.1 += value * value;
        }
    }
    if groups.is_empty() {
        return Err(Error::InvalidArgument("no report is readable".into()));
    }
    let baseline = baseline.map(str::to_owned).or_else(|| {
        groups
            .iter()
            .any(|g| g.0 == "holdout")
            .then(|| "holdout".into())
    });
    let mut estimates: Vec<GroupEstimate> = groups
        .iter()
        .map(|(group, count, sums)| {
            let n = *count as f64;
            let metrics = sums
                .iter()
                .enumerate()
                .map(|(cell, (sum, squares))| {
                    let mean = sum / n;
                    let variance = if n > 1.0 {
                        ((squares - n * mean * mean) / (n - 1.0)).max(0.0)
                    } else {
                        0.0
                    };
                    MetricEstimate {
                        module: first.modules[cell / METRICS.len()].clone(),
                        metric: METRICS[cell % METRICS.len()],
                        total: Interval::new(*sum, (n * variance).sqrt()),
                        per_report: Interval::new(mean, (variance / n).sqrt()),
                        lift: None,
                    }
                })
                .collect();
            GroupEstimate {
                group: group.clone(),
                reports: *count,
                metrics,
            }
        })
        .collect();
    if let Some(base) = baseline.as_deref() {
        let Some(base) = estimates.iter().find(|g| g.group == base).cloned() else {
            return Err(Error::InvalidArgument(
                ["no report is in the baseline group \"", base, "\""].concat(),
            ));
        };
        for group in estimates.iter_mut().filter(|g| g.group != base.group) {
            for (metric, of_base) in group.metrics.iter_mut().zip(&base.metrics) {
                // Each mean's standard error, as its interval states it.
                let error = |i: &Interval| (i.high - i.value) / Z95;
                let error = error(&metric.per_report).hypot(error(&of_base.per_report));
                let difference = metric.per_report.value - of_base.per_report.value;
                metric.lift = Some(Interval::new(difference, error));
            }
        }
    }
    Ok(Estimate {
        epsilon: first.epsilon,
        revenue_step: first.revenue_step,
        modules: first.modules.clone(),
        baseline,
        groups: estimates,
        ignored,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::event::Product;

    fn event(kind: EventKind, id: &str, module: Option<&str>, at: f64) -> Event {
        let mut event = Event::new(kind, Product::new(id).with_price(20.0), at);
        event.module = module.map(str::to_owned);
        event
    }

    #[test]
    fn purchases_are_credited_to_the_module_last_clicked() {
        let modules = vec!["grid".to_owned(), "similar".to_owned()];
        let mut counters = Counters::default();
        counters.count(
            &event(EventKind::Impression, "grid", Some("grid"), 0.0),
            &modules,
        );
        counters.count(&event(EventKind::Click, "p1", Some("grid"), 1.0), &modules);
        counters.count(
            &event(EventKind::Click, "p1", Some("similar"), 2.0),
            &modules,
        );
        counters.count(&event(EventKind::Purchase, "p1", None, 3.0), &modules);
        // Too late for the click: not credited.
        counters.count(&event(EventKind::Click, "p2", Some("grid"), 4.0), &modules);
        counters.count(
            &event(EventKind::AddToCart, "p2", None, 5.0 + ATTRIBUTION_MS),
            &modules,
        );
        // Undeclared modules are not counted.
        counters.count(&event(EventKind::Click, "p3", Some("other"), 6.0), &modules);
        assert_eq!(counters.of("grid"), [1.0, 2.0, 0.0, 0.0, 0.0]);
        assert_eq!(counters.of("similar"), [0.0, 1.0, 0.0, 1.0, 20.0]);
        assert_eq!(counters.of("other"), [0.0; 5]);
        assert_eq!(counters.since_ms, Some(0.0));
    }

    #[test]
    fn without_noise_a_report_is_the_capped_counts_in_unary() {
        let modules = vec!["grid".to_owned()];
        let mut counters = Counters::default();
        for i in 0..6 {
            counters.count(
                &event(EventKind::Click, "p", Some("grid"), f64::from(i)),
                &modules,
            );
        }
        counters.count(&event(EventKind::Purchase, "p", None, 7.0), &modules);
        let layout = Layout::new(modules, MAX_EPSILON, 10.0).unwrap();
        // At ε = 10 a bit flips with probability 4.5e-5: this seed flips none.
        let report = counters.report(&layout, "personalized", &mut Random::new(7));
        assert_eq!(report.bits, "0000_1111_0000_1000_1100".replace('_', ""));
    }
}
