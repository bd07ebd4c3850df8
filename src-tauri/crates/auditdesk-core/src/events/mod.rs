//! Events in the vault: reading them back, and (in `writer`) the upsert
//! that every source (file import, sync) goes through. The SQL for the
//! `events` and `event_versions` tables lives here, beside the types it
//! reads.

mod writer;

pub use writer::{EventWriter, PreparedEvent, Upsert};

use chrono::{DateTime, TimeZone, Utc};

use rusqlite::{Connection, Row, params};
use serde_json::Value;
use sha2::{Digest, Sha256};

use crate::domain::{Actor, AuditEvent, EventBody, Severity, StatusChange, StoredEvent};
use crate::error::{Error, Result};
use crate::integrity::Hash;

/// Rowids are `occurred_at_ms * SLOTS + n`: rowid order is time order, with
/// room for this many events in one millisecond.
pub const SLOTS_PER_MS: i64 = 1 << 20;

/// The indexed lookup key of an event id (see the `events` table).
pub fn event_key(event_id: &str) -> i64 {
    let digest = Sha256::digest(event_id.as_bytes());
    let mut first = [0u8; 8];
    first.copy_from_slice(&digest[..8]);
    i64::from_be_bytes(first)
}

pub(crate) fn to_hash(bytes: &[u8]) -> Result<Hash> {
    <Hash>::try_from(bytes).map_err(|_| Error::Invalid("stored hash has the wrong length".into()))
}

pub(crate) fn millis_to_utc(ms: i64) -> DateTime<Utc> {
    Utc.timestamp_millis_opt(ms)
        .single()
        .unwrap_or(DateTime::<Utc>::MIN_UTC)
}

/// The times of the first and last events held, from the rowids (time ×
/// SLOTS_PER_MS) of the narrow copy. Two subqueries, because SQLite reads
/// one end of the b-tree only for a lone `min()` or `max()`; together in
/// one SELECT they scan every row.
pub fn held_span(conn: &Connection) -> Result<Option<(DateTime<Utc>, DateTime<Utc>)>> {
    let (first, last): (Option<i64>, Option<i64>) = conn.query_row(
        "SELECT (SELECT min(id) FROM event_facets), (SELECT max(id) FROM event_facets)",
        [],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )?;
    let time = |id: i64| millis_to_utc(id.div_euclid(SLOTS_PER_MS));
    Ok(first.zip(last).map(|(f, l)| (time(f), time(l))))
}

/// The columns `read_row` expects, in order, from `events AS e JOIN sources AS s`.
pub const EVENT_COLUMNS: &str = "s.name, e.event_id, e.occurred_at, e.type, e.category, e.severity,
    e.outcome, e.user_id, e.user_email, e.user_name, e.user_role, e.ip, e.route, e.resource_type,
    e.resource_id, e.resource_name, e.action, e.description, e.request_id, e.session_id, e.stack,
    e.region, e.org_id, e.env_id, e.tags, e.details, e.raw, e.content_hash, e.first_seen_at,
    e.last_changed_at, e.id";

