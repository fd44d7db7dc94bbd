//! Shelfwise's shopper module: the wasm-bindgen boundary over [`shelfwise_core`].
//!
//! Glue only. It takes plain strings, numbers and typed arrays, decodes them with the
//! core's `wire` module, calls the core, and maps every core error to a JS `Error` whose
//! `code` property is the stable error code (`shelfwise_glue::JsError`). The layers:
//!
//! - `crates/core`: pure Rust, no wasm dependency (events, profile, consent, ranking,
//!   storage envelopes), tested natively and fuzzed;
//! - this crate: the `Engine` the JS face's `Shelfwise` class wraps, and browser storage;
//! - `crates/tools`: the shop's tools module, a second boundary crate;
//! - `src/js/`: the TypeScript face.
//!
//! Items here carry `//` comments, not `///` docs: wasm-bindgen copies doc comments into
//! the shipped JS glue, and the public documentation lives on the JS face.

mod engine;
mod storage;

pub use engine::*;
pub use storage::BrowserStore;
