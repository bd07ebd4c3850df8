//! The sources events come from: file imports, Redox connections and the
//! embedded demo (a Redox connection to the in-process simulator). Events
//! are unique per (source, source event id). A connection's settings and
//! private key live in the `sources` row, inside the encrypted vault.

pub mod import;
pub mod redox;

use chrono::{DateTime, TimeZone as _, Utc};
use rusqlite::{Connection, OptionalExtension, params};
use serde::Serialize;
use serde_json::Value;

use crate::error::{Error, Result};
use crate::sync::runs::{self, SyncRun};
use redox::{RedoxConfig, Signer};

/// "a string", "an array"…: for messages about JSON of the wrong shape.
pub(crate) fn json_kind(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

pub const KIND_FILE: &str = "file";
pub const KIND_REDOX: &str = "redox";
pub const KIND_DEMO: &str = "demo";

/// The source file imports go to when none is named.
pub const DEFAULT_IMPORT_SOURCE: &str = "import";

#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Source {
    pub id: i64,
    pub name: String,
    pub kind: String,
}

pub fn find(conn: &Connection, name: &str) -> Result<Option<Source>> {
    Ok(conn
        .query_row(
            "SELECT id, name, kind FROM sources WHERE name = ?1 AND removed_at IS NULL",
            [name],
            |r| {
                Ok(Source {
                    id: r.get(0)?,
                    name: r.get(1)?,
                    kind: r.get(2)?,
                })
            },
        )
        .optional()?)
}

/// The named source, created as a file source if it does not exist yet.
pub fn find_or_create_file_source(conn: &Connection, name: &str) -> Result<Source> {
    if let Some(source) = find(conn, name)? {
        return Ok(source);
    }
    name_is_free(conn, name)?;
    conn.execute(
        "INSERT INTO sources (name, kind, created_at) VALUES (?1, 'file', ?2)",
        params![name, chrono::Utc::now().timestamp_millis()],
    )?;
    Ok(Source {
        id: conn.last_insert_rowid(),
        name: name.to_string(),
        kind: "file".into(),
    })
}

/// A source as `source list` shows it: never its private key.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct SourceInfo {
    pub name: String,
    pub kind: String,
    pub created_at: DateTime<Utc>,
    pub host: Option<String>,
    pub organization_id: Option<String>,
    pub client_id: Option<String>,
    pub key_id: Option<String>,
    pub algorithm: Option<redox::KeyAlgorithm>,
    pub events: i64,
    pub watermark: Option<DateTime<Utc>>,
    pub last_run: Option<SyncRun>,
}

/// Adds a Redox (or demo) connection. The key is parsed first, so a bad
/// PEM is refused before anything is stored.
pub fn add_redox(
    conn: &Connection,
    name: &str,
    kind: &str,
    config: &RedoxConfig,
    demo: Option<Value>,
) -> Result<Source> {
    let name = name.trim();
    if name.is_empty() {
        return Err(Error::Invalid("a source needs a name".into()));
    }
    name_is_free(conn, name)?;
    if !(config.host.starts_with("https://") || config.host.starts_with("http://")) {
        return Err(Error::Invalid(format!(
            "host {:?} must be an http:// or https:// URL",
            config.host
        )));
    }
    for (field, value) in [
        ("organization id", &config.organization_id),
        ("client id", &config.client_id),
    ] {
        if value.trim().is_empty() {
            return Err(Error::Invalid(format!("the {field} must not be empty")));
        }
    }
    config.settings.check()?;
    Signer::new(
        &config.private_key_pem,
        &config.key_id,
        &config.client_id,
        "check",
    )?;
    let mut stored = serde_json::json!({ "redox": config });
    if let Some(demo) = demo {
        stored["demo"] = demo;
    }
    conn.execute(
        "INSERT INTO sources (name, kind, config, created_at) VALUES (?1, ?2, ?3, ?4)",
        params![
            name,
            kind,
            stored.to_string(),
            Utc::now().timestamp_millis()
        ],
    )?;
    Ok(Source {
        id: conn.last_insert_rowid(),
        name: name.to_string(),
        kind: kind.to_string(),
    })
}

/// Names stay unique, removed sources included (their events keep the name).
fn name_is_free(conn: &Connection, name: &str) -> Result<()> {
    let taken: Option<Option<i64>> = conn
        .query_row(
            "SELECT removed_at FROM sources WHERE name = ?1",
            [name],
            |r| r.get(0),
        )
        .optional()?;
    match taken {
        None => Ok(()),
        Some(None) => Err(Error::Invalid(format!(
            "a source named {name:?} already exists"
        ))),
        Some(Some(_)) => Err(Error::Invalid(format!(
            "a removed source named {name:?} still holds events under that name; choose another name"
        ))),
    }
}

