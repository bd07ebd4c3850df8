//! The upsert every source goes through: `PreparedEvent` (the CPU work,
//! done on a producer thread) and `EventWriter` (the rows, the version
//! chain and the full-text index, inside the caller's transaction).

use std::collections::{BTreeMap, HashMap, HashSet};

use chrono::Utc;

use rusqlite::types::{ToSqlOutput, Value as SqlValue, ValueRef};
use rusqlite::{Connection, OptionalExtension, params, params_from_iter};
use serde_json::Value;

use super::{SLOTS_PER_MS, event_key, to_hash};
use crate::domain::AuditEvent;
use crate::error::{Error, Result};
use crate::fulltext::SearchText;
use crate::integrity::{self, Hash};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Upsert {
    New,
    Updated,
    Unchanged,
}

/// An event with its storage forms and content hash computed: the CPU work
/// of an upsert that needs no database, so a producer thread can do it while
/// the writer thread writes. It keeps only the column values and the search
/// text: the parsed JSON trees are dropped on the thread that built them, so
/// the writer neither spends time freeing them nor contends with the
/// producer for the allocator's lock of the arena they came from. For the
/// same reason every text value sits in one buffer: the writer frees three
/// allocations per event (this buffer, the search text, the source name)
/// rather than one per value.
#[derive(Debug, Clone)]
pub struct PreparedEvent {
    source: String,
    key: i64,
    occurred_ms: i64,
    hash: Hash,
    /// The event id, the outcome and every text column, end to end.
    text: String,
    event_id: Span,
    outcome: Span,
    /// The `events` values from `occurred_at` to `content_hash`, in
    /// `INSERT_COLUMNS` order.
    cells: [Cell; CELLS],
    /// What the full-text index gets if the event is new (`None`: read it
    /// from the view).
    search: Option<SearchText>,
}

/// A range of `PreparedEvent::text`.
type Span = (usize, usize);

/// One `events` value of a prepared row.
#[derive(Debug, Clone, Copy)]
enum Cell {
    Null,
    Int(i64),
    Text(Span),
    /// The event's content hash.
    Hash,
}

/// The values `PreparedEvent::cells` holds (`occurred_at` to `content_hash`).
const CELLS: usize = 26;

/// Fills a `PreparedEvent`'s text buffer.
struct Cells {
    text: String,
}

impl Cells {
    fn span(&mut self, value: &str) -> Span {
        let start = self.text.len();
        self.text.push_str(value);
        (start, self.text.len())
    }

    fn text(&mut self, value: &str) -> Cell {
        Cell::Text(self.span(value))
    }

    fn opt(&mut self, value: Option<&str>) -> Cell {
        value.map_or(Cell::Null, |v| self.text(v))
    }
}

impl PreparedEvent {
    pub fn new(source: &str, mut event: AuditEvent) -> PreparedEvent {
        let raw = integrity::canonical_string(&event.body.raw);
        let details = event.body.details.as_ref().map(integrity::canonical_string);
        let hash = integrity::content_hash(source, &event, &raw, details.as_deref());
        let search = SearchText::of(&event);
        // Compact JSON, as `serde_json::to_string` writes it, without a
        // fallible call for what cannot fail.
        let tags = Value::from(std::mem::take(&mut event.body.tags)).to_string();
        let body = &event.body;
        let occurred_ms = event.occurred_at.timestamp_millis();
        let mut c = Cells {
            text: String::with_capacity(raw.len() + details.as_ref().map_or(0, String::len) + 512),
        };
        let event_id = c.span(&event.event_id);
        let outcome = c.span(&event.outcome);
        let cells = [
            Cell::Int(occurred_ms),
            c.text(&event.event_type),
            c.text(&event.category),
            Cell::Int(event.severity.rank()),
            Cell::Text(outcome),
            c.opt(body.actor.user_id.as_deref()),
            c.opt(body.actor.email.as_deref()),
            c.opt(body.actor.name.as_deref()),
            c.opt(body.actor.role.as_deref()),
            c.opt(body.ip.as_deref()),
            c.opt(body.route.as_deref()),
            c.opt(body.resource_type.as_deref()),
            c.opt(body.resource_id.as_deref()),
            c.opt(body.resource_name.as_deref()),
            c.opt(body.action.as_deref()),
            c.opt(body.description.as_deref()),
            c.opt(body.request_id.as_deref()),
            c.opt(body.session_id.as_deref()),
            c.opt(body.stack.as_deref()),
            c.opt(body.region.as_deref()),
            c.opt(body.org_id.as_deref()),
            c.opt(body.env_id.as_deref()),
            c.text(&tags),
            c.opt(details.as_deref()),
            c.text(&raw),
            Cell::Hash,
        ];
        PreparedEvent {
            source: source.to_string(),
            key: event_key(&event.event_id),
            occurred_ms,
            hash,
            text: c.text,
            event_id,
            outcome,
            cells,
            search,
        }
    }

