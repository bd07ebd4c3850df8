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
            let keys = sorted_keys(map);
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

/// An object's keys in canonical order (by code point). Also the order of
/// the leaves `fulltext::SearchText` renders from stored canonical JSON.
pub(crate) fn sorted_keys(map: &serde_json::Map<String, Value>) -> Vec<&String> {
    let mut keys: Vec<&String> = map.keys().collect();
    keys.sort_unstable();
    keys
}

/// A JSON string literal exactly as serde_json writes one (a unit test
/// holds the two together), without allocating.
fn push_string(s: &str, out: &mut String) {
    out.push('"');
    let mut start = 0;
    for (i, b) in s.bytes().enumerate() {
        let escape: Option<&str> = match b {
            b'"' => Some("\\\""),
            b'\\' => Some("\\\\"),
            b'\n' => Some("\\n"),
            b'\r' => Some("\\r"),
            b'\t' => Some("\\t"),
            0x08 => Some("\\b"),
            0x0c => Some("\\f"),
            0x00..=0x1f => None,
            _ => continue,
        };
        out.push_str(&s[start..i]);
        match escape {
            Some(e) => out.push_str(e),
            None => {
                let _ = write!(out, "\\u{b:04x}");
            }
        }
        start = i + 1;
    }
    out.push_str(&s[start..]);
    out.push('"');
}

pub fn canonical_string(value: &Value) -> String {
    let mut out = String::with_capacity(256);
    canonical_json(value, &mut out);
    out
}

fn push_opt(value: Option<&str>, out: &mut String) {
    match value {
        Some(s) => push_string(s, out),
        None => out.push_str("null"),
    }
}

/// The hashed form of an event version: every normalised field and the raw
/// source record, as canonical JSON (sorted keys). Vault bookkeeping (first
/// seen, rowid) is left out so the same content always hashes the same.
/// `raw` and `details` are the canonical JSON of those fields, which the
/// caller has already made for storage. Written field by field in key order
/// because this runs for every imported event; a unit test holds it equal
/// to `canonical_string` of the serialised event.
pub fn content_hash(source: &str, e: &AuditEvent, raw: &str, details: Option<&str>) -> Hash {
    let mut out = String::with_capacity(raw.len() + details.map_or(0, str::len) + 512);
    let field = |key: &str, out: &mut String| {
        if out.len() > 1 {
            out.push(',');
        }
        push_string(key, out);
        out.push(':');
    };
    out.push('{');
    field("action", &mut out);
    push_opt(e.body.action.as_deref(), &mut out);
    field("actor", &mut out);
    out.push_str("{\"email\":");
    push_opt(e.body.actor.email.as_deref(), &mut out);
    out.push_str(",\"name\":");
    push_opt(e.body.actor.name.as_deref(), &mut out);
    out.push_str(",\"role\":");
    push_opt(e.body.actor.role.as_deref(), &mut out);
    out.push_str(",\"user_id\":");
    push_opt(e.body.actor.user_id.as_deref(), &mut out);
    out.push('}');
    field("category", &mut out);
    push_string(&e.category, &mut out);
    field("description", &mut out);
    push_opt(e.body.description.as_deref(), &mut out);
    field("details", &mut out);
    out.push_str(details.unwrap_or("null"));
    field("env_id", &mut out);
    push_opt(e.body.env_id.as_deref(), &mut out);
    field("id", &mut out);
    push_string(&e.event_id, &mut out);
    field("ip", &mut out);
    push_opt(e.body.ip.as_deref(), &mut out);
    field("occurred_at", &mut out);
    push_string(
        &e.occurred_at
            .to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true),
        &mut out,
    );
    field("org_id", &mut out);
    push_opt(e.body.org_id.as_deref(), &mut out);
    field("outcome", &mut out);
    push_string(&e.outcome, &mut out);
    field("raw", &mut out);
    out.push_str(raw);
    field("region", &mut out);
    push_opt(e.body.region.as_deref(), &mut out);
    field("request_id", &mut out);
    push_opt(e.body.request_id.as_deref(), &mut out);
    field("resource_id", &mut out);
    push_opt(e.body.resource_id.as_deref(), &mut out);
    field("resource_name", &mut out);
    push_opt(e.body.resource_name.as_deref(), &mut out);
    field("resource_type", &mut out);
    push_opt(e.body.resource_type.as_deref(), &mut out);
    field("route", &mut out);
    push_opt(e.body.route.as_deref(), &mut out);
    field("session_id", &mut out);
    push_opt(e.body.session_id.as_deref(), &mut out);
    field("severity", &mut out);
    push_string(e.severity.as_str(), &mut out);
    field("source", &mut out);
    push_string(source, &mut out);
    field("stack", &mut out);
    push_opt(e.body.stack.as_deref(), &mut out);
    field("tags", &mut out);
    out.push('[');
    for (i, tag) in e.body.tags.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        push_string(tag, &mut out);
    }
    out.push(']');
    field("type", &mut out);
    push_string(&e.event_type, &mut out);
    out.push('}');
    Sha256::digest(out.as_bytes()).into()
}

