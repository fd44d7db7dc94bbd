//! The wire contract between the wasm boundary crates and the TypeScript face, declared
//! once, here: operation numbers, option orders, strides, flags, reason codes and
//! separators. The boundary dispatches on these types; [`typescript`] writes the same
//! tables for the face (`src/js/wire.ts`, checked in), and a test regenerates that file
//! and fails on any difference (`cargo run -p shelfwise-cli -- contract` rewrites it).
//! The generator is never called from a wasm module, so it costs the download nothing.

use crate::consent::{ConsentState, ConsentStatus, Source};
use crate::engine::{StorageMode, Warning};
use crate::error::ErrorCode;
use crate::event::EventKind;
use crate::event::MAX_PRODUCT_FACETS;

/// The purposes consent is asked for, by bit (1 personalization, 2 measurement).
pub const PURPOSES: [&str; 2] = ["personalization", "measurement"];
use crate::insights::{Due, Insights, OfferFit, OfferKind, Segment, Size};
use crate::json::Shape;
use crate::measure::{Estimate, GroupEstimate, Interval, MetricEstimate, Report};
use crate::names::string_enum;
use crate::profile::CONFIG_OPTIONS;
use crate::profile::{CartLine, Interest, Purchased, Summary};
use crate::rank::{OutOfStock, Reason, OPTION_NAMES, WEIGHT_NAMES};
use crate::slots::DEVICES;
use crate::wire;

string_enum! {
    /// The shopper module's small operations, one export (`command`) for all of them:
    /// every wasm-bindgen export costs its own glue. By number, in this order.
    pub enum Op {
        Grant = "grant",
        Withdraw = "withdraw",
        Erase = "erase",
        Compact = "compact",
        Reload = "reload",
        Flush = "flush",
        HasPending = "hasPending",
        StorageMode = "storageMode",
        Consent = "consent",
        Warnings = "warnings",
        Summary = "summary",
        Export = "export",
        Forget = "forget",
        Preference = "preference",
        Hide = "hide",
        Search = "search",
        Import = "import",
        ReasonValue = "reasonValue",
        KeepUnit = "keepUnit",
        InHoldout = "inHoldout",
        TakeCounts = "takeCounts",
        Holdout = "holdout",
        Modules = "modules",
        Unit = "unit",
        WithdrawMeasurement = "withdrawMeasurement",
        OfferFits = "offerFits",
        SizeFor = "sizeFor",
        Evicted = "evicted",
        TakeLearning = "takeLearning",
        LearningBudget = "learningBudget",
    }
}

string_enum! {
    /// The tools module's bucketing operations (its `bucketing` export), by number.
    pub enum BucketOp {
        Hash = "hash",
        Ranges = "ranges",
        Choose = "choose",
        InNamespace = "inNamespace",
        EqualWeights = "equalWeights",
        Assign = "assign",
    }
}

impl Op {
    /// The operation a number stands for.
    pub fn from_number(number: u32) -> Option<Op> {
        Op::ALL.get(number as usize).copied()
    }

    /// What the operation returns, as TypeScript: the face's `run` is typed by it.
    pub fn returns(self) -> &'static str {
        match self {
            Op::Grant
            | Op::Withdraw
            | Op::Erase
            | Op::Compact
            | Op::Reload
            | Op::Preference
            | Op::Hide
            | Op::Import
            | Op::Modules
            | Op::WithdrawMeasurement => "undefined",
            Op::Flush
            | Op::HasPending
            | Op::Forget
            | Op::Search
            | Op::InHoldout
            | Op::Holdout
            | Op::Evicted => "boolean",
            Op::StorageMode => "StorageMode",
            // JSON text the face parses.
            Op::Consent
            | Op::Warnings
            | Op::Summary
            | Op::Export
            | Op::TakeCounts
            | Op::SizeFor
            | Op::TakeLearning
            | Op::LearningBudget => "string",
            Op::ReasonValue | Op::KeepUnit | Op::Unit => "string | undefined",
            Op::OfferFits => "Float64Array",
        }
    }
}

impl BucketOp {
    pub fn from_number(number: u32) -> Option<BucketOp> {
        BucketOp::ALL.get(number as usize).copied()
    }
}

fn quoted(out: &mut String, names: impl IntoIterator<Item = impl AsRef<str>>) {
    out.push('[');
    for (i, name) in names.into_iter().enumerate() {
        if i > 0 {
            out.push_str(", ");
        }
        out.push('\'');
        out.push_str(name.as_ref());
        out.push('\'');
    }
    out.push(']');
}

