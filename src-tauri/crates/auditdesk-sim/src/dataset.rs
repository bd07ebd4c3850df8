//! Event generation. `Dataset::events` yields Redox-shaped JSON events in
//! time order; `Shape` renders them as the portal exports of seeds 003 and
//! 004 for import tests.

use chrono::{DateTime, Duration, SecondsFormat, Utc};
use serde_json::{Value, json};

use crate::rng::Rng;

/// The Redox audit event types (seeds 000/001).
pub const REDOX_TYPES: &[&str] = &[
    "log-payload-viewed",
    "log-search",
    "log-inspected",
    "oauth2-api-key-operation",
    "legacy-api-key-operation",
    "endpoint-operation",
    "auth-credential-viewed",
    "auth-credential-operation",
    "customer-filter-operation",
    "translation-set-viewed",
    "translation-set-operation",
    "translation-set-link-viewed",
    "translation-set-link-operation",
    "value-set-viewed",
    "value-set-operation",
    "configurations-operation",
    "configuration-modifier-viewed",
    "configuration-modifier-operation",
    "configuration-modifier-link-viewed",
    "configuration-modifier-link-operation",
    "customer-alert-viewed",
    "customer-alert-operation",
    "customer-alert-link-viewed",
    "customer-alert-link-operation",
    "organization-loaded",
    "user-invited",
    "user-joined",
    "user-org-role-changed",
    "user-removed",
    "user-env-role-changed",
    "user-env-role-removed",
];

/// Relative frequency of each type above: viewing and searching logs and
/// loading the organisation dominate real traffic; user changes are rare.
const TYPE_WEIGHTS: &[u64] = &[
    30, 18, 6, 2, 1, 3, 2, 1, 2, 2, 1, 1, 1, 2, 1, 2, 2, 1, 1, 1, 2, 1, 1, 1, 20, 1, 1, 1, 1, 1, 1,
];

const STATUSES: &[(&str, u64)] = &[
    ("successful", 850),
    ("attempted", 30),
    ("failed", 50),
    ("unauthorized", 40),
    ("unauthenticated", 30),
];

const FIRST: &[&str] = &[
    "Ana", "Ben", "Chen", "Dara", "Eli", "Fatima", "Goran", "Hana", "Ivan", "Jun", "Kofi", "Lena",
    "Mateo", "Nadia", "Omar", "Priya", "Quinn", "Rosa", "Sven", "Tariq",
];
const LAST: &[&str] = &[
    "Alvarez",
    "Brooks",
    "Chen",
    "Dubois",
    "Eriksen",
    "Fischer",
    "Garcia",
    "Haddad",
    "Ito",
    "Jansen",
    "Kowalski",
    "Lindqvist",
    "Moreau",
    "Nakamura",
    "Okafor",
];
const ROLES: &[&str] = &["owner", "admin", "developer", "support", "analyst"];
const ENVS: &[&str] = &["production", "staging", "development"];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shape {
    /// Redox API events, one JSON object per line.
    Ndjson,
    /// A JSON array of Redox events.
    JsonArray,
    /// The Event Viewer CSV export of seed 003.
    PortalEventViewer,
    /// The audit-log CSV export of seed 004 (no id column).
    PortalAuditLog,
}

#[derive(Debug, Clone)]
pub struct User {
    pub id: u64,
    pub name: String,
    pub email: String,
    pub role: &'static str,
}

#[derive(Debug, Clone)]
pub struct Dataset {
    pub seed: u64,
    pub org_id: u64,
    pub start: DateTime<Utc>,
    pub users: Vec<User>,
}

impl Dataset {
    pub fn new(seed: u64, start: DateTime<Utc>) -> Dataset {
        let mut rng = Rng::new(seed);
        let users = (0..40)
            .map(|i| {
                let first = *rng.pick(FIRST);
                let last = *rng.pick(LAST);
                User {
                    id: 1000 + i,
                    name: format!("{first} {last}"),
                    email: format!(
                        "{}.{}{}@example-health.org",
                        first.to_lowercase(),
                        last.to_lowercase(),
                        i
                    ),
                    role: ROLES[if i < 2 {
                        0
                    } else {
                        rng.below(ROLES.len() as u64) as usize
                    }],
                }
            })
            .collect();
        Dataset {
            seed,
            org_id: 4100 + seed % 100,
            start,
            users,
        }
    }

