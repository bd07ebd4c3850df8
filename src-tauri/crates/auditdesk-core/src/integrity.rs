//! Tamper evidence. Each stored version of an event gets a SHA-256 over its
//! canonical JSON; versions are chained in arrival order so that removing,
//! reordering or rewriting one breaks every link after it.

use std::fmt::Write as _;

use serde::Serialize;
use serde_json::Value;
use sha2::{Digest, Sha256};

use rusqlite::Connection;

use crate::domain::AuditEvent;
use crate::error::Result;
use crate::events::{EVENT_COLUMNS, read_row, to_hash};

pub type Hash = [u8; 32];

/// The chain's anchor: the link before the first version.
pub const GENESIS: Hash = [0u8; 32];

/// Canonical JSON: object keys sorted by code point, no insignificant
/// whitespace, strings escaped as serde_json escapes them. Written by hand so
/// the hash cannot change if some crate in the build enables serde_json's
/// `preserve_order`.
pub fn canonical_json(value: &Value, out: &mut String) {
    match value {
        Value::Null => out.push_str("null"),
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Number(n) => {
            let _ = write!(out, "{n}");
        }
        Value::String(s) => push_string(s, out),
        Value::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                canonical_json(item, out);
            }
            out.push(']');
        }
        Value::Object(map) => {
            let mut keys: Vec<&String> = map.keys().collect();
            keys.sort_unstable();
            out.push('{');
            for (i, key) in keys.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                push_string(key, out);
                out.push(':');
                canonical_json(&map[key.as_str()], out);
            }
            out.push('}');
        }
    }
}

fn push_string(s: &str, out: &mut String) {
    // serde_json's string escaping is deterministic; reuse it.
    match serde_json::to_string(s) {
        Ok(quoted) => out.push_str(&quoted),
        Err(_) => out.push_str("\"\""),
    }
}

pub fn canonical_string(value: &Value) -> String {
    let mut out = String::with_capacity(256);
    canonical_json(value, &mut out);
    out
}

/// The hashed form of an event version: every normalised field and the raw
/// source record. Vault bookkeeping (first seen, rowid) is left out so the
/// same content always hashes the same.
pub fn content_hash(source: &str, event: &AuditEvent) -> Hash {
    let mut doc = serde_json::Map::new();
    doc.insert("source".into(), Value::String(source.to_string()));
    if let Ok(Value::Object(fields)) = serde_json::to_value(event) {
        doc.extend(fields);
    }
    let mut hasher = Sha256::new();
    hasher.update(canonical_string(&Value::Object(doc)).as_bytes());
    hasher.finalize().into()
}

/// link(n) = SHA-256(link(n-1) ‖ seq ‖ content hash).
pub fn chain_link(previous: &Hash, seq: i64, content: &Hash) -> Hash {
    let mut hasher = Sha256::new();
    hasher.update(previous);
    hasher.update(seq.to_be_bytes());
    hasher.update(content);
    hasher.finalize().into()
}

/// What `vault verify` found.
#[derive(Debug, Clone, Default, Serialize, PartialEq, Eq)]
pub struct IntegrityReport {
    pub cipher_check: Vec<String>,
    pub sqlite_check: Vec<String>,
    pub events_checked: u64,
    pub versions_checked: u64,
    pub problems: Vec<Problem>,
}

#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Problem {
    pub source: String,
    pub event_id: String,
    pub what: String,
}

impl IntegrityReport {
    pub fn is_ok(&self) -> bool {
        self.cipher_check.is_empty() && self.sqlite_check.is_empty() && self.problems.is_empty()
    }
}

impl std::fmt::Display for IntegrityReport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.is_ok() {
            return write!(
                f,
                "ok: {} events, {} versions, chain intact",
                self.events_checked, self.versions_checked
            );
        }
        for line in &self.cipher_check {
            writeln!(f, "cipher_integrity_check: {line}")?;
        }
        for line in &self.sqlite_check {
            writeln!(f, "integrity_check: {line}")?;
        }
        for p in &self.problems {
            writeln!(f, "event {} (source {}): {}", p.event_id, p.source, p.what)?;
        }
        Ok(())
    }
}

