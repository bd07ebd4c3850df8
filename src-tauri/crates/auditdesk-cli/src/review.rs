//! The offline-review subcommands: search, export, bookmarks, cases, saved
//! searches, the reviewer-activity log and the dashboard. Each parses its
//! arguments, makes one core call and prints the result.

use std::path::Path;

use auditdesk_core::dashboard::{self, Dashboard, Range};
use auditdesk_core::export::{self, Format};
use auditdesk_core::search::{self, Cursor, Facets, Request, SearchPage, Sort};
use auditdesk_core::{Error, activity, bookmarks, cases, saved};

use crate::commands::{open, output};
use crate::{
    ActivityArgs, BookmarkCommand, CaseCommand, DashboardArgs, ExportArgs, PageArgs, SavedCommand,
    SearchArgs,
};

fn request(page: &PageArgs) -> Result<Request, Error> {
    Ok(Request {
        sort: Sort::parse(&page.sort)?,
        limit: page.limit,
        offset: page.offset,
        after: page.after.as_deref().map(Cursor::decode).transpose()?,
        facets: page.facets,
    })
}

pub fn search(args: SearchArgs, dir: &Path, pass: Option<&Path>, json: bool) -> Result<(), Error> {
    let query = search::parse(&args.query)?;
    let request = request(&args.page)?;
    let vault = open(dir, pass)?;
    if args.count {
        let total = search::count(vault.conn(), &query)?;
        return output(json, &serde_json::json!({"total": total}), || {
            total.to_string()
        });
    }
    let page = search::run(vault.conn(), &query, &request)?;
    output(json, &page, || render_page(&page))
}

pub fn export(args: ExportArgs, dir: &Path, pass: Option<&Path>, json: bool) -> Result<(), Error> {
    let query = search::parse(&args.query)?;
    let format = match &args.format {
        Some(f) => Format::parse(f)
            .ok_or_else(|| Error::Invalid(format!("unknown format {f:?} (csv, xlsx or json)")))?,
        None => args
            .out
            .extension()
            .and_then(|e| Format::parse(&e.to_string_lossy()))
            .ok_or_else(|| {
                Error::Invalid(format!(
                    "cannot tell the format from {}; give --format csv|xlsx|json",
                    args.out.display()
                ))
            })?,
    };
    let options = export::Options {
        sort: Sort::parse(&args.sort)?,
        redact: args.redact,
    };
    let vault = open(dir, pass)?;
    let summary = export::export(vault.conn(), &query, format, &options, &args.out)?;
    output(json, &summary, || {
        format!(
            "Exported {} events to {}{} (sha256 {})",
            summary.events,
            summary.file.display(),
            if summary.redacted { ", redacted" } else { "" },
            summary.sha256
        )
    })
}

pub fn bookmark(
    command: BookmarkCommand,
    dir: &Path,
    pass: Option<&Path>,
    json: bool,
) -> Result<(), Error> {
    let vault = open(dir, pass)?;
    let conn = vault.conn();
    match command {
        BookmarkCommand::Add {
            id,
            note,
            tags,
            case,
            source,
        } => {
            let mark = bookmarks::Mark {
                note: note.as_deref(),
                tags: &tags,
                case: case.as_deref(),
            };
            let b = bookmarks::add(conn, &id, source.as_deref(), &mark)?;
            output(json, &b, || render_bookmarks(std::slice::from_ref(&b)))
        }
        BookmarkCommand::List { case } => {
            let all = bookmarks::list(conn, case.as_deref())?;
            output(json, &all, || render_bookmarks(&all))
        }
        BookmarkCommand::Remove { id, source } => {
            bookmarks::remove(conn, &id, source.as_deref())?;
            output(json, &serde_json::json!({"removed": id}), || {
                format!("Removed the bookmark on {id}")
            })
        }
    }
}