/// Decodes one row selected with `EVENT_COLUMNS`. Returns the rowid too.
pub fn read_row(r: &Row<'_>) -> rusqlite::Result<(i64, StoredEvent)> {
    let json = |idx: usize, text: Option<String>| -> rusqlite::Result<Option<Value>> {
        text.map(|t| {
            serde_json::from_str(&t).map_err(|e| {
                rusqlite::Error::FromSqlConversionFailure(
                    idx,
                    rusqlite::types::Type::Text,
                    e.into(),
                )
            })
        })
        .transpose()
    };
    // Decoding is strict: a value no writer could have stored is an error
    // (which `vault verify` reports), never quietly read as something else.
    let bad = |idx: usize, what: &str| {
        rusqlite::Error::FromSqlConversionFailure(
            idx,
            rusqlite::types::Type::Text,
            format!("{what} is not one AuditDesk writes").into(),
        )
    };
    let tags: Vec<String> = json(24, Some(r.get(24)?))?
        .and_then(|v| serde_json::from_value(v).ok())
        .ok_or_else(|| bad(24, "tags"))?;
    let severity = Severity::from_rank(r.get(5)?).ok_or_else(|| bad(5, "severity"))?;
    let hash: Vec<u8> = r.get(27)?;
    let event = AuditEvent {
        event_id: r.get(1)?,
        occurred_at: millis_to_utc(r.get(2)?),
        event_type: r.get(3)?,
        category: r.get(4)?,
        severity,
        outcome: r.get(6)?,
        body: EventBody {
            actor: Actor {
                user_id: r.get(7)?,
                email: r.get(8)?,
                name: r.get(9)?,
                role: r.get(10)?,
            },
            ip: r.get(11)?,
            route: r.get(12)?,
            resource_type: r.get(13)?,
            resource_id: r.get(14)?,
            resource_name: r.get(15)?,
            action: r.get(16)?,
            description: r.get(17)?,
            request_id: r.get(18)?,
            session_id: r.get(19)?,
            stack: r.get(20)?,
            region: r.get(21)?,
            org_id: r.get(22)?,
            env_id: r.get(23)?,
            tags,
            details: json(25, r.get(25)?)?,
            raw: json(26, Some(r.get(26)?))?.unwrap_or(Value::Null),
        },
    };
    Ok((
        r.get(30)?,
        StoredEvent {
            source: r.get(0)?,
            event,
            content_hash: hex::encode(hash),
            first_seen_at: millis_to_utc(r.get(28)?),
            last_changed_at: millis_to_utc(r.get(29)?),
        },
    ))
}

/// One event with everything `show` prints.
#[derive(Debug, Clone, serde::Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct EventDetail {
    #[serde(flatten)]
    pub event: StoredEvent,
    pub status_history: Vec<StatusChange>,
    pub versions: u64,
}

/// The one row for (source,) event id, read with `columns` by `read`.
fn lookup<T>(
    conn: &Connection,
    event_id: &str,
    source: Option<&str>,
    columns: &str,
    read: impl FnMut(&Row<'_>) -> rusqlite::Result<(i64, T)>,
) -> Result<(i64, T)> {
    let sql = format!(
        "SELECT {columns} FROM event_facets AS k JOIN events AS e ON e.id = k.id
         JOIN sources AS s ON s.id = e.source_id
         WHERE k.event_key = ?3 AND e.event_id = ?1 AND (?2 IS NULL OR s.name = ?2)"
    );
    let mut stmt = conn.prepare(&sql)?;
    let mut hits = stmt
        .query_map(params![event_id, source, event_key(event_id)], read)?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    match hits.len() {
        0 => Err(Error::NotFound(format!("event {event_id}"))),
        1 => Ok(hits.remove(0)),
        _ => Err(Error::Invalid(format!(
            "event id {event_id} exists in several sources; name one with --source"
        ))),
    }
}

/// The rowid of an event, for the records that point at it (bookmarks).
pub fn rowid_of(conn: &Connection, event_id: &str, source: Option<&str>) -> Result<i64> {
    Ok(lookup(conn, event_id, source, "e.id", |r| Ok((r.get(0)?, ())))?.0)
}

/// `find`, recorded in the reviewer-activity log as a view.
pub fn view(conn: &Connection, event_id: &str, source: Option<&str>) -> Result<EventDetail> {
    let detail = find(conn, event_id, source)?;
    crate::activity::record(
        conn,
        crate::activity::Action::View,
        event_id,
        serde_json::json!({"source": detail.event.source}),
    )?;
    Ok(detail)
}

/// Looks an event up by its source event id. The same id in two sources is
/// ambiguous unless `source` names one.
pub fn find(conn: &Connection, event_id: &str, source: Option<&str>) -> Result<EventDetail> {
    let (rowid, event) = lookup(conn, event_id, source, EVENT_COLUMNS, read_row)?;
    let mut stmt = conn.prepare(
        "SELECT outcome, recorded_at FROM event_versions WHERE event_rowid = ?1 ORDER BY seq",
    )?;
    let all = stmt
        .query_map([rowid], |r| {
            Ok(StatusChange {
                status: r.get(0)?,
                observed_at: millis_to_utc(r.get(1)?),
            })
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    let versions = all.len();
    // The history is the versions at which the status changed.
    let mut status_history: Vec<StatusChange> = Vec::new();
    for change in all {
        if status_history
            .last()
            .is_none_or(|last| last.status != change.status)
        {
            status_history.push(change);
        }
    }
    Ok(EventDetail {
        event,
        status_history,
        versions: versions as u64,
    })
}
