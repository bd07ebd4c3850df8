use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::Severity;

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Actor {
    pub user_id: Option<String>,
    pub email: Option<String>,
    pub name: Option<String>,
    pub role: Option<String>,
}

impl Actor {
    /// The one label a list shows: e-mail, else name, else id.
    pub fn label(&self) -> Option<&str> {
        self.email
            .as_deref()
            .or(self.name.as_deref())
            .or(self.user_id.as_deref())
    }
}

/// What an event says beyond its identity and classification: the same
/// whether a source handed it over or the vault holds it.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct EventBody {
    pub actor: Actor,
    pub ip: Option<String>,
    pub route: Option<String>,
    pub resource_type: Option<String>,
    pub resource_id: Option<String>,
    pub resource_name: Option<String>,
    pub action: Option<String>,
    pub description: Option<String>,
    pub request_id: Option<String>,
    pub session_id: Option<String>,
    pub stack: Option<String>,
    pub region: Option<String>,
    pub org_id: Option<String>,
    pub env_id: Option<String>,
    /// Compliance tags. On a `NewEvent`, only those the source gave.
    pub tags: Vec<String>,
    pub details: Option<Value>,
    /// The record exactly as the source gave it (for CSV: header → cell).
    pub raw: Value,
}

/// An event as a source hands it over: classification may be missing (Redox
/// sends none) and the source event id may be absent (seed 004 exports).
#[derive(Debug, Clone, PartialEq)]
pub struct NewEvent {
    pub event_id: Option<String>,
    pub occurred_at: DateTime<Utc>,
    pub event_type: String,
    pub category: Option<String>,
    pub severity: Option<Severity>,
    pub outcome: String,
    pub body: EventBody,
}

impl NewEvent {
    pub fn new(occurred_at: DateTime<Utc>, event_type: impl Into<String>) -> NewEvent {
        NewEvent {
            event_id: None,
            occurred_at,
            event_type: event_type.into(),
            category: None,
            severity: None,
            outcome: "successful".into(),
            body: EventBody::default(),
        }
    }
}

/// The normalised event: every classification filled in. This is what is
/// hashed, stored and shown.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct AuditEvent {
    /// The source's own id for the event.
    #[serde(rename = "id")]
    pub event_id: String,
    pub occurred_at: DateTime<Utc>,
    #[serde(rename = "type")]
    pub event_type: String,
    pub category: String,
    pub severity: Severity,
    pub outcome: String,
    #[serde(flatten)]
    pub body: EventBody,
}

/// An event as the vault holds it, with its bookkeeping.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct StoredEvent {
    pub source: String,
    #[serde(flatten)]
    pub event: AuditEvent,
    pub content_hash: String,
    pub first_seen_at: DateTime<Utc>,
    pub last_changed_at: DateTime<Utc>,
}

/// One entry of an event's status history: the status, and when the vault
/// first saw the event in it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct StatusChange {
    pub status: String,
    pub observed_at: DateTime<Utc>,
}
