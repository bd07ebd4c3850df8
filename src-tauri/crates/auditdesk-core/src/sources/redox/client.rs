//! The HTTP side: tokens, paced and retried requests, audit-event pages.
//! Blocking (reqwest's blocking client) because the sync engine is a few
//! plain threads around one SQLite connection.

use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use chrono::{DateTime, SecondsFormat, Utc};
use reqwest::StatusCode;
use reqwest::blocking::{Client, RequestBuilder};
use serde::Serialize;
use serde_json::Value;
use zeroize::Zeroizing;

use super::auth::Signer;
use super::{RedoxConfig, RemoteError, Settings};

/// A cached token is replaced this long before it expires.
const TOKEN_MARGIN: Duration = Duration::from_secs(30);
/// Redox's token lifetime when the response does not say.
const DEFAULT_TOKEN_LIFETIME_S: u64 = 300;
/// Error bodies are quoted up to this many characters.
const BODY_PREVIEW: usize = 2_000;

/// The frozen time range one sync walks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Window {
    pub start: DateTime<Utc>,
    pub stop: DateTime<Utc>,
}

/// One page of audit events, as the API sent them.
#[derive(Debug, Clone)]
pub struct Page {
    pub number: u32,
    pub events: Vec<Value>,
}

/// Counters over the client's life, for progress, run records and tests.
#[derive(Debug, Default)]
pub struct RequestStats {
    pub requests: AtomicU64,
    pub token_requests: AtomicU64,
    pub retries: AtomicU64,
    pub rate_limited: AtomicU64,
    pub reauthentications: AtomicU64,
}

struct Token {
    value: Zeroizing<String>,
    refresh_at: Instant,
    generation: u64,
}

pub struct RedoxClient {
    http: Client,
    host: String,
    organization_id: String,
    signer: Signer,
    settings: Settings,
    token: Mutex<Option<Token>>,
    generation: AtomicU64,
    pacer: Pacer,
    pub stats: RequestStats,
}

enum Attempt<T> {
    Done(T),
    /// Retry after the back-off (or the given delay), remembering why.
    Retry(String, Option<Duration>),
}

impl RedoxClient {
    /// `host` overrides the configured host (the embedded demo simulator).
    pub fn new(config: &RedoxConfig, host: Option<&str>) -> Result<RedoxClient, RemoteError> {
        let host = host
            .unwrap_or(&config.host)
            .trim_end_matches('/')
            .to_string();
        let signer = Signer::new(
            &config.private_key_pem,
            &config.key_id,
            &config.client_id,
            &format!("{host}/v2/auth/token"),
        )?;
        let http = crate::http::client_builder()
            .timeout(Duration::from_millis(config.settings.timeout_ms))
            .user_agent(concat!("AuditDesk/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| RemoteError::InvalidResponse {
                url: host.clone(),
                message: format!("cannot build an HTTP client: {e}"),
            })?;
        Ok(RedoxClient {
            http,
            host,
            organization_id: config.organization_id.clone(),
            signer,
            pacer: Pacer::new(&config.settings),
            settings: config.settings.clone(),
            token: Mutex::new(None),
            generation: AtomicU64::new(0),
            stats: RequestStats::default(),
        })
    }

    pub fn algorithm(&self) -> super::KeyAlgorithm {
        self.signer.algorithm()
    }

    pub fn host(&self) -> &str {
        &self.host
    }

    fn token_url(&self) -> String {
        format!("{}/v2/auth/token", self.host)
    }

    /// A valid access token: the cached one until 30 s before it expires.
    /// `stale` is the generation a caller saw rejected; only that one is
    /// replaced, so several threads hitting a 401 fetch one new token.
    fn token(&self, stale: Option<u64>) -> Result<(Zeroizing<String>, u64), RemoteError> {
        let mut slot = self.token.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(t) = slot.as_ref()
            && Instant::now() < t.refresh_at
            && Some(t.generation) != stale
        {
            return Ok((t.value.clone(), t.generation));
        }
        let (value, lifetime) = self.request_token()?;
        let generation = self.generation.fetch_add(1, Ordering::Relaxed) + 1;
        let refresh_at = Instant::now() + lifetime.saturating_sub(TOKEN_MARGIN);
        *slot = Some(Token {
            value: value.clone(),
            refresh_at,
            generation,
        });
        Ok((value, generation))
    }