/// Runs every check `vault verify` promises: SQLCipher's page HMACs,
/// SQLite's structural check, the full-text index against its content, each
/// event's content against its latest version, and the version chain.
pub fn verify(conn: &Connection) -> Result<IntegrityReport> {
    let mut report = IntegrityReport::default();
    let mut stmt = conn.prepare("PRAGMA cipher_integrity_check")?;
    report.cipher_check = stmt
        .query_map([], |r| r.get::<_, String>(0))?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    let mut stmt = conn.prepare("PRAGMA integrity_check")?;
    report.sqlite_check = stmt
        .query_map([], |r| r.get::<_, String>(0))?
        .filter(|line| !matches!(line.as_deref(), Ok("ok")))
        .collect::<rusqlite::Result<Vec<_>>>()?;
    if let Err(e) =
        conn.execute_batch("INSERT INTO events_fts(events_fts) VALUES('integrity-check')")
    {
        report.sqlite_check.push(format!("full-text index: {e}"));
    }
    let mut stmt = conn.prepare("PRAGMA foreign_key_check")?;
    let orphans = stmt
        .query_map([], |r| {
            Ok(format!(
                "{} row {} has no parent",
                r.get::<_, String>(0)?,
                r.get::<_, i64>(1)?
            ))
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    report.sqlite_check.extend(orphans);

    // Content: recompute each event's hash from what the row says now.
    let sql = format!(
        "SELECT {EVENT_COLUMNS},
            (SELECT v.content_hash FROM event_versions AS v WHERE v.event_rowid = e.id
              ORDER BY v.seq DESC LIMIT 1)
         FROM events AS e JOIN sources AS s ON s.id = e.source_id ORDER BY e.id"
    );
    let mut stmt = conn.prepare(&sql)?;
    let mut rows = stmt.query([])?;
    while let Some(row) = rows.next()? {
        report.events_checked += 1;
        let (_, stored) = match read_row(row) {
            Ok(decoded) => decoded,
            Err(e) => {
                report.problems.push(Problem {
                    source: row.get(0)?,
                    event_id: row.get(1)?,
                    what: format!("row cannot be decoded: {e}"),
                });
                continue;
            }
        };
        let actual = hex::encode(content_hash(&stored.source, &stored.event));
        let latest: Option<Vec<u8>> = row.get(31)?;
        let mut what = Vec::new();
        if actual != stored.content_hash {
            what.push("content does not match its stored hash (altered)".to_string());
        }
        match latest {
            None => what.push("has no recorded version".into()),
            Some(v) if hex::encode(&v) != actual => {
                what.push("content does not match its latest chained version".into())
            }
            Some(_) => {}
        }
        if !what.is_empty() {
            report.problems.push(Problem {
                source: stored.source,
                event_id: stored.event.event_id,
                what: what.join("; "),
            });
        }
    }

    // Chain: every link recomputed in arrival order.
    let mut stmt = conn.prepare(
        "SELECT v.seq, v.content_hash, v.chain_hash, e.event_id, s.name
         FROM event_versions AS v
         LEFT JOIN events AS e ON e.id = v.event_rowid
         LEFT JOIN sources AS s ON s.id = e.source_id
         ORDER BY v.seq",
    )?;
    let mut rows = stmt.query([])?;
    let mut previous = GENESIS;
    let mut expected_seq = 1;
    while let Some(row) = rows.next()? {
        report.versions_checked += 1;
        let seq: i64 = row.get(0)?;
        let content = to_hash(&row.get::<_, Vec<u8>>(1)?)?;
        let stored = to_hash(&row.get::<_, Vec<u8>>(2)?)?;
        let event_id: Option<String> = row.get(3)?;
        let source: Option<String> = row.get(4)?;
        let mut what = Vec::new();
        if seq != expected_seq {
            what.push(format!(
                "version chain skips from {} to {seq} (versions removed)",
                expected_seq - 1
            ));
        }
        if chain_link(&previous, seq, &content) != stored {
            what.push(format!(
                "version {seq} breaks the hash chain (history rewritten)"
            ));
        }
        if !what.is_empty() {
            report.problems.push(Problem {
                source: source.unwrap_or_else(|| "?".into()),
                event_id: event_id.unwrap_or_else(|| "(deleted event)".into()),
                what: what.join("; "),
            });
        }
        // Continue from the stored link so one break is reported once.
        previous = stored;
        expected_seq = seq + 1;
    }
    Ok(report)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn canonical_json_sorts_keys_at_every_level() {
        let v = json!({"b": 1, "a": {"d": [true, null], "c": "x\"y"}});
        assert_eq!(
            canonical_string(&v),
            r#"{"a":{"c":"x\"y","d":[true,null]},"b":1}"#
        );
    }

    #[test]
    fn chain_depends_on_order() {
        let a = [1u8; 32];
        let b = [2u8; 32];
        let ab = chain_link(&chain_link(&GENESIS, 1, &a), 2, &b);
        let ba = chain_link(&chain_link(&GENESIS, 1, &b), 2, &a);
        assert_ne!(ab, ba);
    }
}
