//! The vault's key hierarchy. A random 256-bit data key encrypts the
//! database (handed to SQLCipher raw, so opening costs no PBKDF2). The data
//! key is stored only wrapped: XChaCha20-Poly1305 under a key derived from the
//! passphrase with Argon2id. The header file holds the KDF parameters, salt,
//! nonce and wrapped key, never the key itself. Changing the passphrase
//! rewrites only this header (atomically), never the database.

use std::fs;
use std::io::Write as _;
use std::path::Path;
use std::time::{Duration, Instant};

use argon2::{Algorithm, Argon2, Params, Version};
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as B64;
use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use serde::{Deserialize, Serialize};
use zeroize::{Zeroize, Zeroizing};

use crate::error::{Error, Result};

pub const HEADER_FORMAT: &str = "auditdesk-vault-header";
/// Version 2 records the page HMAC (`cipher_hmac`, required); version 1
/// headers predate it and belong to vaults made with SQLCipher's default.
/// Bumped so that an AuditDesk that knows only version 1 refuses a newer
/// vault instead of misreading it (or rewriting its header without the field).
pub const HEADER_VERSION: u32 = 2;
pub(crate) const LEGACY_HEADER_VERSION: u32 = 1;

/// Security floor from DESIGN §4; headers asking for less are refused so a
/// tampered header cannot downgrade the KDF.
pub const MIN_M_COST_KIB: u32 = 64 * 1024;
pub const MIN_T_COST: u32 = 3;
const MAX_M_COST_KIB: u32 = 4 * 1024 * 1024;

pub const MIN_PASSPHRASE_CHARS: usize = 8;

/// The 256-bit key SQLCipher uses. Zeroed on drop; never printed.
pub struct DataKey(Zeroizing<[u8; 32]>);

impl DataKey {
    pub fn generate() -> Result<DataKey> {
        let mut key = Zeroizing::new([0u8; 32]);
        getrandom::getrandom(key.as_mut()).map_err(|_| Error::Crypto("no system randomness"))?;
        Ok(DataKey(key))
    }

    pub fn from_bytes(bytes: [u8; 32]) -> DataKey {
        DataKey(Zeroizing::new(bytes))
    }

    pub fn as_bytes(&self) -> &[u8; 32] {
        &self.0
    }

    /// The `PRAGMA key` argument: a raw key literal, so SQLCipher skips its own KDF.
    pub(crate) fn pragma_literal(&self) -> Zeroizing<String> {
        Zeroizing::new(format!("\"x'{}'\"", hex::encode(self.0.as_ref())))
    }
}

