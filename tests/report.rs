//! Reports through the real binary, read back with poppler (pdfinfo,
//! pdffonts, pdftotext): every framework's control ids, the period, the
//! quarter's true event count, embedded fonts, byte-identical re-runs with
//! `--as-of`, and `report verify` failing on a tampered event or PDF.

use std::path::Path;
use std::process::Command;

use crate::review::sample_workspace;
use crate::util::{Workspace, path_str};

const AS_OF: &str = "2026-10-02T08:00:00Z";

fn poppler(tool: &str, args: &[&str]) -> String {
    let out = Command::new(tool)
        .args(args)
        .output()
        .unwrap_or_else(|e| panic!("{tool}: {e} (install poppler-utils)"));
    assert!(out.status.success(), "{tool} {args:?}: {out:?}");
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn text(pdf: &Path) -> String {
    poppler("pdftotext", &["-layout", path_str(pdf), "-"])
}

fn generate(ws: &Workspace, kind: &str, out: &Path) -> serde_json::Value {
    ws.json(&[
        "report",
        "generate",
        "--type",
        kind,
        "--quarter",
        "2026Q3",
        "--as-of",
        AS_OF,
        "--out",
        path_str(out),
    ])
}

const CONTROLS: &[(&str, &[&str])] = &[
    (
        "pci",
        &[
            "10.2.1.1", "10.2.1.7", "10.2.2", "10.4", "10.5.1", "10.7.2", "7.2.4",
        ],
    ),
    (
        "hipaa",
        &[
            "164.312(b)",
            "164.308(a)(1)(ii)(D)",
            "164.308(a)(5)(ii)(C)",
            "164.308(a)(4)",
        ],
    ),
    ("sox", &["ITGC-AC-1", "ITGC-AC-2", "ITGC-AC-3", "ITGC-PC-1"]),
    (
        "gdpr",
        &["Art. 5(1)(f)", "Art. 15", "Art. 30", "Art. 32", "Art. 33"],
    ),
    (
        "iso27001",
        &["A.5.15", "A.5.18", "A.8.2", "A.8.15", "A.8.16", "A.5.28"],
    ),
    ("custom", &[]),
];

#[test]
fn every_framework_reports_the_quarter_and_verifies() {
    let ws = sample_workspace();
    let quarter = ws.count("after:2026-07-01 before:2026-10-01");
    assert!(quarter > 1000);
    // An investigation with a note on an exception of the quarter.
    let failed = ws.json(&["search", "status:failed after:2026-08-01", "--limit", "1"]);
    let id = failed["events"][0]["id"].as_str().unwrap().to_string();
    ws.ok(&[
        "case",
        "create",
        "INC-42",
        "--description",
        "failed payload views",
    ]);
    ws.ok(&[
        "bookmark",
        "add",
        &id,
        "--case",
        "INC-42",
        "--note",
        "escalated",
    ]);
    for (kind, ids) in CONTROLS {
        let out = ws.root.path().join(format!("{kind}.pdf"));
        let report = generate(&ws, kind, &out);
        assert_eq!(report["status"], "completed", "{kind}");
        assert_eq!(report["events"].as_u64().unwrap(), quarter, "{kind}");
        let info = poppler("pdfinfo", &[path_str(&out)]);
        let pages: u32 = info
            .lines()
            .find_map(|l| l.strip_prefix("Pages:"))
            .unwrap()
            .trim()
            .parse()
            .unwrap();
        assert!(pages >= 3, "{kind}: {pages} pages");
        let fonts = poppler("pdffonts", &[path_str(&out)]);
        for line in fonts.lines().skip(2) {
            assert!(
                line.contains(" yes "),
                "{kind}: a font not embedded: {line}"
            );
        }
        let t = text(&out);
        assert!(t.contains("2026-07-01 to 2026-09-30"), "{kind}: period");
        assert!(
            t.contains(&quarter.to_string()),
            "{kind}: the quarter's count"
        );
        assert!(
            t.contains(report["merkle_root"].as_str().unwrap()),
            "{kind}: root"
        );
        for id in *ids {
            assert!(t.contains(id), "{kind}: control {id} missing");
        }
        assert!(t.contains("page 2 of"), "{kind}: page numbers");
        if *kind != "custom" {
            assert!(t.contains("escalated"), "{kind}: the note on the exception");
        }
        if *kind == "gdpr" {
            assert!(
                t.contains("Case INC-42"),
                "gdpr: the breach timeline from cases"
            );
        }
        if *kind == "pci" {
            // Long sections are summarised; their full listing is attached,
            // with its row count and SHA-256 printed.
            let dir = ws.root.path().join("detached");
            std::fs::create_dir_all(&dir).unwrap();
            let listed = poppler("pdfdetach", &["-list", path_str(&out)]);
            assert!(listed.contains("evidence.csv"), "{listed}");
            poppler(
                "pdfdetach",
                &["-saveall", "-o", path_str(&dir), path_str(&out)],
            );
            let csv = std::fs::read(dir.join("evidence.csv")).unwrap();
            let sha = hex::encode(<sha2::Sha256 as sha2::Digest>::digest(&csv));
            let flat = t.split_whitespace().collect::<Vec<_>>().join(" ");
            assert!(
                flat.contains(&format!("SHA-256 {sha}")),
                "the attachment's hash is printed"
            );
            let mut reader = csv::Reader::from_reader(csv.as_slice());
            let header = reader.headers().unwrap().clone();
            let controls = header.iter().position(|h| h == "controls").unwrap();
            let rows: Vec<csv::StringRecord> = reader.records().map(|r| r.unwrap()).collect();
            assert_eq!(rows.len() as u64, quarter, "every covered event");
            assert!(flat.contains(&format!("{} rows", rows.len())));
            let access = rows
                .iter()
                .filter(|r| r[controls].split("; ").any(|c| c == "10.2.1.1"))
                .count() as u64;
            let want = ws.count("category:data_access after:2026-07-01 before:2026-10-01");
            assert_eq!(access, want, "10.2.1.1's full listing");
            assert!(flat.contains(&format!(
                "all {want} are the rows of the attached evidence.csv"
            )));
        }
        if *kind == "hipaa" {
            assert!(
                t.contains("by user (every user listed)"),
                "hipaa: PHI access by user"
            );
        }
        if *kind == "gdpr" {
            // Art. 15: who accessed personal data, every user counted.
            let flat = t.split_whitespace().collect::<Vec<_>>().join(" ");
            let want = ws.count("tag:gdpr category:data_access after:2026-07-01 before:2026-10-01");
            assert!(
                flat.contains(&format!(
                    "`tag:gdpr category:data_access`: {want}, by user (every user listed)"
                )),
                "gdpr: Art. 15, who accessed personal data"
            );
        }
        if *kind == "sox" {
            // Segregation of duties: the users who hold both duties, as the
            // search facets of the two queries say.
            let users = |q: &str| -> std::collections::BTreeSet<String> {
                let page = ws.json(&[
                    "search",
                    &format!("({q}) after:2026-07-01 before:2026-10-01"),
                    "--facets",
                    "--limit",
                    "0",
                ]);
                page["facets"]["user"]
                    .as_object()
                    .unwrap()
                    .keys()
                    .cloned()
                    .collect()
            };
            let admins = users("category:permission OR category:user_mgmt");
            let changers = users("category:infrastructure OR category:data_modify");
            let both = admins.intersection(&changers).count();
            let flat = t.split_whitespace().collect::<Vec<_>>().join(" ");
            assert!(
                flat.contains(&format!(
                    "({} users) and (2) `category:infrastructure OR category:data_modify` ({} users): {both} users hold both duties",
                    admins.len(),
                    changers.len()
                )),
                "sox: segregation of duties"
            );
        }
        ws.ok(&["report", "verify", path_str(&out)]);
        // The same vault and arguments give the same bytes.
        let again = ws.root.path().join(format!("{kind}-again.pdf"));
        generate(&ws, kind, &again);
        assert_eq!(
            std::fs::read(&out).unwrap(),
            std::fs::read(&again).unwrap(),
            "{kind}: not reproducible"
        );
    }
    let list = ws.json(&["report", "list"]);
    assert_eq!(list.as_array().unwrap().len(), 12);
    assert!(
        list.as_array()
            .unwrap()
            .iter()
            .all(|r| r["status"] == "completed")
    );
    let activity = ws.json(&["activity"]);
    assert!(
        activity
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["action"] == "report.run")
    );
}

