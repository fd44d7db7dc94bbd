//! The wasm-bindgen boundary: the only place with `#[wasm_bindgen]`.
//!
//! Items here carry `//` comments, not `///` docs: wasm-bindgen copies doc comments into
//! the shipped JS glue, and the public documentation lives on the JS face (`src/js/`).
//!
//! It turns plain strings, numbers and typed arrays into core types once, calls the
//! core, and maps every core error to a JS `Error` whose `code` property is the stable
//! error code. Two modules are built from it:
//!
//! - the shopper's module (`engine`): the `Engine` the JS face's `Shelfwise` class wraps;
//! - with `--features tools`, the shop's tools (`tools`): GrowthBook's bucketing
//!   functions, randomizing a measurement report, and the estimator over many reports.
//!   Shoppers download them only when a page asks for a report.

#[cfg(not(feature = "tools"))]
mod engine;
#[cfg(not(feature = "tools"))]
mod storage;
#[cfg(feature = "tools")]
mod tools;

#[cfg(not(feature = "tools"))]
pub use engine::*;
#[cfg(not(feature = "tools"))]
pub use storage::BrowserStore;
#[cfg(feature = "tools")]
pub use tools::*;

use wasm_bindgen::prelude::*;

use crate::core;

/// Separates the items of a list passed as one string (unit separator), and a facet's
/// name from its value (record separator). No valid label can contain either.
pub(crate) const ITEM: char = '\u{1f}';
pub(crate) const PAIR: char = '\u{1e}';
pub(crate) const FIELD: char = '\u{1c}';
#[cfg(not(feature = "tools"))]
pub(crate) const ABSENT: &str = "\u{15}";

/// The non-empty items of a list passed as one string.
pub(crate) fn items(list: &str) -> impl Iterator<Item = &str> {
    list.split(ITEM).filter(|item| !item.is_empty())
}

pub(crate) fn json<T: core::json::ToJson>(value: &T) -> String {
    core::json::to_string(value)
}

/// The single error mapping: a real `Error` named `ShelfwiseError` with a `code`.
impl From<core::Error> for JsValue {
    fn from(error: core::Error) -> JsValue {
        let js = js_sys::Error::new(&error.message());
        js.set_name("ShelfwiseError");
        // Setting a property on a fresh Error object cannot fail.
        let _ = js_sys::Reflect::set(&js, &"code".into(), &error.code().as_str().into());
        js.into()
    }
}
