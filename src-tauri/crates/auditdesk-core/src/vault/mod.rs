//! The vault: one SQLCipher database per workspace plus a small header file
//! holding the wrapped data key. Everything the product keeps lives inside
//! the database; nothing readable sits beside it.

mod keychain;
mod keys;
pub(crate) mod migrations;

use std::fs;
use std::path::{Path, PathBuf};

use rusqlite::{Connection, OpenFlags};

pub use keychain::{Keychain, SystemKeychain};
pub use keys::{DataKey, Header, KeychainRef, MIN_M_COST_KIB, MIN_PASSPHRASE_CHARS, MIN_T_COST};
pub use migrations::{LATEST_VERSION, MIGRATIONS};

use crate::error::{Error, Result};

pub const DB_FILE: &str = "vault.db";
pub const HEADER_FILE: &str = "vault.header";
/// For new vaults. 16 KiB pages import ~1.4x faster than SQLCipher's 4 KiB
/// default (fewer HMACs and b-tree splits per event; BENCHMARKS.md).
pub const CIPHER_PAGE_SIZE: u32 = 16384;
/// For new vaults: each page's HMAC. SHA-256 has CPU instructions on
/// current x86 and ARM machines that SQLCipher's default, SHA-512, lacks;
/// page authentication was a fifth of a sync's CPU time with SHA-512
/// (BENCHMARKS.md). HMAC-SHA256 keeps a 256-bit tag.
pub const CIPHER_HMAC: &str = "HMAC_SHA256";
/// The page cache of an open vault, in KiB.
pub const CACHE_KIB: u32 = 64 * 1024;

/// How long a connection waits for another's lock before reporting the
/// vault busy.
const BUSY_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(5);

/// Where AuditDesk keeps its data: `$XDG_DATA_HOME/auditdesk`, else
/// `~/.local/share/auditdesk`.
pub fn data_dir() -> Result<PathBuf> {
    std::env::var_os("XDG_DATA_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".local/share")))
        .map(|base| base.join("auditdesk"))
        .ok_or_else(|| {
            Error::Invalid("no vault directory given and no home directory known".into())
        })
}

/// The vault used when none is named: `$AUDITDESK_VAULT`, else `vault` in
/// the data directory. The CLI and the desktop app agree on it.
pub fn default_dir() -> Result<PathBuf> {
    match std::env::var_os("AUDITDESK_VAULT") {
        Some(dir) => Ok(PathBuf::from(dir)),
        None => Ok(data_dir()?.join("vault")),
    }
}

/// An unlocked vault. Dropping it closes the database; the data key lives
/// only inside SQLCipher's memory from then on.
pub struct Vault {
    dir: PathBuf,
    conn: Connection,
    header: Header,
    /// Kept so long work (a sync, a report) can get its own connection
    /// without asking for the passphrase again; zeroed on drop.
    key: DataKey,
}

impl std::fmt::Debug for Vault {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Vault").field("dir", &self.dir).finish()
    }
}

impl Vault {
    pub fn exists(dir: &Path) -> bool {
        dir.join(HEADER_FILE).exists()
    }

    /// Creates a vault in `dir` (made if missing, owner-only permissions).
    /// The header is written first: a crash before the database exists
    /// leaves a vault that opens empty, never a database without its key.
    pub fn init(dir: &Path, passphrase: &str) -> Result<Vault> {
        keys::check_passphrase(passphrase)?;
        if Vault::exists(dir) || dir.join(DB_FILE).exists() {
            return Err(Error::VaultExists(dir.to_path_buf()));
        }
        fs::create_dir_all(dir).map_err(Error::io(dir))?;
        restrict_permissions(dir)?;
        let key = DataKey::generate()?;
        let mut id = [0u8; 16];
        getrandom::getrandom(&mut id).map_err(|_| Error::Crypto("no system randomness"))?;
        let created = chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
        let header = Header::seal(&hex::encode(id), &created, passphrase, &key)?;
        header.write_atomic(&dir.join(HEADER_FILE))?;
        Vault::open_with_key(dir, header, &key)
    }

    pub fn read_header(dir: &Path) -> Result<Header> {
        if !Vault::exists(dir) {
            return Err(Error::VaultNotFound(dir.to_path_buf()));
        }
        Header::read(&dir.join(HEADER_FILE))
    }

    /// Unwraps the data key without opening the database: a wrong
    /// passphrase therefore never touches a byte of the vault.
    pub fn unwrap_key(dir: &Path, passphrase: &str) -> Result<DataKey> {
        Vault::read_header(dir)?.open(passphrase, dir)
    }

