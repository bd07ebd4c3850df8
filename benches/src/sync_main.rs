//! `auditdesk-bench-sync [EVENTS] [RUNS]`: the sync benchmark behind
//! BENCHMARKS.md. In one run, against an in-process simulator on loopback:
//!   1. the simulator's ceiling: requests/s it serves to a trivial client
//!      (same concurrency, bodies read and dropped, no parsing, no vault);
//!   2. `auditdesk sync` (the release CLI, a separate process) of EVENTS
//!      events into a new vault, unpaced, RUNS times: events/s and requests/s;
//!   3. a paced sync under a scaled-down limit (1,000 requests per 10 s,
//!      enforced by the simulator too): the share of the limit reached and
//!      the 429s received.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use auditdesk_core::sources::redox::Signer;
use auditdesk_sim::keys::{self, KeyPair};
use auditdesk_sim::{Faults, RunningSim, Sim, SimConfig, WorldSpec};
use chrono::{SecondsFormat, Utc};

const PASSPHRASE: &str = "benchmark passphrase";
const CONCURRENCY: u64 = 4;

fn main() {
    let mut args = std::env::args().skip(1);
    let events: u64 = args
        .next()
        .and_then(|a| a.parse().ok())
        .unwrap_or(1_000_000);
    let runs: usize = args.next().and_then(|a| a.parse().ok()).unwrap_or(3);
    let keys = keys::generate_rsa().expect("key pair");
    let work = tempdir();

    eprintln!("generating {events} events in the simulator...");
    let spec = WorldSpec::recent(
        42,
        events,
        chrono::Duration::days(80),
        Utc::now() - chrono::Duration::minutes(5),
    );
    let sim = serve(spec, &keys, None);
    let served = sim.sim.world().len() as u64;

    let (ceiling_rps, ceiling_eps) = ceiling(&sim, &keys);
    println!(
        "simulator ceiling (trivial client, {CONCURRENCY} threads): {ceiling_rps:.0} requests/s, {ceiling_eps:.0} events/s"
    );

    let mut eps = Vec::new();
    let mut rps = Vec::new();
    for run in 1..=runs {
        let vault = work.join(format!("vault-{run}"));
        let (secs, out) = sync_once(
            &vault,
            &sim,
            &keys,
            &["--set", "rate_limit=100000000", "--set", "rate_window_s=1"],
        );
        let got = out["new"].as_u64().unwrap_or(0);
        assert_eq!(got, served, "every event synced");
        let requests: u64 = out["sources"][0]["runs"]
            .as_array()
            .map(|r| r.iter().map(|x| x["requests"].as_u64().unwrap_or(0)).sum())
            .unwrap_or(0);
        eps.push(got as f64 / secs);
        rps.push(requests as f64 / secs);
        println!(
            "sync run {run}: {got} events in {secs:.1} s = {:.0} events/s, {:.0} requests/s ({:.0}% of the ceiling)",
            got as f64 / secs,
            requests as f64 / secs,
            100.0 * requests as f64 / secs / ceiling_rps
        );
        std::fs::remove_dir_all(&vault).ok();
    }
    let (e, r) = (median(&mut eps), median(&mut rps));
    println!(
        "sync median: {e:.0} events/s, {r:.0} requests/s; {:.2}x the simulator ceiling's request rate",
        r / ceiling_rps
    );

    // Paced: 1,000 per 10 s (DESIGN's 10,000 per 5 minutes, 3x faster), 3 windows long.
    let (limit, window) = (1_000u32, 10u64);
    let paced_events = u64::from(limit) * 3 * 50;
    let spec = WorldSpec::recent(
        43,
        paced_events,
        chrono::Duration::days(10),
        Utc::now() - chrono::Duration::minutes(5),
    );
    let paced = serve(spec, &keys, Some((limit, Duration::from_secs(window))));
    let vault = work.join("vault-paced");
    let (secs, out) = sync_once(
        &vault,
        &paced,
        &keys,
        &[
            "--set",
            &format!("rate_limit={limit}"),
            "--set",
            &format!("rate_window_s={window}"),
        ],
    );
    let stats = paced.sim.stats();
    let requests =
        stats["api_requests"].as_u64().unwrap_or(0) + stats["token_requests"].as_u64().unwrap_or(0);
    let rate = requests as f64 / secs;
    let allowed = f64::from(limit) / window as f64;
    println!(
        "paced sync ({limit} per {window} s): {} events, {requests} requests in {secs:.1} s = {rate:.1} requests/s = {:.1}% of the limit; 429s received: {}",
        out["new"],
        100.0 * rate / allowed,
        stats["rate_limited"]
    );
    std::fs::remove_dir_all(&work).ok();
}