pub fn case(
    command: CaseCommand,
    dir: &Path,
    pass: Option<&Path>,
    json: bool,
) -> Result<(), Error> {
    let vault = open(dir, pass)?;
    let conn = vault.conn();
    match command {
        CaseCommand::Create { name, description } => {
            let c = cases::create(conn, &name, &description)?;
            output(json, &c, || format!("Opened case {:?}", c.name))
        }
        CaseCommand::List => {
            let all = cases::list(conn)?;
            output(json, &all, || {
                if all.is_empty() {
                    return "no cases yet (`auditdesk case create NAME`)".into();
                }
                all.iter()
                    .map(|c| {
                        format!(
                            "{:<24} {:<7} {:>5} bookmarks  {}",
                            c.name, c.status, c.bookmarks, c.description
                        )
                    })
                    .collect::<Vec<_>>()
                    .join("\n")
            })
        }
        CaseCommand::Show { name } => {
            let t = cases::timeline(conn, &name)?;
            output(json, &t, || {
                let mut out = format!(
                    "case {:?} ({}), opened {}\n{}\n",
                    t.case.name,
                    t.case.status,
                    t.case
                        .created_at
                        .to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
                    t.case.description
                );
                out.push_str(&render_bookmarks(&t.timeline));
                out
            })
        }
        CaseCommand::Close { name } => {
            let c = cases::set_open(conn, &name, false)?;
            output(json, &c, || format!("Closed case {:?}", c.name))
        }
        CaseCommand::Reopen { name } => {
            let c = cases::set_open(conn, &name, true)?;
            output(json, &c, || format!("Reopened case {:?}", c.name))
        }
        CaseCommand::Export { name, out } => {
            let bundle = export::export_case(conn, &name, &out)?;
            output(json, &bundle, || {
                let mut text = format!(
                    "Case {:?}: {} events written to {}\n",
                    bundle.case,
                    bundle.events,
                    bundle.dir.display()
                );
                for f in &bundle.files {
                    text.push_str(&format!("  {}  {}\n", f.sha256, f.name));
                }
                text.trim_end().to_string()
            })
        }
    }
}

pub fn saved(
    command: SavedCommand,
    dir: &Path,
    pass: Option<&Path>,
    json: bool,
) -> Result<(), Error> {
    if let SavedCommand::Add { query, .. } = &command {
        // A bad query is a usage error, reported before the vault opens.
        search::parse(query)?;
    }
    let vault = open(dir, pass)?;
    let conn = vault.conn();
    match command {
        SavedCommand::Add { name, query } => {
            let s = saved::save(conn, &name, &query)?;
            output(json, &s, || format!("Saved {:?}: {}", s.name, s.query))
        }
        SavedCommand::List => {
            let all = saved::list(conn)?;
            output(json, &all, || {
                if all.is_empty() {
                    return "no saved searches yet (`auditdesk saved add NAME QUERY`)".into();
                }
                all.iter()
                    .map(|s| format!("{:<24} {}", s.name, s.query))
                    .collect::<Vec<_>>()
                    .join("\n")
            })
        }
        SavedCommand::Run { name, page } => {
            let request = request(&page)?;
            let page = saved::run(conn, &name, &request)?;
            output(json, &page, || render_page(&page))
        }
        SavedCommand::Remove { name } => {
            saved::remove(conn, &name)?;
            output(json, &serde_json::json!({"removed": name}), || {
                format!("Removed saved search {name:?}")
            })
        }
    }
}

pub fn activity(
    args: ActivityArgs,
    dir: &Path,
    pass: Option<&Path>,
    json: bool,
) -> Result<(), Error> {
    let vault = open(dir, pass)?;
    let entries = activity::list(vault.conn(), args.limit)?;
    output(json, &entries, || {
        entries
            .iter()
            .map(|e| {
                format!(
                    "{:>6}  {}  {:<16} {}",
                    e.seq,
                    e.at.to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
                    e.action,
                    e.subject
                )
            })
            .collect::<Vec<_>>()
            .join("\n")
    })
}

pub fn dashboard(
    args: DashboardArgs,
    dir: &Path,
    pass: Option<&Path>,
    json: bool,
) -> Result<(), Error> {
    let range = match (&args.from, &args.to) {
        (Some(from), Some(to)) => Range::Custom {
            from: when(from, "--from")?,
            to: when(to, "--to")?,
        },
        _ => Range::parse(&args.range)?,
    };
    let vault = open(dir, pass)?;
    let d = dashboard::dashboard(vault.conn(), range, chrono::Utc::now())?;
    output(json, &d, || render_dashboard(&d))
}

fn when(text: &str, flag: &str) -> Result<chrono::DateTime<chrono::Utc>, Error> {
    auditdesk_core::sources::import::time::parse_timestamp(text)
        .ok_or_else(|| Error::Invalid(format!("{flag} {text:?} is not a date or RFC 3339 time")))
}

