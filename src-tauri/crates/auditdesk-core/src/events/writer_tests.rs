//! The event writer's tests: what it stores, against the paths it skips.

use chrono::{Duration, TimeZone};
use rusqlite::Connection;

use super::*;
use crate::domain::{Classifier, NewEvent};

fn vault() -> (Connection, i64) {
    let conn = Connection::open_in_memory().unwrap();
    crate::vault::migrations::migrate(&conn).unwrap();
    let source = crate::sources::find_or_create_file_source(&conn, "s").unwrap();
    (conn, source.id)
}

/// (id, seconds after the start, outcome)
fn event(id: &str, secs: i64, outcome: &str) -> PreparedEvent {
    event_with_details(id, secs, outcome, None)
}

fn event_with_details(id: &str, secs: i64, outcome: &str, details: Option<Value>) -> PreparedEvent {
    let start = Utc.with_ymd_and_hms(2026, 7, 1, 0, 0, 0).unwrap();
    let mut e = NewEvent::new(start + Duration::seconds(secs), "log-search");
    e.outcome = outcome.into();
    e.body.details = details;
    e.body.raw = serde_json::json!({ "id": id, "outcome": outcome });
    PreparedEvent::new("s", Classifier::builtin().normalize(e, id.to_string()))
}

fn write(
    conn: &Connection,
    source: i64,
    new_source: bool,
    events: &[(&str, i64, &str)],
) -> Vec<Upsert> {
    let mut w = EventWriter::new(conn, source, "s").unwrap();
    if new_source {
        w = w.for_new_source();
    }
    let out = events
        .iter()
        .map(|(id, secs, outcome)| w.upsert(event(id, *secs, outcome)).unwrap())
        .collect();
    w.finish().unwrap();
    out
}

fn rows(conn: &Connection) -> Vec<(i64, String, String, Vec<u8>)> {
    let mut stmt = conn
        .prepare(
            "SELECT id, event_id, outcome, content_hash FROM events
             WHERE event_id != 'zz' ORDER BY id",
        )
        .unwrap();
    stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))
        .unwrap()
        .map(|r| r.unwrap())
        .collect()
}

/// The shortcuts a first import and new milliseconds take (no lookup of
/// the id, the next free rowid known in memory) store what the lookups
/// would: the same rows, rowids and results. The other vault holds an
/// event far in the future first, so every rowid it allocates comes
/// from the `max(id)` query and every id from the lookup.
#[test]
fn the_in_memory_shortcuts_store_what_the_lookups_would() {
    let first: &[(&str, i64, &str)] = &[
        ("a", 10, "successful"),
        ("b", 10, "successful"),
        ("c", 10, "attempted"),
        ("d", 5, "successful"),
        ("a", 10, "successful"),
        ("c", 10, "failed"),
        ("e", 20, "successful"),
        ("e", 30, "successful"),
        ("f", 10, "successful"),
    ];
    // Older and newer than what the first transaction left, and the
    // same milliseconds again.
    let second: &[(&str, i64, &str)] = &[
        ("g", 1, "successful"),
        ("h", 10, "successful"),
        ("i", 40, "successful"),
        ("j", 40, "successful"),
        ("b", 40, "failed"),
        ("k", 30, "successful"),
    ];
    let (fast, fast_source) = vault();
    let (slow, slow_source) = vault();
    write(
        &slow,
        slow_source,
        false,
        &[("zz", 10 * 365 * 86_400, "successful")],
    );
    let fast_first = write(&fast, fast_source, true, first);
    let slow_first = write(&slow, slow_source, false, first);
    assert_eq!(fast_first, slow_first);
    assert_eq!(
        fast_first,
        [
            Upsert::New,
            Upsert::New,
            Upsert::New,
            Upsert::New,
            Upsert::Unchanged,
            Upsert::Updated,
            Upsert::New,
            Upsert::Updated,
            Upsert::New
        ]
    );
    assert_eq!(rows(&fast), rows(&slow));
    assert_eq!(
        write(&fast, fast_source, false, second),
        write(&slow, slow_source, false, second)
    );
    let all = rows(&fast);
    assert_eq!(all, rows(&slow));
    assert_eq!(all.len(), 11);
    let mut ids: Vec<i64> = all.iter().map(|r| r.0).collect();
    ids.dedup();
    assert_eq!(ids.len(), 11, "rowids are unique");
    let ten = Utc
        .with_ymd_and_hms(2026, 7, 1, 0, 0, 10)
        .unwrap()
        .timestamp_millis()
        * SLOTS_PER_MS;
    let in_ten: Vec<i64> = all
        .iter()
        .map(|r| r.0)
        .filter(|id| (ten..ten + SLOTS_PER_MS).contains(id))
        .collect();
    // b moved to 40 s in the second transaction; h took the next slot.
    assert_eq!(in_ten, [ten, ten + 2, ten + 3, ten + 4], "a, c, f, then h");
    // "c" and "e" changed in the transaction that inserted them, before
    // the writer had indexed them: the index must hold each event once.
    fts_holds_every_event(&fast);
    fts_holds_every_event(&slow);
}

