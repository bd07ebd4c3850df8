//! `Expr` evaluated over `Columns`: a query's matches as `Bits`, their
//! facets, and the positions of a page in time order. It must mean exactly
//! what the SQL of `compile` means (the property tests hold the two to the
//! same rowids and facets on generated vaults): free text, `case:`,
//! `bookmarked:` and `id:` are asked of SQLite (FTS5 and small tables);
//! every other filter is tested once per distinct value and then read off
//! the codes.

use std::collections::BTreeMap;
use std::net::IpAddr;

use rusqlite::types::Value;
use rusqlite::{Connection, params_from_iter};

use super::ast::{Expr, Filter, SeverityOp, TextField};
use super::bits::Bits;
use super::columns::{Columns, Dict};
use super::compile::{self, fts_rowids, is_text, time_bounds};
use super::facets::{Facets, day_name};
use crate::domain::Severity;
use crate::error::Result;
use crate::events::SLOTS_PER_MS;

pub(crate) fn matches(conn: &Connection, cols: &Columns, expr: &Expr) -> Result<Bits> {
    let n = cols.len();
    Ok(match expr {
        Expr::All => Bits::full(n),
        Expr::Term { .. } | Expr::Phrase(_) => fts(conn, cols, &[expr], None, None)?,
        Expr::Or(_) if is_text(expr) => fts(conn, cols, &[expr], None, None)?,
        Expr::And(items) => {
            // As in SQL: the AND's text is one FTS5 query, bounded by the
            // AND's time filters.
            let (text, rest): (Vec<&Expr>, Vec<&Expr>) = items.iter().partition(|e| is_text(e));
            let mut out = if text.is_empty() {
                Bits::full(n)
            } else {
                let (lo, hi) = time_bounds(&rest);
                fts(conn, cols, &text, lo, hi)?
            };
            for item in rest {
                if out.count() == 0 {
                    break;
                }
                out.and(&matches(conn, cols, item)?);
            }
            out
        }
        Expr::Or(items) => {
            let mut out = Bits::empty(n);
            for item in items {
                out.or(&matches(conn, cols, item)?);
            }
            out
        }
        Expr::Not(inner) => {
            let mut out = matches(conn, cols, inner)?;
            out.not();
            out
        }
        Expr::Filter(filter) => self::filter(conn, cols, filter)?,
    })
}

/// The FTS5 matches of all of `text`, within `[lo, hi)` ms when given.
fn fts(
    conn: &Connection,
    cols: &Columns,
    text: &[&Expr],
    lo: Option<i64>,
    hi: Option<i64>,
) -> Result<Bits> {
    let (sql, params) = fts_rowids(text, lo, hi);
    rowid_query(conn, cols, &sql, &params)
}

/// The positions of the rowids a query returns (in any order).
fn rowid_query(conn: &Connection, cols: &Columns, sql: &str, params: &[Value]) -> Result<Bits> {
    let mut stmt = conn.prepare_cached(sql)?;
    let mut rows = stmt.query(params_from_iter(params.iter()))?;
    let mut out = Bits::empty(cols.len());
    // FTS5 and rowid scans return ascending rowids: each is sought from
    // the last one found, galloping, so a dense result costs a few steps
    // per rowid instead of a binary search of the whole column.
    let mut from = 0;
    while let Some(r) = rows.next()? {
        let rowid: i64 = r.get(0)?;
        if cols.rowids.get(from).is_none_or(|&r| r > rowid) {
            from = 0;
        }
        let i = seek(&cols.rowids, from, rowid);
        if cols.rowids.get(i) == Some(&rowid) {
            out.set(i);
            from = i;
        }
    }
    Ok(out)
}

/// The first position at or after `from` whose rowid is ≥ `rowid`.
fn seek(rowids: &[i64], from: usize, rowid: i64) -> usize {
    let mut bound = 1;
    while from + bound < rowids.len() && rowids[from + bound] < rowid {
        bound *= 2;
    }
    let base = from + bound / 2;
    let end = (from + bound + 1).min(rowids.len());
    base + rowids[base..end].partition_point(|&r| r < rowid)
}

