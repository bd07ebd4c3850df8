//! Append-only, numbered migrations embedded in the binary. All pending ones
//! run in one transaction, so a vault is always at a whole version.

use rusqlite::Connection;

use crate::error::{Error, Result};

/// (version, SQL). Never edit a shipped entry; append the next one.
pub const MIGRATIONS: &[(i64, &str)] = &[
    (1, include_str!("migrations/0001_init.sql")),
    (2, include_str!("migrations/0002_sync.sql")),
    (3, include_str!("migrations/0003_review.sql")),
    (4, include_str!("migrations/0004_event_facets.sql")),
    (5, include_str!("migrations/0005_reports.sql")),
    (6, include_str!("migrations/0006_fts_bulk.sql")),
    (7, include_str!("migrations/0007_event_key_on_facets.sql")),
    (8, include_str!("migrations/0008_one_copy_trigger.sql")),
];

pub const LATEST_VERSION: i64 = MIGRATIONS.len() as i64;

pub(crate) fn migrate(conn: &Connection) -> Result<()> {
    let current: i64 = conn.query_row("PRAGMA user_version", [], |r| r.get(0))?;
    if current > LATEST_VERSION {
        return Err(Error::Invalid(format!(
            "this vault is at schema version {current}; this AuditDesk knows up to {LATEST_VERSION}: upgrade AuditDesk"
        )));
    }
    if current == LATEST_VERSION {
        return Ok(());
    }
    conn.execute_batch("BEGIN IMMEDIATE")?;
    let applied = (|| -> Result<()> {
        for (version, sql) in MIGRATIONS.iter().filter(|(v, _)| *v > current) {
            conn.execute_batch(sql)?;
            conn.execute_batch(&format!("PRAGMA user_version = {version}"))?;
        }
        Ok(())
    })();
    match applied {
        Ok(()) => {
            conn.execute_batch("COMMIT")?;
            Ok(())
        }
        Err(e) => {
            let _ = conn.execute_batch("ROLLBACK");
            Err(e)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The first column of every row `sql` returns.
    fn column<T: rusqlite::types::FromSql>(conn: &Connection, sql: &str) -> Vec<T> {
        conn.prepare(sql)
            .unwrap()
            .query_map([], |r| r.get(0))
            .unwrap()
            .map(|r| r.unwrap())
            .collect()
    }

    /// A vault at `version`, built by the migrations as they shipped.
    fn at_version(version: i64) -> Connection {
        let conn = Connection::open_in_memory().unwrap();
        for (v, sql) in MIGRATIONS.iter().filter(|(v, _)| *v <= version) {
            conn.execute_batch(sql).unwrap();
            conn.execute_batch(&format!("PRAGMA user_version = {v}"))
                .unwrap();
        }
        conn
    }

    #[test]
    fn the_event_key_moves_to_the_facets_copy_with_the_events_already_stored() {
        let conn = at_version(6);
        conn.execute_batch(
            "INSERT INTO sources (id, name, kind, created_at) VALUES (1, 's', 'file', 0);",
        )
        .unwrap();
        for id in 1..=3_i64 {
            conn.execute(
                "INSERT INTO events (id, source_id, event_id, occurred_at, type, category,
                    severity, outcome, raw, content_hash, first_seen_at, last_changed_at,
                    event_key)
                 VALUES (?1, 1, ?2, 0, 't', 'c', 1, 'successful', '{}', x'00', 0, 0, ?3)",
                rusqlite::params![id, format!("e{id}"), id * 1000],
            )
            .unwrap();
        }
        // The event writer indexes its rows; these were written by hand.
        crate::fulltext::index_rows(&conn, 1..=3).unwrap();
        migrate(&conn).unwrap();
        let keys: Vec<(i64, i64)> = conn
            .prepare("SELECT id, event_key FROM event_facets ORDER BY id")
            .unwrap()
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
            .unwrap()
            .map(|r| r.unwrap())
            .collect();
        assert_eq!(keys, [(1, 1000), (2, 2000), (3, 3000)]);
        let indexes: Vec<String> = column(
            &conn,
            "SELECT name FROM sqlite_schema WHERE type = 'index' AND name LIKE '%key%'",
        );
        assert_eq!(indexes, ["event_facets_key"]);
        // New and changed rows carry their key into the copy.
        conn.execute_batch(
            "INSERT INTO events (id, source_id, event_id, occurred_at, type, category,
                severity, outcome, raw, content_hash, first_seen_at, last_changed_at, event_key)
             VALUES (4, 1, 'e4', 0, 't', 'c', 1, 'successful', '{}', x'00', 0, 0, 4000);
             UPDATE events SET event_key = 2222 WHERE id = 2;",
        )
        .unwrap();
        crate::fulltext::index_rows(&conn, [4]).unwrap();
        let copied: Vec<i64> = column(&conn, "SELECT event_key FROM event_facets ORDER BY id");
        assert_eq!(copied, [1000, 2222, 3000, 4000]);
        // One trigger (0008) keeps both copies.
        let who: i64 = conn
            .query_row("SELECT count(*) FROM event_who", [], |r| r.get(0))
            .unwrap();
        assert_eq!(who, 4);
        conn.execute_batch("DELETE FROM events WHERE id = 3")
            .unwrap();
        let left: (i64, i64) = conn
            .query_row(
                "SELECT (SELECT count(*) FROM event_facets), (SELECT count(*) FROM event_who)",
                [],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .unwrap();
        assert_eq!(left, (3, 3));
    }
}
