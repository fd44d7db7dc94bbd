//! How values cross the wasm boundary as text: the separators and the splitting. Plain
//! Rust, so the decoding the browser relies on is tested natively and fuzzed; the
//! boundary crates only move bytes and map errors.

use crate::catalog::{Catalog, Id, Record, NONE};
use crate::consent::{ConsentModeState, ConsentStatus, Signals, TcfState};
use crate::error::{at_index, Error, Result};
use crate::event::{valid_currency, EventDetails, EventKind, Product};
use crate::export::ImportFile;
use crate::rank::{RankedRow, Row};
use crate::slots::{Conditions, Placement};
use crate::tcf::{self, TcfChoices};

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

/// Entry names of a product's `category` and `brand` fields in [`intern`]: no facet name
/// can be spelled so, so a shop facet named `brand` is told apart (and refused).
pub const CATEGORY_FIELD: &str = ":category";
pub const BRAND_FIELD: &str = ":brand";

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

/// The id lenient interning gives a string that is not valid: its product is ranked
/// unread (see [`crate::catalog::Record::UNREAD`]), never with this id.
pub const UNREADABLE: Id = NONE - 1;

/// Interns new strings: `entries` holds `facet PAIR value` items, `ITEM`-separated, where
/// the facet is empty for a product id, [`CATEGORY_FIELD`] or [`BRAND_FIELD`] for those
/// fields, else a tag's, variant's or shop facet's name; `owners` the position of the
/// product each came from,
/// named in an error (an `invalid_event` for an `event`'s products, else an
/// `invalid_product`). Returns each entry's id ([`NONE`] for a blank value). `unread`:
/// instead of failing, an entry that is not valid gets [`NONE`] and its owner and
/// reason are pushed there (lenient ranking), and its id is [`UNREADABLE`].
pub fn intern(
    catalog: &mut Catalog,
    entries: &str,
    owners: &[u32],
    event: bool,
    mut unread: Option<&mut Vec<(usize, String)>>,
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
            CATEGORY_FIELD => catalog.intern_category(value),
            BRAND_FIELD => catalog.intern_brand(value),
            facet => catalog.intern_facet(facet, value),
        };
        let owner = owners.get(i).map_or(i, |o| *o as usize);
        let id = match (id, unread.as_deref_mut()) {
            (Err(reason), Some(unread)) => {
                unread.push((owner, reason));
                Ok(UNREADABLE)
            }
            (id, _) => id,
        };
        ids.push(id.map_err(|reason| match event {
            true => Error::InvalidEvent(reason),
            false => Error::InvalidProduct(at_index(owner, &reason)),
        })?);
    }
    Ok(ids)
}

/// The products of an event, from their rows (the shop's columns unused), their extras
/// and their currencies (`ITEM`-separated, [`ABSENT`] or empty for none). Their strings
/// were validated when they were interned, so only what a row adds is checked here.
pub fn event_products(
    catalog: &Catalog,
    rows: &[f64],
    extras: &[f64],
    currencies: &str,
) -> Result<Vec<Product>> {
    let extras = ids(extras);
    let mut currencies = currencies.split(ITEM);
    numbers_rows(rows)
        .map(|row| {
            let record = row.record;
            record
                .validate(catalog, &extras)
                .map_err(|reason| Error::InvalidEvent(["product ", &reason].concat()))?;
            let currency = currencies
                .next()
                .and_then(optional)
                .filter(|c| !c.is_empty());
            if currency.is_some_and(|c| !valid_currency(c)) {
                let rule = "currency must be an ISO 4217 code such as \"EUR\"";
                return Err(Error::InvalidEvent(rule.into()));
            }
            Ok(Product {
                currency: currency.map(str::to_owned),
                ..catalog.product(&record, &extras)
            })
        })
        .collect()
}

fn numbers_rows(numbers: &[f64]) -> impl Iterator<Item = Row> + '_ {
    numbers.chunks_exact(ROW_STRIDE).map(row)
}

