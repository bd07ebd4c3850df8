//! The dashboard's figures for a time range: totals, severities, active
//! users, categories, the busiest event types, the latest serious events
//! and a time series. When the vault's newest event is older than the
//! range (an auditor offline with last quarter's data), the range ends at
//! that event instead of now, so the dashboard shows data, not zeros.

use chrono::{DateTime, Duration, Utc};
use rusqlite::{Connection, params};
use serde::Serialize;

use crate::error::{Error, Result};
use crate::events::{EVENT_COLUMNS, SLOTS_PER_MS, millis_to_utc, read_row};
use crate::search::SearchHit;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Range {
    Last24h,
    Last7d,
    Last30d,
    /// `from` inclusive, `to` exclusive; never re-anchored.
    Custom {
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    },
}

impl Range {
    /// `24h`, `7d`, `30d`.
    pub fn parse(text: &str) -> Result<Range> {
        match text.trim().to_ascii_lowercase().as_str() {
            "24h" | "1d" | "day" => Ok(Range::Last24h),
            "7d" | "week" => Ok(Range::Last7d),
            "30d" | "month" => Ok(Range::Last30d),
            other => Err(Error::Invalid(format!(
                "unknown range {other:?} (24h, 7d, 30d, or --from/--to dates)"
            ))),
        }
    }

    fn length(self) -> Duration {
        match self {
            Range::Last24h => Duration::hours(24),
            Range::Last7d => Duration::days(7),
            Range::Last30d => Duration::days(30),
            Range::Custom { from, to } => to - from,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Count {
    pub name: String,
    pub count: u64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Bucket {
    pub start: DateTime<Utc>,
    pub count: u64,
    /// CRITICAL and ERROR events in the bucket.
    pub high: u64,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Dashboard {
    pub from: DateTime<Utc>,
    pub to: DateTime<Utc>,
    /// `now`, `newest_event` (the vault is older than the range) or `custom`.
    pub anchored_to: &'static str,
    pub total: u64,
    pub critical_error: u64,
    pub warning: u64,
    pub active_users: u64,
    /// Every category with events in the range, most first.
    pub categories: Vec<Count>,
    pub top_types: Vec<Count>,
    pub recent_high: Vec<SearchHit>,
    pub bucket_seconds: i64,
    pub series: Vec<Bucket>,
}

pub fn dashboard(conn: &Connection, range: Range, now: DateTime<Utc>) -> Result<Dashboard> {
    let (from, to, anchored_to) = match range {
        Range::Custom { from, to } => {
            if to <= from {
                return Err(Error::Invalid("the range must end after it starts".into()));
            }
            (from, to, "custom")
        }
        relative => {
            // The newest rowid is the newest event's time (ms × SLOTS_PER_MS).
            let newest: Option<i64> = conn
                .query_row("SELECT max(id) FROM event_facets", [], |r| {
                    r.get::<_, Option<i64>>(0)
                })?
                .map(|id| id.div_euclid(SLOTS_PER_MS));
            match newest.map(millis_to_utc) {
                Some(newest) if newest < now - relative.length() => {
                    let to = newest + Duration::milliseconds(1);
                    (to - relative.length(), to, "newest_event")
                }
                _ => (now - relative.length(), now, "now"),
            }
        }
    };
    let (lo, hi) = (from.timestamp_millis(), to.timestamp_millis());
    // Aggregates read the narrow `event_facets` copy (aliased `e`); rowids
    // are time, so the range is a rowid range.
    let window = "e.id >= ?1 AND e.id < ?2";
    let bounds = params![
        lo.saturating_mul(SLOTS_PER_MS),
        hi.saturating_mul(SLOTS_PER_MS)
    ];
    let (total, critical_error, warning, active_users): (i64, i64, i64, i64) = conn.query_row(
        &format!(
            "SELECT count(*), count(*) FILTER (WHERE e.severity >= 2),
                    count(*) FILTER (WHERE e.severity = 1), count(DISTINCT e.user)
             FROM event_facets AS e WHERE {window}"
        ),
        bounds,
        |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
    )?;
    let counts = |column: &str, limit: i64| -> Result<Vec<Count>> {
        let mut stmt = conn.prepare(&format!(
            "SELECT {column}, count(*) AS n FROM event_facets AS e WHERE {window}
             GROUP BY 1 ORDER BY n DESC, 1 LIMIT {limit}"
        ))?;
        let rows = stmt
            .query_map(bounds, |r| {
                Ok(Count {
                    name: r.get(0)?,
                    count: r.get::<_, i64>(1)? as u64,
                })
            })?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        Ok(rows)
    };
    let categories = counts("e.category", -1)?;
    let top_types = counts("e.type", 5)?;
    let mut stmt = conn.prepare(&format!(
        "SELECT {EVENT_COLUMNS} FROM events AS e JOIN sources AS s ON s.id = e.source_id
         WHERE {window} AND e.severity >= 2 ORDER BY e.id DESC LIMIT 5"
    ))?;
    let recent_high = stmt
        .query_map(bounds, read_row)?
        .map(|r| r.map(|(_, e)| SearchHit::from(e)))
        .collect::<rusqlite::Result<Vec<_>>>()?;

    // Hours for a day or two, else days: a chart of 24–90 bars.
    let bucket_ms: i64 = if hi - lo <= 2 * 86_400_000 {
        3_600_000
    } else {
        86_400_000
    };
    let buckets = usize::try_from((hi - lo + bucket_ms - 1) / bucket_ms).unwrap_or(0);
    let mut series: Vec<Bucket> = (0..buckets)
        .map(|i| Bucket {
            start: millis_to_utc(lo + i as i64 * bucket_ms),
            count: 0,
            high: 0,
        })
        .collect();
    let mut stmt = conn.prepare(&format!(
        "SELECT ((e.id >> 20) - ?3) / ?4, count(*), count(*) FILTER (WHERE e.severity >= 2)
         FROM event_facets AS e WHERE {window} GROUP BY 1"
    ))?;
    let mut rows = stmt.query(params![
        lo.saturating_mul(SLOTS_PER_MS),
        hi.saturating_mul(SLOTS_PER_MS),
        lo,
        bucket_ms
    ])?;
    while let Some(r) = rows.next()? {
        let i: i64 = r.get(0)?;
        if let Some(b) = usize::try_from(i).ok().and_then(|i| series.get_mut(i)) {
            b.count = r.get::<_, i64>(1)? as u64;
            b.high = r.get::<_, i64>(2)? as u64;
        }
    }
    Ok(Dashboard {
        from,
        to,
        anchored_to,
        total: total as u64,
        critical_error: critical_error as u64,
        warning: warning as u64,
        active_users: active_users as u64,
        categories,
        top_types,
        recent_high,
        bucket_seconds: bucket_ms / 1000,
        series,
    })
}
