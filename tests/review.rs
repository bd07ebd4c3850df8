//! Offline review through the real binary: the query language against an
//! oracle written over `search --json` rows, facets, paging in every sort,
//! saved searches, bookmarks and cases, the reviewer-activity log and the
//! dashboard. Every expected figure is computed here from the data.

use std::collections::{BTreeMap, HashSet};
use std::net::IpAddr;

use serde_json::Value;

use crate::util::{Workspace, path_str};

/// The three bundled samples: Redox NDJSON, and both portal CSV shapes
/// (e-mails, names, resources, roles).
pub fn sample_workspace() -> Workspace {
    let ws = Workspace::init();
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../samples");
    for (file, source) in [
        ("redox-events.ndjson", "redox-export"),
        ("event-viewer.csv", "event-viewer"),
        ("audit-log.csv", "audit-log"),
    ] {
        ws.ok(&["import", path_str(&root.join(file)), "--source", source]);
    }
    ws
}

/// Every event as `search --json` shows it.
pub fn all_events(ws: &Workspace) -> Vec<Value> {
    let page = ws.json(&["search", "", "--limit", "10000"]);
    let events = page["events"].as_array().unwrap().clone();
    assert_eq!(page["total"].as_u64().unwrap(), events.len() as u64);
    events
}

fn s<'a>(e: &'a Value, k: &str) -> &'a str {
    e[k].as_str().unwrap_or("")
}

fn eq(e: &Value, k: &str, v: &str) -> bool {
    s(e, k).eq_ignore_ascii_case(v)
}

fn rank(sev: &str) -> u8 {
    ["INFO", "WARNING", "ERROR", "CRITICAL"]
        .iter()
        .position(|x| *x == sev)
        .unwrap() as u8
}

fn in_net(e: &Value, net: &str, bits: u32) -> bool {
    let (Ok(ip), Ok(net)) = (s(e, "ip").parse::<IpAddr>(), net.parse::<IpAddr>()) else {
        return false;
    };
    match (ip, net) {
        (IpAddr::V4(ip), IpAddr::V4(net)) => {
            let mask = u32::MAX.checked_shl(32 - bits).unwrap_or(0);
            u32::from(ip) & mask == u32::from(net) & mask
        }
        _ => false,
    }
}

