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