fn filter(conn: &Connection, cols: &Columns, filter: &Filter) -> Result<Bits> {
    let n = cols.len();
    Ok(match filter {
        Filter::Severity(op, s) => {
            let rank = s.rank();
            Bits::from_fn(n, |i| {
                let r = i64::from(cols.severity[i]);
                match op {
                    SeverityOp::Eq => r == rank,
                    SeverityOp::Ge => r >= rank,
                    SeverityOp::Gt => r > rank,
                    SeverityOp::Le => r <= rank,
                    SeverityOp::Lt => r < rank,
                }
            })
        }
        Filter::Time { from, to, .. } => {
            let start = from.map_or(0, |f| cols.position(f.saturating_mul(SLOTS_PER_MS)));
            let end = to.map_or(n, |t| cols.position(t.saturating_mul(SLOTS_PER_MS)));
            let mut out = Bits::empty(n);
            out.set_range(start, end);
            out
        }
        Filter::Ip { net, .. } => select(&cols.who(conn)?.ip, |ip| {
            ip.trim()
                .parse::<IpAddr>()
                .is_ok_and(|ip| net.contains(&ip))
        }),
        Filter::Bookmarked(yes) => {
            let mut out = rowid_query(conn, cols, "SELECT event_rowid FROM bookmarks", &[])?;
            if !yes {
                out.not();
            }
            out
        }
        Filter::Text { field, value } => text(conn, cols, *field, value)?,
    })
}

fn text(conn: &Connection, cols: &Columns, field: TextField, value: &str) -> Result<Bits> {
    let m = Matcher::new(value);
    let test = |v: &str| m.matches(v);
    let any = |dicts: &[&Dict]| {
        let mut out = Bits::empty(cols.len());
        for d in dicts {
            out.or(&select(d, test));
        }
        out
    };
    Ok(match field {
        TextField::Type => select(&cols.event_type, test),
        TextField::Category => select(&cols.category, test),
        TextField::Outcome => select(&cols.outcome, test),
        TextField::User => {
            let w = cols.who(conn)?;
            any(&[&w.user_id, &w.user_email, &w.user_name])
        }
        TextField::Email => select(&cols.who(conn)?.user_email, test),
        TextField::Resource => {
            let w = cols.who(conn)?;
            any(&[&w.resource_id, &w.resource_name, &w.resource_type, &w.route])
        }
        TextField::Org => select(&cols.who(conn)?.org_id, test),
        TextField::Env => select(&cols.who(conn)?.env_id, test),
        TextField::Tag => select(&cols.who(conn)?.tags, |json| {
            serde_json::from_str::<Vec<serde_json::Value>>(json).is_ok_and(|tags| {
                tags.iter()
                    .any(|t| t.as_str().is_some_and(|t| m.matches(t)))
            })
        }),
        TextField::Source => {
            let mut stmt = conn.prepare_cached("SELECT id, name FROM sources")?;
            let named = stmt
                .query_map([], |r| Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?)))?
                .collect::<rusqlite::Result<Vec<_>>>()?;
            let keep: Vec<bool> = cols
                .source_ids
                .iter()
                .map(|id| named.iter().any(|(s, name)| s == id && m.matches(name)))
                .collect();
            Bits::from_fn(cols.len(), |i| keep[cols.source[i] as usize])
        }
        // Few rows, or an exact lookup: SQL answers with rowids.
        TextField::Case | TextField::Id => {
            let c = compile::compile(&Expr::Filter(Filter::Text {
                field,
                value: value.to_string(),
            }));
            let sql = format!("SELECT f.id FROM {} WHERE {}", c.from(false), c.cond);
            rowid_query(conn, cols, &sql, &c.params)?
        }
    })
}

/// The positions whose value passes `test`, testing each distinct value once.
fn select(dict: &Dict, test: impl Fn(&str) -> bool) -> Bits {
    let keep = dict.passing(test);
    Bits::from_fn(dict.codes.len(), |i| keep[dict.codes[i] as usize])
}

/// SQL's `= ? COLLATE NOCASE` (no `*`) or `LIKE ? ESCAPE '\'` with `*` as
/// `%` (see `compile::matcher`): both fold ASCII letters only.
enum Matcher {
    Exact(String),
    /// The literal pieces between the `*`s, lowercased.
    Like(Vec<String>),
}

impl Matcher {
    fn new(value: &str) -> Matcher {
        if value.contains('*') {
            Matcher::Like(value.split('*').map(|p| p.to_ascii_lowercase()).collect())
        } else {
            Matcher::Exact(value.to_string())
        }
    }

