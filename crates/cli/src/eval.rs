//! The offline evaluation: the category-page replay of `EVALUATION.md` on real shopper
//! logs (REES46, Taobao and Diginetica formats, detected from their first line).
//!
//! Native only: it is what `shelfwise eval FILE...` runs. Each shopper's profile is
//! built from that shopper's own earlier events only, exactly as on their device, and
//! the grid is reranked with the same [`shelfwise_core::rank`] the browser runs.

use std::collections::HashMap;

use shelfwise_core::event::{Event, EventKind, Product};
use shelfwise_core::profile::{Profile, ProfileConfig, Snapshot};
use shelfwise_core::rank::{rank, Candidate, RankOptions};

/// The log formats the replay reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// CSV with header `event_time,event_type,product_id,category_id,category_code,...`.
    Rees46,
    /// CSV without header: `user_id,item_id,category_id,behavior,unix_ts`.
    Taobao,
    /// `;`-separated item views with header `session_id;user_id;item_id;timeframe;eventdate`;
    /// categories come from a `itemId;categoryId` file given beside it.
    Diginetica,
    /// `itemId;categoryId`: the Diginetica categories, a lookup rather than a log.
    DigineticaCategories,
}

impl Format {
    pub fn name(self) -> &'static str {
        match self {
            Format::Rees46 => "rees46",
            Format::Taobao => "taobao",
            Format::Diginetica => "diginetica",
            Format::DigineticaCategories => "diginetica-categories",
        }
    }

    /// Detects the format from the file's first line.
    pub fn detect(first_line: &str) -> Option<Format> {
        let line = first_line.trim();
        if line.starts_with("event_time,event_type,product_id") {
            Some(Format::Rees46)
        } else if line.starts_with("session_id;user_id;item_id") {
            Some(Format::Diginetica)
        } else if line.starts_with("itemId;categoryId") {
            Some(Format::DigineticaCategories)
        } else if line.split(',').count() == 5 && line.split(',').all(|f| !f.is_empty()) {
            Some(Format::Taobao)
        } else {
            None
        }
    }
}

/// One event of a log: whose, what, which product, when.
#[derive(Debug, Clone, PartialEq)]
pub struct LogEvent {
    pub user: String,
    pub kind: EventKind,
    pub product: Product,
    pub at_ms: f64,
}

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let year = if month <= 2 { year - 1 } else { year };
    let era = year.div_euclid(400);
    let year_of_era = year - era * 400;
    let day_of_year = (153 * ((month + 9) % 12) + 2) / 5 + day - 1;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    era * 146_097 + day_of_era - 719_468
}

/// Milliseconds since the epoch of `YYYY-MM-DD` optionally followed by ` HH:MM:SS`.
pub fn parse_time(text: &str) -> Option<f64> {
    let number = |range: std::ops::Range<usize>| text.get(range)?.parse::<i64>().ok();
    let days = days_from_civil(number(0..4)?, number(5..7)?, number(8..10)?);
    let seconds = if text.len() >= 19 {
        number(11..13)? * 3600 + number(14..16)? * 60 + number(17..19)?
    } else {
        0
    };
    Some(((days * 86_400 + seconds) * 1000) as f64)
}

/// Reads a log. `categories` maps Diginetica item ids to categories (empty otherwise).
pub fn read_log(
    text: &str,
    format: Format,
    categories: &HashMap<String, String>,
) -> Result<Vec<LogEvent>, String> {
    let mut lines = text.lines().enumerate();
    if matches!(format, Format::Rees46 | Format::Diginetica) {
        lines.next();
    }
    let mut events = Vec::new();
    for (number, line) in lines {
        if line.trim().is_empty() {
            continue;
        }
        let bad = || format!("line {}: not a {} row: {line}", number + 1, format.name());
        let event = match format {
            Format::Rees46 => rees46_event(line),
            Format::Taobao => taobao_event(line),
            Format::Diginetica => diginetica_event(line, categories),
            Format::DigineticaCategories => return Err("a categories file is not a log".into()),
        };
        match event {
            Some(Some(event)) => events.push(event),
            Some(None) => {}
            None => return Err(bad()),
        }
    }
    Ok(events)
}

