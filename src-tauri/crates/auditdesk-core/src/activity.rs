//! The reviewer-activity log ("audit the auditor", PCI DSS 10.2.1.3): who
//! unlocked the vault, searched, viewed, exported, changed bookmarks or ran
//! reports. It lives in its own table, never among the source events that
//! searches, counts and reports read. Append-only (triggers refuse edits)
//! and hash-chained, so `vault verify` notices a removed or altered entry.

use chrono::{DateTime, Utc};
use rusqlite::{Connection, OptionalExtension, params};
use serde::Serialize;
use serde_json::Value;
use sha2::{Digest, Sha256};

use crate::error::Result;
use crate::events::{millis_to_utc, to_hash};
use crate::integrity::{GENESIS, Hash, canonical_string};

/// What a reviewer did. The names are stable: reports and scripts read them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    Unlock,
    Search,
    View,
    Export,
    BookmarkAdd,
    BookmarkChange,
    BookmarkRemove,
    CaseCreate,
    CaseChange,
    CaseExport,
    SavedSearchChange,
    ReportRun,
}

impl Action {
    pub fn name(self) -> &'static str {
        match self {
            Action::Unlock => "unlock",
            Action::Search => "search",
            Action::View => "view",
            Action::Export => "export",
            Action::BookmarkAdd => "bookmark.add",
            Action::BookmarkChange => "bookmark.change",
            Action::BookmarkRemove => "bookmark.remove",
            Action::CaseCreate => "case.create",
            Action::CaseChange => "case.change",
            Action::CaseExport => "case.export",
            Action::SavedSearchChange => "saved.change",
            Action::ReportRun => "report.run",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[cfg_attr(feature = "ts", ts(rename = "ActivityEntry"))]
pub struct Entry {
    pub seq: i64,
    pub at: DateTime<Utc>,
    pub action: String,
    pub subject: String,
    pub detail: Value,
    pub hash: String,
}

/// The operating-system user, the best "who" a local vault can name.
fn who() -> String {
    std::env::var("USER")
        .or_else(|_| std::env::var("USERNAME"))
        .unwrap_or_default()
}

fn link(previous: &Hash, seq: i64, at: i64, action: &str, subject: &str, detail: &str) -> Hash {
    let mut hasher = Sha256::new();
    hasher.update(previous);
    hasher.update(seq.to_be_bytes());
    hasher.update(at.to_be_bytes());
    for part in [action, subject, detail] {
        hasher.update((part.len() as u64).to_be_bytes());
        hasher.update(part.as_bytes());
    }
    hasher.finalize().into()
}

/// Appends one entry, in the caller's transaction when there is one.
pub fn record(conn: &Connection, action: Action, subject: &str, detail: Value) -> Result<()> {
    // IMMEDIATE when on its own, so two processes cannot fork the chain.
    crate::vault::in_tx(conn, || append(conn, action, subject, detail))
}

fn append(conn: &Connection, action: Action, subject: &str, mut detail: Value) -> Result<()> {
    if let Value::Object(map) = &mut detail {
        map.insert("os_user".into(), Value::String(who()));
    }
    let head: Option<(i64, Vec<u8>)> = conn
        .query_row(
            "SELECT seq, hash FROM activity ORDER BY seq DESC LIMIT 1",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?;
    let (seq, previous) = match head {
        Some((seq, hash)) => (seq + 1, to_hash(&hash)?),
        None => (1, GENESIS),
    };
    let at = Utc::now().timestamp_millis();
    let detail = canonical_string(&detail);
    let hash = link(&previous, seq, at, action.name(), subject, &detail);
    conn.execute(
        "INSERT INTO activity (seq, at, action, subject, detail, hash) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        params![seq, at, action.name(), subject, detail, hash.as_slice()],
    )?;
    Ok(())
}

/// The newest `limit` entries, newest first (all of them when `None`).
pub fn list(conn: &Connection, limit: Option<u32>) -> Result<Vec<Entry>> {
    let mut stmt = conn.prepare(
        "SELECT seq, at, action, subject, detail, hash FROM activity ORDER BY seq DESC LIMIT ?1",
    )?;
    let limit = limit.map_or(-1, i64::from);
    let rows = stmt
        .query_map([limit], |r| {
            let detail: String = r.get(4)?;
            let hash: Vec<u8> = r.get(5)?;
            Ok(Entry {
                seq: r.get(0)?,
                at: millis_to_utc(r.get(1)?),
                action: r.get(2)?,
                subject: r.get(3)?,
                detail: serde_json::from_str(&detail).unwrap_or(Value::String(detail)),
                hash: hex::encode(hash),
            })
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(rows)
}

/// Recomputes the chain; one line per entry that does not hold.
pub fn verify(conn: &Connection) -> Result<Vec<String>> {
    let mut stmt =
        conn.prepare("SELECT seq, at, action, subject, detail, hash FROM activity ORDER BY seq")?;
    let mut rows = stmt.query([])?;
    let mut previous = GENESIS;
    let mut expected_seq = 1;
    let mut problems = Vec::new();
    while let Some(r) = rows.next()? {
        let seq: i64 = r.get(0)?;
        let stored: Vec<u8> = r.get(5)?;
        if seq != expected_seq {
            problems.push(format!(
                "activity entry {expected_seq} is missing (next is {seq})"
            ));
        }
        let computed = link(
            &previous,
            seq,
            r.get(1)?,
            &r.get::<_, String>(2)?,
            &r.get::<_, String>(3)?,
            &r.get::<_, String>(4)?,
        );
        if stored.as_slice() != computed.as_slice() {
            problems.push(format!("activity entry {seq} was altered"));
        }
        previous = to_hash(&stored).unwrap_or(computed);
        expected_seq = seq + 1;
    }
    Ok(problems)
}
