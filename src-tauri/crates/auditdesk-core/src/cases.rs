//! Cases: a named investigation that holds bookmarks, open or closed, with
//! a timeline of its events in the order they happened.

use chrono::{DateTime, Utc};
use rusqlite::{Connection, OptionalExtension, params};
use serde::Serialize;

use crate::activity::{self, Action};
use crate::bookmarks::{self, Bookmark};
use crate::error::{Error, Result};
use crate::events::millis_to_utc;
use crate::vault::in_tx;

#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Case {
    pub name: String,
    pub description: String,
    pub status: String,
    pub created_at: DateTime<Utc>,
    pub closed_at: Option<DateTime<Utc>>,
    pub bookmarks: u64,
}

/// A case with its bookmarks, oldest event first.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Timeline {
    #[serde(flatten)]
    pub case: Case,
    pub timeline: Vec<Bookmark>,
}

pub(crate) fn id_of(conn: &Connection, name: &str) -> Result<i64> {
    conn.query_row("SELECT id FROM cases WHERE name = ?1", [name], |r| r.get(0))
        .optional()?
        .ok_or_else(|| Error::NotFound(format!("case {name:?} (create it with `case create`)")))
}

pub fn create(conn: &Connection, name: &str, description: &str) -> Result<Case> {
    let name = name.trim();
    if name.is_empty() {
        return Err(Error::Invalid("a case needs a name".into()));
    }
    in_tx(conn, || {
        let taken: bool = conn.query_row(
            "SELECT EXISTS (SELECT 1 FROM cases WHERE name = ?1)",
            [name],
            |r| r.get(0),
        )?;
        if taken {
            return Err(Error::Invalid(format!(
                "a case named {name:?} already exists"
            )));
        }
        conn.execute(
            "INSERT INTO cases (name, description, created_at) VALUES (?1, ?2, ?3)",
            params![name, description, Utc::now().timestamp_millis()],
        )?;
        activity::record(conn, Action::CaseCreate, name, serde_json::json!({}))?;
        get(conn, name)
    })
}

pub fn list(conn: &Connection) -> Result<Vec<Case>> {
    read(conn, "1", params![])
}

pub fn get(conn: &Connection, name: &str) -> Result<Case> {
    read(conn, "c.name = ?1", params![name])?
        .pop()
        .ok_or_else(|| Error::NotFound(format!("case {name:?}")))
}

/// The case and its bookmarks in event-time order.
pub fn timeline(conn: &Connection, name: &str) -> Result<Timeline> {
    let case = get(conn, name)?;
    let mut timeline = bookmarks::list(conn, Some(name))?;
    timeline.reverse();
    Ok(Timeline { case, timeline })
}

/// Closes (or, with `open`, reopens) a case.
pub fn set_open(conn: &Connection, name: &str, open: bool) -> Result<Case> {
    in_tx(conn, || {
        let id = id_of(conn, name)?;
        conn.execute(
            "UPDATE cases SET status = ?2, closed_at = ?3 WHERE id = ?1",
            params![
                id,
                if open { "open" } else { "closed" },
                (!open).then(|| Utc::now().timestamp_millis())
            ],
        )?;
        activity::record(
            conn,
            Action::CaseChange,
            name,
            serde_json::json!({"status": if open { "open" } else { "closed" }}),
        )?;
        get(conn, name)
    })
}

fn read(conn: &Connection, cond: &str, args: &[&dyn rusqlite::ToSql]) -> Result<Vec<Case>> {
    let sql = format!(
        "SELECT c.name, c.description, c.status, c.created_at, c.closed_at,
                (SELECT count(*) FROM case_bookmarks AS cb WHERE cb.case_id = c.id)
         FROM cases AS c WHERE {cond} ORDER BY c.created_at, c.id"
    );
    let mut stmt = conn.prepare(&sql)?;
    let rows = stmt
        .query_map(args, |r| {
            Ok(Case {
                name: r.get(0)?,
                description: r.get(1)?,
                status: r.get(2)?,
                created_at: millis_to_utc(r.get(3)?),
                closed_at: r.get::<_, Option<i64>>(4)?.map(millis_to_utc),
                bookmarks: r.get::<_, i64>(5)? as u64,
            })
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(rows)
}
