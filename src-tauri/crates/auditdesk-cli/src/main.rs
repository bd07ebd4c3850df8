//! `auditdesk`: the command-line shell over auditdesk-core. Each subcommand
//! parses its arguments, makes one core call and prints the result; the
//! exit status follows the contract in DESIGN §9: 0 ok, 1 error, 2 usage,
//! 3 wrong passphrase or locked, 4 integrity failure.

mod commands;
mod passphrase;
mod remote;
mod report;
mod review;
mod sim;

use std::path::PathBuf;
use std::process::ExitCode;

use auditdesk_core::Error;
use clap::{Args, Parser, Subcommand};

// Import allocates a few small values per field of every event; mimalloc
// measurably beats glibc's allocator on that pattern (BENCHMARKS.md).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[derive(Debug, Parser)]
#[command(
    name = "auditdesk",
    version,
    about = "Offline compliance review of audit events"
)]
struct Cli {
    /// The vault directory [default: $AUDITDESK_VAULT, else the platform data dir]
    #[arg(long, global = true, value_name = "DIR")]
    vault: Option<PathBuf>,
    /// Read the passphrase from this file (else $AUDITDESK_PASSPHRASE, else a prompt)
    #[arg(long, global = true, value_name = "FILE")]
    passphrase_file: Option<PathBuf>,
    /// Machine-readable output on stdout
    #[arg(long, global = true)]
    json: bool,
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Create, re-key, verify or lock the vault
    #[command(subcommand)]
    Vault(VaultCommand),
    /// Import events from an NDJSON, JSON or CSV file (one transaction)
    Import(ImportArgs),
    /// Search events (empty query: everything), newest first
    Search(SearchArgs),
    /// Show one event with its raw JSON and status history
    Show(ShowArgs),
    /// Write a query's whole result to a CSV, XLSX or JSON file
    Export(ExportArgs),
    /// Bookmark events with a note and tags
    #[command(subcommand)]
    Bookmark(BookmarkCommand),
    /// Cases: named investigations that hold bookmarks
    #[command(subcommand)]
    Case(CaseCommand),
    /// Saved searches
    #[command(subcommand)]
    Saved(SavedCommand),
    /// The reviewer-activity log: who unlocked, searched, viewed, exported
    Activity(ActivityArgs),
    /// Dashboard figures for a time range
    Dashboard(DashboardArgs),
    /// Compliance reports: generate, list, verify, delete
    #[command(subcommand)]
    Report(ReportCommand),
    /// Add, list, test or remove Redox connections (and the embedded demo)
    #[command(subcommand)]
    Source(SourceCommand),
    /// Sync events from the Redox sources (all of them, or --source)
    Sync(SyncArgs),
    /// The Redox API simulator
    #[command(subcommand)]
    Sim(SimCommand),
}

#[derive(Debug, Subcommand)]
enum SourceCommand {
    /// Add a connection
    #[command(subcommand)]
    Add(AddSource),
    /// List sources with their last sync
    List,
    /// Get a token and one page of events, writing nothing
    Test { name: String },
    /// Forget a connection and its private key (its events stay)
    Remove { name: String },
}

#[derive(Debug, Subcommand)]
enum AddSource {
    /// A Redox organization, through a user-level API key (signed JWT)
    Redox {
        #[arg(long)]
        name: String,
        /// The organization id
        #[arg(long)]
        org: String,
        #[arg(long)]
        client_id: String,
        /// The key id (kid) the public key was registered under
        #[arg(long)]
        key_id: String,
        /// The private key: a PEM file (or the PEM text itself); stored inside the vault
        #[arg(long, value_name = "PEM")]
        private_key: String,
        #[arg(long, default_value = auditdesk_core::sources::redox::DEFAULT_HOST)]
        host: String,
        /// Override a client or sync setting, e.g. --set overlap_s=7200 (repeatable)
        #[arg(long = "set", value_name = "KEY=VALUE")]
        settings: Vec<String>,
    },
    /// The embedded demo: a simulated organisation served on loopback
    Demo {
        #[arg(long, default_value = "demo")]
        name: String,
    },
}

#[derive(Debug, Args)]
struct SyncArgs {
    /// Only this source
    #[arg(long)]
    source: Option<String>,
    /// Start here (a date or RFC 3339 time) instead of the watermark or the 90-day lookback
    #[arg(long, value_name = "DATE")]
    since: Option<String>,
    /// Override a setting for this run, e.g. --set concurrency=8 (repeatable)
    #[arg(long = "set", value_name = "KEY=VALUE")]
    settings: Vec<String>,
}