fn stored_config(conn: &Connection, id: i64) -> Result<Value> {
    let text: String = conn.query_row("SELECT config FROM sources WHERE id = ?1", [id], |r| {
        r.get(0)
    })?;
    serde_json::from_str(&text)
        .map_err(|e| Error::Invalid(format!("source {id}: stored configuration unreadable: {e}")))
}

/// A connection's source row and configuration, for syncing or testing.
pub fn redox_config(conn: &Connection, name: &str) -> Result<(Source, RedoxConfig)> {
    let source = find(conn, name)?.ok_or_else(|| Error::NotFound(format!("source {name:?}")))?;
    if source.kind != KIND_REDOX && source.kind != KIND_DEMO {
        return Err(Error::Invalid(format!(
            "source {name:?} holds imported files; there is nothing to sync or test"
        )));
    }
    let mut stored = stored_config(conn, source.id)?;
    let config = serde_json::from_value(stored["redox"].take()).map_err(|e| {
        Error::Invalid(format!(
            "source {name:?}: stored configuration unreadable: {e}"
        ))
    })?;
    Ok((source, config))
}

/// The embedded simulator's parameters of a demo source (None otherwise).
pub fn demo_parameters(conn: &Connection, name: &str) -> Result<Option<Value>> {
    let source = find(conn, name)?.ok_or_else(|| Error::NotFound(format!("source {name:?}")))?;
    if source.kind != KIND_DEMO {
        return Ok(None);
    }
    Ok(stored_config(conn, source.id)?.get("demo").cloned())
}

/// Names of the sources a plain `sync` syncs, oldest first.
pub fn syncable(conn: &Connection) -> Result<Vec<String>> {
    let mut stmt = conn.prepare(
        "SELECT name FROM sources WHERE kind IN ('redox', 'demo') AND removed_at IS NULL ORDER BY id",
    )?;
    let names = stmt
        .query_map([], |r| r.get(0))?
        .collect::<rusqlite::Result<Vec<String>>>()?;
    Ok(names)
}

pub fn list(conn: &Connection) -> Result<Vec<SourceInfo>> {
    let mut stmt = conn.prepare(
        "SELECT id, name, kind, created_at, (SELECT count(*) FROM events e WHERE e.source_id = s.id)
         FROM sources s WHERE removed_at IS NULL ORDER BY id",
    )?;
    let rows = stmt
        .query_map([], |r| {
            Ok((
                r.get::<_, i64>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, String>(2)?,
                r.get::<_, i64>(3)?,
                r.get::<_, i64>(4)?,
            ))
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    let mut out = Vec::with_capacity(rows.len());
    for (id, name, kind, created, events) in rows {
        let mut info = SourceInfo {
            created_at: Utc
                .timestamp_millis_opt(created)
                .single()
                .unwrap_or_default(),
            host: None,
            organization_id: None,
            client_id: None,
            key_id: None,
            algorithm: None,
            events,
            watermark: runs::watermark(conn, id)?,
            last_run: runs::list(conn, id, 1)?.into_iter().next(),
            name,
            kind,
        };
        if info.kind != KIND_FILE {
            let (_, config) = redox_config(conn, &info.name)?;
            info.algorithm = Signer::new(
                &config.private_key_pem,
                &config.key_id,
                &config.client_id,
                "",
            )
            .ok()
            .map(|s| s.algorithm());
            info.host = Some(if info.kind == KIND_DEMO {
                "embedded simulator (loopback)".to_string()
            } else {
                config.host
            });
            info.organization_id = Some(config.organization_id);
            info.client_id = Some(config.client_id);
            info.key_id = Some(config.key_id);
        }
        out.push(info);
    }
    Ok(out)
}

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[cfg_attr(feature = "ts", ts(rename = "SourceRemoved"))]
pub struct Removed {
    pub name: String,
    /// Events stay: they are evidence, and the version chain covers them.
    pub events_kept: i64,
}

/// Forgets a source's connection (its private key included). Its events,
/// if any, stay in the vault under the same name; the name can be reused
/// for a new connection only once no events carry it.
pub fn remove(conn: &Connection, name: &str) -> Result<Removed> {
    let source = find(conn, name)?.ok_or_else(|| Error::NotFound(format!("source {name:?}")))?;
    let events: i64 = conn.query_row(
        "SELECT count(*) FROM events WHERE source_id = ?1",
        [source.id],
        |r| r.get(0),
    )?;
    if events == 0 {
        conn.execute("DELETE FROM imports WHERE source_id = ?1", [source.id])?;
        conn.execute("DELETE FROM sources WHERE id = ?1", [source.id])?;
    } else {
        conn.execute(
            "UPDATE sources SET config = '{}', removed_at = ?2 WHERE id = ?1",
            params![source.id, Utc::now().timestamp_millis()],
        )?;
    }
    Ok(Removed {
        name: source.name,
        events_kept: events,
    })
}
