//! `Expr` → a SQL condition over `event_facets AS f` (the narrow copy of
//! the filter columns), joined to `events AS e` and `sources AS s` only when
//! a condition needs them, with every user value a bound parameter. Text
//! goes to FTS5 as quoted strings only, so nothing a user types is read as
//! SQL or FTS5 syntax.

use rusqlite::Connection;
use rusqlite::functions::FunctionFlags;
use rusqlite::types::Value;

use super::ast::{Expr, Filter, IpNet, TextField};
use crate::events::SLOTS_PER_MS;

pub(crate) struct Compiled {
    /// A condition, never empty (`1` matches everything).
    pub cond: String,
    pub params: Vec<Value>,
    /// Whether the condition reads `e.` (the full event row).
    pub needs_events: bool,
    /// Whether it reads `s.` (the source's name).
    pub needs_sources: bool,
    /// Whether it reads `w.` (`event_who`: user, IP, resource, org, env, tags).
    pub needs_who: bool,
}

impl Compiled {
    /// The FROM clause the condition needs; `rows` when whole events are
    /// selected too.
    pub fn from(&self, rows: bool) -> String {
        let mut from = String::from("event_facets AS f");
        if rows || self.needs_events {
            from.push_str(" JOIN events AS e ON e.id = f.id");
        }
        if rows || self.needs_sources {
            from.push_str(" JOIN sources AS s ON s.id = f.source_id");
        }
        if self.needs_who {
            from.push_str(" JOIN event_who AS w ON w.id = f.id");
        }
        from
    }
}

/// What compiling collects besides the SQL text.
struct Ctx {
    params: Vec<Value>,
    events: bool,
    sources: bool,
    who: bool,
}

pub(crate) fn compile(expr: &Expr) -> Compiled {
    let mut ctx = Ctx {
        params: Vec::new(),
        events: false,
        sources: false,
        who: false,
    };
    let cond = cond(expr, &mut ctx);
    Compiled {
        cond,
        params: ctx.params,
        needs_events: ctx.events,
        needs_sources: ctx.sources,
        needs_who: ctx.who,
    }
}

const FTS_IN: &str = "f.id IN (SELECT rowid FROM events_fts WHERE events_fts MATCH ?)";

fn cond(expr: &Expr, ctx: &mut Ctx) -> String {
    match expr {
        Expr::All => "1".into(),
        Expr::Term { .. } | Expr::Phrase(_) => fts(expr, ctx),
        Expr::And(items) => {
            // All plain text of one AND goes to FTS5 as one MATCH: one
            // index walk instead of one per word.
            let (text, rest): (Vec<&Expr>, Vec<&Expr>) = items.iter().partition(|e| is_text(e));
            let mut parts: Vec<String> = Vec::new();
            if !text.is_empty() {
                // Time bounds of the same AND go into the FTS5 query too, as
                // rowid bounds: it then walks only that stretch of each
                // term's postings instead of all of them.
                let (lo, hi) = time_bounds(&rest);
                let (select, params) = fts_rowids(&text, lo, hi);
                ctx.params.extend(params);
                let sub = format!("f.id IN ({select})");
                parts.push(sub);
            }
            parts.extend(rest.iter().map(|e| cond(e, ctx)));
            if parts.is_empty() {
                return "1".into();
            }
            format!("({})", parts.join(" AND "))
        }
        Expr::Or(_) if is_text(expr) => fts(expr, ctx),
        Expr::Or(items) => {
            let parts: Vec<String> = items.iter().map(|e| cond(e, ctx)).collect();
            if parts.is_empty() {
                return "0".into();
            }
            format!("({})", parts.join(" OR "))
        }
        Expr::Not(inner) => format!("NOT {}", cond(inner, ctx)),
        Expr::Filter(filter) => self::filter(filter, ctx),
    }
}

/// The tightest `[from, to)` (ms) the time filters among `items` set.
pub(super) fn time_bounds(items: &[&Expr]) -> (Option<i64>, Option<i64>) {
    let (mut lo, mut hi) = (None::<i64>, None::<i64>);
    for e in items {
        if let Expr::Filter(Filter::Time { from, to, .. }) = e {
            lo = lo.max(*from);
            hi = match (hi, to) {
                (Some(h), Some(t)) => Some(h.min(*t)),
                (h, t) => h.or(*t),
            };
        }
    }
    (lo, hi)
}