    pub fn open(dir: &Path, passphrase: &str) -> Result<Vault> {
        let header = Vault::read_header(dir)?;
        let key = header.open(passphrase, dir)?;
        Vault::open_with_key(dir, header, &key)
    }

    /// Opens with the data key remembered in the OS keychain. Fails closed:
    /// no keychain, no entry, or an entry for another vault is `Locked`.
    pub fn open_remembered(dir: &Path, keychain: &dyn Keychain) -> Result<Vault> {
        let header = Vault::read_header(dir)?;
        let Some(entry) = header.keychain.clone() else {
            return Err(Error::Locked(
                "this vault is not remembered on this device".into(),
            ));
        };
        let key = keychain.load(&entry)?;
        Vault::open_with_key(dir, header, &key)
    }

    fn open_with_key(dir: &Path, header: Header, key: &DataKey) -> Result<Vault> {
        let vault = Vault::connect(dir, header, key)?;
        // Opening the vault is itself access to the audit trail.
        crate::activity::record(
            &vault.conn,
            crate::activity::Action::Unlock,
            "",
            serde_json::json!({}),
        )?;
        Ok(vault)
    }

    /// A second connection to the same (unlocked) vault, for work that runs
    /// beside the first: WAL lets it read while the other writes. Not an
    /// unlock, so not logged as one.
    pub fn reopen(&self) -> Result<Vault> {
        Vault::connect(&self.dir, self.header.clone(), &self.key)
    }

    fn connect(dir: &Path, header: Header, key: &DataKey) -> Result<Vault> {
        let path = dir.join(DB_FILE);
        let conn = Connection::open_with_flags(
            &path,
            OpenFlags::SQLITE_OPEN_READ_WRITE
                | OpenFlags::SQLITE_OPEN_CREATE
                | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )?;
        key_connection(&conn, key, &header).map_err(|e| match e {
            Error::Database(rusqlite::Error::SqliteFailure(f, _))
                if f.code == rusqlite::ErrorCode::NotADatabase =>
            {
                Error::HeaderCorrupt {
                    path: dir.join(HEADER_FILE),
                    reason: format!("its key does not open {}", path.display()),
                }
            }
            other => other,
        })?;
        // Pragmas are set once, here, where the connection opens. WAL keeps
        // readers going while an import or sync writes; FULL makes a commit
        // durable before we report it; temp_store=MEMORY keeps sorts and
        // temp tables (decrypted data) off the disk.
        conn.execute_batch(&format!(
            "PRAGMA journal_mode = WAL;
             PRAGMA synchronous = FULL;
             PRAGMA temp_store = MEMORY;
             PRAGMA foreign_keys = ON;
             PRAGMA cache_size = -{CACHE_KIB};"
        ))?;
        conn.busy_timeout(BUSY_TIMEOUT)?;
        migrations::migrate(&conn)?;
        crate::search::register_functions(&conn)?;
        restrict_permissions(&path)?;
        Ok(Vault {
            dir: dir.to_path_buf(),
            conn,
            header,
            key: DataKey::from_bytes(*key.as_bytes()),
        })
    }

    /// Re-wraps the data key under a new passphrase. Only the header changes
    /// (atomically); the database is not rewritten.
    pub fn rekey(dir: &Path, old: &str, new: &str) -> Result<()> {
        keys::check_passphrase(new)?;
        let header = Vault::read_header(dir)?;
        let key = header.open(old, dir)?;
        let mut fresh = Header::seal(&header.vault_id, &header.created_at, new, &key)?;
        // The database is not rewritten: it keeps the format it has.
        fresh.cipher_page_size = header.cipher_page_size;
        fresh.cipher_hmac = header.cipher_hmac;
        fresh.keychain = header.keychain;
        fresh.write_atomic(&dir.join(HEADER_FILE))
    }

    /// "Remember on this device": stores the data key in the OS keychain and
    /// notes the entry in the header. Errors if there is no keychain. Needs
    /// only the header, so the database is not opened.
    pub fn remember(dir: &Path, passphrase: &str, keychain: &dyn Keychain) -> Result<()> {
        let mut header = Vault::read_header(dir)?;
        let key = header.open(passphrase, dir)?;
        let entry = KeychainRef {
            service: "auditdesk".into(),
            account: format!("vault-{}", header.vault_id),
        };
        keychain.store(&entry, &key)?;
        header.keychain = Some(entry);
        header.write_atomic(&dir.join(HEADER_FILE))
    }

