//! What a report says, gathered from the vault before anything is drawn:
//! the framework's controls with their evidence counts, listings and
//! exceptions, the data coverage, the charts' figures and the evidence
//! manifest. It reads only source events of the period and scope, the
//! sync history and reviewer activity dated inside the period, and
//! bookmarks' notes on the exceptions — so a re-run over the same vault
//! content gives the same report.

use std::collections::BTreeMap;

use chrono::{DateTime, Duration, Utc};
use rusqlite::{Connection, params, params_from_iter};
use serde::Serialize;

use super::evidence::Manifest;
use super::framework::{Control, ControlKind, Framework, ReportType, framework};
use super::pass;
use super::period::Period;
use crate::error::Result;
use crate::events::{EVENT_COLUMNS, SLOTS_PER_MS, millis_to_utc, read_row};
use crate::search::{self, Expr, Filter, Query, SearchHit, Sort, TimeField};

/// How many events a section lists in the PDF body; the rest are counted,
/// and the whole listing goes into the PDF as an attached CSV.
pub const LISTED: usize = 50;

#[derive(Debug, Clone, PartialEq, Serialize)]
pub enum Finding {
    Events {
        count: u64,
        exceptions: u64,
        /// The newest `LISTED` events.
        listed: Vec<SearchHit>,
        query: String,
    },
    ByUser {
        count: u64,
        query: String,
        /// Every user, most events first.
        users: Vec<(String, u64)>,
    },
    Conflict {
        query: String,
        with: String,
        /// How many users have events of `query`, and of `with`.
        users_query: u64,
        users_with: u64,
        /// Every user with events of both: (user, events of `query`,
        /// events of `with`), most events first.
        users: Vec<(String, u64, u64)>,
    },
    Cases {
        /// Each case with its bookmarked events of the period, oldest first.
        cases: Vec<(crate::cases::Case, Vec<crate::bookmarks::Bookmark>)>,
    },
    Completeness {
        total: u64,
        /// (field, events carrying it)
        fields: Vec<(String, u64)>,
    },
    Retention {
        first: Option<DateTime<Utc>>,
        last: Option<DateTime<Utc>>,
        /// Whether the vault holds events from 12 months (and 3 months)
        /// before the period's end.
        twelve_months: bool,
        three_months: bool,
    },
    Review {
        /// (action, count) of the reviewer-activity log inside the period.
        actions: Vec<(String, u64)>,
    },
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ControlResult {
    pub control: Control,
    /// `evidence`, `no evidence`, `exceptions`, `complete`, `incomplete`,
    /// `met`, `not met`, `reviewed`, `not reviewed`, `conflicts`, `no conflicts`.
    pub status: String,
    pub finding: Finding,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Exception {
    pub event: SearchHit,
    pub note: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Coverage {
    pub first_held: Option<DateTime<Utc>>,
    pub last_held: Option<DateTime<Utc>>,
    pub events: u64,
    pub by_source: Vec<(String, u64)>,
    /// Days of the period with no event at all.
    pub empty_days: Vec<String>,
    /// Sync runs whose window overlaps the period.
    pub sync_runs: Vec<SyncWindow>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SyncWindow {
    pub source: String,
    pub status: String,
    pub from: DateTime<Utc>,
    pub to: DateTime<Utc>,
    pub error: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Content {
    pub name: String,
    pub framework: Framework,
    pub period: (DateTime<Utc>, DateTime<Utc>),
    pub period_text: String,
    pub scope: String,
    pub generated_at: DateTime<Utc>,
    pub generator: String,
    pub organisations: Vec<String>,
    pub coverage: Coverage,
    pub controls: Vec<ControlResult>,
    /// Failed, refused or still-`attempted` events in the scope.
    pub exceptions_total: u64,
    /// Every annotated exception and the newest `LISTED` others.
    pub exceptions: Vec<Exception>,
    /// Week start → events per severity (INFO, WARNING, ERROR, CRITICAL).
    pub weekly: Vec<(String, [u64; 4])>,
    pub categories: Vec<(String, u64)>,
    pub top_users: Vec<(String, u64)>,
    pub manifest: Manifest,
    /// The full listing behind every section that prints only part of its
    /// events (absent when every section is printed whole).
    #[serde(skip)]
    pub evidence: Option<super::attach::Attachment>,
}

/// `scope` AND `extra` AND inside `period`.
pub(crate) fn scoped(scope: &Query, extra: Option<&str>, period: &Period) -> Result<Query> {
    let mut items = Vec::new();
    if scope.expr != Expr::All {
        items.push(scope.expr.clone());
    }
    if let Some(extra) = extra {
        let q = search::parse(extra)?;
        if q.expr != Expr::All {
            items.push(q.expr);
        }
    }
    items.push(Expr::Filter(Filter::Time {
        field: TimeField::After,
        text: period.start.format("%Y-%m-%d").to_string(),
        from: Some(period.start.timestamp_millis()),
        to: None,
    }));
    items.push(Expr::Filter(Filter::Time {
        field: TimeField::Before,
        text: period.end.format("%Y-%m-%d").to_string(),
        from: None,
        to: Some(period.end.timestamp_millis()),
    }));
    let expr = Expr::And(items);
    Ok(Query {
        text: expr.to_string(),
        expr,
    })
}

fn facets_of(conn: &Connection, query: &Query) -> Result<search::Facets> {
    let page = search::search(
        conn,
        query,
        &search::Request {
            limit: 0,
            facets: true,
            ..search::Request::default()
        },
    )?;
    Ok(page.facets.unwrap_or_default())
}

const EXCEPTION: &str =
    "status:failed OR status:unauthorized OR status:unauthenticated OR status:attempted";

pub fn gather(
    conn: &Connection,
    name: &str,
    report_type: ReportType,
    period: &Period,
    scope: &Query,
    as_of: DateTime<Utc>,
) -> Result<Content> {
    let framework = framework(report_type)?;
    let all = scoped(scope, None, period)?;
    let (lo, hi) = (
        period.start.timestamp_millis().saturating_mul(SLOTS_PER_MS),
        period.end.timestamp_millis().saturating_mul(SLOTS_PER_MS),
    );
    // The organisations whose events the period holds.
    let facets = facets_of(conn, &all)?;
    let ex_query = scoped(&all, Some(EXCEPTION), period)?;

    // One pass over the events for the manifest, every control that counts
    // events, the exceptions and completeness, and the listing.
    let mut tracked = Vec::new();
    for control in &framework.controls {
        match control.kind {
            ControlKind::Events | ControlKind::ByUser => tracked.push(pass::Tracked {
                id: Some(control.id.clone()),
                query: scoped(scope, control.query.as_deref(), period)?,
                by_user: control.kind == ControlKind::ByUser,
            }),
            // Its evidence is the user table it prints in full, not a
            // share of the listing.
            ControlKind::Conflict => {
                for q in [&control.query, &control.with] {
                    tracked.push(pass::Tracked {
                        id: None,
                        query: scoped(scope, q.as_deref(), period)?,
                        by_user: true,
                    });
                }
            }
            _ => {}
        }
    }
    // With no more events than a section prints, nothing can be cut short.
    let may_truncate = facets.total > LISTED as u64;
    let outcome = pass::run(
        conn,
        period,
        scope,
        &tracked,
        &ex_query,
        LISTED,
        may_truncate,
    )?;
    let mut tallies = outcome.tallies.into_iter();

    let mut controls = Vec::new();
    for control in &framework.controls {
        let (status, finding) = match control.kind {
            ControlKind::Events => {
                let t = tallies.next().unwrap_or_default();
                let status = match (t.count, t.exceptions) {
                    (0, _) => "no evidence",
                    (_, 0) => "evidence",
                    _ => "exceptions",
                };
                (
                    status.to_string(),
                    Finding::Events {
                        count: t.count,
                        exceptions: t.exceptions,
                        listed: hits_at(conn, t.newest.iter().rev())?,
                        query: control.query.clone().unwrap_or_default(),
                    },
                )
            }
            ControlKind::ByUser => {
                let t = tallies.next().unwrap_or_default();
                let mut users: Vec<(String, u64)> = t.users.into_iter().collect();
                users.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
                (
                    if t.count == 0 {
                        "no evidence"
                    } else {
                        "evidence"
                    }
                    .to_string(),
                    Finding::ByUser {
                        count: t.count,
                        query: control.query.clone().unwrap_or_default(),
                        users,
                    },
                )
            }
            ControlKind::Conflict => {
                let (a, b) = (
                    tallies.next().unwrap_or_default(),
                    tallies.next().unwrap_or_default(),
                );
                let mut users: Vec<(String, u64, u64)> = a
                    .users
                    .iter()
                    .filter_map(|(u, n)| b.users.get(u).map(|m| (u.clone(), *n, *m)))
                    .collect();
                users.sort_by(|x, y| (y.1 + y.2).cmp(&(x.1 + x.2)).then(x.0.cmp(&y.0)));
                (
                    if users.is_empty() {
                        "no conflicts"
                    } else {
                        "conflicts"
                    }
                    .to_string(),
                    Finding::Conflict {
                        query: control.query.clone().unwrap_or_default(),
                        with: control.with.clone().unwrap_or_default(),
                        users_query: a.users.len() as u64,
                        users_with: b.users.len() as u64,
                        users,
                    },
                )
            }
            ControlKind::Cases => {
                let mut cases = Vec::new();
                for case in crate::cases::list(conn)? {
                    let timeline: Vec<crate::bookmarks::Bookmark> =
                        crate::cases::timeline(conn, &case.name)?
                            .timeline
                            .into_iter()
                            .filter(|b| b.occurred_at >= period.start && b.occurred_at < period.end)
                            .collect();
                    if !timeline.is_empty() {
                        cases.push((case, timeline));
                    }
                }
                (
                    if cases.is_empty() {
                        "no cases"
                    } else {
                        "cases recorded"
                    }
                    .to_string(),
                    Finding::Cases { cases },
                )
            }
            ControlKind::Completeness => {
                let total = outcome.manifest.count;
                let fields = vec![
                    ("user identification".to_string(), outcome.with_user),
                    ("type of event".into(), total),
                    ("date and time".into(), total),
                    ("success or failure".into(), total),
                    ("origination (IP address)".into(), outcome.with_ip),
                    (
                        "affected resource (route or resource)".into(),
                        outcome.with_resource,
                    ),
                ];
                let complete = fields.iter().all(|(_, n)| *n == total);
                (
                    if complete { "complete" } else { "incomplete" }.to_string(),
                    Finding::Completeness { total, fields },
                )
            }
            ControlKind::Retention => {
                let span = crate::events::held_span(conn)?;
                let (first, last) = (span.map(|s| s.0), span.map(|s| s.1));
                let reaches =
                    |days: i64| first.is_some_and(|f| f <= period.end - Duration::days(days));
                let (twelve, three) = (reaches(365), reaches(91));
                (
                    if twelve { "met" } else { "not met" }.to_string(),
                    Finding::Retention {
                        first,
                        last,
                        twelve_months: twelve,
                        three_months: three,
                    },
                )
            }
            ControlKind::Review => {
                let mut stmt = conn.prepare(
                    "SELECT action, count(*) FROM activity WHERE at >= ?1 AND at < ?2
                     GROUP BY action ORDER BY action",
                )?;
                let actions = stmt
                    .query_map(
                        // Only what was on record at `as_of`: a re-run (which
                        // itself unlocks and logs) must not change the report.
                        params![
                            period.start.timestamp_millis(),
                            period.end.min(as_of).timestamp_millis()
                        ],
                        |r| Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)? as u64)),
                    )?
                    .collect::<rusqlite::Result<Vec<_>>>()?;
                let reviewed = actions.iter().any(|(a, _)| a == "search" || a == "view");
                (
                    if reviewed { "reviewed" } else { "not reviewed" }.to_string(),
                    Finding::Review { actions },
                )
            }
        };
        controls.push(ControlResult {
            control: control.clone(),
            status,
            finding,
        });
    }

    // Exceptions of the whole scope: every one an investigator annotated,
    // and the newest of the rest; all of them are counted.
    let exceptions_total = outcome.exceptions;
    let annotated = scoped(&ex_query, Some("bookmarked:true"), period)?;
    let mut listed: Vec<SearchHit> = Vec::new();
    search::for_each(conn, &annotated, &Sort::default(), |e| {
        listed.push(SearchHit::from(e));
        Ok(())
    })?;
    for hit in hits_at(conn, outcome.newest_exceptions.iter().rev())? {
        if !listed
            .iter()
            .any(|l| l.id == hit.id && l.source == hit.source)
        {
            listed.push(hit);
        }
    }
    listed.sort_by(|a, b| b.occurred_at.cmp(&a.occurred_at));
    let mut note = conn.prepare(
        "SELECT b.note FROM event_facets AS k JOIN bookmarks AS b ON b.event_rowid = k.id
         JOIN events AS e ON e.id = k.id JOIN sources AS s ON s.id = e.source_id
         WHERE k.event_key = ?1 AND e.event_id = ?2 AND s.name = ?3 AND b.note != ''",
    )?;
    let mut exceptions = Vec::with_capacity(listed.len());
    for event in listed {
        let text = note
            .query_map(
                params![crate::events::event_key(&event.id), event.id, event.source],
                |r| r.get::<_, String>(0),
            )?
            .next()
            .transpose()?;
        exceptions.push(Exception { event, note: text });
    }

    let coverage = coverage(conn, &all, period, &facets)?;
    let organisations = {
        let mut stmt = conn.prepare(
            "SELECT DISTINCT w.org_id FROM event_who AS w
             WHERE w.id >= ?1 AND w.id < ?2 AND w.org_id IS NOT NULL ORDER BY 1",
        )?;
        stmt.query_map(params![lo, hi], |r| r.get::<_, String>(0))?
            .collect::<rusqlite::Result<Vec<_>>>()?
    };
    let weekly = weekly(conn, &all, period)?;
    let mut categories: Vec<(String, u64)> = facets.category.clone().into_iter().collect();
    categories.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    let mut top_users: Vec<(String, u64)> = facets.user.clone().into_iter().collect();
    top_users.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    top_users.truncate(10);
    let manifest = outcome.manifest;
    let evidence = outcome
        .listing
        .filter(|_| content_truncated(&controls, exceptions_total, exceptions.len()));
    Ok(Content {
        name: name.to_string(),
        framework,
        period: (period.start, period.end),
        period_text: period.to_string(),
        scope: scope.text.clone(),
        generated_at: as_of,
        generator: format!("AuditDesk {}", env!("CARGO_PKG_VERSION")),
        organisations,
        coverage,
        controls,
        exceptions_total,
        exceptions,
        weekly,
        categories,
        top_users,
        manifest,
        evidence,
    })
}

fn content_truncated(controls: &[ControlResult], exceptions_total: u64, shown: usize) -> bool {
    exceptions_total > shown as u64
        || controls.iter().any(|c| match &c.finding {
            Finding::Events { count, listed, .. } => *count > listed.len() as u64,
            _ => false,
        })
}

/// The events at `rowids` as result rows, in that order.
fn hits_at<'a>(conn: &Connection, rowids: impl Iterator<Item = &'a i64>) -> Result<Vec<SearchHit>> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {EVENT_COLUMNS} FROM events AS e JOIN sources AS s ON s.id = e.source_id
         WHERE e.id = ?1"
    ))?;
    let mut hits = Vec::new();
    for rowid in rowids {
        let (_, event) = stmt.query_row([rowid], read_row)?;
        hits.push(SearchHit::from(event));
    }
    Ok(hits)
}

