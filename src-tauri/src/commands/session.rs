//! Unlock and first run: create a vault, unlock it (or with the key
//! remembered in the OS keychain), open the demo workspace, lock; and the
//! settings screen's passphrase, keychain and auto-lock.

use auditdesk_core::overview::{self, Overview};
use auditdesk_core::sync::{self, SyncOptions};
use auditdesk_core::vault::SystemKeychain;
use auditdesk_core::{Result, Vault};
use serde::{Deserialize, Serialize};
use ts_rs::TS;
use zeroize::Zeroizing;

use super::{Ctx, NoArgs};
use crate::state::{DEMO_PASSPHRASE, Settings};

/// The demo source's name in the demo workspace.
const DEMO_SOURCE: &str = "demo";

#[derive(Debug, Clone, Serialize, TS)]
pub struct AppStatus {
    pub version: String,
    /// The user's vault (not the demo's) exists.
    pub vault_exists: bool,
    pub vault_dir: String,
    pub unlocked: bool,
    /// The folder of the open vault (the user's or the demo's).
    pub open_dir: Option<String>,
    /// The open vault is the demo workspace.
    pub demo_open: bool,
    pub demo_exists: bool,
    /// `--demo`: the UI opens the demo workspace at start.
    pub open_demo_at_start: bool,
    /// An OS keychain (Secret Service) answers on this machine.
    pub keychain_available: bool,
    /// The user's vault's key is remembered in the keychain.
    pub remembered: bool,
}

/// What the app shows of a vault as soon as it opens. The full `Overview`
/// groups every event four ways, too slow for every unlock of a large
/// vault; the settings screen asks for it.
#[derive(Debug, Clone, Serialize, TS)]
pub struct Held {
    pub events: u64,
}

impl Held {
    fn of(vault: &Vault) -> Result<Held> {
        Ok(Held {
            events: overview::events_held(vault.conn())?,
        })
    }
}

/// Makes `vault` the session's and says what it holds.
fn opened(ctx: &Ctx, vault: Vault, demo: bool) -> Result<Held> {
    let held = Held::of(&vault)?;
    ctx.state.set_vault(vault, demo);
    Ok(held)
}

// No Debug: it holds a passphrase.
#[derive(Clone, Deserialize, TS)]
pub struct PassphraseArgs {
    #[ts(type = "string")]
    pub passphrase: Zeroizing<String>,
}

// No Debug: it holds a passphrase.
#[derive(Clone, Deserialize, TS)]
pub struct UnlockArgs {
    #[ts(type = "string")]
    pub passphrase: Zeroizing<String>,
    /// Also remember the key in the OS keychain.
    pub remember: bool,
}

// No Debug: it holds a passphrase.
#[derive(Clone, Deserialize, TS)]
pub struct ChangePassphraseArgs {
    #[ts(type = "string")]
    pub old: Zeroizing<String>,
    #[ts(type = "string")]
    pub new: Zeroizing<String>,
}

// No Debug: it holds a passphrase.
#[derive(Clone, Deserialize, TS)]
pub struct KeychainArgs {
    pub remember: bool,
    /// Needed to remember (it unwraps the key); not to forget.
    #[ts(type = "string | null")]
    pub passphrase: Option<Zeroizing<String>>,
}

fn keychain_available() -> bool {
    keyring::Entry::store_status().is_ok()
}

pub fn app_status(ctx: &Ctx, _: NoArgs) -> Result<AppStatus> {
    let state = &ctx.state;
    let (open_dir, demo_open) = state.current();
    let remembered = Vault::exists(state.vault_dir())
        && Vault::read_header(state.vault_dir())?.keychain.is_some();
    Ok(AppStatus {
        version: env!("CARGO_PKG_VERSION").to_string(),
        vault_exists: Vault::exists(state.vault_dir()),
        vault_dir: state.vault_dir().display().to_string(),
        unlocked: state.is_unlocked(),
        open_dir: state.is_unlocked().then(|| open_dir.display().to_string()),
        demo_open,
        demo_exists: Vault::exists(state.demo_dir()),
        open_demo_at_start: state.open_demo_at_start(),
        keychain_available: keychain_available(),
        remembered,
    })
}

