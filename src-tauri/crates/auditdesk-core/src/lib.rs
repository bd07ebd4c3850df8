//! AuditDesk's core: the domain model, the encrypted vault, file import and
//! sync, integrity checking, search and review, exports and compliance
//! reports. It knows nothing of Tauri or the terminal;
//! the CLI and the desktop app are thin shells over these functions.

pub mod activity;
pub mod bookmarks;
pub mod cases;
pub mod dashboard;
pub mod domain;
pub mod error;
pub mod events;
pub mod export;
pub mod fulltext;
pub mod http;
pub mod integrity;
pub mod overview;
pub mod report;
pub mod saved;
pub mod search;
pub mod sources;
pub mod sync;
pub mod vault;

pub use error::{Error, Result};
pub use vault::Vault;
