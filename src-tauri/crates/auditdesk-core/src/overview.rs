//! What a vault holds, in one read: the figures `vault info` and the demo
//! print.

use rusqlite::Connection;
use serde::Serialize;

use crate::domain::Severity;
use crate::error::Result;
use chrono::{DateTime, Utc};

use crate::events::held_span;

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

/// How many events the vault holds: what the app shows at every unlock.
/// One count over the narrow copy's smallest index (~25 ms at a million
/// events); the full `overview` groups every row four ways (1.6–2.1 s).
pub fn events_held(conn: &Connection) -> Result<u64> {
    scalar(conn, "SELECT count(*) FROM event_facets")
}

pub fn overview(conn: &Connection) -> Result<Overview> {
    // Everything is read from the narrow `event_facets` copy: grouping the
    // wide rows decrypted the whole vault.
    let span = held_span(conn)?;
    let fmt = |t: DateTime<Utc>| t.to_rfc3339_opts(chrono::SecondsFormat::Millis, true);
    let mut stmt = conn.prepare(
        "SELECT severity, count(*) FROM event_facets GROUP BY severity ORDER BY severity DESC",
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
        events: events_held(conn)?,
        versions: scalar(conn, "SELECT count(*) FROM event_versions")?,
        imports: scalar(conn, "SELECT count(*) FROM imports")?,
        first_event_at: span.map(|(first, _)| fmt(first)),
        last_event_at: span.map(|(_, last)| fmt(last)),
        by_source: grouped(
            conn,
            // Counted first, then joined: `event_facets` has no index on
            // source_id, and a join would build one over every row.
            "SELECT s.name, coalesce(c.n, 0) FROM sources AS s
             LEFT JOIN (SELECT source_id, count(*) AS n FROM event_facets GROUP BY source_id) AS c
               ON c.source_id = s.id
             ORDER BY s.name",
        )?,
        by_category: grouped(
            conn,
            "SELECT category, count(*) FROM event_facets GROUP BY category ORDER BY count(*) DESC, category",
        )?,
        by_severity,
        by_outcome: grouped(
            conn,
            "SELECT outcome, count(*) FROM event_facets GROUP BY outcome ORDER BY count(*) DESC, outcome",
        )?,
        schema_version: conn.query_row("PRAGMA user_version", [], |r| r.get(0))?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Vault;
    use crate::events::millis_to_utc;
    use crate::sources::import::{ImportOptions, import_file};

    /// The figures read from the narrow copy are the wide table's.
    #[test]
    fn figures_match_the_events_table() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("e.ndjson");
        let types = [
            "log-search",
            "auth-login",
            "config-update",
            "patient-search",
        ];
        let text: String = (0..500)
            .map(|i| {
                format!(
                    "{{\"id\":\"o{i}\",\"createdAt\":\"2026-0{}-1{}T0{}:00:00.{:03}Z\",\"type\":\"{}\"}}\n",
                    1 + i % 5,
                    i % 10,
                    i % 10,
                    i,
                    types[i % types.len()]
                )
            })
            .collect();
        std::fs::write(&file, text).unwrap();
        let mut vault = Vault::init(&dir.path().join("v"), "overview passphrase").unwrap();
        import_file(&mut vault, &file, &ImportOptions::default()).unwrap();
        let conn = vault.conn();
        let o = overview(conn).unwrap();

        let (first, last): (i64, i64) = conn
            .query_row(
                "SELECT min(occurred_at), max(occurred_at) FROM events",
                [],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .unwrap();
        let fmt = |ms| millis_to_utc(ms).to_rfc3339_opts(chrono::SecondsFormat::Millis, true);
        assert_eq!(o.events, 500);
        assert_eq!(events_held(conn).unwrap(), 500);
        assert_eq!(o.first_event_at, Some(fmt(first)));
        assert_eq!(o.last_event_at, Some(fmt(last)));
        assert_eq!(
            o.first_event_at.as_deref(),
            Some("2026-01-10T00:00:00.000Z")
        );
        let wide = |column: &str| {
            grouped(
                conn,
                &format!(
                    "SELECT {column}, count(*) FROM events GROUP BY 1 ORDER BY count(*) DESC, 1"
                ),
            )
            .unwrap()
        };
        assert_eq!(o.by_category, wide("category"));
        assert_eq!(o.by_outcome, wide("outcome"));
        assert!(o.by_category.len() > 1, "{:?}", o.by_category);
        let severities: Vec<(i64, i64)> = o
            .by_severity
            .iter()
            .map(|(name, n)| (Severity::parse(name).unwrap().rank(), *n as i64))
            .collect();
        let mut stmt = conn
            .prepare("SELECT severity, count(*) FROM events GROUP BY 1 ORDER BY 1 DESC")
            .unwrap();
        let wide_severities: Vec<(i64, i64)> = stmt
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
            .unwrap()
            .map(|r| r.unwrap())
            .collect();
        assert_eq!(severities, wide_severities);
        assert_eq!(
            o.by_source,
            grouped(
                conn,
                "SELECT s.name, count(e.id) FROM sources AS s
                 LEFT JOIN events AS e ON e.source_id = s.id GROUP BY s.id ORDER BY s.name"
            )
            .unwrap()
        );
    }
}
