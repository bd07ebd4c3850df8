//! An in-process simulator for the sync tests, and a Redox source in a
//! workspace pointing at it.

use std::collections::HashSet;
use std::sync::{Arc, OnceLock};
use std::time::Duration;

use auditdesk_sim::keys::{self, KeyPair};
use auditdesk_sim::{Faults, RunningSim, Sim, SimConfig, WorldSpec};
use chrono::Utc;

use crate::util::{Workspace, path_str};

pub const ORG: &str = "4242";
pub const CLIENT: &str = "test-client";
pub const KID: &str = "test-kid";

/// RSA key generation takes a moment; one pair serves every test.
pub fn rsa_keys() -> &'static KeyPair {
    static KEYS: OnceLock<KeyPair> = OnceLock::new();
    KEYS.get_or_init(|| keys::generate_rsa().unwrap())
}

/// `events` events over the last `hours`, ending a few minutes ago (the
/// client's lag keeps the last minute out of a window).
pub fn world(seed: u64, events: u64, hours: i64) -> WorldSpec {
    let mut spec = WorldSpec::recent(
        seed,
        events,
        chrono::Duration::hours(hours),
        Utc::now() - chrono::Duration::minutes(3),
    );
    spec.late_fraction = 0.0;
    spec
}

pub fn config(world: WorldSpec, public_key_pem: &str) -> SimConfig {
    SimConfig {
        world,
        organization_id: ORG.into(),
        client_id: CLIENT.into(),
        key_id: KID.into(),
        public_key_pem: public_key_pem.into(),
        faults: Faults::default(),
        rate_limit: Some((10_000, Duration::from_secs(300))),
        token_ttl_s: 300,
        forbidden: false,
        max_history_days: None,
    }
}

pub fn serve(config: SimConfig) -> RunningSim {
    auditdesk_sim::runner::spawn(Arc::new(Sim::new(config).unwrap()), "127.0.0.1:0").unwrap()
}

/// Fast retries, so faults cost milliseconds rather than seconds.
pub const QUICK: &[&str] = &[
    "--set",
    "backoff_initial_ms=5",
    "--set",
    "backoff_max_ms=40",
    "--set",
    "max_retries=12",
];

/// Adds source `name` for `sim` with `private_pem`, plus settings.
pub fn add_source(ws: &Workspace, name: &str, sim: &RunningSim, private_pem: &str, extra: &[&str]) {
    let key = ws.write(&format!("{name}.pem"), private_pem);
    let mut args = vec![
        "source",
        "add",
        "redox",
        "--name",
        name,
        "--org",
        ORG,
        "--client-id",
        CLIENT,
        "--key-id",
        KID,
        "--private-key",
        path_str(&key),
        "--host",
        &sim.url,
    ];
    args.extend_from_slice(QUICK);
    args.extend_from_slice(extra);
    ws.ok(&args);
    // The key is in the vault now; the fixture file is not needed.
    std::fs::remove_file(key).unwrap();
}

/// The ids of a source's events in the vault, read through the core.
pub fn vault_ids(ws: &Workspace, source: &str) -> Vec<String> {
    let vault = auditdesk_core::Vault::open(&ws.vault, crate::util::PASSPHRASE).unwrap();
    let mut stmt = vault
        .conn()
        .prepare(
            "SELECT e.event_id FROM events e JOIN sources s ON s.id = e.source_id WHERE s.name = ?1",
        )
        .unwrap();
    stmt.query_map([source], |r| r.get::<_, String>(0))
        .unwrap()
        .collect::<Result<Vec<_>, _>>()
        .unwrap()
}

/// What the API shows at its clock: every event's id.
pub fn visible_ids(sim: &RunningSim) -> HashSet<String> {
    let clock = sim.sim.clock_ms();
    sim.sim.world().visible(clock).map(|e| e.id()).collect()
}

/// The vault holds exactly `expected`, each once.
pub fn assert_holds_exactly(ws: &Workspace, source: &str, expected: &HashSet<String>) {
    let ids = vault_ids(ws, source);
    let unique: HashSet<String> = ids.iter().cloned().collect();
    assert_eq!(unique.len(), ids.len(), "no event twice");
    let missing: Vec<&String> = expected.difference(&unique).take(5).collect();
    let extra: Vec<&String> = unique.difference(expected).take(5).collect();
    assert!(
        missing.is_empty() && extra.is_empty(),
        "vault {} vs API {}; missing {missing:?}, extra {extra:?}",
        unique.len(),
        expected.len()
    );
}

/// The simulator's counters: nothing above `_count=50`, no jti reused.
pub fn assert_played_by_the_rules(sim: &RunningSim) -> serde_json::Value {
    let stats = sim.sim.stats();
    assert_eq!(stats["count_violations"], 0, "{stats}");
    assert!(stats["max_count"].as_u64().unwrap() <= 50, "{stats}");
    assert_eq!(stats["jti_reused"], 0, "{stats}");
    assert_eq!(stats["token_rejected"], 0, "{stats}");
    stats
}