fn tempdir() -> PathBuf {
    let dir = std::env::temp_dir().join(format!("auditdesk-bench-sync-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("work dir");
    dir
}

fn serve(world: WorldSpec, keys: &KeyPair, rate_limit: Option<(u32, Duration)>) -> RunningSim {
    let mut world = world;
    world.late_fraction = 0.0;
    let sim = Sim::new(SimConfig {
        world,
        organization_id: "4242".into(),
        client_id: "bench".into(),
        key_id: "bench-key".into(),
        public_key_pem: keys.public_pem.clone(),
        faults: Faults::default(),
        rate_limit,
        token_ttl_s: 300,
        forbidden: false,
        max_history_days: None,
    })
    .expect("simulator");
    auditdesk_sim::runner::spawn(Arc::new(sim), "127.0.0.1:0").expect("serve")
}

fn cli() -> PathBuf {
    let exe = std::env::current_exe().expect("exe");
    exe.with_file_name("auditdesk")
}

fn run(vault: &Path, args: &[&str]) -> std::process::Output {
    let out = Command::new(cli())
        .arg("--vault")
        .arg(vault)
        .args(args)
        .env("AUDITDESK_PASSPHRASE", PASSPHRASE)
        .output()
        .expect("run auditdesk");
    assert!(
        out.status.success(),
        "auditdesk {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

fn sync_once(
    vault: &Path,
    sim: &RunningSim,
    keys: &KeyPair,
    settings: &[&str],
) -> (f64, serde_json::Value) {
    run(vault, &["vault", "init"]);
    let key = vault.with_extension("pem");
    std::fs::write(&key, &keys.private_pem).expect("key file");
    let mut args = vec![
        "source",
        "add",
        "redox",
        "--name",
        "bench",
        "--org",
        "4242",
        "--client-id",
        "bench",
        "--key-id",
        "bench-key",
        "--host",
        &sim.url,
        "--private-key",
    ];
    let key_arg = key.to_string_lossy().into_owned();
    args.push(&key_arg);
    args.extend_from_slice(settings);
    run(vault, &args);
    std::fs::remove_file(&key).ok();
    let began = Instant::now();
    let out = run(vault, &["sync", "--json"]);
    let secs = began.elapsed().as_secs_f64();
    (
        secs,
        serde_json::from_slice(&out.stdout).expect("sync JSON"),
    )
}

/// Requests/s and events/s the simulator serves to the simplest client:
/// one token, CONCURRENCY threads walking pages, bodies read and dropped.
fn ceiling(sim: &RunningSim, keys: &KeyPair) -> (f64, f64) {
    let http = auditdesk_core::http::client_builder()
        .build()
        .expect("HTTP client");
    let signer = Signer::new(
        &keys.private_pem,
        "bench-key",
        "bench",
        &format!("{}/v2/auth/token", sim.url),
    )
    .expect("signer");
    let assertion = signer.assertion().expect("assertion");
    let token = http
        .post(format!("{}/v2/auth/token", sim.url))
        .form(&[
            ("grant_type", "client_credentials"),
            (
                "client_assertion_type",
                "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
            ),
            ("client_assertion", assertion.as_str()),
        ])
        .send()
        .and_then(|r| r.bytes())
        .expect("token");
    let token: serde_json::Value = serde_json::from_slice(&token).expect("token JSON");
    let token = token["access_token"]
        .as_str()
        .expect("access_token")
        .to_string();
    let stop = Utc::now().to_rfc3339_opts(SecondsFormat::Millis, true);
    let start =
        (Utc::now() - chrono::Duration::days(90)).to_rfc3339_opts(SecondsFormat::Millis, true);
    let url = format!("{}/platform/v1/organizations/4242/audit-events", sim.url);
    let next = AtomicU64::new(1);
    let bytes = AtomicU64::new(0);
    let pages = (sim.sim.world().len() as u64 / 50).min(4_000);
    let began = Instant::now();
    std::thread::scope(|s| {
        for _ in 0..CONCURRENCY {
            s.spawn(|| {
                loop {
                    let page = next.fetch_add(1, Ordering::Relaxed);
                    if page > pages {
                        return;
                    }
                    let body = http
                        .get(&url)
                        .query(&[
                            ("startDateTime", start.as_str()),
                            ("stopDateTime", stop.as_str()),
                            ("_page", &page.to_string()),
                            ("_count", "50"),
                        ])
                        .bearer_auth(&token)
                        .send()
                        .and_then(|r| r.bytes())
                        .expect("page");
                    bytes.fetch_add(body.len() as u64, Ordering::Relaxed);
                }
            });
        }
    });
    let secs = began.elapsed().as_secs_f64();
    (pages as f64 / secs, pages as f64 * 50.0 / secs)
}

fn median(values: &mut [f64]) -> f64 {
    values.sort_by(f64::total_cmp);
    let n = values.len();
    if n == 0 {
        return 0.0;
    }
    if n % 2 == 1 {
        values[n / 2]
    } else {
        (values[n / 2 - 1] + values[n / 2]) / 2.0
    }
}
