//! The in-memory evaluator (`columns` + `eval`) against the SQL of
//! `compile`, on generated vaults whose values collide with the queries'
//! (case variants, NULLs, odd IPs, tags LIKE treats specially): the same
//! rowids, facets and pages, or one of them is wrong.

use std::sync::Arc;

use chrono::{Duration, TimeZone, Utc};
use proptest::prelude::*;
use rusqlite::Connection;

use super::columns::Columns;
use super::*;
use crate::bookmarks::{self, Mark};
use crate::domain::{Classifier, NewEvent, Severity};
use crate::events::{EventWriter, PreparedEvent};

#[derive(Debug, Clone)]
struct Gen {
    source: &'static str,
    minutes: i64,
    event_type: &'static str,
    outcome: &'static str,
    severity: Option<usize>,
    category: Option<&'static str>,
    who: [Option<&'static str>; 10],
    tags: Vec<&'static str>,
    description: Option<&'static str>,
    marked: Option<bool>,
}

const TYPES: &[&str] = &[
    "log-search",
    "Log-Search",
    "user-org-role-changed",
    "organization-loaded",
];
const OUTCOMES: &[&str] = &["successful", "failed", "Failed", "attempted"];
const CATEGORIES: &[&str] = &["AUTH", "data_access", "PERMISSION"];
/// Per `who` slot: user id, e-mail, name, IP, route, resource type, id,
/// name, org, env.
const WHO: [&[&str]; 10] = [
    &["1003", "ann", "Ann"],
    &["ann@x.org", "BOB@x.org"],
    &["Ann Smith", "bob"],
    &[
        "10.1.2.3",
        "10.200.0.1",
        " 10.1.0.9 ",
        "fe80::1",
        "::ffff:10.1.2.3",
        "junk",
    ],
    &["/platform/v1/log-search", "/a"],
    &["Patient", "user"],
    &["4142", "a%b", "x_y"],
    &["Ann Smith", "Ward 7"],
    &["4142", "77"],
    &["production", "Staging"],
];
const TAGS: &[&str] = &["phi", "PHI", "sox", "é", "a%b", "x\"y"];
const TEXT: &[&str] = &[
    "patient Smith viewed",
    "respond production",
    "log search staging",
    "MRN 004421 smith",
];

fn gen_event() -> impl Strategy<Value = Gen> {
    let slots: Vec<BoxedStrategy<Option<&'static str>>> = WHO
        .iter()
        .map(|values| prop::option::of(prop::sample::select(*values)).boxed())
        .collect();
    (
        (
            prop::sample::select(vec!["s", "Demo"]),
            0i64..(4 * 24 * 60),
            prop::sample::select(TYPES),
            prop::sample::select(OUTCOMES),
            prop::option::of(0usize..4),
            prop::option::of(prop::sample::select(CATEGORIES)),
        ),
        slots,
        prop::collection::vec(prop::sample::select(TAGS), 0..3),
        prop::option::of(prop::sample::select(TEXT)),
        prop::option::of(any::<bool>()),
    )
        .prop_map(
            |(
                (source, minutes, event_type, outcome, severity, category),
                slots,
                tags,
                description,
                marked,
            )| {
                let mut who = [None; 10];
                for (k, v) in slots.into_iter().enumerate() {
                    who[k] = v;
                }
                Gen {
                    source,
                    minutes,
                    event_type,
                    outcome,
                    severity,
                    category,
                    who,
                    tags,
                    description,
                    marked,
                }
            },
        )
}

fn vault(events: &[Gen]) -> Connection {
    let conn = super::tests::schema();
    crate::cases::create(&conn, "INC-1", "").unwrap();
    let named: Vec<(String, Gen)> = events
        .iter()
        .enumerate()
        .map(|(i, g)| (format!("e{i}"), g.clone()))
        .collect();
    write(&conn, &named);
    for (id, g) in &named {
        if let Some(in_case) = g.marked {
            let mark = Mark {
                case: in_case.then_some("INC-1"),
                ..Mark::default()
            };
            bookmarks::add(&conn, id, Some(g.source), &mark).unwrap();
        }
    }
    conn
}

/// Upserts the events under their ids, a transaction per source.
fn write(conn: &Connection, events: &[(String, Gen)]) {
    let start = Utc.with_ymd_and_hms(2026, 7, 1, 0, 0, 0).unwrap();
    for source in ["s", "Demo"] {
        let id = crate::sources::find_or_create_file_source(conn, source)
            .unwrap()
            .id;
        conn.execute_batch("BEGIN").unwrap();
        let mut w = EventWriter::new(conn, id, source).unwrap();
        for (event_id, g) in events.iter().filter(|(_, g)| g.source == source) {
            let mut e = NewEvent::new(start + Duration::minutes(g.minutes), g.event_type);
            e.outcome = g.outcome.into();
            e.severity = g.severity.map(|s| Severity::ALL[s]);
            e.category = g.category.map(String::from);
            let w_ = |k: usize| g.who[k].map(String::from);
            e.body.actor.user_id = w_(0);
            e.body.actor.email = w_(1);
            e.body.actor.name = w_(2);
            e.body.ip = w_(3);
            e.body.route = w_(4);
            e.body.resource_type = w_(5);
            e.body.resource_id = w_(6);
            e.body.resource_name = w_(7);
            e.body.org_id = w_(8);
            e.body.env_id = w_(9);
            e.body.tags = g.tags.iter().map(|t| t.to_string()).collect();
            e.body.description = g.description.map(String::from);
            e.body.raw = serde_json::json!({ "id": event_id, "outcome": g.outcome });
            let event = Classifier::builtin().normalize(e, event_id.clone());
            w.upsert(PreparedEvent::new(source, event)).unwrap();
        }
        w.finish().unwrap();
        conn.execute_batch("COMMIT").unwrap();
    }
}

/// Every position's values, decoded (codes differ between builds).
type Decoded = (i64, i64, u8, i64, Vec<Option<String>>);

fn decoded(cols: &Columns, conn: &Connection) -> Vec<Decoded> {
    let who = cols.who(conn).unwrap();
    (0..cols.len())
        .map(|i| {
            let text =
                |d: &columns::Dict| d.values[d.codes[i] as usize].as_deref().map(String::from);
            let mut texts: Vec<Option<String>> =
                [&cols.event_type, &cols.category, &cols.outcome, &cols.user]
                    .into_iter()
                    .map(text)
                    .collect();
            texts.extend(who.dicts().into_iter().map(text));
            (
                cols.rowids[i],
                cols.source_ids[cols.source[i] as usize],
                cols.severity[i],
                cols.days[cols.day[i] as usize],
                texts,
            )
        })
        .collect()
}

fn leaf() -> impl Strategy<Value = Expr> {
    let texts: Vec<String> = [
        "smith",
        "smi*",
        "patient",
        "production respond",
        "log",
        "staging",
        "\"log search\"",
        "\"MRN 004421\"",
        "viewed*",
        "type:log-search",
        "type:LOG-*",
        "type:*changed",
        "type:*",
        "status:failed",
        "category:auth",
        "category:data*",
        "severity>=warning",
        "severity<error",
        "severity:info",
        "user:ann",
        "user:ANN*",
        "user:*smith",
        "email:*@x.org",
        "email:bob@x.org",
        "ip:10.0.0.0/8",
        "ip:10.1.2.3",
        "ip:fe80::/10",
        "ip:10.1.0.0/16",
        "resource:/platform/v1/log-search",
        "resource:a%b",
        "resource:x_y",
        "resource:*%*",
        "resource:patient",
        "resource:ward*",
        "org:4142",
        "env:staging",
        "env:prod*",
        "tag:phi",
        "tag:é",
        "tag:a%b",
        "tag:x\"y",
        "tag:s*",
        "source:demo",
        "source:S",
        "source:d*",
        "case:INC-1",
        "case:inc*",
        "case:nope",
        "bookmarked:true",
        "bookmarked:false",
        "id:e3",
        "id:e1*",
        "after:2026-07-02",
        "before:2026-07-03T10:00",
        "on:2026-07-02",
        "after:2026-07-02T12:00 before:2026-07-04",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    prop::sample::select(texts).prop_map(|t| parse::parse(&t).unwrap())
}

fn expr() -> impl Strategy<Value = Expr> {
    leaf().prop_recursive(3, 12, 3, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 2..4).prop_map(Expr::And),
            prop::collection::vec(inner.clone(), 2..4).prop_map(Expr::Or),
            inner.prop_map(|e| Expr::Not(Box::new(e))),
        ]
    })
}

