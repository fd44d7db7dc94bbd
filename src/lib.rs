//! Shelfwise: on-device, consent-gated shopper personalization.
//!
//! The crate has two layers (the third, the JS/TS face, lives in `src/js/`):
//!
//! - [`core`]: pure Rust. Events, the time-decayed preference profile, consent,
//!   ranking and the storage envelope. No JavaScript types; tested natively.
//! - `wasm` (only on `wasm32`): the single wasm-bindgen boundary. It converts JS
//!   values into core types once, stores the profile in `localStorage` through
//!   gloo-storage and maps every core error to a JS `Error` with a stable `code`.

pub mod core;

#[cfg(target_arch = "wasm32")]
pub mod wasm;
