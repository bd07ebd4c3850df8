//! `sim serve`: a simulated Redox organisation on loopback, for trying the
//! sync by hand and for the tests and benchmarks. Registers one client key:
//! `--public-key FILE`, or `--generate-key FILE` to write a fresh private key
//! for `source add redox --private-key FILE` (a throwaway key for the
//! simulator only; the file is created readable by the owner only).

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use auditdesk_core::Error;
use auditdesk_sim::server::FaultKind;
use auditdesk_sim::{Faults, Sim, SimConfig, WorldSpec, keys};
use clap::Args;

#[derive(Debug, Args)]
pub struct ServeArgs {
    #[arg(long, default_value_t = 8484)]
    port: u16,
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Events in the simulated organisation, ending now
    #[arg(long, default_value_t = 10_000)]
    events: u64,
    /// Days the events are spread over
    #[arg(long, default_value_t = 30)]
    days: i64,
    /// Share of requests that get a fault (0 to 1)
    #[arg(long, default_value_t = 0.0)]
    faults: f64,
    /// Which faults: 429,500,502,504,slow,truncated,revoke
    #[arg(
        long,
        value_delimiter = ',',
        default_value = "429,500,502,504,slow,truncated,revoke"
    )]
    fault_kinds: Vec<String>,
    /// How long a slow response takes
    #[arg(long, default_value_t = 1_500)]
    slow_ms: u64,
    /// Share of events that arrive late (within 30 minutes)
    #[arg(long, default_value_t = 0.005)]
    late: f64,
    /// Requests per rolling window before 429 (0: no limit)
    #[arg(long, default_value_t = 10_000)]
    rate_limit: u32,
    #[arg(long, default_value_t = 300)]
    rate_window_s: u64,
    #[arg(long, default_value_t = 300)]
    token_ttl_s: u64,
    /// Answer audit-event calls with 403 (a non-admin user)
    #[arg(long)]
    forbidden: bool,
    /// Refuse (400) windows starting more than this many days ago (0: no limit)
    #[arg(long, default_value_t = 0)]
    max_history_days: i64,
    #[arg(long, default_value = "4101")]
    org: String,
    #[arg(long, default_value = "sim-client")]
    client_id: String,
    #[arg(long, default_value = "sim-key")]
    key_id: String,
    /// The client's public key (PEM, RSA or P-384)
    #[arg(long, value_name = "FILE", conflicts_with = "generate_key")]
    public_key: Option<PathBuf>,
    /// Generate an RSA key pair and write its private key here
    #[arg(long, value_name = "FILE")]
    generate_key: Option<PathBuf>,
}

fn fault_kind(name: &str) -> Result<FaultKind, Error> {
    FaultKind::parse(name).ok_or_else(|| {
        Error::Invalid(format!(
            "setting --fault-kinds: unknown fault {name:?} (429, 500, 502, 504, slow, truncated, revoke)"
        ))
    })
}

pub fn serve(args: ServeArgs, _json: bool) -> Result<(), Error> {
    if !(0.0..=1.0).contains(&args.faults) || !(0.0..=1.0).contains(&args.late) {
        return Err(Error::Invalid(
            "setting --faults and --late must be between 0 and 1".into(),
        ));
    }
    let public_key_pem = match (&args.public_key, &args.generate_key) {
        (Some(path), _) => std::fs::read_to_string(path).map_err(|source| Error::Io {
            path: path.clone(),
            source,
        })?,
        (None, Some(path)) => {
            let pair = keys::generate_rsa().map_err(|e| Error::Invalid(e.to_string()))?;
            write_private(path, &pair.private_pem)?;
            pair.public_pem
        }
        (None, None) => {
            return Err(Error::Invalid(
                "setting: give the client's --public-key FILE, or --generate-key FILE".into(),
            ));
        }
    };
    let kinds = args
        .fault_kinds
        .iter()
        .map(|k| fault_kind(k.trim()))
        .collect::<Result<Vec<_>, _>>()?;
    let mut world = WorldSpec::recent(
        args.seed,
        args.events,
        chrono::Duration::days(args.days.max(1)),
        chrono::Utc::now(),
    );
    world.late_fraction = args.late;
    let sim = Sim::new(SimConfig {
        world,
        organization_id: args.org.clone(),
        client_id: args.client_id.clone(),
        key_id: args.key_id.clone(),
        public_key_pem,
        faults: Faults {
            rate: args.faults,
            kinds,
            slow_ms: args.slow_ms,
        },
        rate_limit: (args.rate_limit > 0).then(|| {
            (
                args.rate_limit,
                Duration::from_secs(args.rate_window_s.max(1)),
            )
        }),
        token_ttl_s: args.token_ttl_s,
        forbidden: args.forbidden,
        max_history_days: (args.max_history_days > 0).then_some(args.max_history_days),
    })
    .map_err(|e| Error::Invalid(e.to_string()))?;
    let events = sim.world().len();
    let sim = Arc::new(sim);
    auditdesk_sim::runner::serve(sim, &format!("127.0.0.1:{}", args.port), |url| {
        // One line on stdout, so scripts and tests can read where it listens.
        println!(
            "{}",
            serde_json::json!({
                "url": url,
                "organization_id": args.org,
                "client_id": args.client_id,
                "key_id": args.key_id,
                "events": events,
            })
        );
        eprintln!("auditdesk sim: serving {events} events at {url} (Ctrl-C stops)");
    })
    .map_err(|e| Error::Invalid(e.to_string()))
}

fn write_private(path: &std::path::Path, pem: &str) -> Result<(), Error> {
    use std::io::Write as _;
    use std::os::unix::fs::OpenOptionsExt as _;
    let io = |source| Error::Io {
        path: path.to_path_buf(),
        source,
    };
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)
        .map_err(io)?;
    file.write_all(pem.as_bytes()).map_err(io)
}