/// One version as the chain sees it. The outcome and arrival time are in the
/// link so that the status history cannot be rewritten either.
#[derive(Debug, Clone, Copy)]
pub struct VersionLink<'a> {
    pub seq: i64,
    pub content: &'a Hash,
    pub outcome: &'a str,
    pub recorded_at: i64,
}

/// link(n) = SHA-256(link(n-1) ‖ seq ‖ content hash ‖ recorded_at ‖ outcome).
pub fn chain_link(previous: &Hash, v: VersionLink<'_>) -> Hash {
    let mut hasher = Sha256::new();
    hasher.update(previous);
    hasher.update(v.seq.to_be_bytes());
    hasher.update(v.content);
    hasher.update(v.recorded_at.to_be_bytes());
    hasher.update(v.outcome.as_bytes());
    hasher.finalize().into()
}

/// What `vault verify` found.
#[derive(Debug, Clone, Default, Serialize, PartialEq, Eq)]
pub struct IntegrityReport {
    pub cipher_check: Vec<String>,
    pub sqlite_check: Vec<String>,
    pub events_checked: u64,
    pub versions_checked: u64,
    /// The last link of the chain. Deleting the newest events leaves a
    /// shorter chain that is still whole, so an auditor who wants to
    /// detect that records this head and compares it later.
    pub head_seq: i64,
    pub head: String,
    pub problems: Vec<Problem>,
    /// Breaks in the reviewer-activity log's chain.
    pub activity_problems: Vec<String>,
}

#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Problem {
    pub source: String,
    pub event_id: String,
    pub what: String,
}

impl IntegrityReport {
    pub fn is_ok(&self) -> bool {
        self.cipher_check.is_empty()
            && self.sqlite_check.is_empty()
            && self.problems.is_empty()
            && self.activity_problems.is_empty()
    }
}

impl std::fmt::Display for IntegrityReport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.is_ok() {
            return write!(
                f,
                "ok: {} events, {} versions, chain intact (head: version {}, {})",
                self.events_checked, self.versions_checked, self.head_seq, self.head
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
        for line in &self.activity_problems {
            writeln!(f, "reviewer-activity log: {line}")?;
        }
        Ok(())
    }
}

/// Runs every check `vault verify` promises: SQLCipher's page HMACs,
/// SQLite's structural check, the full-text index against its content, each
/// event's content against its latest version, and the version chain.
fn lines(conn: &Connection, pragma: &str, keep: impl Fn(&str) -> bool) -> Vec<String> {
    let result = conn.prepare(pragma).and_then(|mut stmt| {
        stmt.query_map([], |r| r.get::<_, String>(0))?
            .collect::<rusqlite::Result<Vec<_>>>()
    });
    match result {
        Ok(all) => all.into_iter().filter(|l| keep(l)).collect(),
        Err(e) => vec![format!("{pragma} could not run: {e}")],
    }
}