    fn request_token(&self) -> Result<(Zeroizing<String>, Duration), RemoteError> {
        let url = self.token_url();
        self.stats.token_requests.fetch_add(1, Ordering::Relaxed);
        self.with_retries(&url, || {
            // A fresh assertion per attempt: a jti is never sent twice.
            let assertion = Zeroizing::new(self.signer.assertion()?);
            let form = [
                ("grant_type", "client_credentials"),
                (
                    "client_assertion_type",
                    "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
                ),
                ("client_assertion", assertion.as_str()),
            ];
            let (status, body) = match self.send(self.http.post(&url).form(&form)) {
                Ok(r) => r,
                Err(why) => return Ok(Attempt::Retry(why, None)),
            };
            if let Some(retry) = transient(&status, &body) {
                return Ok(retry);
            }
            let json: Option<Value> = serde_json::from_slice(&body.bytes).ok();
            if status.is_success() {
                let Some(json) = json else {
                    return Ok(Attempt::Retry(
                        format!("token response is not JSON: {}", preview(&body.bytes)),
                        None,
                    ));
                };
                let token =
                    json["access_token"]
                        .as_str()
                        .ok_or_else(|| RemoteError::InvalidResponse {
                            url: url.clone(),
                            message: "the token response has no access_token".into(),
                        })?;
                let lifetime = json["expires_in"]
                    .as_u64()
                    .or_else(|| json["expires_in"].as_str().and_then(|s| s.parse().ok()))
                    .unwrap_or(DEFAULT_TOKEN_LIFETIME_S);
                return Ok(Attempt::Done((
                    Zeroizing::new(token.to_string()),
                    Duration::from_secs(lifetime),
                )));
            }
            let field = |k: &str| {
                json.as_ref()
                    .and_then(|j| j[k].as_str())
                    .map(str::to_string)
            };
            Err(RemoteError::TokenRejected {
                url: url.clone(),
                status: status.as_u16(),
                error: field("error").unwrap_or_else(|| preview(&body.bytes)),
                description: field("error_description"),
                uri: field("error_uri"),
            })
        })
    }

    /// One page of the window, `_count` = the configured page size (≤ 50).
    pub fn audit_page(&self, window: &Window, page: u32) -> Result<Page, RemoteError> {
        let url = format!(
            "{}/platform/v1/organizations/{}/audit-events",
            self.host, self.organization_id
        );
        let query = [
            (
                "startDateTime",
                window.start.to_rfc3339_opts(SecondsFormat::Millis, true),
            ),
            (
                "stopDateTime",
                window.stop.to_rfc3339_opts(SecondsFormat::Millis, true),
            ),
            ("_page", page.to_string()),
            (
                "_count",
                self.settings
                    .page_size
                    .min(super::MAX_PAGE_SIZE)
                    .to_string(),
            ),
        ];
        let mut rejected: Option<u64> = None;
        let mut reauthenticated = false;
        self.with_retries(&url, || {
            let (token, generation) = self.token(rejected)?;
            let request = self
                .http
                .get(&url)
                .query(&query)
                .bearer_auth(token.as_str())
                .header("Accept", "application/json");
            let (status, body) = match self.send(request) {
                Ok(r) => r,
                Err(why) => return Ok(Attempt::Retry(why, None)),
            };
            if let Some(retry) = transient(&status, &body) {
                return Ok(retry);
            }
            match status {
                s if s.is_success() => match parse_page(&body.bytes, page) {
                    Ok(page) => Ok(Attempt::Done(page)),
                    Err(PageError::Broken(why)) => Ok(Attempt::Retry(why, None)),
                    Err(PageError::Shape(message)) => Err(RemoteError::InvalidResponse {
                        url: url.clone(),
                        message: format!("page {page}: {message}"),
                    }),
                },
                StatusCode::UNAUTHORIZED if !reauthenticated => {
                    // Expired or revoked: one new token, one retry, no wait.
                    reauthenticated = true;
                    rejected = Some(generation);
                    self.stats.reauthentications.fetch_add(1, Ordering::Relaxed);
                    Ok(Attempt::Retry("401".into(), Some(Duration::ZERO)))
                }
                StatusCode::UNAUTHORIZED => Err(RemoteError::Unauthorized {
                    url: url.clone(),
                    body: preview(&body.bytes),
                }),
                StatusCode::FORBIDDEN => Err(RemoteError::Forbidden {
                    url: url.clone(),
                    body: preview(&body.bytes),
                }),
                _ => Err(RemoteError::Rejected {
                    url: url.clone(),
                    status: status.as_u16(),
                    body: preview(&body.bytes),
                }),
            }
        })
    }

