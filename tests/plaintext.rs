//! Nothing readable on disk: after importing events that carry a canary,
//! no file under the vault directory or TMPDIR holds the canary, an event
//! id, an event type name, or SQLite's plaintext file magic. Checked both
//! after the CLI exits and while a connection is open: the rollback journal
//! of an import mid-transaction, and the WAL.

use std::path::Path;

use auditdesk_core::Vault;
use auditdesk_core::sources::import::{ImportOptions, import_file};

use crate::util::{PASSPHRASE, Workspace, path_str};

const CANARY: &str = "CANARY-7f3a9c-PLAINTEXT";
const EVENT_ID: &str = "evt-canary-0001";
const EVENT_TYPE: &str = "canary-type-zq";

fn canary_file(ws: &Workspace) -> std::path::PathBuf {
    let mut text = String::new();
    for i in 0..300 {
        text.push_str(&format!(
            r#"{{"id":"{EVENT_ID}-{i}","createdAt":"2026-08-01T10:{:02}:00.000Z","type":"{EVENT_TYPE}","status":"failed","userId":"{CANARY}-user","requestIp":"10.9.9.9","route":"/{CANARY}","details":{{"note":"{CANARY} in details","n":{i}}}}}"#,
            i % 60
        ));
        text.push('\n');
    }
    ws.write("canary.ndjson", text)
}

fn scan(dir: &Path, needles: &[&[u8]]) -> Vec<String> {
    let mut hits = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
                continue;
            }
            let bytes = std::fs::read(&path).unwrap();
            for needle in needles {
                if bytes.windows(needle.len()).any(|w| w == *needle) {
                    hits.push(format!(
                        "{} contains {:?}",
                        path.display(),
                        String::from_utf8_lossy(needle)
                    ));
                }
            }
        }
    }
    hits
}

fn needles() -> Vec<&'static [u8]> {
    vec![
        CANARY.as_bytes(),
        EVENT_ID.as_bytes(),
        EVENT_TYPE.as_bytes(),
        b"SQLite format 3",
    ]
}

#[test]
fn no_plaintext_after_cli_use() {
    let ws = Workspace::init();
    let file = canary_file(&ws);
    // The import file itself is the user's; keep it out of the scanned dirs.
    ws.ok(&["import", path_str(&file)]);
    ws.ok(&["search", "canary"]);
    ws.ok(&["search", &format!("type:{EVENT_TYPE}"), "--json"]);
    ws.ok(&["show", &format!("{EVENT_ID}-7"), "--json"]);
    ws.ok(&["vault", "verify"]);
    ws.ok(&["vault", "info"]);
    assert_eq!(
        ws.count(&format!("type:{EVENT_TYPE}")),
        300,
        "the canary events are there"
    );
    let hits = [scan(&ws.vault, &needles()), scan(&ws.tmp, &needles())].concat();
    assert!(hits.is_empty(), "plaintext on disk:\n{}", hits.join("\n"));
}

#[test]
fn no_plaintext_while_the_vault_is_open() {
    let ws = Workspace::new();
    let file = canary_file(&ws);
    let mut vault = Vault::init(&ws.vault, PASSPHRASE).unwrap();
    // Alone on the vault, an import writes through a rollback journal.
    import_file(&mut vault, &file, &ImportOptions::default()).unwrap();
    let hits = scan(&ws.vault, &needles());
    assert!(hits.is_empty(), "plaintext on disk:\n{}", hits.join("\n"));

    // Mid-transaction that journal holds the pages as they were: the
    // canary events, which must be as encrypted there as in the database.
    vault
        .with_rollback_journal(|v| {
            let tx = v.conn_mut().transaction()?;
            tx.execute("UPDATE events SET description = 'seen'", [])?;
            assert!(
                ws.vault.join("vault.db-journal").exists(),
                "the rollback journal is present mid-transaction"
            );
            let hits = scan(&ws.vault, &needles());
            assert!(hits.is_empty(), "plaintext on disk:\n{}", hits.join("\n"));
            Ok(tx.commit()?)
        })
        .unwrap();

    // Afterwards writes go to the WAL again.
    vault
        .conn()
        .execute("UPDATE events SET description = 'seen again'", [])
        .unwrap();
    assert!(
        ws.vault.join("vault.db-wal").exists(),
        "the WAL is present while open"
    );
    let hits = scan(&ws.vault, &needles());
    assert!(hits.is_empty(), "plaintext on disk:\n{}", hits.join("\n"));
    drop(vault);
}
