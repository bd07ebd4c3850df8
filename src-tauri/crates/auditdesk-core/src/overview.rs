//! What a vault holds, in one read: the figures `vault info` and the demo
//! print.

use rusqlite::Connection;
use serde::Serialize;

use crate::domain::Severity;
use crate::error::Result;
use crate::events::millis_to_utc;

#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Overview {
    pub events: u64,
    pub versions: u64,
    pub imports: u64,
    pub first_event_at: Option<String>,
    pub last_event_at: Option<String>,
    pub by_source: Vec<(String, u64)>,
    pub by_category: Vec<(String, u64)>,
    pub by_severity: Vec<(String, u64)>,
    pub by_outcome: Vec<(String, u64)>,
    pub schema_version: i64,
}

fn grouped(conn: &Connection, sql: &str) -> Result<Vec<(String, u64)>> {
    let mut stmt = conn.prepare(sql)?;
    let rows = stmt
        .query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?)))?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(rows
        .into_iter()
        .map(|(k, n)| (k, u64::try_from(n).unwrap_or(0)))
        .collect())
}

fn scalar(conn: &Connection, sql: &str) -> Result<u64> {
    let n: i64 = conn.query_row(sql, [], |r| r.get(0))?;
    Ok(u64::try_from(n).unwrap_or(0))
}

pub fn overview(conn: &Connection) -> Result<Overview> {
    let (first, last): (Option<i64>, Option<i64>) = conn.query_row(
        "SELECT min(occurred_at), max(occurred_at) FROM events",
        [],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )?;
    let fmt = |ms: i64| millis_to_utc(ms).to_rfc3339_opts(chrono::SecondsFormat::Millis, true);
    let mut stmt = conn.prepare(
        "SELECT severity, count(*) FROM events GROUP BY severity ORDER BY severity DESC",
    )?;
    let by_severity = stmt
        .query_map([], |r| Ok((r.get::<_, i64>(0)?, r.get::<_, i64>(1)?)))?
        .collect::<rusqlite::Result<Vec<_>>>()?
        .into_iter()
        .map(|(rank, n)| {
            let name = Severity::from_rank(rank)
                .map(|s| s.as_str().to_string())
                .unwrap_or_else(|| rank.to_string());
            (name, u64::try_from(n).unwrap_or(0))
        })
        .collect();
    Ok(Overview {
        events: scalar(conn, "SELECT count(*) FROM events")?,
        versions: scalar(conn, "SELECT count(*) FROM event_versions")?,
        imports: scalar(conn, "SELECT count(*) FROM imports")?,
        first_event_at: first.map(fmt),
        last_event_at: last.map(fmt),
        by_source: grouped(
            conn,
            "SELECT s.name, count(e.id) FROM sources AS s LEFT JOIN events AS e ON e.source_id = s.id
             GROUP BY s.id ORDER BY s.name",
        )?,
        by_category: grouped(
            conn,
            "SELECT category, count(*) FROM events GROUP BY category ORDER BY count(*) DESC, category",
        )?,
        by_severity,
        by_outcome: grouped(
            conn,
            "SELECT outcome, count(*) FROM events GROUP BY outcome ORDER BY count(*) DESC, outcome",
        )?,
        schema_version: conn.query_row("PRAGMA user_version", [], |r| r.get(0))?,
    })
}