/// `None`: malformed; `Some(None)`: an event type the replay does not use.
fn rees46_event(line: &str) -> Option<Option<LogEvent>> {
    let fields: Vec<&str> = line.split(',').collect();
    let [time, kind, id, category_id, category_code, brand, price, user, ..] = fields[..] else {
        return None;
    };
    let kind = match kind {
        "view" => EventKind::View,
        "cart" => EventKind::AddToCart,
        "purchase" => EventKind::Purchase,
        _ => return Some(None),
    };
    // Category codes are dotted paths: the profile's categories use `/`.
    let category = if category_code.is_empty() {
        category_id.to_owned()
    } else {
        category_code.replace('.', "/")
    };
    let mut product = Product::new(id).with_category(category);
    if !brand.is_empty() {
        product = product.with_brand(brand);
    }
    if let Some(price) = price.parse::<f64>().ok().filter(|p| *p > 0.0) {
        product = product.with_price(price);
    }
    Some(Some(LogEvent {
        user: user.to_owned(),
        kind,
        product,
        at_ms: parse_time(time)?,
    }))
}

fn taobao_event(line: &str) -> Option<Option<LogEvent>> {
    let fields: Vec<&str> = line.trim().split(',').collect();
    let [user, id, category, behaviour, seconds] = fields[..] else {
        return None;
    };
    let kind = match behaviour {
        "pv" => EventKind::View,
        "cart" => EventKind::AddToCart,
        "fav" => EventKind::Wishlist,
        "buy" => EventKind::Purchase,
        _ => return Some(None),
    };
    Some(Some(LogEvent {
        user: user.to_owned(),
        kind,
        product: Product::new(id).with_category(category),
        at_ms: seconds.parse::<f64>().ok()? * 1000.0,
    }))
}

/// Diginetica: anonymous sessions are their own shoppers; the time is the day plus the
/// session's own clock (`timeframe`, milliseconds).
fn diginetica_event(line: &str, categories: &HashMap<String, String>) -> Option<Option<LogEvent>> {
    let fields: Vec<&str> = line.trim().split(';').collect();
    let [session, user, id, timeframe, date] = fields[..] else {
        return None;
    };
    let user = if user == "NA" || user.is_empty() {
        format!("session:{session}")
    } else {
        format!("user:{user}")
    };
    let mut product = Product::new(id);
    if let Some(category) = categories.get(id) {
        product = product.with_category(category.clone());
    }
    Some(Some(LogEvent {
        user,
        kind: EventKind::View,
        product,
        at_ms: parse_time(date)? + timeframe.parse::<f64>().ok()?,
    }))
}

/// Reads a Diginetica `itemId;categoryId` file.
pub fn read_categories(text: &str) -> HashMap<String, String> {
    text.lines()
        .skip(1)
        .filter_map(|line| {
            let (item, category) = line.trim().split_once(';')?;
            Some((item.to_owned(), category.to_owned()))
        })
        .collect()
}

/// Means of the three metrics over a set of scored views.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Metrics {
    pub n: usize,
    pub ndcg_at_10: f64,
    pub mrr: f64,
    pub hit_rate_at_10: f64,
}

impl Metrics {
    /// Adds the target's rank (counted from 1).
    fn add(&mut self, rank: usize) {
        let r = rank as f64;
        self.n += 1;
        if rank <= 10 {
            self.ndcg_at_10 += 1.0 / (r + 1.0).log2();
            self.hit_rate_at_10 += 1.0;
        }
        self.mrr += 1.0 / r;
    }

    /// The mean over two sets of views, from their means.
    fn merge(&self, other: &Metrics) -> Metrics {
        let n = (self.n + other.n).max(1) as f64;
        let mix = |a: f64, b: f64| (a * self.n as f64 + b * other.n as f64) / n;
        Metrics {
            n: self.n + other.n,
            ndcg_at_10: mix(self.ndcg_at_10, other.ndcg_at_10),
            mrr: mix(self.mrr, other.mrr),
            hit_rate_at_10: mix(self.hit_rate_at_10, other.hit_rate_at_10),
        }
    }