    fn matches(&self, text: &str) -> bool {
        match self {
            Matcher::Exact(v) => v.eq_ignore_ascii_case(text),
            Matcher::Like(pieces) => {
                let text = text.to_ascii_lowercase();
                let (Some(first), Some(last)) = (pieces.first(), pieces.last()) else {
                    return true;
                };
                // A glob whose only wildcard is "any run": the first piece
                // is a prefix, the last a suffix, and the middle ones occur
                // in order between them, leftmost first.
                if text.len() < first.len() + last.len() || !text.starts_with(first.as_str()) {
                    return false;
                }
                if !text.ends_with(last.as_str()) {
                    return false;
                }
                let mut rest = &text[first.len()..text.len() - last.len()];
                for piece in &pieces[1..pieces.len() - 1] {
                    match rest.find(piece.as_str()) {
                        Some(at) => rest = &rest[at + piece.len()..],
                        None => return false,
                    }
                }
                true
            }
        }
    }
}

/// Facet counts (and the total) of `bits`.
pub(crate) fn facets(cols: &Columns, bits: &Bits) -> Facets {
    let mut category = vec![0u64; cols.category.values.len()];
    let mut outcome = vec![0u64; cols.outcome.values.len()];
    let mut event_type = vec![0u64; cols.event_type.values.len()];
    let mut user = vec![0u64; cols.user.values.len()];
    let mut day = vec![0u64; cols.days.len()];
    let mut severity = [0u64; 256];
    let mut total = 0;
    for i in bits.ones() {
        total += 1;
        category[cols.category.codes[i] as usize] += 1;
        outcome[cols.outcome.codes[i] as usize] += 1;
        event_type[cols.event_type.codes[i] as usize] += 1;
        user[cols.user.codes[i] as usize] += 1;
        day[cols.day[i] as usize] += 1;
        severity[usize::from(cols.severity[i])] += 1;
    }
    Facets {
        total,
        category: named(&cols.category, &category),
        severity: Severity::ALL
            .iter()
            .filter_map(|s| {
                let n = severity[usize::try_from(s.rank()).ok()?];
                (n > 0).then(|| (s.as_str().to_string(), n))
            })
            .collect(),
        outcome: named(&cols.outcome, &outcome),
        event_type: named(&cols.event_type, &event_type),
        user: named(&cols.user, &user),
        day: cols
            .days
            .iter()
            .zip(day)
            .filter(|(_, n)| *n > 0)
            .map(|(d, n)| (day_name(*d), n))
            .collect(),
    }
}

/// Non-zero counts by value (a refreshed dictionary may hold a value under
/// two codes); NULL (code 0) is not a facet value.
fn named(dict: &Dict, counts: &[u64]) -> BTreeMap<String, u64> {
    let mut out = BTreeMap::new();
    for (value, n) in dict.values.iter().zip(counts) {
        if let Some(value) = value
            && *n > 0
        {
            *out.entry(value.to_string()).or_default() += n;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;
    use rusqlite::Connection;

    use super::Matcher;
    use crate::search::ast::TextField;
    use crate::search::compile;

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2048))]

        /// `Matcher` is SQLite's `= ? COLLATE NOCASE` / `LIKE ? ESCAPE '\'`
        /// as `compile` writes them, on the characters they treat apart.
        #[test]
        fn the_matcher_is_sqlite_nocase_and_like(
            value in "[aAéÉ\\\\%_*]{1,6}",
            text in "[aAéÉ\\\\%_]{0,6}",
        ) {
            let conn = Connection::open_in_memory().unwrap();
            conn.execute_batch("CREATE TABLE event_facets (id INTEGER PRIMARY KEY, type TEXT)").unwrap();
            conn.execute("INSERT INTO event_facets VALUES (1, ?1)", [&text]).unwrap();
            let c = compile::compile(&crate::search::Expr::Filter(crate::search::Filter::Text {
                field: TextField::Type,
                value: value.clone(),
            }));
            let sql: bool = conn
                .query_row(
                    &format!("SELECT count(*) FROM event_facets AS f WHERE {}", c.cond),
                    rusqlite::params_from_iter(c.params.iter()),
                    |r| r.get::<_, i64>(0),
                )
                .unwrap()
                == 1;
            prop_assert_eq!(Matcher::new(&value).matches(&text), sql, "{:?} vs {:?}", value, text);
        }
    }
}
