//! A sync killed with SIGKILL at random moments, again and again, then run
//! to the end: the vault holds every event of the API exactly once, and the
//! resumed runs went on from their checkpoints instead of starting over.
//! A few kills by default; `AUDITDESK_LONG_TESTS=1` runs at least 50.

use std::process::Stdio;
use std::time::{Duration, Instant};

use crate::simulator::*;
use crate::util::Workspace;

const EVENTS: u64 = 20_000;
const PAGES: u64 = EVENTS / 50;

fn kills() -> usize {
    if std::env::var_os("AUDITDESK_LONG_TESTS").is_some() {
        50
    } else {
        4
    }
}

#[test]
fn a_sync_killed_at_random_points_resumes_with_no_loss_and_no_duplicates() {
    let sim = serve(config(world(30, EVENTS, 72), &rsa_keys().public_pem));
    let ws = Workspace::init();
    // Paced to ~250 requests/s, so the whole window takes a couple of
    // seconds and the kills land inside it.
    let pace = [
        "--set",
        "rate_limit=250",
        "--set",
        "rate_window_s=1",
        "--set",
        "rate_headroom=1",
    ];
    add_source(&ws, "redox", &sim, &rsa_keys().private_pem, &pace);
    let expected_run = Duration::from_millis(PAGES * 4) + Duration::from_millis(400);

    let seed = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos() as u64;
    let mut rng = auditdesk_sim::Rng::new(seed);
    let kills = kills();
    let mut held = Vec::new();
    for round in 0..kills {
        let mut child = ws
            .command(&["sync", "--json"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        // Spread over the whole run, which shrinks as it resumes.
        let remaining = expected_run.as_millis() as u64 * (kills - round) as u64 / kills as u64;
        let wait = 150 + rng.below(remaining.max(200));
        let began = Instant::now();
        while began.elapsed() < Duration::from_millis(wait) {
            if child.try_wait().unwrap().is_some() {
                break;
            }
            std::thread::sleep(Duration::from_millis(5));
        }
        child.kill().ok();
        child.wait().unwrap();
        held.push(vault_ids(&ws, "redox").len());
    }
    let done = ws.json(&["sync"]);
    assert_holds_exactly(&ws, "redox", &visible_ids(&sim));
    assert_eq!(
        ws.count(""),
        EVENTS,
        "seed {seed}, after each kill: {held:?}, {done}"
    );

    let vault = auditdesk_core::Vault::open(&ws.vault, crate::util::PASSPHRASE).unwrap();
    let resumes: i64 = vault
        .conn()
        .query_row("SELECT coalesce(sum(resumes), 0) FROM sync_runs", [], |r| {
            r.get(0)
        })
        .unwrap();
    assert!(
        resumes >= 1,
        "seed {seed}: some kill landed mid-window: {held:?}"
    );
    // Each kill costs at most the pages in flight, not the whole window.
    let stats = assert_played_by_the_rules(&sim);
    let requests = stats["api_requests"].as_u64().unwrap();
    assert!(
        requests < PAGES + 2 + kills as u64 * 25,
        "seed {seed}: {requests} requests for {PAGES} pages and {kills} kills"
    );
    ws.ok(&["vault", "verify"]);
}