fn columns(conn: &Connection) -> Columns {
    Columns::load(conn, "", None).unwrap()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn columns_match_what_sql_matches(
        events in prop::collection::vec(gen_event(), 0..40),
        exprs in prop::collection::vec(expr(), 1..6),
    ) {
        let conn = vault(&events);
        let cols = columns(&conn);
        for e in exprs {
            let query = Query { text: e.to_string(), expr: e };
            let sql = rowids(&conn, &query).unwrap();
            let bits = eval::matches(&conn, &cols, &query.expr).unwrap();
            let ours: Vec<i64> = bits.ones().map(|i| cols.rowids[i]).collect();
            prop_assert_eq!(&ours, &sql, "{}", query.text);
            let facets = facets::facets(&conn, &query).unwrap();
            prop_assert_eq!(eval::facets(&cols, &bits), facets, "{}", query.text);
        }
    }

    #[test]
    fn pages_from_columns_are_the_pages_sql_gives(
        events in prop::collection::vec(gen_event(), 0..60),
        e in expr(),
        field in prop::sample::select(SortField::ALL.to_vec()),
        descending in any::<bool>(),
        limit in 0u32..8,
        offset in 0u64..10,
    ) {
        let conn = vault(&events);
        let cols = columns(&conn);
        let query = Query { text: e.to_string(), expr: e };
        let sort = Sort { field, descending };
        let mut request = Request { sort, limit, offset, after: None, facets: true };
        // Offset paging, then keyset paging to the end.
        for _ in 0..20 {
            let ours = search_columns(&conn, &cols, &query, &request).unwrap();
            let sql = search_sql(&conn, &query, &request).unwrap();
            prop_assert_eq!(&ours, &sql, "{}", query.text);
            let Some(next) = ours.next_cursor else { break };
            request.after = Some(Cursor::decode(&next).unwrap());
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(128))]

    /// Columns refreshed with what changed after them (new events, changed
    /// ones, events moved in time) hold what columns loaded afresh hold.
    #[test]
    fn refreshed_columns_are_loaded_columns(
        first in prop::collection::vec(gen_event(), 0..30),
        then in prop::collection::vec((gen_event(), prop::option::of(0usize..30)), 0..20),
        who_before in any::<bool>(),
    ) {
        let conn = vault(&first);
        let head = |conn: &Connection| -> Option<(i64, Vec<u8>)> {
            conn.query_row(
                "SELECT seq, chain_hash FROM event_versions ORDER BY seq DESC LIMIT 1",
                [],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .ok()
        };
        let before = Columns::load(&conn, "", head(&conn)).unwrap();
        if who_before {
            before.who(&conn).unwrap();
        }
        // Some events again under an old id (same source): changed, or
        // moved when their time differs; the rest new.
        let next: Vec<(String, Gen)> = then
            .into_iter()
            .enumerate()
            .map(|(i, (mut g, again))| match again.filter(|&j| j < first.len()) {
                Some(j) => {
                    g.source = first[j].source;
                    (format!("e{j}"), g)
                }
                None => (format!("n{i}"), g),
            })
            .collect();
        write(&conn, &next);
        let fresh = Columns::load(&conn, "", head(&conn)).unwrap();
        match before.refresh(&conn, head(&conn)).unwrap() {
            Some(refreshed) => {
                prop_assert_eq!(decoded(&refreshed, &conn), decoded(&fresh, &conn));
                let all = super::bits::Bits::full(fresh.len());
                prop_assert_eq!(eval::facets(&refreshed, &all), eval::facets(&fresh, &all));
            }
            // Only an event that moved, or an empty start, sends it back
            // to a full load.
            None => prop_assert!(
                first.is_empty()
                    || next.iter().any(|(id, g)| id.starts_with('e')
                        && first[id[1..].parse::<usize>().unwrap()].minutes != g.minutes)
            ),
        }
    }
}

#[test]
fn a_vault_file_keeps_its_columns_until_an_event_changes() {
    let dir = tempfile::tempdir().unwrap();
    let conn = Connection::open(dir.path().join("v.db")).unwrap();
    crate::vault::migrations::migrate(&conn).unwrap();
    register_functions(&conn).unwrap();
    let all = parse("").unwrap();
    assert_eq!(count(&conn, &all).unwrap(), 0);
    let first = columns::current(&conn).unwrap().unwrap();
    assert!(Arc::ptr_eq(
        &first,
        &columns::current(&conn).unwrap().unwrap()
    ));

    // Another connection adds an event: the next search sees it.
    let other = Connection::open(dir.path().join("v.db")).unwrap();
    let id = crate::sources::find_or_create_file_source(&other, "s")
        .unwrap()
        .id;
    let start = Utc.with_ymd_and_hms(2026, 7, 1, 0, 0, 0).unwrap();
    let write = |conn: &Connection, outcome: &str| {
        let mut e = NewEvent::new(start, "log-search");
        e.outcome = outcome.into();
        e.body.raw = serde_json::json!({ "outcome": outcome });
        let event = Classifier::builtin().normalize(e, "e1".into());
        let mut w = EventWriter::new(conn, id, "s").unwrap();
        w.upsert(PreparedEvent::new("s", event)).unwrap();
        w.finish().unwrap();
    };
    write(&other, "attempted");
    assert_eq!(count(&conn, &all).unwrap(), 1);
    let failed = parse("status:failed").unwrap();
    assert_eq!(count(&conn, &failed).unwrap(), 0);
    // The same connection changes it: the count follows too.
    write(&conn, "failed");
    assert_eq!(count(&conn, &failed).unwrap(), 1);
    // Through the real entry point, the page SQL alone would give.
    for q in ["", "status:failed", "-status:failed", "type:log*"] {
        let query = parse(q).unwrap();
        let request = Request {
            facets: true,
            ..Request::default()
        };
        assert_eq!(
            search(&conn, &query, &request).unwrap(),
            search_sql(&conn, &query, &request).unwrap(),
            "{q}"
        );
    }
    let now = columns::current(&conn).unwrap().unwrap();
    assert!(!Arc::ptr_eq(&first, &now));
    assert!(Arc::ptr_eq(
        &now,
        &columns::current(&conn).unwrap().unwrap()
    ));
    // Locking forgets them (the only test that calls `forget` and `reset`:
    // the cache is shared by the tests' threads).
    columns::forget();
    let sealed = columns::current(&conn).unwrap().unwrap();
    assert!(!Arc::ptr_eq(&now, &sealed));
    // Locked: built for the search at hand, not kept.
    assert!(!Arc::ptr_eq(
        &sealed,
        &columns::current(&conn).unwrap().unwrap()
    ));
    // Opened again: kept again.
    columns::reset();
    warm(&conn).unwrap();
    let kept = columns::current(&conn).unwrap().unwrap();
    assert!(Arc::ptr_eq(
        &kept,
        &columns::current(&conn).unwrap().unwrap()
    ));
}