#[test]
fn a_tampered_event_or_pdf_fails_verification() {
    let ws = sample_workspace();
    let out = ws.root.path().join("pci.pdf");
    generate(&ws, "pci", &out);
    ws.ok(&["report", "verify", path_str(&out)]);

    // A changed PDF is not one the vault made.
    let mut bytes = std::fs::read(&out).unwrap();
    let n = bytes.len();
    bytes[n / 2] ^= 0x20;
    let forged = ws.root.path().join("forged.pdf");
    std::fs::write(&forged, &bytes).unwrap();
    let bad = ws.run(&["report", "verify", path_str(&forged)]);
    assert_eq!(bad.status.code(), Some(4));

    // An event of the quarter altered behind AuditDesk's back.
    let conn = crate::util::raw_connection(&ws.vault);
    conn.execute(
        "UPDATE events SET content_hash = zeroblob(32)
         WHERE id = (SELECT id FROM events WHERE occurred_at >= 1785000000000 ORDER BY id LIMIT 1)",
        [],
    )
    .unwrap();
    drop(conn);
    let out2 = ws.run(&["report", "verify", path_str(&out)]);
    assert_eq!(out2.status.code(), Some(4));
    let err = String::from_utf8_lossy(&out2.stderr);
    assert!(err.contains("Merkle root"), "{err}");
}