    /// Forgets the remembered key, so the next open needs the passphrase.
    /// Returns whether anything was remembered.
    pub fn forget(dir: &Path, keychain: &dyn Keychain) -> Result<bool> {
        let mut header = Vault::read_header(dir)?;
        let Some(entry) = header.keychain.take() else {
            return Ok(false);
        };
        // The key leaves the keychain first: if that fails, the header still
        // names the entry, so the user can retry instead of leaving the key
        // behind with nothing pointing at it.
        keychain.delete(&entry)?;
        header.write_atomic(&dir.join(HEADER_FILE))?;
        Ok(true)
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    pub fn header(&self) -> &Header {
        &self.header
    }

    pub fn conn(&self) -> &Connection {
        &self.conn
    }

    pub fn conn_mut(&mut self) -> &mut Connection {
        &mut self.conn
    }

    /// Runs `work` (one large write transaction: a file import) with a
    /// rollback journal instead of the WAL, when no other connection has the
    /// vault open; otherwise in the WAL as usual. In the WAL every page of a
    /// bulk load is written twice, to the log and again at the checkpoint;
    /// with a rollback journal new pages go straight into the database file
    /// and only the few pages that existed before are journaled (encrypted,
    /// like every page). A 1M-event first import takes ~20 % less time.
    ///
    /// The price: while such a transaction holds its write lock no other
    /// process can read the vault (it waits `busy_timeout`, then reports the
    /// database locked). The WAL mode comes back afterwards, and every
    /// connection sets it when it opens, which also rolls back the journal a
    /// killed import leaves behind.
    pub fn with_rollback_journal<T>(
        &mut self,
        work: impl FnOnce(&mut Vault) -> Result<T>,
    ) -> Result<T> {
        // Never wait for the switch: if another connection holds the vault,
        // the import simply stays in the WAL.
        self.conn.busy_timeout(std::time::Duration::ZERO)?;
        let switched = self
            .conn
            .query_row("PRAGMA journal_mode = DELETE", [], |r| {
                r.get::<_, String>(0)
            })
            .map(|mode| mode.eq_ignore_ascii_case("delete"))
            .unwrap_or(false);
        self.conn.busy_timeout(BUSY_TIMEOUT)?;
        if switched {
            // A rollback-journal commit is the journal's deletion; FULL does
            // not sync the directory after it, so a power cut right after
            // "imported" could bring the journal back and roll the import
            // away. EXTRA syncs it (one more fsync per commit).
            self.conn.execute_batch("PRAGMA synchronous = EXTRA")?;
        }
        let result = work(self);
        if switched {
            if let Err(e) = self.conn.execute_batch("PRAGMA synchronous = FULL") {
                tracing::warn!("could not restore synchronous = FULL: {e}");
            }
            // The work's own outcome is what the caller must hear about; if
            // WAL cannot come back now, the next open brings it back.
            if let Err(e) = self
                .conn
                .query_row("PRAGMA journal_mode = WAL", [], |r| r.get::<_, String>(0))
            {
                tracing::warn!("vault stays in rollback-journal mode until it is next opened: {e}");
            }
        }
        result
    }

    /// The schema as SQLite stores it, for the snapshot test and for humans.
    pub fn schema_sql(&self) -> Result<String> {
        let mut stmt = self.conn.prepare(
            "SELECT sql FROM sqlite_master
             WHERE sql IS NOT NULL AND name NOT LIKE 'sqlite_%' AND name NOT LIKE 'events_fts_%'
             ORDER BY type, name",
        )?;
        let rows = stmt.query_map([], |r| r.get::<_, String>(0))?;
        let mut out = String::new();
        for row in rows {
            out.push_str(&row?);
            out.push_str(";\n\n");
        }
        Ok(out)
    }
}

/// Keys a fresh connection and proves the key works with a read (SQLCipher
/// only notices a wrong key on first access).
pub(crate) fn key_connection(conn: &Connection, key: &DataKey, header: &Header) -> Result<()> {
    conn.execute_batch("PRAGMA cipher_log_level = NONE;")?;
    let literal = key.pragma_literal();
    conn.execute_batch(&format!("PRAGMA key = {};", literal.as_str()))?;
    conn.execute_batch(&format!(
        "PRAGMA cipher_page_size = {}; PRAGMA cipher_hmac_algorithm = {};",
        header.cipher_page_size, header.cipher_hmac
    ))?;
    conn.query_row("SELECT count(*) FROM sqlite_master", [], |r| {
        r.get::<_, i64>(0)
    })?;
    Ok(())
}

#[cfg(unix)]
fn restrict_permissions(path: &Path) -> Result<()> {
    use std::os::unix::fs::PermissionsExt;
    let mode = if path.is_dir() { 0o700 } else { 0o600 };
    fs::set_permissions(path, fs::Permissions::from_mode(mode)).map_err(Error::io(path))
}

#[cfg(not(unix))]
fn restrict_permissions(_path: &Path) -> Result<()> {
    Ok(())
}

/// Runs `f` in a transaction (IMMEDIATE: it will write) unless the caller
/// already holds one; rolls back when `f` fails.
pub(crate) fn in_tx<T>(conn: &Connection, f: impl FnOnce() -> Result<T>) -> Result<T> {
    let own = conn.is_autocommit();
    if own {
        conn.execute_batch("BEGIN IMMEDIATE")?;
    }
    let out = f();
    if own {
        match &out {
            Ok(_) => conn.execute_batch("COMMIT")?,
            Err(_) => {
                let _ = conn.execute_batch("ROLLBACK");
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const PASS: &str = "unit-test passphrase";

    fn synchronous(vault: &Vault) -> i64 {
        vault
            .conn()
            .query_row("PRAGMA synchronous", [], |r| r.get(0))
            .unwrap()
    }

    fn journal_mode(vault: &Vault) -> String {
        vault
            .conn()
            .query_row("PRAGMA journal_mode", [], |r| r.get(0))
            .unwrap()
    }

    #[test]
    fn a_bulk_write_alone_uses_a_rollback_journal_and_the_wal_comes_back() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("v");
        let mut vault = Vault::init(&path, PASS).unwrap();
        let inside = vault
            .with_rollback_journal(|v| {
                v.conn()
                    .execute("INSERT INTO settings VALUES ('k', 'v')", [])?;
                Ok((journal_mode(v), synchronous(v)))
            })
            .unwrap();
        // EXTRA (3): the journal's deletion, the commit, is synced too.
        assert_eq!(inside, ("delete".to_string(), 3));
        assert_eq!(journal_mode(&vault), "wal");
        assert_eq!(synchronous(&vault), 2, "FULL again");
        // A failed bulk write reports its own error and still restores WAL.
        let err = vault
            .with_rollback_journal(|_| -> Result<()> { Err(Error::Invalid("boom".into())) })
            .unwrap_err();
        assert_eq!(err.code(), "invalid");
        assert_eq!(journal_mode(&vault), "wal");
    }

    #[test]
    fn opening_the_vault_during_a_bulk_write_reports_it_busy() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("v");
        let mut vault = Vault::init(&path, PASS).unwrap();
        vault
            .with_rollback_journal(|v| {
                let tx = v
                    .conn_mut()
                    .transaction_with_behavior(rusqlite::TransactionBehavior::Exclusive)?;
                let err = Vault::open(&path, PASS).unwrap_err();
                assert_eq!(err.code(), "busy", "{err}");
                assert!(
                    err.to_string().contains("something else is writing"),
                    "{err}"
                );
                Ok(tx.rollback()?)
            })
            .unwrap();
        drop(vault);
        Vault::open(&path, PASS).unwrap();
    }

    #[test]
    fn a_bulk_write_beside_another_connection_stays_in_the_wal() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("v");
        let mut vault = Vault::init(&path, PASS).unwrap();
        let other = Vault::open(&path, PASS).unwrap();
        let count = |v: &Vault| -> i64 {
            v.conn()
                .query_row("SELECT count(*) FROM settings", [], |r| r.get(0))
                .unwrap()
        };
        let before = count(&other);
        let inside = vault
            .with_rollback_journal(|v| {
                v.conn()
                    .execute("INSERT INTO settings VALUES ('k', 'v')", [])?;
                Ok(journal_mode(v))
            })
            .unwrap();
        assert_eq!(inside, "wal");
        assert_eq!(count(&other), before + 1);
        assert_eq!(journal_mode(&other), "wal");
    }

    /// The schema a fresh vault ends up with. A change here must come from a
    /// new migration; regenerate with `UPDATE_SNAPSHOTS=1 cargo test -p auditdesk-core`.
    #[test]
    fn schema_snapshot() {
        let dir = tempfile::tempdir().unwrap();
        let vault = Vault::init(&dir.path().join("v"), PASS).unwrap();
        let actual = vault.schema_sql().unwrap();
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("src/vault/schema.snapshot.sql");
        if std::env::var_os("UPDATE_SNAPSHOTS").is_some() {
            fs::write(&path, &actual).unwrap();
        }
        let expected = fs::read_to_string(&path).unwrap_or_default();
        assert!(
            actual == expected,
            "schema differs from {}; add a migration, then UPDATE_SNAPSHOTS=1",
            path.display()
        );
    }

    /// A vault made before the header recorded the page HMAC: a version 1
    /// header without `cipher_hmac`, a database with SQLCipher's default
    /// HMAC-SHA512. It opens, keeps its data, and rekeys to a version 2
    /// header that names SHA-512.
    #[test]
    fn a_version_1_vault_opens_with_hmac_sha512_and_rekeys() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("v");
        fs::create_dir_all(&path).unwrap();
        let key = DataKey::generate().unwrap();
        let header = Header::seal_as(
            keys::LEGACY_HEADER_VERSION,
            "HMAC_SHA512",
            "id",
            "then",
            PASS,
            &key,
        )
        .unwrap();
        let mut json = serde_json::to_value(&header).unwrap();
        json.as_object_mut().unwrap().remove("cipher_hmac");
        fs::write(path.join(HEADER_FILE), json.to_string()).unwrap();

        let vault = Vault::open(&path, PASS).unwrap();
        vault
            .conn()
            .execute("INSERT INTO settings VALUES ('k', 'v')", [])
            .unwrap();
        drop(vault);
        let reads_with = |hmac: &str| {
            let conn = Connection::open(path.join(DB_FILE)).unwrap();
            let literal = key.pragma_literal();
            conn.execute_batch(&format!(
                "PRAGMA key = {}; PRAGMA cipher_page_size = {CIPHER_PAGE_SIZE};
                 PRAGMA cipher_hmac_algorithm = {hmac};",
                literal.as_str()
            ))
            .unwrap();
            conn.query_row("SELECT value FROM settings WHERE key = 'k'", [], |r| {
                r.get::<_, String>(0)
            })
            .is_ok()
        };
        assert!(reads_with("HMAC_SHA512"));
        assert!(!reads_with("HMAC_SHA256"), "the header's HMAC was applied");

        Vault::rekey(&path, PASS, "another unit-test passphrase").unwrap();
        let rekeyed = Vault::read_header(&path).unwrap();
        assert_eq!(
            (rekeyed.version, rekeyed.cipher_hmac.as_str()),
            (2, "HMAC_SHA512")
        );
        let vault = Vault::open(&path, "another unit-test passphrase").unwrap();
        let v: String = vault
            .conn()
            .query_row("SELECT value FROM settings WHERE key = 'k'", [], |r| {
                r.get(0)
            })
            .unwrap();
        assert_eq!(v, "v");
    }

