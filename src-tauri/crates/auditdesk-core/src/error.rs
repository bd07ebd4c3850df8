//! The core's error type. Every variant has a stable `code()` that the CLI maps
//! to an exit status and the app will send across IPC as `{code, message}`;
//! callers branch on the code, never on the message text.

use std::path::PathBuf;

use crate::integrity::IntegrityReport;
use crate::sources::import::ImportError;
use crate::sources::redox::RemoteError;

pub type Result<T, E = Error> = std::result::Result<T, E>;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("wrong passphrase for the vault at {0}")]
    WrongPassphrase(PathBuf),
    #[error("the vault is locked: {0}")]
    Locked(String),
    #[error("no vault at {0} (create one with `auditdesk vault init`)")]
    VaultNotFound(PathBuf),
    #[error("a vault already exists at {0}")]
    VaultExists(PathBuf),
    #[error("vault header {path} is unreadable: {reason}")]
    HeaderCorrupt { path: PathBuf, reason: String },
    #[error("passphrase rejected: {0}")]
    WeakPassphrase(String),
    #[error("keychain: {0}")]
    Keychain(String),
    /// Another connection holds the vault's write lock past the busy
    /// timeout: typically a large import (rollback journal), which keeps
    /// readers out until it commits.
    #[error(
        "the vault is busy: something else is writing to it (a large import holds it until it commits); try again when it has finished"
    )]
    Busy(#[source] rusqlite::Error),
    #[error("database: {0}")]
    Database(#[source] rusqlite::Error),
    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error(transparent)]
    Import(#[from] ImportError),
    #[error("query error at position {position}: {message}")]
    Query { position: usize, message: String },
    #[error("{0} not found")]
    NotFound(String),
    #[error("{0}")]
    Invalid(String),
    #[error("integrity check failed: {0}")]
    Integrity(Box<IntegrityReport>),
    #[error("cryptography: {0}")]
    Crypto(&'static str),
    /// A report's evidence no longer matches the vault (or the PDF is not
    /// one the vault made): an integrity failure, exit 4.
    #[error("report verification failed: {0}")]
    Evidence(String),
    #[error(transparent)]
    Remote(#[from] RemoteError),
}

impl From<rusqlite::Error> for Error {
    fn from(e: rusqlite::Error) -> Error {
        match &e {
            rusqlite::Error::SqliteFailure(f, _) if f.code == rusqlite::ErrorCode::DatabaseBusy => {
                Error::Busy(e)
            }
            _ => Error::Database(e),
        }
    }
}

impl Error {
    /// Stable, machine-readable code; part of the CLI and IPC contract.
    pub fn code(&self) -> &'static str {
        match self {
            Error::WrongPassphrase(_) => "wrong_passphrase",
            Error::Locked(_) => "locked",
            Error::VaultNotFound(_) => "vault_not_found",
            Error::VaultExists(_) => "vault_exists",
            Error::HeaderCorrupt { .. } => "header_corrupt",
            Error::WeakPassphrase(_) => "weak_passphrase",
            Error::Keychain(_) => "keychain",
            Error::Busy(_) => "busy",
            Error::Database(_) => "database",
            Error::Io { .. } => "io",
            Error::Import(_) => "import",
            Error::Query { .. } => "query",
            Error::NotFound(_) => "not_found",
            Error::Invalid(_) => "invalid",
            Error::Integrity(_) => "integrity",
            Error::Crypto(_) => "crypto",
            Error::Evidence(_) => "evidence",
            Error::Remote(e) => e.code(),
        }
    }

    pub fn io(path: impl Into<PathBuf>) -> impl FnOnce(std::io::Error) -> Error {
        let path = path.into();
        move |source| Error::Io { path, source }
    }
}
