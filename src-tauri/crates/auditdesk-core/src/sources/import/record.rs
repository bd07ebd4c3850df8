//! One imported record (a CSV row or a JSON object) mapped onto the event
//! model. Field names are matched case-, space-, underscore- and
//! hyphen-insensitively against the aliases below, which cover the two
//! portal exports (seeds 003 and 004) and Redox's own event shape.

use serde_json::{Map, Value};

use super::time::parse_timestamp;
use super::{ImportError, RecordError};
use crate::domain::{NewEvent, Severity, normalize_outcome};

/// A record before mapping: the raw object, keys as the file spells them.
#[derive(Debug, Clone)]
pub struct Record {
    /// 1-based line where the record starts.
    pub line: u64,
    /// Becomes the event's raw JSON as it is, without a copy.
    pub raw: Map<String, Value>,
    /// CSV header order (duplicate names suffixed), so that the first of two
    /// columns meaning the same field wins; JSON objects have no order.
    pub columns: Option<Vec<String>>,
    /// CSV cells are all text, so a JSON column must hold valid JSON text.
    pub from_csv: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Field {
    EventId,
    Time,
    Type,
    Category,
    Severity,
    Outcome,
    User,
    UserId,
    Email,
    UserName,
    Role,
    Ip,
    Route,
    ResourceType,
    ResourceId,
    ResourceName,
    Action,
    Description,
    RequestId,
    SessionId,
    Stack,
    Region,
    OrgId,
    EnvId,
    Tags,
    Details,
}

/// Normalised header → field. Order matters only for reading: the first
/// column that maps to a field wins; every column stays in the raw record.
const ALIASES: &[(&str, Field)] = &[
    ("eventid", Field::EventId),
    ("id", Field::EventId),
    ("uuid", Field::EventId),
    ("auditid", Field::EventId),
    ("auditeventid", Field::EventId),
    ("logid", Field::EventId),
    ("timestamp", Field::Time),
    ("timestamputc", Field::Time),
    ("createdat", Field::Time),
    ("occurredat", Field::Time),
    ("eventtime", Field::Time),
    ("time", Field::Time),
    ("datetime", Field::Time),
    ("date", Field::Time),
    ("dateandtime", Field::Time),
    ("created", Field::Time),
    ("when", Field::Time),
    ("eventtype", Field::Type),
    ("type", Field::Type),
    ("eventname", Field::Type),
    ("event", Field::Type),
    ("operation", Field::Type),
    ("category", Field::Category),
    ("eventcategory", Field::Category),
    ("severity", Field::Severity),
    ("severitylevel", Field::Severity),
    ("level", Field::Severity),
    ("status", Field::Outcome),
    ("outcome", Field::Outcome),
    ("result", Field::Outcome),
    ("user", Field::User),
    ("actor", Field::User),
    ("performedby", Field::User),
    ("usernameandemail", Field::User),
    ("userid", Field::UserId),
    ("actorid", Field::UserId),
    ("email", Field::Email),
    ("useremail", Field::Email),
    ("actoremail", Field::Email),
    ("emailaddress", Field::Email),
    ("username", Field::UserName),
    ("actorname", Field::UserName),
    ("fullname", Field::UserName),
    ("name", Field::UserName),
    ("userrole", Field::Role),
    ("role", Field::Role),
    ("actorrole", Field::Role),
    ("ipaddress", Field::Ip),
    ("ip", Field::Ip),
    ("requestip", Field::Ip),
    ("sourceip", Field::Ip),
    ("clientip", Field::Ip),
    ("route", Field::Route),
    ("path", Field::Route),
    ("endpoint", Field::Route),
    ("url", Field::Route),
    ("resourcetype", Field::ResourceType),
    ("objecttype", Field::ResourceType),
    ("targettype", Field::ResourceType),
    ("resourceid", Field::ResourceId),
    ("resource", Field::ResourceId),
    ("objectid", Field::ResourceId),
    ("targetid", Field::ResourceId),
    ("resourcename", Field::ResourceName),
    ("objectname", Field::ResourceName),
    ("targetname", Field::ResourceName),
    ("action", Field::Action),
    ("actiontaken", Field::Action),
    ("description", Field::Description),
    ("message", Field::Description),
    ("summary", Field::Description),
    ("requestid", Field::RequestId),
    ("sessionid", Field::SessionId),
    ("stack", Field::Stack),
    ("stackname", Field::Stack),
    ("region", Field::Region),
    ("organizationid", Field::OrgId),
    ("orgid", Field::OrgId),
    ("organization", Field::OrgId),
    ("tenantid", Field::OrgId),
    ("tenant", Field::OrgId),
    ("environmentid", Field::EnvId),
    ("envid", Field::EnvId),
    ("environment", Field::EnvId),
    ("compliancetags", Field::Tags),
    ("tags", Field::Tags),
    ("compliance", Field::Tags),
    ("metadata", Field::Details),
    ("metadatajson", Field::Details),
    ("details", Field::Details),
    ("meta", Field::Details),
    ("context", Field::Details),
    ("additionaldata", Field::Details),
];

/// `Event ID`, `event_id`, `EventId` and `event-id` are one header.
pub fn normalize_header(name: &str) -> String {
    name.trim_start_matches('\u{feff}')
        .chars()
        .filter(|c| !matches!(c, ' ' | '_' | '-' | '.' | '\t' | '(' | ')' | '/'))
        .flat_map(char::to_lowercase)
        .collect()
}

fn field_of(header: &str) -> Option<Field> {
    let key = normalize_header(header);
    ALIASES
        .iter()
        .find(|(alias, _)| *alias == key)
        .map(|(_, f)| *f)
}

/// Text of a scalar; `None` for null, empty or whitespace-only.
fn text_of(value: &Value) -> Option<String> {
    let text = match value {
        Value::Null => return None,
        Value::String(s) => s.trim().to_string(),
        Value::Number(n) => n.to_string(),
        Value::Bool(b) => b.to_string(),
        other => crate::integrity::canonical_string(other),
    };
    (!text.is_empty()).then_some(text)
}

impl Record {
    /// A CSV row: header → cell, a repeated header name suffixed ` (2)`, ` (3)`…
    pub fn from_cells(line: u64, headers: &[String], cells: &csv::StringRecord) -> Record {
        let mut raw = Map::with_capacity(headers.len());
        let mut columns = Vec::with_capacity(headers.len());
        for (header, cell) in headers.iter().zip(cells.iter()) {
            let mut key = header.clone();
            let mut n = 2;
            while raw.contains_key(&key) {
                key = format!("{header} ({n})");
                n += 1;
            }
            raw.insert(key.clone(), Value::String(cell.to_string()));
            columns.push(key);
        }
        Record {
            line,
            raw,
            columns: Some(columns),
            from_csv: true,
        }
    }