    #[test]
    fn migrations_run_once_and_reopen_is_a_no_op() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("v");
        drop(Vault::init(&path, PASS).unwrap());
        let vault = Vault::open(&path, PASS).unwrap();
        let version: i64 = vault
            .conn()
            .query_row("PRAGMA user_version", [], |r| r.get(0))
            .unwrap();
        assert_eq!(version, LATEST_VERSION);
        let mode: String = vault
            .conn()
            .query_row("PRAGMA journal_mode", [], |r| r.get(0))
            .unwrap();
        assert_eq!(mode, "wal");
        let temp: i64 = vault
            .conn()
            .query_row("PRAGMA temp_store", [], |r| r.get(0))
            .unwrap();
        assert_eq!(temp, 2, "temp_store = MEMORY");
    }

    #[test]
    fn a_newer_schema_is_refused_not_downgraded() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("v");
        let vault = Vault::init(&path, PASS).unwrap();
        vault
            .conn()
            .execute_batch(&format!("PRAGMA user_version = {}", LATEST_VERSION + 1))
            .unwrap();
        drop(vault);
        let err = Vault::open(&path, PASS).unwrap_err();
        assert!(err.to_string().contains("upgrade AuditDesk"), "{err}");
    }

    #[test]
    fn remembered_key_opens_and_forgetting_locks() {
        keyring_core::set_default_store(keyring_core::mock::Store::new().unwrap());
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("v");
        drop(Vault::init(&path, PASS).unwrap());
        assert!(matches!(
            Vault::open_remembered(&path, &SystemKeychain),
            Err(Error::Locked(_))
        ));
        Vault::remember(&path, PASS, &SystemKeychain).unwrap();
        Vault::open_remembered(&path, &SystemKeychain).unwrap();
        // Re-keying keeps the remembered entry.
        Vault::rekey(&path, PASS, "another passphrase").unwrap();
        Vault::open_remembered(&path, &SystemKeychain).unwrap();
        assert!(Vault::forget(&path, &SystemKeychain).unwrap());
        assert!(matches!(
            Vault::open_remembered(&path, &SystemKeychain),
            Err(Error::Locked(_))
        ));
        assert!(!Vault::forget(&path, &SystemKeychain).unwrap());
    }
}
