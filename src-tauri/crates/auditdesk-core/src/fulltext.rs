//! The full-text index (`events_fts`, FTS5 over the `event_search_text`
//! view): how the event writer adds new events to it in bulk, and how
//! `vault verify` checks that it holds every event. Updates and deletes reach
//! it through triggers (migration 0001; 0006 dropped the insert trigger).

use std::collections::{BTreeSet, HashMap};

use rusqlite::{Connection, OptionalExtension, params};
use serde_json::Value;

use crate::domain::AuditEvent;
use crate::error::Result;
use crate::integrity::Problem;

/// An event's searchable text as the `event_search_text` view makes it
/// (type, description, actor, ip, resource, details), built where the event
/// is prepared, so the writer indexes a new event without reading its row
/// back. The view stays the definition: the update and delete triggers take
/// an event's old terms out by what it yields, so this must tokenise exactly
/// like it (term for term, in order), and a test holds the two together.
/// The six columns share one buffer: the writer thread frees one allocation
/// per event, not six.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SearchText {
    text: String,
    /// Where each column ends in `text`.
    ends: [usize; 6],
}

impl SearchText {
    /// `None` where SQLite might render a value differently: a number in
    /// `details` that is not a 64-bit integer (SQLite formats reals its own
    /// way) or a string there holding a NUL. Such an event is indexed from
    /// the view instead.
    pub(crate) fn of(event: &AuditEvent) -> Option<SearchText> {
        let body = &event.body;
        let actor = &body.actor;
        let mut text = String::with_capacity(256);
        let mut ends = [0; 6];
        text.push_str(&event.event_type);
        ends[0] = text.len();
        text.push_str(body.description.as_deref().unwrap_or_default());
        ends[1] = text.len();
        concat_ws(
            [&actor.user_id, &actor.email, &actor.name, &actor.role],
            &mut text,
        );
        ends[2] = text.len();
        text.push_str(body.ip.as_deref().unwrap_or_default());
        ends[3] = text.len();
        concat_ws(
            [
                &body.route,
                &body.resource_type,
                &body.resource_id,
                &body.resource_name,
                &body.action,
                &body.request_id,
                &body.session_id,
                &body.org_id,
                &body.env_id,
                &body.stack,
                &body.region,
            ],
            &mut text,
        );
        ends[4] = text.len();
        if let Some(value) = &body.details {
            let from = text.len();
            push_atoms(value, from, &mut text)?;
        }
        ends[5] = text.len();
        Some(SearchText { text, ends })
    }

    /// Bytes held.
    pub(crate) fn len(&self) -> usize {
        self.text.len()
    }

    fn column(&self, i: usize) -> &str {
        let start = if i == 0 { 0 } else { self.ends[i - 1] };
        &self.text[start..self.ends[i]]
    }
}

#[cfg(test)]
impl SearchText {
    pub(crate) fn from_columns(columns: [&str; 6]) -> SearchText {
        let mut text = String::new();
        let ends = columns.map(|c| {
            text.push_str(c);
            text.len()
        });
        SearchText { text, ends }
    }
}

/// SQL's `concat_ws(' ', ...)`: the present values, space-separated.
fn concat_ws<const N: usize>(values: [&Option<String>; N], out: &mut String) {
    let from = out.len();
    for value in values.into_iter().flatten() {
        if out.len() > from {
            out.push(' ');
        }
        out.push_str(value);
    }
}

/// The view's `group_concat(atom, ' ')` over `json_tree(details)` for text
/// and number leaves, appended to `out` (whose column starts at `from`): the
/// leaves in the order of the stored canonical JSON (`integrity::sorted_keys`).
fn push_atoms(value: &Value, from: usize, out: &mut String) -> Option<()> {
    let mut push = |atom: &str| {
        if out.len() > from {
            out.push(' ');
        }
        out.push_str(atom);
    };
    match value {
        Value::Null | Value::Bool(_) => {}
        Value::Number(n) => push(&n.as_i64()?.to_string()),
        Value::String(s) if s.contains('\0') => return None,
        Value::String(s) => push(s),
        Value::Array(items) => {
            for item in items {
                push_atoms(item, from, out)?;
            }
        }
        Value::Object(map) => {
            for key in crate::integrity::sorted_keys(map) {
                push_atoms(&map[key.as_str()], from, out)?;
            }
        }
    }
    Some(())
}

