//! Events in the vault: the upsert that every source (file import, sync)
//! goes through, and reading events back. The SQL for the `events`,
//! `event_versions` and `event_status_history` tables lives here, beside the
//! types it reads.

use chrono::{DateTime, TimeZone, Utc};
use rusqlite::{Connection, OptionalExtension, Row, params};
use serde_json::Value;

use crate::domain::{Actor, AuditEvent, Severity, StatusChange, StoredEvent};
use crate::error::{Error, Result};
use crate::integrity::{self, Hash};

/// Rowids are `occurred_at_ms * SLOTS + n`: rowid order is time order, with
/// room for this many events in one millisecond.
pub const SLOTS_PER_MS: i64 = 1 << 20;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Upsert {
    New,
    Updated,
    Unchanged,
}

/// Writes events of one source inside a caller's transaction, extending the
/// version chain. Create one per transaction: it caches the chain head.
pub struct EventWriter<'c> {
    conn: &'c Connection,
    source_id: i64,
    source_name: String,
    last_seq: i64,
    last_link: Hash,
    now_ms: i64,
}

impl<'c> EventWriter<'c> {
    pub fn new(conn: &'c Connection, source_id: i64, source_name: &str) -> Result<Self> {
        let head: Option<(i64, Vec<u8>)> = conn
            .query_row(
                "SELECT seq, chain_hash FROM event_versions ORDER BY seq DESC LIMIT 1",
                [],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()?;
        let (last_seq, last_link) = match head {
            Some((seq, link)) => (seq, to_hash(&link)?),
            None => (0, integrity::GENESIS),
        };
        Ok(EventWriter {
            conn,
            source_id,
            source_name: source_name.to_string(),
            last_seq,
            last_link,
            now_ms: Utc::now().timestamp_millis(),
        })
    }

    pub fn upsert(&mut self, event: &AuditEvent) -> Result<Upsert> {
        let hash = integrity::content_hash(&self.source_name, event);
        let existing: Option<(i64, Vec<u8>, String, i64)> = self
            .conn
            .prepare_cached(
                "SELECT id, content_hash, outcome, occurred_at FROM events
                 WHERE source_id = ?1 AND event_id = ?2",
            )?
            .query_row(params![self.source_id, event.event_id], |r| {
                Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?))
            })
            .optional()?;
        let occurred_ms = event.occurred_at.timestamp_millis();
        match existing {
            Some((_, old_hash, _, _)) if old_hash == hash => Ok(Upsert::Unchanged),
            Some((rowid, _, old_outcome, old_ms)) => {
                let new_rowid = if old_ms == occurred_ms {
                    rowid
                } else {
                    self.allocate_rowid(occurred_ms)?
                };
                self.write_row(
                    "UPDATE events SET id = ?1, occurred_at = ?4, type = ?5, category = ?6,
                        severity = ?7, outcome = ?8, user_id = ?9, user_email = ?10,
                        user_name = ?11, user_role = ?12, ip = ?13, route = ?14,
                        resource_type = ?15, resource_id = ?16, resource_name = ?17,
                        action = ?18, description = ?19, request_id = ?20, session_id = ?21,
                        stack = ?22, region = ?23, org_id = ?24, env_id = ?25, tags = ?26,
                        details = ?27, raw = ?28, content_hash = ?29, last_changed_at = ?30
                     WHERE source_id = ?2 AND event_id = ?3",
                    new_rowid,
                    event,
                    &hash,
                )?;
                let seq = self.append_version(new_rowid, &hash)?;
                if old_outcome != event.outcome {
                    self.append_status(new_rowid, &event.outcome, seq)?;
                }
                Ok(Upsert::Updated)
            }
            None => {
                let rowid = self.allocate_rowid(occurred_ms)?;
                self.write_row(
                    "INSERT INTO events (id, source_id, event_id, occurred_at, type, category,
                        severity, outcome, user_id, user_email, user_name, user_role, ip, route,
                        resource_type, resource_id, resource_name, action, description,
                        request_id, session_id, stack, region, org_id, env_id, tags, details,
                        raw, content_hash, last_changed_at, first_seen_at)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15,
                        ?16, ?17, ?18, ?19, ?20, ?21, ?22, ?23, ?24, ?25, ?26, ?27, ?28, ?29,
                        ?30, ?30)",
                    rowid,
                    event,
                    &hash,
                )?;
                let seq = self.append_version(rowid, &hash)?;
                self.append_status(rowid, &event.outcome, seq)?;
                Ok(Upsert::New)
            }
        }
    }

    fn write_row(&self, sql: &str, rowid: i64, e: &AuditEvent, hash: &Hash) -> Result<()> {
        let tags = serde_json::to_string(&e.tags).map_err(|x| Error::Invalid(x.to_string()))?;
        let details = e.details.as_ref().map(integrity::canonical_string);
        let raw = integrity::canonical_string(&e.raw);
        self.conn.prepare_cached(sql)?.execute(params![
            rowid,
            self.source_id,
            e.event_id,
            e.occurred_at.timestamp_millis(),
            e.event_type,
            e.category,
            e.severity.rank(),
            e.outcome,
            e.actor.user_id,
            e.actor.email,
            e.actor.name,
            e.actor.role,
            e.ip,
            e.route,
            e.resource_type,
            e.resource_id,
            e.resource_name,
            e.action,
            e.description,
            e.request_id,
            e.session_id,
            e.stack,
            e.region,
            e.org_id,
            e.env_id,
            tags,
            details,
            raw,
            hash.as_slice(),
            self.now_ms,
        ])?;
        Ok(())
    }

    fn allocate_rowid(&self, occurred_ms: i64) -> Result<i64> {
        let base = occurred_ms
            .checked_mul(SLOTS_PER_MS)
            .ok_or_else(|| Error::Invalid(format!("timestamp {occurred_ms} ms is out of range")))?;
        let top: Option<i64> = self
            .conn
            .prepare_cached("SELECT max(id) FROM events WHERE id >= ?1 AND id < ?2")?
            .query_row(params![base, base + SLOTS_PER_MS], |r| r.get(0))?;
        match top {
            None => Ok(base),
            Some(id) if id + 1 < base + SLOTS_PER_MS => Ok(id + 1),
            Some(_) => Err(Error::Invalid(format!(
                "more than {SLOTS_PER_MS} events in one millisecond ({occurred_ms})"
            ))),
        }
    }

    fn append_version(&mut self, rowid: i64, hash: &Hash) -> Result<i64> {
        let seq = self.last_seq + 1;
        let link = integrity::chain_link(&self.last_link, seq, hash);
        self.conn
            .prepare_cached(
                "INSERT INTO event_versions (seq, event_rowid, content_hash, chain_hash, recorded_at)
                 VALUES (?1, ?2, ?3, ?4, ?5)",
            )?
            .execute(params![seq, rowid, hash.as_slice(), link.as_slice(), self.now_ms])?;
        self.last_seq = seq;
        self.last_link = link;
        Ok(seq)
    }

    fn append_status(&self, rowid: i64, status: &str, seq: i64) -> Result<()> {
        self.conn
            .prepare_cached(
                "INSERT INTO event_status_history (event_rowid, status, observed_at, version_seq)
                 VALUES (?1, ?2, ?3, ?4)",
            )?
            .execute(params![rowid, status, self.now_ms, seq])?;
        Ok(())
    }
}