pub fn verify(conn: &Connection) -> Result<IntegrityReport> {
    // A damaged page can make these checks fail outright; that is a finding
    // to report (exit 4), not a reason to stop verifying.
    let mut report = IntegrityReport {
        cipher_check: lines(conn, "PRAGMA cipher_integrity_check", |_| true),
        sqlite_check: lines(conn, "PRAGMA integrity_check", |l| l != "ok"),
        ..IntegrityReport::default()
    };
    if let Err(e) =
        conn.execute_batch("INSERT INTO events_fts(events_fts) VALUES('integrity-check')")
    {
        report.sqlite_check.push(format!("full-text index: {e}"));
    }
    let (missing, strays) = crate::fulltext::findings(conn)?;
    report.problems.extend(missing);
    report.sqlite_check.extend(strays);
    let orphans = conn
        .prepare("PRAGMA foreign_key_check")
        .and_then(|mut stmt| {
            stmt.query_map([], |r| {
                Ok(format!(
                    "{} row {} has no parent",
                    r.get::<_, String>(0)?,
                    r.get::<_, i64>(1)?
                ))
            })?
            .collect::<rusqlite::Result<Vec<_>>>()
        })
        .unwrap_or_else(|e| vec![format!("foreign key check failed: {e}")]);
    report.sqlite_check.extend(orphans);

    // The narrow search copy must say what the events say, or counts and
    // facets would quietly disagree with the rows they summarise.
    let drift: i64 = conn.query_row(
        "SELECT (SELECT count(*) FROM events AS e LEFT JOIN event_facets AS f ON f.id = e.id
                 WHERE f.id IS NULL OR f.source_id IS NOT e.source_id OR f.type IS NOT e.type
                    OR f.category IS NOT e.category OR f.severity IS NOT e.severity
                    OR f.outcome IS NOT e.outcome OR f.event_key IS NOT e.event_key
                    OR f.user IS NOT coalesce(e.user_email, e.user_name, e.user_id))
              + (SELECT count(*) FROM event_facets AS f
                 WHERE NOT EXISTS (SELECT 1 FROM events AS e WHERE e.id = f.id))
              + (SELECT count(*) FROM events AS e LEFT JOIN event_who AS w ON w.id = e.id
                 WHERE w.id IS NULL OR w.user_id IS NOT e.user_id
                    OR w.user_email IS NOT e.user_email OR w.user_name IS NOT e.user_name
                    OR w.ip IS NOT e.ip OR w.route IS NOT e.route
                    OR w.resource_type IS NOT e.resource_type OR w.resource_id IS NOT e.resource_id
                    OR w.resource_name IS NOT e.resource_name OR w.org_id IS NOT e.org_id
                    OR w.env_id IS NOT e.env_id OR w.tags IS NOT e.tags)
              + (SELECT count(*) FROM event_who AS w
                 WHERE NOT EXISTS (SELECT 1 FROM events AS e WHERE e.id = w.id))",
        [],
        |r| r.get(0),
    )?;
    if drift > 0 {
        report.sqlite_check.push(format!(
            "search copies (event_facets, event_who): {drift} rows disagree with the events"
        ));
    }

    // (source, event id) is unique by the writer's upsert; a duplicate means
    // rows were added behind its back.
    let mut stmt = conn.prepare(
        "SELECT s.name, e.event_id FROM events AS e JOIN sources AS s ON s.id = e.source_id
         GROUP BY e.event_key, e.source_id, e.event_id HAVING count(*) > 1",
    )?;
    let duplicates = stmt
        .query_map([], |r| {
            Ok(Problem {
                source: r.get(0)?,
                event_id: r.get(1)?,
                what: "stored more than once".into(),
            })
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    report.problems.extend(duplicates);

    // Content: recompute each event's hash from what the row says now.
    let sql = format!(
        "SELECT {EVENT_COLUMNS},
            (SELECT v.content_hash FROM event_versions AS v WHERE v.event_rowid = e.id
              ORDER BY v.seq DESC LIMIT 1),
            e.event_key
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
        // Hash the stored text itself: it is exactly what was hashed when
        // the version was written.
        let raw: String = row.get(26)?;
        let details: Option<String> = row.get(25)?;
        let actual = hex::encode(content_hash(
            &stored.source,
            &stored.event,
            &raw,
            details.as_deref(),
        ));
        let latest: Option<Vec<u8>> = row.get(31)?;
        let mut what = Vec::new();
        if row.get::<_, i64>(32)? != crate::events::event_key(&stored.event.event_id) {
            what.push("lookup key does not match the event id (altered)".to_string());
        }
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
        "SELECT v.seq, v.content_hash, v.chain_hash, e.event_id, s.name, v.outcome, v.recorded_at
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
        let event_id: Option<String> = row.get(3)?;
        let source: Option<String> = row.get(4)?;
        let outcome: String = row.get(5)?;
        let recorded_at: i64 = row.get(6)?;
        let named = |what: String| Problem {
            source: source.clone().unwrap_or_else(|| "?".into()),
            event_id: event_id.clone().unwrap_or_else(|| "(deleted event)".into()),
            what,
        };
        let (content, stored) = match (
            to_hash(&row.get::<_, Vec<u8>>(1)?),
            to_hash(&row.get::<_, Vec<u8>>(2)?),
        ) {
            (Ok(c), Ok(s)) => (c, s),
            _ => {
                report.problems.push(named(format!(
                    "version {seq} has a malformed hash (altered)"
                )));
                expected_seq = seq + 1;
                continue;
            }
        };
        if seq != expected_seq {
            // The versions in between are gone, and with them the link this
            // one was made from: report the gap, not this innocent version.
            report.problems.push(Problem {
                source: "?".into(),
                event_id: "(deleted event)".into(),
                what: format!(
                    "versions {}..={} are missing (deleted)",
                    expected_seq,
                    seq - 1
                ),
            });
        } else {
            let link = VersionLink {
                seq,
                content: &content,
                outcome: &outcome,
                recorded_at,
            };
            if chain_link(&previous, link) != stored {
                report.problems.push(named(format!(
                    "version {seq} breaks the hash chain (history rewritten)"
                )));
            }
        }
        report.head_seq = seq;
        report.head = hex::encode(stored);
        // Continue from the stored link so one break is reported once.
        previous = stored;
        expected_seq = seq + 1;
    }
    report.activity_problems = crate::activity::verify(conn)?;
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
    fn strings_escape_exactly_as_serde_json_does() {
        let cases = [
            "plain",
            "quote \" back \\ slash",
            "tab\tnl\ncr\r",
            "\u{0}\u{1f}\u{7f}\u{8}\u{c}",
            "Łukasz 李雷 🙂",
            "",
        ];
        for c in cases {
            let mut ours = String::new();
            push_string(c, &mut ours);
            assert_eq!(ours, serde_json::to_string(c).unwrap(), "{c:?}");
        }
    }

    #[test]
    fn streamed_content_hash_equals_hash_of_the_serialised_event() {
        use crate::domain::{Actor, AuditEvent, EventBody, Severity};
        use chrono::TimeZone;
        let mut event = AuditEvent {
            event_id: "e\"1".into(),
            occurred_at: chrono::Utc.timestamp_millis_opt(1_780_000_000_123).unwrap(),
            event_type: "log-search".into(),
            category: "DATA_ACCESS".into(),
            severity: Severity::Warning,
            outcome: "failed".into(),
            body: EventBody {
                actor: Actor {
                    user_id: Some("7".into()),
                    email: None,
                    name: Some("Łukasz\n".into()),
                    role: None,
                },
                ip: Some("10.0.0.1".into()),
                route: None,
                resource_type: Some("x".into()),
                resource_id: None,
                resource_name: None,
                action: Some("view".into()),
                description: Some("a \"b\"".into()),
                request_id: None,
                session_id: Some("s".into()),
                stack: None,
                region: Some("eu".into()),
                org_id: None,
                env_id: Some("prod".into()),
                tags: vec!["SOX".into(), "PCI DSS".into()],
                details: Some(json!({"z": 1, "a": [true, null, 1.5]})),
                raw: json!({"b": "x", "a": {"d": 1, "c": null}}),
            },
        };
        for round in 0..2 {
            let mut doc = serde_json::Map::new();
            doc.insert("source".into(), json!("src"));
            if let Value::Object(fields) = serde_json::to_value(&event).unwrap() {
                doc.extend(fields);
            }
            let oracle: Hash =
                Sha256::digest(canonical_string(&Value::Object(doc)).as_bytes()).into();
            let raw = canonical_string(&event.body.raw);
            let details = event.body.details.as_ref().map(canonical_string);
            assert_eq!(
                content_hash("src", &event, &raw, details.as_deref()),
                oracle,
                "round {round}"
            );
            // And with the optional fields absent and whole seconds.
            event.body.details = None;
            event.body.tags.clear();
            event.body.actor = Actor::default();
            event.occurred_at = chrono::Utc.timestamp_opt(1_780_000_000, 0).unwrap();
        }
    }

    #[test]
    fn chain_depends_on_order() {
        let a = [1u8; 32];
        let b = [2u8; 32];
        let v = |seq, content| VersionLink {
            seq,
            content,
            outcome: "successful",
            recorded_at: 0,
        };
        let ab = chain_link(&chain_link(&GENESIS, v(1, &a)), v(2, &b));
        let ba = chain_link(&chain_link(&GENESIS, v(1, &b)), v(2, &a));
        assert_ne!(ab, ba);
        let failed = VersionLink {
            outcome: "failed",
            ..v(1, &a)
        };
        assert_ne!(chain_link(&GENESIS, v(1, &a)), chain_link(&GENESIS, failed));
    }
}
