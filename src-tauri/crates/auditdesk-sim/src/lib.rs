//! A deterministic Redox-style organisation: users, roles and a stream of
//! audit events with Redox's real type and status mix. Same seed, same
//! events, byte for byte. The demo, the tests and the benchmarks all draw
//! their data from here.

pub mod dataset;
mod rng;

pub use dataset::{Dataset, Shape};
pub use rng::Rng;
