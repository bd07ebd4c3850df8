//! TypeScript bindings for the UI, generated from the Rust types (ts-rs)
//! and the command list: one file per type and `commands.ts` with a typed
//! wrapper per command. Committed in `ui/src/bindings/`; the test below
//! fails when they drift, and `UPDATE_BINDINGS=1 cargo test -p
//! auditdesk-app bindings` rewrites them.

use std::collections::BTreeSet;
use std::fmt::Write as _;
use std::path::Path;

use ts_rs::{Config, ExportError, TS, TypeVisitor};

pub struct Generator {
    cfg: Config,
    imports: BTreeSet<String>,
    wrappers: String,
    error: Option<ExportError>,
}

/// Writes every named type reachable from `T` (and `T` itself).
struct Export<'a> {
    cfg: &'a Config,
    names: &'a mut BTreeSet<String>,
    error: &'a mut Option<ExportError>,
}

impl TypeVisitor for Export<'_> {
    fn visit<T: TS + 'static + ?Sized>(&mut self) {
        if T::output_path().is_some() {
            self.names.insert(T::ident(self.cfg));
            if let Err(e) = T::export_all(self.cfg) {
                self.error.get_or_insert(e);
            }
        } else {
            T::visit_generics(self);
        }
    }
}

fn camel(snake: &str) -> String {
    let mut out = String::new();
    let mut upper = false;
    for c in snake.chars() {
        if c == '_' {
            upper = true;
        } else if upper {
            out.extend(c.to_uppercase());
            upper = false;
        } else {
            out.push(c);
        }
    }
    out
}

impl Generator {
    fn new(dir: &Path) -> Generator {
        Generator {
            cfg: Config::new().with_large_int("number").with_out_dir(dir),
            imports: BTreeSet::new(),
            wrappers: String::new(),
            error: None,
        }
    }

    fn export<T: TS + 'static + ?Sized>(&mut self) {
        let mut visitor = Export {
            cfg: &self.cfg,
            names: &mut self.imports,
            error: &mut self.error,
        };
        visitor.visit::<T>();
    }

    /// One command: `name(args: A) => Promise<R>`.
    pub fn command<A: TS + 'static, R: TS + 'static>(&mut self, name: &str) {
        self.export::<A>();
        self.export::<R>();
        let _ = writeln!(
            self.wrappers,
            "  {}: (args: {}): Promise<{}> => invoke(\"{name}\", {{ args }}),",
            camel(name),
            A::name(&self.cfg),
            R::name(&self.cfg),
        );
    }

    fn finish(mut self) -> Result<String, ExportError> {
        use crate::events::*;
        use auditdesk_core::report::Progress;
        use auditdesk_core::sync::SyncProgress;
        self.export::<crate::IpcError>();
        self.export::<SyncProgress>();
        self.export::<Progress>();
        if let Some(e) = self.error {
            return Err(e);
        }
        let mut out = String::from(
            "// Generated from the Rust command list and types (src-tauri/src/bindings.rs).\n\
             // Do not edit: `UPDATE_BINDINGS=1 cargo test -p auditdesk-app bindings` rewrites it.\n\
             import { invoke } from \"@tauri-apps/api/core\";\n",
        );
        for name in &self.imports {
            let _ = writeln!(out, "import type {{ {name} }} from \"./{name}\";");
        }
        out.push_str("\nexport type { IpcError };\n\n");
        out.push_str("/** Every command; a rejected promise carries an `IpcError`. */\n");
        out.push_str("export const commands = {\n");
        out.push_str(&self.wrappers);
        out.push_str("};\n\n");
        let progress = self.cfg_name::<Progress>();
        let _ = write!(
            out,
            "/** Events the app emits, and their payloads. */\n\
             export const EVENTS = {{\n  syncProgress: \"{SYNC_PROGRESS}\",\n  demoProgress: \"{DEMO_PROGRESS}\",\n  reportProgress: \"{REPORT_PROGRESS}\",\n  vaultLocked: \"{VAULT_LOCKED}\",\n}} as const;\n\n\
             export type EventPayloads = {{\n  \"{SYNC_PROGRESS}\": SyncProgress;\n  \"{DEMO_PROGRESS}\": SyncProgress;\n  \"{REPORT_PROGRESS}\": {progress};\n  \"{VAULT_LOCKED}\": null;\n}};\n"
        );
        Ok(out)
    }

    fn cfg_name<T: TS>(&self) -> String {
        T::name(&self.cfg)
    }
}

/// Writes all bindings into `dir` (which should be empty).
pub fn generate(dir: &Path) -> std::io::Result<()> {
    let mut generator = Generator::new(dir);
    crate::commands::typescript(&mut generator);
    let commands = generator.finish().map_err(std::io::Error::other)?;
    std::fs::write(dir.join("commands.ts"), commands)
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;
    use std::path::{Path, PathBuf};

    /// Every `.ts` file under `dir`, by path relative to it.
    fn files(dir: &Path) -> BTreeMap<String, String> {
        fn walk(root: &Path, dir: &Path, out: &mut BTreeMap<String, String>) {
            for entry in std::fs::read_dir(dir).expect("bindings dir") {
                let path = entry.expect("entry").path();
                if path.is_dir() {
                    walk(root, &path, out);
                } else if path.extension().is_some_and(|e| e == "ts") {
                    let name = path.strip_prefix(root).expect("under root");
                    let name = name.to_string_lossy().into_owned();
                    out.insert(name, std::fs::read_to_string(&path).expect("read"));
                }
            }
        }
        let mut out = BTreeMap::new();
        walk(dir, dir, &mut out);
        out
    }

    #[test]
    fn bindings_match_the_committed_ones() {
        let committed = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("ui/src/bindings");
        let fresh = tempfile::tempdir().expect("tempdir");
        super::generate(fresh.path()).expect("generate");
        let fresh_files = files(fresh.path());
        assert!(fresh_files.contains_key("commands.ts"));
        assert!(fresh_files.contains_key("SearchPage.ts"));
        if std::env::var_os("UPDATE_BINDINGS").is_some() {
            let _ = std::fs::remove_dir_all(&committed);
            std::fs::create_dir_all(&committed).expect("mkdir");
            for (name, text) in &fresh_files {
                let path = committed.join(name);
                std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
                std::fs::write(path, text).expect("write");
            }
            return;
        }
        let old = files(&committed);
        let names = |m: &BTreeMap<String, String>| m.keys().cloned().collect::<Vec<_>>();
        assert_eq!(
            names(&old),
            names(&fresh_files),
            "ui/src/bindings is out of date: run UPDATE_BINDINGS=1 cargo test -p auditdesk-app bindings"
        );
        for (name, text) in &fresh_files {
            assert_eq!(
                &old[name], text,
                "ui/src/bindings/{name} is out of date: run UPDATE_BINDINGS=1 cargo test -p auditdesk-app bindings"
            );
        }
    }

    #[test]
    fn camel_case_names() {
        assert_eq!(
            super::camel("vault_unlock_remembered"),
            "vaultUnlockRemembered"
        );
        assert_eq!(super::camel("search"), "search");
    }
}
