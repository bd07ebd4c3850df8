//! Search over the vault (DESIGN §6): the query language (`parse` → `Expr`
//! → parameterised SQL and FTS5), pages by offset or keyset in any sort
//! order, totals, and facet counts. The CLI, the app, saved searches and
//! exports all come through here.

mod ast;
mod bits;
mod columns;
pub(crate) mod compile;
mod dict;
mod eval;
mod facets;
mod fields;
mod page;
mod parse;
mod sort;

use rusqlite::types::Value;
use rusqlite::{Connection, params_from_iter};
use serde::Serialize;

pub use ast::{Expr, FIELD_NAMES, Filter, IpNet, SeverityOp, TextField, TimeField};
pub use columns::{forget as forget_columns, keep_in_memory, reset as reset_columns};
pub use compile::register_functions;
pub use facets::Facets;
pub use fields::{FIELDS, FieldHelp};
pub use sort::{Cursor, Sort, SortField};

use crate::activity::{self, Action};
use crate::domain::StoredEvent;
use crate::error::Result;
use crate::events::{EVENT_COLUMNS, read_row};

pub const DEFAULT_LIMIT: u32 = 50;

/// A parsed query with the text it came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Query {
    pub text: String,
    pub expr: Expr,
}

pub fn parse(text: &str) -> Result<Query> {
    Ok(Query {
        text: text.to_string(),
        expr: parse::parse(text)?,
    })
}

/// What to fetch besides the query itself.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Request {
    pub sort: Sort,
    pub limit: u32,
    /// Skip this many (ignored when `after` is given).
    pub offset: u64,
    /// Keyset paging: continue after this cursor (a page's `next_cursor`).
    pub after: Option<Cursor>,
    pub facets: bool,
}

impl Default for Request {
    fn default() -> Self {
        Request {
            sort: Sort::default(),
            limit: DEFAULT_LIMIT,
            offset: 0,
            after: None,
            facets: false,
        }
    }
}

#[derive(Debug, Clone, Serialize, PartialEq)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct SearchHit {
    pub id: String,
    pub source: String,
    pub occurred_at: String,
    #[serde(rename = "type")]
    pub event_type: String,
    pub category: String,
    pub severity: String,
    pub outcome: String,
    pub user: Option<String>,
    pub user_id: Option<String>,
    pub user_email: Option<String>,
    pub user_name: Option<String>,
    pub user_role: Option<String>,
    pub ip: Option<String>,
    pub route: Option<String>,
    pub resource_type: Option<String>,
    pub resource_id: Option<String>,
    pub resource_name: Option<String>,
    pub action: Option<String>,
    pub description: Option<String>,
    pub request_id: Option<String>,
    pub session_id: Option<String>,
    pub org_id: Option<String>,
    pub env_id: Option<String>,
    pub tags: Vec<String>,
    pub details: Option<serde_json::Value>,
}

impl From<StoredEvent> for SearchHit {
    fn from(s: StoredEvent) -> SearchHit {
        let e = s.event;
        SearchHit {
            user: e.body.actor.label().map(str::to_string),
            id: e.event_id,
            source: s.source,
            occurred_at: e
                .occurred_at
                .to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
            event_type: e.event_type,
            category: e.category,
            severity: e.severity.as_str().to_string(),
            outcome: e.outcome,
            user_id: e.body.actor.user_id,
            user_email: e.body.actor.email,
            user_name: e.body.actor.name,
            user_role: e.body.actor.role,
            ip: e.body.ip,
            route: e.body.route,
            resource_type: e.body.resource_type,
            resource_id: e.body.resource_id,
            resource_name: e.body.resource_name,
            action: e.body.action,
            description: e.body.description,
            request_id: e.body.request_id,
            session_id: e.body.session_id,
            org_id: e.body.org_id,
            env_id: e.body.env_id,
            tags: e.body.tags,
            details: e.body.details,
        }
    }
}

#[derive(Debug, Clone, Serialize, PartialEq)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct SearchPage {
    pub total: u64,
    pub sort: String,
    pub offset: u64,
    pub events: Vec<SearchHit>,
    /// Pass as `after` for the next page; absent on the last page.
    pub next_cursor: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub facets: Option<Facets>,
}

