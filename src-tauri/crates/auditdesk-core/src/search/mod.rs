//! Search over the vault. This is the first cut of DESIGN §6: bare words
//! (exact, case-insensitive terms through FTS5), `term*` prefixes,
//! `"phrases"`, implicit AND, and the field filters `type:` `status:`/
//! `outcome:` `severity:` (also `severity>=warning`) `category:` `tag:`
//! `id:` `source:`. User text only ever reaches SQL as bound parameters and
//! FTS5 as quoted strings.

mod query;

use rusqlite::{Connection, params_from_iter};
use serde::Serialize;

pub use query::{Clause, Query, SeverityOp, parse};

use crate::error::Result;
use crate::events::{EVENT_COLUMNS, read_row};

pub const DEFAULT_LIMIT: u32 = 50;

#[derive(Debug, Clone, Serialize, PartialEq)]
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
    pub action: Option<String>,
    pub description: Option<String>,
    pub tags: Vec<String>,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct SearchPage {
    pub total: u64,
    pub events: Vec<SearchHit>,
}

struct Compiled {
    where_sql: String,
    params: Vec<rusqlite::types::Value>,
}

fn compile(query: &Query) -> Compiled {
    use rusqlite::types::Value as V;
    let mut conds: Vec<String> = Vec::new();
    let mut params: Vec<V> = Vec::new();
    let mut fts: Vec<String> = Vec::new();
    for clause in &query.clauses {
        match clause {
            Clause::Term { text, prefix } => fts.push(format!(
                "{}{}",
                fts_quote(text),
                if *prefix { "*" } else { "" }
            )),
            Clause::Phrase(text) => fts.push(fts_quote(text)),
            Clause::Type(v) => {
                conds.push("e.type = ? COLLATE NOCASE".into());
                params.push(V::Text(v.clone()));
            }
            Clause::Outcome(v) => {
                conds.push("e.outcome = ? COLLATE NOCASE".into());
                params.push(V::Text(v.clone()));
            }
            Clause::Category(v) => {
                conds.push("e.category = ? COLLATE NOCASE".into());
                params.push(V::Text(v.clone()));
            }
            Clause::Severity(op, s) => {
                conds.push(format!("e.severity {} ?", op.sql()));
                params.push(V::Integer(s.rank()));
            }
            Clause::Tag(v) => {
                conds.push(
                    "EXISTS (SELECT 1 FROM json_each(e.tags) AS t WHERE t.value = ? COLLATE NOCASE)"
                        .into(),
                );
                params.push(V::Text(v.clone()));
            }
            Clause::Id(v) => {
                conds.push("e.event_key = ? AND e.event_id = ?".into());
                params.push(V::Integer(crate::events::event_key(v)));
                params.push(V::Text(v.clone()));
            }
            Clause::Source(v) => {
                conds.push("s.name = ?".into());
                params.push(V::Text(v.clone()));
            }
        }
    }
    if !fts.is_empty() {
        conds.push("e.id IN (SELECT rowid FROM events_fts WHERE events_fts MATCH ?)".into());
        params.push(V::Text(fts.join(" AND ")));
    }
    let where_sql = if conds.is_empty() {
        String::new()
    } else {
        format!("WHERE {}", conds.join(" AND "))
    };
    Compiled { where_sql, params }
}

/// An FTS5 string literal: the tokenizer splits it into terms, and nothing
/// in it can be read as FTS syntax.
fn fts_quote(text: &str) -> String {
    format!("\"{}\"", text.replace('"', "\"\""))
}

pub fn count(conn: &Connection, query: &Query) -> Result<u64> {
    let c = compile(query);
    let sql = format!(
        "SELECT count(*) FROM events AS e JOIN sources AS s ON s.id = e.source_id {}",
        c.where_sql
    );
    let n: i64 = conn.query_row(&sql, params_from_iter(c.params.iter()), |r| r.get(0))?;
    Ok(u64::try_from(n).unwrap_or(0))
}

/// A page of results, newest first, with the total for the whole query.
pub fn search(conn: &Connection, query: &Query, limit: u32, offset: u64) -> Result<SearchPage> {
    let total = count(conn, query)?;
    let c = compile(query);
    let sql = format!(
        "SELECT {EVENT_COLUMNS} FROM events AS e JOIN sources AS s ON s.id = e.source_id {}
         ORDER BY e.id DESC LIMIT {} OFFSET {}",
        c.where_sql,
        limit,
        i64::try_from(offset).unwrap_or(i64::MAX)
    );
    let mut stmt = conn.prepare(&sql)?;
    let events = stmt
        .query_map(params_from_iter(c.params.iter()), read_row)?
        .map(|row| {
            row.map(|(_, s)| {
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
                    action: e.body.action,
                    description: e.body.description,
                    tags: e.body.tags,
                }
            })
        })
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(SearchPage { total, events })
}