    pub fn event_id(&self) -> &str {
        &self.text[self.event_id.0..self.event_id.1]
    }

    fn outcome(&self) -> &str {
        &self.text[self.outcome.0..self.outcome.1]
    }

    /// `cells` as SQL values, borrowing the text.
    fn values(&self) -> impl Iterator<Item = ToSqlOutput<'_>> {
        self.cells.iter().map(|cell| match *cell {
            Cell::Null => ToSqlOutput::Owned(SqlValue::Null),
            Cell::Int(i) => ToSqlOutput::Owned(SqlValue::Integer(i)),
            Cell::Text((start, end)) => {
                ToSqlOutput::Borrowed(ValueRef::Text(&self.text.as_bytes()[start..end]))
            }
            Cell::Hash => ToSqlOutput::Borrowed(ValueRef::Blob(&self.hash)),
        })
    }
}

/// New rows are written this many at a time, in one multi-row INSERT (32
/// values a row, under SQLite's 32,766 parameters a statement).
const INSERT_BATCH: usize = 1000;

/// New rows are added to the full-text index this many at a time (see
/// `index_new_rows`): enough that FTS5 writes few, large segments, few
/// enough that a batch's terms fit the bulk 32 MiB hash
/// (`fulltext::BulkSettings`) and its search text held until then stays
/// small (~15 MB for Redox-shaped events).
const INDEX_BATCH: usize = 100_000;

/// ... or once their search text passes this many bytes, whichever comes
/// first: events with large `details` would otherwise hold hundreds of MB
/// and overflow the hash into several segments.
const INDEX_BATCH_BYTES: usize = 24 << 20;

/// A writer for a new source stops maintaining the `event_facets_key` index once
/// it has inserted this many rows and at least as many as the vault held
/// (see `defer_key_index`).
const KEY_INDEX_DEFER_MIN: usize = 20_000;

const INSERT_COLUMNS: &str = "id, source_id, event_id, occurred_at, type, category, severity,
    outcome, user_id, user_email, user_name, user_role, ip, route, resource_type, resource_id,
    resource_name, action, description, request_id, session_id, stack, region, org_id, env_id,
    tags, details, raw, content_hash, last_changed_at, first_seen_at, event_key";
const INSERT_ARITY: usize = 32;
// `EventWriter::row`: rowid, source, event id, the cells, two times, the key.
const _: () = assert!(3 + CELLS + 3 == INSERT_ARITY);

