//! Shelfwise: on-device, consent-gated shopper personalization.
//!
//! The crate has two layers (the third, the JS/TS face, lives in `src/js/`):
//!
//! - [`core`]: pure Rust. Events, the time-decayed preference profile, consent,
//!   ranking and the storage envelope. No JavaScript types; tested natively.
//! - `wasm` (only on `wasm32`): the single wasm-bindgen boundary. It converts JS
//!   values into core types once, stores the profile in `localStorage` through
//!   web-sys and maps every core error to a JS `Error` with a stable `code`.

pub mod core;

/// The offline evaluation behind `shelfwise eval` (native only).
#[cfg(not(target_arch = "wasm32"))]
pub mod eval;

#[cfg(target_arch = "wasm32")]
pub mod wasm;

// Smaller than std's dlmalloc and made for wasm's grow-only memory.
#[cfg(target_arch = "wasm32")]
#[global_allocator]
// SAFETY: wasm32-unknown-unknown runs this module on one thread, which is what
// `new_global` requires.
static ALLOCATOR: talc::TalckWasm = unsafe { talc::TalckWasm::new_global() };
