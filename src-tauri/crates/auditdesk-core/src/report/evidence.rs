//! The evidence manifest of a report: how many events it covered and the
//! RFC 6962 Merkle root of their content hashes in (time, id, source)
//! order. A report prints it and the vault stores it; `report verify`
//! recomputes it later from the vault to show the evidence is unchanged.

use rusqlite::{Connection, Row, params_from_iter};
use serde::Serialize;

use super::merkle;
use super::period::Period;
use crate::error::Result;
use crate::events::SLOTS_PER_MS;
use crate::search::{Query, compile};

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Manifest {
    pub count: u64,
    /// Hex SHA-256.
    pub root: String,
}

/// The manifest of the events of `period` that `scope` matches (every
/// event of the period for an empty scope).
pub fn manifest(conn: &Connection, period: &Period, scope: &Query) -> Result<Manifest> {
    scan(conn, period, scope, "", |_| Ok(()))
}

/// One pass over the covered events in time order, handing each row to
/// `each` (with `columns` selected after the four the manifest reads, so
/// from index 4) and returning the manifest. A report's listing rides on
/// this pass: the wide `events` rows are read once.
pub(crate) fn scan(
    conn: &Connection,
    period: &Period,
    scope: &Query,
    columns: &str,
    mut each: impl FnMut(&Row<'_>) -> Result<()>,
) -> Result<Manifest> {
    let c = compile::compile(&scope.expr);
    let sep = if columns.is_empty() { "" } else { ", " };
    // Rowid order is time order, with no sort in SQL (which would hold a
    // quarter's hashes in memory); ties inside a millisecond are put in
    // event id and source order below.
    let sql = format!(
        "SELECT e.occurred_at, e.event_id, s.name, e.content_hash{sep}{columns}
         FROM {} WHERE f.id >= ? AND f.id < ? AND ({}) ORDER BY f.id",
        c.from(true),
        c.cond
    );
    let mut params = vec![
        rusqlite::types::Value::Integer(
            period.start.timestamp_millis().saturating_mul(SLOTS_PER_MS),
        ),
        rusqlite::types::Value::Integer(period.end.timestamp_millis().saturating_mul(SLOTS_PER_MS)),
    ];
    params.extend(c.params);
    let mut stmt = conn.prepare(&sql)?;
    let mut rows = stmt.query(params_from_iter(params.iter()))?;
    let mut leaves = Leaves::default();
    while let Some(row) = rows.next()? {
        leaves.push(row.get(0)?, row.get(1)?, row.get(2)?, row.get(3)?);
        each(row)?;
    }
    Ok(leaves.finish())
}

/// The content hashes in manifest order — (time, event id, source) — fed
/// in rowid order, which orders by millisecond and then by arrival: each
/// millisecond's few events are sorted before they join the tree.
#[derive(Default)]
struct Leaves {
    ms: i64,
    run: Vec<(String, String, Vec<u8>)>,
    tree: merkle::Builder,
}

impl Leaves {
    fn push(&mut self, ms: i64, event_id: String, source: String, hash: Vec<u8>) {
        if ms != self.ms {
            self.flush();
            self.ms = ms;
        }
        self.run.push((event_id, source, hash));
    }

    fn flush(&mut self) {
        self.run.sort_unstable();
        for (_, _, hash) in self.run.drain(..) {
            self.tree.push(&hash);
        }
    }

    fn finish(mut self) -> Manifest {
        self.flush();
        Manifest {
            count: self.tree.count(),
            root: hex::encode(self.tree.root()),
        }
    }
}

#[cfg(test)]
mod tests {
    use chrono::{Duration, TimeZone, Utc};

    use super::*;
    use crate::domain::{Classifier, NewEvent};
    use crate::events::{EventWriter, PreparedEvent};
    use crate::search;

    fn vault() -> Connection {
        let conn = Connection::open_in_memory().unwrap();
        crate::vault::migrations::migrate(&conn).unwrap();
        search::register_functions(&conn).unwrap();
        conn
    }

    /// Writes events `i` = 0..n, one an hour from 2026-06-30T20:00Z, every
    /// third one failed; returns their content hashes in time order.
    fn fill(conn: &Connection, n: usize) -> Vec<(i64, String, Vec<u8>)> {
        let source = crate::sources::find_or_create_file_source(conn, "s").unwrap();
        let classifier = Classifier::builtin();
        let start = Utc.with_ymd_and_hms(2026, 6, 30, 20, 0, 0).unwrap();
        let mut writer = EventWriter::new(conn, source.id, &source.name).unwrap();
        for i in 0..n {
            let mut e = NewEvent::new(start + Duration::hours(i as i64), "log-search");
            e.outcome = if i % 3 == 0 { "failed" } else { "successful" }.into();
            e.body.raw = serde_json::json!({"i": i});
            let event = classifier.normalize(e, format!("id-{i:04}"));
            writer.upsert(PreparedEvent::new("s", event)).unwrap();
        }
        writer.finish().unwrap();
        let mut stmt = conn
            .prepare("SELECT occurred_at, event_id, content_hash FROM events ORDER BY occurred_at, event_id")
            .unwrap();
        stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
            .unwrap()
            .map(|r| r.unwrap())
            .collect()
    }

    #[test]
    fn covers_exactly_the_period_and_scope_in_time_order() {
        let conn = vault();
        let all = fill(&conn, 30);
        let period = Period::dates("2026-07-01", "2026-07-01").unwrap();
        let lo = period.start.timestamp_millis();
        let hi = period.end.timestamp_millis();
        let inside: Vec<Vec<u8>> = all
            .iter()
            .filter(|(at, _, _)| *at >= lo && *at < hi)
            .map(|(_, _, h)| h.clone())
            .collect();
        assert_eq!(inside.len(), 24, "one event an hour, the whole of 1 July");
        let m = manifest(&conn, &period, &search::parse("").unwrap()).unwrap();
        assert_eq!(m.count, 24);
        assert_eq!(m.root, hex::encode(merkle::root(&inside)));

        let failed = manifest(&conn, &period, &search::parse("status:failed").unwrap()).unwrap();
        assert_eq!(failed.count, 8);

        // A changed event changes the root; the count stays.
        conn.execute(
            "UPDATE events SET content_hash = zeroblob(32) WHERE event_id = 'id-0010'",
            [],
        )
        .unwrap();
        let after = manifest(&conn, &period, &search::parse("").unwrap()).unwrap();
        assert_eq!(after.count, 24);
        assert_ne!(after.root, m.root);
    }

    #[test]
    fn events_of_one_millisecond_go_in_event_id_order_whatever_their_arrival() {
        let conn = vault();
        let source = crate::sources::find_or_create_file_source(&conn, "s").unwrap();
        let classifier = Classifier::builtin();
        let at = Utc.with_ymd_and_hms(2026, 7, 2, 12, 0, 0).unwrap();
        let mut writer = EventWriter::new(&conn, source.id, &source.name).unwrap();
        // Arrival order (and so rowid order) is not id order.
        for (i, id) in ["m", "c", "x", "a"].iter().enumerate() {
            let mut e = NewEvent::new(at + Duration::hours((i == 3) as i64), "log-search");
            e.body.raw = serde_json::json!({ "id": id });
            let event = classifier.normalize(e, id.to_string());
            writer.upsert(PreparedEvent::new("s", event)).unwrap();
        }
        writer.finish().unwrap();
        let hash = |id: &str| -> Vec<u8> {
            conn.query_row(
                "SELECT content_hash FROM events WHERE event_id = ?1",
                [id],
                |r| r.get(0),
            )
            .unwrap()
        };
        let expected = merkle::root(&[hash("c"), hash("m"), hash("x"), hash("a")]);
        let period = Period::dates("2026-07-02", "2026-07-02").unwrap();
        let m = manifest(&conn, &period, &search::parse("").unwrap()).unwrap();
        assert_eq!(m.count, 4);
        assert_eq!(m.root, hex::encode(expected));
    }
}
