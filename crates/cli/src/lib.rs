//! The developer CLI's library half: the offline evaluation behind `shelfwise eval`,
//! kept apart from `main.rs` so that its tests can call it.

pub mod eval;
