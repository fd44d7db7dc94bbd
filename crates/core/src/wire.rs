//! How values cross the wasm boundary as text: the separators and the splitting. Plain
//! Rust, so the decoding the browser relies on is tested natively and fuzzed; the
//! boundary crates only move bytes and map errors.

use crate::catalog::{Catalog, Id, Record, NONE};
use crate::error::{at_index, Error, Result};
use crate::event::{ProductId, ProductInput};
use crate::rank::{RankedRow, Row};
use crate::slots::{Conditions, Placement};

/// Separates the items of a list passed as one string (unit separator).
pub const ITEM: char = '\u{1f}';
/// Separates a facet's name from its value, or a command's text arguments.
pub const PAIR: char = '\u{1e}';
/// Separates the fields of a product.
pub const FIELD: char = '\u{1c}';
/// Stands for a missing field. The face rejects control characters in every value, so
/// none of these four can occur inside one.
pub const ABSENT: &str = "\u{15}";

/// The non-empty items of a list passed as one string.
pub fn items(list: &str) -> impl Iterator<Item = &str> {
    list.split(ITEM).filter(|item| !item.is_empty())
}

/// A field that may be [`ABSENT`].
pub fn optional(field: &str) -> Option<&str> {
    (field != ABSENT).then_some(field)
}

/// Numbers per product row handed to ranking: product id, category, brand (interned
/// ids, [`NONE`] when absent), price (NaN: none), extras start and length (tags and facet
/// values, in the extras list), the shop's score (NaN: none), boost, pin (-1: none) and
/// flags ([`OUT_OF_STOCK`], [`CONSUMABLE`]).
pub const ROW_STRIDE: usize = 10;
pub const OUT_OF_STOCK: u32 = 1;
pub const CONSUMABLE: u32 = 2;
/// Numbers per ranked product handed back: input position, score, reason kind (the
/// index in [`Reason::KINDS`]) and the facet value it is about ([`NONE`] for none).
pub const RANKED_STRIDE: usize = 4;
/// Numbers per homepage slot item: its row, then slot mask, fallback, hour from, hour
/// to, weekdays, from, until (NaN: open), devices, segments, cap per day.
pub const SLOT_ITEM_STRIDE: usize = ROW_STRIDE + 10;

/// An id as the face wrote it: [`NONE`], or a whole number below it; anything else is
/// an id no catalog gave, which validation rejects.
fn id(number: f64) -> Id {
    let n = NONE as f64;
    if number == n {
        NONE
    } else if (0.0..n).contains(&number) && number.fract() == 0.0 {
        number as Id
    } else {
        NONE - 1
    }
}

/// One row from its [`ROW_STRIDE`] numbers (checked by ranking, not here).
pub fn row(n: &[f64]) -> Row {
    let flags = n[9] as u32;
    Row {
        record: Record {
            key: id(n[0]),
            category: id(n[1]),
            brand: id(n[2]),
            price: n[3],
            extras: (id(n[4]), id(n[5])),
        },
        base: Some(n[6]).filter(|b| !b.is_nan()),
        boost: n[7],
        pin: (n[8] >= 0.0).then_some(n[8] as u32),
        in_stock: flags & OUT_OF_STOCK == 0,
        consumable: flags & CONSUMABLE != 0,
    }
}

/// Every row of a list.
pub fn rows(numbers: &[f64]) -> Vec<Row> {
    numbers_rows(numbers).collect()
}

/// Extras ids as the face wrote them.
pub fn ids(numbers: &[f64]) -> Vec<Id> {
    numbers.iter().map(|n| id(*n)).collect()
}

/// Interns new strings: `entries` holds `facet PAIR value` items, `ITEM`-separated, the
/// facet empty for a product id; `owners` the position of the product each came from,
/// named in an error (an `invalid_event` for an `event`'s products, else an
/// `invalid_product`). Returns each entry's id ([`NONE`] for a blank value).
pub fn intern(
    catalog: &mut Catalog,
    entries: &str,
    owners: &[u32],
    event: bool,
) -> Result<Vec<Id>> {
    let mut ids = Vec::with_capacity(owners.len());
    for (i, entry) in entries
        .split(ITEM)
        .enumerate()
        .filter(|_| !entries.is_empty())
    {
        let (facet, value) = entry.split_once(PAIR).unwrap_or(("", entry));
        let id = match facet {
            "" => catalog.intern_product(value),
            facet => catalog.intern_value(facet, value),
        };
        let owner = owners.get(i).map_or(i, |o| *o as usize);
        ids.push(id.map_err(|reason| match event {
            true => Error::InvalidEvent(reason),
            false => Error::InvalidProduct(at_index(owner, &reason)),
        })?);
    }
    Ok(ids)
}

