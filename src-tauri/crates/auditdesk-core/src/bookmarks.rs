//! Bookmarks: an investigator's mark on an event, with a note and tags,
//! possibly filed in cases. They point at events; they never change them,
//! and searches, counts and reports of source events never read them
//! (except `bookmarked:` and `case:`, which ask about them by name).

use chrono::{DateTime, Utc};
use rusqlite::{Connection, OptionalExtension, params};
use serde::Serialize;

use crate::activity::{self, Action};
use crate::error::{Error, Result};
use crate::events::{self, millis_to_utc};
use crate::vault::in_tx;

#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Bookmark {
    pub event_id: String,
    pub source: String,
    pub occurred_at: DateTime<Utc>,
    #[serde(rename = "type")]
    pub event_type: String,
    pub severity: String,
    pub outcome: String,
    pub user: Option<String>,
    pub note: String,
    pub tags: Vec<String>,
    pub cases: Vec<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// What `add` sets. A second `add` on the same event updates its bookmark:
/// a given note replaces the old one, tags and a case are added.
#[derive(Debug, Clone, Default)]
pub struct Mark<'a> {
    pub note: Option<&'a str>,
    pub tags: &'a [String],
    pub case: Option<&'a str>,
}

pub fn add(
    conn: &Connection,
    event_id: &str,
    source: Option<&str>,
    mark: &Mark<'_>,
) -> Result<Bookmark> {
    let rowid = events::rowid_of(conn, event_id, source)?;
    in_tx(conn, || {
        let now = Utc::now().timestamp_millis();
        let existing: Option<(i64, String)> = conn
            .query_row(
                "SELECT id, tags FROM bookmarks WHERE event_rowid = ?1",
                [rowid],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()?;
        let (id, action) = match existing {
            Some((id, tags)) => {
                let mut all: Vec<String> = serde_json::from_str(&tags).unwrap_or_default();
                for t in mark.tags {
                    if !all.iter().any(|x| x.eq_ignore_ascii_case(t)) {
                        all.push(t.clone());
                    }
                }
                conn.execute(
                    "UPDATE bookmarks SET note = coalesce(?2, note), tags = ?3, updated_at = ?4
                     WHERE id = ?1",
                    params![id, mark.note, to_json(&all), now],
                )?;
                (id, Action::BookmarkChange)
            }
            None => {
                let tags = dedup(mark.tags);
                conn.execute(
                    "INSERT INTO bookmarks (event_rowid, note, tags, created_at, updated_at)
                     VALUES (?1, ?2, ?3, ?4, ?4)",
                    params![rowid, mark.note.unwrap_or(""), to_json(&tags), now],
                )?;
                (conn.last_insert_rowid(), Action::BookmarkAdd)
            }
        };
        if let Some(case) = mark.case {
            let case_id = crate::cases::id_of(conn, case)?;
            conn.execute(
                "INSERT OR IGNORE INTO case_bookmarks (case_id, bookmark_id, added_at)
                 VALUES (?1, ?2, ?3)",
                params![case_id, id, now],
            )?;
        }
        let bookmark = read(conn, "b.id = ?1", params![id])?
            .pop()
            .ok_or_else(|| Error::NotFound(format!("bookmark on {event_id}")))?;
        activity::record(
            conn,
            action,
            event_id,
            serde_json::json!({"source": bookmark.source, "note": mark.note, "tags": mark.tags, "case": mark.case}),
        )?;
        Ok(bookmark)
    })
}

pub fn remove(conn: &Connection, event_id: &str, source: Option<&str>) -> Result<()> {
    let rowid = events::rowid_of(conn, event_id, source)?;
    in_tx(conn, || {
        let n = conn.execute("DELETE FROM bookmarks WHERE event_rowid = ?1", [rowid])?;
        if n == 0 {
            return Err(Error::NotFound(format!("a bookmark on event {event_id}")));
        }
        activity::record(
            conn,
            Action::BookmarkRemove,
            event_id,
            serde_json::json!({}),
        )
    })
}

/// Every bookmark, newest event first; only those in `case` when given.
pub fn list(conn: &Connection, case: Option<&str>) -> Result<Vec<Bookmark>> {
    match case {
        None => read(conn, "1", params![]),
        Some(name) => {
            let case_id = crate::cases::id_of(conn, name)?;
            read(
                conn,
                "b.id IN (SELECT bookmark_id FROM case_bookmarks WHERE case_id = ?1)",
                params![case_id],
            )
        }
    }
}

/// The bookmark on one event, if there is one.
pub fn of_event(
    conn: &Connection,
    event_id: &str,
    source: Option<&str>,
) -> Result<Option<Bookmark>> {
    let rowid = events::rowid_of(conn, event_id, source)?;
    Ok(read(conn, "b.event_rowid = ?1", params![rowid])?.pop())
}

fn read(conn: &Connection, cond: &str, args: &[&dyn rusqlite::ToSql]) -> Result<Vec<Bookmark>> {
    let sql = format!(
        "SELECT e.event_id, s.name, e.occurred_at, e.type, e.severity, e.outcome,
                coalesce(e.user_email, e.user_name, e.user_id), b.note, b.tags,
                (SELECT json_group_array(c.name) FROM case_bookmarks AS cb
                   JOIN cases AS c ON c.id = cb.case_id WHERE cb.bookmark_id = b.id),
                b.created_at, b.updated_at
         FROM bookmarks AS b JOIN events AS e ON e.id = b.event_rowid
         JOIN sources AS s ON s.id = e.source_id
         WHERE {cond} ORDER BY e.id DESC"
    );
    let mut stmt = conn.prepare(&sql)?;
    let rows = stmt
        .query_map(args, |r| {
            let tags: String = r.get(8)?;
            let cases: String = r.get(9)?;
            let severity: i64 = r.get(4)?;
            Ok(Bookmark {
                event_id: r.get(0)?,
                source: r.get(1)?,
                occurred_at: millis_to_utc(r.get(2)?),
                event_type: r.get(3)?,
                severity: crate::domain::Severity::from_rank(severity)
                    .map_or_else(|| severity.to_string(), |s| s.as_str().to_string()),
                outcome: r.get(5)?,
                user: r.get(6)?,
                note: r.get(7)?,
                tags: serde_json::from_str(&tags).unwrap_or_default(),
                cases: serde_json::from_str(&cases).unwrap_or_default(),
                created_at: millis_to_utc(r.get(10)?),
                updated_at: millis_to_utc(r.get(11)?),
            })
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(rows)
}

fn dedup(tags: &[String]) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for t in tags {
        let t = t.trim();
        if !t.is_empty() && !out.iter().any(|x| x.eq_ignore_ascii_case(t)) {
            out.push(t.to_string());
        }
    }
    out
}

fn to_json(tags: &[String]) -> String {
    serde_json::to_string(tags).unwrap_or_else(|_| "[]".into())
}
