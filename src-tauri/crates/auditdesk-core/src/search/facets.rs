//! Facet counts for a query: how its matches spread over category,
//! severity, outcome, type, user and day. One pass over the matches
//! computes all of them (and the total).

use std::collections::{BTreeMap, HashMap};

use chrono::DateTime;
use rusqlite::{Connection, params_from_iter};
use serde::Serialize;

use super::columns::DAY_MS;
use super::{Query, compile};
use crate::domain::Severity;
use crate::error::Result;
use crate::events::SLOTS_PER_MS;

#[derive(Debug, Clone, Default, Serialize, PartialEq, Eq)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Facets {
    #[serde(skip)]
    pub total: u64,
    pub category: BTreeMap<String, u64>,
    pub severity: BTreeMap<String, u64>,
    pub outcome: BTreeMap<String, u64>,
    #[serde(rename = "type")]
    pub event_type: BTreeMap<String, u64>,
    /// By the user label a result row shows (e-mail, else name, else id);
    /// events with no user are not counted here.
    pub user: BTreeMap<String, u64>,
    /// Events per UTC day, `YYYY-MM-DD`.
    pub day: BTreeMap<String, u64>,
}

pub(super) fn facets(conn: &Connection, query: &Query) -> Result<Facets> {
    let c = compile::compile(&query.expr);
    let sql = format!(
        "SELECT f.category, f.severity, f.outcome, f.type, f.user, f.id
         FROM {} WHERE {}",
        c.from(false),
        c.cond
    );
    let mut stmt = conn.prepare(&sql)?;
    let mut rows = stmt.query(params_from_iter(c.params.iter()))?;
    // Counting into hash maps keyed by what SQLite hands back, and naming
    // the keys once at the end, keeps the per-row work small.
    let mut category: HashMap<String, u64> = HashMap::new();
    let mut severity = [0u64; 4];
    let mut outcome: HashMap<String, u64> = HashMap::new();
    let mut event_type: HashMap<String, u64> = HashMap::new();
    let mut user: HashMap<String, u64> = HashMap::new();
    let mut day: HashMap<i64, u64> = HashMap::new();
    let mut total = 0;
    while let Some(r) = rows.next()? {
        total += 1;
        bump(&mut category, text(r, 0)?);
        let rank: i64 = r.get(1)?;
        if let Some(slot) = usize::try_from(rank).ok().and_then(|i| severity.get_mut(i)) {
            *slot += 1;
        }
        bump(&mut outcome, text(r, 2)?);
        bump(&mut event_type, text(r, 3)?);
        if r.get_ref(4)? != rusqlite::types::ValueRef::Null {
            bump(&mut user, text(r, 4)?);
        }
        // The rowid is the event's time in ms times SLOTS_PER_MS.
        let rowid: i64 = r.get(5)?;
        let at = rowid.div_euclid(SLOTS_PER_MS);
        *day.entry(at.div_euclid(DAY_MS)).or_default() += 1;
    }
    Ok(Facets {
        total,
        category: category.into_iter().collect(),
        severity: Severity::ALL
            .iter()
            .zip(severity)
            .filter(|(_, n)| *n > 0)
            .map(|(s, n)| (s.as_str().to_string(), n))
            .collect(),
        outcome: outcome.into_iter().collect(),
        event_type: event_type.into_iter().collect(),
        user: user.into_iter().collect(),
        day: day.into_iter().map(|(d, n)| (day_name(d), n)).collect(),
    })
}

/// A day number (days since 1970-01-01, UTC) as `YYYY-MM-DD`.
pub(super) fn day_name(d: i64) -> String {
    DateTime::from_timestamp_millis(d * DAY_MS)
        .map(|t| t.format("%Y-%m-%d").to_string())
        .unwrap_or_else(|| d.to_string())
}

fn bump(map: &mut HashMap<String, u64>, key: &str) {
    match map.get_mut(key) {
        Some(n) => *n += 1,
        None => {
            map.insert(key.to_string(), 1);
        }
    }
}

/// A text column without copying it.
fn text<'r>(r: &'r rusqlite::Row<'_>, i: usize) -> rusqlite::Result<&'r str> {
    r.get_ref(i)?.as_str().map_err(|e| {
        rusqlite::Error::FromSqlConversionFailure(i, rusqlite::types::Type::Text, Box::new(e))
    })
}
