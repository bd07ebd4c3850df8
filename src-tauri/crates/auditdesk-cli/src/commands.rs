//! One function per subcommand: arguments in, one core call, output out.

use std::io::{IsTerminal as _, Write as _};
use std::path::{Path, PathBuf};

use auditdesk_core::sources::import::{self, Format, ImportOptions};
use auditdesk_core::vault::{SystemKeychain, Vault};
use auditdesk_core::{Error, events, integrity, overview};
use serde::Serialize;

use crate::passphrase;
use crate::{Cli, Command, SimCommand, VaultCommand};

pub fn run(cli: Cli) -> Result<(), Error> {
    let dir = vault_dir(cli.vault)?;
    let pass_file = cli.passphrase_file.as_deref();
    let json = cli.json;
    match cli.command {
        Command::Vault(VaultCommand::Init { remember }) => {
            let secret = passphrase::new(passphrase::ENV, pass_file, "New vault passphrase")?;
            // Fail before creating anything if "remember" cannot be honoured.
            if remember {
                require_os_keychain()?;
            }
            drop(Vault::init(&dir, &secret)?);
            if remember {
                Vault::remember(&dir, &secret, &SystemKeychain)?;
            }
            output(
                json,
                &serde_json::json!({"vault": dir, "created": true, "remembered": remember}),
                || format!("Created an encrypted vault at {}", dir.display()),
            )
        }
        Command::Vault(VaultCommand::Rekey {
            new_passphrase_file,
        }) => {
            let old = passphrase::existing(pass_file, &dir)?;
            // Check the old one before asking for a new one.
            Vault::unwrap_key(&dir, &old)?;
            let new = passphrase::new(
                passphrase::NEW_ENV,
                new_passphrase_file.as_deref(),
                "New passphrase",
            )?;
            Vault::rekey(&dir, &old, &new)?;
            output(
                json,
                &serde_json::json!({"vault": dir, "rekeyed": true}),
                || "Passphrase changed; the data key was re-wrapped".to_string(),
            )
        }
        Command::Vault(VaultCommand::Verify) => {
            let vault = open(&dir, pass_file)?;
            let report = integrity::verify(vault.conn())?;
            if !report.is_ok() {
                return Err(Error::Integrity(Box::new(report)));
            }
            output(json, &report, || report.to_string())
        }
        Command::Vault(VaultCommand::Lock) => {
            use_os_keychain();
            let forgot = Vault::forget(&dir, &SystemKeychain)?;
            output(
                json,
                &serde_json::json!({"vault": dir, "locked": true, "forgot_remembered_key": forgot}),
                || {
                    if forgot {
                        "Locked: the key remembered on this device was removed".to_string()
                    } else {
                        "Locked: nothing was remembered on this device; the passphrase is needed to open it".to_string()
                    }
                },
            )
        }
        Command::Vault(VaultCommand::Remember) => {
            require_os_keychain()?;
            let secret = passphrase::existing(pass_file, &dir)?;
            Vault::remember(&dir, &secret, &SystemKeychain)?;
            output(
                json,
                &serde_json::json!({"vault": dir, "remembered": true}),
                || "The vault key is now remembered in this device's keychain".to_string(),
            )
        }
        Command::Vault(VaultCommand::Info) => {
            let vault = open(&dir, pass_file)?;
            let info = overview::overview(vault.conn())?;
            output(json, &info, || render_overview(&dir, &info))
        }
        Command::Import(args) => {
            let format = args
                .format
                .as_deref()
                .map(|f| {
                    Format::parse(f).ok_or_else(|| {
                        Error::Invalid(format!("unknown format {f:?} (ndjson, json or csv)"))
                    })
                })
                .transpose()?;
            let mut vault = open(&dir, pass_file)?;
            let options = ImportOptions {
                format,
                source: args.source,
            };
            let bar = progress_bar(json);
            let summary =
                import::import_file_with_progress(&mut vault, &args.file, &options, &mut |p| {
                    if let Some(bar) = &bar {
                        bar.set_length(p.bytes_total);
                        bar.set_position(p.bytes_read);
                        bar.set_message(format!("{} records", p.records));
                    }
                })?;
            if let Some(bar) = bar {
                bar.finish_and_clear();
            }
            output(json, &summary, || {
                format!(
                    "Imported {} ({}) into source {:?}: {} records, {} new, {} updated, {} unchanged",
                    summary.file,
                    summary.format.as_str(),
                    summary.source,
                    summary.records,
                    summary.new,
                    summary.updated,
                    summary.unchanged
                )
            })
        }
        Command::Search(args) => crate::review::search(args, &dir, pass_file, json),
        Command::Show(args) => {
            let vault = open(&dir, pass_file)?;
            let detail = events::view(vault.conn(), &args.id, args.source.as_deref())?;
            output(json, &detail, || render_detail(&detail))
        }
        Command::Export(args) => crate::review::export(args, &dir, pass_file, json),
        Command::Bookmark(command) => crate::review::bookmark(command, &dir, pass_file, json),
        Command::Case(command) => crate::review::case(command, &dir, pass_file, json),
        Command::Saved(command) => crate::review::saved(command, &dir, pass_file, json),
        Command::Activity(args) => crate::review::activity(args, &dir, pass_file, json),
        Command::Dashboard(args) => crate::review::dashboard(args, &dir, pass_file, json),
        Command::Report(command) => crate::report::report(command, &dir, pass_file, json),
        Command::Source(command) => crate::remote::source(command, &dir, pass_file, json),
        Command::Sync(args) => crate::remote::sync(args, &dir, pass_file, json),
        Command::Sim(SimCommand::Serve(args)) => crate::sim::serve(args, json),
    }
}