pub fn count(conn: &Connection, query: &Query) -> Result<u64> {
    snapshot(conn, "search_count", || match columns::current(conn)? {
        Some(cols) => Ok(eval::matches(conn, &cols, &query.expr)?.count()),
        None => count_sql(conn, query),
    })
}

fn count_sql(conn: &Connection, query: &Query) -> Result<u64> {
    let c = compile::compile(&query.expr);
    let sql = format!("SELECT count(*) FROM {} WHERE {}", c.from(false), c.cond);
    let n: i64 = conn.query_row(&sql, params_from_iter(c.params.iter()), |r| r.get(0))?;
    Ok(u64::try_from(n).unwrap_or(0))
}

/// `read` inside one read transaction (a savepoint, so it nests in a
/// caller's): the total, facets and page of a search agree even while a
/// sync commits on another connection.
fn snapshot<T>(conn: &Connection, name: &str, read: impl FnOnce() -> Result<T>) -> Result<T> {
    conn.execute_batch(&format!("SAVEPOINT {name}"))?;
    let out = read();
    // Nothing was written: releasing ends the read either way.
    conn.execute_batch(&format!("RELEASE {name}"))?;
    out
}

/// Builds the in-memory columns of `conn`'s vault now, those of users, IPs,
/// resources and tags included (the app does this on a connection of its
/// own after unlocking), so no search waits for them. Nothing when columns
/// are not kept in memory.
pub fn warm(conn: &Connection) -> Result<()> {
    snapshot(conn, "search_warm", || {
        if let Some(cols) = columns::current(conn)? {
            cols.who(conn)?;
        }
        Ok(())
    })
}

/// A page of results with the total (and facets when asked). Reads only;
/// `run` is the same with the search recorded in the activity log.
pub fn search(conn: &Connection, query: &Query, request: &Request) -> Result<SearchPage> {
    snapshot(conn, "search", || match columns::current(conn)? {
        Some(cols) => search_columns(conn, &cols, query, request),
        None => search_sql(conn, query, request),
    })
}

/// Total and facets from the in-memory columns; the page too in time
/// order, else from SQL.
fn search_columns(
    conn: &Connection,
    cols: &columns::Columns,
    query: &Query,
    request: &Request,
) -> Result<SearchPage> {
    let bits = eval::matches(conn, cols, &query.expr)?;
    let (total, facets) = if request.facets {
        let f = eval::facets(cols, &bits);
        (f.total, Some(f))
    } else {
        (bits.count(), None)
    };
    let (events, offset, next_cursor) = match page::positions(conn, cols, &bits, request)? {
        Some(positions) => {
            let rowids: Vec<String> = positions
                .iter()
                .map(|&i| cols.rowids[i].to_string())
                .collect();
            // SQL orders the chosen rows and hands back their sort keys, so
            // the cursor is the one `page_sql` would give.
            let sql = format!(
                "SELECT {EVENT_COLUMNS}, {} FROM event_facets AS f JOIN events AS e ON e.id = f.id
                 JOIN sources AS s ON s.id = f.source_id
                 WHERE f.id IN (SELECT value FROM json_each(?)) ORDER BY {}",
                request.sort.key_sql(),
                request.sort.order_sql()
            );
            let params = [Value::Text(format!("[{}]", rowids.join(",")))];
            let (events, next_cursor) = read_page(conn, &sql, &params, request)?;
            let offset = if request.after.is_some() {
                0
            } else {
                request.offset
            };
            (events, offset, next_cursor)
        }
        None => page_sql(conn, query, request)?,
    };
    Ok(SearchPage {
        total,
        sort: request.sort.to_string(),
        offset,
        events,
        next_cursor,
        facets,
    })
}

fn search_sql(conn: &Connection, query: &Query, request: &Request) -> Result<SearchPage> {
    let (total, facets) = if request.facets {
        let f = facets::facets(conn, query)?;
        (f.total, Some(f))
    } else {
        (count_sql(conn, query)?, None)
    };
    let (events, offset, next_cursor) = page_sql(conn, query, request)?;
    Ok(SearchPage {
        total,
        sort: request.sort.to_string(),
        offset,
        events,
        next_cursor,
        facets,
    })
}