/// The FTS5 query for the rowids matching every one of `text` (ANDed into
/// one MATCH), within `[lo, hi)` ms when given, and its parameters.
pub(super) fn fts_rowids(text: &[&Expr], lo: Option<i64>, hi: Option<i64>) -> (String, Vec<Value>) {
    let joined = text.iter().map(|e| fts_expr(e)).collect::<Vec<_>>();
    let mut sql = String::from("SELECT rowid FROM events_fts WHERE events_fts MATCH ?");
    let mut params = vec![Value::Text(joined.join(" AND "))];
    if let Some(lo) = lo {
        sql.push_str(" AND rowid >= ?");
        params.push(Value::Integer(lo.saturating_mul(SLOTS_PER_MS)));
    }
    if let Some(hi) = hi {
        sql.push_str(" AND rowid < ?");
        params.push(Value::Integer(hi.saturating_mul(SLOTS_PER_MS)));
    }
    (sql, params)
}

/// Text the FTS index alone can answer.
pub(super) fn is_text(expr: &Expr) -> bool {
    match expr {
        Expr::Term { .. } | Expr::Phrase(_) => true,
        Expr::And(items) | Expr::Or(items) => items.iter().all(is_text),
        _ => false,
    }
}

fn fts(expr: &Expr, ctx: &mut Ctx) -> String {
    ctx.params.push(Value::Text(fts_expr(expr)));
    FTS_IN.into()
}

pub(super) fn fts_expr(expr: &Expr) -> String {
    match expr {
        Expr::Term { text, prefix } => {
            format!("{}{}", fts_quote(text), if *prefix { "*" } else { "" })
        }
        Expr::Phrase(text) => fts_quote(text),
        Expr::And(items) => format!(
            "({})",
            items.iter().map(fts_expr).collect::<Vec<_>>().join(" AND ")
        ),
        Expr::Or(items) => format!(
            "({})",
            items.iter().map(fts_expr).collect::<Vec<_>>().join(" OR ")
        ),
        // `is_text` admits nothing else.
        _ => "\"\"".into(),
    }
}

/// An FTS5 string literal: the tokenizer splits it into terms, and nothing
/// in it can be read as FTS5 syntax.
fn fts_quote(text: &str) -> String {
    format!("\"{}\"", text.replace('"', "\"\""))
}

fn filter(filter: &Filter, ctx: &mut Ctx) -> String {
    match filter {
        Filter::Text { field, value } => text_filter(*field, value, ctx),
        Filter::Severity(op, s) => {
            ctx.params.push(Value::Integer(s.rank()));
            format!("f.severity {} ?", op.sql())
        }
        Filter::Ip { net, .. } => {
            ctx.who = true;
            ctx.params
                .push(Value::Text(format!("{}/{}", net.addr, net.prefix)));
            format!("{IP_IN}(w.ip, ?)")
        }
        Filter::Bookmarked(yes) => format!(
            "f.id {}IN (SELECT event_rowid FROM bookmarks)",
            if *yes { "" } else { "NOT " }
        ),
        Filter::Time { from, to, .. } => {
            // Rowids follow event time (see `events::SLOTS_PER_MS`), so a
            // time range is a rowid range on the primary key.
            let mut parts = Vec::new();
            if let Some(from) = from {
                ctx.params
                    .push(Value::Integer(from.saturating_mul(SLOTS_PER_MS)));
                parts.push("f.id >= ?");
            }
            if let Some(to) = to {
                ctx.params
                    .push(Value::Integer(to.saturating_mul(SLOTS_PER_MS)));
                parts.push("f.id < ?");
            }
            if parts.is_empty() {
                return "1".into();
            }
            format!("({})", parts.join(" AND "))
        }
    }
}

