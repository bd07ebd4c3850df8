//! `auditdesk search` over a known dataset: every figure is recomputed from
//! the generated events, never typed in.

use std::collections::HashSet;

use crate::util::{Workspace, path_str, redox_ndjson};

fn events() -> Vec<serde_json::Value> {
    redox_ndjson(21, 600)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

fn workspace() -> Workspace {
    let ws = Workspace::init();
    let file = ws.write("e.ndjson", redox_ndjson(21, 600));
    ws.ok(&["import", path_str(&file)]);
    ws
}

#[test]
fn counts_match_the_data() {
    let ws = workspace();
    let all = events();
    assert_eq!(ws.count(""), all.len() as u64);
    let with = |f: &dyn Fn(&serde_json::Value) -> bool| all.iter().filter(|e| f(e)).count() as u64;
    assert_eq!(
        ws.count("type:log-search"),
        with(&|e| e["type"] == "log-search")
    );
    assert_eq!(
        ws.count("status:failed"),
        with(&|e| e["status"] == "failed")
    );
    assert_eq!(
        ws.count("type:log-search status:unauthorized"),
        with(&|e| e["type"] == "log-search" && e["status"] == "unauthorized")
    );
    assert_eq!(
        ws.count("severity:error"),
        with(&|e| e["status"] == "failed")
    );
    assert_eq!(
        ws.count("category:user_mgmt"),
        with(&|e| matches!(
            e["type"].as_str(),
            Some("user-invited" | "user-joined" | "user-removed")
        ))
    );
    // Bare words are exact terms over the event's text, details included.
    assert_eq!(
        ws.count("Smith"),
        with(&|e| e["details"]["searchTerms"] == "Smith"),
        "a value inside details"
    );
    assert_eq!(
        ws.count("\"NPI 1467\""),
        with(&|e| e["details"]["searchTerms"] == "NPI 1467")
    );
    assert_eq!(ws.count("smit"), 0, "no fuzzy or substring matching");
    assert_eq!(
        ws.count("smit*"),
        with(&|e| e["details"]["searchTerms"] == "Smith")
    );
    let some = all[17]["id"].as_str().unwrap();
    assert_eq!(ws.count(&format!("id:{some}")), 1);
    let classifier = auditdesk_core::domain::Classifier::builtin();
    assert_eq!(
        ws.count("tag:hipaa"),
        with(&|e| classifier
            .classify(e["type"].as_str().unwrap(), None)
            .tags
            .iter()
            .any(|t| t == "HIPAA"))
    );
}

#[test]
fn pages_are_newest_first_and_cover_everything_once() {
    let ws = workspace();
    let mut seen = HashSet::new();
    let mut last = String::from("9999");
    for offset in (0..600).step_by(50) {
        let page = ws.json(&[
            "search",
            "",
            "--limit",
            "50",
            "--offset",
            &offset.to_string(),
        ]);
        assert_eq!(page["total"], 600);
        for e in page["events"].as_array().unwrap() {
            let at = e["occurred_at"].as_str().unwrap().to_string();
            assert!(at <= last, "newest first");
            last = at;
            assert!(
                seen.insert(e["id"].as_str().unwrap().to_string()),
                "no duplicates"
            );
            for key in [
                "id",
                "occurred_at",
                "type",
                "category",
                "severity",
                "outcome",
                "user",
                "ip",
            ] {
                assert!(e.get(key).is_some(), "search --json carries {key}");
            }
        }
    }
    assert_eq!(seen.len(), 600);
}

#[test]
fn bad_queries_point_at_the_position() {
    let ws = workspace();
    let out = ws.run(&["search", "log colour:red"]);
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("position 4"));
    // The query, and a caret under the character the error names.
    assert!(stderr.contains("  log colour:red\n      ^\n"), "{stderr}");
    // FTS syntax in user text is just text.
    assert_eq!(ws.count("\"NEAR(a b)\" OR* ^x"), 0);
}
