//! The Dashboard and Events screens: figures for a range, a page of a
//! query's results with facets, one event in full, and exports.

use std::path::PathBuf;

use auditdesk_core::dashboard::{self, Dashboard, Range};
use auditdesk_core::events::{self, EventDetail};
use auditdesk_core::export::{self, Format, Summary};
use auditdesk_core::search::{self, Cursor, FieldHelp, SearchPage, Sort};
use auditdesk_core::{Error, Result};
use serde::Deserialize;
use ts_rs::TS;

use super::{Ctx, NoArgs};

#[derive(Debug, Clone, Deserialize, TS)]
pub struct DashboardArgs {
    /// `24h`, `7d`, `30d`, or `custom` with `from` and `to`.
    pub range: String,
    /// Dates or RFC 3339 times (custom only); `to` is exclusive.
    pub from: Option<String>,
    pub to: Option<String>,
}

#[derive(Debug, Clone, Deserialize, TS)]
pub struct SearchArgs {
    pub query: String,
    /// `severity`, `-severity`, `severity:asc`…; newest first by default.
    pub sort: Option<String>,
    pub offset: Option<u32>,
    /// 50 by default, at most 500: results cross IPC a page at a time.
    pub limit: Option<u32>,
    /// A page's `next_cursor`, for keyset paging.
    pub after: Option<String>,
    pub facets: bool,
}

#[derive(Debug, Clone, Deserialize, TS)]
pub struct EventRef {
    pub id: String,
    pub source: String,
}

#[derive(Debug, Clone, Deserialize, TS)]
pub struct ExportArgs {
    pub query: String,
    /// `csv`, `xlsx` or `json`.
    pub format: String,
    pub redact: bool,
    pub sort: Option<String>,
    /// Where the save dialog said to write.
    #[ts(type = "string")]
    pub path: PathBuf,
}

/// The most rows one IPC call carries.
const MAX_PAGE: u32 = 500;

fn time(text: &str, field: &str) -> Result<chrono::DateTime<chrono::Utc>> {
    auditdesk_core::sources::import::time::parse_timestamp(text).ok_or_else(|| {
        Error::Invalid(format!(
            "{field} {text:?} is not a date (2026-08-01) or an RFC 3339 time"
        ))
    })
}

/// Newest first unless the UI asked for another order.
fn sort(text: Option<&str>) -> Result<Sort> {
    Ok(text.map(Sort::parse).transpose()?.unwrap_or_default())
}

pub fn dashboard(ctx: &Ctx, args: DashboardArgs) -> Result<Dashboard> {
    let range = if args.range == "custom" {
        let (Some(from), Some(to)) = (&args.from, &args.to) else {
            return Err(Error::Invalid(
                "a custom range needs a from and a to date".into(),
            ));
        };
        let (from, to) = (time(from, "from")?, time(to, "to")?);
        if to <= from {
            return Err(Error::Invalid("the range ends before it starts".into()));
        }
        Range::Custom { from, to }
    } else {
        Range::parse(&args.range)?
    };
    ctx.state
        .with_vault(|v| dashboard::dashboard(v.conn(), range, chrono::Utc::now()))
}

pub fn search(ctx: &Ctx, args: SearchArgs) -> Result<SearchPage> {
    let query = search::parse(&args.query)?;
    let request = search::Request {
        sort: sort(args.sort.as_deref())?,
        limit: args
            .limit
            .unwrap_or(search::DEFAULT_LIMIT)
            .clamp(1, MAX_PAGE),
        offset: u64::from(args.offset.unwrap_or(0)),
        after: args.after.as_deref().map(Cursor::decode).transpose()?,
        facets: args.facets,
    };
    ctx.state
        .with_vault(|v| search::search(v.conn(), &query, &request))
}

pub fn query_fields(_: &Ctx, _: NoArgs) -> Result<Vec<FieldHelp>> {
    Ok(search::FIELDS.to_vec())
}

pub fn event_detail(ctx: &Ctx, args: EventRef) -> Result<EventDetail> {
    ctx.state
        .with_vault(|v| events::view(v.conn(), &args.id, Some(&args.source)))
}

pub fn export_results(ctx: &Ctx, args: ExportArgs) -> Result<Summary> {
    let query = search::parse(&args.query)?;
    let format = Format::parse(&args.format).ok_or_else(|| {
        Error::Invalid(format!(
            "unknown export format {:?} (csv, xlsx, json)",
            args.format
        ))
    })?;
    let options = export::Options {
        sort: sort(args.sort.as_deref())?,
        redact: args.redact,
    };
    // Long exports read on their own connection.
    let vault = ctx.state.background()?;
    export::export(vault.conn(), &query, format, &options, &args.path)
}
