//! The integration tests live in `main.rs` and its modules: one binary that
//! drives the real `auditdesk` executable over real vault files.