    /// `count` events in time order, about one every `spacing_ms` on average.
    pub fn events(&self, count: u64, spacing_ms: u64) -> impl Iterator<Item = Value> + '_ {
        let mut rng = Rng::new(self.seed.wrapping_add(1));
        let mut at = self.start;
        let total_weight: u64 = TYPE_WEIGHTS.iter().sum();
        (0..count).map(move |_| {
            at += Duration::milliseconds(1 + rng.below(spacing_ms.max(1) * 2) as i64);
            let mut roll = rng.below(total_weight);
            let mut type_index = 0;
            for (i, w) in TYPE_WEIGHTS.iter().enumerate() {
                if roll < *w {
                    type_index = i;
                    break;
                }
                roll -= w;
            }
            let event_type = REDOX_TYPES[type_index];
            let mut roll = rng.below(1000);
            let mut status = "successful";
            for (s, w) in STATUSES {
                if roll < *w {
                    status = s;
                    break;
                }
                roll -= w;
            }
            let user = rng.pick(&self.users).clone();
            let env = *rng.pick(ENVS);
            let details = details_for(event_type, &mut rng, &self.users, env);
            json!({
                "id": rng.uuid(),
                "organizationId": self.org_id,
                "userId": user.id,
                "requestIp": format!("10.{}.{}.{}", rng.below(4), rng.below(256), 1 + rng.below(254)),
                "route": route_for(event_type),
                "createdAt": at.to_rfc3339_opts(SecondsFormat::Millis, true),
                "type": event_type,
                "status": status,
                "details": details,
            })
        })
    }

    fn user(&self, id: u64) -> Option<&User> {
        self.users.iter().find(|u| u.id == id)
    }

    /// Renders events in one of the import shapes, header included.
    pub fn render(&self, shape: Shape, events: impl Iterator<Item = Value>, out: &mut String) {
        match shape {
            Shape::Ndjson => {
                for e in events {
                    out.push_str(&e.to_string());
                    out.push('\n');
                }
            }
            Shape::JsonArray => {
                out.push_str("[\n");
                for (i, e) in events.enumerate() {
                    if i > 0 {
                        out.push_str(",\n");
                    }
                    out.push_str("  ");
                    out.push_str(&e.to_string());
                }
                out.push_str("\n]\n");
            }
            Shape::PortalEventViewer => {
                out.push_str("Event ID,Timestamp,Category,Event Type,Severity,User,Description,IP Address,User Role,Stack,Region,Request ID,Session ID,Compliance Tags,Metadata\r\n");
                for e in events {
                    let user = e["userId"].as_u64().and_then(|id| self.user(id));
                    let status = e["status"].as_str().unwrap_or("successful");
                    let severity = match status {
                        "failed" => "ERROR",
                        "unauthorized" | "unauthenticated" => "WARNING",
                        _ => "INFO",
                    };
                    let cells = [
                        e["id"].as_str().unwrap_or_default().to_string(),
                        e["createdAt"].as_str().unwrap_or_default().to_string(),
                        category_hint(e["type"].as_str().unwrap_or_default()).to_string(),
                        e["type"].as_str().unwrap_or_default().to_string(),
                        severity.to_string(),
                        user.map(|u| u.email.clone()).unwrap_or_default(),
                        format!("{}, {}", e["type"].as_str().unwrap_or_default(), status),
                        e["requestIp"].as_str().unwrap_or_default().to_string(),
                        user.map(|u| u.role.to_string()).unwrap_or_default(),
                        "prod-us".into(),
                        "us-east-1".into(),
                        format!("req-{}", &e["id"].as_str().unwrap_or_default()[..8]),
                        String::new(),
                        "HIPAA;SOX".into(),
                        e["details"].to_string(),
                    ];
                    push_csv_row(out, &cells);
                }
            }
            Shape::PortalAuditLog => {
                out.push_str("Timestamp,User,Resource Type,Action,Resource,Status\r\n");
                for e in events {
                    let user = e["userId"].as_u64().and_then(|id| self.user(id));
                    let ty = e["type"].as_str().unwrap_or_default();
                    let (resource, action) = portal_resource(ty);
                    let cells = [
                        e["createdAt"]
                            .as_str()
                            .unwrap_or_default()
                            .replace('T', " ")
                            .replace('Z', ""),
                        user.map(|u| format!("{} <{}>", u.name, u.email))
                            .unwrap_or_default(),
                        resource.to_string(),
                        action.to_string(),
                        e["id"].as_str().unwrap_or_default()[..13].to_string(),
                        if e["status"] == "successful" {
                            "Success".into()
                        } else {
                            "Failed".into()
                        },
                    ];
                    push_csv_row(out, &cells);
                }
            }
        }
    }
}