#[derive(Debug, Subcommand)]
enum SimCommand {
    /// Serve a simulated Redox organisation over HTTP on loopback
    Serve(sim::ServeArgs),
}

#[derive(Debug, Subcommand)]
enum VaultCommand {
    /// Create a new vault
    Init {
        /// Also keep the key in the OS keychain ("remember on this device")
        #[arg(long)]
        remember: bool,
    },
    /// Change the passphrase (new one from $AUDITDESK_NEW_PASSPHRASE, --new-passphrase-file or a prompt)
    Rekey {
        #[arg(long, value_name = "FILE")]
        new_passphrase_file: Option<PathBuf>,
    },
    /// Check page HMACs, database structure and the event hash chain
    Verify,
    /// Forget the key remembered in the OS keychain
    Lock,
    /// Remember the key in the OS keychain so this device opens the vault without a passphrase
    Remember,
    /// What the vault holds
    Info,
}

#[derive(Debug, Args)]
struct ImportArgs {
    file: PathBuf,
    /// ndjson, json or csv [default: from the extension, else the content]
    #[arg(long, value_parser = ["ndjson", "jsonl", "json", "csv"])]
    format: Option<String>,
    /// The source the events belong to [default: import]
    #[arg(long)]
    source: Option<String>,
}

#[derive(Debug, Args)]
struct SearchArgs {
    /// The query; empty matches every event (a leading `-` negates, as in `-status:successful`)
    #[arg(default_value = "", allow_hyphen_values = true)]
    query: String,
    #[command(flatten)]
    page: PageArgs,
    /// Print only the number of matching events
    #[arg(long)]
    count: bool,
}

#[derive(Debug, Args)]
struct PageArgs {
    #[arg(long, default_value_t = auditdesk_core::search::DEFAULT_LIMIT)]
    limit: u32,
    #[arg(long, default_value_t = 0)]
    offset: u64,
    /// Continue after this cursor (a previous page's next_cursor) instead of --offset
    #[arg(long, value_name = "CURSOR")]
    after: Option<String>,
    /// Sort by occurred_at, type, category, severity, outcome, user, ip, resource, source or id; `-F` or `F:desc` descending
    #[arg(
        long,
        value_name = "FIELD",
        default_value = "occurred_at:desc",
        allow_hyphen_values = true
    )]
    sort: String,
    /// Also count matches by category, severity, outcome, type, user and day
    #[arg(long)]
    facets: bool,
}

#[derive(Debug, Args)]
struct ExportArgs {
    /// The query; empty exports every event
    #[arg(default_value = "", allow_hyphen_values = true)]
    query: String,
    /// csv, xlsx or json [default: from the --out extension]
    #[arg(long)]
    format: Option<String>,
    #[arg(long, value_name = "FILE")]
    out: PathBuf,
    /// Mask e-mail addresses and IP addresses
    #[arg(long)]
    redact: bool,
    #[arg(
        long,
        value_name = "FIELD",
        default_value = "occurred_at:desc",
        allow_hyphen_values = true
    )]
    sort: String,
}

#[derive(Debug, Subcommand)]
enum BookmarkCommand {
    /// Bookmark an event (again: replace the note, add tags and cases)
    Add {
        id: String,
        #[arg(long)]
        note: Option<String>,
        #[arg(long = "tag")]
        tags: Vec<String>,
        /// File the bookmark in this case
        #[arg(long)]
        case: Option<String>,
        /// The source, when the same id exists in several
        #[arg(long)]
        source: Option<String>,
    },
    /// List bookmarks (those of one case with --case)
    List {
        #[arg(long)]
        case: Option<String>,
    },
    /// Remove the bookmark on an event
    Remove {
        id: String,
        #[arg(long)]
        source: Option<String>,
    },
}

#[derive(Debug, Subcommand)]
enum CaseCommand {
    /// Open a new case
    Create {
        name: String,
        #[arg(long, default_value = "")]
        description: String,
    },
    /// List cases
    List,
    /// A case and its timeline
    Show { name: String },
    /// Close a case
    Close { name: String },
    /// Reopen a closed case
    Reopen { name: String },
    /// Write case.json, events.csv and MANIFEST.sha256 into a new folder
    Export {
        name: String,
        #[arg(long, value_name = "DIR")]
        out: PathBuf,
    },
}