    fn mean(self) -> Metrics {
        let n = self.n.max(1) as f64;
        Metrics {
            n: self.n,
            ndcg_at_10: self.ndcg_at_10 / n,
            mrr: self.mrr / n,
            hit_rate_at_10: self.hit_rate_at_10 / n,
        }
    }
}

/// The replay's result: metrics per (order, subset) and the views skipped.
///
/// Beside the shop's `default` order and `shelfwise`, two baselines: `recent` (the
/// products the shopper interacted with, newest first, then the shop's order: the
/// simplest thing a shop could do on the device) and `knn`, a server-side reference that
/// Shelfwise never uses: products other shoppers interacted with together with the
/// shopper's last three ("viewed together", from every shopper's earlier events), then
/// the shop's order.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Report {
    pub default_all: Metrics,
    pub default_new: Metrics,
    pub recent_all: Metrics,
    pub recent_new: Metrics,
    pub knn_all: Metrics,
    pub knn_new: Metrics,
    pub shelfwise_all: Metrics,
    pub shelfwise_new: Metrics,
    pub skipped: usize,
}

impl Report {
    /// Every (order, subset) cell, in the order of [`Report::lines`].
    fn metrics_mut(&mut self) -> [&mut Metrics; 8] {
        [
            &mut self.default_all,
            &mut self.default_new,
            &mut self.recent_all,
            &mut self.recent_new,
            &mut self.knn_all,
            &mut self.knn_new,
            &mut self.shelfwise_all,
            &mut self.shelfwise_new,
        ]
    }

    /// The report over the views of both (cross-validation folds together): means
    /// weighted by their counts.
    pub fn merge(mut self, mut other: Report) -> Report {
        for (mine, theirs) in self.metrics_mut().into_iter().zip(other.metrics_mut()) {
            *mine = mine.merge(theirs);
        }
        self.skipped += other.skipped;
        self
    }

    /// The report's lines, as `EVALUATION.md` prints them.
    pub fn lines(&self) -> Vec<String> {
        let line = |order: &str, subset: &str, m: &Metrics| {
            format!(
                "{order} {subset} n={} NDCG@10={:.4} MRR={:.4} HR@10={:.4}",
                m.n, m.ndcg_at_10, m.mrr, m.hit_rate_at_10
            )
        };
        vec![
            line("default", "all", &self.default_all),
            line("default", "new", &self.default_new),
            line("recent", "all", &self.recent_all),
            line("recent", "new", &self.recent_new),
            line("knn(server)", "all", &self.knn_all),
            line("knn(server)", "new", &self.knn_new),
            line("shelfwise", "all", &self.shelfwise_all),
            line("shelfwise", "new", &self.shelfwise_new),
        ]
    }
}

/// A product's numeric id for the default order's tie-break (ids in these logs are
/// numbers; any other id sorts after them, by text).
fn id_key(id: &str) -> (u64, &str) {
    (id.parse().unwrap_or(u64::MAX), id)
}

/// One qualifying view of the replay, with everything an order is made from.
pub struct Qualifying<'a, 'b> {
    pub user: &'a str,
    /// When the view happened.
    pub at_ms: f64,
    /// The product viewed, and whether this shopper had not interacted with it before.
    pub target: &'a str,
    pub new: bool,
    /// The grid in the shop's default order (popularity so far).
    pub order: &'b [&'a str],
    pub products: &'b HashMap<&'a str, &'a Product>,
    /// The shopper's products, oldest first (each once, at its latest place).
    pub history: &'b [&'a str],
    /// Across shoppers, how often two products went together (the server kNN's counts).
    pub co_views: &'b HashMap<&'a str, HashMap<&'a str, u32>>,
    /// The shopper's profile from their own earlier events, as of the view.
    pub snapshot: &'b Snapshot<'b>,
}

