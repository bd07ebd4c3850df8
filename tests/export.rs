//! Exports read back by independent readers (the csv crate, calamine for
//! XLSX, serde_json) and compared with `search --json`; redaction; case
//! bundles re-hashed against their manifest.

use std::collections::HashSet;

use calamine::{Data, Reader as _, Xlsx, open_workbook};
use serde_json::Value;
use sha2::{Digest, Sha256};

use crate::review::sample_workspace;
use crate::util::path_str;

const QUERY: &str = "-category:auth after:2026-07-15";

fn cell(v: &Value) -> String {
    match v {
        Value::Null => String::new(),
        Value::String(s) => s.clone(),
        Value::Array(items) => items
            .iter()
            .map(|i| i.as_str().unwrap().to_string())
            .collect::<Vec<_>>()
            .join("; "),
        other => other.to_string(),
    }
}

fn expected(ws: &crate::util::Workspace, query: &str) -> Vec<Value> {
    ws.json(&["search", query, "--limit", "10000"])["events"]
        .as_array()
        .unwrap()
        .clone()
}

#[test]
fn csv_xlsx_and_json_exports_hold_exactly_the_search_result() {
    let ws = sample_workspace();
    let want = expected(&ws, QUERY);
    assert!(want.len() > 500);
    let dir = ws.root.path();

    let csv_path = dir.join("out.csv");
    let summary = ws.json(&["export", QUERY, "--out", path_str(&csv_path)]);
    assert_eq!(summary["events"].as_u64().unwrap(), want.len() as u64);
    let bytes = std::fs::read(&csv_path).unwrap();
    assert_eq!(summary["sha256"], hex::encode(Sha256::digest(&bytes)));
    let mut reader = csv::Reader::from_reader(bytes.as_slice());
    let header: Vec<String> = reader.headers().unwrap().iter().map(String::from).collect();
    let rows: Vec<csv::StringRecord> = reader.records().map(|r| r.unwrap()).collect();
    assert_eq!(rows.len(), want.len());
    for (row, event) in rows.iter().zip(&want) {
        for (i, column) in header.iter().enumerate() {
            if column == "details" {
                let got: Value = if row[i].is_empty() {
                    Value::Null
                } else {
                    serde_json::from_str(&row[i]).unwrap()
                };
                assert_eq!(got, event["details"]);
            } else {
                assert_eq!(row[i], cell(&event[column.as_str()]), "column {column}");
            }
        }
    }

    let json_path = dir.join("out.json");
    ws.ok(&[
        "export",
        QUERY,
        "--format",
        "json",
        "--out",
        path_str(&json_path),
    ]);
    let got: Vec<Value> = serde_json::from_slice(&std::fs::read(&json_path).unwrap()).unwrap();
    assert_eq!(got, want, "the JSON export is the search result, in order");

    let xlsx_path = dir.join("out.xlsx");
    ws.ok(&["export", QUERY, "--out", path_str(&xlsx_path)]);
    let mut book: Xlsx<_> = open_workbook(&xlsx_path).unwrap();
    let sheet = book.worksheet_range("events").unwrap();
    let mut rows = sheet.rows();
    let head: Vec<String> = rows.next().unwrap().iter().map(|c| c.to_string()).collect();
    assert_eq!(head, header, "same columns as the CSV");
    let at = head.iter().position(|h| h == "occurred_at").unwrap();
    let mut n = 0;
    for (row, event) in rows.zip(&want) {
        n += 1;
        // The time is a typed date cell, to the millisecond.
        match &row[at] {
            Data::DateTime(d) => {
                let got = d.as_datetime().unwrap().and_utc();
                let exact =
                    chrono::DateTime::parse_from_rfc3339(event["occurred_at"].as_str().unwrap())
                        .unwrap();
                assert!(
                    (got.timestamp_millis() - exact.timestamp_millis()).abs() <= 1,
                    "{got} vs {exact}"
                );
            }
            other => panic!("occurred_at is not a date cell: {other:?}"),
        }
        for (i, column) in head.iter().enumerate() {
            if i == at || column == "details" {
                continue;
            }
            let text = match &row[i] {
                Data::Empty => String::new(),
                Data::String(s) => s.clone(),
                other => panic!("{column} is not text: {other:?}"),
            };
            assert_eq!(text, cell(&event[column.as_str()]), "xlsx column {column}");
        }
    }
    assert_eq!(n, want.len());
    // Nothing half-written is left behind.
    let leftovers: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .filter_map(|e| e.ok())
        .filter(|e| e.file_name().to_string_lossy().contains("partial"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
}

#[test]
fn redaction_masks_every_email_and_ip_address() {
    let ws = sample_workspace();
    let want = expected(&ws, "");
    let emails: HashSet<String> = want
        .iter()
        .filter_map(|e| e["user_email"].as_str().map(String::from))
        .collect();
    let ips: HashSet<String> = want
        .iter()
        .filter_map(|e| e["ip"].as_str().map(String::from))
        .collect();
    assert!(emails.len() > 10 && ips.len() > 10);
    for format in ["csv", "json", "xlsx"] {
        let out = ws.root.path().join(format!("redacted.{format}"));
        ws.ok(&["export", "", "--redact", "--out", path_str(&out)]);
        let text = if format == "xlsx" {
            let mut book: Xlsx<_> = open_workbook(&out).unwrap();
            let sheet = book.worksheet_range("events").unwrap();
            sheet
                .rows()
                .flat_map(|r| r.iter().map(|c| c.to_string()).collect::<Vec<_>>())
                .collect::<Vec<_>>()
                .join("\n")
        } else {
            String::from_utf8(std::fs::read(&out).unwrap()).unwrap()
        };
        for email in &emails {
            assert!(!text.contains(email.as_str()), "{format} leaks {email}");
        }
        for ip in &ips {
            assert!(
                !text.contains(&format!("{ip},")) && !text.contains(&format!("\"{ip}\"")),
                "{format} leaks {ip}"
            );
        }
        assert!(
            text.contains("[redacted email]") && text.contains("[redacted ip]"),
            "{format}"
        );
        // Everything else is still there.
        assert!(text.contains("log-payload-viewed"));
    }
}

#[test]
fn a_case_bundle_rehashes_against_its_manifest() {
    let ws = sample_workspace();
    let picked: Vec<String> = expected(&ws, "severity>=error")[..4]
        .iter()
        .map(|e| e["id"].as_str().unwrap().to_string())
        .collect();
    ws.ok(&["case", "create", "INC-9"]);
    for id in &picked {
        ws.ok(&[
            "bookmark",
            "add",
            id,
            "--case",
            "INC-9",
            "--note",
            &format!("note on {id}"),
        ]);
    }
    let out = ws.root.path().join("bundle");
    let summary = ws.json(&["case", "export", "INC-9", "--out", path_str(&out)]);
    assert_eq!(summary["events"], 4);
    let manifest = std::fs::read_to_string(out.join("MANIFEST.sha256")).unwrap();
    let mut listed = Vec::new();
    for line in manifest.lines() {
        let (hash, name) = line.split_once("  ").unwrap();
        let bytes = std::fs::read(out.join(name)).unwrap();
        assert_eq!(hash, hex::encode(Sha256::digest(&bytes)), "{name}");
        listed.push(name.to_string());
    }
    let mut on_disk: Vec<String> = std::fs::read_dir(&out)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n != "MANIFEST.sha256")
        .collect();
    on_disk.sort();
    listed.sort();
    assert_eq!(listed, on_disk, "the manifest names every file");
    // The standard tool agrees.
    let check = std::process::Command::new("sha256sum")
        .args(["-c", "MANIFEST.sha256"])
        .current_dir(&out)
        .output()
        .unwrap();
    assert!(check.status.success(), "{check:?}");

    let case: Value =
        serde_json::from_slice(&std::fs::read(out.join("case.json")).unwrap()).unwrap();
    assert_eq!(case["case"]["name"], "INC-9");
    let bookmarks = case["bookmarks"].as_array().unwrap();
    assert_eq!(bookmarks.len(), 4);
    for b in bookmarks {
        let id = b["event_id"].as_str().unwrap();
        assert!(picked.contains(&id.to_string()));
        assert_eq!(b["note"], format!("note on {id}"));
        assert!(
            b["event"]["raw"].is_object(),
            "the raw source JSON is in the bundle"
        );
        assert!(!b["event"]["status_history"].as_array().unwrap().is_empty());
    }
    let mut csv = csv::Reader::from_path(out.join("events.csv")).unwrap();
    let ids: HashSet<String> = csv.records().map(|r| r.unwrap()[0].to_string()).collect();
    assert_eq!(ids, picked.iter().cloned().collect());
    // A bundle never overwrites one that exists.
    let again = ws.run(&["case", "export", "INC-9", "--out", path_str(&out)]);
    assert_eq!(again.status.code(), Some(1));
    // Tampering is visible to anyone holding the manifest.
    std::fs::write(out.join("events.csv"), "forged\n").unwrap();
    let check = std::process::Command::new("sha256sum")
        .args(["-c", "MANIFEST.sha256"])
        .current_dir(&out)
        .output()
        .unwrap();
    assert!(!check.status.success());
}
