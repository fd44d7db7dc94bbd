//! The developer CLI's library half: the offline evaluation behind `shelfwise eval` and
//! the model fit behind `shelfwise fit`, kept apart from `main.rs` so that its tests can
//! call them.

pub mod chart;
pub mod eval;
pub mod fit;
