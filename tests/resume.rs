//! A sync killed with SIGKILL at random moments, again and again, then run
//! to the end: the vault holds every event of the API exactly once, and the
//! resumed runs went on from their checkpoints instead of starting over (a
//! kill costs at most the open transaction: ≤ 1 s of pages).
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
    // Paced to 100 requests/s, so the window takes about 4 s of syncing and
    // the first kills, each within 2.5 s of a start, land inside it.
    let pace = [
        "--set",
        "rate_limit=100",
        "--set",
        "rate_window_s=1",
        "--set",
        "rate_headroom=1",
    ];
    add_source(&ws, "redox", &sim, &rsa_keys().private_pem, &pace);

    let seed = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos() as u64;
    let mut rng = auditdesk_sim::Rng::new(seed);
    let kills = kills();
    let mut held = Vec::new();
    let mut checkpoints = Vec::new();
    for _ in 0..kills {
        let mut child = ws
            .command(&["sync", "--json"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        // Start-up (unlock) included; once the window is done, later kills
        // hit the short windows that follow it.
        let wait = 200 + rng.below(2_300);
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
        checkpoints.push(first_window_checkpoint(&ws));
    }
    let done = ws.json(&["sync"]);
    assert_holds_exactly(&ws, "redox", &visible_ids(&sim));
    assert_eq!(
        ws.count(""),
        EVENTS,
        "seed {seed}, after each kill: {held:?}, {done}"
    );

    // Progress survives each kill: the first window's checkpoint never goes
    // back, and a run that was killed part-way went on from it.
    assert!(
        checkpoints.windows(2).all(|w| w[0] <= w[1]),
        "seed {seed}: checkpoints {checkpoints:?}"
    );
    assert!(
        held.windows(2).all(|w| w[0] <= w[1]),
        "seed {seed}: events held after each kill {held:?}"
    );
    let killed_mid_window = checkpoints.iter().any(|&(page, done)| page > 1 && !done);
    assert!(
        killed_mid_window,
        "seed {seed}: no kill landed mid-window: {checkpoints:?}"
    );
    let vault = auditdesk_core::Vault::open(&ws.vault, crate::util::PASSPHRASE).unwrap();
    let (resumes, committed_pages): (i64, i64) = vault
        .conn()
        .query_row(
            "SELECT resumes, pages FROM sync_runs ORDER BY id LIMIT 1",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    assert!(resumes >= 1, "seed {seed}: {checkpoints:?}");
    // Committed pages are counted once: resuming never rewrote the window.
    assert_eq!(committed_pages as u64, PAGES, "seed {seed}");
    assert_played_by_the_rules(&sim);
    ws.ok(&["vault", "verify"]);
}

/// The first window's run: its next page and whether it completed.
fn first_window_checkpoint(ws: &Workspace) -> (u32, bool) {
    let vault = auditdesk_core::Vault::open(&ws.vault, crate::util::PASSPHRASE).unwrap();
    vault
        .conn()
        .query_row(
            "SELECT next_page, status = 'completed' FROM sync_runs ORDER BY id LIMIT 1",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap_or((0, false))
}
