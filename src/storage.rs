//! `localStorage` behind the core's [`Store`] trait.
//!
//! Every Web Storage call can throw (storage blocked by the browser, quota exceeded,
//! a page script replacing `Storage.prototype` methods), so each one goes through
//! web-sys with its `Result` handled. gloo-storage's helpers `expect_throw` or
//! `unreachable!` on such throws, which would unwind out of a `&mut self` method and
//! leave the wasm object permanently borrowed; a throwing storage must cost the shopper
//! persistence, never the page.

use web_sys::Storage;

use shelfwise_core::{Store, StoreError};

/// Formats whatever a storage call threw (an `Error`, a `DOMException`, or anything).
fn describe(thrown: wasm_bindgen::JsValue) -> String {
    js_sys::Error::from(thrown)
        .message()
        .as_string()
        .filter(|m| !m.is_empty())
        .unwrap_or_else(|| "storage threw".to_owned())
}

#[derive(Debug, Clone, Copy)]
enum Area {
    Local,
    Session,
}

/// Looks the storage area up on each call: a page may lose access mid-session.
fn area(which: Area) -> Result<Storage, StoreError> {
    let window = web_sys::window()
        .ok_or_else(|| StoreError::Unavailable("no window (server render or worker)".into()))?;
    let storage = match which {
        Area::Local => window.local_storage(),
        Area::Session => window.session_storage(),
    };
    match storage {
        Ok(Some(storage)) => Ok(storage),
        Ok(None) => Err(StoreError::Unavailable(
            "Web Storage is not provided".into(),
        )),
        Err(thrown) => Err(StoreError::Unavailable(describe(thrown))),
    }
}

fn keys_in(storage: &Storage, prefix: &str) -> Result<Vec<String>, StoreError> {
    let len = storage
        .length()
        .map_err(|e| StoreError::Unavailable(describe(e)))?;
    let mut keys = Vec::new();
    for i in 0..len {
        if let Ok(Some(key)) = storage.key(i) {
            if key.starts_with(prefix) {
                keys.push(key);
            }
        }
    }
    Ok(keys)
}

/// The browser's `localStorage`. Shelfwise writes only there; `keys` and `remove` also
/// cover `sessionStorage`, so erasing leaves nothing under the prefix anywhere.
#[derive(Debug, Default)]
pub struct BrowserStore;

impl Store for BrowserStore {
    fn get(&self, key: &str) -> Result<Option<String>, StoreError> {
        area(Area::Local)?
            .get_item(key)
            .map_err(|e| StoreError::Unavailable(describe(e)))
    }

    fn set(&mut self, key: &str, value: &str) -> Result<(), StoreError> {
        area(Area::Local)?
            .set_item(key, value)
            .map_err(|e| StoreError::WriteFailed(describe(e)))
    }

    fn remove(&mut self, key: &str) -> Result<(), StoreError> {
        if let Ok(session) = area(Area::Session) {
            let _ = session.remove_item(key);
        }
        area(Area::Local)?
            .remove_item(key)
            .map_err(|e| StoreError::WriteFailed(describe(e)))
    }

    fn keys(&self, prefix: &str) -> Result<Vec<String>, StoreError> {
        let mut keys = keys_in(&area(Area::Local)?, prefix)?;
        if let Ok(session) = area(Area::Session) {
            for key in keys_in(&session, prefix).unwrap_or_default() {
                if !keys.contains(&key) {
                    keys.push(key);
                }
            }
        }
        Ok(keys)
    }
}