    /// Maps the record onto a `NewEvent`. The id may be missing (seed 004);
    /// the importer derives one from the content.
    pub fn to_event(self) -> Result<NewEvent, RecordError> {
        let mut event = self.map_fields()?;
        event.body.raw = Value::Object(self.raw);
        Ok(event)
    }

    fn map_fields(&self) -> Result<NewEvent, RecordError> {
        let ordered: Vec<(&String, &Value)> = match &self.columns {
            Some(columns) => columns
                .iter()
                .filter_map(|k| self.raw.get_key_value(k.as_str()))
                .collect(),
            None => self.raw.iter().collect(),
        };
        let mut slots: Vec<(Field, &str, &Value)> = Vec::new();
        for (key, value) in ordered {
            if let Some(field) = field_of(key)
                && !slots
                    .iter()
                    .any(|(f, _, v)| *f == field && text_of(v).is_some())
            {
                slots.retain(|(f, _, _)| *f != field);
                slots.push((field, key.as_str(), value));
            }
        }
        let get = |field: Field| slots.iter().find(|(f, _, _)| *f == field);
        let text = |field: Field| get(field).and_then(|(_, _, v)| text_of(v));

        let (time_key, time_value) = match get(Field::Time) {
            Some((_, key, value)) => (key.to_string(), *value),
            None => {
                return Err(RecordError::new(
                    "timestamp",
                    "no timestamp column (expected one named like Timestamp or createdAt)",
                ));
            }
        };
        let time_text = text_of(time_value).unwrap_or_default();
        let occurred_at = parse_timestamp(&time_text).ok_or_else(|| {
            RecordError::new(
                &time_key,
                format!("cannot read {time_text:?} as a date and time"),
            )
        })?;

        let resource_type = text(Field::ResourceType);
        let action = text(Field::Action);
        let event_type = match text(Field::Type) {
            Some(t) => t,
            None => match (&resource_type, &action) {
                (Some(r), Some(a)) => format!("{}.{}", slug(r), slug(a)),
                (None, Some(a)) => slug(a),
                (Some(r), None) => slug(r),
                (None, None) => {
                    return Err(RecordError::new(
                        "type",
                        "no event type (expected a column like Event Type, type or Action)",
                    ));
                }
            },
        };

        let mut event = NewEvent::new(occurred_at, event_type);
        event.event_id = text(Field::EventId);
        event.category = text(Field::Category);
        if let Some((_, key, value)) = get(Field::Severity)
            && let Some(s) = text_of(value)
        {
            event.severity = Some(Severity::parse(&s).ok_or_else(|| {
                RecordError::new(
                    key,
                    format!("unknown severity {s:?} (expected INFO, WARNING, ERROR or CRITICAL)"),
                )
            })?);
        }
        if let Some(outcome) = text(Field::Outcome) {
            event.outcome = normalize_outcome(&outcome);
        }
        if let Some((_, key, value)) = get(Field::User) {
            self.read_user(key, value, &mut event)?;
        }
        // Specific columns beat what a combined "User" cell implied.
        if let Some(id) = text(Field::UserId) {
            event.body.actor.user_id = Some(id);
        }
        if let Some(email) = text(Field::Email) {
            event.body.actor.email = Some(email);
        }
        if let Some(name) = text(Field::UserName) {
            event.body.actor.name = Some(name);
        }
        if let Some(role) = text(Field::Role) {
            event.body.actor.role = Some(role);
        }
        event.body.ip = text(Field::Ip);
        event.body.route = text(Field::Route);
        event.body.resource_type = resource_type;
        event.body.resource_id = text(Field::ResourceId);
        event.body.resource_name = text(Field::ResourceName);
        event.body.action = action;
        event.body.description = text(Field::Description);
        event.body.request_id = text(Field::RequestId);
        event.body.session_id = text(Field::SessionId);
        event.body.stack = text(Field::Stack);
        event.body.region = text(Field::Region);
        event.body.org_id = text(Field::OrgId);
        event.body.env_id = text(Field::EnvId);
        if let Some((_, key, value)) = get(Field::Tags) {
            event.body.tags = self.read_tags(key, value)?;
        }
        if let Some((_, key, value)) = get(Field::Details) {
            event.body.details = self.read_details(key, value)?;
        }
        Ok(event)
    }

