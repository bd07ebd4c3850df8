//! Import edge cases (DESIGN §2.2) through `auditdesk import`.

use crate::util::{Workspace, path_str};

fn imported(ws: &Workspace, name: &str, contents: &str) -> serde_json::Value {
    let file = ws.write(name, contents);
    ws.json(&["import", path_str(&file)])
}

fn show(ws: &Workspace, id: &str) -> serde_json::Value {
    ws.json(&["show", id])
}

/// Seed 003's Event Viewer export, written the awkward way: BOM, CRLF,
/// odd header spellings, quoted commas, a multi-line quoted cell, tags in
/// every list spelling, JSON metadata with quotes inside.
const EVENT_VIEWER: &str = "\u{feff}EVENT_ID,Time Stamp,category,event-type,SEVERITY,User,Description,ip_address,User Role,Stack,Region,Request Id,session_id,Compliance_Tags,Meta Data\r\n\
ev-001,2026-03-02T09:15:00Z,AUTH,user.login,INFO,ann@clinic.org,\"Signed in, via SSO\",10.0.0.1,Admin,prod,eu-west-1,r-1,s-1,\"[\"\"SOX\"\",\"\"GDPR\"\"]\",\"{\"\"mfa\"\":true}\"\r\n\
ev-002,2026-03-02 10:00:00,PERMISSION,role.updated,WARNING,bob@clinic.org,\"Role changed\r\nfrom Viewer\nto Admin\",10.0.0.2,SuperUser,prod,eu-west-1,r-2,s-2,SOX;HIPAA,\r\n\
ev-003,03/02/2026 11:30:00 AM,data access,record.viewed,info,carl@clinic.org,Viewed a chart,10.0.0.3,Clinician,,,,,HIPAA | GDPR,\"{\"\"patient\"\":\"\"P-1\"\", \"\"note\"\":\"\"a, b\"\"}\"\r\n\
ev-004,2026-03-02T12:00:00.250+01:00,SECURITY,login.failed,ERROR,dee@clinic.org,Bad password,10.0.0.4,Admin,,,,,\"PCI, ISO27001\",\r\n";

#[test]
fn portal_event_viewer_csv_imports_exactly() {
    let ws = Workspace::init();
    let summary = imported(&ws, "viewer.csv", EVENT_VIEWER);
    assert_eq!(summary["records"], 4);
    assert_eq!(summary["new"], 4);

    let e1 = show(&ws, "ev-001");
    assert_eq!(e1["occurred_at"], "2026-03-02T09:15:00Z");
    assert_eq!(e1["description"], "Signed in, via SSO");
    assert_eq!(e1["tags"], serde_json::json!(["SOX", "GDPR"]));
    assert_eq!(e1["details"], serde_json::json!({"mfa": true}));
    assert_eq!(e1["actor"]["role"], "Admin");
    assert_eq!(e1["ip"], "10.0.0.1");
    assert_eq!(e1["request_id"], "r-1");

    let e2 = show(&ws, "ev-002");
    assert_eq!(e2["description"], "Role changed\r\nfrom Viewer\nto Admin");
    assert_eq!(e2["tags"], serde_json::json!(["SOX", "HIPAA"]));
    assert_eq!(e2["severity"], "WARNING");
    assert_eq!(e2["details"], serde_json::Value::Null);

    let e3 = show(&ws, "ev-003");
    assert_eq!(e3["occurred_at"], "2026-03-02T11:30:00Z");
    assert_eq!(e3["category"], "DATA_ACCESS");
    assert_eq!(e3["severity"], "INFO");
    assert_eq!(e3["tags"], serde_json::json!(["HIPAA", "GDPR"]));
    assert_eq!(e3["details"]["note"], "a, b");

    let e4 = show(&ws, "ev-004");
    assert_eq!(
        e4["occurred_at"], "2026-03-02T11:00:00.250Z",
        "offsets become UTC"
    );
    assert_eq!(e4["tags"], serde_json::json!(["PCI", "ISO27001"]));
    // The raw record is kept under the file's own header names.
    assert_eq!(e4["raw"]["event-type"], "login.failed");

    // A line number must account for the multi-line cell of ev-002.
    assert_eq!(ws.count("tag:hipaa"), 2);
    assert_eq!(ws.count("severity>=warning"), 2);

    let again = imported(&ws, "viewer-again.csv", EVENT_VIEWER);
    assert_eq!(again["new"], 0, "re-importing adds nothing");
    assert_eq!(again["unchanged"], 4);
    assert_eq!(ws.count(""), 4);
}

/// Seed 004's audit log: no id column, user as "name <email>".
const AUDIT_LOG: &str = "Timestamp,User,Resource Type,Action,Resource,Status\n\
2026-04-01 08:00:00,Ann Lee <ann@clinic.org>,Members,invite,mem_1,Success\n\
2026-04-01 08:05:00,Ann Lee (ann@clinic.org),Sessions,view,ses_9,Failed\n\
2026-04-01 08:05:00,Ann Lee (ann@clinic.org),Sessions,view,ses_9,Failed\n\
2026-04-01 09:00:00,bob@clinic.org,Patients,export,pat_3,success\n";

