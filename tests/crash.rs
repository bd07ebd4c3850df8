//! Crash safety: an import killed with SIGKILL at a random moment leaves a
//! vault that opens, verifies, and holds the import wholly or not at all.
//! A few kills by default; `AUDITDESK_LONG_TESTS=1` runs many. Every other
//! round imports into a new source, large enough that the writer drops the
//! `event_facets_key` index part-way and builds it again before committing.

use std::time::{Duration, Instant};

use crate::util::{Workspace, path_str, redox_ndjson};

const BASE: u64 = 100;
/// Above the event writer's threshold for a new source's key index (20,000).
const BIG: u64 = 25_000;

fn rounds() -> usize {
    if std::env::var_os("AUDITDESK_LONG_TESTS").is_some() {
        60
    } else {
        4
    }
}

#[test]
fn sigkill_during_import_loses_nothing_and_half_imports_nothing() {
    let scratch = Workspace::new();
    let big = scratch.write("big.ndjson", redox_ndjson(77, BIG));
    let base = scratch.write("base.ndjson", redox_ndjson(78, BASE));

    // How long a whole import takes here, to aim the kills inside it.
    let timing = Workspace::init();
    let began = Instant::now();
    timing.ok(&["import", path_str(&big), "--source", "crash"]);
    let full = began.elapsed();

    let seed = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos() as u64;
    let mut rng = auditdesk_sim::Rng::new(seed);
    let mut outcomes = (0, 0);
    for round in 0..rounds() {
        let ws = Workspace::init();
        ws.ok(&["import", path_str(&base)]);
        let source = if round % 2 == 0 { "import" } else { "crash" };
        let import_big = ["import", path_str(&big), "--source", source];
        let mut child = ws.command(&import_big).spawn().unwrap();
        // Between opening the vault and a little past the usual finish.
        let wait = Duration::from_millis(rng.below(full.as_millis() as u64 * 11 / 10 + 1));
        std::thread::sleep(wait);
        let _ = child.kill(); // SIGKILL on Unix
        let status = child.wait().unwrap();

        let verify = ws.run(&["vault", "verify"]);
        assert!(
            verify.status.success(),
            "round {round} (seed {seed}, kill after {wait:?}): verify failed: {}{}",
            String::from_utf8_lossy(&verify.stdout),
            String::from_utf8_lossy(&verify.stderr)
        );
        let count = ws.count("");
        assert!(
            count == BASE || count == BASE + BIG,
            "round {round} (seed {seed}, kill after {wait:?}, {status:?}): {count} events is a partial import"
        );
        if count == BASE {
            outcomes.0 += 1
        } else {
            outcomes.1 += 1
        }
        // Whatever happened, importing again completes it exactly.
        ws.ok(&import_big);
        assert_eq!(ws.count(""), BASE + BIG);
        ws.ok(&["vault", "verify"]);
    }
    eprintln!(
        "crash rounds: {} killed before commit, {} after",
        outcomes.0, outcomes.1
    );
}
