//! The embedded demo source: a generated key pair and a seeded organisation
//! whose simulator runs in-process on loopback whenever the demo syncs.
//! Everything needed to rebuild the same world is kept in the source's
//! (encrypted) configuration, so every sync sees the same events, moved on
//! only by time.

use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::keys::{KeyError, generate_rsa};
use crate::runner::{RunningSim, spawn};
use crate::server::{Faults, Sim, SimConfig, SimError};
use crate::world::WorldSpec;

pub const DEMO_SEED: u64 = 2026;
/// A quarter of history, an event every ~3 minutes: about 43,000 events.
pub const DEMO_DAYS: i64 = 89;
pub const DEMO_SPACING_MS: u64 = 180_000;
/// The demo paces itself under the simulator's own (loopback) limit.
pub const DEMO_RATE_LIMIT: u32 = 300_000;
pub const DEMO_RATE_WINDOW_S: u64 = 300;

/// Stored with the demo source.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct DemoParams {
    pub seed: u64,
    pub start: DateTime<Utc>,
    pub spacing_ms: u64,
    pub organization_id: String,
    pub client_id: String,
    pub key_id: String,
    pub public_key_pem: String,
}

pub struct NewDemo {
    pub params: DemoParams,
    /// For the source's connection (kept in the vault, nowhere else).
    pub private_key_pem: String,
}

pub fn new_demo(now: DateTime<Utc>) -> Result<NewDemo, KeyError> {
    let keys = generate_rsa()?;
    let dataset = crate::Dataset::new(DEMO_SEED, now);
    Ok(NewDemo {
        params: DemoParams {
            seed: DEMO_SEED,
            start: now - chrono::Duration::days(DEMO_DAYS),
            spacing_ms: DEMO_SPACING_MS,
            organization_id: dataset.org_id.to_string(),
            client_id: "auditdesk-demo-client".into(),
            key_id: "auditdesk-demo-key".into(),
            public_key_pem: keys.public_pem,
        },
        private_key_pem: keys.private_pem,
    })
}

/// The demo's simulator, serving on a loopback port until dropped. Events
/// keep coming after `start` at the same pace, up to a day past now, so a
/// later sync finds new ones.
pub fn start(params: &DemoParams, now: DateTime<Utc>) -> Result<RunningSim, SimError> {
    let spec = WorldSpec {
        seed: params.seed,
        start: params.start,
        spacing_ms: params.spacing_ms,
        max_events: u64::MAX,
        until: now + chrono::Duration::days(1),
        late_fraction: 0.005,
        late_ms: (60_000, 30 * 60_000),
        settle_ms: (60_000, 20 * 60_000),
    };
    let sim = Sim::new(SimConfig {
        world: spec,
        organization_id: params.organization_id.clone(),
        client_id: params.client_id.clone(),
        key_id: params.key_id.clone(),
        public_key_pem: params.public_key_pem.clone(),
        faults: Faults::default(),
        rate_limit: Some((DEMO_RATE_LIMIT, Duration::from_secs(DEMO_RATE_WINDOW_S))),
        token_ttl_s: 300,
        forbidden: false,
        max_history_days: None,
    })?;
    spawn(Arc::new(sim), "127.0.0.1:0")
}

/// Adds the demo source `name` to a vault: a fresh key pair (the private
/// half kept inside the vault, like any Redox connection's) and the
/// parameters that rebuild the same organisation at every sync.
pub fn add_source(
    vault: &auditdesk_core::Vault,
    name: &str,
    now: DateTime<Utc>,
) -> Result<auditdesk_core::sources::Source, auditdesk_core::Error> {
    use auditdesk_core::Error;
    use auditdesk_core::sources::redox::{RedoxConfig, Settings};
    let fresh = new_demo(now).map_err(|e| Error::Invalid(e.to_string()))?;
    let config = RedoxConfig {
        // Replaced by the loopback address of the simulator at each sync.
        host: "http://127.0.0.1".into(),
        organization_id: fresh.params.organization_id.clone(),
        client_id: fresh.params.client_id.clone(),
        key_id: fresh.params.key_id.clone(),
        private_key_pem: zeroize::Zeroizing::new(fresh.private_key_pem),
        settings: Settings {
            rate_limit: DEMO_RATE_LIMIT,
            rate_window_s: DEMO_RATE_WINDOW_S,
            ..Settings::default()
        },
    };
    let params = serde_json::to_value(&fresh.params).map_err(|e| Error::Invalid(e.to_string()))?;
    auditdesk_core::sources::add_redox(
        vault.conn(),
        name,
        auditdesk_core::sources::KIND_DEMO,
        &config,
        Some(params),
    )
}

/// The simulator behind a demo source, serving until dropped (None when
/// `name` is not a demo source). Pass its `url` as the sync's host.
pub fn serve(
    vault: &auditdesk_core::Vault,
    name: &str,
) -> Result<Option<RunningSim>, auditdesk_core::Error> {
    use auditdesk_core::Error;
    let Some(params) = auditdesk_core::sources::demo_parameters(vault.conn(), name)? else {
        return Ok(None);
    };
    let params: DemoParams = serde_json::from_value(params)
        .map_err(|e| Error::Invalid(format!("demo source {name:?}: {e}")))?;
    start(&params, Utc::now())
        .map(Some)
        .map_err(|e| Error::Invalid(format!("demo simulator: {e}")))
}