pub(crate) fn render_page(page: &SearchPage) -> String {
    let mut out = String::new();
    for e in &page.events {
        out.push_str(&format!(
            "{}  {:<8}  {:<14}  {:<36}  {:<15}  {:<28}  {}\n",
            e.occurred_at,
            e.severity,
            e.category,
            e.event_type,
            e.outcome,
            fit(e.user.as_deref().unwrap_or("-"), 28),
            e.id
        ));
    }
    let shown = page.events.len() as u64;
    if shown == 0 {
        out.push_str(&format!(
            "no events on this page; {} match in all",
            page.total
        ));
    } else {
        out.push_str(&format!(
            "events {}–{} of {} (sorted by {})",
            page.offset + 1,
            page.offset + shown,
            page.total,
            page.sort
        ));
    }
    if let Some(cursor) = &page.next_cursor {
        out.push_str(&format!("\nnext page: --after {cursor}"));
    }
    if let Some(f) = &page.facets {
        out.push_str(&render_facets(f));
    }
    out
}

fn render_facets(f: &Facets) -> String {
    let mut out = String::new();
    let groups: [(&str, &std::collections::BTreeMap<String, u64>); 6] = [
        ("category", &f.category),
        ("severity", &f.severity),
        ("outcome", &f.outcome),
        ("type", &f.event_type),
        ("user", &f.user),
        ("day", &f.day),
    ];
    for (name, counts) in groups {
        let mut rows: Vec<(&String, &u64)> = counts.iter().collect();
        if name != "day" {
            rows.sort_by(|a, b| b.1.cmp(a.1).then(a.0.cmp(b.0)));
        }
        let shown: Vec<String> = rows
            .iter()
            .take(12)
            .map(|(k, n)| format!("{k} {n}"))
            .collect();
        let more = rows.len().saturating_sub(12);
        out.push_str(&format!("\n{name}: {}", shown.join(", ")));
        if more > 0 {
            out.push_str(&format!(", … {more} more"));
        }
    }
    out
}

fn render_bookmarks(all: &[bookmarks::Bookmark]) -> String {
    if all.is_empty() {
        return "no bookmarks".into();
    }
    all.iter()
        .map(|b| {
            let mut line = format!(
                "{}  {:<8} {:<32} {}  {}",
                b.occurred_at
                    .to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
                b.severity,
                b.event_type,
                b.event_id,
                b.note
            );
            if !b.tags.is_empty() {
                line.push_str(&format!("  [{}]", b.tags.join(", ")));
            }
            if !b.cases.is_empty() {
                line.push_str(&format!("  cases: {}", b.cases.join(", ")));
            }
            line
        })
        .collect::<Vec<_>>()
        .join("\n")
}

fn render_dashboard(d: &Dashboard) -> String {
    let mut out = format!(
        "{} → {}{}\n  events {}   critical+error {}   warnings {}   active users {}\n",
        d.from.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        d.to.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        if d.anchored_to == "newest_event" {
            " (ending at the newest event held)"
        } else {
            ""
        },
        d.total,
        d.critical_error,
        d.warning,
        d.active_users
    );
    let cats: Vec<String> = d
        .categories
        .iter()
        .map(|c| format!("{} {}", c.name, c.count))
        .collect();
    out.push_str(&format!("  categories: {}\n", cats.join(", ")));
    out.push_str("  top operations:\n");
    for t in &d.top_types {
        out.push_str(&format!("    {:>7}  {}\n", t.count, t.name));
    }
    out.push_str("  recent critical/error:\n");
    for e in &d.recent_high {
        out.push_str(&format!(
            "    {}  {:<8} {}  {}\n",
            e.occurred_at, e.severity, e.event_type, e.id
        ));
    }
    let peak = d.series.iter().map(|b| b.count).max().unwrap_or(0).max(1);
    out.push_str("  per bucket:\n");
    for b in &d.series {
        let bar = "█".repeat(usize::try_from(b.count * 40 / peak).unwrap_or(0));
        out.push_str(&format!(
            "    {}  {:>6} {bar}\n",
            b.start.format(if d.bucket_seconds < 86_400 {
                "%m-%d %H:00"
            } else {
                "%Y-%m-%d"
            }),
            b.count
        ));
    }
    out.trim_end().to_string()
}

/// `text` cut to `width` characters (with an ellipsis) so columns line up.
fn fit(text: &str, width: usize) -> String {
    if text.chars().count() <= width {
        return text.to_string();
    }
    let mut cut: String = text.chars().take(width.saturating_sub(1)).collect();
    cut.push('…');
    cut
}