#[test]
fn rows_without_ids_get_stable_ids_and_identical_rows_stay_distinct() {
    let ws = Workspace::init();
    let summary = imported(&ws, "log.csv", AUDIT_LOG);
    assert_eq!(summary["new"], 4, "two identical rows are two events");
    let page = ws.json(&["search", ""]);
    let ids: Vec<String> = page["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["id"].as_str().unwrap().to_string())
        .collect();
    assert!(ids.iter().all(|id| id.starts_with("imp-")), "{ids:?}");
    let first = page["events"][3].clone();
    assert_eq!(first["type"], "members.invite");
    assert_eq!(first["category"], "USER_MGMT");
    assert_eq!(first["user_email"], "ann@clinic.org");
    assert_eq!(first["user_name"], "Ann Lee");
    assert_eq!(ws.count("status:failed"), 2);
    assert_eq!(ws.count("severity:error"), 2, "failed means ERROR");

    let again = imported(&ws, "log-copy.csv", AUDIT_LOG);
    assert_eq!(again["new"], 0, "re-import maps every row to the same id");
    assert_eq!(ws.count(""), 4);
}

#[test]
fn semicolon_csv_and_json_shapes_import() {
    let ws = Workspace::init();
    imported(
        &ws,
        "semi.csv",
        "timestamp;event type;status;user id\n2026-05-01T00:00:00Z;x.one;ok;7\n",
    );
    let ndjson = "\r\n{\"id\":\"n1\",\"createdAt\":\"2026-05-02T00:00:00.000Z\",\"type\":\"log-search\",\"status\":\"attempted\",\"userId\":5,\"details\":null}\r\n\r\n{\"id\":2,\"createdAt\":\"2026-05-02T00:00:01.000Z\",\"type\":\"user-invited\",\"status\":\"successful\",\"userId\":\"6\",\"newField\":{\"a\":1}}\r\n";
    assert_eq!(imported(&ws, "a.ndjson", ndjson)["new"], 2);
    let array = "[\n  {\"id\": \"j1\", \"timestamp\": \"2026-05-03T00:00:00Z\", \"eventType\": \"t\", \"tags\": \"SOX|PCI\"},\n  {\"id\": \"j2\", \"timestamp\": 1777766400000, \"eventType\": \"t\", \"tags\": [\"GDPR\"]}\n]\n";
    assert_eq!(imported(&ws, "b.json", array)["new"], 2);
    let envelope = r#"{"meta":{"version":"1","page":{"currentPage":1}},"payload":{"results":[{"id":"r1","createdAt":"2026-05-04T00:00:00.000Z","type":"user-removed","status":"successful","userId":1}]}}"#;
    assert_eq!(imported(&ws, "c.json", envelope)["new"], 1);

    let n2 = show(&ws, "2");
    assert_eq!(
        n2["raw"]["newField"]["a"], 1,
        "unknown fields are kept in the raw JSON"
    );
    assert_eq!(n2["actor"]["user_id"], "6");
    assert_eq!(show(&ws, "r1")["category"], "USER_MGMT");
    assert_eq!(show(&ws, "j2")["occurred_at"], "2026-05-03T00:00:00Z");
    assert_eq!(show(&ws, "j1")["tags"], serde_json::json!(["SOX", "PCI"]));
    assert_eq!(ws.count(""), 6);
}

#[test]
fn status_changes_append_to_the_history() {
    let ws = Workspace::init();
    let line = |status: &str| {
        format!(
            "{{\"id\":\"s1\",\"createdAt\":\"2026-06-01T00:00:00.000Z\",\"type\":\"user-org-role-changed\",\"status\":\"{status}\",\"userId\":1}}\n"
        )
    };
    imported(&ws, "one.ndjson", &line("attempted"));
    let second = imported(&ws, "two.ndjson", &line("successful"));
    assert_eq!(second["updated"], 1);
    let detail = show(&ws, "s1");
    let history: Vec<&str> = detail["status_history"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["status"].as_str().unwrap())
        .collect();
    assert_eq!(history, ["attempted", "successful"]);
    assert_eq!(detail["versions"], 2);
    assert_eq!(
        detail["severity"], "WARNING",
        "a successful role change is worth a look"
    );
    ws.ok(&["vault", "verify"]);
}

/// (file name, contents, line, field) of files that must be rejected whole.
const BAD_FILES: &[(&str, &str, u64, Option<&str>)] = &[
    (
        "bad-time.csv",
        "Event ID,Timestamp,Event Type,Description\n1,2026-01-01T00:00:00Z,a,\"two\nlines\"\n2,not a time,a,x\n",
        4,
        Some("Timestamp"),
    ),
    (
        "bad-columns.csv",
        "Event ID,Timestamp,Event Type\n1,2026-01-01T00:00:00Z,a\n2,2026-01-01T00:00:00Z,a,extra\n",
        3,
        None,
    ),
    (
        "bad-metadata.csv",
        "Event ID,Timestamp,Event Type,Metadata\n1,2026-01-01T00:00:00Z,a,{}\n2,2026-01-01T00:00:00Z,a,\"{\"\"broken\"\":\"\n3,2026-01-01T00:00:00Z,a,{}\n",
        3,
        Some("Metadata"),
    ),
    (
        "bad-line.ndjson",
        "{\"id\":\"1\",\"createdAt\":\"2026-01-01T00:00:00Z\",\"type\":\"a\"}\n\n{\"id\":\"2\",\"createdAt\":\"2026-01-01T00:00:00Z\",\"type\":\"a\"\n",
        3,
        None,
    ),
    (
        "bad-element.json",
        "[\n  {\"id\":\"1\",\"createdAt\":\"2026-01-01T00:00:00Z\",\"type\":\"a\"},\n  {\"id\":\"2\",\n   \"createdAt\":\"31/31/2026\",\"type\":\"a\"}\n]\n",
        3,
        Some("createdAt"),
    ),
    (
        "bad-severity.csv",
        "Event ID,Timestamp,Event Type,Severity\n1,2026-01-01T00:00:00Z,a,INFO\n2,2026-01-01T00:00:00Z,a,LOUD\n",
        3,
        Some("Severity"),
    ),
];

#[test]
fn a_bad_record_rejects_the_whole_file_naming_line_and_field() {
    let ws = Workspace::init();
    let base = ws.write("base.ndjson", crate::util::redox_ndjson(9, 30));
    ws.ok(&["import", path_str(&base)]);
    let before = ws.content_fingerprint();
    for (name, contents, line, field) in BAD_FILES {
        let file = ws.write(name, contents);
        let out = ws.run(&["import", path_str(&file)]);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{name} must fail: {stderr}");
        assert!(
            stderr.contains(&format!("line {line}")),
            "{name}: want line {line}: {stderr}"
        );
        if let Some(field) = field {
            assert!(
                stderr.contains(&format!("field \"{field}\"")),
                "{name}: want field {field}: {stderr}"
            );
        }
        assert!(stderr.contains("nothing was imported"), "{stderr}");
        assert_eq!(ws.content_fingerprint(), before, "{name} changed the vault");
    }
    assert_eq!(ws.count(""), 30);
    ws.ok(&["vault", "verify"]);
}

#[test]
fn sub_millisecond_times_are_kept_to_the_millisecond_and_still_verify() {
    let ws = Workspace::init();
    imported(
        &ws,
        "micro.ndjson",
        "{\"id\":\"m1\",\"createdAt\":\"2026-06-01T10:00:00.123456789+02:00\",\"type\":\"log-search\",\"status\":\"successful\",\"userId\":1}\n",
    );
    assert_eq!(show(&ws, "m1")["occurred_at"], "2026-06-01T08:00:00.123Z");
    ws.ok(&["vault", "verify"]);
}

#[test]
fn floats_read_back_exactly_so_verify_stays_quiet() {
    let ws = Workspace::init();
    imported(
        &ws,
        "floats.ndjson",
        "{\"id\":\"f1\",\"createdAt\":\"2026-01-01T00:00:00Z\",\"type\":\"x\",\"latency\":1.0715660391465826e-75,\"ratio\":0.1,\"big\":1.7976931348623157e308}\n",
    );
    ws.ok(&["vault", "verify"]);
}

#[test]
fn an_unknown_format_is_a_usage_error() {
    let ws = Workspace::init();
    let file = ws.write("x.txt", "a");
    assert_eq!(
        ws.run(&["import", path_str(&file), "--format", "xml"])
            .status
            .code(),
        Some(2)
    );
}

#[test]
fn the_envelope_array_is_found_by_its_path_not_its_name() {
    let ws = Workspace::init();
    let decoy = r#"{"meta":{"q":{"results":[]},"note":"\"results\": ["},"payload":{"results":[
  {"id":"e1","createdAt":"2026-05-04T00:00:00.000Z","type":"user-removed","status":"successful","userId":1},
  {"id":"e2","createdAt":"2026-05-04T00:00:01.000Z","type":"user-removed","status":"successful","userId":1}
]}}"#;
    assert_eq!(imported(&ws, "env.json", decoy)["new"], 2);
}

#[test]
fn pretty_printed_json_is_read_as_one_document() {
    let ws = Workspace::init();
    // No extension: the content decides, and a pretty-printed object is not NDJSON.
    let single =
        "{\n  \"id\": \"p1\",\n  \"createdAt\": \"2026-05-04T00:00:00Z\",\n  \"type\": \"x\"\n}\n";
    assert_eq!(imported(&ws, "single-event", single)["new"], 1);
    let broken = "{\n  \"payload\": {\n    \"results\": [\n      {\"id\": \"b1\",, \"type\": \"x\"}\n    ]\n  }\n}\n";
    let file = ws.write("broken.json", broken);
    let out = ws.run(&["import", path_str(&file)]);
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("line 4"), "{stderr}");
}
