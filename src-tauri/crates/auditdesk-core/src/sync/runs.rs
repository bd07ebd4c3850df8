//! Sync runs in the vault: each run's frozen window, its page checkpoint,
//! its counts and its error. The watermark is derived from them: the stop of
//! the newest window that completed.

use chrono::{DateTime, TimeZone as _, Utc};
use rusqlite::{Connection, OptionalExtension, Row, params};
use serde::Serialize;

use crate::error::Result;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum RunStatus {
    /// Running now, or killed while running: the next sync resumes it.
    Running,
    Completed,
    /// Stopped on an error: the next sync resumes it from its checkpoint.
    Failed,
}

impl RunStatus {
    fn as_str(self) -> &'static str {
        match self {
            RunStatus::Running => "running",
            RunStatus::Completed => "completed",
            RunStatus::Failed => "failed",
        }
    }

    fn parse(text: &str) -> RunStatus {
        match text {
            "completed" => RunStatus::Completed,
            "failed" => RunStatus::Failed,
            _ => RunStatus::Running,
        }
    }
}

/// One run as recorded; also the `sync --json` shape.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct SyncRun {
    pub id: i64,
    pub source: String,
    pub status: RunStatus,
    pub started_at: DateTime<Utc>,
    pub finished_at: Option<DateTime<Utc>>,
    pub window_start: DateTime<Utc>,
    pub window_stop: DateTime<Utc>,
    /// Pages committed so far, and the one a resumed run starts at.
    pub pages: u64,
    pub next_page: u32,
    pub requests: u64,
    pub retries: u64,
    pub events: u64,
    pub new: u64,
    pub updated: u64,
    pub unchanged: u64,
    /// How many times this run was picked up again after a crash or error.
    pub resumes: u64,
    pub error: Option<String>,
}

const COLUMNS: &str = "r.id, s.name, r.status, r.started_at, r.finished_at, r.window_start,
    r.window_stop, r.pages, r.next_page, r.requests, r.retries, r.events, r.new, r.updated,
    r.unchanged, r.resumes, r.error";

fn time(ms: i64) -> DateTime<Utc> {
    Utc.timestamp_millis_opt(ms).single().unwrap_or_default()
}

fn read(r: &Row<'_>) -> rusqlite::Result<SyncRun> {
    let count = |i: usize| -> rusqlite::Result<u64> { Ok(r.get::<_, i64>(i)?.max(0) as u64) };
    Ok(SyncRun {
        id: r.get(0)?,
        source: r.get(1)?,
        status: RunStatus::parse(&r.get::<_, String>(2)?),
        started_at: time(r.get(3)?),
        finished_at: r.get::<_, Option<i64>>(4)?.map(time),
        window_start: time(r.get(5)?),
        window_stop: time(r.get(6)?),
        pages: count(7)?,
        next_page: r.get::<_, i64>(8)?.clamp(1, i64::from(u32::MAX)) as u32,
        requests: count(9)?,
        retries: count(10)?,
        events: count(11)?,
        new: count(12)?,
        updated: count(13)?,
        unchanged: count(14)?,
        resumes: count(15)?,
        error: r.get(16)?,
    })
}

pub fn get(conn: &Connection, id: i64) -> Result<SyncRun> {
    Ok(conn.query_row(
        &format!(
            "SELECT {COLUMNS} FROM sync_runs r JOIN sources s ON s.id = r.source_id WHERE r.id = ?1"
        ),
        [id],
        read,
    )?)
}

/// Newest first.
pub fn list(conn: &Connection, source_id: i64, limit: u32) -> Result<Vec<SyncRun>> {
    let mut stmt = conn.prepare(&format!(
        "SELECT {COLUMNS} FROM sync_runs r JOIN sources s ON s.id = r.source_id
         WHERE r.source_id = ?1 ORDER BY r.id DESC LIMIT ?2"
    ))?;
    let runs = stmt
        .query_map(params![source_id, limit], read)?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(runs)
}

/// The newest run, when it did not complete: the one to resume.
pub fn unfinished(conn: &Connection, source_id: i64) -> Result<Option<SyncRun>> {
    Ok(list(conn, source_id, 1)?
        .into_iter()
        .next()
        .filter(|r| r.status != RunStatus::Completed))
}

/// The stop of the newest completed window.
pub fn watermark(conn: &Connection, source_id: i64) -> Result<Option<DateTime<Utc>>> {
    let ms: Option<i64> = conn
        .query_row(
            "SELECT max(window_stop) FROM sync_runs WHERE source_id = ?1 AND status = 'completed'",
            [source_id],
            |r| r.get(0),
        )
        .optional()?
        .flatten();
    Ok(ms.map(time))
}

pub fn start(
    conn: &Connection,
    source_id: i64,
    window_start: DateTime<Utc>,
    window_stop: DateTime<Utc>,
) -> Result<i64> {
    conn.execute(
        "INSERT INTO sync_runs (source_id, status, started_at, window_start, window_stop)
         VALUES (?1, 'running', ?2, ?3, ?4)",
        params![
            source_id,
            Utc::now().timestamp_millis(),
            window_start.timestamp_millis(),
            window_stop.timestamp_millis()
        ],
    )?;
    Ok(conn.last_insert_rowid())
}

pub fn mark_resumed(conn: &Connection, id: i64) -> Result<()> {
    conn.execute(
        "UPDATE sync_runs SET status = 'running', resumes = resumes + 1, error = NULL,
            finished_at = NULL WHERE id = ?1",
        [id],
    )?;
    Ok(())
}

/// What one committed page adds to its run; written in the page's own
/// transaction, so the checkpoint and the events it covers commit together.
#[derive(Debug, Clone, Copy, Default)]
pub struct PageTally {
    pub pages: u64,
    pub events: u64,
    pub new: u64,
    pub updated: u64,
    pub unchanged: u64,
    pub requests: u64,
    pub retries: u64,
}

pub fn checkpoint(conn: &Connection, id: i64, next_page: u32, tally: &PageTally) -> Result<()> {
    conn.prepare_cached(
        "UPDATE sync_runs SET next_page = ?2, pages = pages + ?9, events = events + ?3,
            new = new + ?4, updated = updated + ?5, unchanged = unchanged + ?6,
            requests = requests + ?7, retries = retries + ?8
         WHERE id = ?1",
    )?
    .execute(params![
        id,
        next_page,
        tally.events as i64,
        tally.new as i64,
        tally.updated as i64,
        tally.unchanged as i64,
        tally.requests as i64,
        tally.retries as i64,
        tally.pages as i64,
    ])?;
    Ok(())
}

/// Requests and retries made after the last committed page (prefetches).
pub fn checkpoint_extra(conn: &Connection, id: i64, extra: &PageTally) -> Result<()> {
    conn.execute(
        "UPDATE sync_runs SET requests = requests + ?2, retries = retries + ?3 WHERE id = ?1",
        params![id, extra.requests as i64, extra.retries as i64],
    )?;
    Ok(())
}

pub fn finish(
    conn: &Connection,
    id: i64,
    status: RunStatus,
    error: Option<&str>,
    extra: &PageTally,
) -> Result<()> {
    conn.execute(
        "UPDATE sync_runs SET status = ?2, error = ?3, finished_at = ?4,
            requests = requests + ?5, retries = retries + ?6
         WHERE id = ?1",
        params![
            id,
            status.as_str(),
            error,
            Utc::now().timestamp_millis(),
            extra.requests as i64,
            extra.retries as i64,
        ],
    )?;
    Ok(())
}
