//! The sources events come from (a file-import source, later Redox
//! connections). Events are unique per (source, source event id).

pub mod import;

use rusqlite::{Connection, OptionalExtension, params};
use serde::Serialize;

use crate::error::Result;

/// The source file imports go to when none is named.
pub const DEFAULT_IMPORT_SOURCE: &str = "import";

#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Source {
    pub id: i64,
    pub name: String,
    pub kind: String,
}

pub fn find(conn: &Connection, name: &str) -> Result<Option<Source>> {
    Ok(conn
        .query_row(
            "SELECT id, name, kind FROM sources WHERE name = ?1",
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