pub fn vault_create(ctx: &Ctx, args: PassphraseArgs) -> Result<Held> {
    let vault = Vault::init(ctx.state.vault_dir(), &args.passphrase)?;
    opened(ctx, vault, false)
}

pub fn vault_unlock(ctx: &Ctx, args: UnlockArgs) -> Result<Held> {
    let dir = ctx.state.vault_dir();
    let vault = Vault::open(dir, &args.passphrase)?;
    if args.remember {
        Vault::remember(dir, &args.passphrase, &SystemKeychain)?;
    }
    opened(ctx, vault, false)
}

pub fn vault_unlock_remembered(ctx: &Ctx, _: NoArgs) -> Result<Held> {
    let vault = Vault::open_remembered(ctx.state.vault_dir(), &SystemKeychain)?;
    opened(ctx, vault, false)
}

/// Opens the demo workspace, creating it on first use, and syncs it from
/// the embedded simulator (loopback only), reporting progress as it goes.
pub fn demo_open(ctx: &Ctx, _: NoArgs) -> Result<Held> {
    let dir = ctx.state.demo_dir();
    let mut vault = if Vault::exists(dir) {
        Vault::open(dir, DEMO_PASSPHRASE)?
    } else {
        let vault = Vault::init(dir, DEMO_PASSPHRASE)?;
        auditdesk_sim::demo::add_source(&vault, DEMO_SOURCE, chrono::Utc::now())?;
        vault
    };
    let sim = auditdesk_sim::demo::serve(&vault, DEMO_SOURCE)?;
    let options = SyncOptions {
        host: sim.as_ref().map(|s| s.url.clone()),
        ..SyncOptions::default()
    };
    sync::sync_source(&mut vault, DEMO_SOURCE, &options, &mut |p| {
        ctx.emit(crate::events::DEMO_PROGRESS, p.clone());
    })?;
    drop(sim);
    opened(ctx, vault, true)
}

pub fn vault_lock(ctx: &Ctx, _: NoArgs) -> Result<()> {
    ctx.state.lock_vault();
    Ok(())
}

pub fn vault_overview(ctx: &Ctx, _: NoArgs) -> Result<Overview> {
    ctx.state.with_vault(|v| overview::overview(v.conn()))
}

pub fn vault_held(ctx: &Ctx, _: NoArgs) -> Result<Held> {
    ctx.state.with_vault(Held::of)
}

/// The demo workspace's passphrase is published (and built in): changing it
/// or remembering it would only break reopening the demo.
fn not_demo(ctx: &Ctx, what: &str) -> Result<std::path::PathBuf> {
    match ctx.state.current() {
        (_, true) => Err(auditdesk_core::Error::Invalid(format!(
            "the demo workspace keeps its published passphrase; {what} applies to your own vault"
        ))),
        (dir, false) => Ok(dir),
    }
}

pub fn vault_change_passphrase(ctx: &Ctx, args: ChangePassphraseArgs) -> Result<()> {
    let dir = not_demo(ctx, "changing the passphrase")?;
    Vault::rekey(&dir, &args.old, &args.new)
}

pub fn keychain_set(ctx: &Ctx, args: KeychainArgs) -> Result<()> {
    let dir = not_demo(ctx, "remembering it on this device")?;
    match (args.remember, args.passphrase) {
        (true, Some(passphrase)) => Vault::remember(&dir, &passphrase, &SystemKeychain),
        (true, None) => Err(auditdesk_core::Error::Invalid(
            "remembering the vault on this device needs its passphrase".into(),
        )),
        (false, _) => Vault::forget(&dir, &SystemKeychain).map(|_| ()),
    }
}

pub fn settings_get(ctx: &Ctx, _: NoArgs) -> Result<Settings> {
    Ok(ctx.state.settings())
}

pub fn settings_set(ctx: &Ctx, settings: Settings) -> Result<Settings> {
    ctx.state.set_settings(settings)
}
