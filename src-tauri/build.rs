// The app's own commands get generated permissions (`allow-<command>`), so
// the capability file can grant exactly these and nothing else.
include!("src/commands/names.rs");

fn main() {
    let manifest = tauri_build::AppManifest::new().commands(COMMANDS);
    if let Err(e) = tauri_build::try_build(tauri_build::Attributes::new().app_manifest(manifest)) {
        eprintln!("tauri build script: {e:#}");
        std::process::exit(1);
    }
}