pub(crate) fn to_hash(bytes: &[u8]) -> Result<Hash> {
    <Hash>::try_from(bytes).map_err(|_| Error::Invalid("stored hash has the wrong length".into()))
}

pub(crate) fn millis_to_utc(ms: i64) -> DateTime<Utc> {
    Utc.timestamp_millis_opt(ms)
        .single()
        .unwrap_or(DateTime::<Utc>::MIN_UTC)
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
    let tags: Vec<String> = json(24, Some(r.get(24)?))?
        .and_then(|v| serde_json::from_value(v).ok())
        .unwrap_or_default();
    let severity = Severity::from_rank(r.get(5)?).unwrap_or(Severity::Info);
    let hash: Vec<u8> = r.get(27)?;
    let event = AuditEvent {
        event_id: r.get(1)?,
        occurred_at: millis_to_utc(r.get(2)?),
        event_type: r.get(3)?,
        category: r.get(4)?,
        severity,
        outcome: r.get(6)?,
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
pub struct EventDetail {
    #[serde(flatten)]
    pub event: StoredEvent,
    pub status_history: Vec<StatusChange>,
    pub versions: u64,
}

/// Looks an event up by its source event id. The same id in two sources is
/// ambiguous unless `source` names one.
pub fn find(conn: &Connection, event_id: &str, source: Option<&str>) -> Result<EventDetail> {
    let sql = format!(
        "SELECT {EVENT_COLUMNS} FROM events AS e JOIN sources AS s ON s.id = e.source_id
         WHERE e.event_id = ?1 AND (?2 IS NULL OR s.name = ?2)"
    );
    let mut stmt = conn.prepare(&sql)?;
    let mut hits = stmt
        .query_map(params![event_id, source], read_row)?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    let (rowid, event) = match hits.len() {
        0 => return Err(Error::NotFound(format!("event {event_id}"))),
        1 => hits.remove(0),
        _ => {
            let sources: Vec<String> = hits.iter().map(|(_, e)| e.source.clone()).collect();
            return Err(Error::Invalid(format!(
                "event id {event_id} exists in several sources ({}); name one with --source",
                sources.join(", ")
            )));
        }
    };
    let mut stmt = conn.prepare(
        "SELECT status, observed_at FROM event_status_history WHERE event_rowid = ?1 ORDER BY id",
    )?;
    let status_history = stmt
        .query_map([rowid], |r| {
            Ok(StatusChange {
                status: r.get(0)?,
                observed_at: millis_to_utc(r.get(1)?),
            })
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    let versions: i64 = conn.query_row(
        "SELECT count(*) FROM event_versions WHERE event_rowid = ?1",
        [rowid],
        |r| r.get(0),
    )?;
    Ok(EventDetail {
        event,
        status_history,
        versions: u64::try_from(versions).unwrap_or(0),
    })
}
