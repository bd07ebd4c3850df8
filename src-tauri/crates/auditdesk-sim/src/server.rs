//! The Redox HTTP contract (DESIGN §2.1) over a `World`: the token endpoint
//! checks the JWT assertion's signature and every claim; the audit-events
//! endpoint pages newest first in the documented envelope, with wrong
//! relative links and no total, and refuses `_count` above 50. Faults are
//! injected at a configured rate. `/_sim/*` lets tests read counters and
//! move the clock.

use std::collections::{HashMap, HashSet, VecDeque};
use std::sync::atomic::{AtomicI64, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::{Form, Path, Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use chrono::{DateTime, Utc};
use jsonwebtoken::{Algorithm, DecodingKey, Validation};
use serde::Deserialize;
use serde_json::{Value, json};

use crate::rng::Rng;
use crate::world::{Filter, World, WorldSpec};

pub const MAX_COUNT: u64 = 50;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FaultKind {
    /// 429 with `X-RateLimit-Limit` and no `Retry-After`.
    RateLimited,
    Internal,
    BadGateway,
    GatewayTimeout,
    /// Answers after `slow_ms`.
    Slow,
    /// Half a body, then the connection breaks.
    Truncated,
    /// Every token is revoked; this request gets a 401.
    Revoke,
}

impl FaultKind {
    pub const ALL: [FaultKind; 7] = [
        FaultKind::RateLimited,
        FaultKind::Internal,
        FaultKind::BadGateway,
        FaultKind::GatewayTimeout,
        FaultKind::Slow,
        FaultKind::Truncated,
        FaultKind::Revoke,
    ];

    /// By its name (`429`, `500`, `502`, `504`, `slow`, `truncated`, `revoke`).
    pub fn parse(name: &str) -> Option<FaultKind> {
        FaultKind::ALL.into_iter().find(|k| k.name() == name)
    }

    pub fn name(self) -> &'static str {
        match self {
            FaultKind::RateLimited => "429",
            FaultKind::Internal => "500",
            FaultKind::BadGateway => "502",
            FaultKind::GatewayTimeout => "504",
            FaultKind::Slow => "slow",
            FaultKind::Truncated => "truncated",
            FaultKind::Revoke => "revoke",
        }
    }
}

#[derive(Debug, Clone)]
pub struct Faults {
    /// Share of requests that get a fault.
    pub rate: f64,
    pub kinds: Vec<FaultKind>,
    pub slow_ms: u64,
}

impl Default for Faults {
    fn default() -> Self {
        Faults {
            rate: 0.0,
            kinds: FaultKind::ALL.to_vec(),
            slow_ms: 1_500,
        }
    }
}

#[derive(Debug, Clone)]
pub struct SimConfig {
    pub world: WorldSpec,
    pub organization_id: String,
    pub client_id: String,
    pub key_id: String,
    /// The client's public key (SubjectPublicKeyInfo PEM, RSA or P-384).
    pub public_key_pem: String,
    pub faults: Faults,
    /// Requests per rolling window; beyond it, 429.
    pub rate_limit: Option<(u32, Duration)>,
    pub token_ttl_s: u64,
    /// Answer every audit-events call with 403 (a user who is not an
    /// organization admin, or a plan without auditing).
    pub forbidden: bool,
    /// Refuse (400) a startDateTime older than this many days.
    pub max_history_days: Option<i64>,
}

#[derive(Debug, thiserror::Error)]
pub enum SimError {
    #[error("public key: {0}")]
    Key(String),
    #[error("cannot listen on {addr}: {source}")]
    Bind {
        addr: String,
        source: std::io::Error,
    },
    #[error("server: {0}")]
    Serve(std::io::Error),
}

#[derive(Default)]
struct Counters {
    token_requests: AtomicU64,
    tokens_issued: AtomicU64,
    token_rejected: AtomicU64,
    jti_reused: AtomicU64,
    api_requests: AtomicU64,
    pages_served: AtomicU64,
    events_served: AtomicU64,
    max_count: AtomicU64,
    count_violations: AtomicU64,
    unauthorized: AtomicU64,
    forbidden: AtomicU64,
    rate_limited: AtomicU64,
    bad_requests: AtomicU64,
}

struct Mutable {
    /// token → (expiry in real time, requests served with it).
    tokens: HashMap<String, (Instant, u64)>,
    jtis: HashSet<String>,
    recent: VecDeque<Instant>,
    rng: Rng,
    faults: HashMap<&'static str, u64>,
}

pub struct Sim {
    config: SimConfig,
    world: World,
    key: DecodingKey,
    algorithm: Algorithm,
    clock_offset_ms: AtomicI64,
    counters: Counters,
    state: Mutex<Mutable>,
}

fn error_json(status: StatusCode, body: Value) -> Response {
    (
        status,
        [(header::CONTENT_TYPE, "application/json")],
        body.to_string(),
    )
        .into_response()
}

fn oauth_error(status: StatusCode, error: &str, description: impl Into<String>) -> Response {
    error_json(
        status,
        json!({
            "error": error,
            "error_description": description.into(),
            "error_uri": "https://docs.redoxengine.com/api-reference/authentication",
        }),
    )
}

#[derive(Deserialize)]
struct Claims {
    iss: String,
    sub: String,
    iat: i64,
    exp: i64,
    jti: Option<String>,
}

impl Sim {
    pub fn new(config: SimConfig) -> Result<Sim, SimError> {
        let pem = config.public_key_pem.as_bytes();
        let (key, algorithm) = match DecodingKey::from_rsa_pem(pem) {
            Ok(k) => (k, Algorithm::RS384),
            Err(_) => DecodingKey::from_ec_pem(pem)
                .map(|k| (k, Algorithm::ES384))
                .map_err(|e| SimError::Key(format!("neither RSA nor EC: {e}")))?,
        };
        let world = World::generate(&config.world);
        let seed = config.world.seed;
        Ok(Sim {
            config,
            world,
            key,
            algorithm,
            clock_offset_ms: AtomicI64::new(0),
            counters: Counters::default(),
            state: Mutex::new(Mutable {
                tokens: HashMap::new(),
                jtis: HashSet::new(),
                recent: VecDeque::new(),
                rng: Rng::new(seed ^ 0xfa_017),
                faults: HashMap::new(),
            }),
        })
    }

    pub fn world(&self) -> &World {
        &self.world
    }

    /// The server's clock: real time plus whatever tests advanced it by.
    pub fn clock_ms(&self) -> i64 {
        Utc::now().timestamp_millis() + self.clock_offset_ms.load(Ordering::Relaxed)
    }

    pub fn advance(&self, ms: i64) {
        self.clock_offset_ms.fetch_add(ms, Ordering::Relaxed);
    }

    pub fn revoke_tokens(&self) {
        self.lock().tokens.clear();
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Mutable> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    pub fn stats(&self) -> Value {
        let c = &self.counters;
        let n = |a: &AtomicU64| a.load(Ordering::Relaxed);
        let clock = self.clock_ms();
        let state = self.lock();
        json!({
            "token_requests": n(&c.token_requests),
            "tokens_issued": n(&c.tokens_issued),
            "token_rejected": n(&c.token_rejected),
            "jti_reused": n(&c.jti_reused),
            "api_requests": n(&c.api_requests),
            "pages_served": n(&c.pages_served),
            "events_served": n(&c.events_served),
            "max_count": n(&c.max_count),
            "count_violations": n(&c.count_violations),
            "unauthorized": n(&c.unauthorized),
            "forbidden": n(&c.forbidden),
            "rate_limited": n(&c.rate_limited),
            "bad_requests": n(&c.bad_requests),
            "faults": state.faults,
            "clock": DateTime::<Utc>::from_timestamp_millis(clock).map(|t| t.to_rfc3339()),
            "visible_events": self.world.visible(clock).count(),
            "attempted_events": self.world.visible(clock).filter(|e| e.status_at(clock) == "attempted").count(),
        })
    }

    /// Over the limit: a 429 like Redox's (limit header, no Retry-After).
    fn over_rate_limit(&self) -> Option<Response> {
        let (limit, window) = self.config.rate_limit?;
        let now = Instant::now();
        let mut state = self.lock();
        while state
            .recent
            .front()
            .is_some_and(|t| now.duration_since(*t) >= window)
        {
            state.recent.pop_front();
        }
        if state.recent.len() >= limit as usize {
            drop(state);
            self.counters.rate_limited.fetch_add(1, Ordering::Relaxed);
            return Some(too_many(limit));
        }
        state.recent.push_back(now);
        None
    }

    fn roll_fault(&self, allow_revoke: bool) -> Option<FaultKind> {
        let faults = &self.config.faults;
        if faults.rate <= 0.0 || faults.kinds.is_empty() {
            return None;
        }
        let mut state = self.lock();
        if (state.rng.below(1_000_000) as f64) >= faults.rate * 1_000_000.0 {
            return None;
        }
        let kinds: Vec<FaultKind> = faults
            .kinds
            .iter()
            .copied()
            .filter(|k| allow_revoke || *k != FaultKind::Revoke)
            .collect();
        if kinds.is_empty() {
            return None;
        }
        let kind = *state.rng.pick(&kinds);
        *state.faults.entry(kind.name()).or_insert(0) += 1;
        Some(kind)
    }

    /// Ok, or why the assertion is refused (the `error_description`).
    fn check_assertion(&self, assertion: &str, audience: &str) -> Result<(), Refusal> {
        let reject = |description: String| Err(Refusal(description));
        let header = match jsonwebtoken::decode_header(assertion) {
            Ok(h) => h,
            Err(e) => return reject(format!("client_assertion is not a JWT: {e}")),
        };
        if header.kid.as_deref() != Some(self.config.key_id.as_str()) {
            return reject(format!(
                "unknown kid {:?}: no public key registered under it",
                header.kid
            ));
        }
        if header.alg != self.algorithm {
            return reject(format!(
                "alg {:?} does not match the registered key ({:?})",
                header.alg, self.algorithm
            ));
        }
        let mut validation = Validation::new(self.algorithm);
        validation.set_audience(&[audience]);
        validation.set_issuer(&[&self.config.client_id]);
        validation.sub = Some(self.config.client_id.clone());
        validation.set_required_spec_claims(&["exp", "aud", "iss", "sub"]);
        validation.leeway = 5;
        let claims = match jsonwebtoken::decode::<Claims>(assertion, &self.key, &validation) {
            Ok(data) => data.claims,
            Err(e) => return reject(format!("client_assertion rejected: {e}")),
        };
        let now = Utc::now().timestamp();
        if claims.iss != claims.sub {
            return reject("iss and sub must both be the client id".into());
        }
        if claims.iat > now + 60 || claims.iat < now - 300 {
            return reject(format!(
                "iat {} is not within the last 5 minutes",
                claims.iat
            ));
        }
        if claims.exp - claims.iat > 300 {
            return reject("exp must be at most 5 minutes after iat".into());
        }
        let Some(jti) = claims.jti.filter(|j| !j.is_empty()) else {
            return reject("the assertion has no jti".into());
        };
        if !self.lock().jtis.insert(jti.clone()) {
            self.counters.jti_reused.fetch_add(1, Ordering::Relaxed);
            return reject(format!("jti {jti} was already used"));
        }
        Ok(())
    }
}

/// Why a request is refused.
struct Refusal(String);

fn too_many(limit: u32) -> Response {
    (
        StatusCode::TOO_MANY_REQUESTS,
        [("X-RateLimit-Limit", limit.to_string())],
        "Too Many Requests",
    )
        .into_response()
}

async fn fault_response(sim: &Sim, kind: FaultKind, body: impl FnOnce() -> String) -> Response {
    match kind {
        FaultKind::RateLimited => too_many(sim.config.rate_limit.map_or(10_000, |l| l.0)),
        FaultKind::Internal => {
            (StatusCode::INTERNAL_SERVER_ERROR, "Internal Server Error").into_response()
        }
        FaultKind::BadGateway => {
            (StatusCode::BAD_GATEWAY, "<html>502 Bad Gateway</html>").into_response()
        }
        FaultKind::GatewayTimeout => (
            StatusCode::GATEWAY_TIMEOUT,
            "<html>504 Gateway Time-out</html>",
        )
            .into_response(),
        FaultKind::Revoke => {
            sim.revoke_tokens();
            error_json(
                StatusCode::UNAUTHORIZED,
                json!({"error": "invalid_token", "message": "the access token was revoked"}),
            )
        }
        FaultKind::Slow => {
            tokio::time::sleep(Duration::from_millis(sim.config.faults.slow_ms)).await;
            json_ok(body())
        }
        FaultKind::Truncated => {
            let mut text = body().into_bytes();
            text.truncate(text.len() / 2);
            let parts: Vec<Result<Bytes, std::io::Error>> = vec![
                Ok(Bytes::from(text)),
                Err(std::io::Error::new(
                    std::io::ErrorKind::ConnectionReset,
                    "simulated cut",
                )),
            ];
            Response::builder()
                .status(StatusCode::OK)
                .header(header::CONTENT_TYPE, "application/json")
                .body(Body::from_stream(futures_util::stream::iter(parts)))
                .unwrap_or_else(|_| StatusCode::INTERNAL_SERVER_ERROR.into_response())
        }
    }
}

fn json_ok(body: String) -> Response {
    ([(header::CONTENT_TYPE, "application/json")], body).into_response()
}

async fn token(
    State(sim): State<Arc<Sim>>,
    headers: HeaderMap,
    Form(form): Form<HashMap<String, String>>,
) -> Response {
    sim.counters.token_requests.fetch_add(1, Ordering::Relaxed);
    if let Some(limited) = sim.over_rate_limit() {
        return limited;
    }
    if let Some(kind) = sim.roll_fault(false)
        && kind != FaultKind::Slow
        && kind != FaultKind::Truncated
    {
        return fault_response(&sim, kind, String::new).await;
    }
    if form.get("grant_type").map(String::as_str) != Some("client_credentials") {
        return oauth_error(
            StatusCode::BAD_REQUEST,
            "unsupported_grant_type",
            "grant_type must be client_credentials",
        );
    }
    if form.get("client_assertion_type").map(String::as_str)
        != Some("urn:ietf:params:oauth:client-assertion-type:jwt-bearer")
    {
        return oauth_error(
            StatusCode::BAD_REQUEST,
            "invalid_request",
            "client_assertion_type must be urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
        );
    }
    let Some(assertion) = form.get("client_assertion") else {
        return oauth_error(
            StatusCode::BAD_REQUEST,
            "invalid_request",
            "client_assertion is required",
        );
    };
    let host = headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .unwrap_or("localhost");
    let audience = format!("http://{host}/v2/auth/token");
    if let Err(Refusal(description)) = sim.check_assertion(assertion, &audience) {
        sim.counters.token_rejected.fetch_add(1, Ordering::Relaxed);
        return oauth_error(StatusCode::UNAUTHORIZED, "invalid_client", description);
    }
    let mut bytes = [0u8; 24];
    {
        let mut state = sim.lock();
        for b in bytes.iter_mut() {
            *b = state.rng.next_u64() as u8;
        }
    }
    let access = format!("sim-{}", hex::encode(bytes));
    let ttl = Duration::from_secs(sim.config.token_ttl_s);
    sim.lock()
        .tokens
        .insert(access.clone(), (Instant::now() + ttl, 0));
    sim.counters.tokens_issued.fetch_add(1, Ordering::Relaxed);
    json_ok(json!({"access_token": access, "token_type": "bearer", "expires_in": sim.config.token_ttl_s, "scope": ""}).to_string())
}

fn bad_request(sim: &Sim, message: String) -> Response {
    sim.counters.bad_requests.fetch_add(1, Ordering::Relaxed);
    error_json(
        StatusCode::BAD_REQUEST,
        json!({"error": "Bad Request", "message": message}),
    )
}

async fn audit_events(
    State(sim): State<Arc<Sim>>,
    Path(org): Path<String>,
    Query(query): Query<HashMap<String, String>>,
    headers: HeaderMap,
) -> Response {
    sim.counters.api_requests.fetch_add(1, Ordering::Relaxed);
    // Checked before anything else, so a violation is always counted.
    let count = match query.get("_count").map(|c| c.parse::<u64>()) {
        None => MAX_COUNT,
        Some(Ok(c)) => c,
        Some(Err(_)) => return bad_request(&sim, "_count must be a whole number".into()),
    };
    sim.counters.max_count.fetch_max(count, Ordering::Relaxed);
    if count > MAX_COUNT {
        sim.counters
            .count_violations
            .fetch_add(1, Ordering::Relaxed);
        return bad_request(&sim, format!("_count must be between 1 and {MAX_COUNT}"));
    }
    if let Some(limited) = sim.over_rate_limit() {
        return limited;
    }
    let bearer = headers
        .get(header::AUTHORIZATION)
        .and_then(|h| h.to_str().ok())
        .and_then(|h| h.strip_prefix("Bearer "));
    let uses = bearer.and_then(|t| {
        let mut state = sim.lock();
        let (expiry, uses) = state.tokens.get_mut(t)?;
        *uses += 1;
        (Instant::now() < *expiry).then_some(*uses)
    });
    let Some(uses) = uses else {
        sim.counters.unauthorized.fetch_add(1, Ordering::Relaxed);
        return error_json(
            StatusCode::UNAUTHORIZED,
            json!({"error": "invalid_token", "message": "missing, expired or revoked access token"}),
        );
    };
    if sim.config.forbidden || org != sim.config.organization_id {
        sim.counters.forbidden.fetch_add(1, Ordering::Relaxed);
        return error_json(
            StatusCode::FORBIDDEN,
            json!({"error": "Forbidden", "message": "You do not have access to this organization's audit events"}),
        );
    }
    let time = |key: &str| -> Result<i64, Refusal> {
        let text = query
            .get(key)
            .ok_or_else(|| Refusal(format!("{key} is required")))?;
        DateTime::parse_from_rfc3339(text)
            .map(|t| t.timestamp_millis())
            .map_err(|_| Refusal(format!("{key} {text:?} is not an ISO 8601 date-time")))
    };
    let (start, stop) = match (time("startDateTime"), time("stopDateTime")) {
        (Ok(a), Ok(b)) => (a, b),
        (Err(Refusal(why)), _) | (_, Err(Refusal(why))) => return bad_request(&sim, why),
    };
    if let Some(days) = sim.config.max_history_days
        && start < sim.clock_ms() - days * 86_400_000
    {
        return bad_request(
            &sim,
            format!("startDateTime must be within the last {days} days"),
        );
    }
    let page = match query.get("_page").map(|p| p.parse::<u64>()) {
        None => 1,
        Some(Ok(p)) if p >= 1 => p,
        _ => return bad_request(&sim, "_page must be a whole number from 1".into()),
    };
    if count == 0 {
        return bad_request(&sim, format!("_count must be between 1 and {MAX_COUNT}"));
    }
    let filter = Filter {
        user_id: query.get("userId").cloned(),
        status: query.get("status").cloned(),
        action_type: query.get("actionType").cloned(),
    };
    let body = || {
        let clock = sim.clock_ms();
        let events = sim.world.page(start, stop, clock, page, count, &filter);
        sim.counters.pages_served.fetch_add(1, Ordering::Relaxed);
        sim.counters
            .events_served
            .fetch_add(events.len() as u64, Ordering::Relaxed);
        render_page(&org, page, count, &events, clock)
    };
    // Revocation hits tokens in use, not one just issued: a client that
    // re-authenticates after a 401 gets its one retry.
    match sim.roll_fault(uses > 2) {
        Some(kind) => fault_response(&sim, kind, body).await,
        None => json_ok(body()),
    }
}

/// The documented envelope. The links are relative and off by one on
/// purpose: Redox's are not to be trusted, and clients must not follow them.
fn render_page(
    org: &str,
    page: u64,
    count: u64,
    events: &[&crate::world::SimEvent],
    clock: i64,
) -> String {
    let mut out = String::with_capacity(events.len() * 600 + 300);
    let path = format!("/organizations/{org}/audit-events");
    out.push_str(
        &json!({
            "version": "1.0.0",
            "page": {
                "currentPage": page,
                "pageType": "offset",
                "pageSize": count,
                "links": {
                    "self": format!("{path}?_page={}", page + 1),
                    "next": format!("{path}?_page={}&_count={count}", page + 2),
                    "first": format!("{path}?_page=0"),
                }
            }
        })
        .to_string(),
    );
    out.insert_str(0, "{\"meta\":");
    out.push_str(",\"payload\":{\"results\":[");
    for (i, e) in events.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        e.render(clock, &mut out);
    }
    out.push_str("]}}");
    out
}

async fn stats(State(sim): State<Arc<Sim>>) -> Response {
    json_ok(sim.stats().to_string())
}

#[derive(Deserialize)]
struct Advance {
    ms: i64,
}

async fn advance(State(sim): State<Arc<Sim>>, Query(a): Query<Advance>) -> Response {
    sim.advance(a.ms);
    json_ok(sim.stats().to_string())
}

async fn revoke(State(sim): State<Arc<Sim>>) -> Response {
    sim.revoke_tokens();
    json_ok("{\"revoked\":true}".into())
}

pub fn router(sim: Arc<Sim>) -> Router {
    Router::new()
        .route("/v2/auth/token", post(token))
        .route(
            "/platform/v1/organizations/{org}/audit-events",
            get(audit_events),
        )
        .route("/_sim/stats", get(stats))
        .route("/_sim/advance", post(advance))
        .route("/_sim/revoke", post(revoke))
        .with_state(sim)
}