impl std::fmt::Debug for DataKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("DataKey(..)")
    }
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct KdfParams {
    pub algorithm: String,
    pub m_cost_kib: u32,
    pub t_cost: u32,
    pub p_cost: u32,
    pub salt: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct Wrapped {
    pub algorithm: String,
    pub nonce: String,
    pub ciphertext: String,
}

/// Where the data key is also kept when the user chose "remember on this device".
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct KeychainRef {
    pub service: String,
    pub account: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct Header {
    pub format: String,
    pub version: u32,
    pub vault_id: String,
    pub created_at: String,
    pub kdf: KdfParams,
    pub wrapped_key: Wrapped,
    /// SQLCipher's page size is not readable from the encrypted file, so
    /// the header records the one the database was created with.
    pub cipher_page_size: u32,
    /// SQLCipher's per-page HMAC, which is not readable from the file
    /// either. Headers written before it was recorded belong to vaults
    /// created with SQLCipher's default, HMAC-SHA512.
    #[serde(default = "legacy_cipher_hmac")]
    pub cipher_hmac: String,
    #[serde(default)]
    pub keychain: Option<KeychainRef>,
}

fn legacy_cipher_hmac() -> String {
    "HMAC_SHA512".into()
}

/// The HMAC algorithms a vault may use (SQLCipher's names).
pub const CIPHER_HMACS: [&str; 2] = ["HMAC_SHA256", "HMAC_SHA512"];

impl Header {
    /// Wraps `key` under `passphrase` with fresh salt and nonce.
    pub fn seal(
        vault_id: &str,
        created_at: &str,
        passphrase: &str,
        key: &DataKey,
    ) -> Result<Header> {
        Header::seal_as(
            HEADER_VERSION,
            super::CIPHER_HMAC,
            vault_id,
            created_at,
            passphrase,
            key,
        )
    }

    /// `seal` for a given header version and page HMAC (tests make the
    /// version 1 headers of older vaults with it).
    pub(crate) fn seal_as(
        version: u32,
        cipher_hmac: &str,
        vault_id: &str,
        created_at: &str,
        passphrase: &str,
        key: &DataKey,
    ) -> Result<Header> {
        check_passphrase(passphrase)?;
        let mut salt = [0u8; 16];
        let mut nonce = [0u8; 24];
        getrandom::getrandom(&mut salt).map_err(|_| Error::Crypto("no system randomness"))?;
        getrandom::getrandom(&mut nonce).map_err(|_| Error::Crypto("no system randomness"))?;
        let kdf = KdfParams {
            algorithm: "argon2id-v19".into(),
            m_cost_kib: MIN_M_COST_KIB,
            t_cost: calibrated_t_cost(kdf_target()),
            p_cost: 1,
            salt: B64.encode(salt),
        };
        let mut header = Header {
            format: HEADER_FORMAT.into(),
            version,
            vault_id: vault_id.into(),
            created_at: created_at.into(),
            kdf,
            wrapped_key: Wrapped {
                algorithm: "xchacha20poly1305".into(),
                nonce: B64.encode(nonce),
                ciphertext: String::new(),
            },
            cipher_page_size: super::CIPHER_PAGE_SIZE,
            cipher_hmac: cipher_hmac.into(),
            keychain: None,
        };
        let kek = derive(passphrase, &header.kdf)?;
        let cipher = XChaCha20Poly1305::new(kek.as_ref().into());
        let aad = header.associated_data();
        let sealed = cipher
            .encrypt(
                XNonce::from_slice(&nonce),
                Payload {
                    msg: key.as_bytes(),
                    aad: aad.as_bytes(),
                },
            )
            .map_err(|_| Error::Crypto("key wrapping failed"))?;
        header.wrapped_key.ciphertext = B64.encode(sealed);
        Ok(header)
    }

    /// Unwraps the data key; a wrong passphrase fails the AEAD tag and is
    /// reported as such without touching the database.
    pub fn open(&self, passphrase: &str, vault_dir: &Path) -> Result<DataKey> {
        let corrupt = |reason: &str| Error::HeaderCorrupt {
            path: vault_dir.join(super::HEADER_FILE),
            reason: reason.to_string(),
        };
        let kek = derive(passphrase, &self.kdf).map_err(|e| match e {
            Error::WeakPassphrase(_) => Error::WrongPassphrase(vault_dir.to_path_buf()),
            other => other,
        })?;
        let nonce = B64
            .decode(&self.wrapped_key.nonce)
            .map_err(|_| corrupt("nonce is not base64"))?;
        if nonce.len() != 24 {
            return Err(corrupt("nonce has the wrong length"));
        }
        let sealed = B64
            .decode(&self.wrapped_key.ciphertext)
            .map_err(|_| corrupt("wrapped key is not base64"))?;
        let cipher = XChaCha20Poly1305::new(kek.as_ref().into());
        let aad = self.associated_data();
        let mut plain = cipher
            .decrypt(
                XNonce::from_slice(&nonce),
                Payload {
                    msg: &sealed,
                    aad: aad.as_bytes(),
                },
            )
            .map_err(|_| Error::WrongPassphrase(vault_dir.to_path_buf()))?;
        let result = <[u8; 32]>::try_from(plain.as_slice())
            .map(DataKey::from_bytes)
            .map_err(|_| corrupt("wrapped key has the wrong length"));
        plain.zeroize();
        result
    }

    /// Binds the wrap to the header's identity and KDF settings, so editing
    /// them (say, to weaker parameters) makes unwrapping fail.
    fn associated_data(&self) -> String {
        format!(
            "{}|{}|{}|{}|{}|{}|{}|{}",
            self.format,
            self.version,
            self.vault_id,
            self.kdf.algorithm,
            self.kdf.m_cost_kib,
            self.kdf.t_cost,
            self.kdf.p_cost,
            self.kdf.salt
        )
    }

    pub fn read(path: &Path) -> Result<Header> {
        let text = fs::read_to_string(path).map_err(Error::io(path))?;
        let corrupt = |reason: String| Error::HeaderCorrupt {
            path: path.to_path_buf(),
            reason,
        };
        let value: serde_json::Value =
            serde_json::from_str(&text).map_err(|e| corrupt(e.to_string()))?;
        let header: Header =
            serde_json::from_value(value.clone()).map_err(|e| corrupt(e.to_string()))?;
        // Only a version 1 header may leave the page HMAC out, and a version
        // 1 vault has SQLCipher's default (rewriting its header, as
        // `remember` does, writes that default out).
        if header.version == HEADER_VERSION && value.get("cipher_hmac").is_none() {
            return Err(corrupt("missing cipher_hmac".into()));
        }
        if header.version == LEGACY_HEADER_VERSION && header.cipher_hmac != legacy_cipher_hmac() {
            return Err(corrupt(format!(
                "a version 1 header with page HMAC {}",
                header.cipher_hmac
            )));
        }
        if header.format != HEADER_FORMAT
            || !(header.version == HEADER_VERSION || header.version == LEGACY_HEADER_VERSION)
        {
            return Err(Error::HeaderCorrupt {
                path: path.to_path_buf(),
                reason: format!("unsupported format {} v{}", header.format, header.version),
            });
        }
        if !(512..=65536).contains(&header.cipher_page_size)
            || !header.cipher_page_size.is_power_of_two()
        {
            return Err(Error::HeaderCorrupt {
                path: path.to_path_buf(),
                reason: format!("invalid page size {}", header.cipher_page_size),
            });
        }
        if !CIPHER_HMACS.contains(&header.cipher_hmac.as_str()) {
            return Err(Error::HeaderCorrupt {
                path: path.to_path_buf(),
                reason: format!("unknown page HMAC {:?}", header.cipher_hmac),
            });
        }
        if header.kdf.algorithm != "argon2id-v19"
            || header.kdf.m_cost_kib < MIN_M_COST_KIB
            || header.kdf.t_cost < MIN_T_COST
            // The KDF runs before the wrap's tag can reject a doctored
            // header, so absurd costs are refused up front.
            || header.kdf.m_cost_kib > MAX_M_COST_KIB
            || header.kdf.t_cost > MAX_T_COST
            || !(1..=16).contains(&header.kdf.p_cost)
        {
            return Err(Error::HeaderCorrupt {
                path: path.to_path_buf(),
                reason: "key derivation parameters are outside the accepted range".into(),
            });
        }
        Ok(header)
    }

    /// Crash-safe replace: write a sibling temp file, fsync it, rename over
    /// the old header, fsync the directory. At every instant one complete
    /// header is on disk.
    pub fn write_atomic(&self, path: &Path) -> Result<()> {
        let dir = path
            .parent()
            .ok_or_else(|| Error::Invalid(format!("{} has no parent", path.display())))?;
        let tmp = path.with_extension("header.tmp");
        let text = serde_json::to_string_pretty(self)
            .map_err(|e| Error::Invalid(format!("header: {e}")))?;
        {
            let mut options = fs::OpenOptions::new();
            options.write(true).create(true).truncate(true);
            #[cfg(unix)]
            std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
            let mut file = options.open(&tmp).map_err(Error::io(&tmp))?;
            file.write_all(text.as_bytes()).map_err(Error::io(&tmp))?;
            file.sync_all().map_err(Error::io(&tmp))?;
        }
        fs::rename(&tmp, path).map_err(Error::io(path))?;
        fs::File::open(dir)
            .and_then(|d| d.sync_all())
            .map_err(Error::io(dir))?;
        Ok(())
    }
}

/// How long unlocking should take: DESIGN §4 asks for ~0.5–1 s so that
/// guessing stays expensive on fast machines. `AUDITDESK_KDF_TARGET_MS`
/// overrides it (0 = the floor of 64 MiB and 3 passes, which is never
/// undercut); the test suites use that to stay quick.
pub const DEFAULT_KDF_TARGET: Duration = Duration::from_millis(500);
pub const KDF_TARGET_ENV: &str = "AUDITDESK_KDF_TARGET_MS";
const MAX_T_COST: u32 = 64;

pub fn kdf_target() -> Duration {
    std::env::var(KDF_TARGET_ENV)
        .ok()
        .and_then(|v| v.trim().parse::<u64>().ok())
        .map(Duration::from_millis)
        .unwrap_or(DEFAULT_KDF_TARGET)
}

/// Passes needed for one derivation to take about `target` on this
/// machine, measured with a throwaway derivation at the floor.
pub fn calibrated_t_cost(target: Duration) -> u32 {
    if target.is_zero() {
        return MIN_T_COST;
    }
    let probe = KdfParams {
        algorithm: "argon2id-v19".into(),
        m_cost_kib: MIN_M_COST_KIB,
        t_cost: MIN_T_COST,
        p_cost: 1,
        salt: B64.encode([0u8; 16]),
    };
    let started = Instant::now();
    if derive("calibration probe", &probe).is_err() {
        return MIN_T_COST;
    }
    let per_pass = started.elapsed().as_secs_f64() / f64::from(MIN_T_COST);
    if per_pass <= 0.0 {
        return MAX_T_COST;
    }
    let passes = (target.as_secs_f64() / per_pass).ceil();
    (passes.min(f64::from(MAX_T_COST)) as u32).clamp(MIN_T_COST, MAX_T_COST)
}

pub fn check_passphrase(passphrase: &str) -> Result<()> {
    if passphrase.chars().count() < MIN_PASSPHRASE_CHARS {
        return Err(Error::WeakPassphrase(format!(
            "use at least {MIN_PASSPHRASE_CHARS} characters"
        )));
    }
    Ok(())
}

fn derive(passphrase: &str, kdf: &KdfParams) -> Result<Zeroizing<[u8; 32]>> {
    let salt = B64
        .decode(&kdf.salt)
        .map_err(|_| Error::Crypto("salt is not base64"))?;
    let params = Params::new(kdf.m_cost_kib, kdf.t_cost, kdf.p_cost, Some(32))
        .map_err(|_| Error::Crypto("invalid Argon2 parameters"))?;
    let argon = Argon2::new(Algorithm::Argon2id, Version::V0x13, params);
    let mut out = Zeroizing::new([0u8; 32]);
    argon
        .hash_password_into(passphrase.as_bytes(), &salt, out.as_mut())
        .map_err(|_| Error::Crypto("Argon2id derivation failed"))?;
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seal_then_open_round_trips_and_wrong_passphrase_fails() {
        let key = DataKey::generate().unwrap();
        let header = Header::seal("v1", "now", "correct horse", &key).unwrap();
        let dir = Path::new("/nonexistent");
        let back = header.open("correct horse", dir).unwrap();
        assert_eq!(back.as_bytes(), key.as_bytes());
        assert!(matches!(
            header.open("wrong horse!", dir),
            Err(Error::WrongPassphrase(_))
        ));
    }

    #[test]
    fn editing_kdf_parameters_breaks_the_wrap() {
        let key = DataKey::generate().unwrap();
        let mut header = Header::seal("v1", "now", "correct horse", &key).unwrap();
        header.kdf.t_cost += 1;
        assert!(header.open("correct horse", Path::new("/x")).is_err());
    }

    #[test]
    fn calibration_never_goes_below_the_floor_and_grows_with_the_target() {
        assert_eq!(calibrated_t_cost(Duration::ZERO), MIN_T_COST);
        let quick = calibrated_t_cost(Duration::from_millis(1));
        let slow = calibrated_t_cost(Duration::from_secs(2));
        assert!(quick >= MIN_T_COST);
        assert!(slow > quick, "{slow} passes for 2 s vs {quick} for 1 ms");
    }

    #[test]
    fn short_passphrases_are_refused() {
        let key = DataKey::generate().unwrap();
        assert!(matches!(
            Header::seal("v1", "now", "short", &key),
            Err(Error::WeakPassphrase(_))
        ));
    }

    #[test]
    fn the_page_hmac_is_required_from_version_2_and_the_default_in_version_1() {
        let key = DataKey::generate().unwrap();
        let header = Header::seal("v1", "now", "correct horse", &key).unwrap();
        assert_eq!(
            (header.version, header.cipher_hmac.as_str()),
            (2, "HMAC_SHA256")
        );
        let dir = std::env::temp_dir().join(format!("auditdesk-header-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("vault.header");
        let write = |edit: &dyn Fn(&mut serde_json::Value)| {
            let mut v = serde_json::to_value(&header).unwrap();
            edit(&mut v);
            std::fs::write(&path, v.to_string()).unwrap();
            Header::read(&path)
        };
        assert_eq!(write(&|_| {}).unwrap(), header);
        let missing = write(&|v| {
            v.as_object_mut().unwrap().remove("cipher_hmac");
        });
        assert!(
            matches!(missing, Err(Error::HeaderCorrupt { .. })),
            "{missing:?}"
        );
        let legacy = write(&|v| {
            v["version"] = 1.into();
            v.as_object_mut().unwrap().remove("cipher_hmac");
        })
        .unwrap();
        assert_eq!(legacy.cipher_hmac, "HMAC_SHA512");
        let rewritten = write(&|v| {
            v["version"] = 1.into();
            v["cipher_hmac"] = "HMAC_SHA512".into();
        });
        assert!(rewritten.is_ok(), "{rewritten:?}");
        let wrong = write(&|v| {
            v["version"] = 1.into();
        });
        assert!(
            matches!(wrong, Err(Error::HeaderCorrupt { .. })),
            "{wrong:?}"
        );
        let unknown = write(&|v| v["cipher_hmac"] = "HMAC_SHA1".into());
        assert!(
            matches!(unknown, Err(Error::HeaderCorrupt { .. })),
            "{unknown:?}"
        );
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