/// What the page says about consent, as the face packs it. `flags`: bit 0 GPC, bit 1 a
/// CMP answered, bit 2 GDPR applies there, bit 3 the shop's vendor consent; then two bits
/// per Consent Mode state (0 absent, 1 granted, 2 denied) from bit 4: default
/// personalization, default analytics, update personalization, update analytics; bit 12:
/// the CMP loaded its choices from an earlier visit (`tcloaded`).
/// `tc_string` dates the CMP's choices (empty: none yet); `lists` holds the consented
/// purposes, the restricted purposes and the publisher's purposes, each after its length
/// (a length past the end takes what is there).
pub fn signals(flags: u32, tc_string: &str, lists: &[u32]) -> Signals {
    let status = |at: u32| match flags >> at & 3 {
        1 => Some(ConsentStatus::Granted),
        2 => Some(ConsentStatus::Denied),
        _ => None,
    };
    let mode = |at: u32| {
        let state = ConsentModeState {
            personalization_storage: status(at),
            analytics_storage: status(at + 2),
        };
        (state != ConsentModeState::default()).then_some(state)
    };
    let mut rest = lists;
    let mut list = || {
        let n = rest
            .first()
            .map_or(0, |n| *n as usize)
            .min(rest.len().saturating_sub(1));
        let (head, tail) = rest[rest.len().min(1)..].split_at(n);
        rest = tail;
        head.to_vec()
    };
    let (purpose_consents, restricted_purposes, publisher_consents) = (list(), list(), list());
    Signals {
        gpc: flags & 1 != 0,
        tcf: (flags & 2 != 0).then(|| TcfState {
            gdpr_applies: flags & 4 != 0,
            loaded: flags & 1 << 12 != 0,
            choices: tcf::last_updated_ms(tc_string).map(|last_updated_ms| TcfChoices {
                purpose_consents,
                vendor_consent: flags & 8 != 0,
                restricted_purposes,
                publisher_consents,
                last_updated_ms,
            }),
        }),
        consent_mode_default: mode(4),
        consent_mode_update: mode(8),
    }
}

/// An event's kind and where it was shown: `kind` is the type, then its module and slot
/// if any (`PAIR`-joined, [`ABSENT`] when missing), with the view's dwell time.
pub fn event_details(kind: &str, dwell_ms: Option<f64>) -> Result<(EventKind, EventDetails)> {
    let mut parts = kind.split(PAIR);
    let name = parts.next().unwrap_or("");
    let mut detail = || parts.next().and_then(optional).map(str::to_owned);
    let (module, slot) = (detail(), detail());
    let kind = EventKind::from_name(name)
        .ok_or_else(|| Error::InvalidEvent(["unknown event type \"", name, "\""].concat()))?;
    Ok((
        kind,
        EventDetails {
            dwell_ms,
            module,
            slot,
        },
    ))
}

/// The page's locale, then each slot item's locale prefixes (`ITEM`-joined), all
/// `PAIR`-separated.
pub fn locales(text: &str) -> (&str, Vec<Vec<&str>>) {
    let mut texts = text.split(PAIR);
    let locale = texts.next().unwrap_or("");
    (locale, texts.map(|list| items(list).collect()).collect())
}

/// The two parts of a `PAIR`-joined text (a facet and its value, a seed and an id); the
/// second is empty when there is no separator.
pub fn pair(text: &str) -> (&str, &str) {
    text.split_once(PAIR).unwrap_or((text, ""))
}

/// The non-empty parts of a `PAIR`-joined list (module names).
pub fn names(text: &str) -> Vec<String> {
    text.split(PAIR)
        .filter(|name| !name.is_empty())
        .map(str::to_owned)
        .collect()
}

