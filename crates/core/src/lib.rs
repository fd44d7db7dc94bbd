//! The pure core: everything Shelfwise knows and decides, with no JavaScript in sight.
//! This crate has no wasm dependency, so the compiler keeps it that way.
//!
//! Time is always passed in (milliseconds since the Unix epoch), so every function
//! here is deterministic and replayable.

pub mod base64url;
pub mod bucket;
pub mod catalog;
pub mod codec;
pub mod consent;
pub mod contract;
pub mod engine;
pub mod error;
pub mod event;
pub mod export;
pub mod federated;
pub mod insights;
pub mod json;
pub mod measure;
mod names;
pub mod profile;
pub mod rank;
pub mod slots;
pub mod store;
pub mod tcf;
pub mod wire;

pub use consent::{Consent, ConsentState, ConsentStatus, Signals};
pub use engine::{ConsentPolicy, Engine, StorageMode};
pub use error::{Error, ErrorCode};
pub use event::{
    products_from_json, validate_items, Event, EventInput, EventKind, Product, ProductInput,
};
pub use profile::{Profile, ProfileConfig, Summary};
pub use rank::{
    candidates, rank, reason_value, Candidate, OutOfStock, RankOptions, Ranked, Reason,
};
pub use store::{Envelope, MemoryStore, Store, StoreError};
