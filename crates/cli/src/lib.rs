//! The developer CLI's library half: the offline evaluation behind `shelfwise eval` and
//! the model fit behind `shelfwise fit`, federated learning's aggregation and simulation, kept apart from `main.rs` so that its tests can
//! call them.

pub mod chart;
pub mod eval;
pub mod federated;
pub mod fit;
pub mod simulate;