impl Qualifying<'_, '_> {
    /// The grid as candidates, in the default order.
    pub fn candidates(&self) -> Vec<Candidate<'_>> {
        self.order
            .iter()
            .map(|p| Candidate::new(self.products[p]))
            .collect()
    }
}

/// Replays `events` (any order: they are sorted by time, stably) as `EVALUATION.md`
/// defines, calling `visit` for every qualifying view; returns the views skipped.
pub fn replay<'a>(
    events: &'a [LogEvent],
    config: &ProfileConfig,
    mut visit: impl FnMut(&Qualifying<'a, '_>),
) -> usize {
    let mut order: Vec<&LogEvent> = events.iter().collect();
    order.sort_by(|a, b| a.at_ms.total_cmp(&b.at_ms));

    let mut grids: HashMap<&str, Vec<&str>> = HashMap::new();
    let mut products: HashMap<&str, &Product> = HashMap::new();
    let mut popularity: HashMap<&str, u64> = HashMap::new();
    let mut profiles: HashMap<&str, Profile> = HashMap::new();
    let mut interacted: HashMap<&str, Vec<&str>> = HashMap::new();
    let mut co_views: HashMap<&str, HashMap<&str, u32>> = HashMap::new();
    let mut skipped = 0;

    for event in order {
        let id = event.product.id.as_str();
        let category = event.product.category.as_deref().unwrap_or("");
        if event.kind == EventKind::View {
            let grid = grids.get(category).filter(|grid| grid.contains(&id));
            match (profiles.get(event.user.as_str()), grid) {
                (Some(profile), Some(grid)) if grid.len() >= 10 => {
                    let mut default_order = grid.clone();
                    default_order.sort_by(|a, b| {
                        popularity[b]
                            .cmp(&popularity[a])
                            .then_with(|| id_key(a).cmp(&id_key(b)))
                    });
                    let history = interacted
                        .get(event.user.as_str())
                        .map_or(&[][..], Vec::as_slice);
                    let snapshot = profile.snapshot(event.at_ms, config);
                    visit(&Qualifying {
                        user: &event.user,
                        at_ms: event.at_ms,
                        target: id,
                        new: !history.contains(&id),
                        order: &default_order,
                        products: &products,
                        history,
                        co_views: &co_views,
                        snapshot: &snapshot,
                    });
                }
                _ => skipped += 1,
            }
        }
        let grid = grids.entry(category).or_default();
        if !grid.contains(&id) {
            grid.push(id);
        }
        products.insert(id, &event.product);
        *popularity.entry(id).or_default() += 1;
        let profile = profiles.entry(event.user.as_str()).or_default();
        profile.learn(
            &Event::new(event.kind, event.product.clone(), event.at_ms),
            config,
        );
        let history = interacted.entry(event.user.as_str()).or_default();
        for other in history.iter().rev().take(CO_VIEW_WINDOW) {
            if *other != id {
                *co_views.entry(id).or_default().entry(other).or_default() += 1;
                *co_views.entry(other).or_default().entry(id).or_default() += 1;
            }
        }
        history.retain(|p| *p != id);
        history.push(id);
    }
    skipped
}

/// Replays `events` and scores every qualifying view in every order.
pub fn evaluate(events: &[LogEvent], options: &RankOptions, config: &ProfileConfig) -> Report {
    evaluate_users(events, options, config, |_| true)
}

/// The same, scoring only the views of shoppers `scored` accepts (every event still
/// shapes grids, popularity and co-views): a cross-validation fold.
pub fn evaluate_users(
    events: &[LogEvent],
    options: &RankOptions,
    config: &ProfileConfig,
    scored: impl Fn(&str) -> bool,
) -> Report {
    evaluate_views(events, options, config, |user, _| scored(user))
}