    fn send(&self, request: RequestBuilder) -> Result<(StatusCode, Body), String> {
        self.pacer.acquire();
        self.stats.requests.fetch_add(1, Ordering::Relaxed);
        let response = request.send().map_err(describe)?;
        let status = response.status();
        let retry_after = response
            .headers()
            .get("retry-after")
            .and_then(|v| v.to_str().ok())
            .and_then(parse_retry_after);
        // A body cut short surfaces here (or as JSON that does not parse).
        let bytes = response.bytes().map_err(describe)?.to_vec();
        Ok((status, Body { bytes, retry_after }))
    }

    /// Runs `attempt` until it is done, fails, or the retries run out.
    fn with_retries<T>(
        &self,
        url: &str,
        mut attempt: impl FnMut() -> Result<Attempt<T>, RemoteError>,
    ) -> Result<T, RemoteError> {
        let mut failures = 0u32;
        loop {
            let (why, delay) = match attempt()? {
                Attempt::Done(value) => return Ok(value),
                Attempt::Retry(why, delay) => (why, delay),
            };
            if delay == Some(Duration::ZERO) {
                continue;
            }
            if failures >= self.settings.max_retries {
                return Err(RemoteError::Unavailable {
                    url: url.to_string(),
                    attempts: failures + 1,
                    last: why,
                });
            }
            let delay = delay.unwrap_or_else(|| backoff(&self.settings, failures));
            if why.starts_with("429") {
                self.stats.rate_limited.fetch_add(1, Ordering::Relaxed);
                // Every thread waits, not just the one that was told.
                self.pacer.hold(delay);
            }
            self.stats.retries.fetch_add(1, Ordering::Relaxed);
            failures += 1;
            tracing::debug!(url, failures, ?delay, why, "retrying");
            std::thread::sleep(delay);
        }
    }
}

struct Body {
    bytes: Vec<u8>,
    retry_after: Option<Duration>,
}

/// 429 and the 5xx family are worth another try; so is nothing at all.
fn transient<T>(status: &StatusCode, body: &Body) -> Option<Attempt<T>> {
    let code = status.as_u16();
    if code == 429 {
        return Some(Attempt::Retry(
            format!("429 Too Many Requests: {}", preview(&body.bytes)),
            body.retry_after,
        ));
    }
    if matches!(code, 500 | 502 | 503 | 504) {
        return Some(Attempt::Retry(
            format!("{code}: {}", preview(&body.bytes)),
            body.retry_after,
        ));
    }
    None
}

enum PageError {
    /// Not JSON at all: a body cut short; worth a retry.
    Broken(String),
    /// JSON of the wrong shape: retrying will not help.
    Shape(String),
}

/// `{"meta": {...}, "payload": {"results": [...]}}`. Links in `meta` are
/// ignored on purpose: the engine builds the next request itself.
fn parse_page(bytes: &[u8], number: u32) -> Result<Page, PageError> {
    let mut json: Value = serde_json::from_slice(bytes).map_err(|e| {
        PageError::Broken(format!(
            "page {number}: the body is not complete JSON ({e}; {} bytes)",
            bytes.len()
        ))
    })?;
    let results = match json.pointer_mut("/payload/results") {
        Some(Value::Array(items)) => std::mem::take(items),
        Some(Value::Null) => Vec::new(),
        Some(other) => {
            return Err(PageError::Shape(format!(
                "payload.results is {}, not an array",
                crate::sources::json_kind(other)
            )));
        }
        None => {
            return Err(PageError::Shape(
                "no payload.results in the response envelope".into(),
            ));
        }
    };
    Ok(Page {
        number,
        events: results,
    })
}

fn describe(error: reqwest::Error) -> String {
    use std::error::Error as _;
    let mut text = if error.is_timeout() {
        "timed out".to_string()
    } else {
        error.to_string()
    };
    let mut source = error.source();
    while let Some(s) = source {
        text.push_str(": ");
        text.push_str(&s.to_string());
        source = s.source();
    }
    text
}

/// Seconds, or an HTTP date.
fn parse_retry_after(value: &str) -> Option<Duration> {
    let value = value.trim();
    if let Ok(seconds) = value.parse::<u64>() {
        return Some(Duration::from_secs(seconds));
    }
    let at = DateTime::parse_from_rfc2822(value).ok()?;
    let wait = at.with_timezone(&Utc) - Utc::now();
    Some(wait.to_std().unwrap_or(Duration::ZERO))
}

