//! The Investigations screen: bookmarks with notes and tags, cases and
//! their timelines, case export, saved searches.

use std::path::PathBuf;

use auditdesk_core::Result;
use auditdesk_core::bookmarks::{self, Bookmark, Mark};
use auditdesk_core::cases::{self, Case, Timeline};
use auditdesk_core::export::{self, CaseBundle};
use auditdesk_core::saved::{self, SavedSearch};
use serde::Deserialize;
use ts_rs::TS;

use super::review::EventRef;
use super::{Ctx, NoArgs};

#[derive(Debug, Clone, Deserialize, TS)]
pub struct BookmarkArgs {
    pub id: String,
    pub source: String,
    /// Replaces the note (an existing bookmark keeps its note when null).
    pub note: Option<String>,
    /// Added to the bookmark's tags.
    pub tags: Vec<String>,
    /// Also puts the bookmark in this case.
    pub case_name: Option<String>,
}

#[derive(Debug, Clone, Deserialize, TS)]
pub struct CaseFilter {
    pub case_name: Option<String>,
}

#[derive(Debug, Clone, Deserialize, TS)]
pub struct NewCase {
    pub name: String,
    pub description: String,
}

#[derive(Debug, Clone, Deserialize, TS)]
pub struct CaseName {
    pub name: String,
}

#[derive(Debug, Clone, Deserialize, TS)]
pub struct CaseOpen {
    pub name: String,
    pub open: bool,
}

#[derive(Debug, Clone, Deserialize, TS)]
pub struct CaseExport {
    pub name: String,
    /// A new folder (from the save dialog) for the bundle.
    #[ts(type = "string")]
    pub dir: PathBuf,
}

#[derive(Debug, Clone, Deserialize, TS)]
pub struct SavedArgs {
    pub name: String,
    pub query: String,
}

#[derive(Debug, Clone, Deserialize, TS)]
pub struct SavedName {
    pub name: String,
}

pub fn bookmark_set(ctx: &Ctx, args: BookmarkArgs) -> Result<Bookmark> {
    let mark = Mark {
        note: args.note.as_deref(),
        tags: &args.tags,
        case: args.case_name.as_deref().filter(|c| !c.is_empty()),
    };
    ctx.state
        .with_vault(|v| bookmarks::add(v.conn(), &args.id, Some(&args.source), &mark))
}

pub fn bookmark_remove(ctx: &Ctx, args: EventRef) -> Result<()> {
    ctx.state
        .with_vault(|v| bookmarks::remove(v.conn(), &args.id, Some(&args.source)))
}

pub fn bookmark_get(ctx: &Ctx, args: EventRef) -> Result<Option<Bookmark>> {
    ctx.state
        .with_vault(|v| bookmarks::of_event(v.conn(), &args.id, Some(&args.source)))
}

pub fn bookmarks_list(ctx: &Ctx, args: CaseFilter) -> Result<Vec<Bookmark>> {
    ctx.state
        .with_vault(|v| bookmarks::list(v.conn(), args.case_name.as_deref()))
}

pub fn case_create(ctx: &Ctx, args: NewCase) -> Result<Case> {
    ctx.state
        .with_vault(|v| cases::create(v.conn(), &args.name, &args.description))
}

pub fn cases_list(ctx: &Ctx, _: NoArgs) -> Result<Vec<Case>> {
    ctx.state.with_vault(|v| cases::list(v.conn()))
}

pub fn case_timeline(ctx: &Ctx, args: CaseName) -> Result<Timeline> {
    ctx.state
        .with_vault(|v| cases::timeline(v.conn(), &args.name))
}

pub fn case_set_open(ctx: &Ctx, args: CaseOpen) -> Result<Case> {
    ctx.state
        .with_vault(|v| cases::set_open(v.conn(), &args.name, args.open))
}

pub fn case_export(ctx: &Ctx, args: CaseExport) -> Result<CaseBundle> {
    ctx.state
        .with_vault(|v| export::export_case(v.conn(), &args.name, &args.dir))
}

pub fn saved_list(ctx: &Ctx, _: NoArgs) -> Result<Vec<SavedSearch>> {
    ctx.state.with_vault(|v| saved::list(v.conn()))
}

pub fn saved_save(ctx: &Ctx, args: SavedArgs) -> Result<SavedSearch> {
    ctx.state
        .with_vault(|v| saved::save(v.conn(), &args.name, &args.query))
}

pub fn saved_remove(ctx: &Ctx, args: SavedName) -> Result<()> {
    ctx.state
        .with_vault(|v| saved::remove(v.conn(), &args.name))
}
