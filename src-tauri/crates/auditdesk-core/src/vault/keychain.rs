//! "Remember on this device": the data key kept in the OS keychain. This is
//! only ever an extra wrap beside the passphrase one, and it fails closed:
//! no secret service, no entry, or a malformed entry means `Locked`, never a
//! fallback to anything stored in plaintext.

use zeroize::Zeroizing;

use super::keys::{DataKey, KeychainRef};
use crate::error::{Error, Result};

pub trait Keychain {
    fn store(&self, entry: &KeychainRef, key: &DataKey) -> Result<()>;
    fn load(&self, entry: &KeychainRef) -> Result<DataKey>;
    fn delete(&self, entry: &KeychainRef) -> Result<()>;
}

/// The keychain behind `keyring_core`'s default store. The binary decides
/// which store that is (Secret Service, macOS Keychain, Windows Credential
/// Manager; a mock in tests); with none set, every call fails.
#[derive(Debug, Default, Clone, Copy)]
pub struct SystemKeychain;

fn keychain_error(action: &str) -> impl FnOnce(keyring_core::Error) -> Error + '_ {
    move |e| match e {
        keyring_core::Error::NoDefaultStore => Error::Keychain(format!(
            "cannot {action}: no OS keychain is available on this machine (is a Secret Service running?)"
        )),
        keyring_core::Error::NoEntry => {
            Error::Locked("the key remembered for this vault is gone from the keychain".into())
        }
        other => Error::Keychain(format!("cannot {action}: {other}")),
    }
}

impl Keychain for SystemKeychain {
    fn store(&self, entry: &KeychainRef, key: &DataKey) -> Result<()> {
        keyring_core::Entry::new(&entry.service, &entry.account)
            .and_then(|e| e.set_secret(key.as_bytes()))
            .map_err(keychain_error("remember the vault key"))
    }

    fn load(&self, entry: &KeychainRef) -> Result<DataKey> {
        let secret = Zeroizing::new(
            keyring_core::Entry::new(&entry.service, &entry.account)
                .and_then(|e| e.get_secret())
                .map_err(|e| match keychain_error("read the vault key")(e) {
                    Error::Keychain(m) => Error::Locked(m),
                    other => other,
                })?,
        );
        let bytes = <[u8; 32]>::try_from(secret.as_slice())
            .map_err(|_| Error::Locked("the keychain entry for this vault is malformed".into()))?;
        Ok(DataKey::from_bytes(bytes))
    }

    fn delete(&self, entry: &KeychainRef) -> Result<()> {
        match keyring_core::Entry::new(&entry.service, &entry.account)
            .and_then(|e| e.delete_credential())
        {
            Ok(()) | Err(keyring_core::Error::NoEntry) => Ok(()),
            Err(e) => Err(keychain_error("forget the vault key")(e)),
        }
    }
}
