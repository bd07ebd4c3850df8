//! The Sources screen: Redox connections (kept in the vault, key and
//! all), testing one, syncing with progress events, the sync history; and
//! the reviewer-activity log.

use auditdesk_core::activity::{self, Entry};
use auditdesk_core::sources::redox::{RedoxConfig, Settings};
use auditdesk_core::sources::{self, KIND_REDOX, Removed, Source, SourceInfo};
use auditdesk_core::sync::{self, ConnectionTest, SyncOptions, SyncRun};
use auditdesk_core::{Error, Result};
use serde::Deserialize;
use ts_rs::TS;
use zeroize::Zeroizing;

use super::{Ctx, NoArgs};

// No Debug: it holds a private key.
#[derive(Clone, Deserialize, TS)]
pub struct AddRedoxArgs {
    pub name: String,
    pub organization_id: String,
    pub client_id: String,
    pub key_id: String,
    /// PKCS#8 or PKCS#1 PEM (RSA for RS384, P-384 for ES384).
    #[ts(type = "string")]
    pub private_key_pem: Zeroizing<String>,
    /// e.g. https://api.redoxengine.com
    pub host: String,
}

#[derive(Debug, Clone, Deserialize, TS)]
pub struct SourceName {
    pub name: String,
}

#[derive(Debug, Clone, Deserialize, TS)]
pub struct HistoryArgs {
    pub name: String,
    pub limit: u32,
}

#[derive(Debug, Clone, Deserialize, TS)]
pub struct ActivityArgs {
    pub limit: u32,
}

pub fn sources_list(ctx: &Ctx, _: NoArgs) -> Result<Vec<SourceInfo>> {
    ctx.state.with_vault(|v| sources::list(v.conn()))
}

pub fn source_add_redox(ctx: &Ctx, args: AddRedoxArgs) -> Result<Source> {
    let config = RedoxConfig {
        host: args.host.trim().trim_end_matches('/').to_string(),
        organization_id: args.organization_id.trim().to_string(),
        client_id: args.client_id.trim().to_string(),
        key_id: args.key_id.trim().to_string(),
        private_key_pem: args.private_key_pem,
        settings: Settings::default(),
    };
    ctx.state
        .with_vault(|v| sources::add_redox(v.conn(), &args.name, KIND_REDOX, &config, None))
}

pub fn source_test(ctx: &Ctx, args: SourceName) -> Result<ConnectionTest> {
    let vault = ctx.state.background()?;
    // A demo source is served by its simulator for the length of the test.
    let sim = auditdesk_sim::demo::serve(&vault, &args.name)?;
    sync::test_connection(&vault, &args.name, sim.as_ref().map(|s| s.url.as_str()))
}

pub fn source_sync(ctx: &Ctx, args: SourceName) -> Result<Vec<SyncRun>> {
    let mut vault = ctx.state.background()?;
    let sim = auditdesk_sim::demo::serve(&vault, &args.name)?;
    let options = SyncOptions {
        host: sim.as_ref().map(|s| s.url.clone()),
        ..SyncOptions::default()
    };
    sync::sync_source(&mut vault, &args.name, &options, &mut |p| {
        ctx.emit(crate::events::SYNC_PROGRESS, p.clone());
    })
}

pub fn sync_history(ctx: &Ctx, args: HistoryArgs) -> Result<Vec<SyncRun>> {
    ctx.state.with_vault(|v| {
        let source = sources::find(v.conn(), &args.name)?
            .ok_or_else(|| Error::NotFound(format!("source {:?}", args.name)))?;
        sync::runs::list(v.conn(), source.id, args.limit)
    })
}

pub fn source_remove(ctx: &Ctx, args: SourceName) -> Result<Removed> {
    ctx.state
        .with_vault(|v| sources::remove(v.conn(), &args.name))
}

pub fn activity_list(ctx: &Ctx, args: ActivityArgs) -> Result<Vec<Entry>> {
    ctx.state
        .with_vault(|v| activity::list(v.conn(), Some(args.limit)))
}