/// What an upsert needs of a stored event: (rowid, content hash,
/// occurred_at in ms).
type Stored = (i64, Vec<u8>, i64);

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
    /// New rows to insert: (rowid, event).
    pending_rows: Vec<(i64, PreparedEvent)>,
    pending_versions: Vec<(i64, i64, String, Hash, Hash)>,
    /// The keys of the ids in `pending_rows`.
    pending_keys: HashSet<i64>,
    pending_rowids: HashSet<i64>,
    /// Rows this writer inserted that the full-text index does not hold
    /// yet (see `index_new_rows`), in rowid order, with their search text.
    unindexed: BTreeMap<i64, Option<SearchText>>,
    /// The bytes of search text `unindexed` holds.
    unindexed_bytes: usize,
    /// Set for a source created in this transaction (`for_new_source`): the
    /// key of every id this writer has written, with its rowid. Every event
    /// of the source is then here, so ids are looked up without the
    /// `event_facets_key` index (see `defer_key_index`).
    fresh_keys: Option<HashMap<i64, i64>>,
    /// Versions in the vault when the writer began: at least its events.
    versions_before: i64,
    /// Rows inserted so far.
    inserted: usize,
    /// The `event_facets_key` index's SQL while it is dropped, to be built again
    /// by `finish` (see `defer_key_index`).
    dropped_key_index: Option<String>,
    /// The full-text index's settings while this writer loads in bulk with
    /// its own (`fulltext::BulkSettings`), to be put back by `finish`.
    saved_fts_settings: Option<crate::fulltext::BulkSettings>,
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
            unindexed: BTreeMap::new(),
            unindexed_bytes: 0,
            fresh_keys: None,
            versions_before: last_seq,
            inserted: 0,
            dropped_key_index: None,
            saved_fts_settings: None,
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

    pub fn upsert(&mut self, mut prepared: PreparedEvent) -> Result<Upsert> {
        if prepared.source != self.source_name {
            return Err(Error::Invalid(format!(
                "event prepared for source {:?} written to {:?}",
                prepared.source, self.source_name
            )));
        }
        let (key, occurred_ms, hash) = (prepared.key, prepared.occurred_ms, prepared.hash);
        // A second sighting of an id still in the buffer must see the first.
        // Keyed by the id's hash: a collision only costs an early flush.
        if self.pending_keys.contains(&key) {
            self.flush()?;
        }
        let existing = match self.fresh_keys.as_ref().map(|keys| keys.get(&key)) {
            // New to a new source: nothing to look up.
            Some(None) => None,
            Some(Some(&rowid)) => match self.stored(true, rowid, prepared.event_id())? {
                found @ Some(_) => found,
                // Another id with the same key: ask the table.
                None => self.stored(false, key, prepared.event_id())?,
            },
            None => self.stored(false, key, prepared.event_id())?,
        };
        match existing {
            Some((_, old_hash, _)) if old_hash == hash => Ok(Upsert::Unchanged),
            Some((rowid, _, old_ms)) => {
                // Changes are rare; write them at once, after what is buffered.
                self.flush()?;
                // The update trigger takes the old text out of the index, so
                // the row must be in it.
                if self.unindexed.contains_key(&rowid) {
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
                        self.row(new_rowid, &prepared)
                            .take(30)
                            .chain([ToSqlOutput::Owned(SqlValue::Integer(rowid))]),
                    ))?;
                self.next_version(new_rowid, prepared.outcome(), &hash);
                self.flush()?;
                Ok(Upsert::Updated)
            }
            None => {
                let rowid = self.allocate_rowid(occurred_ms)?;
                self.next_version(rowid, prepared.outcome(), &hash);
                let search = prepared.search.take();
                self.unindexed_bytes += search.as_ref().map_or(0, SearchText::len);
                self.unindexed.insert(rowid, search);
                self.pending_rows.push((rowid, prepared));
                self.pending_keys.insert(key);
                self.pending_rowids.insert(rowid);
                if let Some(keys) = self.fresh_keys.as_mut() {
                    keys.insert(key, rowid);
                }
                self.inserted += 1;
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
        if let Some(settings) = self.saved_fts_settings.take() {
            settings.write(self.conn)?;
        }
        if let Some(sql) = self.dropped_key_index.take() {
            self.conn.execute_batch(&sql)?;
        }
        Ok(())
    }

    /// The stored event `event_id` of this source, looked up by its rowid
    /// (`by_rowid`) or by its key.
    fn stored(&self, by_rowid: bool, value: i64, event_id: &str) -> Result<Option<Stored>> {
        let sql = if by_rowid {
            "SELECT id, content_hash, occurred_at FROM events
             WHERE id = ?1 AND source_id = ?2 AND event_id = ?3"
        } else {
            "SELECT e.id, e.content_hash, e.occurred_at
             FROM event_facets AS k JOIN events AS e ON e.id = k.id
             WHERE k.event_key = ?1 AND e.source_id = ?2 AND e.event_id = ?3"
        };
        Ok(self
            .conn
            .prepare_cached(sql)?
            .query_row(params![value, self.source_id, event_id], |r| {
                Ok((r.get(0)?, r.get(1)?, r.get(2)?))
            })
            .optional()?)
    }

    /// Drops the `event_facets_key` index for the rest of a large first import
    /// into a new source, to be built again by `finish`. Event ids are
    /// random, so each insert lands on a random page of that index: at a
    /// million events, keeping it current cost a fifth of the import, while
    /// building it once costs a read of the narrow `event_facets` copy and
    /// a sort of the keys (~1.3 s at a million). Only a new source's writer
    /// does it (it finds its ids in `fresh_keys`), and only once it has
    /// written as many rows as the vault held, so the rebuild never reads
    /// much more than this import wrote. The transaction holds both the drop
    /// and the rebuild, so no reader sees the vault without it; a caller
    /// that commits without `finish` would leave it dropped, and the last
    /// rows out of the full-text index.
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
                "SELECT sql FROM sqlite_schema WHERE type = 'index' AND name = 'event_facets_key'",
                [],
                |r| r.get(0),
            )
            .optional()?;
        if let Some(sql) = sql {
            self.conn.execute_batch("DROP INDEX event_facets_key")?;
            self.dropped_key_index = Some(sql);
        }
        Ok(())
    }

    /// Adds the rows this writer inserted to the full-text index.
    fn index_new_rows(&mut self) -> Result<()> {
        if self.unindexed.is_empty() {
            return Ok(());
        }
        // A full batch before the end: this load writes several segments.
        if self.index_batch_full() && self.saved_fts_settings.is_none() {
            self.saved_fts_settings = Some(crate::fulltext::BulkSettings::apply(self.conn)?);
        }
        self.unindexed_bytes = 0;
        crate::fulltext::index_new(self.conn, std::mem::take(&mut self.unindexed))
    }

    fn index_batch_full(&self) -> bool {
        self.unindexed.len() >= INDEX_BATCH || self.unindexed_bytes >= INDEX_BATCH_BYTES
    }

    fn flush(&mut self) -> Result<()> {
        if !self.pending_rows.is_empty() {
            let mut rows = std::mem::take(&mut self.pending_rows);
            // Sources that deliver newest first (Redox pages) would insert
            // each row left of the last; in rowid order a batch appends.
            rows.sort_by_key(|(rowid, _)| *rowid);
            for chunk in rows.chunks(INSERT_BATCH) {
                let one = format!("({})", vec!["?"; INSERT_ARITY].join(","));
                let sql = format!(
                    "INSERT INTO events ({INSERT_COLUMNS}) VALUES {}",
                    vec![one.as_str(); chunk.len()].join(",")
                );
                self.conn.prepare_cached(&sql)?.execute(params_from_iter(
                    chunk
                        .iter()
                        .flat_map(|(rowid, event)| self.row(*rowid, event)),
                ))?;
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
        if self.index_batch_full() {
            self.index_new_rows()?;
        }
        Ok(())
    }

    /// The 32 insert values (the update uses the first 30 and the old rowid).
    fn row<'a>(
        &self,
        rowid: i64,
        event: &'a PreparedEvent,
    ) -> impl Iterator<Item = ToSqlOutput<'a>> + use<'a> {
        let int = |i| ToSqlOutput::Owned(SqlValue::Integer(i));
        [
            int(rowid),
            int(self.source_id),
            ToSqlOutput::Borrowed(ValueRef::Text(event.event_id().as_bytes())),
        ]
        .into_iter()
        .chain(event.values())
        .chain([int(self.now_ms), int(self.now_ms), int(event.key)])
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

#[cfg(test)]
#[path = "writer_tests.rs"]
mod tests;
