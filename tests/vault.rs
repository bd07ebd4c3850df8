//! Vault lifecycle over the real binary: init, wrong passphrase, locked,
//! rekey, lock, and the keychain failing closed.

use crate::util::{PASSPHRASE, Workspace, path_str};

#[test]
fn init_writes_only_an_encrypted_database_and_a_key_header() {
    let ws = Workspace::init();
    let mut names: Vec<String> = std::fs::read_dir(&ws.vault)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(names, ["vault.db", "vault.header"]);
    let header: serde_json::Value =
        serde_json::from_slice(&std::fs::read(ws.vault.join("vault.header")).unwrap()).unwrap();
    assert!(
        header["kdf"]["m_cost_kib"].as_u64().unwrap() >= 65536,
        "Argon2id ≥ 64 MiB"
    );
    assert!(
        header["kdf"]["t_cost"].as_u64().unwrap() >= 3,
        "Argon2id ≥ 3 passes"
    );
    let again = ws.run(&["vault", "init"]);
    assert_eq!(again.status.code(), Some(1), "a second init must refuse");
    assert!(String::from_utf8_lossy(&again.stderr).contains("already exists"));
}

#[test]
fn wrong_passphrase_exits_3_and_changes_no_byte() {
    let ws = Workspace::init();
    let sample = ws.write("e.ndjson", crate::util::redox_ndjson(1, 50));
    ws.ok(&["import", path_str(&sample)]);
    let before = ws.vault_fingerprint();
    let commands: [&[&str]; 6] = [
        &["vault", "info"],
        &["vault", "verify"],
        &["search", ""],
        &["import", path_str(&sample)],
        &["vault", "rekey"],
        &["show", "whatever"],
    ];
    for args in commands {
        let out = ws
            .command(args)
            .env("AUDITDESK_PASSPHRASE", "not the passphrase")
            .env("AUDITDESK_NEW_PASSPHRASE", "another passphrase")
            .output()
            .unwrap();
        assert_eq!(
            out.status.code(),
            Some(3),
            "{args:?} with a wrong passphrase"
        );
        assert!(
            String::from_utf8_lossy(&out.stderr).contains("wrong passphrase"),
            "{args:?} must say the passphrase is wrong: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert_eq!(
            ws.vault_fingerprint(),
            before,
            "{args:?} changed vault bytes"
        );
    }
}

#[test]
fn no_passphrase_and_no_terminal_is_locked() {
    let ws = Workspace::init();
    let out = ws
        .command(&["search", ""])
        .env_remove("AUDITDESK_PASSPHRASE")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(3));
    assert!(String::from_utf8_lossy(&out.stderr).contains("locked"));
}

#[test]
fn passphrase_file_is_read_without_its_trailing_newline() {
    let ws = Workspace::init();
    let file = ws.write("pass.txt", format!("{PASSPHRASE}\n"));
    let out = ws
        .command(&["--passphrase-file", path_str(&file), "vault", "info"])
        .env_remove("AUDITDESK_PASSPHRASE")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

fn rekey_to(ws: &Workspace, new: &str) {
    let out = ws
        .command(&["vault", "rekey"])
        .env("AUDITDESK_NEW_PASSPHRASE", new)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn rekey_rewraps_the_key_without_touching_the_database() {
    let ws = Workspace::init();
    let sample = ws.write("e.ndjson", crate::util::redox_ndjson(2, 20));
    ws.ok(&["import", path_str(&sample)]);
    let db_before = std::fs::read(ws.vault.join("vault.db")).unwrap();
    rekey_to(&ws, "a brand new passphrase");
    assert_eq!(std::fs::read(ws.vault.join("vault.db")).unwrap(), db_before);
    assert!(
        !ws.vault.join("vault.header.tmp").exists(),
        "no temp header left behind"
    );
    let old = ws.run(&["vault", "info"]);
    assert_eq!(
        old.status.code(),
        Some(3),
        "the old passphrase no longer opens it"
    );
    let new = ws
        .command(&["search", "", "--count", "--json"])
        .env("AUDITDESK_PASSPHRASE", "a brand new passphrase")
        .output()
        .unwrap();
    assert!(new.status.success());
    let total: serde_json::Value = serde_json::from_slice(&new.stdout).unwrap();
    assert_eq!(total["total"], 20);
}

/// New vaults record HMAC-SHA256 in a version 2 header, and the database
/// really uses it (a connection with SQLCipher's default cannot read it).
/// Older, version 1 vaults are covered in the core's vault tests.
#[test]
fn new_vaults_record_and_use_hmac_sha256() {
    let ws = Workspace::init();
    let header: serde_json::Value =
        serde_json::from_slice(&std::fs::read(ws.vault.join("vault.header")).unwrap()).unwrap();
    assert_eq!(
        (header["version"].as_u64(), header["cipher_hmac"].as_str()),
        (Some(2), Some("HMAC_SHA256"))
    );
    let sample = ws.write("e.ndjson", crate::util::redox_ndjson(3, 20));
    ws.ok(&["import", path_str(&sample)]);
    let key = auditdesk_core::Vault::unwrap_key(&ws.vault, crate::util::PASSPHRASE).unwrap();
    let opens_with = |hmac: &str| {
        let conn = rusqlite::Connection::open(ws.vault.join("vault.db")).unwrap();
        conn.execute_batch(&format!(
            "PRAGMA key = \"x'{}'\"; PRAGMA cipher_page_size = 16384; PRAGMA cipher_hmac_algorithm = {hmac};",
            hex::encode(key.as_bytes())
        ))
        .unwrap();
        conn.query_row("SELECT count(*) FROM events", [], |r| r.get::<_, i64>(0))
            .is_ok()
    };
    assert!(opens_with("HMAC_SHA256"));
    assert!(!opens_with("HMAC_SHA512"));
    rekey_to(&ws, "a brand new passphrase");
    let after: serde_json::Value =
        serde_json::from_slice(&std::fs::read(ws.vault.join("vault.header")).unwrap()).unwrap();
    assert_eq!(
        after["cipher_hmac"], "HMAC_SHA256",
        "rekey keeps the format"
    );
}

#[test]
fn short_new_passphrases_are_refused() {
    let ws = Workspace::new();
    let out = ws
        .command(&["vault", "init"])
        .env("AUDITDESK_PASSPHRASE", "short")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(!ws.vault.join("vault.header").exists());
}

#[test]
fn remembering_fails_closed_without_a_keychain() {
    let ws = Workspace::new();
    let out = ws
        .command(&["vault", "init", "--remember"])
        .env(
            "DBUS_SESSION_BUS_ADDRESS",
            "unix:path=/nonexistent/auditdesk-test-bus",
        )
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("keychain"));
    assert!(
        !ws.vault.exists(),
        "no half-made vault when the keychain is missing"
    );

    // Lock on a vault that remembers nothing succeeds and says so.
    let ws = Workspace::init();
    let out = ws.ok(&["vault", "lock"]);
    assert!(out.contains("nothing was remembered"), "{out}");
}

#[test]
fn usage_errors_exit_2() {
    let ws = Workspace::init();
    assert_eq!(ws.run(&["vault", "frobnicate"]).status.code(), Some(2));
    assert_eq!(ws.run(&["search", "colour:red"]).status.code(), Some(2));
}

#[test]
fn a_passphrase_file_wins_over_the_environment() {
    let ws = Workspace::init();
    let file = ws.write("pass.txt", PASSPHRASE);
    let out = ws
        .command(&["--passphrase-file", path_str(&file), "vault", "info"])
        .env("AUDITDESK_PASSPHRASE", "a stale passphrase")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}
