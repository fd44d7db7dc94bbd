//! Helpers shared by the native test files (`mod common;` in each).

use std::cell::RefCell;
use std::rc::Rc;

use shelfwise_core::MemoryStore;

/// One storage shared by several engines, as tabs of one origin share localStorage.
pub type Shared = Rc<RefCell<MemoryStore>>;

/// The `shelfwise:` keys in the storage.
#[allow(dead_code)] // not every test file asks
pub fn shelfwise_keys(store: &Shared) -> Vec<String> {
    store
        .borrow()
        .entries
        .keys()
        .filter(|k| k.starts_with("shelfwise:"))
        .cloned()
        .collect()
}
