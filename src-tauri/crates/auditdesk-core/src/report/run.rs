//! Running a report (pending → generating → completed | failed, with
//! progress) and re-verifying a PDF against the vault.

use chrono::{DateTime, SubsecRound, Utc};
use rusqlite::Connection;
use serde::Serialize;
use sha2::{Digest, Sha256};

use super::content;
use super::evidence::{self, Manifest};
use super::framework::{self, ReportType};
use super::period::Period;
use super::render;
use super::store::{self, StoredReport};
use crate::activity::{self, Action};
use crate::error::{Error, Result};
use crate::search;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Request {
    /// Defaults to "<FRAMEWORK> <period>".
    pub name: Option<String>,
    pub report_type: ReportType,
    pub period: Period,
    /// A search query narrowing the events (empty: all of the period).
    pub scope: String,
    /// The generation time printed in the report; fixing it makes the PDF
    /// reproducible byte for byte. Defaults to now.
    pub as_of: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[cfg_attr(feature = "ts", ts(rename = "ReportProgress"))]
pub struct Progress {
    pub stage: &'static str,
    pub fraction: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Generated {
    pub report: StoredReport,
    #[serde(skip)]
    pub pdf: Vec<u8>,
}

pub fn generate(
    conn: &Connection,
    request: &Request,
    progress: &mut dyn FnMut(Progress),
) -> Result<Generated> {
    // Arguments are checked before a report row exists: a typo is a usage
    // error, not a failed report.
    let scope = search::parse(&request.scope)?;
    let as_of = request.as_of.unwrap_or_else(Utc::now).trunc_subsecs(0);
    let framework = framework::framework(request.report_type)?;
    let name = request.name.clone().unwrap_or_else(|| {
        let period = request
            .period
            .quarter_name()
            .unwrap_or_else(|| request.period.to_string());
        format!("{} {period}", framework.name)
    });
    let id = store::create(
        conn,
        &name,
        request.report_type.name(),
        &request.period,
        &request.scope,
        as_of,
    )?;
    let mut step = |stage: &'static str, fraction: f64| -> Result<()> {
        store::progress(conn, id, "generating", fraction)?;
        progress(Progress { stage, fraction });
        Ok(())
    };
    let result = (|| -> Result<Vec<u8>> {
        step("gathering evidence", 0.05)?;
        // One read transaction, so every figure comes from the same
        // snapshot even while a sync writes on another connection.
        conn.execute_batch("SAVEPOINT report_gather")?;
        let gathered = content::gather(
            conn,
            &name,
            request.report_type,
            &request.period,
            &scope,
            as_of,
        );
        conn.execute_batch("RELEASE report_gather")?;
        let mut content = gathered?;
        step("drawing the PDF", 0.6)?;
        let (pdf, pages) = render::render(&content)?;
        let pdf = match content.evidence.take() {
            Some(listing) => super::attach::embed(pdf, vec![listing])?,
            None => pdf,
        };
        step("storing", 0.95)?;
        let sha = hex::encode(Sha256::digest(&pdf));
        store::complete(conn, id, &content.manifest, pages as u64, &sha, &pdf)?;
        activity::record(
            conn,
            Action::ReportRun,
            &name,
            serde_json::json!({
                "report": id, "type": request.report_type.name(),
                "events": content.manifest.count, "pdf_sha256": sha,
            }),
        )?;
        Ok(pdf)
    })();
    match result {
        Ok(pdf) => {
            progress(Progress {
                stage: "completed",
                fraction: 1.0,
            });
            Ok(Generated {
                report: store::get(conn, id)?,
                pdf,
            })
        }
        Err(e) => {
            store::fail(conn, id, &e.to_string())?;
            Err(e)
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[cfg_attr(feature = "ts", ts(rename = "ReportVerification"))]
pub struct Verification {
    pub report: StoredReport,
    pub pdf_sha256: String,
    pub recorded: Manifest,
    pub recomputed: Manifest,
}

/// Finds the report a PDF is (by its SHA-256) and recomputes its evidence
/// manifest from the vault. An unknown or altered PDF, or evidence that
/// changed since, is an `Evidence` error saying what differs.
pub fn verify(conn: &Connection, pdf: &[u8]) -> Result<Verification> {
    let sha = hex::encode(Sha256::digest(pdf));
    let report = store::by_sha256(conn, &sha)?.ok_or_else(|| {
        Error::Evidence(format!(
            "this PDF (SHA-256 {sha}) is not a report this vault generated, or it was changed after it was"
        ))
    })?;
    let recorded = Manifest {
        count: report.events.unwrap_or(0),
        root: report.merkle_root.clone().unwrap_or_default(),
    };
    let scope = search::parse(&report.scope)?;
    let recomputed = evidence::manifest(conn, &report.period(), &scope)?;
    let mut differs = Vec::new();
    if recomputed.count != recorded.count {
        differs.push(format!(
            "event count: the report covered {}, the vault now holds {}",
            recorded.count, recomputed.count
        ));
    }
    if recomputed.root != recorded.root {
        differs.push(format!(
            "Merkle root: the report printed {}, the events now give {}",
            recorded.root, recomputed.root
        ));
    }
    if !differs.is_empty() {
        return Err(Error::Evidence(format!(
            "the evidence of report {} ({:?}) changed: {}",
            report.id,
            report.name,
            differs.join("; ")
        )));
    }
    Ok(Verification {
        report,
        pdf_sha256: sha,
        recorded,
        recomputed,
    })
}