/// The same, scoring only the views `scored` accepts by shopper and time (a fold, and
/// a period after the one priors were learned in).
pub fn evaluate_views(
    events: &[LogEvent],
    options: &RankOptions,
    config: &ProfileConfig,
    scored: impl Fn(&str, f64) -> bool,
) -> Report {
    let mut report = Report::default();
    report.skipped = replay(events, config, |view| {
        if !scored(view.user, view.at_ms) {
            return;
        }
        let target = view.target;
        let default_rank = 1 + view.order.iter().position(|p| *p == target).unwrap_or(0);
        let ranked = rank(&view.candidates(), options, Some(view.snapshot)).unwrap_or_default();
        let shelfwise_rank = 1 + ranked
            .iter()
            .position(|r| view.order[r.index] == target)
            .unwrap_or(0);
        let ranks = [
            (
                default_rank,
                &mut report.default_all,
                &mut report.default_new,
            ),
            (
                recent_rank(view.order, view.history, target),
                &mut report.recent_all,
                &mut report.recent_new,
            ),
            (
                knn_rank(view.order, view.history, view.co_views, target),
                &mut report.knn_all,
                &mut report.knn_new,
            ),
            (
                shelfwise_rank,
                &mut report.shelfwise_all,
                &mut report.shelfwise_new,
            ),
        ];
        for (rank, all, new_only) in ranks {
            all.add(rank);
            if view.new {
                new_only.add(rank);
            }
        }
    });
    for metrics in report.metrics_mut() {
        *metrics = metrics.mean();
    }
    report
}

/// Earlier products of one shopper that count as "viewed together" with a new one.
const CO_VIEW_WINDOW: usize = 20;

/// The target's rank when the shopper's products come first, newest first, then the
/// shop's order.
fn recent_rank(default_order: &[&str], history: &[&str], target: &str) -> usize {
    let in_grid: Vec<&str> = history
        .iter()
        .rev()
        .copied()
        .filter(|p| default_order.contains(p))
        .collect();
    match in_grid.iter().position(|p| *p == target) {
        Some(at) => at + 1,
        None => {
            let before = default_order
                .iter()
                .take_while(|p| **p != target)
                .filter(|p| !in_grid.contains(p))
                .count();
            in_grid.len() + before + 1
        }
    }
}

/// The target's rank by the server's "viewed together" counts with the shopper's last
/// three products (weighted 1, 1/2, 1/4), ties in the shop's order.
fn knn_rank(
    default_order: &[&str],
    history: &[&str],
    co_views: &HashMap<&str, HashMap<&str, u32>>,
    target: &str,
) -> usize {
    let score = |p: &str| -> f64 {
        history
            .iter()
            .rev()
            .take(3)
            .zip([1.0, 0.5, 0.25])
            .map(|(v, w)| {
                w * f64::from(
                    co_views
                        .get(v)
                        .and_then(|counts| counts.get(p))
                        .copied()
                        .unwrap_or(0),
                )
            })
            .sum()
    };
    let target_score = score(target);
    let at = default_order.iter().position(|p| *p == target).unwrap_or(0);
    1 + default_order
        .iter()
        .enumerate()
        .filter(|(i, p)| {
            let s = score(p);
            s > target_score || (s == target_score && *i < at)
        })
        .count()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_convert_to_epoch_milliseconds() {
        assert_eq!(parse_time("1970-01-01"), Some(0.0));
        assert_eq!(
            parse_time("2019-10-01 00:00:01 UTC"),
            Some(1_569_888_001_000.0)
        );
        assert_eq!(parse_time("2016-05-09"), Some(1_462_752_000_000.0));
        assert_eq!(parse_time("not a date"), None);
    }

    #[test]
    fn formats_are_detected_from_the_first_line() {
        let rees46 = "event_time,event_type,product_id,category_id,category_code,brand,price,user_id,user_session";
        assert_eq!(Format::detect(rees46), Some(Format::Rees46));
        assert_eq!(
            Format::detect("1,2268318,2520377,pv,1511544070"),
            Some(Format::Taobao)
        );
        assert_eq!(
            Format::detect("session_id;user_id;item_id;timeframe;eventdate"),
            Some(Format::Diginetica)
        );
        assert_eq!(Format::detect("hello"), None);
    }
}