fn coverage(
    conn: &Connection,
    all: &Query,
    period: &Period,
    facets: &search::Facets,
) -> Result<Coverage> {
    let span = crate::events::held_span(conn)?;
    let mut by_source: BTreeMap<String, u64> = BTreeMap::new();
    let mut c = search::compile::compile(&all.expr);
    c.needs_sources = true;
    let sql = format!(
        "SELECT s.name, count(*) FROM {} WHERE {} GROUP BY s.name",
        c.from(false),
        c.cond
    );
    let mut stmt = conn.prepare(&sql)?;
    let mut rows = stmt.query(params_from_iter(c.params.iter()))?;
    while let Some(r) = rows.next()? {
        by_source.insert(r.get(0)?, r.get::<_, i64>(1)? as u64);
    }
    let mut empty_days = Vec::new();
    let mut day = period.start;
    while day < period.end {
        let key = day.format("%Y-%m-%d").to_string();
        if !facets.day.contains_key(&key) {
            empty_days.push(key);
        }
        day += Duration::days(1);
    }
    let mut stmt = conn.prepare(
        "SELECT s.name, r.status, r.window_start, r.window_stop, r.error
         FROM sync_runs AS r JOIN sources AS s ON s.id = r.source_id
         WHERE r.window_start < ?2 AND r.window_stop > ?1 ORDER BY r.id",
    )?;
    let sync_runs = stmt
        .query_map(
            params![
                period.start.timestamp_millis(),
                period.end.timestamp_millis()
            ],
            |r| {
                Ok(SyncWindow {
                    source: r.get(0)?,
                    status: r.get(1)?,
                    from: millis_to_utc(r.get(2)?),
                    to: millis_to_utc(r.get(3)?),
                    error: r.get(4)?,
                })
            },
        )?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(Coverage {
        first_held: span.map(|s| s.0),
        last_held: span.map(|s| s.1),
        events: facets.total,
        by_source: by_source.into_iter().collect(),
        empty_days,
        sync_runs,
    })
}