/// Exponential from `backoff_initial_ms`, capped at `backoff_max_ms`, with
/// "equal jitter" (half fixed, half random) so clients do not retry in step.
pub fn backoff(settings: &Settings, failures: u32) -> Duration {
    let base = settings
        .backoff_initial_ms
        .saturating_mul(1u64 << failures.min(32))
        .min(settings.backoff_max_ms);
    let mut bytes = [0u8; 8];
    let random = match getrandom::getrandom(&mut bytes) {
        Ok(()) => u64::from_le_bytes(bytes),
        Err(_) => 0,
    };
    let half = base / 2;
    Duration::from_millis(half + random % (base - half + 1))
}

fn preview(bytes: &[u8]) -> String {
    let text = String::from_utf8_lossy(bytes);
    let text = text.trim();
    if text.is_empty() {
        return "(empty body)".into();
    }
    match text.char_indices().nth(BODY_PREVIEW) {
        Some((cut, _)) => format!("{}…", &text[..cut]),
        None => text.to_string(),
    }
}

/// Spaces requests evenly under the rate limit (times the headroom), across
/// every thread of the client: at most `limit` requests in any window.
struct Pacer {
    interval: Duration,
    next: Mutex<Instant>,
}

impl Pacer {
    fn new(settings: &Settings) -> Pacer {
        let per_window = (f64::from(settings.rate_limit) * settings.rate_headroom).max(1.0);
        Pacer {
            interval: Duration::from_secs_f64(settings.rate_window_s as f64 / per_window),
            next: Mutex::new(Instant::now()),
        }
    }

    fn acquire(&self) {
        let slot = {
            let mut next = self.next.lock().unwrap_or_else(|p| p.into_inner());
            let now = Instant::now();
            let slot = (*next).max(now);
            *next = slot + self.interval;
            slot
        };
        let now = Instant::now();
        if slot > now {
            std::thread::sleep(slot - now);
        }
    }

    /// No request leaves before `delay` from now.
    fn hold(&self, delay: Duration) {
        let mut next = self.next.lock().unwrap_or_else(|p| p.into_inner());
        *next = (*next).max(Instant::now() + delay);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_from_the_initial_delay_up_to_the_cap_with_jitter() {
        let settings = Settings::default();
        for failures in 0..12 {
            let expected = (1_000u64 << failures).min(60_000);
            for _ in 0..20 {
                let d = backoff(&settings, failures).as_millis() as u64;
                assert!(d >= expected / 2 && d <= expected, "{failures}: {d}");
            }
        }
        let spread: std::collections::HashSet<u128> =
            (0..20).map(|_| backoff(&settings, 3).as_millis()).collect();
        assert!(spread.len() > 1, "jittered");
    }

    #[test]
    fn retry_after_is_read_as_seconds_or_a_date() {
        assert_eq!(parse_retry_after("7"), Some(Duration::from_secs(7)));
        assert_eq!(
            parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT"),
            Some(Duration::ZERO)
        );
        assert_eq!(parse_retry_after("soon"), None);
    }

    #[test]
    fn pages_are_read_from_the_envelope_and_broken_bodies_are_retryable() {
        let page = parse_page(br#"{"meta":{"page":{"links":{"next":"/x?_page=9"}}},"payload":{"results":[{"id":1},{"id":"b"}]}}"#, 2).ok().unwrap();
        assert_eq!(page.events.len(), 2);
        assert!(matches!(
            parse_page(br#"{"payload":{"resul"#, 1),
            Err(PageError::Broken(_))
        ));
        assert!(
            matches!(parse_page(br#"{"payload":{"results":5}}"#, 1), Err(PageError::Shape(m)) if m.contains("a number"))
        );
        assert!(matches!(
            parse_page(br#"{"results":[]}"#, 1),
            Err(PageError::Shape(_))
        ));
    }

    #[test]
    fn the_pacer_spaces_requests_to_the_limit() {
        let settings = Settings {
            rate_limit: 100,
            rate_window_s: 1,
            rate_headroom: 1.0,
            ..Settings::default()
        };
        let pacer = Pacer::new(&settings);
        assert_eq!(pacer.interval, Duration::from_millis(10));
        let start = Instant::now();
        for _ in 0..11 {
            pacer.acquire();
        }
        assert!(start.elapsed() >= Duration::from_millis(100));
    }
}