/// FTS5's own check of the index against `events`, and one entry per event.
fn fts_holds_every_event(conn: &Connection) {
    conn.execute_batch("INSERT INTO events_fts (events_fts) VALUES ('integrity-check')")
        .unwrap();
    let (indexed, events): (i64, i64) = conn
        .query_row(
            "SELECT (SELECT count(*) FROM events_fts WHERE events_fts MATCH 'log'),
                    (SELECT count(*) FROM events)",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    assert_eq!(indexed, events, "every event is found by its type");
}

fn key_index(conn: &Connection) -> Option<String> {
    conn.query_row(
        "SELECT sql FROM sqlite_schema WHERE type = 'index' AND name = 'event_facets_key'",
        [],
        |r| r.get(0),
    )
    .optional()
    .unwrap()
}

/// A large first import into a new source drops the `event_facets_key` index
/// part-way and builds it again; ids seen again after the drop (changed,
/// unchanged, moved in time) are found without it, and the result is
/// what a writer that looks every id up in the index stores.
#[test]
fn a_large_first_import_stores_what_the_indexed_path_would() {
    let n = KEY_INDEX_DEFER_MIN as i64 + 3 * INSERT_BATCH as i64;
    let ids: Vec<String> = (0..n).map(|i| format!("id-{i}")).collect();
    let mut events: Vec<(&str, i64, &str)> = ids
        .iter()
        .enumerate()
        .map(|(i, id)| (id.as_str(), i as i64, "successful"))
        .collect();
    // After the drop: the same again, a change, a move in time, and a
    // change of an event written in the last batch.
    events.push(("id-5", 5, "successful"));
    events.push(("id-6", 6, "failed"));
    events.push(("id-7", n + 100, "successful"));
    let last = &ids[ids.len() - 1];
    events.push((last.as_str(), n - 1, "failed"));
    let (fast, fast_source) = vault();
    let (slow, slow_source) = vault();
    let original = key_index(&fast).expect("the migrations create event_facets_key");
    write(
        &slow,
        slow_source,
        false,
        &[("zz", 10 * 365 * 86_400, "successful")],
    );
    let fast_out = write(&fast, fast_source, true, &events);
    let slow_out = write(&slow, slow_source, false, &events);
    assert_eq!(fast_out, slow_out);
    assert_eq!(
        fast_out[fast_out.len() - 4..],
        [
            Upsert::Unchanged,
            Upsert::Updated,
            Upsert::Updated,
            Upsert::Updated
        ]
    );
    assert_eq!(rows(&fast), rows(&slow));
    assert_eq!(key_index(&fast), Some(original), "built again as it was");
    fts_holds_every_event(&fast);
    // The next writer looks ids up through the rebuilt index.
    let again = write(&fast, fast_source, false, &events[10..20]);
    assert!(again.iter().all(|u| *u == Upsert::Unchanged), "{again:?}");
    let plan: Vec<String> = fast
        .prepare(
            "EXPLAIN QUERY PLAN
             SELECT e.id FROM event_facets AS k JOIN events AS e ON e.id = k.id
             WHERE k.event_key = 1 AND e.source_id = 1 AND e.event_id = 'x'",
        )
        .unwrap()
        .query_map([], |r| r.get(3))
        .unwrap()
        .map(|r| r.unwrap())
        .collect();
    let plan = plan.join(" ");
    assert!(plan.contains("event_facets_key"), "{plan}");
}

/// A load of more than one full-text batch writes with the bulk FTS5
/// settings, then puts the vault's own back.
#[test]
fn a_bulk_load_puts_the_full_text_merge_setting_back() {
    let (conn, source) = vault();
    let own = crate::fulltext::BulkSettings {
        automerge: 6,
        hashsize: 3 << 20,
    };
    own.write(&conn).unwrap();
    let n = INDEX_BATCH as i64 + 10;
    let ids: Vec<String> = (0..n).map(|i| format!("id-{i}")).collect();
    let events: Vec<(&str, i64, &str)> = ids
        .iter()
        .enumerate()
        .map(|(i, id)| (id.as_str(), i as i64, "successful"))
        .collect();
    // As every caller writes: in one transaction.
    conn.execute_batch("BEGIN").unwrap();
    let mut w = EventWriter::new(&conn, source, "s")
        .unwrap()
        .for_new_source();
    for (i, (id, secs, outcome)) in events.iter().enumerate() {
        // Some events are indexed from the view (a real in `details`).
        let details = (i % 1000 == 0).then(|| serde_json::json!({ "r": 1.5 }));
        w.upsert(event_with_details(id, *secs, outcome, details))
            .unwrap();
    }
    let during = crate::fulltext::BulkSettings::read(&conn).unwrap();
    assert_eq!((during.automerge, during.hashsize), (16, 32 << 20));
    w.finish().unwrap();
    conn.execute_batch("COMMIT").unwrap();
    assert_eq!(crate::fulltext::BulkSettings::read(&conn).unwrap(), own);
    fts_holds_every_event(&conn);
    // One segment for the full batch, one for the last ten: neither the
    // batch's single-row inserts into the index nor the reads of the view
    // for the events with a real opened a savepoint that would have made
    // FTS5 write a segment.
    let segments: i64 = conn
        .query_row(
            "SELECT count(DISTINCT segid) FROM events_fts_idx",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(segments, 2);
    // A small write leaves the setting alone.
    write(&conn, source, false, &[("small", 1, "failed")]);
    assert_eq!(crate::fulltext::BulkSettings::read(&conn).unwrap(), own);
}

/// Every term, document, column and offset the full-text index holds.
fn fts_instances(conn: &Connection) -> Vec<(String, i64, String, i64)> {
    conn.execute_batch(
        "CREATE VIRTUAL TABLE IF NOT EXISTS temp.fts_instances
         USING fts5vocab(main, events_fts, instance)",
    )
    .unwrap();
    let mut stmt = conn
        .prepare(
            "SELECT term, doc, col, offset FROM temp.fts_instances ORDER BY term, doc, col, offset",
        )
        .unwrap();
    stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))
        .unwrap()
        .map(|r| r.unwrap())
        .collect()
}