/// Adds new events to the index, in ascending rowid order, one single-row
/// INSERT each: with their search text, or with what the view renders for
/// the few that have none. A single-row insert opens no statement savepoint
/// and neither does a plain SELECT, and FTS5 writes its pending terms to a
/// segment only at a savepoint, at a rowid below the last, or past
/// `hashsize`: so a batch makes one segment, as one `INSERT … SELECT` did.
pub(crate) fn index_new(
    conn: &Connection,
    rows: impl IntoIterator<Item = (i64, Option<SearchText>)>,
) -> Result<()> {
    let mut insert = conn.prepare_cached(
        "INSERT INTO events_fts (rowid, type, description, actor, ip, resource, details)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
    )?;
    let mut view = conn.prepare_cached(
        "SELECT type, description, actor, ip, resource, details
         FROM event_search_text WHERE id = ?1",
    )?;
    for (rowid, text) in rows {
        match text {
            Some(text) => {
                insert.execute(params![
                    rowid,
                    text.column(0),
                    text.column(1),
                    text.column(2),
                    text.column(3),
                    text.column(4),
                    text.column(5),
                ])?;
            }
            None => {
                let [a, b, c, d, e, f]: [Option<String>; 6] = view.query_row([rowid], |r| {
                    Ok([
                        r.get(0)?,
                        r.get(1)?,
                        r.get(2)?,
                        r.get(3)?,
                        r.get(4)?,
                        r.get(5)?,
                    ])
                })?;
                insert.execute(params![rowid, a, b, c, d, e, f])?;
            }
        }
    }
    Ok(())
}

/// `index_new` with every event's text from the view.
#[cfg(test)]
pub(crate) fn index_rows(conn: &Connection, rowids: impl IntoIterator<Item = i64>) -> Result<()> {
    index_new(conn, rowids.into_iter().map(|rowid| (rowid, None)))
}

/// Missing events `findings` names one by one; the rest are counted.
const NAMED: usize = 20;

/// The FTS5 settings a bulk load changes while it writes (see
/// `BulkSettings::apply`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct BulkSettings {
    /// Segments of one level merged together once this many have piled up.
    pub automerge: i64,
    /// Bytes of pending terms held in memory before a segment is written.
    pub hashsize: i64,
}

impl BulkSettings {
    /// What a bulk load writes with. A million-event import writes ~10
    /// segments of 100,000 rows (each fits the 32 MiB hash, so none is
    /// split); merging them four at a time rewrote the index almost twice
    /// over, sixteen at a time not at all, for a few more segments to search
    /// until later writes merge them (BENCHMARKS.md).
    const BULK: BulkSettings = BulkSettings {
        automerge: 16,
        hashsize: 32 << 20,
    };

    /// The vault's own settings (FTS5's defaults where it sets none).
    pub(crate) fn read(conn: &Connection) -> Result<BulkSettings> {
        let get = |name: &str, default: i64| -> Result<i64> {
            Ok(conn
                .query_row(
                    "SELECT v FROM events_fts_config WHERE k = ?1",
                    [name],
                    |r| r.get(0),
                )
                .optional()?
                .unwrap_or(default))
        };
        Ok(BulkSettings {
            automerge: get("automerge", 4)?,
            hashsize: get("hashsize", 1 << 20)?,
        })
    }

    /// Sets these (transactional, like every FTS5 setting).
    pub(crate) fn write(self, conn: &Connection) -> Result<()> {
        let mut set =
            conn.prepare_cached("INSERT INTO events_fts (events_fts, rank) VALUES (?1, ?2)")?;
        set.execute(rusqlite::params!["automerge", self.automerge])?;
        set.execute(rusqlite::params!["hashsize", self.hashsize])?;
        Ok(())
    }

    /// Switches to the bulk settings; returns the vault's, to be written
    /// back before the transaction commits.
    pub(crate) fn apply(conn: &Connection) -> Result<BulkSettings> {
        let saved = BulkSettings::read(conn)?;
        BulkSettings::BULK.write(conn)?;
        Ok(saved)
    }
}

/// What `coverage` found.
#[derive(Debug, Default, PartialEq, Eq)]
pub(crate) struct Coverage {
    /// Events their own type does not find, in rowid order.
    pub missing: Vec<i64>,
    /// Index entries found by a type that belong to no event.
    pub strays: u64,
}

