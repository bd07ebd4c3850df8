//! Events the app emits to the UI (long work reports progress this way).

/// A sync's progress: `auditdesk_core::sync::SyncProgress`.
pub const SYNC_PROGRESS: &str = "sync-progress";
/// Building and syncing the demo workspace: `SyncProgress` too.
pub const DEMO_PROGRESS: &str = "demo-progress";
/// A report's progress: `auditdesk_core::report::Progress`.
pub const REPORT_PROGRESS: &str = "report-progress";
/// The vault was locked by the idle timer (payload: null).
pub const VAULT_LOCKED: &str = "vault-locked";
