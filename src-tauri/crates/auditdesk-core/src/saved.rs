//! Saved searches: a name for a query, listed and run like any other.

use chrono::{DateTime, Utc};
use rusqlite::{Connection, OptionalExtension, params};
use serde::Serialize;

use crate::activity::{self, Action};
use crate::error::{Error, Result};
use crate::events::millis_to_utc;
use crate::search;

#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct SavedSearch {
    pub name: String,
    pub query: String,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// Saves (or replaces) `name`. The query must parse: a saved search that
/// fails later, when someone relies on it, helps nobody.
pub fn save(conn: &Connection, name: &str, query: &str) -> Result<SavedSearch> {
    let name = name.trim();
    if name.is_empty() {
        return Err(Error::Invalid("a saved search needs a name".into()));
    }
    search::parse(query)?;
    let now = Utc::now().timestamp_millis();
    crate::vault::in_tx(conn, || {
        conn.execute(
            "INSERT INTO saved_searches (name, query, created_at, updated_at) VALUES (?1, ?2, ?3, ?3)
             ON CONFLICT (name) DO UPDATE SET query = excluded.query, updated_at = excluded.updated_at",
            params![name, query, now],
        )?;
        activity::record(
            conn,
            Action::SavedSearchChange,
            name,
            serde_json::json!({"query": query}),
        )?;
        get(conn, name)
    })
}

pub fn get(conn: &Connection, name: &str) -> Result<SavedSearch> {
    conn.query_row(
        "SELECT name, query, created_at, updated_at FROM saved_searches WHERE name = ?1",
        [name],
        read,
    )
    .optional()?
    .ok_or_else(|| Error::NotFound(format!("saved search {name:?}")))
}

pub fn list(conn: &Connection) -> Result<Vec<SavedSearch>> {
    let mut stmt = conn
        .prepare("SELECT name, query, created_at, updated_at FROM saved_searches ORDER BY name")?;
    let rows = stmt
        .query_map([], read)?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(rows)
}

pub fn remove(conn: &Connection, name: &str) -> Result<()> {
    crate::vault::in_tx(conn, || {
        if conn.execute("DELETE FROM saved_searches WHERE name = ?1", [name])? == 0 {
            return Err(Error::NotFound(format!("saved search {name:?}")));
        }
        activity::record(
            conn,
            Action::SavedSearchChange,
            name,
            serde_json::json!({"removed": true}),
        )
    })
}

/// Runs a saved search (recorded like any search).
pub fn run(conn: &Connection, name: &str, request: &search::Request) -> Result<search::SearchPage> {
    let saved = get(conn, name)?;
    let query = search::parse(&saved.query)?;
    search::run(conn, &query, request)
}

fn read(r: &rusqlite::Row<'_>) -> rusqlite::Result<SavedSearch> {
    Ok(SavedSearch {
        name: r.get(0)?,
        query: r.get(1)?,
        created_at: millis_to_utc(r.get(2)?),
        updated_at: millis_to_utc(r.get(3)?),
    })
}
