//! The things AuditDesk talks about: audit events and their classification.
//! Everything here is plain data; storage lives in `events` and `vault`.

mod classification;
mod event;

pub use classification::{Classification, Classifier};
pub use event::{Actor, AuditEvent, EventBody, NewEvent, StatusChange, StoredEvent};

use serde::{Deserialize, Serialize};

/// Ordered severities: INFO < WARNING < ERROR < CRITICAL.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "UPPERCASE")]
pub enum Severity {
    Info = 0,
    Warning = 1,
    Error = 2,
    Critical = 3,
}

impl Severity {
    pub const ALL: [Severity; 4] = [
        Severity::Info,
        Severity::Warning,
        Severity::Error,
        Severity::Critical,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Info => "INFO",
            Severity::Warning => "WARNING",
            Severity::Error => "ERROR",
            Severity::Critical => "CRITICAL",
        }
    }

    pub fn rank(self) -> i64 {
        self as i64
    }

    pub fn from_rank(rank: i64) -> Option<Severity> {
        Severity::ALL.get(usize::try_from(rank).ok()?).copied()
    }

    /// Accepts the four level names and the synonyms portal exports use.
    pub fn parse(text: &str) -> Option<Severity> {
        match text.trim().to_ascii_lowercase().as_str() {
            "info" | "information" | "informational" | "low" | "notice" | "debug" => {
                Some(Severity::Info)
            }
            "warning" | "warn" | "medium" | "moderate" => Some(Severity::Warning),
            "error" | "err" | "high" => Some(Severity::Error),
            "critical" | "crit" | "fatal" | "severe" | "emergency" | "alert" => {
                Some(Severity::Critical)
            }
            _ => None,
        }
    }
}

impl std::fmt::Display for Severity {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The categories of DESIGN §3. Sources may carry others; those are kept
/// (upper-cased) rather than forced into one of these.
pub const CATEGORIES: [&str; 14] = [
    "AUTH",
    "USER_MGMT",
    "TENANT_MGMT",
    "SUBSCRIPTION",
    "PERMISSION",
    "DATA_ACCESS",
    "DATA_MODIFY",
    "INFRASTRUCTURE",
    "SECURITY",
    "COMPLIANCE",
    "API_ACCESS",
    "FILE_OPS",
    "AI_USAGE",
    "SYSTEM",
];

/// `user mgmt`, `User-Mgmt` and `USER_MGMT` are one category.
pub fn normalize_category(text: &str) -> String {
    text.trim()
        .chars()
        .map(|c| match c {
            ' ' | '-' | '.' => '_',
            c => c.to_ascii_uppercase(),
        })
        .collect()
}

/// The Redox statuses; any other outcome string is kept as given (lower-cased).
pub const OUTCOMES: [&str; 5] = [
    "attempted",
    "successful",
    "failed",
    "unauthorized",
    "unauthenticated",
];

/// Maps portal spellings ("Success", "FAILURE", "denied") onto the Redox
/// statuses, keeping unknown strings rather than guessing.
pub fn normalize_outcome(text: &str) -> String {
    let lower = text.trim().to_lowercase();
    match lower.as_str() {
        "success" | "succeeded" | "successful" | "ok" | "completed" | "complete" | "allowed"
        | "passed" | "pass" => "successful".into(),
        "fail" | "failed" | "failure" | "error" | "errored" => "failed".into(),
        "unauthorized" | "unauthorised" | "denied" | "forbidden" | "access denied" => {
            "unauthorized".into()
        }
        "unauthenticated" | "unauthenticated user" | "not authenticated" => {
            "unauthenticated".into()
        }
        "attempted" | "attempt" | "pending" | "in progress" | "started" => "attempted".into(),
        _ => lower,
    }
}

/// `attempted` is interim: Redox later moves it to a terminal status.
pub fn is_terminal_outcome(outcome: &str) -> bool {
    outcome != "attempted"
}
