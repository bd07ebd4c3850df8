//! `auditdesk-gen`: writes a deterministic event file for benchmarks, demos
//! and tests.
//!
//! usage: auditdesk-gen EVENTS [SEED] [ndjson|json|csv-viewer|csv-auditlog] [START]

use std::io::Write;
use std::process::ExitCode;

use auditdesk_sim::{Dataset, Shape};
use chrono::{DateTime, Utc};

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let usage = "usage: auditdesk-gen EVENTS [SEED] [ndjson|json|csv-viewer|csv-auditlog] [START (RFC 3339)]";
    let Some(count) = args.first().and_then(|a| a.parse::<u64>().ok()) else {
        eprintln!("{usage}");
        return ExitCode::from(2);
    };
    let seed = args.get(1).and_then(|a| a.parse().ok()).unwrap_or(42);
    let shape = match args.get(2).map(String::as_str).unwrap_or("ndjson") {
        "ndjson" => Shape::Ndjson,
        "json" => Shape::JsonArray,
        "csv-viewer" => Shape::PortalEventViewer,
        "csv-auditlog" => Shape::PortalAuditLog,
        other => {
            eprintln!("unknown shape {other:?}\n{usage}");
            return ExitCode::from(2);
        }
    };
    let start = match args.get(3) {
        Some(text) => match DateTime::parse_from_rfc3339(text) {
            Ok(t) => t.with_timezone(&Utc),
            Err(e) => {
                eprintln!("START: {e}\n{usage}");
                return ExitCode::from(2);
            }
        },
        None => DateTime::<Utc>::from_timestamp(1_782_864_000, 0).unwrap_or_default(),
    };
    let dataset = Dataset::new(seed, start);
    // A quarter of events: spread them over ~90 days whatever the count.
    let spacing = (90 * 24 * 3600 * 1000 / count.max(1)).max(1);
    let mut text = String::new();
    dataset.render(shape, dataset.events(count, spacing), &mut text);
    let mut stdout = std::io::stdout().lock();
    if let Err(e) = stdout
        .write_all(text.as_bytes())
        .and_then(|_| stdout.flush())
    {
        eprintln!("write: {e}");
        return ExitCode::from(1);
    }
    ExitCode::SUCCESS
}
