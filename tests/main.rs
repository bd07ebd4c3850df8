//! One integration-test binary, a module per area (ripgrep's layout).

// A panic is how a test reports failure; helpers outside #[test] fns unwrap too.
#![allow(clippy::unwrap_used)]

mod util;

mod crash;
mod export;
mod import;
mod plaintext;
mod report;
mod resume;
mod review;
mod search;
mod simulator;
mod sync;
mod tamper;
mod vault;
