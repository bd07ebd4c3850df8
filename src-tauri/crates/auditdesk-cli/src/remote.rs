//! `source` and `sync`: Redox connections and syncing them. A demo source
//! gets its simulator started here, in-process on loopback, for the length
//! of the call; everything else is one core call per source.

use std::path::Path;

use auditdesk_core::Error;
use auditdesk_core::sources::redox::{RedoxConfig, Settings};
use auditdesk_core::sources::{self, KIND_REDOX};
use auditdesk_core::sync::{self, SyncOptions, SyncRun};
use auditdesk_sim::demo;
use serde::Serialize;
use zeroize::Zeroizing;

use crate::commands::{open, output, progress_bar};
use crate::{AddSource, SourceCommand, SyncArgs};

pub fn source(
    command: SourceCommand,
    dir: &Path,
    pass_file: Option<&Path>,
    json: bool,
) -> Result<(), Error> {
    match command {
        SourceCommand::Add(AddSource::Redox {
            name,
            org,
            client_id,
            key_id,
            private_key,
            host,
            settings: assignments,
        }) => {
            let pem = read_private_key(&private_key)?;
            let mut settings = Settings::default();
            for a in &assignments {
                settings.set(a)?;
            }
            let config = RedoxConfig {
                host: host.trim_end_matches('/').to_string(),
                organization_id: org,
                client_id,
                key_id,
                private_key_pem: pem,
                settings,
            };
            let vault = open(dir, pass_file)?;
            let added = sources::add_redox(vault.conn(), &name, KIND_REDOX, &config, None)?;
            output(json, &added, || {
                format!(
                    "Added Redox source {:?} ({}); its private key is kept inside the vault",
                    added.name, config.host
                )
            })
        }
        SourceCommand::Add(AddSource::Demo { name }) => {
            let vault = open(dir, pass_file)?;
            let added = demo::add_source(&vault, &name, chrono::Utc::now())?;
            output(json, &added, || {
                format!(
                    "Added demo source {:?}: a simulated organisation of the last {} days, served on loopback when it syncs",
                    added.name,
                    demo::DEMO_DAYS
                )
            })
        }
        SourceCommand::List => {
            let vault = open(dir, pass_file)?;
            let list = sources::list(vault.conn())?;
            output(json, &list, || render_sources(&list))
        }
        SourceCommand::Test { name } => {
            let vault = open(dir, pass_file)?;
            // Kept alive until the test is done.
            let sim = demo::serve(&vault, &name)?;
            let host = sim.as_ref().map(|s| s.url.clone());
            let result = sync::test_connection(&vault, &name, host.as_deref())?;
            output(json, &result, || {
                format!(
                    "Source {:?}: token ok ({:?}), first page of the last day holds {} events ({} requests to {})",
                    result.source,
                    result.algorithm,
                    result.first_page_events,
                    result.requests,
                    result.host
                )
            })
        }
        SourceCommand::Remove { name } => {
            let vault = open(dir, pass_file)?;
            let removed = sources::remove(vault.conn(), &name)?;
            output(json, &removed, || {
                if removed.events_kept > 0 {
                    format!(
                        "Removed source {:?} and its credentials; its {} events stay in the vault",
                        removed.name, removed.events_kept
                    )
                } else {
                    format!("Removed source {:?}", removed.name)
                }
            })
        }
    }
}

/// `--private-key` is a file, or the PEM itself.
fn read_private_key(value: &str) -> Result<Zeroizing<String>, Error> {
    if value.trim_start().starts_with("-----BEGIN") {
        return Ok(Zeroizing::new(value.to_string()));
    }
    let text = std::fs::read_to_string(value).map_err(|source| Error::Io {
        path: value.into(),
        source,
    })?;
    Ok(Zeroizing::new(text))
}

#[derive(Debug, Serialize)]
struct SourceSync {
    source: String,
    runs: Vec<SyncRun>,
}

#[derive(Debug, Serialize)]
struct SyncSummary {
    sources: Vec<SourceSync>,
    events: u64,
    new: u64,
    updated: u64,
    unchanged: u64,
}

