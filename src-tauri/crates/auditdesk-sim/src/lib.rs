//! A deterministic Redox-style organisation and a simulator of the Redox
//! audit-events API over it (DESIGN §2.1, §2.3): the demo workspace, the
//! tests and the benchmarks all draw their data from here.

pub mod dataset;
pub mod demo;
pub mod keys;
mod rng;
pub mod runner;
pub mod server;
pub mod world;

pub use dataset::{Dataset, Shape};
pub use rng::Rng;
pub use runner::RunningSim;
pub use server::{FaultKind, Faults, Sim, SimConfig, SimError};
pub use world::{World, WorldSpec};
