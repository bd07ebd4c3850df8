//! A Redox audit event (DESIGN §2.1) onto the event model, tolerantly: ids
//! may be numbers or strings, `details` may be null, `type` and `status` are
//! open strings, and whatever else the API sends stays in the raw JSON.

use serde_json::Value;
use sha2::{Digest, Sha256};

use crate::domain::{NewEvent, normalize_outcome};
use crate::sources::import::time::parse_timestamp;

/// Why one event of a page could not be read; the caller adds the page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DecodeError {
    pub index: usize,
    pub field: &'static str,
    pub message: String,
}

impl std::fmt::Display for DecodeError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "result {} field {}: {}",
            self.index + 1,
            self.field,
            self.message
        )
    }
}

/// Numbers and strings as text; anything else is absent.
fn text(value: Option<&Value>) -> Option<String> {
    match value? {
        Value::String(s) if !s.trim().is_empty() => Some(s.trim().to_string()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// `index` is the event's position in its page, for error messages.
pub fn decode_event(raw: Value, index: usize) -> Result<NewEvent, DecodeError> {
    let error = |field: &'static str, message: String| DecodeError {
        index,
        field,
        message,
    };
    let Value::Object(map) = &raw else {
        return Err(error("(event)", "an event must be a JSON object".into()));
    };
    let created = text(map.get("createdAt")).ok_or_else(|| {
        error(
            "createdAt",
            "missing; every Redox event has a createdAt".into(),
        )
    })?;
    let occurred_at = parse_timestamp(&created)
        .ok_or_else(|| error("createdAt", format!("{created:?} is not a date and time")))?;
    let event_type = text(map.get("type")).unwrap_or_else(|| "unknown".into());
    let mut event = NewEvent::new(occurred_at, event_type);
    event.event_id = Some(match text(map.get("id")) {
        Some(id) => id,
        // Never seen from Redox; an id from the content keeps re-syncs idempotent.
        None => {
            let canonical = crate::integrity::canonical_string(&raw);
            let digest = Sha256::digest(canonical.as_bytes());
            format!("rdx-{}", hex::encode(&digest[..16]))
        }
    });
    event.outcome = text(map.get("status"))
        .map(|s| normalize_outcome(&s))
        .unwrap_or_else(|| "unknown".into());
    event.body.actor.user_id = text(map.get("userId"));
    event.body.org_id = text(map.get("organizationId"));
    event.body.ip = text(map.get("requestIp"));
    event.body.route = text(map.get("route"));
    let details = map.get("details").filter(|d| !d.is_null()).cloned();
    if let Some(Value::Object(d)) = &details {
        event.body.env_id = text(d.get("environmentId"));
        event.body.actor.email = text(d.get("userEmail")).or_else(|| text(d.get("email")));
        event.body.resource_id = text(d.get("resourceId"));
        event.body.resource_type = text(d.get("resourceType"));
    }
    event.body.details = details;
    event.body.raw = raw;
    Ok(event)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn numeric_ids_null_details_open_strings_and_unknown_fields() {
        let raw = json!({
            "id": 12345, "organizationId": 77, "userId": "u-9", "requestIp": "10.0.0.1",
            "route": "/v2/x", "createdAt": "2026-07-01T10:00:00.123+02:00",
            "type": "brand-new-type", "status": "Pending-Review", "details": null,
            "futureField": {"a": 1}
        });
        let e = decode_event(raw.clone(), 0).unwrap();
        assert_eq!(e.event_id.as_deref(), Some("12345"));
        assert_eq!(e.body.org_id.as_deref(), Some("77"));
        assert_eq!(e.body.actor.user_id.as_deref(), Some("u-9"));
        assert_eq!(e.event_type, "brand-new-type");
        assert_eq!(e.outcome, "pending-review");
        assert_eq!(e.occurred_at.to_rfc3339(), "2026-07-01T08:00:00.123+00:00");
        assert!(e.body.details.is_none());
        assert_eq!(e.body.raw["futureField"], json!({"a": 1}));
    }

    #[test]
    fn a_missing_or_bad_time_is_named() {
        let e = decode_event(json!({"id": "a"}), 4).unwrap_err();
        assert_eq!(e.field, "createdAt");
        assert!(e.to_string().starts_with("result 5 field createdAt"));
        let e = decode_event(json!({"id": "a", "createdAt": "yesterday"}), 0).unwrap_err();
        assert!(e.message.contains("yesterday"));
        assert!(decode_event(json!([1]), 0).is_err());
    }

    #[test]
    fn an_event_without_an_id_gets_the_same_id_every_time() {
        let raw = json!({"createdAt": "2026-07-01T10:00:00Z", "type": "log-search"});
        let a = decode_event(raw.clone(), 0).unwrap().event_id;
        let b = decode_event(raw, 3).unwrap().event_id;
        assert_eq!(a, b);
        assert!(a.unwrap().starts_with("rdx-"));
    }
}
