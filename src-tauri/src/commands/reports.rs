//! The Reports screen: generate (on a connection of its own, with
//! progress events), list, save a copy, verify, delete.

use std::path::PathBuf;

use auditdesk_core::Result;
use auditdesk_core::report::{self, Period, ReportType, Request, StoredReport, Verification};
use serde::Deserialize;
use ts_rs::TS;

use super::{Ctx, NoArgs};

#[derive(Debug, Clone, Deserialize, TS)]
pub struct GenerateArgs {
    /// Defaults to "<framework> <period>".
    pub name: Option<String>,
    /// `sox`, `gdpr`, `hipaa`, `iso27001`, `pci` or `custom`.
    pub report_type: String,
    /// `2026Q3`; else `from` and `to` dates (inclusive).
    pub quarter: Option<String>,
    pub from: Option<String>,
    pub to: Option<String>,
    /// A search query narrowing the events (empty: the whole period).
    pub scope: String,
}

#[derive(Debug, Clone, Deserialize, TS)]
pub struct SaveArgs {
    pub id: i64,
    /// From the save dialog.
    #[ts(type = "string")]
    pub path: PathBuf,
}

#[derive(Debug, Clone, Deserialize, TS)]
pub struct DeleteArgs {
    pub ids: Vec<i64>,
}

#[derive(Debug, Clone, Deserialize, TS)]
pub struct ReportId {
    pub id: i64,
}

pub fn report_generate(ctx: &Ctx, args: GenerateArgs) -> Result<StoredReport> {
    let request = Request {
        name: args.name.filter(|n| !n.trim().is_empty()),
        report_type: ReportType::parse(&args.report_type)?,
        period: Period::from_args(
            args.quarter.as_deref().filter(|q| !q.is_empty()),
            args.from.as_deref(),
            args.to.as_deref(),
        )?,
        scope: args.scope,
        as_of: None,
    };
    let vault = ctx.state.background()?;
    let generated = report::generate(vault.conn(), &request, &mut |p| {
        ctx.emit(crate::events::REPORT_PROGRESS, p);
    })?;
    Ok(generated.report)
}

pub fn reports_list(ctx: &Ctx, _: NoArgs) -> Result<Vec<StoredReport>> {
    ctx.state.with_vault(|v| report::list(v.conn()))
}

pub fn report_save(ctx: &Ctx, args: SaveArgs) -> Result<()> {
    let pdf = ctx
        .state
        .with_vault(|v| report::stored_pdf(v.conn(), args.id))?;
    report::save_pdf(&pdf, &args.path)
}

pub fn reports_delete(ctx: &Ctx, args: DeleteArgs) -> Result<u64> {
    ctx.state
        .with_vault(|v| report::delete(v.conn(), &args.ids))
}

/// Re-verifies a stored report's evidence against the vault as it is now.
pub fn report_verify(ctx: &Ctx, args: ReportId) -> Result<Verification> {
    let vault = ctx.state.background()?;
    let pdf = report::stored_pdf(vault.conn(), args.id)?;
    report::verify(vault.conn(), &pdf)
}