/// Checks the index against the events: every event must be found by a
/// search for its own type in the `type` column, and nothing the index finds
/// that way may be a rowid without an event.
///
/// FTS5's own `integrity-check` compares the index with its content only
/// for a content table it may read with `json_tree`, which FTS5 does not
/// allow inside its statements, so it checks the index's structure alone.
/// Types without an ASCII letter or digit are skipped: whether the
/// tokenizer makes a term of them is not known here, and no term would
/// read as every such event missing.
pub(crate) fn coverage(conn: &Connection) -> Result<Coverage> {
    let types: Vec<String> = conn
        .prepare("SELECT DISTINCT type FROM event_facets")?
        .query_map([], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    let mut found: HashMap<String, Vec<i64>> = HashMap::new();
    let mut search =
        conn.prepare("SELECT rowid FROM events_fts WHERE events_fts MATCH ?1 ORDER BY rowid")?;
    for event_type in types {
        if !event_type.chars().any(|c| c.is_ascii_alphanumeric()) {
            continue;
        }
        let phrase = format!("type : \"{}\"", event_type.replace('"', "\"\""));
        let rowids: Vec<i64> = search
            .query_map([phrase], |r| r.get(0))?
            .collect::<rusqlite::Result<_>>()?;
        found.insert(event_type, rowids);
    }
    let mut report = Coverage::default();
    let mut events: Vec<i64> = Vec::new();
    let mut stmt = conn.prepare("SELECT id, type FROM event_facets ORDER BY id")?;
    let mut rows = stmt.query([])?;
    while let Some(row) = rows.next()? {
        let rowid: i64 = row.get(0)?;
        let event_type: String = row.get(1)?;
        events.push(rowid);
        if let Some(rowids) = found.get(&event_type)
            && rowids.binary_search(&rowid).is_err()
        {
            report.missing.push(rowid);
        }
    }
    let strays: BTreeSet<i64> = found
        .values()
        .flatten()
        .filter(|rowid| events.binary_search(rowid).is_err())
        .copied()
        .collect();
    report.strays = strays.len() as u64;
    Ok(report)
}

/// `coverage` as `vault verify` reports it: the first missing events by
/// name, and lines for any further ones and for strays.
pub(crate) fn findings(conn: &Connection) -> Result<(Vec<Problem>, Vec<String>)> {
    let found = coverage(conn)?;
    let mut named = Vec::new();
    let mut stmt = conn.prepare(
        "SELECT s.name, e.event_id FROM events AS e JOIN sources AS s ON s.id = e.source_id
         WHERE e.id = ?1",
    )?;
    for rowid in found.missing.iter().take(NAMED) {
        let (source, event_id) = stmt.query_row([rowid], |r| Ok((r.get(0)?, r.get(1)?)))?;
        named.push(Problem {
            source,
            event_id,
            what: "missing from the full-text index".into(),
        });
    }
    let mut lines = Vec::new();
    if found.missing.len() > NAMED {
        lines.push(format!(
            "full-text index: {} more events missing",
            found.missing.len() - NAMED
        ));
    }
    if found.strays > 0 {
        lines.push(format!(
            "full-text index: {} entries for events that do not exist",
            found.strays
        ));
    }
    Ok((named, lines))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vault() -> Connection {
        let conn = Connection::open_in_memory().unwrap();
        crate::vault::migrations::migrate(&conn).unwrap();
        conn.execute_batch(
            "INSERT INTO sources (id, name, kind, created_at) VALUES (1, 's', 'file', 0);",
        )
        .unwrap();
        let insert = |id: i64, event_type: &str| {
            conn.execute(
                "INSERT INTO events (id, source_id, event_id, occurred_at, type, category,
                    severity, outcome, raw, content_hash, first_seen_at, last_changed_at,
                    event_key)
                 VALUES (?1, 1, ?2, 0, ?3, 'c', 1, 'successful', '{}', x'00', 0, 0, ?1)",
                rusqlite::params![id, format!("e{id}"), event_type],
            )
            .unwrap();
        };
        for (id, event_type) in [
            (1, "log-search"),
            (2, "log-search-viewed"),
            (3, "user \"quoted\""),
            (4, "---"),
            (5, "log-search"),
        ] {
            insert(id, event_type);
        }
        conn
    }

    #[test]
    fn an_index_that_holds_every_event_passes() {
        let conn = vault();
        index_rows(&conn, [1, 2, 3, 4, 5]).unwrap();
        assert_eq!(coverage(&conn).unwrap(), Coverage::default());
    }

    #[test]
    fn missing_events_and_strays_are_found() {
        let conn = vault();
        // 4's type makes no term: it cannot be checked either way.
        index_rows(&conn, [1, 3, 4]).unwrap();
        assert_eq!(
            coverage(&conn).unwrap(),
            Coverage {
                missing: vec![2, 5],
                strays: 0
            }
        );
        index_rows(&conn, [2, 5]).unwrap();
        conn.execute_batch(
            "INSERT INTO events_fts (rowid, type) VALUES (9, 'log-search');
             INSERT INTO events_fts (rowid, type) VALUES (10, 'user \"quoted\"');",
        )
        .unwrap();
        assert_eq!(
            coverage(&conn).unwrap(),
            Coverage {
                missing: vec![],
                strays: 2
            }
        );
    }
}
