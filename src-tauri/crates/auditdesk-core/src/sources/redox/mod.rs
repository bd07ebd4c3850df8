//! The Redox Platform API as a source: its connection settings (kept inside
//! the encrypted vault, private key included), the signed-JWT client
//! credentials, the audit-events client and the decoding of its events.
//! The facts these follow are in DESIGN §2.1.

pub mod auth;
pub mod client;
pub mod decode;

use serde::{Deserialize, Serialize};
use zeroize::Zeroizing;

pub use auth::{KeyAlgorithm, Signer};
pub use client::{Page, RedoxClient, RequestStats, Window};

/// Redox's production host.
pub const DEFAULT_HOST: &str = "https://api.redoxengine.com";
/// The API never returns more than this many events per page.
pub const MAX_PAGE_SIZE: u32 = 50;

/// One Redox connection. Stored as JSON in the vault's `sources` table, which
/// is encrypted with everything else; never written anywhere else.
#[derive(Clone, Serialize, Deserialize)]
pub struct RedoxConfig {
    pub host: String,
    pub organization_id: String,
    pub client_id: String,
    pub key_id: String,
    /// PEM, PKCS#8 or PKCS#1 (RSA) or SEC1 (EC).
    pub private_key_pem: Zeroizing<String>,
    #[serde(default)]
    pub settings: Settings,
}

impl std::fmt::Debug for RedoxConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RedoxConfig")
            .field("host", &self.host)
            .field("organization_id", &self.organization_id)
            .field("client_id", &self.client_id)
            .field("key_id", &self.key_id)
            .field("private_key_pem", &"<redacted>")
            .field("settings", &self.settings)
            .finish()
    }
}

/// Every knob of the client and the sync engine, with DESIGN's defaults.
/// Stored per source; `sync --set KEY=VALUE` overrides one for a run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Settings {
    /// Events per page; never above 50.
    pub page_size: u32,
    /// Per-request timeout.
    pub timeout_ms: u64,
    /// Retries of one request after 429, 5xx, timeouts and broken bodies.
    pub max_retries: u32,
    pub backoff_initial_ms: u64,
    pub backoff_max_ms: u64,
    /// Requests allowed per rolling window, and that window.
    pub rate_limit: u32,
    pub rate_window_s: u64,
    /// Fraction of the rate limit the client paces itself to, so clock skew
    /// and network jitter never push it over.
    pub rate_headroom: f64,
    /// Pages fetched ahead of the writer.
    pub concurrency: u32,
    /// stop = now - lag.
    pub lag_s: i64,
    /// start = watermark - overlap (late arrivals).
    pub overlap_s: i64,
    /// `attempted` events younger than this are re-polled until terminal.
    pub max_repoll_age_s: i64,
    /// First sync without `--since`.
    pub lookback_days: i64,
    /// A window longer than this many pages is an API that ignores `_page`.
    pub max_pages: u32,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            page_size: MAX_PAGE_SIZE,
            timeout_ms: 30_000,
            max_retries: 8,
            backoff_initial_ms: 1_000,
            backoff_max_ms: 60_000,
            rate_limit: 10_000,
            rate_window_s: 300,
            rate_headroom: 0.95,
            concurrency: 4,
            lag_s: 60,
            overlap_s: 3_600,
            max_repoll_age_s: 72 * 3_600,
            lookback_days: 90,
            max_pages: 1_000_000,
        }
    }
}

impl Settings {
    /// Applies `key=value`, checking the value; errors name the key.
    pub fn set(&mut self, assignment: &str) -> crate::Result<()> {
        let (key, value) = assignment.split_once('=').ok_or_else(|| {
            crate::Error::Invalid(format!("setting {assignment:?}: expected KEY=VALUE"))
        })?;
        let mut json = serde_json::to_value(&*self)
            .map_err(|e| crate::Error::Invalid(format!("settings: {e}")))?;
        let slot = json.get_mut(key.trim()).ok_or_else(|| {
            crate::Error::Invalid(format!(
                "unknown setting {:?} (known: {})",
                key.trim(),
                Settings::KEYS.join(", ")
            ))
        })?;
        *slot = serde_json::from_str(value.trim()).map_err(|_| {
            crate::Error::Invalid(format!("setting {}: {value:?} is not a number", key.trim()))
        })?;
        let next: Settings = serde_json::from_value(json).map_err(|e| {
            crate::Error::Invalid(format!("setting {}: {value:?}: {e}", key.trim()))
        })?;
        next.check()?;
        *self = next;
        Ok(())
    }

