//! What the app holds between calls: the unlocked vault (or none), where
//! vaults live, the user's settings, and the idle timer behind auto-lock.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use auditdesk_core::{Error, Result, Vault};
use serde::{Deserialize, Serialize};
use tauri::Emitter;
use ts_rs::TS;

/// How long the UI must have asked for nothing before freed memory is
/// returned: long enough not to trim between the calls of one screen.
const QUIET: Duration = Duration::from_secs(2);

/// The demo workspace's passphrase: it holds only simulated events, and
/// `make run` and the README give it out.
pub const DEMO_PASSPHRASE: &str = "auditdesk demo passphrase";

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct Settings {
    /// Lock the vault after this many idle minutes (0: never).
    pub auto_lock_minutes: u32,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            auto_lock_minutes: 15,
        }
    }
}

struct Session {
    vault: Option<Vault>,
    /// The vault the session is on: the user's, or the demo's.
    dir: PathBuf,
    demo: bool,
}

/// When the UI last used the app, and how many of its calls are running.
struct Use {
    at: Instant,
    in_flight: u32,
}

impl Use {
    /// How long the app has been idle: nothing while a call runs.
    fn idle(&self) -> Duration {
        if self.in_flight > 0 {
            Duration::ZERO
        } else {
            self.at.elapsed()
        }
    }
}

/// A command in progress (`AppState::begin`); its end is use too.
pub struct Busy(AppState);

impl Drop for Busy {
    fn drop(&mut self) {
        let mut u = lock(&self.0.0.last_used);
        u.in_flight = u.in_flight.saturating_sub(1);
        u.at = Instant::now();
    }
}

struct Shared {
    session: Mutex<Session>,
    settings: Mutex<Settings>,
    last_used: Mutex<Use>,
    vault_dir: PathBuf,
    demo_dir: PathBuf,
    settings_file: PathBuf,
    open_demo: bool,
}

#[derive(Clone)]
pub struct AppState(Arc<Shared>);

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    // A panic in one command must not wedge every later one.
    m.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

impl AppState {
    pub fn new(open_demo: bool) -> Result<AppState> {
        let data = auditdesk_core::vault::data_dir()?;
        let vault_dir = auditdesk_core::vault::default_dir()?;
        let settings_file = data.join("settings.json");
        let settings = std::fs::read(&settings_file)
            .ok()
            .and_then(|bytes| serde_json::from_slice(&bytes).ok())
            .unwrap_or_default();
        Ok(AppState(Arc::new(Shared {
            session: Mutex::new(Session {
                vault: None,
                dir: vault_dir.clone(),
                demo: false,
            }),
            settings: Mutex::new(settings),
            last_used: Mutex::new(Use {
                at: Instant::now(),
                in_flight: 0,
            }),
            vault_dir,
            demo_dir: data.join("demo"),
            settings_file,
            open_demo,
        })))
    }

    pub fn vault_dir(&self) -> &Path {
        &self.0.vault_dir
    }

    pub fn demo_dir(&self) -> &Path {
        &self.0.demo_dir
    }

    pub fn open_demo_at_start(&self) -> bool {
        self.0.open_demo
    }

    /// The directory of the vault the session is on, and whether it is the demo.
    pub fn current(&self) -> (PathBuf, bool) {
        let s = lock(&self.0.session);
        (s.dir.clone(), s.demo)
    }

    pub fn is_unlocked(&self) -> bool {
        lock(&self.0.session).vault.is_some()
    }

    /// Makes `vault` the session's vault (closing any other).
    pub fn set_vault(&self, vault: Vault, demo: bool) {
        // Another vault's columns (a switch) go; this one's are built on a
        // connection of their own, so the first search finds them ready and
        // the UI is not held up meanwhile.
        auditdesk_core::search::reset_columns();
        if let Ok(background) = vault.reopen() {
            std::thread::spawn(move || {
                // A failure here comes back, with its message, from the
                // first search, which builds the columns itself.
                let _ = auditdesk_core::search::warm(background.conn());
            });
        }
        let mut s = lock(&self.0.session);
        s.dir = vault.dir().to_path_buf();
        s.demo = demo;
        s.vault = Some(vault);
    }