fn ids(page: &Value) -> Vec<String> {
    page["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| s(e, "id").to_string())
        .collect()
}

/// The ids the query matches, from one search with a large page.
fn matched(ws: &Workspace, query: &str) -> HashSet<String> {
    let page = ws.json(&["search", query, "--limit", "10000"]);
    let got = ids(&page);
    assert_eq!(page["total"].as_u64().unwrap(), got.len() as u64, "{query}");
    got.into_iter().collect()
}

#[test]
fn the_query_language_matches_an_independent_oracle() {
    let ws = sample_workspace();
    let all = all_events(&ws);
    assert_eq!(all.len(), 2000);
    let some_user = all
        .iter()
        .map(|e| s(e, "user_email"))
        .find(|u| !u.is_empty())
        .unwrap()
        .to_string();
    let ts = |e: &Value| s(e, "occurred_at").to_string();
    type Pred = Box<dyn Fn(&Value) -> bool>;
    let cases: Vec<(&str, Pred)> = vec![
        ("", Box::new(|_| true)),
        (
            "status:failed OR status:unauthorized",
            Box::new(|e| matches!(s(e, "outcome"), "failed" | "unauthorized")),
        ),
        (
            "-status:successful",
            Box::new(|e| s(e, "outcome") != "successful"),
        ),
        (
            "NOT category:data_access",
            Box::new(|e| s(e, "category") != "DATA_ACCESS"),
        ),
        (
            "severity>=warning",
            Box::new(|e| rank(s(e, "severity")) >= 1),
        ),
        ("severity<error", Box::new(|e| rank(s(e, "severity")) < 2)),
        ("severity:error", Box::new(|e| s(e, "severity") == "ERROR")),
        (
            "(type:user-* OR category:permission) -status:successful",
            Box::new(|e| {
                (s(e, "type").starts_with("user-") || s(e, "category") == "PERMISSION")
                    && s(e, "outcome") != "successful"
            }),
        ),
        (
            "type:log-search AND (status:failed OR severity:warning)",
            Box::new(|e| {
                s(e, "type") == "log-search"
                    && (s(e, "outcome") == "failed" || s(e, "severity") == "WARNING")
            }),
        ),
        ("ip:10.0.0.0/16", Box::new(|e| in_net(e, "10.0.0.0", 16))),
        (
            "ip:10.2.0.0/15 -ip:10.3.0.0/16",
            Box::new(|e| in_net(e, "10.2.0.0", 15) && !in_net(e, "10.3.0.0", 16)),
        ),
        (
            "user:1003",
            Box::new(|e| {
                eq(e, "user_id", "1003")
                    || eq(e, "user_email", "1003")
                    || eq(e, "user_name", "1003")
            }),
        ),
        (
            "email:*@example-health.org",
            Box::new(|e| s(e, "user_email").ends_with("@example-health.org")),
        ),
        (
            "resource:sessions",
            Box::new(|e| {
                ["resource_id", "resource_name", "resource_type", "route"]
                    .iter()
                    .any(|k| eq(e, k, "sessions"))
            }),
        ),
        (
            "source:audit-log",
            Box::new(|e| s(e, "source") == "audit-log"),
        ),
        ("org:4107", Box::new(|e| s(e, "org_id") == "4107")),
        (
            "tag:sox",
            Box::new(|e| {
                e["tags"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .any(|t| t.as_str().unwrap().eq_ignore_ascii_case("sox"))
            }),
        ),
        (
            "after:2026-08-01",
            Box::new(move |e| ts(e).as_str() >= "2026-08-01"),
        ),
        (
            "before:2026-08-01",
            Box::new(|e| s(e, "occurred_at") < "2026-08-01"),
        ),
        (
            "on:2026-08-15",
            Box::new(|e| s(e, "occurred_at").starts_with("2026-08-15")),
        ),
        (
            "after:2026-08-15T12:00 before:2026-08-20",
            Box::new(|e| {
                s(e, "occurred_at") >= "2026-08-15T12:00" && s(e, "occurred_at") < "2026-08-20"
            }),
        ),
        (
            "after:2026-08-15T14:00:00+02:00",
            Box::new(|e| s(e, "occurred_at") >= "2026-08-15T12:00"),
        ),
        (
            "type:log-search OR type:log-inspected OR type:log-payload-viewed",
            Box::new(|e| {
                matches!(
                    s(e, "type"),
                    "log-search" | "log-inspected" | "log-payload-viewed"
                )
            }),
        ),
    ];
    let mut cases: Vec<(String, Pred)> =
        cases.into_iter().map(|(q, p)| (q.to_string(), p)).collect();
    assert!(!some_user.is_empty(), "the sample has e-mail users");
    cases.push((
        format!("user:{}", some_user.to_uppercase()),
        Box::new(move |e: &Value| {
            ["user_email", "user_id", "user_name"]
                .iter()
                .any(|k| eq(e, k, &some_user))
        }),
    ));
    let mut checked = 0;
    for (query, pred) in &cases {
        let query = query.as_str();
        let want: HashSet<String> = all
            .iter()
            .filter(|e| pred(e))
            .map(|e| s(e, "id").to_string())
            .collect();
        let got = matched(&ws, query);
        assert_eq!(got.len(), want.len(), "{query}: count");
        assert_eq!(got, want, "{query}: the very events");
        assert_eq!(ws.count(query), want.len() as u64, "{query}: --count");
        checked += usize::from(!want.is_empty() && want.len() < all.len());
    }
    assert!(
        checked >= 18,
        "most queries must select a proper subset, got {checked}"
    );
}

#[test]
fn text_search_is_exact_terms_phrases_and_prefixes() {
    let ws = sample_workspace();
    let all = all_events(&ws);
    let details = |e: &Value| e["details"].to_string().to_lowercase();
    let with = |f: &dyn Fn(&Value) -> bool| all.iter().filter(|e| f(e)).count() as u64;
    assert_eq!(
        ws.count("Smith"),
        with(&|e| details(e).contains("\"smith\""))
    );
    assert_eq!(
        ws.count("smith OR \"MRN 004421\""),
        with(&|e| {
            let d = details(e);
            d.contains("\"smith\"") || d.contains("mrn 004421")
        })
    );
    assert_eq!(ws.count("smit"), 0, "no fuzzy or substring matching");
    // Text with a time range is the intersection of the two.
    for (text, time) in [
        ("log-search", "after:2026-08-01 before:2026-09-01"),
        ("smith OR sessions", "on:2026-08-15"),
        (
            "smi*",
            "after:2026-08-20T12:00 after:2026-08-10 before:2026-09-01 before:2026-09-30",
        ),
    ] {
        let both = matched(&ws, &format!("({text}) {time}"));
        let apart: HashSet<String> = matched(&ws, text)
            .intersection(&matched(&ws, time))
            .cloned()
            .collect();
        assert_eq!(both, apart, "{text} {time}");
        assert!(!both.is_empty(), "{text} {time}");
    }
    // Text and fields combine in one boolean expression.
    let n = ws.count("(smith OR sessions) -source:redox-export");
    let m = ws.count("sessions source:audit-log")
        + ws.count("smith -source:redox-export -source:audit-log");
    assert!(n >= m && n > 0, "{n} vs {m}");
    // Nothing typed reaches FTS5 or SQL as syntax.
    for q in [
        "\"a\" NEAR(b c)",
        "x' OR 1=1 --",
        "type:\"'; DROP TABLE events; --\"",
        "^x OR* col:umn",
    ] {
        let out = ws.run(&["search", q, "--count"]);
        assert!(
            matches!(out.status.code(), Some(0) | Some(2)),
            "{q}: {out:?}"
        );
    }
    assert_eq!(ws.count(""), 2000, "still all there");
}

#[test]
fn facets_equal_counts_recomputed_from_the_rows() {
    let ws = sample_workspace();
    for query in [
        "",
        "severity>=warning",
        "type:log-* OR source:audit-log",
        "-status:successful after:2026-08-01",
    ] {
        let page = ws.json(&["search", query, "--facets", "--limit", "10000"]);
        let rows = page["events"].as_array().unwrap();
        let mut want: BTreeMap<&str, BTreeMap<String, u64>> = BTreeMap::new();
        for e in rows {
            for (facet, key) in [
                ("category", "category"),
                ("severity", "severity"),
                ("outcome", "outcome"),
                ("type", "type"),
                ("user", "user"),
            ] {
                if let Some(v) = e[key].as_str() {
                    *want
                        .entry(facet)
                        .or_default()
                        .entry(v.to_string())
                        .or_default() += 1;
                }
            }
            *want
                .entry("day")
                .or_default()
                .entry(s(e, "occurred_at")[..10].to_string())
                .or_default() += 1;
        }
        for facet in ["category", "severity", "outcome", "type", "user", "day"] {
            let got: BTreeMap<String, u64> =
                serde_json::from_value(page["facets"][facet].clone()).unwrap();
            assert_eq!(
                got,
                want.remove(facet).unwrap_or_default(),
                "{query}: facet {facet}"
            );
        }
        assert_eq!(page["total"].as_u64().unwrap(), rows.len() as u64);
    }
}

#[test]
fn keyset_and_offset_pages_cover_every_sort_exactly_once() {
    let ws = sample_workspace();
    let query = "-category:auth";
    let total = ws.count(query);
    for sort in [
        "occurred_at",
        "occurred_at:asc",
        "severity",
        "type",
        "-user",
        "ip",
        "source",
        "id:desc",
    ] {
        let mut keyset = Vec::new();
        let mut cursor: Option<String> = None;
        loop {
            let mut args = vec!["search", query, "--sort", sort, "--limit", "331"];
            if let Some(c) = &cursor {
                args.extend(["--after", c.as_str()]);
            }
            let page = ws.json(&args);
            keyset.extend(ids(&page));
            match page["next_cursor"].as_str() {
                Some(c) => cursor = Some(c.to_string()),
                None => break,
            }
        }
        let mut offset = Vec::new();
        for start in (0..total).step_by(331) {
            offset.extend(ids(&ws.json(&[
                "search",
                query,
                "--sort",
                sort,
                "--limit",
                "331",
                "--offset",
                &start.to_string(),
            ])));
        }
        let whole = ids(&ws.json(&["search", query, "--sort", sort, "--limit", "10000"]));
        assert_eq!(whole.len() as u64, total, "{sort}");
        assert_eq!(keyset, whole, "{sort}: keyset pages");
        assert_eq!(offset, whole, "{sort}: offset pages");
        assert_eq!(whole.iter().collect::<HashSet<_>>().len() as u64, total);
    }
    // The order itself: severity descending, then newest first within one.
    let page = ws.json(&["search", "", "--sort", "severity", "--limit", "10000"]);
    let rows = page["events"].as_array().unwrap();
    for pair in rows.windows(2) {
        let (a, b) = (rank(s(&pair[0], "severity")), rank(s(&pair[1], "severity")));
        assert!(a > b || (a == b && s(&pair[0], "occurred_at") >= s(&pair[1], "occurred_at")));
    }
    let bad = ws.run(&["search", "", "--sort", "colour"]);
    assert_eq!(bad.status.code(), Some(2));
}

#[test]
fn saved_searches_are_named_queries() {
    let ws = sample_workspace();
    ws.ok(&[
        "saved",
        "add",
        "failed role changes",
        "type:user-*-role-* status:failed",
    ]);
    ws.ok(&["saved", "add", "denied", "status:unauthorized"]);
    let list = ws.json(&["saved", "list"]);
    assert_eq!(list.as_array().unwrap().len(), 2);
    let run = ws.json(&["saved", "run", "failed role changes", "--limit", "10000"]);
    assert_eq!(
        run["total"].as_u64().unwrap(),
        ws.count("type:user-*-role-* status:failed")
    );
    // Replacing keeps one entry; a bad query is refused with its position.
    ws.ok(&["saved", "add", "denied", "status:unauthenticated"]);
    assert_eq!(
        ws.json(&["saved", "run", "denied"])["total"]
            .as_u64()
            .unwrap(),
        ws.count("status:unauthenticated")
    );
    let bad = ws.run(&["saved", "add", "broken", "type:x OR"]);
    assert_eq!(bad.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&bad.stderr).contains("position 7"));
    ws.ok(&["saved", "remove", "denied"]);
    assert_eq!(ws.json(&["saved", "list"]).as_array().unwrap().len(), 1);
    assert_eq!(ws.run(&["saved", "run", "denied"]).status.code(), Some(1));
}

#[test]
fn bookmarks_and_cases_are_searchable_and_kept_apart_from_events() {
    let ws = sample_workspace();
    let failed = ids(&ws.json(&[
        "search",
        "status:failed",
        "--limit",
        "5",
        "--sort",
        "occurred_at:asc",
    ]));
    ws.ok(&[
        "case",
        "create",
        "INC-7",
        "--description",
        "failed access in August",
    ]);
    for (i, id) in failed.iter().enumerate() {
        let mut args = vec![
            "bookmark",
            "add",
            id.as_str(),
            "--note",
            "looked at this",
            "--tag",
            "triage",
        ];
        if i < 3 {
            args.extend(["--case", "INC-7"]);
        }
        ws.ok(&args);
    }
    // A second add updates: new note, one more tag, no duplicate.
    let b = ws.json(&[
        "bookmark",
        "add",
        &failed[0],
        "--note",
        "confirmed",
        "--tag",
        "escalated",
        "--tag",
        "TRIAGE",
    ]);
    assert_eq!(b["note"], "confirmed");
    assert_eq!(b["tags"], serde_json::json!(["triage", "escalated"]));
    assert_eq!(b["cases"], serde_json::json!(["INC-7"]));
    assert_eq!(ws.json(&["bookmark", "list"]).as_array().unwrap().len(), 5);
    assert_eq!(ws.count("bookmarked:true"), 5);
    assert_eq!(ws.count("bookmarked:false"), 1995);
    assert_eq!(ws.count("case:inc-7"), 3);
    assert_eq!(ws.count("case:INC-7 status:failed"), 3);
    assert_eq!(ws.count("case:nope"), 0);
    // The timeline runs oldest first.
    let case = ws.json(&["case", "show", "INC-7"]);
    let timeline: Vec<String> = case["timeline"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| s(b, "event_id").to_string())
        .collect();
    assert_eq!(timeline, failed[..3].to_vec());
    assert_eq!(case["bookmarks"], 3);
    ws.ok(&["case", "close", "INC-7"]);
    assert_eq!(ws.json(&["case", "list"])[0]["status"], "closed");
    ws.ok(&["bookmark", "remove", &failed[1]]);
    assert_eq!(ws.count("case:INC-7"), 2);
    assert_eq!(ws.count("bookmarked:true"), 4);
    // Bookmarks are not events: totals and the event chain are unchanged.
    assert_eq!(ws.count(""), 2000);
    ws.ok(&["vault", "verify"]);
    assert_eq!(
        ws.run(&["bookmark", "add", "no-such-event"]).status.code(),
        Some(1)
    );
    assert_eq!(
        ws.run(&["bookmark", "add", &failed[0], "--case", "nope"])
            .status
            .code(),
        Some(1)
    );
}

#[test]
fn the_reviewer_activity_log_records_access_and_is_chained() {
    let ws = sample_workspace();
    let id = ids(&ws.json(&["search", "status:failed", "--limit", "1"]))[0].clone();
    ws.ok(&["show", &id]);
    ws.ok(&["bookmark", "add", &id, "--note", "n"]);
    let out = ws.root.path().join("x.csv");
    ws.ok(&["export", "status:failed", "--out", path_str(&out)]);
    let log = ws.json(&["activity"]);
    let entries = log.as_array().unwrap();
    let actions: Vec<&str> = entries.iter().map(|e| s(e, "action")).collect();
    for want in ["unlock", "search", "view", "bookmark.add", "export"] {
        assert!(actions.contains(&want), "{want} missing from {actions:?}");
    }
    let search = entries.iter().find(|e| s(e, "action") == "search").unwrap();
    assert_eq!(search["subject"], "status:failed");
    let view = entries.iter().find(|e| s(e, "action") == "view").unwrap();
    assert_eq!(view["subject"], id.as_str());
    // Newest first, numbered without gaps.
    let seqs: Vec<i64> = entries.iter().map(|e| e["seq"].as_i64().unwrap()).collect();
    assert!(seqs.windows(2).all(|w| w[0] == w[1] + 1));
    // The log is not among the events.
    assert_eq!(ws.count(""), 2000);
    assert_eq!(ws.count("unlock"), 0);
    ws.ok(&["vault", "verify"]);
}

#[test]
fn the_dashboard_matches_the_events_of_its_range() {
    let ws = sample_workspace();
    let all = all_events(&ws);
    // The samples end in 2026-09, long before now: ranges end at the newest event.
    let d = ws.json(&["dashboard", "--range", "7d"]);
    assert_eq!(d["anchored_to"], "newest_event");
    let to = s(&d, "to").to_string();
    let from = s(&d, "from").to_string();
    let parse = |t: &str| chrono::DateTime::parse_from_rfc3339(t).unwrap();
    let inside: Vec<&Value> = all
        .iter()
        .filter(|e| {
            let at = parse(s(e, "occurred_at"));
            at >= parse(&from) && at < parse(&to)
        })
        .collect();
    assert!(!inside.is_empty());
    assert_eq!(d["total"].as_u64().unwrap(), inside.len() as u64);
    let high = inside
        .iter()
        .filter(|e| rank(s(e, "severity")) >= 2)
        .count() as u64;
    assert_eq!(d["critical_error"].as_u64().unwrap(), high);
    let warn = inside
        .iter()
        .filter(|e| s(e, "severity") == "WARNING")
        .count() as u64;
    assert_eq!(d["warning"].as_u64().unwrap(), warn);
    let users: HashSet<&str> = inside.iter().filter_map(|e| e["user"].as_str()).collect();
    assert_eq!(d["active_users"].as_u64().unwrap(), users.len() as u64);
    let series: u64 = d["series"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| b["count"].as_u64().unwrap())
        .sum();
    assert_eq!(series, inside.len() as u64);
    assert_eq!(d["series"].as_array().unwrap().len(), 7);
    let cats: u64 = d["categories"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["count"].as_u64().unwrap())
        .sum();
    assert_eq!(cats, inside.len() as u64);
    let mut by_type: BTreeMap<&str, u64> = BTreeMap::new();
    for e in &inside {
        *by_type.entry(s(e, "type")).or_default() += 1;
    }
    let top = d["top_types"].as_array().unwrap();
    assert_eq!(top.len(), by_type.len().min(5));
    let best = by_type.values().max().unwrap();
    assert_eq!(top[0]["count"].as_u64().unwrap(), *best);
    let recent: Vec<&str> = d["recent_high"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| s(e, "id"))
        .collect();
    let mut want: Vec<&Value> = inside
        .iter()
        .copied()
        .filter(|e| rank(s(e, "severity")) >= 2)
        .collect();
    want.sort_by(|a, b| s(b, "occurred_at").cmp(s(a, "occurred_at")));
    assert_eq!(
        recent,
        want.iter().take(5).map(|e| s(e, "id")).collect::<Vec<_>>()
    );
    // A custom range is taken as given.
    let c = ws.json(&["dashboard", "--from", "2026-08-01", "--to", "2026-08-02"]);
    assert_eq!(c["anchored_to"], "custom");
    let day = all
        .iter()
        .filter(|e| s(e, "occurred_at").starts_with("2026-08-01"))
        .count() as u64;
    assert_eq!(c["total"].as_u64().unwrap(), day);
    assert_eq!(
        c["series"].as_array().unwrap().len(),
        24,
        "hourly buckets for a day"
    );
}
