//! Reports kept in the vault: their arguments, lifecycle (pending →
//! generating → completed | failed), evidence manifest, PDF and its
//! SHA-256. The SQL for the `reports` table lives here.

use std::io::Write as _;

use chrono::{DateTime, Utc};
use rusqlite::{Connection, OptionalExtension, params};
use serde::Serialize;

use super::evidence::Manifest;
use super::period::Period;
use crate::error::{Error, Result};
use crate::events::millis_to_utc;

#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct StoredReport {
    pub id: i64,
    pub name: String,
    #[serde(rename = "type")]
    pub report_type: String,
    pub period_start: DateTime<Utc>,
    pub period_end: DateTime<Utc>,
    pub scope: String,
    pub as_of: DateTime<Utc>,
    pub status: String,
    pub progress: f64,
    pub error: Option<String>,
    pub created_at: DateTime<Utc>,
    pub finished_at: Option<DateTime<Utc>>,
    pub events: Option<u64>,
    pub merkle_root: Option<String>,
    pub pages: Option<u64>,
    pub pdf_sha256: Option<String>,
}

impl StoredReport {
    pub fn period(&self) -> Period {
        Period {
            start: self.period_start,
            end: self.period_end,
        }
    }
}

const COLUMNS: &str = "id, name, type, period_start, period_end, scope, as_of, status, progress,
    error, created_at, finished_at, events, merkle_root, pages, pdf_sha256";

fn read(r: &rusqlite::Row<'_>) -> rusqlite::Result<StoredReport> {
    Ok(StoredReport {
        id: r.get(0)?,
        name: r.get(1)?,
        report_type: r.get(2)?,
        period_start: millis_to_utc(r.get(3)?),
        period_end: millis_to_utc(r.get(4)?),
        scope: r.get(5)?,
        as_of: millis_to_utc(r.get(6)?),
        status: r.get(7)?,
        progress: r.get(8)?,
        error: r.get(9)?,
        created_at: millis_to_utc(r.get(10)?),
        finished_at: r.get::<_, Option<i64>>(11)?.map(millis_to_utc),
        events: r.get::<_, Option<i64>>(12)?.map(|n| n as u64),
        merkle_root: r.get(13)?,
        pages: r.get::<_, Option<i64>>(14)?.map(|n| n as u64),
        pdf_sha256: r.get(15)?,
    })
}

pub(crate) fn create(
    conn: &Connection,
    name: &str,
    report_type: &str,
    period: &Period,
    scope: &str,
    as_of: DateTime<Utc>,
) -> Result<i64> {
    conn.execute(
        "INSERT INTO reports (name, type, period_start, period_end, scope, as_of, status, created_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, 'pending', ?7)",
        params![
            name,
            report_type,
            period.start.timestamp_millis(),
            period.end.timestamp_millis(),
            scope,
            as_of.timestamp_millis(),
            Utc::now().timestamp_millis()
        ],
    )?;
    Ok(conn.last_insert_rowid())
}

pub(crate) fn progress(conn: &Connection, id: i64, status: &str, progress: f64) -> Result<()> {
    conn.execute(
        "UPDATE reports SET status = ?2, progress = ?3 WHERE id = ?1",
        params![id, status, progress],
    )?;
    Ok(())
}

pub(crate) fn complete(
    conn: &Connection,
    id: i64,
    manifest: &Manifest,
    pages: u64,
    sha256: &str,
    pdf: &[u8],
) -> Result<()> {
    // The PDF goes in through incremental blob I/O: bound as a parameter,
    // SQLite would first copy all of it (tens of MiB with an attachment).
    conn.execute_batch("SAVEPOINT report_complete")?;
    let written = (|| -> Result<()> {
        conn.execute(
            "UPDATE reports SET status = 'completed', progress = 1, finished_at = ?2, events = ?3,
                merkle_root = ?4, pages = ?5, pdf_sha256 = ?6, pdf = zeroblob(?7), error = NULL
             WHERE id = ?1",
            params![
                id,
                Utc::now().timestamp_millis(),
                manifest.count as i64,
                manifest.root,
                pages as i64,
                sha256,
                pdf.len() as i64
            ],
        )?;
        let mut blob = conn.blob_open(rusqlite::MAIN_DB, "reports", "pdf", id, false)?;
        blob.write_all(pdf)
            .map_err(|e| Error::Invalid(format!("storing the report PDF in the vault: {e}")))?;
        Ok(())
    })();
    match written {
        Ok(()) => conn.execute_batch("RELEASE report_complete")?,
        Err(e) => {
            conn.execute_batch("ROLLBACK TO report_complete; RELEASE report_complete")?;
            return Err(e);
        }
    }
    Ok(())
}

pub(crate) fn fail(conn: &Connection, id: i64, error: &str) -> Result<()> {
    conn.execute(
        "UPDATE reports SET status = 'failed', finished_at = ?2, error = ?3 WHERE id = ?1",
        params![id, Utc::now().timestamp_millis(), error],
    )?;
    Ok(())
}

/// Every report, newest first.
pub fn list(conn: &Connection) -> Result<Vec<StoredReport>> {
    let mut stmt = conn.prepare(&format!("SELECT {COLUMNS} FROM reports ORDER BY id DESC"))?;
    let rows = stmt
        .query_map([], read)?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(rows)
}

pub fn get(conn: &Connection, id: i64) -> Result<StoredReport> {
    conn.query_row(
        &format!("SELECT {COLUMNS} FROM reports WHERE id = ?1"),
        [id],
        read,
    )
    .optional()?
    .ok_or_else(|| Error::NotFound(format!("report {id}")))
}

/// The report whose PDF has this SHA-256, if the vault made it.
pub fn by_sha256(conn: &Connection, sha256: &str) -> Result<Option<StoredReport>> {
    Ok(conn
        .query_row(
            &format!("SELECT {COLUMNS} FROM reports WHERE pdf_sha256 = ?1 ORDER BY id LIMIT 1"),
            [sha256],
            read,
        )
        .optional()?)
}

/// The stored PDF of a completed report.
pub fn pdf(conn: &Connection, id: i64) -> Result<Vec<u8>> {
    conn.query_row("SELECT pdf FROM reports WHERE id = ?1", [id], |r| {
        r.get::<_, Option<Vec<u8>>>(0)
    })
    .optional()?
    .flatten()
    .ok_or_else(|| Error::NotFound(format!("a PDF for report {id}")))
}

/// Deletes the reports named, all or none: an unknown id deletes nothing.
pub fn delete(conn: &Connection, ids: &[i64]) -> Result<u64> {
    crate::vault::in_tx(conn, || {
        let mut n = 0;
        for id in ids {
            let deleted = conn.execute("DELETE FROM reports WHERE id = ?1", [id])?;
            if deleted == 0 {
                return Err(Error::NotFound(format!("report {id}")));
            }
            n += deleted as u64;
        }
        Ok(n)
    })
}