fn numbered(out: &mut String, names: &[&str]) {
    out.push_str("{ ");
    for (i, name) in names.iter().enumerate() {
        if i > 0 {
            out.push_str(", ");
        }
        out.push_str(name);
        out.push_str(": ");
        out.push_str(&i.to_string());
    }
    out.push_str(" }");
}

fn escaped(c: char) -> String {
    ["'\\u", &format!("{:04x}", u32::from(c)), "'"].concat()
}

/// `src/js/wire.ts`: the contract as the TypeScript face reads it, then the data shapes
/// the core hands over as JSON (each declared once, with [`crate::json::shape!`]).
pub fn typescript() -> String {
    let mut out = String::from(
        "// Generated from crates/core/src/contract.rs by `cargo run -p shelfwise-cli -- contract`.\n\
         // Do not edit: the contract test fails when this file differs from what Rust declares.\n\n\
         import type { Facet } from './types.js';\n\n",
    );
    let mut table = |doc: &str, name: &str, body: &dyn Fn(&mut String)| {
        out.push_str("/** ");
        out.push_str(doc);
        out.push_str(" */\nexport const ");
        out.push_str(name);
        out.push_str(" = ");
        body(&mut out);
        out.push_str(" as const;\n");
    };
    table(
        "Operations of the engine's `command`, by number.",
        "OP",
        &|o| numbered(o, Op::NAMES),
    );
    table(
        "Operations of the tools module's `bucketing`, by number.",
        "BUCKET",
        &|o| numbered(o, BucketOp::NAMES),
    );
    table(
        "Rank options in the order the core reads them.",
        "RANK_OPTIONS",
        &|o| quoted(o, OPTION_NAMES),
    );
    table("`outOfStock` values, by number.", "OUT_OF_STOCK", &|o| {
        quoted(o, OutOfStock::NAMES)
    });
    table(
        "Config options in the order the core reads them.",
        "CONFIG_OPTIONS",
        &|o| quoted(o, CONFIG_OPTIONS.iter().map(|(name, ..)| name)),
    );
    table(
        "`measurement.learning`'s options in the order the core reads them (NaN: the default).",
        "LEARNING_OPTIONS",
        &|o| quoted(o, crate::federated::LEARNING_OPTIONS),
    );
    table(
        "The ranking model's weights, by name (`Shelfwise.open({ model })`).",
        "MODEL_WEIGHTS",
        &|o| quoted(o, WEIGHT_NAMES),
    );
    table("Reason codes by kind number.", "REASON_CODES", &|o| {
        quoted(o, Reason::KINDS.iter().map(|r| r.code()))
    });
    table("Device classes, by number.", "DEVICES", &|o| {
        quoted(o, DEVICES)
    });
    table("Lifecycle segments, by number.", "SEGMENTS", &|o| {
        quoted(o, Segment::NAMES)
    });
    table(
        "Event types `track` takes besides searches and stated ones.",
        "EVENT_TYPES",
        &|o| quoted(o, EventKind::NAMES),
    );
    table("Consent for one purpose.", "CONSENT_STATUSES", &|o| {
        quoted(o, ConsentStatus::NAMES)
    });
    table(
        "Where the deciding consent signal came from.",
        "CONSENT_SOURCES",
        &|o| quoted(o, Source::NAMES),
    );
    table("The purposes consent is asked for.", "PURPOSES", &|o| {
        quoted(o, PURPOSES)
    });
    table("Where the profile lives.", "STORAGE_MODES", &|o| {
        quoted(o, StorageMode::ALL.iter().map(|m| m.as_str()))
    });
    table(
        "Codes of the errors Shelfwise throws.",
        "ERROR_CODES",
        &|o| quoted(o, ErrorCode::ALL.iter().map(|c| c.as_str())),
    );
    table("Offer kinds, by number.", "OFFER_KINDS", &|o| {
        quoted(o, OfferKind::NAMES)
    });
    table("Why an offer kind fits, by number.", "OFFER_FITS", &|o| {
        quoted(o, OfferFit::NAMES)
    });
    out.push_str(
        "/** What each operation of `command` returns. */\nexport interface OpResults {\n",
    );
    for op in Op::ALL {
        out.push_str(&["  ", op.as_str(), ": ", op.returns(), ";\n"].concat());
    }
    out.push_str("}\n");
    let constants: [(&str, &str, String); 15] = [
        (
            "Entry name of a product's category in `intern`.",
            "CATEGORY_FIELD",
            ["'", wire::CATEGORY_FIELD, "'"].concat(),
        ),
        (
            "Entry name of a product's brand in `intern`.",
            "BRAND_FIELD",
            ["'", wire::BRAND_FIELD, "'"].concat(),
        ),
        ("Separates a list's items.", "ITEM", escaped(wire::ITEM)),
        (
            "Separates a name from its value.",
            "PAIR",
            escaped(wire::PAIR),
        ),
        (
            "Separates a product's fields.",
            "FIELD",
            escaped(wire::FIELD),
        ),
        (
            "Stands for a missing field.",
            "ABSENT",
            escaped(wire::ABSENT.chars().next().unwrap_or('\u{15}')),
        ),
        (
            "Numbers per product row.",
            "ROW_STRIDE",
            wire::ROW_STRIDE.to_string(),
        ),
        (
            "Numbers per ranked product handed back.",
            "RANKED_STRIDE",
            wire::RANKED_STRIDE.to_string(),
        ),
        (
            "Numbers per homepage slot item.",
            "SLOT_ITEM_STRIDE",
            wire::SLOT_ITEM_STRIDE.to_string(),
        ),
        (
            "Row flag: out of stock.",
            "OUT_OF_STOCK_FLAG",
            wire::OUT_OF_STOCK.to_string(),
        ),
        (
            "Row flag: bought again and again.",
            "CONSUMABLE_FLAG",
            wire::CONSUMABLE.to_string(),
        ),
        ("An absent id.", "NONE", crate::catalog::NONE.to_string()),
        (
            "The id `intern` gives, when lenient, a string that is not valid.",
            "UNREADABLE",
            wire::UNREADABLE.to_string(),
        ),
        (
            "Most tags and facet values a product may carry.",
            "MAX_PRODUCT_FACETS",
            MAX_PRODUCT_FACETS.to_string(),
        ),
        (
            "Ranked products' reason value when there is none.",
            "NO_VALUE",
            "-1".into(),
        ),
    ];
    for (doc, name, value) in constants {
        out.push_str("/** ");
        out.push_str(doc);
        out.push_str(" */\nexport const ");
        out.push_str(name);
        out.push_str(" = ");
        out.push_str(&value);
        out.push_str(";\n");
    }
    let unions = [
        (
            "`personalization`: learn a profile and rank with it. `measurement`: local counters.",
            "Purpose",
            "PURPOSES",
        ),
        (
            "Consent for one purpose: nothing is learned or stored for it unless `\"granted\"`.",
            "ConsentStatus",
            "CONSENT_STATUSES",
        ),
        (
            "Where the deciding signal came from.",
            "ConsentSource",
            "CONSENT_SOURCES",
        ),
        (
            "Events the profile learns from (weights in the README).",
            "EventType",
            "EVENT_TYPES",
        ),
        (
            "Why a ranked product is where it is.",
            "ReasonCode",
            "REASON_CODES",
        ),
        (
            "A weight of the ranking model (README, \"Ranking model\").",
            "ModelWeight",
            "MODEL_WEIGHTS",
        ),
        (
            "Lifecycle segments (thresholds in `ShelfwiseConfig.segments`; README, \"Segments\").",
            "Segment",
            "SEGMENTS",
        ),
        (
            "`\"memory\"` when storage is blocked, full or failing: nothing outlives the page.",
            "StorageMode",
            "STORAGE_MODES",
        ),
        (
            "Stable codes on every `Error` Shelfwise throws.",
            "ErrorCode",
            "ERROR_CODES",
        ),
    ];
    out.push('\n');
    for (doc, name, table) in unions {
        out.push_str(
            &[
                "/** ",
                doc,
                " */\nexport type ",
                name,
                " = (typeof ",
                table,
                ")[number];\n",
            ]
            .concat(),
        );
    }
    let shapes = [
        Summary::typescript(),
        Interest::typescript(),
        Insights::typescript(),
        Due::typescript(),
        Size::typescript(),
        CartLine::typescript(),
        Purchased::typescript(),
        Warning::typescript(),
        ConsentState::typescript(),
        Report::typescript(),
        Interval::typescript(),
        MetricEstimate::typescript(),
        GroupEstimate::typescript(),
        Estimate::typescript(),
        crate::profile::LearningSummary::typescript(),
        crate::federated::Learned::typescript(),
        crate::federated::Contribution::typescript(),
        crate::federated::Priors::typescript(),
    ];
    for shape in shapes {
        out.push('\n');
        out.push_str(&shape);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn operations_round_trip_their_numbers() {
        for (i, op) in Op::ALL.iter().enumerate() {
            assert_eq!(Op::from_number(i as u32), Some(*op));
        }
        assert_eq!(Op::from_number(Op::ALL.len() as u32), None);
        assert_eq!(BucketOp::from_number(5), Some(BucketOp::Assign));
    }
}