fn push_csv_row(out: &mut String, cells: &[String]) {
    for (i, cell) in cells.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        if cell.contains([',', '"', '\n', '\r']) {
            out.push('"');
            out.push_str(&cell.replace('"', "\"\""));
            out.push('"');
        } else {
            out.push_str(cell);
        }
    }
    out.push_str("\r\n");
}

fn category_hint(ty: &str) -> &'static str {
    if ty.starts_with("log-") || ty.ends_with("-viewed") {
        "DATA_ACCESS"
    } else if ty.starts_with("user-") {
        "USER_MGMT"
    } else if ty == "organization-loaded" {
        "AUTH"
    } else {
        "INFRASTRUCTURE"
    }
}

fn portal_resource(ty: &str) -> (&'static str, &'static str) {
    match ty {
        "organization-loaded" => ("Organization", "view"),
        "user-invited" => ("Members", "invite"),
        "user-joined" => ("Members", "create"),
        "user-removed" => ("Members", "delete"),
        t if t.contains("role") => ("Members", "update"),
        t if t.starts_with("log-") => ("Sessions", "view"),
        t if t.contains("api-key") => ("API Keys", "update"),
        _ => ("Settings", "update"),
    }
}

fn route_for(ty: &str) -> String {
    let base = ty
        .trim_end_matches("-operation")
        .trim_end_matches("-viewed");
    format!("/platform/v1/{base}")
}

fn details_for(ty: &str, rng: &mut Rng, users: &[User], env: &str) -> Value {
    match ty {
        "log-payload-viewed" | "log-inspected" => json!({
            "logId": rng.uuid(), "environmentId": env, "logType": *rng.pick(&["send", "receive", "request", "respond"]),
        }),
        "log-search" => json!({
            "environmentId": env,
            "searchTerms": *rng.pick(&["MRN 004421", "Smith", "ADT^A01", "order 7781", "NPI 1467"]),
            "resultCount": rng.below(300),
        }),
        "user-org-role-changed" | "user-env-role-changed" | "user-env-role-removed" => json!({
            "targetUserId": rng.pick(users).id, "previousRole": *rng.pick(ROLES), "newRole": *rng.pick(ROLES),
            "environmentId": env,
        }),
        "user-invited" | "user-joined" | "user-removed" => json!({
            "targetUserId": rng.pick(users).id, "role": *rng.pick(ROLES),
        }),
        "organization-loaded" => Value::Null,
        _ => {
            json!({ "resourceId": rng.uuid(), "environmentId": env, "operation": *rng.pick(&["create", "update", "delete"]) })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_seed_same_events() {
        let start = DateTime::parse_from_rfc3339("2026-07-01T00:00:00Z")
            .unwrap()
            .with_timezone(&Utc);
        let a: Vec<Value> = Dataset::new(7, start).events(50, 1000).collect();
        let b: Vec<Value> = Dataset::new(7, start).events(50, 1000).collect();
        let c: Vec<Value> = Dataset::new(8, start).events(50, 1000).collect();
        assert_eq!(a, b);
        assert_ne!(a, c);
    }
}