/// Events per ISO week (weeks start on Monday) by severity.
fn weekly(conn: &Connection, all: &Query, period: &Period) -> Result<Vec<(String, [u64; 4])>> {
    let c = search::compile::compile(&all.expr);
    let sql = format!(
        "SELECT (f.id >> 20) / 86400000, f.severity, count(*) FROM {} WHERE {} GROUP BY 1, 2",
        c.from(false),
        c.cond
    );
    let mut weeks: BTreeMap<String, [u64; 4]> = BTreeMap::new();
    let mut monday = period.start.date_naive();
    while chrono::Datelike::weekday(&monday) != chrono::Weekday::Mon {
        monday -= Duration::days(1);
    }
    let mut w = monday;
    while w < period.end.date_naive() {
        weeks.insert(w.to_string(), [0; 4]);
        w += Duration::days(7);
    }
    let mut stmt = conn.prepare(&sql)?;
    let mut rows = stmt.query(params_from_iter(c.params.iter()))?;
    while let Some(r) = rows.next()? {
        let day: i64 = r.get(0)?;
        let sev: i64 = r.get(1)?;
        let n: i64 = r.get(2)?;
        let date = millis_to_utc(day * 86_400_000).date_naive();
        let offset = (date - monday).num_days().div_euclid(7);
        let key = (monday + Duration::days(offset * 7)).to_string();
        if let Some(cell) = weeks
            .get_mut(&key)
            .and_then(|slot| usize::try_from(sev).ok().and_then(|i| slot.get_mut(i)))
        {
            *cell += n as u64;
        }
    }
    Ok(weeks.into_iter().collect())
}
