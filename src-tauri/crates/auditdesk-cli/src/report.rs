//! `auditdesk report ...`: arguments in, one core call, output out.

use std::path::Path;

use auditdesk_core::Error;
use auditdesk_core::report::{self, Period, ReportType, Request};

use crate::ReportCommand;
use crate::commands::{open, output};

pub fn report(
    command: ReportCommand,
    dir: &Path,
    pass: Option<&Path>,
    json: bool,
) -> Result<(), Error> {
    match command {
        ReportCommand::Generate {
            report_type,
            quarter,
            from,
            to,
            name,
            query,
            as_of,
            out,
        } => {
            let period = Period::from_args(quarter.as_deref(), from.as_deref(), to.as_deref())?;
            let as_of = as_of
                .map(|t| {
                    chrono::DateTime::parse_from_rfc3339(&t)
                        .map(|t| t.with_timezone(&chrono::Utc))
                        .map_err(|_| {
                            Error::Invalid(format!(
                                "--as-of {t:?} is not an RFC 3339 time (2026-10-01T09:00:00Z)"
                            ))
                        })
                })
                .transpose()?;
            let request = Request {
                name,
                report_type: ReportType::parse(&report_type)?,
                period,
                scope: query,
                as_of,
            };
            let vault = open(dir, pass)?;
            let bar = crate::commands::progress_bar(json);
            if let Some(bar) = &bar {
                bar.set_length(100);
            }
            let generated = report::generate(vault.conn(), &request, &mut |p| {
                if let Some(bar) = &bar {
                    bar.set_position((p.fraction * 100.0) as u64);
                    bar.set_message(p.stage);
                }
            })?;
            if let Some(bar) = bar {
                bar.finish_and_clear();
            }
            report::save_pdf(&generated.pdf, &out)?;
            let r = &generated.report;
            output(json, r, || {
                format!(
                    "Report {} {:?}: {} pages, {} events, Merkle root {}\nsaved {} (sha256 {})",
                    r.id,
                    r.name,
                    r.pages.unwrap_or(0),
                    r.events.unwrap_or(0),
                    r.merkle_root.as_deref().unwrap_or(""),
                    out.display(),
                    r.pdf_sha256.as_deref().unwrap_or("")
                )
            })
        }
        ReportCommand::List => {
            let vault = open(dir, pass)?;
            let all = report::list(vault.conn())?;
            output(json, &all, || {
                if all.is_empty() {
                    return "no reports yet (`auditdesk report generate`)".into();
                }
                all.iter()
                    .map(|r| {
                        format!(
                            "{:>4}  {:<10} {:<9} {} → {}  {:>8} events  {}{}",
                            r.id,
                            r.status,
                            r.report_type,
                            r.period_start.format("%Y-%m-%d"),
                            (r.period_end - chrono::Duration::days(1)).format("%Y-%m-%d"),
                            r.events.unwrap_or(0),
                            r.name,
                            r.error
                                .as_deref()
                                .map(|e| format!("  ({e})"))
                                .unwrap_or_default()
                        )
                    })
                    .collect::<Vec<_>>()
                    .join("\n")
            })
        }
        ReportCommand::Verify { file } => {
            let pdf = std::fs::read(&file).map_err(|source| Error::Io {
                path: file.clone(),
                source,
            })?;
            let vault = open(dir, pass)?;
            let v = report::verify(vault.conn(), &pdf)?;
            output(json, &v, || {
                format!(
                    "ok: report {} {:?} still matches the vault: {} events, Merkle root {}",
                    v.report.id, v.report.name, v.recomputed.count, v.recomputed.root
                )
            })
        }
        ReportCommand::Delete { ids } => {
            let vault = open(dir, pass)?;
            let n = report::delete(vault.conn(), &ids)?;
            output(json, &serde_json::json!({"deleted": n}), || {
                format!("Deleted {n} report(s)")
            })
        }
    }
}
