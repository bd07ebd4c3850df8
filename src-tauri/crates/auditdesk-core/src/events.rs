//! Events in the vault: the upsert that every source (file import, sync)
//! goes through, and reading events back. The SQL for the `events`,
//! `event_versions` tables lives here, beside the
//! types it reads.

use chrono::{DateTime, TimeZone, Utc};
use std::collections::{BTreeSet, HashMap, HashSet};

use rusqlite::types::Value as SqlValue;
use rusqlite::{Connection, OptionalExtension, Row, params, params_from_iter};
use serde_json::Value;
use sha2::{Digest, Sha256};

use crate::domain::{Actor, AuditEvent, EventBody, Severity, StatusChange, StoredEvent};
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

/// An event with its storage forms and content hash computed: the CPU work
/// of an upsert that needs no database, so a producer thread can do it while
/// the writer thread writes. It keeps only the column values: the parsed
/// JSON trees are dropped on the thread that built them, so the writer
/// neither spends time freeing them nor contends with the producer for the
/// allocator's lock of the arena they came from.
#[derive(Debug, Clone)]
pub struct PreparedEvent {
    source: String,
    event_id: String,
    key: i64,
    occurred_ms: i64,
    outcome: String,
    hash: Hash,
    /// The `events` values from `occurred_at` to `content_hash`, in
    /// `INSERT_COLUMNS` order.
    columns: Vec<SqlValue>,
}

impl PreparedEvent {
    pub fn new(source: &str, event: AuditEvent) -> PreparedEvent {
        let raw = integrity::canonical_string(&event.body.raw);
        let details = event.body.details.as_ref().map(integrity::canonical_string);
        let hash = integrity::content_hash(source, &event, &raw, details.as_deref());
        let AuditEvent {
            event_id,
            occurred_at,
            event_type,
            category,
            severity,
            outcome,
            body,
        } = event;
        let text = |v: Option<String>| v.map_or(SqlValue::Null, SqlValue::Text);
        // Compact JSON, as `serde_json::to_string` writes it, without a
        // fallible call for what cannot fail.
        let tags = Value::from(body.tags).to_string();
        let occurred_ms = occurred_at.timestamp_millis();
        let columns = vec![
            SqlValue::Integer(occurred_ms),
            SqlValue::Text(event_type),
            SqlValue::Text(category),
            SqlValue::Integer(severity.rank()),
            SqlValue::Text(outcome.clone()),
            text(body.actor.user_id),
            text(body.actor.email),
            text(body.actor.name),
            text(body.actor.role),
            text(body.ip),
            text(body.route),
            text(body.resource_type),
            text(body.resource_id),
            text(body.resource_name),
            text(body.action),
            text(body.description),
            text(body.request_id),
            text(body.session_id),
            text(body.stack),
            text(body.region),
            text(body.org_id),
            text(body.env_id),
            SqlValue::Text(tags),
            text(details),
            SqlValue::Text(raw),
            SqlValue::Blob(hash.to_vec()),
        ];
        PreparedEvent {
            source: source.to_string(),
            key: event_key(&event_id),
            event_id,
            occurred_ms,
            outcome,
            hash,
            columns,
        }
    }

    pub fn event_id(&self) -> &str {
        &self.event_id
    }
}

/// New rows are written this many at a time, in one multi-row INSERT (32
/// values a row, under SQLite's 32,766 parameters a statement).
const INSERT_BATCH: usize = 1000;

/// New rows are added to the full-text index this many at a time (see
/// `index_new_rows`): enough that FTS5 writes few, large segments, few
/// enough that the rows are still in SQLite's page cache when read back.
const INDEX_BATCH: usize = 50_000;

/// A writer for a new source stops maintaining the `events_key` index once
/// it has inserted this many rows and at least as many as the vault held
/// (see `defer_key_index`).
const KEY_INDEX_DEFER_MIN: usize = 20_000;

const INSERT_COLUMNS: &str = "id, source_id, event_id, occurred_at, type, category, severity,
    outcome, user_id, user_email, user_name, user_role, ip, route, resource_type, resource_id,
    resource_name, action, description, request_id, session_id, stack, region, org_id, env_id,
    tags, details, raw, content_hash, last_changed_at, first_seen_at, event_key";
const INSERT_ARITY: usize = 32;

