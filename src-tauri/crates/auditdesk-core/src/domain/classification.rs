//! Classification of events that arrive without category, severity or tags.
//! The rules are data (`classification.json`, embedded) so that a reviewer can
//! read them in one place and a workspace can override them.

use chrono::SubsecRound;
use serde::Deserialize;

use super::{AuditEvent, NewEvent, Severity, normalize_category};
use crate::error::{Error, Result};

const DEFAULT_TABLE: &str = include_str!("classification.json");

#[derive(Debug, Clone, Deserialize)]
struct Table {
    rules: Vec<Rule>,
    fallback: Fallback,
}

#[derive(Debug, Clone, Deserialize)]
struct Fallback {
    category: String,
    tags: Vec<String>,
}

#[derive(Debug, Clone, Deserialize)]
struct Rule {
    #[serde(default)]
    field: RuleField,
    #[serde(rename = "match")]
    pattern: String,
    category: String,
    #[serde(default)]
    kind: Option<String>,
    #[serde(default)]
    tags: Vec<String>,
    #[serde(default)]
    controls: Vec<String>,
}

#[derive(Debug, Clone, Copy, Default, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
enum RuleField {
    #[default]
    Type,
    ResourceType,
}

/// What the table says about one event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Classification {
    pub category: String,
    pub kind: Option<String>,
    pub tags: Vec<String>,
    pub controls: Vec<String>,
}

#[derive(Debug, Clone)]
pub struct Classifier {
    table: Table,
}

impl Classifier {
    /// The table shipped with AuditDesk.
    pub fn builtin() -> Classifier {
        // The embedded table is checked by a unit test; failing to parse it is
        // a build defect, not a runtime condition.
        #[allow(clippy::expect_used)]
        Classifier::from_json(DEFAULT_TABLE).expect("embedded classification table parses")
    }

    pub fn from_json(text: &str) -> Result<Classifier> {
        let table: Table = serde_json::from_str(text)
            .map_err(|e| Error::Invalid(format!("classification table: {e}")))?;
        Ok(Classifier { table })
    }

    pub fn classify(&self, event_type: &str, resource_type: Option<&str>) -> Classification {
        let event_type = event_type.to_ascii_lowercase();
        let resource_type = resource_type.map(|r| r.trim().to_ascii_lowercase());
        let hit = self.table.rules.iter().find(|rule| {
            let subject = match rule.field {
                RuleField::Type => Some(event_type.as_str()),
                RuleField::ResourceType => resource_type.as_deref(),
            };
            subject.is_some_and(|s| glob_match(&rule.pattern, s))
        });
        match hit {
            Some(rule) => Classification {
                category: rule.category.clone(),
                kind: rule.kind.clone(),
                tags: rule.tags.clone(),
                controls: rule.controls.clone(),
            },
            None => Classification {
                category: self.table.fallback.category.clone(),
                kind: None,
                tags: self.table.fallback.tags.clone(),
                controls: Vec::new(),
            },
        }
    }

    /// Fills in what the source left out. What the source did say (a
    /// portal's category, severity or tags) is kept as given.
    pub fn normalize(&self, event: NewEvent, event_id: String) -> AuditEvent {
        let class = self.classify(&event.event_type, event.body.resource_type.as_deref());
        let category = event
            .category
            .as_deref()
            .map(normalize_category)
            .filter(|c| !c.is_empty())
            .unwrap_or(class.category);
        let severity = event
            .severity
            .unwrap_or_else(|| severity_for(&event.outcome, class.kind.as_deref()));
        let mut body = event.body;
        if body.tags.is_empty() {
            body.tags = class.tags;
        }
        body.tags = dedup_tags(std::mem::take(&mut body.tags));
        AuditEvent {
            event_id,
            // The vault keeps milliseconds; hash what will be stored.
            occurred_at: event.occurred_at.trunc_subsecs(3),
            event_type: event.event_type,
            category,
            severity,
            outcome: event.outcome,
            body,
        }
    }
}

/// DESIGN §3: the outcome decides, and a successful privilege or credential
/// change is worth a look. (CRITICAL comes from cross-event detections.)
fn severity_for(outcome: &str, kind: Option<&str>) -> Severity {
    match outcome {
        "unauthenticated" | "unauthorized" => Severity::Warning,
        "failed" => Severity::Error,
        "successful" if matches!(kind, Some("privilege" | "credential")) => Severity::Warning,
        _ => Severity::Info,
    }
}

fn dedup_tags(tags: Vec<String>) -> Vec<String> {
    let mut out: Vec<String> = Vec::with_capacity(tags.len());
    for tag in tags {
        let tag = tag.trim().to_string();
        if !tag.is_empty() && !out.iter().any(|t| t.eq_ignore_ascii_case(&tag)) {
            out.push(tag);
        }
    }
    out
}

/// `*` matches any run of characters (including none); everything else is literal.
fn glob_match(pattern: &str, text: &str) -> bool {
    let parts: Vec<&str> = pattern.split('*').collect();
    if parts.len() == 1 {
        return pattern == text;
    }
    let (first, last) = (parts[0], parts[parts.len() - 1]);
    if !text.starts_with(first) || text.len() < first.len() + last.len() {
        return false;
    }
    let mut rest = &text[first.len()..];
    for middle in &parts[1..parts.len() - 1] {
        match rest.find(middle) {
            Some(at) => rest = &rest[at + middle.len()..],
            None => return false,
        }
    }
    rest.ends_with(last)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtin_table_parses_and_every_category_is_known() {
        let c = Classifier::builtin();
        for rule in &c.table.rules {
            assert!(
                super::super::CATEGORIES.contains(&rule.category.as_str()),
                "unknown category {} in rule {}",
                rule.category,
                rule.pattern
            );
        }
    }

    #[test]
    fn redox_types_map_as_designed() {
        let c = Classifier::builtin();
        let cases = [
            ("log-payload-viewed", "DATA_ACCESS"),
            ("oauth2-api-key-operation", "API_ACCESS"),
            ("auth-credential-viewed", "SECURITY"),
            ("auth-credential-operation", "AUTH"),
            ("configuration-modifier-link-operation", "INFRASTRUCTURE"),
            ("configuration-modifier-viewed", "DATA_ACCESS"),
            ("translation-set-link-operation", "DATA_MODIFY"),
            ("translation-set-link-viewed", "DATA_ACCESS"),
            ("customer-alert-link-operation", "SECURITY"),
            ("customer-alert-viewed", "DATA_ACCESS"),
            ("organization-loaded", "AUTH"),
            ("user-removed", "USER_MGMT"),
            ("user-env-role-removed", "PERMISSION"),
            ("something-new", "SYSTEM"),
        ];
        for (ty, cat) in cases {
            assert_eq!(c.classify(ty, None).category, cat, "{ty}");
        }
    }

    #[test]
    fn severity_follows_outcome_and_kind() {
        assert_eq!(severity_for("failed", None), Severity::Error);
        assert_eq!(severity_for("unauthorized", None), Severity::Warning);
        assert_eq!(
            severity_for("successful", Some("privilege")),
            Severity::Warning
        );
        assert_eq!(
            severity_for("successful", Some("phi_access")),
            Severity::Info
        );
        assert_eq!(severity_for("attempted", Some("privilege")), Severity::Info);
    }

    #[test]
    fn glob() {
        assert!(glob_match("a-*-b", "a-x-y-b"));
        assert!(glob_match("*-viewed", "value-set-viewed"));
        assert!(!glob_match("*-viewed", "viewed"));
        assert!(glob_match("member*", "members"));
        assert!(!glob_match("ab*ba", "aba"));
    }
}
