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

use std::sync::{Arc, Mutex, OnceLock, PoisonError};

use rusqlite::types::ValueRef;
use rusqlite::{Connection, OptionalExtension as _};
use rustc_hash::FxHashMap;

use crate::error::{Error, Result};
use crate::events::SLOTS_PER_MS;

pub(crate) const DAY_MS: i64 = 86_400_000;

/// The version chain's head: (seq, chain hash); `None` for an empty vault.
type Head = Option<(i64, Vec<u8>)>;

/// A text column as codes into its distinct values. Code 0 is NULL.
pub(crate) struct Dict {
    pub codes: Vec<u32>,
    pub values: Vec<Option<Box<str>>>,
}

impl Dict {
    /// For each code, whether its value passes `test` (NULL never does).
    pub fn passing(&self, test: impl Fn(&str) -> bool) -> Vec<bool> {
        self.values
            .iter()
            .map(|v| v.as_deref().is_some_and(&test))
            .collect()
    }
}

#[derive(Default)]
struct DictBuilder {
    /// Fx, not SipHash: the keys are the vault's own values, and this map
    /// takes a lookup per event and column.
    index: FxHashMap<Box<str>, u32>,
    values: Vec<Option<Box<str>>>,
    codes: Vec<u32>,
}

impl DictBuilder {
    fn push(&mut self, value: ValueRef<'_>) -> Result<()> {
        if self.values.is_empty() {
            self.values.push(None);
        }
        let code = match value {
            ValueRef::Null => 0,
            ValueRef::Text(bytes) => {
                let text = std::str::from_utf8(bytes)
                    .map_err(|e| Error::Invalid(format!("a search column is not UTF-8: {e}")))?;
                match self.index.get(text) {
                    Some(&code) => code,
                    None => {
                        let code = u32::try_from(self.values.len()).map_err(|_| {
                            Error::Invalid("too many distinct values in a search column".into())
                        })?;
                        self.index.insert(text.into(), code);
                        self.values.push(Some(text.into()));
                        code
                    }
                }
            }
            other => {
                return Err(Error::Invalid(format!(
                    "a search column holds {:?}, not text",
                    other.data_type()
                )));
            }
        };
        self.codes.push(code);
        Ok(())
    }

    fn finish(mut self) -> Dict {
        if self.values.is_empty() {
            self.values.push(None);
        }
        Dict {
            codes: self.codes,
            values: self.values,
        }
    }
}

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
    /// UTC day numbers (days since 1970-01-01), ascending.
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

/// Vaults whose columns are kept: the app has one open; tests many.
const KEEP: usize = 2;
static CACHE: Mutex<Vec<Arc<Columns>>> = Mutex::new(Vec::new());

/// The columns of the vault `conn` reads, as of its current snapshot; the
/// caller holds a read transaction across this and every read that must
/// agree with it. `None` for a database without a file (an in-memory
/// schema), which is searched in SQL alone.
pub(crate) fn current(conn: &Connection) -> Result<Option<Arc<Columns>>> {
    let Some(path) = conn.path().filter(|p| !p.is_empty()) else {
        return Ok(None);
    };
    let head = head(conn)?;
    let mut cache = CACHE.lock().unwrap_or_else(PoisonError::into_inner);
    if let Some(found) = cache.iter().find(|c| c.path == path && c.head == head) {
        return Ok(Some(Arc::clone(found)));
    }
    let columns = Arc::new(Columns::load(conn, path, head)?);
    cache.retain(|c| c.path != path);
    cache.insert(0, Arc::clone(&columns));
    cache.truncate(KEEP);
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

impl Columns {
    /// Reads the columns; inside the caller's read transaction.
    pub(crate) fn load(conn: &Connection, path: &str, head: Head) -> Result<Columns> {
        let n: i64 = conn.query_row("SELECT count(*) FROM event_facets", [], |r| r.get(0))?;
        let n = usize::try_from(n).unwrap_or(0);
        let mut rowids = Vec::with_capacity(n);
        let mut source_ids: Vec<i64> = Vec::new();
        let mut source = Vec::with_capacity(n);
        let mut severity = Vec::with_capacity(n);
        let mut days: Vec<i64> = Vec::new();
        let mut day = Vec::with_capacity(n);
        let [mut event_type, mut category, mut outcome, mut user] =
            std::array::from_fn(|_| DictBuilder::default());
        let mut stmt = conn.prepare(
            "SELECT id, source_id, severity, type, category, outcome, user
             FROM event_facets ORDER BY id",
        )?;
        let mut rows = stmt.query([])?;
        while let Some(r) = rows.next()? {
            let rowid: i64 = r.get(0)?;
            rowids.push(rowid);
            let source_id: i64 = r.get(1)?;
            let code = match source_ids.iter().position(|&s| s == source_id) {
                Some(code) => code,
                None => {
                    source_ids.push(source_id);
                    source_ids.len() - 1
                }
            };
            source.push(u32::try_from(code).unwrap_or(u32::MAX));
            let rank: i64 = r.get(2)?;
            severity.push(u8::try_from(rank).unwrap_or(u8::MAX));
            event_type.push(r.get_ref(3)?)?;
            category.push(r.get_ref(4)?)?;
            outcome.push(r.get_ref(5)?)?;
            user.push(r.get_ref(6)?)?;
            // Rowids ascend, so days do: a new day is a new last code.
            let d = rowid.div_euclid(SLOTS_PER_MS).div_euclid(DAY_MS);
            if days.last() != Some(&d) {
                days.push(d);
            }
            day.push(u32::try_from(days.len() - 1).unwrap_or(u32::MAX));
        }
        Ok(Columns {
            path: path.to_string(),
            head,
            rowids,
            source_ids,
            source,
            severity,
            event_type: event_type.finish(),
            category: category.finish(),
            outcome: outcome.finish(),
            user: user.finish(),
            days,
            day,
            who: OnceLock::new(),
        })
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
        let mut stmt = conn.prepare(
            "SELECT id, user_id, user_email, user_name, ip, route, resource_type,
                    resource_id, resource_name, org_id, env_id, tags
             FROM event_who ORDER BY id",
        )?;
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
        ] = dicts.map(DictBuilder::finish);
        Ok(Who {
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
        })
    }
}

fn drift() -> Error {
    Error::Invalid(
        "the search copies event_facets and event_who disagree (`vault verify` names the rows)"
            .into(),
    )
}