    pub const KEYS: &'static [&'static str] = &[
        "page_size",
        "timeout_ms",
        "max_retries",
        "backoff_initial_ms",
        "backoff_max_ms",
        "rate_limit",
        "rate_window_s",
        "rate_headroom",
        "concurrency",
        "lag_s",
        "overlap_s",
        "max_repoll_age_s",
        "lookback_days",
        "max_pages",
    ];

    pub fn check(&self) -> crate::Result<()> {
        let bad = |what: &str| Err(crate::Error::Invalid(format!("setting {what}")));
        if self.page_size == 0 || self.page_size > MAX_PAGE_SIZE {
            return bad("page_size must be between 1 and 50 (the API's maximum)");
        }
        if self.rate_limit == 0 || self.rate_window_s == 0 {
            return bad("rate_limit and rate_window_s must be positive");
        }
        if !(self.rate_headroom > 0.0 && self.rate_headroom <= 1.0) {
            return bad("rate_headroom must be in (0, 1]");
        }
        if self.concurrency == 0 || self.concurrency > 32 {
            return bad("concurrency must be between 1 and 32");
        }
        if self.lag_s < 0 || self.overlap_s < 0 || self.max_repoll_age_s < 0 {
            return bad("lag_s, overlap_s and max_repoll_age_s must not be negative");
        }
        if self.lookback_days <= 0 || self.max_pages == 0 || self.timeout_ms == 0 {
            return bad("lookback_days, max_pages and timeout_ms must be positive");
        }
        if self.backoff_initial_ms > self.backoff_max_ms {
            return bad("backoff_initial_ms must not exceed backoff_max_ms");
        }
        Ok(())
    }
}

/// What went wrong talking to the API. Messages carry what the server said,
/// verbatim, so the user can act on it.
#[derive(Debug, thiserror::Error)]
pub enum RemoteError {
    #[error("the token endpoint {url} refused the credentials ({status}): {error}{}{}",
        description.as_deref().map(|d| format!(": {d}")).unwrap_or_default(),
        uri.as_deref().map(|u| format!(" (see {u})")).unwrap_or_default())]
    TokenRejected {
        url: String,
        status: u16,
        error: String,
        description: Option<String>,
        uri: Option<String>,
    },
    #[error(
        "403 Forbidden from {url}: audit events are only available to organization owners and \
         admins, and only when the organization's plan includes the auditing add-on. Check the \
         API user's role and the plan. Response: {body}"
    )]
    Forbidden { url: String, body: String },
    #[error("401 Unauthorized from {url}, again with a fresh token: {body}")]
    Unauthorized { url: String, body: String },
    #[error("{status} from {url}: {body}")]
    Rejected {
        url: String,
        status: u16,
        body: String,
    },
    #[error("{url}: gave up after {attempts} attempts; last: {last}")]
    Unavailable {
        url: String,
        attempts: u32,
        last: String,
    },
    #[error("{url}: unexpected response: {message}")]
    InvalidResponse { url: String, message: String },
    #[error("private key: {0}")]
    Key(String),
}

impl RemoteError {
    pub fn code(&self) -> &'static str {
        match self {
            RemoteError::TokenRejected { .. } => "remote_auth",
            RemoteError::Forbidden { .. } => "remote_forbidden",
            RemoteError::Unauthorized { .. } => "remote_unauthorized",
            RemoteError::Rejected { .. } => "remote_rejected",
            RemoteError::Unavailable { .. } => "remote_unavailable",
            RemoteError::InvalidResponse { .. } => "remote_invalid",
            RemoteError::Key(_) => "remote_key",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn settings_are_set_by_name_and_checked() {
        let mut s = Settings::default();
        s.set("page_size=20").unwrap();
        assert_eq!(s.page_size, 20);
        s.set("rate_headroom = 0.5").unwrap();
        assert_eq!(s.rate_headroom, 0.5);
        let e = s.set("page_size=51").unwrap_err().to_string();
        assert!(e.contains("between 1 and 50"), "{e}");
        assert_eq!(s.page_size, 20, "a refused value changes nothing");
        let e = s.set("pagesize=5").unwrap_err().to_string();
        assert!(
            e.contains("unknown setting") && e.contains("page_size"),
            "{e}"
        );
        let e = s.set("lag_s").unwrap_err().to_string();
        assert!(e.contains("KEY=VALUE"), "{e}");
        let e = s.set("lag_s=soon").unwrap_err().to_string();
        assert!(e.contains("lag_s"), "{e}");
    }

    #[test]
    fn the_private_key_never_shows_in_debug_output() {
        let config = RedoxConfig {
            host: DEFAULT_HOST.into(),
            organization_id: "1".into(),
            client_id: "c".into(),
            key_id: "k".into(),
            private_key_pem: Zeroizing::new("-----BEGIN PRIVATE KEY-----SECRET".into()),
            settings: Settings::default(),
        };
        assert!(!format!("{config:?}").contains("SECRET"));
    }
}