/// A page in any order, by SQL: the events, the offset used and the next
/// cursor.
fn page_sql(
    conn: &Connection,
    query: &Query,
    request: &Request,
) -> Result<(Vec<SearchHit>, u64, Option<String>)> {
    // As many as asked: a script that asks for everything gets everything
    // (the UI asks for 50; exports stream through `for_each` instead).
    let limit = request.limit;
    let c = compile::compile(&query.expr);
    let from = c.from(true);
    let mut params = c.params;
    let mut cond = c.cond;
    let offset = if let Some(cursor) = &request.after {
        let (keyset, values) = request.sort.after(cursor)?;
        cond = format!("{cond} AND {keyset}");
        params.extend(values);
        0
    } else {
        request.offset
    };
    let sql = format!(
        "SELECT {EVENT_COLUMNS}, {} FROM {from} WHERE {cond} ORDER BY {} LIMIT {} OFFSET {}",
        request.sort.key_sql(),
        request.sort.order_sql(),
        // One more than asked tells whether there is a next page.
        i64::from(limit) + 1,
        i64::try_from(offset).unwrap_or(i64::MAX)
    );
    let (events, next_cursor) = read_page(conn, &sql, &params, request)?;
    Ok((events, offset, next_cursor))
}

/// Runs a page query (the event columns, then the sort key; one row more
/// than the limit) and returns the page and the next cursor.
fn read_page(
    conn: &Connection,
    sql: &str,
    params: &[Value],
    request: &Request,
) -> Result<(Vec<SearchHit>, Option<String>)> {
    // Not cached: `page_sql`'s text changes with every query and page.
    let mut stmt = conn.prepare(sql)?;
    let mut rows = stmt
        .query_map(params_from_iter(params.iter()), |r| {
            let (rowid, event) = read_row(r)?;
            let key: Value = r.get(EVENT_COLUMN_COUNT)?;
            Ok((rowid, key, event))
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    let more = rows.len() > request.limit as usize;
    rows.truncate(request.limit as usize);
    let next_cursor = match rows.last() {
        Some((rowid, key, _)) if more => Some(request.sort.cursor(key, *rowid).encode()),
        _ => None,
    };
    Ok((
        rows.into_iter().map(|(_, _, e)| e.into()).collect(),
        next_cursor,
    ))
}

/// `search`, recorded in the reviewer-activity log.
pub fn run(conn: &Connection, query: &Query, request: &Request) -> Result<SearchPage> {
    let page = search(conn, query, request)?;
    activity::record(
        conn,
        Action::Search,
        &query.text,
        serde_json::json!({"total": page.total, "sort": page.sort}),
    )?;
    Ok(page)
}

/// How many columns `EVENT_COLUMNS` selects: the sort key comes after them.
const EVENT_COLUMN_COUNT: usize = 31;

/// Every event the query matches, in `sort` order, one at a time: exports
/// stream through this and never hold the result in memory.
pub fn for_each(
    conn: &Connection,
    query: &Query,
    sort: &Sort,
    mut each: impl FnMut(StoredEvent) -> Result<()>,
) -> Result<u64> {
    for_each_row(conn, query, sort, |_, event| each(event))
}

/// `for_each` with each event's rowid (its place in time order).
pub fn for_each_row(
    conn: &Connection,
    query: &Query,
    sort: &Sort,
    mut each: impl FnMut(i64, StoredEvent) -> Result<()>,
) -> Result<u64> {
    let c = compile::compile(&query.expr);
    let sql = format!(
        "SELECT {EVENT_COLUMNS} FROM {} WHERE {} ORDER BY {}",
        c.from(true),
        c.cond,
        sort.order_sql()
    );
    let mut stmt = conn.prepare(&sql)?;
    let mut rows = stmt.query(params_from_iter(c.params.iter()))?;
    let mut n = 0;
    while let Some(row) = rows.next()? {
        let (rowid, event) = read_row(row)?;
        each(rowid, event)?;
        n += 1;
    }
    Ok(n)
}

/// The rowids of every event the query matches, ascending.
pub fn rowids(conn: &Connection, query: &Query) -> Result<Vec<i64>> {
    let c = compile::compile(&query.expr);
    let sql = format!(
        "SELECT f.id FROM {} WHERE {} ORDER BY f.id",
        c.from(false),
        c.cond
    );
    let mut stmt = conn.prepare(&sql)?;
    let ids = stmt
        .query_map(params_from_iter(c.params.iter()), |r| r.get(0))?
        .collect::<rusqlite::Result<Vec<i64>>>()?;
    Ok(ids)
}

#[cfg(test)]
mod eval_tests;
#[cfg(test)]
mod tests;
