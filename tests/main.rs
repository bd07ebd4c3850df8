//! One integration-test binary, a module per area (ripgrep's layout).

mod util;

mod crash;
mod import;
mod plaintext;
mod search;
mod tamper;
mod vault;
