//! Which positions a page of matches shows, from the in-memory columns, in
//! the orders `sort::SortField::key` defines in SQL: the key (BINARY text
//! order, or the severity rank), then the rowid, both ascending or both
//! descending. `id` is not in memory: its pages stay with SQL.

use std::cmp::Ordering;

use rusqlite::Connection;
use rusqlite::types::Value;

use super::bits::Bits;
use super::columns::{Columns, Dict};
use super::sort::SortField;
use super::{Request, Result};

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Key<'a> {
    Int(i64),
    Text(&'a str),
}

/// The positions of the page `request` asks for (one more than its limit,
/// to tell whether another follows), or `None` when SQL must answer.
pub(crate) fn positions(
    conn: &Connection,
    cols: &Columns,
    bits: &Bits,
    request: &Request,
) -> Result<Option<Vec<usize>>> {
    let take = usize::try_from(request.limit)
        .unwrap_or(usize::MAX)
        .saturating_add(1);
    let skip = match request.after {
        Some(_) => 0,
        None => usize::try_from(request.offset).unwrap_or(usize::MAX),
    };
    let sort = request.sort;
    let after = match &request.after {
        Some(cursor) => {
            sort.after(cursor)?;
            Some((cursor.key().clone(), cursor.rowid()))
        }
        None => None,
    };
    if sort.field == SortField::Time {
        let rowid = after.map(|(_, rowid)| rowid);
        return Ok(Some(if sort.descending {
            let end = rowid.map_or(cols.len(), |r| cols.position(r));
            bits.ones_desc_below(end).skip(skip).take(take).collect()
        } else {
            let start = rowid.map_or(0, |r| cols.position(r.saturating_add(1)));
            bits.ones_from(start).skip(skip).take(take).collect()
        }));
    }
    if sort.field == SortField::Id {
        return Ok(None);
    }
    let names = source_names(conn, cols)?;
    let who = match sort.field {
        SortField::Ip | SortField::Resource => Some(cols.who(conn)?),
        _ => None,
    };
    let key = |i: usize| -> Key<'_> {
        match sort.field {
            SortField::Severity => Key::Int(i64::from(cols.severity[i])),
            SortField::Type => Key::Text(text(&cols.event_type, i).unwrap_or("")),
            SortField::Category => Key::Text(text(&cols.category, i).unwrap_or("")),
            SortField::Outcome => Key::Text(text(&cols.outcome, i).unwrap_or("")),
            SortField::User => Key::Text(text(&cols.user, i).unwrap_or("")),
            SortField::Source => Key::Text(
                names
                    .get(cols.source[i] as usize)
                    .map_or("", String::as_str),
            ),
            SortField::Ip => Key::Text(who.and_then(|w| text(&w.ip, i)).unwrap_or("")),
            SortField::Resource => Key::Text(
                who.and_then(|w| {
                    text(&w.resource_name, i)
                        .or_else(|| text(&w.resource_id, i))
                        .or_else(|| text(&w.resource_type, i))
                        .or_else(|| text(&w.route, i))
                })
                .unwrap_or(""),
            ),
            // Answered above.
            SortField::Time | SortField::Id => Key::Int(cols.rowids[i]),
        }
    };
    let bound = match &after {
        None => None,
        Some((Value::Integer(k), rowid)) if sort.field == SortField::Severity => {
            Some((Key::Int(*k), *rowid))
        }
        Some((Value::Text(k), rowid)) if sort.field != SortField::Severity => {
            Some((Key::Text(k.as_str()), *rowid))
        }
        // A key of another type than the column's: SQLite's cross-type
        // order is SQL's business.
        Some(_) => return Ok(None),
    };
    let order = |a: &(Key<'_>, i64, usize), b: &(Key<'_>, i64, usize)| -> Ordering {
        let o = (a.0, a.1).cmp(&(b.0, b.1));
        if sort.descending { o.reverse() } else { o }
    };
    let mut keyed: Vec<(Key<'_>, i64, usize)> = bits
        .ones()
        .map(|i| (key(i), cols.rowids[i], i))
        .filter(|k| match &bound {
            None => true,
            Some((bk, br)) => order(k, &(*bk, *br, 0)) == Ordering::Greater,
        })
        .collect();
    let wanted = skip.saturating_add(take).min(keyed.len());
    if wanted < keyed.len() && wanted > 0 {
        keyed.select_nth_unstable_by(wanted - 1, order);
    }
    keyed.truncate(wanted);
    keyed.sort_unstable_by(order);
    Ok(Some(
        keyed.into_iter().skip(skip).map(|(_, _, i)| i).collect(),
    ))
}

fn text(d: &Dict, i: usize) -> Option<&str> {
    d.values[d.codes[i] as usize].as_deref()
}

/// Each source code's name.
fn source_names(conn: &Connection, cols: &Columns) -> Result<Vec<String>> {
    let mut stmt = conn.prepare_cached("SELECT name FROM sources WHERE id = ?1")?;
    cols.source_ids
        .iter()
        .map(|id| Ok(stmt.query_row([id], |r| r.get(0))?))
        .collect()
}
