//! Helpers shared by the native test files (`mod common;` in each).

use shelfwise::core::{MemoryStore, Store, StoreError};

/// One storage shared by several engines, as tabs of one origin share localStorage.
#[derive(Clone, Default)]
pub struct Shared(std::rc::Rc<std::cell::RefCell<MemoryStore>>);

impl Store for Shared {
    fn get(&self, key: &str) -> Result<Option<String>, StoreError> {
        self.0.borrow().get(key)
    }
    fn set(&mut self, key: &str, value: &str) -> Result<(), StoreError> {
        self.0.borrow_mut().set(key, value)
    }
    fn remove(&mut self, key: &str) -> Result<(), StoreError> {
        self.0.borrow_mut().remove(key)
    }
    fn keys(&self, prefix: &str) -> Result<Vec<String>, StoreError> {
        self.0.borrow().keys(prefix)
    }
}

impl Shared {
    /// The `shelfwise:` keys in the storage.
    #[allow(dead_code)] // not every test file asks
    pub fn shelfwise_keys(&self) -> Vec<String> {
        self.0
            .borrow()
            .entries
            .keys()
            .filter(|k| k.starts_with("shelfwise:"))
            .cloned()
            .collect()
    }
}
