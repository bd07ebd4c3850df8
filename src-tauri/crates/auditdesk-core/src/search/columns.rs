//! The filter and facet columns of every event, in memory and dictionary
//! coded, in rowid (= time) order.
//!
//! Why: counting and faceting N matches through SQLite costs ~0.4 µs per
//! match (a step and six column reads from encrypted pages), so a broad
//! query over a million events took 400–600 ms. From these columns a
//! query's matches are a bitmap (`Bits`) and its facets a few array
//! increments per match: milliseconds. Free text still goes to FTS5, and
//! whole rows are read from SQLite only for the page shown.
//!
//! Built on the first search of a vault from `event_facets`; the columns of
//! `event_who` (users, IPs, resources, orgs, envs, tags) only when a query
//! first asks about them. Shared by every connection to the same vault file
//! and rebuilt when the head of the version chain (its seq and chain hash)
//! moves: every new or changed event appends a version, and events are
//! never deleted, so an unchanged head means unchanged events.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, OnceLock, PoisonError, TryLockError};

use rusqlite::{Connection, OptionalExtension as _};
use rustc_hash::FxHashMap;

pub(crate) use super::dict::Dict;
use super::dict::DictBuilder;

use crate::error::{Error, Result};
use crate::events::SLOTS_PER_MS;

pub(crate) const DAY_MS: i64 = 86_400_000;

/// The version chain's head: (seq, chain hash); `None` for an empty vault.
type Head = Option<(i64, Vec<u8>)>;

pub(crate) struct Columns {
    path: String,
    head: Head,
    /// Ascending: position `i` is the event with rowid `rowids[i]`.
    pub rowids: Vec<i64>,
    pub source_ids: Vec<i64>,
    /// Codes into `source_ids`.
    pub source: Vec<u32>,
    /// `Severity::rank`.
    pub severity: Vec<u8>,
    pub event_type: Dict,
    pub category: Dict,
    pub outcome: Dict,
    /// The label a result row shows (`event_facets.user`).
    pub user: Dict,
    /// UTC day numbers (days since 1970-01-01).
    pub days: Vec<i64>,
    /// Codes into `days`.
    pub day: Vec<u32>,
    who: OnceLock<Who>,
}

/// The `event_who` columns, loaded when a query first needs one.
pub(crate) struct Who {
    pub user_id: Dict,
    pub user_email: Dict,
    pub user_name: Dict,
    pub ip: Dict,
    pub route: Dict,
    pub resource_type: Dict,
    pub resource_id: Dict,
    pub resource_name: Dict,
    pub org_id: Dict,
    pub env_id: Dict,
    /// The JSON array of tags, as stored.
    pub tags: Dict,
}

const WHO_COLUMNS: &str = "user_id, user_email, user_name, ip, route, resource_type, \
     resource_id, resource_name, org_id, env_id, tags";

impl Who {
    fn from_dicts(dicts: [Dict; 11]) -> Who {
        let [
            user_id,
            user_email,
            user_name,
            ip,
            route,
            resource_type,
            resource_id,
            resource_name,
            org_id,
            env_id,
            tags,
        ] = dicts;
        Who {
            user_id,
            user_email,
            user_name,
            ip,
            route,
            resource_type,
            resource_id,
            resource_name,
            org_id,
            env_id,
            tags,
        }
    }

    /// In `WHO_COLUMNS` order.
    pub fn dicts(&self) -> [&Dict; 11] {
        [
            &self.user_id,
            &self.user_email,
            &self.user_name,
            &self.ip,
            &self.route,
            &self.resource_type,
            &self.resource_id,
            &self.resource_name,
            &self.org_id,
            &self.env_id,
            &self.tags,
        ]
    }
}

/// The largest dictionary a refresh indexes again (see `from_dict`); tiny
/// in tests, so that they take both ways.
#[cfg(not(test))]
pub(super) const REINDEX_MAX: usize = 4096;
#[cfg(test)]
pub(super) const REINDEX_MAX: usize = 2;