fn text_filter(field: TextField, value: &str, ctx: &mut Ctx) -> String {
    match field {
        TextField::Type | TextField::Category | TextField::Outcome | TextField::Case => {}
        TextField::Source => ctx.sources = true,
        TextField::Id => ctx.events = true,
        _ => ctx.who = true,
    }
    let params = &mut ctx.params;
    let columns: &[&str] = match field {
        TextField::Type => &["f.type"],
        TextField::Category => &["f.category"],
        TextField::Outcome => &["f.outcome"],
        TextField::User => &["w.user_id", "w.user_email", "w.user_name"],
        TextField::Email => &["w.user_email"],
        TextField::Resource => &[
            "w.resource_id",
            "w.resource_name",
            "w.resource_type",
            "w.route",
        ],
        TextField::Org => &["w.org_id"],
        TextField::Env => &["w.env_id"],
        TextField::Source => &["s.name"],
        TextField::Tag => {
            if value.contains('*') {
                let test = matcher("t.value", value, params);
                return format!("EXISTS (SELECT 1 FROM json_each(w.tags) AS t WHERE {test})");
            }
            // Tags are stored as a JSON array serialised by serde_json, so an
            // element equal to the value (ASCII case aside, as NOCASE) shows
            // in the text as the value's JSON string, and LIKE (ASCII case
            // aside too) rules out most rows before json_each parses any.
            let quoted = serde_json::Value::String(value.to_string()).to_string();
            params.push(Value::Text(format!("%{}%", escape_like(&quoted))));
            let test = matcher("t.value", value, params);
            return format!(
                "(w.tags LIKE ? ESCAPE '\\' AND EXISTS (SELECT 1 FROM json_each(w.tags) AS t WHERE {test}))"
            );
        }
        TextField::Case => {
            let test = matcher("c.name", value, params);
            return format!(
                "f.id IN (SELECT b.event_rowid FROM bookmarks AS b
                 JOIN case_bookmarks AS cb ON cb.bookmark_id = b.id
                 JOIN cases AS c ON c.id = cb.case_id WHERE {test})"
            );
        }
        TextField::Id if !value.contains('*') => {
            // Event ids are exact (not case-folded); the key makes it a lookup.
            params.push(Value::Integer(crate::events::event_key(value)));
            params.push(Value::Text(value.to_string()));
            return "(f.event_key = ? AND e.event_id = ?)".into();
        }
        TextField::Id => &["e.event_id"],
    };
    let tests: Vec<String> = columns.iter().map(|c| matcher(c, value, params)).collect();
    // The `event_who` columns may be NULL, and `NOT (NULL = ?)` is NULL,
    // not true: `-user:ann` must keep the events that have no user.
    format!("ifnull(({}), 0)", tests.join(" OR "))
}

/// `column` equal to `value` ignoring case, or LIKE it when it holds `*`.
fn matcher(column: &str, value: &str, params: &mut Vec<Value>) -> String {
    if value.contains('*') {
        params.push(Value::Text(escape_like(value).replace('*', "%")));
        format!("{column} LIKE ? ESCAPE '\\'")
    } else {
        params.push(Value::Text(value.to_string()));
        format!("{column} = ? COLLATE NOCASE")
    }
}

/// `text` with LIKE's own wildcards (and the escape character) escaped by `\\`.
fn escape_like(text: &str) -> String {
    let mut pattern = String::with_capacity(text.len() + 2);
    for c in text.chars() {
        if matches!(c, '%' | '_' | '\\') {
            pattern.push('\\');
        }
        pattern.push(c);
    }
    pattern
}

/// The SQL function behind `ip:` (CIDR containment), registered on every
/// vault connection.
pub const IP_IN: &str = "auditdesk_ip_in";

pub fn register_functions(conn: &Connection) -> rusqlite::Result<()> {
    conn.create_scalar_function(
        IP_IN,
        2,
        FunctionFlags::SQLITE_UTF8 | FunctionFlags::SQLITE_DETERMINISTIC,
        |ctx| {
            // The block is the same on every row of a query: parse it once
            // and keep it as the argument's auxiliary data.
            let net =
                ctx.get_or_create_aux(1, |v| -> Result<Option<IpNet>, std::convert::Infallible> {
                    let text = v.as_str().unwrap_or_default();
                    Ok(text.split_once('/').and_then(|(addr, prefix)| {
                        Some(IpNet {
                            addr: addr.parse().ok()?,
                            prefix: prefix.parse().ok()?,
                        })
                    }))
                })?;
            let Some(net) = net.as_ref() else {
                return Ok(false);
            };
            let ip = match ctx.get_raw(0) {
                rusqlite::types::ValueRef::Text(t) => std::str::from_utf8(t).ok(),
                _ => None,
            };
            let Some(ip) = ip.and_then(|ip| ip.trim().parse().ok()) else {
                return Ok(false);
            };
            Ok(net.contains(&ip))
        },
    )
}