/// The indexed lookup key of an event id (see the `events` table).
pub fn event_key(event_id: &str) -> i64 {
    let digest = Sha256::digest(event_id.as_bytes());
    let mut first = [0u8; 8];
    first.copy_from_slice(&digest[..8]);
    i64::from_be_bytes(first)
}

/// What an upsert needs of a stored event: (rowid, content hash, outcome,
/// occurred_at in ms).
type Stored = (i64, Vec<u8>, String, i64);

/// Writes events of one source inside a caller's transaction, extending the
/// version chain. Create one per transaction (it caches the chain head) and
/// call `finish` before committing: new rows are buffered.
pub struct EventWriter<'c> {
    conn: &'c Connection,
    source_id: i64,
    source_name: String,
    last_seq: i64,
    last_link: Hash,
    now_ms: i64,
    pending_rows: Vec<Vec<SqlValue>>,
    pending_versions: Vec<(i64, i64, String, Hash, Hash)>,
    /// The keys of the ids in `pending_rows`.
    pending_keys: HashSet<i64>,
    pending_rowids: HashSet<i64>,
    /// Rows this writer inserted that the full-text index does not hold
    /// yet (see `index_new_rows`), in rowid order.
    unindexed: BTreeSet<i64>,
    /// Set for a source created in this transaction (`for_new_source`): the
    /// key of every id this writer has written, with its rowid. Every event
    /// of the source is then here, so ids are looked up without the
    /// `events_key` index (see `defer_key_index`).
    fresh_keys: Option<HashMap<i64, i64>>,
    /// Versions in the vault when the writer began: at least its events.
    versions_before: i64,
    /// Rows inserted so far.
    inserted: usize,
    /// The `events_key` index's SQL while it is dropped, to be built again
    /// by `finish` (see `defer_key_index`).
    dropped_key_index: Option<String>,
    /// The highest rowid the vault held when the writer began: the
    /// milliseconds above it hold only rows this writer allocated (one live
    /// writer per transaction), so their next free slot is known here
    /// (millisecond base → highest allocated; a slot freed by an event that
    /// moved in this transaction is not reused, which leaves a gap).
    vault_top: i64,
    tops: HashMap<i64, i64>,
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
        let vault_top: Option<i64> =
            conn.query_row("SELECT max(id) FROM events", [], |r| r.get(0))?;
        Ok(EventWriter {
            conn,
            source_id,
            source_name: source_name.to_string(),
            last_seq,
            last_link,
            now_ms: Utc::now().timestamp_millis(),
            pending_rows: Vec::with_capacity(INSERT_BATCH),
            pending_versions: Vec::with_capacity(INSERT_BATCH),
            pending_keys: HashSet::new(),
            pending_rowids: HashSet::new(),
            unindexed: BTreeSet::new(),
            fresh_keys: None,
            versions_before: last_seq,
            inserted: 0,
            dropped_key_index: None,
            vault_top: vault_top.unwrap_or(i64::MIN),
            tops: HashMap::new(),
        })
    }

    /// Declares that the source holds no event yet (it was created in this
    /// transaction), so an id this writer has not written is new without a
    /// lookup: a first import into a source skips one query per event.
    pub fn for_new_source(mut self) -> Self {
        self.fresh_keys = Some(HashMap::new());
        self
    }

    pub fn upsert(&mut self, prepared: PreparedEvent) -> Result<Upsert> {
        if prepared.source != self.source_name {
            return Err(Error::Invalid(format!(
                "event prepared for source {:?} written to {:?}",
                prepared.source, self.source_name
            )));
        }
        let PreparedEvent {
            event_id,
            key,
            occurred_ms,
            outcome,
            hash,
            columns,
            ..
        } = prepared;
        // A second sighting of an id still in the buffer must see the first.
        // Keyed by the id's hash: a collision only costs an early flush.
        if self.pending_keys.contains(&key) {
            self.flush()?;
        }
        let existing = match self.fresh_keys.as_ref().map(|keys| keys.get(&key)) {
            // New to a new source: nothing to look up.
            Some(None) => None,
            Some(Some(&rowid)) => match self.stored_at(rowid, &event_id)? {
                found @ Some(_) => found,
                // Another id with the same key: ask the table.
                None => self.stored(key, &event_id)?,
            },
            None => self.stored(key, &event_id)?,
        };
        match existing {
            Some((_, old_hash, _, _)) if old_hash == hash => Ok(Upsert::Unchanged),
            Some((rowid, _, _, old_ms)) => {
                // Changes are rare; write them at once, after what is buffered.
                self.flush()?;
                // The update trigger takes the old text out of the index, so
                // the row must be in it.
                if self.unindexed.contains(&rowid) {
                    self.index_new_rows()?;
                }
                let new_rowid = if old_ms == occurred_ms {
                    rowid
                } else {
                    self.allocate_rowid(occurred_ms)?
                };
                if let Some(keys) = self.fresh_keys.as_mut() {
                    keys.insert(key, new_rowid);
                }
                let values = self.row_values(new_rowid, event_id, columns, key);
                self.conn
                    .prepare_cached(
                        "UPDATE events SET id = ?1, occurred_at = ?4, type = ?5, category = ?6,
                            severity = ?7, outcome = ?8, user_id = ?9, user_email = ?10,
                            user_name = ?11, user_role = ?12, ip = ?13, route = ?14,
                            resource_type = ?15, resource_id = ?16, resource_name = ?17,
                            action = ?18, description = ?19, request_id = ?20, session_id = ?21,
                            stack = ?22, region = ?23, org_id = ?24, env_id = ?25, tags = ?26,
                            details = ?27, raw = ?28, content_hash = ?29, last_changed_at = ?30
                         WHERE id = ?31 AND source_id = ?2 AND event_id = ?3",
                    )?
                    .execute(params_from_iter(
                        values.iter().take(30).chain([&SqlValue::Integer(rowid)]),
                    ))?;
                self.next_version(new_rowid, &outcome, &hash);
                self.flush()?;
                Ok(Upsert::Updated)
            }
            None => {
                let rowid = self.allocate_rowid(occurred_ms)?;
                let values = self.row_values(rowid, event_id, columns, key);
                self.pending_rows.push(values);
                self.pending_keys.insert(key);
                self.pending_rowids.insert(rowid);
                self.unindexed.insert(rowid);
                if let Some(keys) = self.fresh_keys.as_mut() {
                    keys.insert(key, rowid);
                }
                self.inserted += 1;
                self.next_version(rowid, &outcome, &hash);
                if self.pending_rows.len() >= INSERT_BATCH {
                    self.flush()?;
                }
                self.defer_key_index()?;
                Ok(Upsert::New)
            }
        }
    }

    /// Writes whatever is buffered and indexes it. Must be called before
    /// the transaction commits.
    pub fn finish(mut self) -> Result<()> {
        self.flush()?;
        self.index_new_rows()?;
        if let Some(sql) = self.dropped_key_index.take() {
            self.conn.execute_batch(&sql)?;
        }
        Ok(())
    }

    /// The stored event at `rowid`, if it is `event_id` of this source.
    fn stored_at(&self, rowid: i64, event_id: &str) -> Result<Option<Stored>> {
        Ok(self
            .conn
            .prepare_cached(
                "SELECT id, content_hash, outcome, occurred_at FROM events
                 WHERE id = ?1 AND source_id = ?2 AND event_id = ?3",
            )?
            .query_row(params![rowid, self.source_id, event_id], |r| {
                Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?))
            })
            .optional()?)
    }

    /// The stored event of this source with this id, found by its key.
    fn stored(&self, key: i64, event_id: &str) -> Result<Option<Stored>> {
        Ok(self
            .conn
            .prepare_cached(
                "SELECT id, content_hash, outcome, occurred_at FROM events
                 WHERE event_key = ?1 AND source_id = ?2 AND event_id = ?3",
            )?
            .query_row(params![key, self.source_id, event_id], |r| {
                Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?))
            })
            .optional()?)
    }

    /// Drops the `events_key` index for the rest of a large first import
    /// into a new source, to be built again by `finish`. Event ids are
    /// random, so each insert lands on a random page of that index: at a
    /// million events, keeping it current cost a fifth of the import, while
    /// building it once costs a read of `events`. Only a new source's
    /// writer does it (it finds its ids in `fresh_keys`), and only once it
    /// has written as many rows as the vault held: the rebuild reads the
    /// whole table, which at worst (the import ends right after the drop)
    /// costs about a seventh of the import again. The transaction holds both
    /// the drop and the rebuild, so no reader sees the vault without it; a
    /// caller that commits without `finish` would leave it dropped, and the
    /// last rows out of the full-text index.
    fn defer_key_index(&mut self) -> Result<()> {
        if self.fresh_keys.is_none()
            || self.dropped_key_index.is_some()
            || self.inserted < KEY_INDEX_DEFER_MIN
            || (self.inserted as i64) < self.versions_before
        {
            return Ok(());
        }
        let sql: Option<String> = self
            .conn
            .query_row(
                "SELECT sql FROM sqlite_schema WHERE type = 'index' AND name = 'events_key'",
                [],
                |r| r.get(0),
            )
            .optional()?;
        if let Some(sql) = sql {
            self.conn.execute_batch("DROP INDEX events_key")?;
            self.dropped_key_index = Some(sql);
        }
        Ok(())
    }

    /// Adds the rows this writer inserted to the full-text index.
    fn index_new_rows(&mut self) -> Result<()> {
        if self.unindexed.is_empty() {
            return Ok(());
        }
        crate::fulltext::index_rows(self.conn, std::mem::take(&mut self.unindexed))
    }

    fn flush(&mut self) -> Result<()> {
        if !self.pending_rows.is_empty() {
            let mut rows = std::mem::take(&mut self.pending_rows);
            // FTS5 flushes its pending index (a new segment to merge later)
            // whenever a rowid is not above the previous one. Sources that
            // deliver newest first (Redox pages) would flush on every row;
            // in rowid order a batch flushes once.
            rows.sort_by_key(|row| match row.first() {
                Some(SqlValue::Integer(rowid)) => *rowid,
                _ => 0,
            });
            for chunk in rows.chunks(INSERT_BATCH) {
                let one = format!("({})", vec!["?"; INSERT_ARITY].join(","));
                let sql = format!(
                    "INSERT INTO events ({INSERT_COLUMNS}) VALUES {}",
                    vec![one.as_str(); chunk.len()].join(",")
                );
                self.conn
                    .prepare_cached(&sql)?
                    .execute(params_from_iter(chunk.iter().flatten()))?;
            }
        }
        let mut version = self.conn.prepare_cached(
            "INSERT INTO event_versions
                (seq, event_rowid, outcome, content_hash, chain_hash, recorded_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        )?;
        for (seq, rowid, outcome, hash, link) in self.pending_versions.drain(..) {
            version.execute(params![
                seq,
                rowid,
                outcome,
                hash.as_slice(),
                link.as_slice(),
                self.now_ms
            ])?;
        }
        self.pending_keys.clear();
        self.pending_rowids.clear();
        // Here rather than only after a full batch: updates and repeated ids
        // flush early, and must not let the unindexed rows pile up.
        if self.unindexed.len() >= INDEX_BATCH {
            self.index_new_rows()?;
        }
        Ok(())
    }

    /// The 32 insert values (the update uses the first 30 and the old rowid).
    fn row_values(
        &self,
        rowid: i64,
        event_id: String,
        columns: Vec<SqlValue>,
        key: i64,
    ) -> Vec<SqlValue> {
        let mut values = Vec::with_capacity(INSERT_ARITY);
        values.extend([
            SqlValue::Integer(rowid),
            SqlValue::Integer(self.source_id),
            SqlValue::Text(event_id),
        ]);
        values.extend(columns);
        values.extend([
            SqlValue::Integer(self.now_ms),
            SqlValue::Integer(self.now_ms),
            SqlValue::Integer(key),
        ]);
        values
    }

    fn allocate_rowid(&mut self, occurred_ms: i64) -> Result<i64> {
        let base = occurred_ms
            .checked_mul(SLOTS_PER_MS)
            .ok_or_else(|| Error::Invalid(format!("timestamp {occurred_ms} ms is out of range")))?;
        let candidate = if base > self.vault_top {
            self.tops.get(&base).map_or(base, |top| top + 1)
        } else {
            let top: Option<i64> = self
                .conn
                .prepare_cached("SELECT max(id) FROM events WHERE id >= ?1 AND id < ?2")?
                .query_row(params![base, base + SLOTS_PER_MS], |r| r.get(0))?;
            let mut candidate = top.map_or(base, |id| id + 1);
            while self.pending_rowids.contains(&candidate) {
                candidate += 1;
            }
            candidate
        };
        if candidate >= base + SLOTS_PER_MS {
            return Err(Error::Invalid(format!(
                "more than {SLOTS_PER_MS} events in one millisecond ({occurred_ms})"
            )));
        }
        if base > self.vault_top {
            self.tops.insert(base, candidate);
        }
        Ok(candidate)
    }

    fn next_version(&mut self, rowid: i64, outcome: &str, hash: &Hash) {
        let seq = self.last_seq + 1;
        let link = integrity::chain_link(
            &self.last_link,
            integrity::VersionLink {
                seq,
                content: hash,
                outcome,
                recorded_at: self.now_ms,
            },
        );
        self.pending_versions
            .push((seq, rowid, outcome.to_string(), *hash, link));
        self.last_seq = seq;
        self.last_link = link;
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
        "SELECT {columns} FROM events AS e JOIN sources AS s ON s.id = e.source_id
         WHERE e.event_key = ?3 AND e.event_id = ?1 AND (?2 IS NULL OR s.name = ?2)"
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

#[cfg(test)]
mod tests {
    use chrono::{Duration, TimeZone};
    use rusqlite::Connection;

    use super::*;
    use crate::domain::{Classifier, NewEvent};

    fn vault() -> (Connection, i64) {
        let conn = Connection::open_in_memory().unwrap();
        crate::vault::migrations::migrate(&conn).unwrap();
        let source = crate::sources::find_or_create_file_source(&conn, "s").unwrap();
        (conn, source.id)
    }

    /// (id, seconds after the start, outcome)
    fn event(id: &str, secs: i64, outcome: &str) -> PreparedEvent {
        let start = Utc.with_ymd_and_hms(2026, 7, 1, 0, 0, 0).unwrap();
        let mut e = NewEvent::new(start + Duration::seconds(secs), "log-search");
        e.outcome = outcome.into();
        e.body.raw = serde_json::json!({ "id": id, "outcome": outcome });
        PreparedEvent::new("s", Classifier::builtin().normalize(e, id.to_string()))
    }

    fn write(
        conn: &Connection,
        source: i64,
        new_source: bool,
        events: &[(&str, i64, &str)],
    ) -> Vec<Upsert> {
        let mut w = EventWriter::new(conn, source, "s").unwrap();
        if new_source {
            w = w.for_new_source();
        }
        let out = events
            .iter()
            .map(|(id, secs, outcome)| w.upsert(event(id, *secs, outcome)).unwrap())
            .collect();
        w.finish().unwrap();
        out
    }

    fn rows(conn: &Connection) -> Vec<(i64, String, String, Vec<u8>)> {
        let mut stmt = conn
            .prepare(
                "SELECT id, event_id, outcome, content_hash FROM events
                 WHERE event_id != 'zz' ORDER BY id",
            )
            .unwrap();
        stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))
            .unwrap()
            .map(|r| r.unwrap())
            .collect()
    }

    /// The shortcuts a first import and new milliseconds take (no lookup of
    /// the id, the next free rowid known in memory) store what the lookups
    /// would: the same rows, rowids and results. The other vault holds an
    /// event far in the future first, so every rowid it allocates comes
    /// from the `max(id)` query and every id from the lookup.
    #[test]
    fn the_in_memory_shortcuts_store_what_the_lookups_would() {
        let first: &[(&str, i64, &str)] = &[
            ("a", 10, "successful"),
            ("b", 10, "successful"),
            ("c", 10, "attempted"),
            ("d", 5, "successful"),
            ("a", 10, "successful"),
            ("c", 10, "failed"),
            ("e", 20, "successful"),
            ("e", 30, "successful"),
            ("f", 10, "successful"),
        ];
        // Older and newer than what the first transaction left, and the
        // same milliseconds again.
        let second: &[(&str, i64, &str)] = &[
            ("g", 1, "successful"),
            ("h", 10, "successful"),
            ("i", 40, "successful"),
            ("j", 40, "successful"),
            ("b", 40, "failed"),
            ("k", 30, "successful"),
        ];
        let (fast, fast_source) = vault();
        let (slow, slow_source) = vault();
        write(
            &slow,
            slow_source,
            false,
            &[("zz", 10 * 365 * 86_400, "successful")],
        );
        let fast_first = write(&fast, fast_source, true, first);
        let slow_first = write(&slow, slow_source, false, first);
        assert_eq!(fast_first, slow_first);
        assert_eq!(
            fast_first,
            [
                Upsert::New,
                Upsert::New,
                Upsert::New,
                Upsert::New,
                Upsert::Unchanged,
                Upsert::Updated,
                Upsert::New,
                Upsert::Updated,
                Upsert::New
            ]
        );
        assert_eq!(rows(&fast), rows(&slow));
        assert_eq!(
            write(&fast, fast_source, false, second),
            write(&slow, slow_source, false, second)
        );
        let all = rows(&fast);
        assert_eq!(all, rows(&slow));
        assert_eq!(all.len(), 11);
        let mut ids: Vec<i64> = all.iter().map(|r| r.0).collect();
        ids.dedup();
        assert_eq!(ids.len(), 11, "rowids are unique");
        let ten = Utc
            .with_ymd_and_hms(2026, 7, 1, 0, 0, 10)
            .unwrap()
            .timestamp_millis()
            * SLOTS_PER_MS;
        let in_ten: Vec<i64> = all
            .iter()
            .map(|r| r.0)
            .filter(|id| (ten..ten + SLOTS_PER_MS).contains(id))
            .collect();
        // b moved to 40 s in the second transaction; h took the next slot.
        assert_eq!(in_ten, [ten, ten + 2, ten + 3, ten + 4], "a, c, f, then h");
        // "c" and "e" changed in the transaction that inserted them, before
        // the writer had indexed them: the index must hold each event once.
        fts_holds_every_event(&fast);
        fts_holds_every_event(&slow);
    }

    /// FTS5's own check of the index against `events`, and one entry per event.
    fn fts_holds_every_event(conn: &Connection) {
        conn.execute_batch("INSERT INTO events_fts (events_fts) VALUES ('integrity-check')")
            .unwrap();
        let (indexed, events): (i64, i64) = conn
            .query_row(
                "SELECT (SELECT count(*) FROM events_fts WHERE events_fts MATCH 'log'),
                        (SELECT count(*) FROM events)",
                [],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .unwrap();
        assert_eq!(indexed, events, "every event is found by its type");
    }

    fn key_index(conn: &Connection) -> Option<String> {
        conn.query_row(
            "SELECT sql FROM sqlite_schema WHERE type = 'index' AND name = 'events_key'",
            [],
            |r| r.get(0),
        )
        .optional()
        .unwrap()
    }

    /// A large first import into a new source drops the `events_key` index
    /// part-way and builds it again; ids seen again after the drop (changed,
    /// unchanged, moved in time) are found without it, and the result is
    /// what a writer that looks every id up in the index stores.
    #[test]
    fn a_large_first_import_stores_what_the_indexed_path_would() {
        let n = KEY_INDEX_DEFER_MIN as i64 + 3 * INSERT_BATCH as i64;
        let ids: Vec<String> = (0..n).map(|i| format!("id-{i}")).collect();
        let mut events: Vec<(&str, i64, &str)> = ids
            .iter()
            .enumerate()
            .map(|(i, id)| (id.as_str(), i as i64, "successful"))
            .collect();
        // After the drop: the same again, a change, a move in time, and a
        // change of an event written in the last batch.
        events.push(("id-5", 5, "successful"));
        events.push(("id-6", 6, "failed"));
        events.push(("id-7", n + 100, "successful"));
        let last = &ids[ids.len() - 1];
        events.push((last.as_str(), n - 1, "failed"));
        let (fast, fast_source) = vault();
        let (slow, slow_source) = vault();
        let original = key_index(&fast).expect("the migrations create events_key");
        write(
            &slow,
            slow_source,
            false,
            &[("zz", 10 * 365 * 86_400, "successful")],
        );
        let fast_out = write(&fast, fast_source, true, &events);
        let slow_out = write(&slow, slow_source, false, &events);
        assert_eq!(fast_out, slow_out);
        assert_eq!(
            fast_out[fast_out.len() - 4..],
            [
                Upsert::Unchanged,
                Upsert::Updated,
                Upsert::Updated,
                Upsert::Updated
            ]
        );
        assert_eq!(rows(&fast), rows(&slow));
        assert_eq!(key_index(&fast), Some(original), "built again as it was");
        fts_holds_every_event(&fast);
        // The next writer looks ids up through the rebuilt index.
        let again = write(&fast, fast_source, false, &events[10..20]);
        assert!(again.iter().all(|u| *u == Upsert::Unchanged), "{again:?}");
        let plan: Vec<String> = fast
            .prepare(
                "EXPLAIN QUERY PLAN
                 SELECT id FROM events WHERE event_key = 1 AND source_id = 1 AND event_id = 'x'",
            )
            .unwrap()
            .query_map([], |r| r.get(3))
            .unwrap()
            .map(|r| r.unwrap())
            .collect();
        let plan = plan.join(" ");
        assert!(plan.contains("events_key"), "{plan}");
    }
}