    fn read_user(&self, key: &str, value: &Value, event: &mut NewEvent) -> Result<(), RecordError> {
        match value {
            Value::Object(map) => {
                for (k, v) in map {
                    let t = text_of(v);
                    match normalize_header(k).as_str() {
                        "id" | "userid" => event.body.actor.user_id = t,
                        "email" | "emailaddress" => event.body.actor.email = t,
                        "name" | "username" | "fullname" | "displayname" => {
                            event.body.actor.name = t
                        }
                        "role" | "userrole" => event.body.actor.role = t,
                        _ => {}
                    }
                }
                Ok(())
            }
            Value::Array(_) => Err(RecordError::new(key, "expected a user, found a list")),
            other => {
                if let Some(cell) = text_of(other) {
                    let (name, email) = split_user(&cell);
                    event.body.actor.email = email;
                    if name.is_some() {
                        event.body.actor.name = name;
                    } else if event.body.actor.email.is_none() {
                        event.body.actor.user_id = Some(cell);
                    }
                }
                Ok(())
            }
        }
    }

    fn read_tags(&self, key: &str, value: &Value) -> Result<Vec<String>, RecordError> {
        let from_array = |items: &Vec<Value>| items.iter().filter_map(text_of).collect();
        match value {
            Value::Array(items) => Ok(from_array(items)),
            Value::Null => Ok(Vec::new()),
            other => {
                let cell = text_of(other).unwrap_or_default();
                if cell.starts_with('[') {
                    match serde_json::from_str::<Value>(&cell) {
                        Ok(Value::Array(items)) => Ok(from_array(&items)),
                        Ok(_) => Err(RecordError::new(key, "expected a JSON array of tags")),
                        Err(e) => Err(RecordError::new(key, format!("invalid JSON list: {e}"))),
                    }
                } else {
                    Ok(cell
                        .split([',', ';', '|'])
                        .map(str::trim)
                        .filter(|t| !t.is_empty())
                        .map(str::to_string)
                        .collect())
                }
            }
        }
    }

