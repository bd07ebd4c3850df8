//! Tamper evidence: rows altered through a raw keyed SQLCipher connection
//! (someone who has the key, bypassing AuditDesk) are named by `vault verify`,
//! which exits 4.

use rusqlite::Connection;

use crate::util::{Workspace, path_str};

fn raw_connection(ws: &Workspace) -> Connection {
    crate::util::raw_connection(&ws.vault)
}

fn imported() -> (Workspace, Vec<String>) {
    let ws = Workspace::init();
    let file = ws.write("e.ndjson", crate::util::redox_ndjson(5, 200));
    ws.ok(&["import", path_str(&file)]);
    let page = ws.json(&["search", "", "--limit", "5"]);
    let ids = page["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["id"].as_str().unwrap().to_string())
        .collect();
    (ws, ids)
}

fn verify_fails_naming(ws: &Workspace, id: &str) {
    let out = ws.run(&["vault", "verify"]);
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(
        out.status.code(),
        Some(4),
        "verify must fail with 4:\n{text}"
    );
    assert!(text.contains(id), "verify must name {id}:\n{text}");
}

#[test]
fn clean_vault_verifies() {
    let (ws, _) = imported();
    let out = ws.ok(&["vault", "verify"]);
    assert!(out.contains("ok: 200 events"), "{out}");
}

#[test]
fn altered_field_is_named() {
    let (ws, ids) = imported();
    raw_connection(&ws)
        .execute(
            "UPDATE events SET outcome = 'successful', description = 'nothing to see' WHERE event_id = ?1",
            [&ids[2]],
        )
        .unwrap();
    verify_fails_naming(&ws, &ids[2]);
    let report = ws.run(&["vault", "verify", "--json"]);
    let report: serde_json::Value = serde_json::from_slice(&report.stdout).unwrap();
    let named: Vec<&str> = report["report"]["problems"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["event_id"].as_str().unwrap())
        .collect();
    assert_eq!(named, [ids[2].as_str()], "only the altered event is named");
}

#[test]
fn altered_raw_json_and_its_stored_hash_are_still_caught_by_the_chain() {
    let (ws, ids) = imported();
    let conn = raw_connection(&ws);
    // Rewrite the raw JSON and recompute nothing but the row's own hash
    // column to a plausible value: the chained version still disagrees.
    conn.execute(
        "UPDATE events SET raw = json_set(raw, '$.status', 'successful'), content_hash = zeroblob(32) WHERE event_id = ?1",
        [&ids[1]],
    )
    .unwrap();
    drop(conn);
    verify_fails_naming(&ws, &ids[1]);
}

#[test]
fn deleted_history_is_named() {
    let (ws, ids) = imported();
    let conn = raw_connection(&ws);
    // Someone rewriting history would switch off the constraints first.
    conn.execute_batch("PRAGMA foreign_keys = OFF").unwrap();
    conn.execute(
            "DELETE FROM event_versions WHERE event_rowid = (SELECT id FROM events WHERE event_id = ?1)",
            [&ids[4]],
        )
        .unwrap();
    verify_fails_naming(&ws, &ids[4]);
}

#[test]
fn rewritten_status_history_is_named() {
    let ws = Workspace::init();
    let line = |status: &str| {
        format!(
            "{{\"id\":\"h1\",\"createdAt\":\"2026-06-01T00:00:00.000Z\",\"type\":\"log-search\",\"status\":\"{status}\",\"userId\":1}}\n"
        )
    };
    ws.ok(&["import", path_str(&ws.write("a.ndjson", line("attempted")))]);
    ws.ok(&["import", path_str(&ws.write("b.ndjson", line("failed")))]);
    ws.ok(&["vault", "verify"]);
    // Pretend the event was never `attempted`: rewrite the first version.
    raw_connection(&ws)
        .execute(
            "UPDATE event_versions SET outcome = 'failed' WHERE seq = (SELECT min(seq) FROM event_versions)",
            [],
        )
        .unwrap();
    verify_fails_naming(&ws, "h1");
}

#[test]
fn a_smuggled_duplicate_is_named() {
    let (ws, ids) = imported();
    raw_connection(&ws)
        .execute_batch(&format!(
            "CREATE TEMP TABLE copy AS SELECT * FROM events WHERE event_id = '{}';
             UPDATE copy SET id = id + 1;
             INSERT INTO events SELECT * FROM copy;",
            ids[3]
        ))
        .unwrap();
    verify_fails_naming(&ws, &ids[3]);
    let out = ws.run(&["vault", "verify"]);
    assert!(String::from_utf8_lossy(&out.stderr).contains("stored more than once"));
}

#[test]
fn out_of_range_values_are_named_not_read_as_defaults() {
    let (ws, ids) = imported();
    raw_connection(&ws)
        .execute(
            "UPDATE events SET severity = 7 WHERE event_id = ?1",
            [&ids[0]],
        )
        .unwrap();
    verify_fails_naming(&ws, &ids[0]);
}

#[test]
fn a_malformed_chain_hash_is_a_finding_not_a_crash() {
    let (ws, ids) = imported();
    raw_connection(&ws)
        .execute(
            "UPDATE event_versions SET chain_hash = x'00'
             WHERE event_rowid = (SELECT id FROM events WHERE event_id = ?1)",
            [&ids[1]],
        )
        .unwrap();
    verify_fails_naming(&ws, &ids[1]);
}

#[test]
fn the_activity_log_refuses_edits_and_a_forced_edit_is_caught() {
    let (ws, ids) = imported();
    ws.ok(&["show", &ids[0]]);
    let conn = raw_connection(&ws);
    // The triggers refuse an edit or a deletion outright.
    let edit = conn.execute(
        "UPDATE activity SET subject = 'nothing to see' WHERE action = 'view'",
        [],
    );
    assert!(edit.unwrap_err().to_string().contains("append-only"));
    assert!(
        conn.execute("DELETE FROM activity WHERE action = 'view'", [])
            .is_err()
    );
    ws.ok(&["vault", "verify"]);
    // Someone with the key who drops the triggers first is still caught.
    conn.execute_batch(
        "DROP TRIGGER activity_no_update;
         UPDATE activity SET subject = 'nothing to see' WHERE action = 'view';",
    )
    .unwrap();
    drop(conn);
    let out = ws.run(&["vault", "verify"]);
    assert_eq!(out.status.code(), Some(4));
    let text =
        String::from_utf8_lossy(&out.stdout).to_string() + &String::from_utf8_lossy(&out.stderr);
    assert!(
        text.contains("activity entry") && text.contains("altered"),
        "{text}"
    );
}

#[test]
fn an_event_taken_out_of_the_full_text_index_is_named() {
    let (ws, ids) = imported();
    ws.ok(&["vault", "verify"]);
    raw_connection(&ws)
        .execute(
            "INSERT INTO events_fts (events_fts, rowid, type, description, actor, ip, resource,
                details)
             SELECT 'delete', id, type, description, actor, ip, resource, details
             FROM event_search_text WHERE id = (SELECT id FROM events WHERE event_id = ?1)",
            [&ids[2]],
        )
        .unwrap();
    verify_fails_naming(&ws, &ids[2]);
    let out = ws.run(&["vault", "verify"]);
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(text.contains("missing from the full-text index"), "{text}");
}