static IN_MEMORY: AtomicBool = AtomicBool::new(true);

/// Whether searches keep the columns in memory (by default they do). A
/// process that runs one search and exits (the CLI) should turn this off:
/// building the columns reads every event once, which a single search
/// never pays back, so it reads SQLite alone.
pub fn keep_in_memory(on: bool) {
    IN_MEMORY.store(on, Ordering::Relaxed);
}

/// Bumped by `forget` and `reset`: a build that began before either is not
/// cached.
static EPOCH: AtomicU64 = AtomicU64::new(0);
/// Set by `forget` (the vault locked), cleared by `reset` (a vault opened):
/// while set, columns are built for the search at hand and not kept.
static SEALED: AtomicBool = AtomicBool::new(false);

/// Drops every vault's columns and keeps none until `reset`. Locking calls
/// this, so the decrypted values leave memory with the key, and a search
/// still running on another connection (a report) does not bring them
/// back. Never waits for a build under way: that build clears the cache
/// itself when it ends.
pub fn forget() {
    SEALED.store(true, Ordering::SeqCst);
    EPOCH.fetch_add(1, Ordering::SeqCst);
    match CACHE.try_lock() {
        Ok(mut cache) => cache.clear(),
        Err(TryLockError::Poisoned(cache)) => cache.into_inner().clear(),
        Err(TryLockError::WouldBlock) => {}
    }
}

/// Drops every vault's columns and keeps them again from now on: opening
/// a vault (or switching to another) calls this before `warm`.
pub fn reset() {
    EPOCH.fetch_add(1, Ordering::SeqCst);
    SEALED.store(false, Ordering::SeqCst);
    CACHE.lock().unwrap_or_else(PoisonError::into_inner).clear();
}

/// Vaults whose columns are kept: the app has one open. (The unit tests
/// share this cache across threads and check what it keeps.)
#[cfg(not(test))]
const KEEP: usize = 2;
#[cfg(test)]
const KEEP: usize = 64;
static CACHE: Mutex<Vec<Arc<Columns>>> = Mutex::new(Vec::new());

/// The columns of the vault `conn` reads, as of its current snapshot; the
/// caller holds a read transaction across this and every read that must
/// agree with it. `None` for a database without a file (an in-memory
/// schema), which is searched in SQL alone.
pub(crate) fn current(conn: &Connection) -> Result<Option<Arc<Columns>>> {
    let Some(path) = conn
        .path()
        .filter(|p| !p.is_empty() && IN_MEMORY.load(Ordering::Relaxed))
    else {
        return Ok(None);
    };
    let epoch = EPOCH.load(Ordering::SeqCst);
    let head = head(conn)?;
    let mut cache = CACHE.lock().unwrap_or_else(PoisonError::into_inner);
    let known = cache.iter().find(|c| c.path == path).cloned();
    if let Some(known) = &known
        && known.head == head
    {
        return Ok(Some(Arc::clone(known)));
    }
    // A reader on an older snapshot than the cached columns (a long read
    // transaction) gets columns of its own, uncached.
    if let (Some(known), Some((seq, _))) = (&known, &head)
        && known.head.as_ref().is_some_and(|(k, _)| k > seq)
    {
        return Ok(Some(Arc::new(Columns::load(conn, path, head)?)));
    }
    let refreshed = match &known {
        Some(known) => known.refresh(conn, head.clone())?,
        None => None,
    };
    let columns = Arc::new(match refreshed {
        Some(columns) => columns,
        None => Columns::load(conn, path, head)?,
    });
    if SEALED.load(Ordering::SeqCst) {
        // `forget` ran while this was built, and could not clear then.
        cache.clear();
    } else if EPOCH.load(Ordering::SeqCst) == epoch {
        cache.retain(|c| c.path != path);
        cache.insert(0, Arc::clone(&columns));
        cache.truncate(KEEP);
    }
    Ok(Some(columns))
}