/// An import's format, checksum and payload, `PAIR`-joined, each [`ABSENT`] when missing.
pub fn import_fields(text: &str) -> ImportFile {
    let mut fields = text.split(PAIR).map(|f| optional(f).map(str::to_owned));
    let mut field = || fields.next().flatten();
    let (format, checksum, payload) = (field(), field(), field());
    ImportFile {
        format,
        version: None,
        checksum,
        payload,
    }
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
    fn lenient_interning_marks_what_it_cannot_take_and_names_its_owner() {
        let mut catalog = Catalog::default();
        let long = "x".repeat(300);
        let entries = ["\u{1e}1", &[":brand\u{1e}", &long].concat(), "\u{1e}2"].join("\u{1f}");
        let strict = intern(&mut catalog, &entries, &[0, 1, 2], false, None).unwrap_err();
        assert!(strict.message().contains("index 1"), "{}", strict.message());
        let mut unread = Vec::new();
        let ids = intern(&mut catalog, &entries, &[0, 1, 2], false, Some(&mut unread)).unwrap();
        assert_eq!(ids[1], UNREADABLE);
        assert!(ids[0] != UNREADABLE && ids[2] != UNREADABLE);
        assert_eq!(unread.len(), 1);
        assert_eq!(unread[0].0, 1, "the product it came from");
    }

    #[test]
    fn rows_decode_and_odd_ids_fail_validation() {
        let mut catalog = Catalog::default();
        let entries = ["\u{1e}42", ":brand\u{1e}Acme", "tag\u{1e} "].join("\u{1f}");
        let ids = intern(&mut catalog, &entries, &[0, 0, 0], false, None).unwrap();
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
    fn signals_decode_flags_and_length_prefixed_lists() {
        // GPC, a CMP under GDPR with the vendor's consent, Consent Mode defaults: personalization
        // granted (1 at bit 4), analytics denied (2 at bit 6).
        let flags = 1 | 2 | 4 | 8 | 1 << 4 | 2 << 6;
        let tc = "COwDzqZOwDzqZN4ABMENAPCAAP4AAP-AAAhoAFQAYABgAOABQAAAAA";
        let decoded = signals(flags, tc, &[2, 1, 3, 0, 9, 5]);
        assert!(decoded.gpc);
        assert!(
            !decoded.tcf.as_ref().unwrap().loaded,
            "decided on this page"
        );
        assert!(signals(2 | 4 | 1 << 12, tc, &[]).tcf.unwrap().loaded);
        let choices = decoded.tcf.and_then(|t| t.choices).expect("dated choices");
        assert_eq!(choices.purpose_consents, [1, 3]);
        assert!(choices.restricted_purposes.is_empty());
        assert_eq!(
            choices.publisher_consents,
            [5],
            "a length past the end takes what is there"
        );
        assert!(choices.vendor_consent);
        let default = decoded.consent_mode_default.expect("a default");
        assert_eq!(
            default.personalization_storage,
            Some(ConsentStatus::Granted)
        );
        assert_eq!(default.analytics_storage, Some(ConsentStatus::Denied));
        assert!(decoded.consent_mode_update.is_none());
        assert!(signals(0, "", &[7]).tcf.is_none(), "no CMP");
    }

    #[test]
    fn texts_split_as_the_face_joins_them() {
        let (kind, details) = event_details("click\u{1e}similar\u{1e}\u{15}", None).unwrap();
        assert_eq!(kind, EventKind::Click);
        assert_eq!(details.module.as_deref(), Some("similar"));
        assert_eq!(details.slot, None);
        let error = event_details("teleport", None).unwrap_err();
        assert_eq!(error.code().as_str(), "invalid_event");
        let (locale, prefixes) = locales("de-AT\u{1e}de\u{1f}fr\u{1e}");
        assert_eq!(locale, "de-AT");
        assert_eq!(prefixes, vec![vec!["de", "fr"], vec![]]);
        assert_eq!(pair("brand\u{1e}Acme"), ("brand", "Acme"));
        assert_eq!(pair("lonely"), ("lonely", ""));
        assert_eq!(names("a\u{1e}\u{1e}b"), ["a", "b"]);
        let file = import_fields("shelfwise-profile\u{1e}\u{15}\u{1e}AAAA");
        assert_eq!(file.format.as_deref(), Some("shelfwise-profile"));
        assert_eq!(file.checksum, None);
        assert_eq!(file.payload.as_deref(), Some("AAAA"));
    }

    #[test]
    fn an_invalid_entry_names_its_product() {
        let mut catalog = Catalog::default();
        let entries = ["\u{1e}1", "Bad Facet\u{1e}x"].join("\u{1f}");
        let error = intern(&mut catalog, &entries, &[0, 7], false, None).unwrap_err();
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