    /// Closes the vault; the data key goes with the connection, and the
    /// decrypted search columns with it.
    pub fn lock_vault(&self) -> bool {
        let was_open = {
            let mut s = lock(&self.0.session);
            s.dir = self.0.vault_dir.clone();
            s.demo = false;
            s.vault.take().is_some()
        };
        // Outside the session lock; it never waits for a build under way.
        auditdesk_core::search::forget_columns();
        was_open
    }

    pub fn with_vault<T>(&self, f: impl FnOnce(&Vault) -> Result<T>) -> Result<T> {
        let s = lock(&self.0.session);
        match &s.vault {
            Some(vault) => f(vault),
            None => Err(Error::Locked("unlock the vault first".into())),
        }
    }

    /// A connection of its own for long work (sync, reports), so the UI's
    /// calls are not queued behind it.
    pub fn background(&self) -> Result<Vault> {
        self.with_vault(Vault::reopen)
    }

    pub fn settings(&self) -> Settings {
        lock(&self.0.settings).clone()
    }

    pub fn set_settings(&self, settings: Settings) -> Result<Settings> {
        let json = serde_json::to_vec_pretty(&settings)
            .map_err(|e| Error::Invalid(format!("settings: {e}")))?;
        if let Some(dir) = self.0.settings_file.parent() {
            std::fs::create_dir_all(dir).map_err(Error::io(dir))?;
        }
        let tmp = self.0.settings_file.with_extension("json.partial");
        std::fs::write(&tmp, json).map_err(Error::io(&tmp))?;
        std::fs::rename(&tmp, &self.0.settings_file).map_err(Error::io(&self.0.settings_file))?;
        *lock(&self.0.settings) = settings.clone();
        Ok(settings)
    }

    /// Every command counts as use, from its start to its end: a long
    /// sync or export is not idle time.
    pub fn begin(&self) -> Busy {
        let mut u = lock(&self.0.last_used);
        u.in_flight += 1;
        u.at = Instant::now();
        Busy(self.clone())
    }

    /// Watches for idleness: locks the vault after the configured idle
    /// time and tells the UI, and once the UI has been quiet for a moment
    /// after some work, hands the memory that work freed back to the system.
    pub fn spawn_idle_watch(&self, app: tauri::AppHandle) {
        let state = self.clone();
        std::thread::spawn(move || {
            // Nothing to give back before the first command.
            let mut trimmed_after = Some(lock(&state.0.last_used).at);
            loop {
                std::thread::sleep(Duration::from_secs(1));
                let (idle, last_used) = {
                    let u = lock(&state.0.last_used);
                    (u.idle(), u.at)
                };
                if idle >= QUIET && trimmed_after != Some(last_used) {
                    crate::memory::return_freed();
                    trimmed_after = Some(last_used);
                }
                let minutes = state.settings().auto_lock_minutes;
                if minutes == 0 || !state.is_unlocked() {
                    continue;
                }
                if idle >= Duration::from_secs(u64::from(minutes) * 60) && state.lock_vault() {
                    // The closed vault's page cache and search state.
                    crate::memory::return_freed();
                    // Nothing to do if the window is gone.
                    let _ = app.emit(crate::events::VAULT_LOCKED, ());
                }
            }
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_running_call_is_not_idle_time() {
        let past = Instant::now() - Duration::from_secs(60);
        let running = Use {
            at: past,
            in_flight: 1,
        };
        assert_eq!(running.idle(), Duration::ZERO);
        let done = Use {
            at: past,
            in_flight: 0,
        };
        assert!(done.idle() >= Duration::from_secs(60));
    }
}