/// A `details` value: every JSON shape, with the numbers SQLite renders
/// its own way (reals, integers past i64) and strings holding a NUL.
fn json_value() -> impl proptest::strategy::Strategy<Value = Value> {
    use proptest::prelude::*;
    // The leaves that send an event to the view are rare, so most events
    // (and most nested values) take the Rust path under test.
    let leaf = prop_oneof![
        4 => Just(Value::Null),
        4 => any::<bool>().prop_map(Value::Bool),
        8 => any::<i64>().prop_map(Value::from),
        1 => ((i64::MAX as u64 + 1)..=u64::MAX).prop_map(Value::from),
        1 => any::<f64>().prop_map(Value::from),
        8 => "\\PC{0,10}".prop_map(Value::from),
        8 => "[a-z0-9 ._@:/-]{0,16}".prop_map(Value::from),
        // What canonical JSON escapes and `json_tree` unescapes.
        8 => "[\\x01-\\x1f\"\\\\a-z\u{e9}]{0,8}".prop_map(Value::from),
        1 => ("[a-z]{0,3}", "[a-z]{0,3}").prop_map(|(a, b)| Value::from(format!("{a}\0{b}"))),
    ];
    leaf.prop_recursive(3, 24, 4, |inner| {
        prop_oneof![
            proptest::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
            proptest::collection::btree_map("\\PC{0,4}", inner, 0..4)
                .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

type TextFields = (
    Option<String>,
    [Option<String>; 4],
    Option<String>,
    [Option<String>; 11],
);

fn text_fields() -> impl proptest::strategy::Strategy<Value = TextFields> {
    let text = || proptest::option::of("\\PC{0,12}|[a-z0-9 .@:/-]{0,12}");
    (
        text(),
        proptest::array::uniform4(text()),
        text(),
        proptest::array::uniform11(text()),
    )
}

/// Event `e{id}` at `i` seconds.
fn prepared_with(
    i: usize,
    id: usize,
    event_type: &str,
    (description, actor, ip, resource): TextFields,
    details: Option<Value>,
) -> PreparedEvent {
    let start = Utc.with_ymd_and_hms(2026, 7, 1, 0, 0, 0).unwrap();
    let mut e = NewEvent::new(start + Duration::seconds(i as i64), event_type);
    let [user_id, email, name, role] = actor;
    e.body.actor = crate::domain::Actor {
        user_id,
        email,
        name,
        role,
    };
    e.body.description = description;
    e.body.ip = ip;
    let b = &mut e.body;
    [
        b.route,
        b.resource_type,
        b.resource_id,
        b.resource_name,
        b.action,
        b.request_id,
        b.session_id,
        b.org_id,
        b.env_id,
        b.stack,
        b.region,
    ] = resource;
    e.body.details = details;
    e.body.raw = serde_json::json!({ "i": i });
    PreparedEvent::new("s", Classifier::builtin().normalize(e, format!("e{id}")))
}

/// Whether `details` holds only what SQLite renders as Rust does (said
/// again here, apart from `SearchText::of`).
fn rust_renders(value: &Value) -> bool {
    match value {
        Value::Number(n) => n.is_i64(),
        Value::String(s) => !s.contains('\0'),
        Value::Array(items) => items.iter().all(rust_renders),
        Value::Object(map) => map.values().all(rust_renders),
        Value::Null | Value::Bool(_) => true,
    }
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(64))]

    /// The search text a new event is indexed with tokenises exactly as
    /// the view the update and delete triggers read: the same index as one
    /// built from the view, also after ids seen again with other content
    /// (the update trigger takes the old terms out by the view), and
    /// deleting every event empties it.
    #[test]
    fn prepared_search_text_indexes_as_the_view_does(
        events in proptest::collection::vec(
            (
                0usize..8,
                "[a-z]{1,8}(-[a-z]{1,8})?",
                text_fields(),
                proptest::option::of(json_value()),
            ),
            1..12,
        )
    ) {
        let prepared: Vec<PreparedEvent> = events
            .into_iter()
            .enumerate()
            .map(|(i, (id, event_type, fields, details))| {
                let rust = details.as_ref().is_none_or(rust_renders);
                let p = prepared_with(i, id, &event_type, fields, details);
                assert_eq!(p.search.is_some(), rust, "{p:?}");
                p
            })
            .collect();
        let build = |strip: bool| {
            let (conn, source) = vault();
            let mut w = EventWriter::new(&conn, source, "s").unwrap();
            for p in &prepared {
                let mut p = p.clone();
                if strip {
                    p.search = None;
                }
                w.upsert(p).unwrap();
            }
            w.finish().unwrap();
            conn
        };
        let ours = build(false);
        let from_view = build(true);
        let instances = fts_instances(&ours);
        proptest::prop_assert!(!instances.is_empty());
        proptest::prop_assert_eq!(&instances, &fts_instances(&from_view));
        ours.execute_batch("DELETE FROM events").unwrap();
        proptest::prop_assert_eq!(fts_instances(&ours), vec![]);
    }
}

/// The search text of a typical event, column by column; the reals and
/// NULs the view renders its own way leave it to the view.
#[test]
fn search_text_is_the_view_s_columns() {
    let fields: TextFields = (
        Some("Viewed a log".into()),
        [Some("1013".into()), None, Some("Ann Lee".into()), None],
        Some("10.2.72.184".into()),
        [
            Some("/platform/v1/log-payload".into()),
            None,
            None,
            None,
            None,
            None,
            None,
            Some("4142".into()),
            Some("production".into()),
            None,
            None,
        ],
    );
    let details = serde_json::json!({
        "logType": "send", "logId": "42a8", "n": [3, -7, {"b": true, "a": null, "c": "x"}]
    });
    let p = prepared_with(0, 0, "log-payload-viewed", fields.clone(), Some(details));
    let text = p.search.expect("no real, no NUL");
    assert_eq!(
        text,
        SearchText::from_columns([
            "log-payload-viewed",
            "Viewed a log",
            "1013 Ann Lee",
            "10.2.72.184",
            "/platform/v1/log-payload 4142 production",
            "42a8 send 3 -7 x",
        ])
    );
    for odd in [serde_json::json!({"r": 1.5}), serde_json::json!(["a\0b"])] {
        assert_eq!(
            prepared_with(0, 0, "t", fields.clone(), Some(odd)).search,
            None
        );
    }
}

/// Events with large `details` go to the full-text index once their search
/// text passes `INDEX_BATCH_BYTES`, long before `INDEX_BATCH` of them.
#[test]
fn large_search_texts_are_indexed_before_a_full_batch() {
    let (conn, source) = vault();
    conn.execute_batch("BEGIN").unwrap();
    let mut w = EventWriter::new(&conn, source, "s")
        .unwrap()
        .for_new_source();
    let big = "word ".repeat((13 << 10) / 5);
    let per_event = INDEX_BATCH_BYTES / 2_000 + 1;
    assert!(big.len() >= per_event, "{} < {per_event}", big.len());
    for i in 0..2_000 {
        let details = serde_json::json!({ "text": big });
        w.upsert(event_with_details(
            &format!("id-{i}"),
            i,
            "successful",
            Some(details),
        ))
        .unwrap();
    }
    let indexed: i64 = conn
        .query_row(
            "SELECT count(*) FROM events_fts WHERE events_fts MATCH 'log'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(indexed, 2_000);
    w.finish().unwrap();
    conn.execute_batch("COMMIT").unwrap();
}