pub fn sync(args: SyncArgs, dir: &Path, pass_file: Option<&Path>, json: bool) -> Result<(), Error> {
    let since = args
        .since
        .as_deref()
        .map(|text| {
            sources::import::time::parse_timestamp(text).ok_or_else(|| {
                Error::Invalid(format!(
                    "--since {text:?} is not a date (like 2026-07-01) or an RFC 3339 time"
                ))
            })
        })
        .transpose()?;
    let mut vault = open(dir, pass_file)?;
    let names = match args.source {
        Some(name) => vec![name],
        None => sources::syncable(vault.conn())?,
    };
    if names.is_empty() {
        return Err(Error::Invalid(
            "no Redox source to sync; add one with `auditdesk source add redox` (or `source add demo`)"
                .into(),
        ));
    }
    let mut summary = SyncSummary {
        sources: Vec::new(),
        events: 0,
        new: 0,
        updated: 0,
        unchanged: 0,
    };
    for name in names {
        let sim = demo::serve(&vault, &name)?;
        let options = SyncOptions {
            since,
            overrides: args.settings.clone(),
            host: sim.as_ref().map(|s| s.url.clone()),
        };
        let bar = progress_bar(json);
        if let Some(bar) = &bar {
            bar.set_length(1000);
        }
        let runs = sync::sync_source(&mut vault, &name, &options, &mut |p| {
            if let Some(bar) = &bar {
                bar.set_position((p.fraction * 1000.0) as u64);
                bar.set_message(format!(
                    "{}: {} pages, {} new, {} updated, {:.0} events/s{}",
                    p.source,
                    p.pages,
                    p.new,
                    p.updated,
                    p.events_per_second,
                    p.eta_seconds
                        .map(|s| format!(", eta {s:.0} s"))
                        .unwrap_or_default()
                ));
            }
        });
        if let Some(bar) = bar {
            bar.finish_and_clear();
        }
        let runs = runs?;
        for r in &runs {
            summary.events += r.events;
            summary.new += r.new;
            summary.updated += r.updated;
            summary.unchanged += r.unchanged;
        }
        summary.sources.push(SourceSync { source: name, runs });
    }
    output(json, &summary, || render_sync(&summary))
}

fn render_sync(summary: &SyncSummary) -> String {
    let mut out = String::new();
    for s in &summary.sources {
        if s.runs.is_empty() {
            out.push_str(&format!("{}: nothing to sync yet\n", s.source));
        }
        for r in &s.runs {
            out.push_str(&format!(
                "{}: {} → {}: {} pages, {} events ({} new, {} updated, {} unchanged), {} requests, {} retries{}\n",
                s.source,
                r.window_start.format("%Y-%m-%d %H:%M:%S"),
                r.window_stop.format("%Y-%m-%d %H:%M:%S"),
                r.pages,
                r.events,
                r.new,
                r.updated,
                r.unchanged,
                r.requests,
                r.retries,
                if r.resumes > 0 { " (resumed)" } else { "" }
            ));
        }
    }
    out.push_str(&format!(
        "synced: {} new, {} updated, {} unchanged",
        summary.new, summary.updated, summary.unchanged
    ));
    out
}

fn render_sources(list: &[sources::SourceInfo]) -> String {
    if list.is_empty() {
        return "no sources yet; add one with `auditdesk source add redox` or `source add demo`"
            .into();
    }
    let mut out = String::new();
    for s in list {
        out.push_str(&format!("{}  [{}]  {} events", s.name, s.kind, s.events));
        if let Some(host) = &s.host {
            out.push_str(&format!("  {host}"));
        }
        if let Some(org) = &s.organization_id {
            out.push_str(&format!("  org {org}"));
        }
        out.push('\n');
        if let Some(w) = &s.watermark {
            out.push_str(&format!(
                "    synced up to {}\n",
                w.format("%Y-%m-%d %H:%M:%S UTC")
            ));
        }
        if let Some(r) = &s.last_run {
            out.push_str(&format!(
                "    last sync {} ({:?}): {} events, {} new, {} updated{}\n",
                r.started_at.format("%Y-%m-%d %H:%M:%S UTC"),
                r.status,
                r.events,
                r.new,
                r.updated,
                r.error
                    .as_deref()
                    .map(|e| format!("; error: {e}"))
                    .unwrap_or_default()
            ));
        }
    }
    out.trim_end().to_string()
}