/// The products of an event, from their rows (the shop's columns unused), their extras
/// and their currencies (`ITEM`-separated, [`ABSENT`] or empty for none), for the core to
/// validate as any event's.
pub fn event_products(
    catalog: &Catalog,
    rows: &[f64],
    extras: &[f64],
    currencies: &str,
) -> Result<Vec<ProductInput>> {
    let extras = ids(extras);
    let mut currencies = currencies.split(ITEM);
    let text = |id: Id| catalog.value(id).map(|v| v.text.to_string());
    numbers_rows(rows)
        .map(|row| {
            let record = row.record;
            record
                .validate(catalog, &extras)
                .map_err(|reason| Error::InvalidEvent(["product ", &reason].concat()))?;
            let id = catalog.product_id(record.key).unwrap_or_default();
            Ok(ProductInput {
                id: ProductId(id.to_owned()),
                category: text(record.category),
                brand: text(record.brand),
                price: record.price(),
                currency: currencies
                    .next()
                    .and_then(optional)
                    .filter(|c| !c.is_empty())
                    .map(str::to_owned),
                tags: Vec::new(),
                facets: record
                    .extras(&extras)
                    .iter()
                    .filter_map(|id| catalog.describe(*id))
                    .map(|(facet, value)| (facet.to_owned(), value.to_owned()))
                    .collect(),
            })
        })
        .collect()
}

fn numbers_rows(numbers: &[f64]) -> impl Iterator<Item = Row> + '_ {
    numbers.chunks_exact(ROW_STRIDE).map(row)
}

/// A ranked row as [`RANKED_STRIDE`] numbers.
pub fn ranked(r: &RankedRow) -> [f64; RANKED_STRIDE] {
    let kind = r.reason.number() >> 8;
    let value = if r.value == NONE {
        -1.0
    } else {
        f64::from(r.value)
    };
    [r.index as f64, r.score, f64::from(kind), value]
}

/// Homepage slot items from their numbers (see [`SLOT_ITEM_STRIDE`]): each one's row
/// and where it may go; `locales` holds each item's locale prefixes.
pub fn slot_items<'a>(
    numbers: &[f64],
    locales: &'a [Vec<&'a str>],
) -> (Vec<Row>, Vec<Placement<'a>>) {
    let chunks = numbers.chunks_exact(SLOT_ITEM_STRIDE);
    let rows = chunks.clone().map(row).collect();
    let placements = chunks
        .enumerate()
        .map(|(i, c)| {
            let s = &c[ROW_STRIDE..];
            let time = |t: f64| Some(t).filter(|t| !t.is_nan());
            Placement {
                slots: s[0] as u32,
                fallback: s[1] != 0.0,
                conditions: Conditions {
                    hours: (s[2] as u8, s[3] as u8),
                    weekdays: s[4] as u8,
                    from_ms: time(s[5]),
                    until_ms: time(s[6]),
                    devices: s[7] as u8,
                    segments: s[8] as u16,
                    locales: locales.get(i).map_or(&[], Vec::as_slice),
                    cap_per_day: s[9] as u32,
                },
                shown_today: 0,
            }
        })
        .collect();
    (rows, placements)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn items_skip_empty_entries() {
        let list = ["a", "", "b"].join(&ITEM.to_string());
        assert_eq!(items(&list).collect::<Vec<_>>(), ["a", "b"]);
        assert_eq!(items("").count(), 0);
    }

    #[test]
    fn rows_decode_and_odd_ids_fail_validation() {
        let mut catalog = Catalog::default();
        let entries = ["\u{1e}42", "brand\u{1e}Acme", "tag\u{1e} "].join("\u{1f}");
        let ids = intern(&mut catalog, &entries, &[0, 0, 0], false).unwrap();
        assert_eq!(ids[0], 0);
        assert_eq!(ids[2], NONE, "a blank tag is no value");
        let numbers = [
            0.0,
            NONE as f64,
            f64::from(ids[1]),
            10.0,
            0.0,
            0.0,
            f64::NAN,
            1.0,
            -1.0,
            3.0,
        ];
        let row = row(&numbers);
        assert_eq!(row.record.brand, ids[1]);
        assert_eq!(row.record.category, NONE);
        assert!(!row.in_stock && row.consumable && row.pin.is_none() && row.base.is_none());
        assert!(row.record.validate(&catalog, &[]).is_ok());
        let forged = super::row(&[0.5, 0.0, 0.0, 10.0, 0.0, 0.0, 0.0, 1.0, -1.0, 0.0]);
        assert!(forged.record.validate(&catalog, &[]).is_err());
    }

    #[test]
    fn an_invalid_entry_names_its_product() {
        let mut catalog = Catalog::default();
        let entries = ["\u{1e}1", "Bad Facet\u{1e}x"].join("\u{1f}");
        let error = intern(&mut catalog, &entries, &[0, 7], false).unwrap_err();
        assert_eq!(error.code().as_str(), "invalid_product");
        assert!(error.message().contains("index 7"), "{}", error.message());
    }

    #[test]
    fn absent_fields_read_as_none() {
        assert_eq!(optional(ABSENT), None);
        assert_eq!(optional(""), Some(""));
        assert_eq!(optional("x"), Some("x"));
    }
}
