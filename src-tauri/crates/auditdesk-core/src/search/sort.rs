//! Sort orders and keyset cursors. Every order ends in the rowid, so it is
//! total and a cursor names one position exactly.

use std::fmt;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use rusqlite::types::Value;

use crate::error::{Error, Result};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SortField {
    Time,
    Type,
    Category,
    Severity,
    Outcome,
    User,
    Ip,
    Resource,
    Source,
    Id,
}

impl SortField {
    pub const ALL: [SortField; 10] = [
        SortField::Time,
        SortField::Type,
        SortField::Category,
        SortField::Severity,
        SortField::Outcome,
        SortField::User,
        SortField::Ip,
        SortField::Resource,
        SortField::Source,
        SortField::Id,
    ];

    pub fn name(self) -> &'static str {
        match self {
            SortField::Time => "occurred_at",
            SortField::Type => "type",
            SortField::Category => "category",
            SortField::Severity => "severity",
            SortField::Outcome => "outcome",
            SortField::User => "user",
            SortField::Ip => "ip",
            SortField::Resource => "resource",
            SortField::Source => "source",
            SortField::Id => "id",
        }
    }

    fn parse(text: &str) -> Option<SortField> {
        Some(match text {
            "occurred_at" | "time" | "date" => SortField::Time,
            "type" => SortField::Type,
            "category" => SortField::Category,
            "severity" => SortField::Severity,
            "outcome" | "status" => SortField::Outcome,
            "user" => SortField::User,
            "ip" => SortField::Ip,
            "resource" => SortField::Resource,
            "source" => SortField::Source,
            "id" => SortField::Id,
            _ => return None,
        })
    }

    /// The sort key as SQL; never NULL, so row-value comparisons hold.
    fn key(self) -> &'static str {
        match self {
            SortField::Time => "f.id",
            SortField::Type => "f.type",
            SortField::Category => "f.category",
            SortField::Severity => "f.severity",
            SortField::Outcome => "f.outcome",
            SortField::User => "coalesce(f.user, '')",
            SortField::Ip => "coalesce(e.ip, '')",
            SortField::Resource => {
                "coalesce(e.resource_name, e.resource_id, e.resource_type, e.route, '')"
            }
            SortField::Source => "s.name",
            SortField::Id => "e.event_id",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Sort {
    pub field: SortField,
    pub descending: bool,
}

impl Default for Sort {
    /// Newest first.
    fn default() -> Self {
        Sort {
            field: SortField::Time,
            descending: true,
        }
    }
}

impl fmt::Display for Sort {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let dir = if self.descending { "desc" } else { "asc" };
        write!(f, "{}:{dir}", self.field.name())
    }
}

impl Sort {
    /// `severity`, `-severity`, `severity:asc`, `severity:desc`. Without a
    /// direction, time and severity sort descending (newest, worst first)
    /// and the text columns ascending.
    pub fn parse(text: &str) -> Result<Sort> {
        let text = text.trim().to_ascii_lowercase();
        let (name, dir) = match text.split_once(':') {
            Some((name, dir)) => (name.to_string(), Some(dir.to_string())),
            None => match text.strip_prefix('-') {
                Some(name) => (name.to_string(), Some("desc".into())),
                None => (text.clone(), None),
            },
        };
        let field = SortField::parse(&name).ok_or_else(|| {
            Error::Invalid(format!(
                "cannot sort by {name:?} (one of: {})",
                SortField::ALL.map(SortField::name).join(", ")
            ))
        })?;
        let descending = match dir.as_deref() {
            Some("desc") => true,
            Some("asc") => false,
            Some(other) => {
                return Err(Error::Invalid(format!(
                    "sort direction {other:?} is neither asc nor desc"
                )));
            }
            None => matches!(field, SortField::Time | SortField::Severity),
        };
        Ok(Sort { field, descending })
    }

    pub(crate) fn key_sql(&self) -> &'static str {
        self.field.key()
    }

    pub(crate) fn order_sql(&self) -> String {
        let dir = if self.descending { "DESC" } else { "ASC" };
        match self.field {
            SortField::Time => format!("f.id {dir}"),
            other => format!("{} {dir}, f.id {dir}", other.key()),
        }
    }

    /// The condition for "after this cursor" in this order.
    pub(crate) fn after(&self, cursor: &Cursor) -> Result<(String, Vec<Value>)> {
        if cursor.sort != *self {
            return Err(Error::Invalid(format!(
                "this cursor belongs to a search sorted by {}, not {self}",
                cursor.sort
            )));
        }
        let op = if self.descending { "<" } else { ">" };
        Ok(match self.field {
            SortField::Time => (format!("f.id {op} ?"), vec![Value::Integer(cursor.rowid)]),
            other => (
                format!("({}, f.id) {op} (?, ?)", other.key()),
                vec![cursor.key.clone(), Value::Integer(cursor.rowid)],
            ),
        })
    }

    pub(crate) fn cursor(&self, key: &Value, rowid: i64) -> Cursor {
        Cursor {
            sort: *self,
            key: key.clone(),
            rowid,
        }
    }
}

/// A position in a sorted result: the last row's sort key and rowid.
#[derive(Debug, Clone, PartialEq)]
pub struct Cursor {
    sort: Sort,
    key: Value,
    rowid: i64,
}

impl Eq for Cursor {}

impl Cursor {
    /// The sort key of the row the cursor points after.
    pub(crate) fn key(&self) -> &Value {
        &self.key
    }

    /// The rowid of the row the cursor points after.
    pub(crate) fn rowid(&self) -> i64 {
        self.rowid
    }

    /// An opaque, URL-safe token.
    pub fn encode(&self) -> String {
        let key = match &self.key {
            Value::Integer(i) => serde_json::json!(i),
            Value::Text(t) => serde_json::json!(t),
            _ => serde_json::Value::Null,
        };
        let json = serde_json::json!([self.sort.to_string(), key, self.rowid]);
        URL_SAFE_NO_PAD.encode(json.to_string())
    }

    pub fn decode(token: &str) -> Result<Cursor> {
        let bad = || Error::Invalid(format!("{token:?} is not a cursor this search gave out"));
        let bytes = URL_SAFE_NO_PAD.decode(token.trim()).map_err(|_| bad())?;
        let json: serde_json::Value = serde_json::from_slice(&bytes).map_err(|_| bad())?;
        let sort = Sort::parse(json.get(0).and_then(|v| v.as_str()).ok_or_else(bad)?)?;
        let key = match json.get(1) {
            Some(serde_json::Value::Number(n)) => Value::Integer(n.as_i64().ok_or_else(bad)?),
            Some(serde_json::Value::String(s)) => Value::Text(s.clone()),
            _ => return Err(bad()),
        };
        let rowid = json.get(2).and_then(|v| v.as_i64()).ok_or_else(bad)?;
        Ok(Cursor { sort, key, rowid })
    }
}
