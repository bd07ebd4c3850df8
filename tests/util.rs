//! The harness: a scratch workspace (vault dir + private TMPDIR) and a way
//! to run the real `auditdesk` binary in it.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::OnceLock;

use chrono::{DateTime, Utc};
use sha2::{Digest, Sha256};

pub const PASSPHRASE: &str = "integration-test passphrase";

/// The `auditdesk` binary next to this test binary (target/<profile>/),
/// built first if a plain `cargo test` has not built it yet.
pub fn bin() -> &'static Path {
    static BIN: OnceLock<PathBuf> = OnceLock::new();
    BIN.get_or_init(|| {
        let exe = std::env::current_exe().expect("test binary path");
        let profile_dir = exe
            .parent()
            .and_then(Path::parent)
            .expect("target/<profile>/deps");
        let bin = profile_dir.join(format!("auditdesk{}", std::env::consts::EXE_SUFFIX));
        let profile = profile_dir
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or("debug");
        let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
        let mut build = Command::new(cargo);
        build.args(["build", "--quiet", "-p", "auditdesk-cli"]);
        if profile == "release" {
            build.arg("--release");
        }
        let status = build.status().expect("run cargo build");
        assert!(status.success(), "building auditdesk-cli failed");
        assert!(bin.exists(), "no auditdesk binary at {}", bin.display());
        bin
    })
}

pub struct Workspace {
    pub root: tempfile::TempDir,
    pub vault: PathBuf,
    pub tmp: PathBuf,
}

impl Workspace {
    /// An empty workspace; `init` makes the vault.
    pub fn new() -> Workspace {
        let root = tempfile::tempdir().expect("tempdir");
        let vault = root.path().join("vault");
        let tmp = root.path().join("tmp");
        std::fs::create_dir_all(&tmp).expect("tmp dir");
        Workspace { root, vault, tmp }
    }

    pub fn init() -> Workspace {
        let ws = Workspace::new();
        ws.ok(&["vault", "init"]);
        ws
    }

    pub fn command(&self, args: &[&str]) -> Command {
        let mut cmd = Command::new(bin());
        cmd.arg("--vault")
            .arg(&self.vault)
            .args(args)
            .env("AUDITDESK_PASSPHRASE", PASSPHRASE)
            .env("TMPDIR", &self.tmp)
            // Argon2id at its floor (64 MiB, 3 passes) rather than calibrated
            // to 0.5 s: hundreds of unlocks per run.
            .env("AUDITDESK_KDF_TARGET_MS", "0")
            .env_remove("AUDITDESK_NEW_PASSPHRASE")
            .stdin(std::process::Stdio::null());
        cmd
    }

    pub fn run(&self, args: &[&str]) -> Output {
        self.command(args).output().expect("run auditdesk")
    }

    /// Runs and insists on exit 0; returns stdout.
    pub fn ok(&self, args: &[&str]) -> String {
        let out = self.run(args);
        assert!(
            out.status.success(),
            "auditdesk {args:?} failed ({:?}):\n{}",
            out.status.code(),
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).expect("utf-8 stdout")
    }

    pub fn json(&self, args: &[&str]) -> serde_json::Value {
        let mut all = args.to_vec();
        all.push("--json");
        serde_json::from_str(&self.ok(&all)).expect("JSON on stdout")
    }

    pub fn count(&self, query: &str) -> u64 {
        self.json(&["search", query, "--count"])["total"]
            .as_u64()
            .expect("total")
    }

    pub fn write(&self, name: &str, contents: impl AsRef<[u8]>) -> PathBuf {
        let path = self.root.path().join(name);
        std::fs::write(&path, contents).expect("write fixture");
        path
    }

    /// What the vault holds as evidence: every event as search shows it,
    /// with its status history, and the vault's counts (events, versions,
    /// imports). The reviewer-activity log is left out: opening the vault
    /// to try something is itself recorded there.
    pub fn content_fingerprint(&self) -> String {
        let mut out = self.ok(&["search", "", "--json", "--limit", "10000"]);
        let info = self.json(&["vault", "info"]);
        for key in ["events", "versions", "imports", "by_source", "by_outcome"] {
            out.push_str(&info[key].to_string());
        }
        out
    }

    /// SHA-256 of every file under the vault directory, by name.
    pub fn vault_fingerprint(&self) -> Vec<(String, String)> {
        let mut out: Vec<(String, String)> = std::fs::read_dir(&self.vault)
            .expect("vault dir")
            .map(|entry| {
                let path = entry.expect("entry").path();
                let bytes = std::fs::read(&path).expect("read vault file");
                (
                    path.file_name().unwrap().to_string_lossy().into_owned(),
                    hex::encode(Sha256::digest(&bytes)),
                )
            })
            .collect();
        out.sort();
        out
    }
}

pub fn path_str(p: &Path) -> &str {
    p.to_str().expect("utf-8 path")
}

pub fn start() -> DateTime<Utc> {
    DateTime::parse_from_rfc3339("2026-07-01T00:00:00Z")
        .unwrap()
        .with_timezone(&Utc)
}

/// `count` Redox-shaped events as NDJSON from the deterministic dataset.
pub fn redox_ndjson(seed: u64, count: u64) -> String {
    let ds = auditdesk_sim::Dataset::new(seed, start());
    let mut out = String::new();
    ds.render(
        auditdesk_sim::Shape::Ndjson,
        ds.events(count, 60_000),
        &mut out,
    );
    out
}

/// A raw SQLCipher connection to a vault's database, keyed and configured
/// from its header as AuditDesk does: for tests that change the database
/// behind AuditDesk's back.
pub fn raw_connection(vault: &Path) -> rusqlite::Connection {
    let key = auditdesk_core::Vault::unwrap_key(vault, PASSPHRASE).unwrap();
    let header = auditdesk_core::Vault::read_header(vault).unwrap();
    let conn = rusqlite::Connection::open(vault.join("vault.db")).unwrap();
    conn.execute_batch(&format!(
        "PRAGMA key = \"x'{}'\"; PRAGMA cipher_page_size = {}; PRAGMA cipher_hmac_algorithm = {};",
        hex::encode(key.as_bytes()),
        header.cipher_page_size,
        header.cipher_hmac
    ))
    .unwrap();
    conn
}