/// A progress bar on stderr, only when a person is watching it.
pub(crate) fn progress_bar(json: bool) -> Option<indicatif::ProgressBar> {
    if json || !std::io::stderr().is_terminal() {
        return None;
    }
    let bar = indicatif::ProgressBar::new(0);
    let style = indicatif::ProgressStyle::with_template(
        "{bar:30} {bytes}/{total_bytes}  {msg}  {elapsed} (eta {eta})",
    )
    .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar());
    bar.set_style(style);
    Some(bar)
}

/// `--vault`, else `$AUDITDESK_VAULT`, else the platform data directory.
fn vault_dir(flag: Option<PathBuf>) -> Result<PathBuf, Error> {
    match flag {
        Some(dir) => Ok(dir),
        None => auditdesk_core::vault::default_dir(),
    }
}

/// Installs the platform keychain as the credential store. Only commands
/// that use the keychain pay for connecting to it.
fn use_os_keychain() {
    // Initialisation failure is remembered by keyring and surfaces as
    // "no OS keychain" on first use, which the core reports fail-closed.
    let _ = keyring::Entry::store_status();
}

fn require_os_keychain() -> Result<(), Error> {
    keyring::Entry::store_status()
        .as_ref()
        .map_err(|e| Error::Keychain(format!("no OS keychain is available on this machine: {e}")))
        .copied()
}

/// Opens with the passphrase if one was given; else with the key remembered
/// in the keychain; else by prompting.
pub(crate) fn open(dir: &Path, pass_file: Option<&Path>) -> Result<Vault, Error> {
    if let Some(secret) = passphrase::given(passphrase::ENV, pass_file)? {
        return Vault::open(dir, &secret);
    }
    if Vault::read_header(dir)?.keychain.is_some() {
        use_os_keychain();
        match Vault::open_remembered(dir, &SystemKeychain) {
            Ok(vault) => return Ok(vault),
            Err(Error::Locked(why)) if !passphrase::can_prompt() => {
                return Err(Error::Locked(why));
            }
            Err(Error::Locked(_)) => {}
            Err(other) => return Err(other),
        }
    }
    let secret = passphrase::existing(pass_file, dir)?;
    Vault::open(dir, &secret)
}

