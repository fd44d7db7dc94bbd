//! The pure core: everything Shelfwise knows and decides, with no JavaScript in sight.
//!
//! Time is always passed in (milliseconds since the Unix epoch), so every function
//! here is deterministic and replayable.

pub mod config;
pub mod consent;
pub mod engine;
pub mod error;
pub mod event;
pub mod export;
mod names;
pub mod profile;
pub mod rank;
pub mod store;
pub mod summary;
pub mod tcf;

pub use config::Config;
pub use consent::{Consent, ConsentStatus, Signals};
pub use engine::{Engine, StorageMode, Warning};
pub use error::{Error, ErrorCode};
pub use event::{products_from_json, Event, EventInput, EventKind, Product, ProductInput};
pub use profile::Profile;
pub use rank::{rank, RankOptions, Ranked};
pub use store::{MemoryStore, Store, StoreError};
pub use summary::Summary;
