//! `auditdesk-bench-search VAULT NDJSON [RUNS]`: the search benchmark
//! behind BENCHMARKS.md. For a fixed mix of queries it times, in the same
//! run and over the same events:
//!   - auditdesk: first page (50) + total + facets, through the core search
//!     API on the encrypted vault (each query once to warm, then RUNS times);
//!   - ripgrep: `rg -c` over the NDJSON with a pattern asking the same
//!     question (RUNS times);
//!   - a SQLite `LIKE` scan over the same NDJSON lines in a plain,
//!     unencrypted table (RUNS times).
//!
//! Prints a markdown table and the p50/p95 of ours across all runs.

use std::io::BufRead as _;
use std::path::Path;
use std::process::{Command, ExitCode};
use std::time::{Duration, Instant};

use auditdesk_core::Vault;
use auditdesk_core::search::{self, Request};

/// (our query, ripgrep pattern (PCRE2), LIKE patterns ANDed). Field order
/// in the NDJSON is alphabetical: createdAt, details, id, organizationId,
/// requestIp, route, status, type, userId.
const MIX: &[(&str, &str, &[&str])] = &[
    ("", "^", &["%"]),
    ("Smith", r"(?i)\bsmith\b", &["%smith%"]),
    ("\"MRN 004421\"", r"(?i)\bMRN 004421\b", &["%MRN 004421%"]),
    ("smi*", r"(?i)\bsmi\w*", &["%smi%"]),
    ("log-search", r"(?i)\blog-search\b", &["%log-search%"]),
    (
        "production respond",
        r"(?i)^(?=.*\bproduction\b).*\brespond\b",
        &["%production%", "%respond%"],
    ),
    (
        "type:user-org-role-changed",
        r#""type":"user-org-role-changed""#,
        &[r#"%"type":"user-org-role-changed"%"#],
    ),
    (
        "status:failed",
        r#""status":"failed""#,
        &[r#"%"status":"failed"%"#],
    ),
    (
        "status:failed type:user-org-role-changed",
        r#""status":"failed","type":"user-org-role-changed""#,
        &[
            r#"%"status":"failed"%"#,
            r#"%"type":"user-org-role-changed"%"#,
        ],
    ),
    (
        "severity>=error",
        r#""status":"failed""#,
        &[r#"%"status":"failed"%"#],
    ),
    (
        "category:permission",
        r#""type":"user-(org|env)-role-"#,
        &[r#"%"type":"user-%-role-%"#],
    ),
    ("user:1003", r#""userId":1003\b"#, &[r#"%"userId":1003}"#]),
    (
        "ip:10.1.0.0/16",
        r#""requestIp":"10\.1\."#,
        &[r#"%"requestIp":"10.1.%"#],
    ),
    (
        "on:2026-08-15",
        r#"^\{"createdAt":"2026-08-15"#,
        &[r#"{"createdAt":"2026-08-15%"#],
    ),
    (
        "after:2026-09-01 before:2026-09-08",
        r#"^\{"createdAt":"2026-09-0[1-7]"#,
        &[r#"{"createdAt":"2026-09-0%"#],
    ),
    (
        "type:log-* -status:successful",
        r#""status":"(failed|unauthorized|unauthenticated|attempted)","type":"log-"#,
        &[r#"%"type":"log-%"#, r#"%"status":"failed"%"#],
    ),
    (
        "(status:unauthorized OR status:unauthenticated) type:log-*",
        r#""status":"unauth[a-z]+","type":"log-"#,
        &[r#"%"status":"unauth%"#, r#"%"type":"log-%"#],
    ),
    (
        "\"user org role changed\" OR \"user env role changed\"",
        r"user-(org|env)-role-changed",
        &["%user-%-role-changed%"],
    ),
    (
        "resource:/platform/v1/log-search",
        r#""route":"/platform/v1/log-search""#,
        &[r#"%"route":"/platform/v1/log-search"%"#],
    ),
    (
        "staging -type:log-payload-viewed",
        r#"^(?!.*"type":"log-payload-viewed").*\bstaging\b"#,
        &["%staging%"],
    ),
    (
        "4142 organization-loaded on:2026-09-10",
        r#"^\{"createdAt":"2026-09-10.*"organizationId":4142,.*organization-loaded"#,
        &[r#"{"createdAt":"2026-09-10%"#, "%organization-loaded%"],
    ),
    (
        "(type:user-invited OR type:user-removed) after:2026-08-01",
        r#"^\{"createdAt":"2026-(08|09)[^\n]*"type":"user-(invited|removed)""#,
        &[r#"{"createdAt":"2026-0%"#, r#"%"type":"user-%ed"%"#],
    ),
];

fn median(mut xs: Vec<f64>) -> f64 {
    xs.sort_by(f64::total_cmp);
    let n = xs.len();
    if n == 0 {
        return f64::NAN;
    }
    if n % 2 == 1 {
        xs[n / 2]
    } else {
        (xs[n / 2 - 1] + xs[n / 2]) / 2.0
    }
}

fn percentile(mut xs: Vec<f64>, p: f64) -> f64 {
    xs.sort_by(f64::total_cmp);
    let rank = ((p / 100.0) * xs.len() as f64).ceil() as usize;
    xs[rank.clamp(1, xs.len()) - 1]
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn plain_table(ndjson: &Path, db: &Path) -> Result<rusqlite::Connection, String> {
    let _ = std::fs::remove_file(db);
    let conn = rusqlite::Connection::open(db).map_err(|e| e.to_string())?;
    conn.execute_batch(
        "PRAGMA journal_mode = WAL; CREATE TABLE plain (line TEXT NOT NULL); BEGIN;",
    )
    .map_err(|e| e.to_string())?;
    {
        let mut insert = conn
            .prepare("INSERT INTO plain (line) VALUES (?1)")
            .map_err(|e| e.to_string())?;
        let file = std::fs::File::open(ndjson).map_err(|e| e.to_string())?;
        for line in std::io::BufReader::new(file).lines() {
            let line = line.map_err(|e| e.to_string())?;
            insert.execute([line]).map_err(|e| e.to_string())?;
        }
    }
    conn.execute_batch("COMMIT;").map_err(|e| e.to_string())?;
    Ok(conn)
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (Some(vault_dir), Some(ndjson)) = (args.first(), args.get(1)) else {
        eprintln!("usage: auditdesk-bench-search VAULT NDJSON [RUNS]");
        return ExitCode::from(2);
    };
    let runs: usize = args.get(2).and_then(|r| r.parse().ok()).unwrap_or(5);
    let pass = std::env::var("AUDITDESK_PASSPHRASE").unwrap_or_default();
    let vault = match Vault::open(Path::new(vault_dir), &pass) {
        Ok(v) => v,
        Err(e) => {
            eprintln!("open vault: {e}");
            return ExitCode::from(1);
        }
    };
    let conn = vault.conn();
    let request = Request {
        facets: true,
        ..Request::default()
    };
    let mut ours_all = Vec::new();
    let mut rows = Vec::new();
    for (text, rg, likes) in MIX {
        let query = match search::parse(text) {
            Ok(q) => q,
            Err(e) => {
                eprintln!("{text}: {e}");
                return ExitCode::from(1);
            }
        };
        // The first run of each query is not timed with the others: the
        // first search after opening builds the in-memory columns, and the
        // first asking about users, IPs or resources adds theirs.
        let t = Instant::now();
        let first = search::search(conn, &query, &request);
        let first_ms = ms(t.elapsed());
        let total = match first {
            Ok(page) => page.total,
            Err(e) => {
                eprintln!("{text}: {e}");
                return ExitCode::from(1);
            }
        };
        let mut ours = Vec::new();
        for _ in 0..runs {
            let t = Instant::now();
            let page = search::search(conn, &query, &request);
            ours.push(ms(t.elapsed()));
            if page.map(|p| p.total).ok() != Some(total) {
                eprintln!("{text}: the total changed between runs");
                return ExitCode::from(1);
            }
        }
        ours_all.extend(ours.iter().copied());
        let mut rg_times = Vec::new();
        let mut rg_count = String::new();
        for _ in 0..runs {
            let t = Instant::now();
            let out = Command::new("rg").args(["-c", "-P", rg, ndjson]).output();
            rg_times.push(ms(t.elapsed()));
            match out {
                Ok(o) => rg_count = String::from_utf8_lossy(&o.stdout).trim().to_string(),
                Err(e) => {
                    eprintln!("ripgrep: {e} (install the ripgrep package)");
                    return ExitCode::from(1);
                }
            }
        }
        rows.push((text, total, first_ms, ours, rg_times, rg_count, *likes));
        eprintln!("{text:?}: {total} events");
    }
    let plain_db = Path::new(vault_dir).with_extension("plain.db");
    eprintln!("loading the LIKE baseline table...");
    let plain = match plain_table(Path::new(ndjson), &plain_db) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("baseline: {e}");
            return ExitCode::from(1);
        }
    };
    println!(
        "| query | matches | auditdesk p50 | first run | ripgrep p50 (matches) | LIKE scan p50 | rg ÷ ours |"
    );
    println!("|---|---|---|---|---|---|---|");
    let (mut rg_all, mut like_all, mut ratios) = (Vec::new(), Vec::new(), Vec::new());
    for (text, total, first_ms, ours, rg_times, rg_count, likes) in rows {
        let cond = vec!["line LIKE ?"; likes.len()].join(" AND ");
        let sql = format!("SELECT count(*) FROM plain WHERE {cond}");
        let mut like_times = Vec::new();
        for _ in 0..runs.min(3) {
            let t = Instant::now();
            let n: rusqlite::Result<i64> =
                plain.query_row(&sql, rusqlite::params_from_iter(likes.iter()), |r| r.get(0));
            like_times.push(ms(t.elapsed()));
            if let Err(e) = n {
                eprintln!("LIKE: {e}");
                return ExitCode::from(1);
            }
        }
        let (o, r, l) = (
            median(ours),
            median(rg_times.clone()),
            median(like_times.clone()),
        );
        rg_all.extend(rg_times);
        like_all.extend(like_times);
        ratios.push(r / o);
        println!(
            "| `{}` | {total} | {o:.1} ms | {first_ms:.1} ms | {r:.0} ms ({rg_count}) | {l:.0} ms | {:.1}× |",
            text.replace('|', "\\|"),
            r / o
        );
    }
    drop(plain);
    let _ = std::fs::remove_file(&plain_db);
    let _ = std::fs::remove_file(plain_db.with_extension("db-wal"));
    let _ = std::fs::remove_file(plain_db.with_extension("db-shm"));
    println!(
        "\n{} queries × {runs} runs (first page of 50 + total + facets). auditdesk p50 {:.1} ms, p95 {:.1} ms; ripgrep p50 {:.0} ms; LIKE p50 {:.0} ms; median per-query ripgrep/auditdesk ratio {:.1}×, smallest {:.1}×",
        MIX.len(),
        percentile(ours_all.clone(), 50.0),
        percentile(ours_all, 95.0),
        percentile(rg_all, 50.0),
        percentile(like_all, 50.0),
        median(ratios.clone()),
        ratios.iter().copied().fold(f64::INFINITY, f64::min)
    );
    ExitCode::SUCCESS
}
