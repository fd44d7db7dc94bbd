//! What the two boundary crates (the shopper's module and the shop's tools) share: the
//! single mapping of a core error to a real JS `Error` named `ShelfwiseError` with a
//! stable `code`, and the global allocator. It exports nothing to JavaScript itself.

use wasm_bindgen::JsValue;

/// A core error already mapped to its JS `Error`. Exports return `Result<T, JsError>`,
/// so `?` converts any [`shelfwise_core::Error`] and wasm-bindgen throws it. It holds
/// the JS value rather than the core error so that every `Result` stays as small as
/// `Result<T, JsValue>` (carrying the core error through each export cost 0.5 KB
/// gzipped).
#[derive(Debug, Clone)]
pub struct JsError(JsValue);

impl From<shelfwise_core::Error> for JsError {
    fn from(error: shelfwise_core::Error) -> Self {
        let js = js_sys::Error::new(&error.message());
        js.set_name("ShelfwiseError");
        // Setting a property on a fresh Error object cannot fail.
        let _ = js_sys::Reflect::set(&js, &"code".into(), &error.code().as_str().into());
        JsError(js.into())
    }
}

impl From<JsError> for JsValue {
    fn from(JsError(error): JsError) -> JsValue {
        error
    }
}

// Smaller than std's dlmalloc and made for wasm's grow-only memory (about 2 KB gzipped
// less); both modules link it through this crate.
#[cfg(target_arch = "wasm32")]
#[global_allocator]
// SAFETY: wasm32-unknown-unknown runs this module on one thread, which is what
// `new_global` requires.
static ALLOCATOR: talc::TalckWasm = unsafe { talc::TalckWasm::new_global() };
