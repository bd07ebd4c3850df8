//! The AuditDesk desktop app: a Tauri v2 shell over `auditdesk-core`. It
//! holds the unlocked vault and turns IPC calls into core calls; every
//! decision about events, searches and reports is the core's.

pub mod bindings;
mod commands;
pub mod events;
mod ipc_error;
mod memory;
pub mod rendering;
mod state;

pub use commands::NAMES as COMMANDS;
pub use ipc_error::IpcError;
pub use state::AppState;

/// Runs the app. `--demo` opens the demo workspace at start (what `make
/// run` does); `AUDITDESK_VAULT` and `XDG_DATA_HOME` choose the vault and
/// data directories as for the CLI.
pub fn run() {
    let open_demo = std::env::args().skip(1).any(|a| a == "--demo");
    let state = match AppState::new(open_demo) {
        Ok(state) => state,
        Err(e) => {
            eprintln!("auditdesk-app: {e}");
            std::process::exit(1);
        }
    };
    let watcher = state.clone();
    let result = tauri::Builder::default()
        .plugin(tauri_plugin_dialog::init())
        .manage(state)
        .invoke_handler(commands::handler())
        .setup(move |app| {
            // The first screen asks whether a keychain answers; finding out
            // means connecting to the session bus, so it is done while
            // WebKit starts (GTK has set its environment up by now).
            std::thread::spawn(|| {
                let _ = keyring::Entry::store_status();
            });
            watcher.spawn_idle_watch(app.handle().clone());
            Ok(())
        })
        .run(tauri::generate_context!());
    if let Err(e) = result {
        eprintln!("auditdesk-app: {e}");
        std::process::exit(1);
    }
}
