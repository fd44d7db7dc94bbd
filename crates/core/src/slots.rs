//! Homepage slots: the shop's banners, collections and offers, chosen per shopper on
//! the device. Each slot item is ranked like a product (its targeting facets against the
//! profile, the shop's priority as its score, the shop's pins and boosts), after its
//! conditions are checked: segments, local time of day, weekday, date range, device
//! class, locale and a daily frequency cap. No item fills two slots, and fallbacks fill
//! what nothing else qualifies for.

use super::error::Result;
use super::insights::Segment;
use super::profile::Snapshot;
use super::rank::{rank, Candidate, RankOptions, Ranked};

/// Device classes a slot item may target, by bit.
pub const DEVICES: [&str; 3] = ["mobile", "tablet", "desktop"];

/// When a slot item may be shown. Every condition left at its default allows anything.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Conditions<'a> {
    /// Local hours `[from, to)`, 0 to 24; `to < from` spans midnight; equal: any time.
    pub hours: (u8, u8),
    /// Bit `d` allows weekday `d` (0 Sunday to 6 Saturday); 0: every day.
    pub weekdays: u8,
    /// Shown from and until these times (milliseconds since the epoch), when given.
    pub from_ms: Option<f64>,
    pub until_ms: Option<f64>,
    /// Bit `i` allows [`DEVICES`]`[i]`; 0: every device.
    pub devices: u8,
    /// Bit `i` allows lifecycle segment `i` (in [`Segment::ALL`] order); 0: everyone.
    pub segments: u16,
    /// Locale prefixes (`"de"`, `"en-GB"`), any case; empty: every locale.
    pub locales: &'a [&'a str],
    /// At most this many impressions a day (UTC) for this shopper; 0: no cap.
    pub cap_per_day: u32,
}

/// Where and when the page is shown, as the JS face reads it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Context<'a> {
    pub now_ms: f64,
    /// Local hour (0 to 23) and weekday (0 Sunday to 6 Saturday).
    pub hour: u8,
    pub weekday: u8,
    /// Index into [`DEVICES`].
    pub device: u8,
    /// BCP 47 tag, e.g. `"de-AT"`.
    pub locale: &'a str,
    pub segment: Segment,
}

/// One slot item: the candidate (its product carries the facets it targets and its id;
/// `base` is the shop's priority), the slots it may fill, and its conditions.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SlotItem<'a> {
    pub candidate: Candidate<'a>,
    /// Bit `i` allows slot `i`; 0: any slot.
    pub slots: u32,
    /// Shown only where nothing else qualifies.
    pub fallback: bool,
    pub conditions: Conditions<'a>,
}

impl Conditions<'_> {
    /// Whether the item may be shown in `context`, having been shown `shown_today` times.
    pub fn allow(&self, context: &Context, shown_today: u32) -> bool {
        let bit = |mask: u32, i: u8| mask == 0 || mask & (1 << i) != 0;
        let (from, to) = self.hours;
        let hour = context.hour;
        let in_hours = from == to
            || (from < to && (from..to).contains(&hour))
            || (from > to && (hour >= from || hour < to));
        let locale = context.locale;
        // `de` matches `de` and `de-AT`, in any case.
        let in_locale = self.locales.is_empty()
            || self.locales.iter().any(|prefix| {
                let head = locale.get(..prefix.len());
                head.is_some_and(|head| head.eq_ignore_ascii_case(prefix))
                    && matches!(locale.as_bytes().get(prefix.len()), None | Some(b'-'))
            });
        in_hours
            && in_locale
            && bit(u32::from(self.weekdays), context.weekday)
            && bit(u32::from(self.devices), context.device)
            && bit(u32::from(self.segments), context.segment as u8)
            && self.from_ms.is_none_or(|from| context.now_ms >= from)
            && self.until_ms.is_none_or(|until| context.now_ms < until)
            && (self.cap_per_day == 0 || shown_today < self.cap_per_day)
    }
}

/// Where an item may go, whatever form its product takes.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Placement<'a> {
    /// Bit `i` allows slot `i`; 0: any slot.
    pub slots: u32,
    /// Shown only where nothing else qualifies.
    pub fallback: bool,
    pub conditions: Conditions<'a>,
    /// Impressions of the item today.
    pub shown_today: u32,
}

/// Fills `slots` slots from items in ranked `order` (their indexes): per slot the
/// best-ranked qualifying item allowed there and not yet placed, else the best such
/// fallback, else nothing. Returns per slot the chosen position in `order`.
pub fn place(
    slots: usize,
    items: &[Placement],
    context: &Context,
    order: &[usize],
) -> Vec<Option<usize>> {
    // Not shown: items whose conditions fail (checked once), then those placed.
    let mut unavailable: Vec<bool> = items
        .iter()
        .map(|item| !item.conditions.allow(context, item.shown_today))
        .collect();
    let mut filled = Vec::with_capacity(slots);
    for slot in 0..slots.min(31) {
        let pick = |fallback: bool| {
            order.iter().position(|&i| {
                let item = &items[i];
                !unavailable[i]
                    && item.fallback == fallback
                    && (item.slots == 0 || item.slots & (1 << slot) != 0)
            })
        };
        let choice = pick(false).or_else(|| pick(true));
        if let Some(at) = choice {
            unavailable[order[at]] = true;
        }
        filled.push(choice);
    }
    filled
}

/// Fills `slots` slots with products (see [`place`]). `shown_today(id)` counts the
/// item's impressions today. Returns per slot the chosen item's index in `items` and
/// why it was chosen.
pub fn fill_slots(
    slots: usize,
    items: &[SlotItem],
    context: &Context,
    options: &RankOptions,
    snapshot: Option<&Snapshot>,
    shown_today: &dyn Fn(&str) -> u32,
) -> Result<Vec<Option<Ranked>>> {
    let candidates: Vec<Candidate> = items.iter().map(|item| item.candidate).collect();
    let ranked = rank(&candidates, options, snapshot)?;
    let placements: Vec<Placement> = items
        .iter()
        .map(|item| Placement {
            slots: item.slots,
            fallback: item.fallback,
            conditions: item.conditions,
            shown_today: shown_today(&item.candidate.product.id),
        })
        .collect();
    let order: Vec<usize> = ranked.iter().map(|r| r.index).collect();
    let filled = place(slots, &placements, context, &order);
    Ok(filled
        .into_iter()
        .map(|at| at.map(|at| ranked[at]))
        .collect())
}