fn to_json<T: Serialize>(value: &T) -> Result<String, Error> {
    serde_json::to_string_pretty(value).map_err(|e| Error::Invalid(e.to_string()))
}

pub(crate) fn output<T: Serialize>(
    json: bool,
    value: &T,
    human: impl FnOnce() -> String,
) -> Result<(), Error> {
    let text = if json { to_json(value)? } else { human() };
    let mut stdout = std::io::stdout().lock();
    // A closed pipe (`| head`) is not an error worth a non-zero exit.
    let _ = writeln!(stdout, "{text}");
    Ok(())
}

fn render_detail(d: &events::EventDetail) -> String {
    let e = &d.event.event;
    let mut out = String::new();
    let mut line = |k: &str, v: Option<&str>| {
        if let Some(v) = v {
            out.push_str(&format!("{k:<14} {v}\n"));
        }
    };
    line("id", Some(&e.event_id));
    line("source", Some(&d.event.source));
    line(
        "occurred at",
        Some(
            &e.occurred_at
                .to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
        ),
    );
    line("type", Some(&e.event_type));
    line("category", Some(&e.category));
    line("severity", Some(e.severity.as_str()));
    line("outcome", Some(&e.outcome));
    line("user id", e.body.actor.user_id.as_deref());
    line("user email", e.body.actor.email.as_deref());
    line("user name", e.body.actor.name.as_deref());
    line("user role", e.body.actor.role.as_deref());
    line("ip", e.body.ip.as_deref());
    line("route", e.body.route.as_deref());
    line("resource type", e.body.resource_type.as_deref());
    line("resource id", e.body.resource_id.as_deref());
    line("resource name", e.body.resource_name.as_deref());
    line("action", e.body.action.as_deref());
    line("description", e.body.description.as_deref());
    line("request id", e.body.request_id.as_deref());
    line("session id", e.body.session_id.as_deref());
    line("stack", e.body.stack.as_deref());
    line("region", e.body.region.as_deref());
    line("org id", e.body.org_id.as_deref());
    line("env id", e.body.env_id.as_deref());
    let tags = e.body.tags.join(", ");
    line("tags", (!tags.is_empty()).then_some(tags.as_str()));
    line("content hash", Some(&d.event.content_hash));
    out.push_str("status history:\n");
    for s in &d.status_history {
        out.push_str(&format!(
            "  {}  {}\n",
            s.observed_at
                .to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
            s.status
        ));
    }
    if let Some(details) = &e.body.details {
        out.push_str("details:\n");
        out.push_str(&serde_json::to_string_pretty(details).unwrap_or_default());
        out.push('\n');
    }
    out.push_str("raw:\n");
    out.push_str(&serde_json::to_string_pretty(&e.body.raw).unwrap_or_default());
    out
}

fn render_overview(dir: &Path, o: &overview::Overview) -> String {
    let mut out = format!(
        "vault {}\n  events {}  (versions {}, imports {}, schema v{})\n",
        dir.display(),
        o.events,
        o.versions,
        o.imports,
        o.schema_version
    );
    if let (Some(first), Some(last)) = (&o.first_event_at, &o.last_event_at) {
        out.push_str(&format!("  from {first} to {last}\n"));
    }
    let mut group = |title: &str, rows: &[(String, u64)]| {
        out.push_str(&format!("  {title}:"));
        if rows.is_empty() {
            out.push_str("  none");
        }
        for (k, n) in rows {
            out.push_str(&format!("  {k} {n}"));
        }
        out.push('\n');
    };
    group("sources", &o.by_source);
    group("severity", &o.by_severity);
    group("outcome", &o.by_outcome);
    group("category", &o.by_category);
    out.trim_end().to_string()
}
