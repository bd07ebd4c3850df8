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
                let joined = text.iter().map(|e| fts_expr(e)).collect::<Vec<_>>();
                ctx.params.push(Value::Text(joined.join(" AND ")));
                parts.push(FTS_IN.into());
            }
            parts.extend(rest.iter().map(|e| cond(e, ctx)));
            format!("({})", parts.join(" AND "))
        }
        Expr::Or(_) if is_text(expr) => fts(expr, ctx),
        Expr::Or(items) => {
            let parts: Vec<String> = items.iter().map(|e| cond(e, ctx)).collect();
            format!("({})", parts.join(" OR "))
        }
        Expr::Not(inner) => format!("NOT {}", cond(inner, ctx)),
        Expr::Filter(filter) => self::filter(filter, ctx),
    }
}

/// Text the FTS index alone can answer.
fn is_text(expr: &Expr) -> bool {
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

fn fts_expr(expr: &Expr) -> String {
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
            ctx.params.push(Value::Text(format!("{}/{}", net.addr, net.prefix)));
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
                ctx.params.push(Value::Integer(to.saturating_mul(SLOTS_PER_MS)));
                parts.push("f.id < ?");
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
            let test = matcher("t.value", value, params);
            return format!("EXISTS (SELECT 1 FROM json_each(w.tags) AS t WHERE {test})");
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
            return "(e.event_key = ? AND e.event_id = ?)".into();
        }
        TextField::Id => &["e.event_id"],
    };
    let tests: Vec<String> = columns.iter().map(|c| matcher(c, value, params)).collect();
    format!("({})", tests.join(" OR "))
}

/// `column` equal to `value` ignoring case, or LIKE it when it holds `*`.
fn matcher(column: &str, value: &str, params: &mut Vec<Value>) -> String {
    if value.contains('*') {
        let mut pattern = String::with_capacity(value.len());
        for c in value.chars() {
            match c {
                '*' => pattern.push('%'),
                '%' | '_' | '\\' => {
                    pattern.push('\\');
                    pattern.push(c);
                }
                c => pattern.push(c),
            }
        }
        params.push(Value::Text(pattern));
        format!("{column} LIKE ? ESCAPE '\\'")
    } else {
        params.push(Value::Text(value.to_string()));
        format!("{column} = ? COLLATE NOCASE")
    }
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
            let ip: Option<String> = ctx.get(0)?;
            let net: String = ctx.get(1)?;
            let Some(ip) = ip.and_then(|ip| ip.trim().parse().ok()) else {
                return Ok(false);
            };
            let Some((addr, prefix)) = net.split_once('/') else {
                return Ok(false);
            };
            let (Ok(addr), Ok(prefix)) = (addr.parse(), prefix.parse()) else {
                return Ok(false);
            };
            Ok(IpNet { addr, prefix }.contains(&ip))
        },
    )
}