#[derive(Debug, Subcommand)]
enum SavedCommand {
    /// Save (or replace) a named query
    Add {
        name: String,
        #[arg(allow_hyphen_values = true)]
        query: String,
    },
    /// List saved searches
    List,
    /// Run a saved search
    Run {
        name: String,
        #[command(flatten)]
        page: PageArgs,
    },
    /// Remove a saved search
    Remove { name: String },
}

#[derive(Debug, Subcommand)]
enum ReportCommand {
    /// Generate a PDF report (kept in the vault; --out saves a copy)
    Generate {
        /// sox, gdpr, hipaa, iso27001, pci or custom
        #[arg(long = "type")]
        report_type: String,
        /// A calendar quarter, e.g. 2026Q3
        #[arg(long, conflicts_with_all = ["from", "to"], required_unless_present = "from")]
        quarter: Option<String>,
        /// First day (YYYY-MM-DD, UTC), with --to
        #[arg(long, requires = "to")]
        from: Option<String>,
        /// Last day, included
        #[arg(long, requires = "from")]
        to: Option<String>,
        #[arg(long)]
        name: Option<String>,
        /// Narrow the events with a search query
        #[arg(long, allow_hyphen_values = true, default_value = "")]
        query: String,
        /// The generation time printed in the report (RFC 3339): the same vault and arguments give the same bytes
        #[arg(long, value_name = "DATETIME")]
        as_of: Option<String>,
        #[arg(long, value_name = "FILE.pdf")]
        out: PathBuf,
    },
    /// List the reports kept in the vault
    List,
    /// Recompute a report's evidence manifest from the vault (exit 4 when it differs)
    Verify { file: PathBuf },
    /// Delete reports by id (all named, or none)
    Delete {
        #[arg(required = true)]
        ids: Vec<i64>,
    },
}

#[derive(Debug, Args)]
struct ActivityArgs {
    /// Only the newest N entries
    #[arg(long)]
    limit: Option<u32>,
}

#[derive(Debug, Args)]
struct DashboardArgs {
    /// 24h, 7d or 30d (ending now, or at the newest event when the vault is older)
    #[arg(long, default_value = "7d")]
    range: String,
    /// A custom range start (date or RFC 3339), with --to
    #[arg(long, requires = "to")]
    from: Option<String>,
    /// A custom range end, exclusive (a date means the start of that day)
    #[arg(long, requires = "from")]
    to: Option<String>,
}

#[derive(Debug, Args)]
struct ShowArgs {
    /// The source event id
    id: String,
    /// The source, when the same id exists in several
    #[arg(long)]
    source: Option<String>,
}

/// Exit status for a core error, per the CLI contract.
fn exit_code(error: &Error) -> u8 {
    match error {
        Error::WrongPassphrase(_) | Error::Locked(_) => 3,
        Error::Integrity(_) | Error::Evidence(_) => 4,
        Error::Query { .. } => 2,
        Error::Invalid(m) if m.starts_with("cannot sort by") => 2,
        // A setting the user typed wrong is a usage error too.
        Error::Invalid(m) if m.starts_with("setting ") || m.starts_with("unknown setting") => 2,
        _ => 1,
    }
}

/// The query a command was given on the command line, to point at a query
/// error's position in it.
fn typed_query(command: &Command) -> Option<String> {
    match command {
        Command::Search(a) => Some(a.query.clone()),
        Command::Export(a) => Some(a.query.clone()),
        _ => None,
    }
}

/// The query with a caret under the character a query error points at.
fn caret(query: &str, position: usize) -> String {
    let shown: String = query
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    format!("  {shown}\n  {}^", " ".repeat(position))
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    // One command per process: searches read SQLite directly rather than
    // building the in-memory columns a long-lived app keeps.
    auditdesk_core::search::keep_in_memory(false);
    let json = cli.json;
    let query = typed_query(&cli.command);
    match commands::run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            if json {
                let mut body = serde_json::json!({"error": {"code": error.code(), "message": error.to_string()}});
                if let Error::Integrity(report) = &error {
                    body["report"] = serde_json::to_value(report).unwrap_or_default();
                }
                println!("{body}");
            }
            eprintln!("auditdesk: {error}");
            if let (Error::Query { position, .. }, Some(query)) = (&error, &query) {
                eprintln!("{}", caret(query, *position));
            }
            ExitCode::from(exit_code(&error))
        }
    }
}