    fn read_details(&self, key: &str, value: &Value) -> Result<Option<Value>, RecordError> {
        match value {
            Value::Null => Ok(None),
            Value::String(s) if s.trim().is_empty() => Ok(None),
            Value::String(s) => {
                let looks_json = s.trim_start().starts_with(['{', '[']);
                if self.from_csv || looks_json {
                    serde_json::from_str(s)
                        .map(Some)
                        .map_err(|e| RecordError::new(key, format!("invalid JSON: {e}")))
                } else {
                    Ok(Some(value.clone()))
                }
            }
            other => Ok(Some(other.clone())),
        }
    }
}

/// "Jane Doe <jane@x.org>", "Jane Doe (jane@x.org)", "jane@x.org",
/// "Jane Doe - jane@x.org" → (name, e-mail).
fn split_user(cell: &str) -> (Option<String>, Option<String>) {
    let is_sep = |c: char| {
        c.is_whitespace() || matches!(c, '<' | '>' | '(' | ')' | '[' | ']' | ',' | ';' | '"')
    };
    let email = cell
        .split(is_sep)
        .find(|t| t.contains('@') && t.len() > 2)
        .map(str::to_string);
    let name = match &email {
        Some(e) => cell.replacen(e.as_str(), "", 1),
        None => cell.to_string(),
    };
    let name = name
        .trim_matches(|c: char| is_sep(c) || matches!(c, '-' | '|' | '/' | ':'))
        .trim()
        .replace("<>", "")
        .replace("()", "");
    let name = name.trim().to_string();
    ((!name.is_empty()).then_some(name), email)
}

fn slug(text: &str) -> String {
    text.trim()
        .to_lowercase()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join("_")
}

impl From<(u64, &str, RecordError)> for ImportError {
    fn from((line, file, e): (u64, &str, RecordError)) -> ImportError {
        ImportError::at(file, line, Some(e.field), e.message)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn csv_record(pairs: &[(&str, &str)]) -> Record {
        let headers: Vec<String> = pairs.iter().map(|(k, _)| k.to_string()).collect();
        let cells = csv::StringRecord::from(pairs.iter().map(|(_, v)| *v).collect::<Vec<_>>());
        Record::from_cells(2, &headers, &cells)
    }

    #[test]
    fn headers_match_loosely() {
        for h in [
            "Event ID",
            "event_id",
            "EVENTID",
            "event-id",
            "\u{feff}Event Id",
        ] {
            assert_eq!(field_of(h), Some(Field::EventId), "{h}");
        }
        assert_eq!(field_of("IP Address"), Some(Field::Ip));
        assert_eq!(field_of("Compliance_Tags"), Some(Field::Tags));
    }

    #[test]
    fn users_split_into_name_and_email() {
        assert_eq!(
            split_user("Jane Doe <jane@x.org>"),
            (Some("Jane Doe".into()), Some("jane@x.org".into()))
        );
        assert_eq!(
            split_user("Jane Doe (jane@x.org)"),
            (Some("Jane Doe".into()), Some("jane@x.org".into()))
        );
        assert_eq!(split_user("jane@x.org"), (None, Some("jane@x.org".into())));
        assert_eq!(split_user("Jane Doe"), (Some("Jane Doe".into()), None));
    }

    #[test]
    fn seed_004_shape_gets_a_type_from_resource_and_action() {
        let r = csv_record(&[
            ("Timestamp", "2026-01-02 03:04:05"),
            ("User", "Ann Lee <ann@clinic.org>"),
            ("Resource Type", "Members"),
            ("Action", "update"),
            ("Resource", "mem_42"),
            ("Status", "Success"),
        ]);
        let e = r.to_event().unwrap();
        assert_eq!(e.event_type, "members.update");
        assert_eq!(e.outcome, "successful");
        assert_eq!(e.body.actor.email.as_deref(), Some("ann@clinic.org"));
        assert_eq!(e.body.resource_id.as_deref(), Some("mem_42"));
        assert_eq!(e.event_id, None);
    }

    #[test]
    fn tags_cells_in_every_list_spelling() {
        for cell in [r#"["SOX","GDPR"]"#, "SOX, GDPR", "SOX;GDPR", "SOX | GDPR"] {
            let r = csv_record(&[
                ("Timestamp", "2026-01-02"),
                ("Event Type", "x"),
                ("Compliance Tags", cell),
            ]);
            assert_eq!(
                r.to_event().unwrap().body.tags,
                vec!["SOX", "GDPR"],
                "{cell}"
            );
        }
    }

    #[test]
    fn bad_cells_name_their_field() {
        let r = csv_record(&[("Timestamp", "soon"), ("Event Type", "x")]);
        assert_eq!(r.to_event().unwrap_err().field, "Timestamp");
        let r = csv_record(&[
            ("Timestamp", "2026-01-02"),
            ("Event Type", "x"),
            ("Metadata", "{oops"),
        ]);
        assert_eq!(r.to_event().unwrap_err().field, "Metadata");
        let r = csv_record(&[
            ("Timestamp", "2026-01-02"),
            ("Event Type", "x"),
            ("Severity", "loud"),
        ]);
        assert_eq!(r.to_event().unwrap_err().field, "Severity");
    }

    #[test]
    fn redox_shape_maps_directly() {
        let r = Record {
            line: 1,
            raw: json!({
                "id": "7c1f", "organizationId": 12, "userId": 345, "requestIp": "10.1.2.3",
                "route": "/v1/x", "createdAt": "2026-05-01T10:00:00.123+02:00",
                "type": "log-search", "status": "attempted", "details": null, "extra": 1
            })
            .as_object()
            .unwrap()
            .clone(),
            columns: None,
            from_csv: false,
        };
        let e = r.to_event().unwrap();
        assert_eq!(e.event_id.as_deref(), Some("7c1f"));
        assert_eq!(e.body.actor.user_id.as_deref(), Some("345"));
        assert_eq!(e.body.org_id.as_deref(), Some("12"));
        assert_eq!(e.body.ip.as_deref(), Some("10.1.2.3"));
        assert_eq!(e.outcome, "attempted");
        assert_eq!(e.body.details, None);
        assert_eq!(e.body.raw["extra"], json!(1));
    }
}