fn head(conn: &Connection) -> Result<Head> {
    Ok(conn
        .query_row(
            "SELECT seq, chain_hash FROM event_versions ORDER BY seq DESC LIMIT 1",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?)
}

/// Columns being written, position by position, in rowid order.
struct Builder {
    rowids: Vec<i64>,
    source_ids: Vec<i64>,
    source: Vec<u32>,
    severity: Vec<u8>,
    days: Vec<i64>,
    day_codes: FxHashMap<i64, u32>,
    day: Vec<u32>,
    /// type, category, outcome, user.
    facets: [DictBuilder; 4],
    who: Option<[DictBuilder; 11]>,
}

/// One event's values as read from `event_facets` (and `event_who`).
struct Row {
    rowid: i64,
    source_id: i64,
    severity: i64,
    facets: [Option<String>; 4],
    who: [Option<String>; 11],
}

impl Builder {
    fn new(rows: usize) -> Builder {
        Builder {
            rowids: Vec::with_capacity(rows),
            source_ids: Vec::new(),
            source: Vec::with_capacity(rows),
            severity: Vec::with_capacity(rows),
            days: Vec::new(),
            day_codes: FxHashMap::default(),
            day: Vec::with_capacity(rows),
            facets: std::array::from_fn(|_| DictBuilder::default()),
            who: None,
        }
    }

    /// Goes on from `old`'s dictionaries, so its codes can be copied.
    fn from_columns(old: &Columns, rows: usize) -> Builder {
        let facets = [&old.event_type, &old.category, &old.outcome, &old.user]
            .map(|d| DictBuilder::from_dict(d, rows));
        let who = old
            .who
            .get()
            .map(|w| w.dicts().map(|d| DictBuilder::from_dict(d, rows)));
        Builder {
            rowids: Vec::with_capacity(rows),
            source_ids: old.source_ids.clone(),
            source: Vec::with_capacity(rows),
            severity: Vec::with_capacity(rows),
            days: old.days.clone(),
            day_codes: old
                .days
                .iter()
                .enumerate()
                .filter_map(|(code, d)| Some((*d, u32::try_from(code).ok()?)))
                .collect(),
            day: Vec::with_capacity(rows),
            facets,
            who,
        }
    }

    /// Everything but the text columns of a new row.
    fn push_numbers(&mut self, rowid: i64, source_id: i64, severity: i64) {
        self.rowids.push(rowid);
        let code = match self.source_ids.iter().position(|&s| s == source_id) {
            Some(code) => code,
            None => {
                self.source_ids.push(source_id);
                self.source_ids.len() - 1
            }
        };
        self.source.push(u32::try_from(code).unwrap_or(u32::MAX));
        self.severity
            .push(u8::try_from(severity).unwrap_or(u8::MAX));
        let d = rowid.div_euclid(SLOTS_PER_MS).div_euclid(DAY_MS);
        let code = match self.day_codes.get(&d) {
            Some(&code) => code,
            None => {
                let code = u32::try_from(self.days.len()).unwrap_or(u32::MAX);
                self.days.push(d);
                self.day_codes.insert(d, code);
                code
            }
        };
        self.day.push(code);
    }

    fn push_row(&mut self, row: &Row) -> Result<()> {
        self.push_numbers(row.rowid, row.source_id, row.severity);
        for (dict, value) in self.facets.iter_mut().zip(&row.facets) {
            dict.push_str(value.as_deref())?;
        }
        if let Some(who) = &mut self.who {
            for (dict, value) in who.iter_mut().zip(&row.who) {
                dict.push_str(value.as_deref())?;
            }
        }
        Ok(())
    }

    /// Positions `range` of `old`, unchanged.
    fn push_old(&mut self, old: &Columns, range: std::ops::Range<usize>) {
        self.rowids.extend_from_slice(&old.rowids[range.clone()]);
        self.source.extend_from_slice(&old.source[range.clone()]);
        self.severity
            .extend_from_slice(&old.severity[range.clone()]);
        self.day.extend_from_slice(&old.day[range.clone()]);
        let dicts = [&old.event_type, &old.category, &old.outcome, &old.user];
        for (dict, from) in self.facets.iter_mut().zip(dicts) {
            dict.codes.extend_from_slice(&from.codes[range.clone()]);
        }
        if let (Some(who), Some(from)) = (&mut self.who, old.who.get()) {
            for (dict, from) in who.iter_mut().zip(from.dicts()) {
                dict.codes.extend_from_slice(&from.codes[range.clone()]);
            }
        }
    }

    fn finish(self, path: &str, head: Head) -> Columns {
        let [event_type, category, outcome, user] = self.facets.map(DictBuilder::finish);
        let who = OnceLock::new();
        if let Some(dicts) = self.who {
            let _ = who.set(Who::from_dicts(dicts.map(DictBuilder::finish)));
        }
        Columns {
            path: path.to_string(),
            head,
            rowids: self.rowids,
            source_ids: self.source_ids,
            source: self.source,
            severity: self.severity,
            event_type,
            category,
            outcome,
            user,
            days: self.days,
            day: self.day,
            who,
        }
    }
}

impl Columns {
    /// Reads the columns; inside the caller's read transaction.
    pub(crate) fn load(conn: &Connection, path: &str, head: Head) -> Result<Columns> {
        let n: i64 = conn.query_row("SELECT count(*) FROM event_facets", [], |r| r.get(0))?;
        let mut b = Builder::new(usize::try_from(n).unwrap_or(0));
        let mut stmt = conn.prepare(
            "SELECT id, source_id, severity, type, category, outcome, user
             FROM event_facets ORDER BY id",
        )?;
        let mut rows = stmt.query([])?;
        while let Some(r) = rows.next()? {
            b.push_numbers(r.get(0)?, r.get(1)?, r.get(2)?);
            for (k, dict) in b.facets.iter_mut().enumerate() {
                dict.push(r.get_ref(k + 3)?)?;
            }
        }
        Ok(b.finish(path, head))
    }

    /// These columns brought up to `head` by reading only the events with
    /// versions after this one's head; `None` when that cannot be done
    /// (another vault at the path, an event that moved in time, or so many
    /// changes that loading afresh is as quick).
    pub(crate) fn refresh(&self, conn: &Connection, head: Head) -> Result<Option<Columns>> {
        let Some((seq, hash)) = &self.head else {
            return Ok(None);
        };
        // The chain hash covers every version before it: the same hash at
        // the same seq is the same history.
        let same: Option<Vec<u8>> = conn
            .query_row(
                "SELECT chain_hash FROM event_versions WHERE seq = ?1",
                [seq],
                |r| r.get(0),
            )
            .optional()?;
        if same.as_ref() != Some(hash) {
            return Ok(None);
        }
        // Values added again by refreshes (see `from_dict`) are dropped
        // by loading afresh once they could outgrow the events.
        let mut dicts = vec![&self.event_type, &self.category, &self.outcome, &self.user];
        if let Some(who) = self.who.get() {
            dicts.extend(who.dicts());
        }
        if dicts.iter().any(|d| d.values.len() > 2 * self.len() + 1024) {
            return Ok(None);
        }
        let changed: i64 = conn.query_row(
            "SELECT count(*) FROM event_versions WHERE seq > ?1",
            [seq],
            |r| r.get(0),
        )?;
        if usize::try_from(changed).unwrap_or(usize::MAX) > self.len() / 4 + 1000 {
            return Ok(None);
        }
        let mut stmt = conn.prepare(&format!(
            "SELECT f.id, f.source_id, f.severity, f.type, f.category, f.outcome, f.user,
                    {WHO_COLUMNS},
                    EXISTS (SELECT 1 FROM event_versions AS o
                            WHERE o.event_rowid = f.id AND o.seq <= ?1),
                    w.id IS NULL
             FROM event_facets AS f LEFT JOIN event_who AS w ON w.id = f.id
             WHERE f.id IN (SELECT event_rowid FROM event_versions WHERE seq > ?1)
             ORDER BY f.id"
        ))?;
        let mut rows = stmt.query([seq])?;
        let mut updates = Vec::new();
        while let Some(r) = rows.next()? {
            let rowid: i64 = r.get(0)?;
            let existed: bool = r.get(18)?;
            // An event the vault held before, at a rowid these columns do
            // not have, moved in time: its old position is unknown here.
            // (Its older versions name the new rowid through the foreign
            // key's ON UPDATE CASCADE; every vault connection enables
            // foreign keys.) A row missing from `event_who` is drift, which
            // loading afresh reports.
            let no_who: bool = r.get(19)?;
            if no_who || (existed && self.rowids.binary_search(&rowid).is_err()) {
                return Ok(None);
            }
            let mut row = Row {
                rowid,
                source_id: r.get(1)?,
                severity: r.get(2)?,
                facets: Default::default(),
                who: Default::default(),
            };
            for (k, value) in row.facets.iter_mut().enumerate() {
                *value = r.get(k + 3)?;
            }
            for (k, value) in row.who.iter_mut().enumerate() {
                *value = r.get(k + 7)?;
            }
            updates.push(row);
        }
        let mut b = Builder::from_columns(self, self.len() + updates.len());
        // The unchanged stretches between changed rows are copied whole.
        let mut done = 0;
        for row in &updates {
            let at = self.position(row.rowid);
            b.push_old(self, done..at);
            b.push_row(row)?;
            done = if self.rowids.get(at) == Some(&row.rowid) {
                at + 1
            } else {
                at
            };
        }
        b.push_old(self, done..self.len());
        // (No `count(*)` of `event_facets` to check the length: at a million
        // events it costs more than the rest of the refresh, and the moves
        // it would catch are caught above as long as foreign keys are on,
        // which `Vault::open` sets and bookmarks rely on as well.)
        Ok(Some(b.finish(&self.path, head)))
    }

    pub fn len(&self) -> usize {
        self.rowids.len()
    }

    /// The position of the first event with a rowid ≥ `rowid`.
    pub fn position(&self, rowid: i64) -> usize {
        self.rowids.partition_point(|&r| r < rowid)
    }

    /// The `event_who` columns, read on first use. The caller's snapshot
    /// must be the one these columns were built from (`current` just
    /// returned them inside the same read transaction).
    pub fn who(&self, conn: &Connection) -> Result<&Who> {
        if let Some(who) = self.who.get() {
            return Ok(who);
        }
        let who = self.load_who(conn)?;
        Ok(self.who.get_or_init(|| who))
    }

    fn load_who(&self, conn: &Connection) -> Result<Who> {
        let mut dicts: [DictBuilder; 11] = std::array::from_fn(|_| DictBuilder::default());
        let mut stmt = conn.prepare(&format!(
            "SELECT id, {WHO_COLUMNS} FROM event_who ORDER BY id"
        ))?;
        let mut rows = stmt.query([])?;
        let mut i = 0;
        while let Some(r) = rows.next()? {
            let rowid: i64 = r.get(0)?;
            if self.rowids.get(i) != Some(&rowid) {
                return Err(drift());
            }
            for (k, dict) in dicts.iter_mut().enumerate() {
                dict.push(r.get_ref(k + 1)?)?;
            }
            i += 1;
        }
        if i != self.rowids.len() {
            return Err(drift());
        }
        Ok(Who::from_dicts(dicts.map(DictBuilder::finish)))
    }
}

fn drift() -> Error {
    Error::Invalid(
        "the search copies event_facets and event_who disagree (`vault verify` names the rows)"
            .into(),
    )
}
