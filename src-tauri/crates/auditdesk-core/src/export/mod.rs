//! Exports of a query's whole result (CSV, XLSX, JSON), streamed row by row
//! from the vault, optionally with e-mail and IP addresses masked; and case
//! bundles with a SHA-256 manifest. An export is the one way event data
//! leaves the vault in plaintext, so it happens only when asked, is written
//! to a partial file renamed into place, and is recorded in the
//! reviewer-activity log.

mod case;
pub mod redact;
mod xlsx;

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

use serde::Serialize;
use sha2::{Digest, Sha256};

pub use case::{CaseBundle, export_case};

use crate::activity::{self, Action};
use crate::domain::StoredEvent;
use crate::error::{Error, Result};
use crate::search::{self, Query, SearchHit, Sort};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "lowercase")]
pub enum Format {
    Csv,
    Xlsx,
    Json,
}

impl Format {
    pub fn parse(text: &str) -> Option<Format> {
        match text.to_ascii_lowercase().as_str() {
            "csv" => Some(Format::Csv),
            "xlsx" | "excel" => Some(Format::Xlsx),
            "json" => Some(Format::Json),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Options {
    pub sort: Sort,
    pub redact: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[cfg_attr(feature = "ts", ts(rename = "ExportSummary"))]
pub struct Summary {
    pub file: PathBuf,
    pub format: Format,
    pub query: String,
    pub events: u64,
    pub redacted: bool,
    pub sha256: String,
}

/// The columns of a CSV or XLSX export, in order: the fields of a search
/// result (`search --json`), tags joined with `; `, details as JSON.
pub const COLUMNS: [&str; 25] = [
    "id",
    "source",
    "occurred_at",
    "type",
    "category",
    "severity",
    "outcome",
    "user",
    "user_id",
    "user_email",
    "user_name",
    "user_role",
    "ip",
    "route",
    "resource_type",
    "resource_id",
    "resource_name",
    "action",
    "description",
    "request_id",
    "session_id",
    "org_id",
    "env_id",
    "tags",
    "details",
];

/// A result row as export writes it: the search hit, masked if asked.
pub(crate) fn hit(event: StoredEvent, redacted: bool) -> SearchHit {
    let mut hit = SearchHit::from(event);
    if redacted {
        let mask = |v: &mut Option<String>| {
            if let Some(s) = v {
                *s = redact::text(s);
            }
        };
        for field in [
            &mut hit.user,
            &mut hit.user_id,
            &mut hit.user_email,
            &mut hit.user_name,
            &mut hit.user_role,
            &mut hit.route,
            &mut hit.resource_type,
            &mut hit.resource_id,
            &mut hit.resource_name,
            &mut hit.action,
            &mut hit.description,
            &mut hit.request_id,
            &mut hit.session_id,
            &mut hit.org_id,
            &mut hit.env_id,
        ] {
            mask(field);
        }
        // An IP column holds an address even when it does not parse as one.
        if hit.ip.as_deref().is_some_and(|ip| !ip.is_empty()) {
            hit.ip = Some(redact::IP.to_string());
        }
        if hit.user_email.as_deref().is_some_and(|e| !e.is_empty()) {
            hit.user_email = Some(redact::EMAIL.to_string());
        }
        for tag in &mut hit.tags {
            *tag = redact::text(tag);
        }
        if let Some(details) = &mut hit.details {
            redact::json(details);
        }
    }
    hit
}

/// The row's cells, as text, in `COLUMNS` order.
pub(crate) fn cells(hit: &SearchHit) -> [String; 25] {
    let s = |v: &Option<String>| v.clone().unwrap_or_default();
    [
        hit.id.clone(),
        hit.source.clone(),
        hit.occurred_at.clone(),
        hit.event_type.clone(),
        hit.category.clone(),
        hit.severity.clone(),
        hit.outcome.clone(),
        s(&hit.user),
        s(&hit.user_id),
        s(&hit.user_email),
        s(&hit.user_name),
        s(&hit.user_role),
        s(&hit.ip),
        s(&hit.route),
        s(&hit.resource_type),
        s(&hit.resource_id),
        s(&hit.resource_name),
        s(&hit.action),
        s(&hit.description),
        s(&hit.request_id),
        s(&hit.session_id),
        s(&hit.org_id),
        s(&hit.env_id),
        hit.tags.join("; "),
        hit.details
            .as_ref()
            .map(crate::integrity::canonical_string)
            .unwrap_or_default(),
    ]
}

/// Writes the query's whole result to `out` and records the export.
pub fn export(
    conn: &rusqlite::Connection,
    query: &Query,
    format: Format,
    options: &Options,
    out: &Path,
) -> Result<Summary> {
    let events = write_atomically(out, |file| match format {
        Format::Csv => write_csv(conn, query, options, file),
        Format::Json => write_json(conn, query, options, file),
        Format::Xlsx => xlsx::write(conn, query, options, file),
    })?;
    let sha256 = sha256_file(out)?;
    activity::record(
        conn,
        Action::Export,
        &query.text,
        serde_json::json!({
            "format": format, "events": events, "redacted": options.redact,
            "file": out.display().to_string(), "sha256": sha256,
        }),
    )?;
    Ok(Summary {
        file: out.to_path_buf(),
        format,
        query: query.text.clone(),
        events,
        redacted: options.redact,
        sha256,
    })
}

/// Writes through `<out>.partial`, renamed over `out` only when complete,
/// so a failed export never leaves a truncated file looking finished.
pub(crate) fn write_atomically(
    out: &Path,
    write: impl FnOnce(&Path) -> Result<u64>,
) -> Result<u64> {
    let mut partial = out.as_os_str().to_owned();
    partial.push(".partial");
    let partial = PathBuf::from(partial);
    let result = write(&partial).and_then(|n| {
        std::fs::rename(&partial, out).map_err(Error::io(out))?;
        Ok(n)
    });
    if result.is_err() {
        let _ = std::fs::remove_file(&partial);
    }
    result
}

fn create(path: &Path) -> Result<BufWriter<File>> {
    Ok(BufWriter::new(File::create(path).map_err(Error::io(path))?))
}

pub(crate) fn write_csv(
    conn: &rusqlite::Connection,
    query: &Query,
    options: &Options,
    path: &Path,
) -> Result<u64> {
    let mut w = csv::Writer::from_writer(create(path)?);
    let csv_err = |e: csv::Error| Error::Invalid(format!("writing {}: {e}", path.display()));
    w.write_record(COLUMNS).map_err(csv_err)?;
    let n = search::for_each(conn, query, &options.sort, |event| {
        w.write_record(cells(&hit(event, options.redact)))
            .map_err(csv_err)
    })?;
    let mut inner = w
        .into_inner()
        .map_err(|e| Error::Invalid(format!("writing {}: {e}", path.display())))?;
    inner.flush().map_err(Error::io(path))?;
    inner.get_ref().sync_all().map_err(Error::io(path))?;
    Ok(n)
}

/// A JSON array of search results (the objects `search --json` prints).
fn write_json(
    conn: &rusqlite::Connection,
    query: &Query,
    options: &Options,
    path: &Path,
) -> Result<u64> {
    let mut w = create(path)?;
    let io = Error::io(path);
    let mut first = true;
    let mut failure: Option<std::io::Error> = None;
    w.write_all(b"[").map_err(Error::io(path))?;
    let n = search::for_each(conn, query, &options.sort, |event| {
        let row = hit(event, options.redact);
        let sep: &[u8] = if first { b"\n" } else { b",\n" };
        first = false;
        let written = w
            .write_all(sep)
            .and_then(|()| serde_json::to_writer(&mut w, &row).map_err(std::io::Error::other));
        written.map_err(|e| {
            failure = Some(e);
            Error::Invalid(format!("writing {}", path.display()))
        })
    });
    if let Some(e) = failure {
        return Err(io(e));
    }
    let n = n?;
    w.write_all(b"\n]\n").map_err(Error::io(path))?;
    w.flush().map_err(Error::io(path))?;
    w.get_ref().sync_all().map_err(Error::io(path))?;
    Ok(n)
}

pub(crate) fn sha256_file(path: &Path) -> Result<String> {
    let mut file = File::open(path).map_err(Error::io(path))?;
    let mut hasher = Sha256::new();
    std::io::copy(&mut file, &mut hasher).map_err(Error::io(path))?;
    Ok(hex::encode(hasher.finalize()))
}