#[test]
fn reports_are_listed_and_deleted_and_bad_arguments_are_usage_errors() {
    let ws = sample_workspace();
    let a = generate(&ws, "custom", &ws.root.path().join("a.pdf"));
    let b = generate(&ws, "sox", &ws.root.path().join("b.pdf"));
    let bad = ws.run(&[
        "report",
        "generate",
        "--type",
        "nist",
        "--quarter",
        "2026Q3",
        "--out",
        "x.pdf",
    ]);
    assert_eq!(bad.status.code(), Some(1));
    let bad = ws.run(&[
        "report",
        "generate",
        "--type",
        "pci",
        "--quarter",
        "2026Q9",
        "--out",
        "x.pdf",
    ]);
    assert_eq!(bad.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&bad.stderr).contains("2026Q9"));
    // Deleting an unknown id deletes nothing.
    let missing = ws.run(&["report", "delete", &a["id"].to_string(), "999"]);
    assert_eq!(missing.status.code(), Some(1));
    assert_eq!(ws.json(&["report", "list"]).as_array().unwrap().len(), 2);
    ws.ok(&[
        "report",
        "delete",
        &a["id"].to_string(),
        &b["id"].to_string(),
    ]);
    assert_eq!(ws.json(&["report", "list"]).as_array().unwrap().len(), 0);
}

/// The report's text with what may legitimately vary between machines
/// smoothed out: layout spacing (poppler's column placement) and hashes.
fn sanitised(text: &str) -> String {
    let mut out = String::new();
    for line in text.lines() {
        let words: Vec<String> = line
            .split_whitespace()
            .map(|w| {
                let hex = w.trim_matches(|c: char| !c.is_ascii_alphanumeric());
                if hex.len() == 64 && hex.chars().all(|c| c.is_ascii_hexdigit()) {
                    w.replace(hex, "<sha256>")
                } else {
                    w.to_string()
                }
            })
            .collect();
        if !words.is_empty() {
            out.push_str(&words.join(" "));
            out.push('\n');
        }
    }
    out
}

/// Each framework's report over the bundled samples, as text, against a
/// committed snapshot (`UPDATE_SNAPSHOTS=1` rewrites them after a reviewed
/// change): wording, figures, control order and layout changes show up in
/// review as a diff.
#[test]
fn report_text_matches_its_snapshot() {
    let ws = sample_workspace();
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("snapshots");
    let mut stale = Vec::new();
    for (kind, _) in CONTROLS {
        let out = ws.root.path().join(format!("{kind}.pdf"));
        generate(&ws, kind, &out);
        let actual = sanitised(&text(&out));
        let path = dir.join(format!("report-{kind}.txt"));
        if std::env::var_os("UPDATE_SNAPSHOTS").is_some() {
            std::fs::create_dir_all(&dir).unwrap();
            std::fs::write(&path, &actual).unwrap();
        }
        let expected = std::fs::read_to_string(&path).unwrap_or_default();
        if actual != expected {
            let line = actual
                .lines()
                .zip(expected.lines())
                .position(|(a, b)| a != b)
                .unwrap_or(actual.lines().count().min(expected.lines().count()));
            stale.push(format!(
                "{} (first difference at line {})",
                path.display(),
                line + 1
            ));
        }
    }
    assert!(
        stale.is_empty(),
        "report text changed; review, then UPDATE_SNAPSHOTS=1:\n{}",
        stale.join("\n")
    );
}
