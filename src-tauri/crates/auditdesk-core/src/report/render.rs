//! `Content` → PDF pages. Laid out twice: the first pass learns on which
//! page each section starts, the second prints those pages in the table of
//! contents (the contents take the same room both times, so nothing moves).

use super::attach::Attachment;
use super::content::{Content, ControlResult, Finding, LISTED};
use super::pdf::{BarChart, Column, Document, Series, StackedBarChart, Weight};
use crate::error::Result;
use crate::search::SearchHit;

const BODY: f32 = 9.0;
const SMALL: f32 = 7.5;

/// The PDF and its page count.
pub fn render(content: &Content) -> Result<(Vec<u8>, usize)> {
    let (_, first_pass) = layout(content, &[])?;
    let (doc, _) = layout(content, &first_pass)?;
    let pages = doc.page_count();
    Ok((doc.finish()?, pages))
}

fn when(t: &chrono::DateTime<chrono::Utc>) -> String {
    t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

fn sections(content: &Content) -> Vec<String> {
    let mut out = vec![
        "1. Data coverage".to_string(),
        "2. Executive summary".to_string(),
        "3. Activity charts".to_string(),
    ];
    for (i, c) in content.controls.iter().enumerate() {
        out.push(format!(
            "4.{} {} — {}",
            i + 1,
            c.control.id,
            c.control.title
        ));
    }
    if content.controls.is_empty() {
        out.push("4. Events of the period".to_string());
    }
    out.push("5. Exceptions".to_string());
    out.push("6. Evidence manifest".to_string());
    out.push("7. Sign-off".to_string());
    out
}

/// Lays the report out; returns the document and the page (1-based) each
/// section of `sections` starts on.
fn layout(content: &Content, pages: &[usize]) -> Result<(Document, Vec<usize>)> {
    let fw = &content.framework;
    let title = if fw.controls.is_empty() {
        format!("{} — custom audit report", content.name)
    } else {
        format!("{} — {} {} report", content.name, fw.name, fw.version)
    };
    let mut doc = Document::new(&title, content.generated_at)?;
    let mut starts = Vec::new();
    let names = sections(content);
    let section = |doc: &mut Document, starts: &mut Vec<usize>, i: usize| {
        starts.push(doc.heading(&names[i]));
    };

    // Cover.
    let _ = doc.heading(&title);
    doc.space(4.0);
    let cover: Vec<(&str, String)> = vec![
        ("Report", content.name.clone()),
        (
            "Framework",
            if fw.controls.is_empty() {
                "none (custom: every event of the period)".into()
            } else {
                format!("{} {} — {}", fw.name, fw.version, fw.scope)
            },
        ),
        (
            "Organisation(s)",
            if content.organisations.is_empty() {
                "none named by the events of the period".into()
            } else {
                content.organisations.join(", ")
            },
        ),
        ("Period", content.period_text.clone()),
        (
            "Scope query",
            if content.scope.trim().is_empty() {
                "(none: every event of the period)".into()
            } else {
                content.scope.clone()
            },
        ),
        ("Generated at", when(&content.generated_at)),
        ("Generator", content.generator.clone()),
        ("Events covered", content.manifest.count.to_string()),
        ("Evidence Merkle root", content.manifest.root.clone()),
    ];
    let rows: Vec<Vec<String>> = cover
        .into_iter()
        .map(|(k, v)| vec![k.to_string(), v])
        .collect();
    doc.table(&[Column::new("", 1.0), Column::new("", 3.2)], &rows)?;
    doc.space(6.0);
    doc.subheading("Contents");
    for (i, name) in names.iter().enumerate() {
        let page = pages.get(i).map_or("…".to_string(), |p| p.to_string());
        doc.paragraph(&format!("{name}  ·  page {page}"), BODY, Weight::Regular);
    }
    doc.page_break();

    // 1. Data coverage.
    section(&mut doc, &mut starts, 0);
    let cov = &content.coverage;
    let held = match (&cov.first_held, &cov.last_held) {
        (Some(a), Some(b)) => format!("{} to {}", when(a), when(b)),
        _ => "no events at all".into(),
    };
    doc.paragraph(
        &format!(
            "The vault holds events from {held}. {} events fall in the period and the scope.",
            cov.events
        ),
        BODY,
        Weight::Regular,
    );
    let rows: Vec<Vec<String>> = cov
        .by_source
        .iter()
        .map(|(s, n)| vec![s.clone(), n.to_string()])
        .collect();
    if rows.is_empty() {
        doc.paragraph(
            "No source holds events in the period.",
            BODY,
            Weight::Regular,
        );
    } else {
        doc.table(
            &[
                Column::new("Source", 3.0),
                Column::new("Events", 1.0).right(),
            ],
            &rows,
        )?;
    }
    doc.paragraph(
        &if cov.empty_days.is_empty() {
            "Every day of the period has events.".to_string()
        } else {
            format!(
                "{} day(s) of the period have no events at all (a gap in collection, or quiet days): {}.",
                cov.empty_days.len(),
                cov.empty_days.join(", ")
            )
        },
        BODY,
        Weight::Regular,
    );
    if cov.sync_runs.is_empty() {
        doc.paragraph(
            "No sync run covers the period: its events came from file imports, so completeness rests on those exports. Sources may keep only a limited history (Redox audit events: check the plan's retention).",
            BODY,
            Weight::Regular,
        );
    } else {
        let rows: Vec<Vec<String>> = cov
            .sync_runs
            .iter()
            .map(|r| {
                vec![
                    r.source.clone(),
                    r.status.clone(),
                    when(&r.from),
                    when(&r.to),
                    r.error.clone().unwrap_or_default(),
                ]
            })
            .collect();
        doc.table(
            &[
                Column::new("Source", 1.2),
                Column::new("Run", 1.0),
                Column::new("Window from", 1.6),
                Column::new("to", 1.6),
                Column::new("Error", 2.0),
            ],
            &rows,
        )?;
    }

    // 2. Executive summary.
    section(&mut doc, &mut starts, 1);
    if content.controls.is_empty() {
        doc.paragraph(
            &format!(
                "A custom report: no framework controls. {} events in the period and scope; {} exceptions.",
                content.manifest.count, content.exceptions_total
            ),
            BODY,
            Weight::Regular,
        );
    } else {
        let rows: Vec<Vec<String>> = content.controls.iter().map(summary_row).collect();
        doc.table(
            &[
                Column::new("Control", 1.1),
                Column::new("Requirement", 3.4),
                Column::new("Status", 1.1),
                Column::new("Events", 0.8).right(),
                Column::new("Exceptions", 0.9).right(),
            ],
            &rows,
        )?;
    }

    // 3. Charts: a page of their own, so the heading stays with them.
    doc.page_break();
    section(&mut doc, &mut starts, 2);
    let names_sev = ["INFO", "WARNING", "ERROR", "CRITICAL"];
    doc.stacked_bar_chart(&StackedBarChart {
        title: "Events per week by severity".into(),
        x_label: "week starting (Monday)".into(),
        y_label: "events".into(),
        x_labels: content
            .weekly
            .iter()
            .map(|(w, _)| w[5..].to_string())
            .collect(),
        series: names_sev
            .iter()
            .enumerate()
            .map(|(i, n)| Series {
                name: n.to_string(),
                values: content.weekly.iter().map(|(_, v)| v[i] as f64).collect(),
            })
            .collect(),
    })?;
    doc.bar_chart(&BarChart {
        title: "Events by category".into(),
        value_label: "events".into(),
        bars: content
            .categories
            .iter()
            .map(|(c, n)| (c.clone(), *n as f64))
            .collect(),
    })?;
    doc.bar_chart(&BarChart {
        title: "Most active users".into(),
        value_label: "events".into(),
        bars: content
            .top_users
            .iter()
            .map(|(u, n)| (u.clone(), *n as f64))
            .collect(),
    })?;

    // 4. Controls.
    for (i, c) in content.controls.iter().enumerate() {
        if i == 0 {
            doc.page_break();
        }
        section(&mut doc, &mut starts, 3 + i);
        control(&mut doc, c, content.evidence.as_ref())?;
    }
    if content.controls.is_empty() {
        doc.page_break();
        section(&mut doc, &mut starts, 3);
        doc.paragraph(
            &format!("{} events in the period and scope.", content.manifest.count),
            BODY,
            Weight::Regular,
        );
    }
    let base = 3 + content.controls.len().max(1);

    // 5. Exceptions.
    doc.page_break();
    section(&mut doc, &mut starts, base);
    doc.paragraph(
        &format!(
            "{} events in the period and scope failed, were refused (unauthorized, unauthenticated) or are still 'attempted'. Listed: every one an investigator annotated, and the newest others ({} shown).",
            content.exceptions_total,
            content.exceptions.len()
        ),
        BODY,
        Weight::Regular,
    );
    if let Some(a) = &content.evidence
        && content.exceptions_total > content.exceptions.len() as u64
    {
        doc.paragraph(
            &format!(
                "All {} are the rows of the attached {} with `exception` = yes.",
                content.exceptions_total, a.name
            ),
            SMALL,
            Weight::Regular,
        );
    }
    if !content.exceptions.is_empty() {
        let rows: Vec<Vec<String>> = content
            .exceptions
            .iter()
            .map(|x| {
                let mut r = event_row(&x.event);
                r.push(x.note.clone().unwrap_or_default());
                r
            })
            .collect();
        let mut cols = event_columns();
        cols.push(Column::new("Investigator's note", 2.0));
        doc.table(&cols, &rows)?;
    }

    // 6. Evidence manifest.
    section(&mut doc, &mut starts, base + 1);
    doc.paragraph(
        "The covered events are the events of the period that the scope query matches, ordered by time, then event id, then source. Their content hashes (SHA-256 over each event's canonical JSON, as `vault verify` checks) are the leaves of an RFC 6962 Merkle tree.",
        BODY,
        Weight::Regular,
    );
    doc.table(
        &[Column::new("", 1.0), Column::new("", 3.2)],
        &[
            vec!["Events covered".into(), content.manifest.count.to_string()],
            vec![
                "Merkle root (SHA-256)".into(),
                content.manifest.root.clone(),
            ],
            vec!["Period".into(), content.period_text.clone()],
            vec![
                "Scope query".into(),
                if content.scope.is_empty() {
                    "(none)".into()
                } else {
                    content.scope.clone()
                },
            ],
        ],
    )?;
    if let Some(a) = &content.evidence {
        doc.paragraph(
            &format!(
                "Attached to this PDF: {} — every covered event, {} rows, {} bytes, SHA-256 {}.",
                a.name, a.rows, a.bytes, a.sha256
            ),
            BODY,
            Weight::Regular,
        );
    }
    doc.paragraph(
        "To re-verify: `auditdesk report verify THIS.pdf` on the vault that produced it recomputes the count and the root from the events it holds now, and fails (exit 4) naming what differs.",
        SMALL,
        Weight::Regular,
    );

    // 7. Sign-off.
    section(&mut doc, &mut starts, base + 2);
    for role in ["Prepared by", "Reviewed by", "Approved by"] {
        doc.space(8.0);
        doc.paragraph(
            &format!("{role}: ______________________________   Date: ______________"),
            BODY,
            Weight::Regular,
        );
    }
    Ok((doc, starts))
}

fn summary_row(c: &ControlResult) -> Vec<String> {
    let (events, exceptions) = match &c.finding {
        Finding::Events {
            count, exceptions, ..
        } => (count.to_string(), exceptions.to_string()),
        Finding::Completeness { total, .. } => (total.to_string(), "—".into()),
        Finding::ByUser { count, .. } => (count.to_string(), "—".into()),
        Finding::Conflict { users, .. } => (
            users.iter().map(|(_, a, b)| a + b).sum::<u64>().to_string(),
            "—".into(),
        ),
        Finding::Cases { cases } => (
            cases
                .iter()
                .map(|(_, t)| t.len())
                .sum::<usize>()
                .to_string(),
            "—".into(),
        ),
        Finding::Retention { .. } => ("—".into(), "—".into()),
        Finding::Review { actions } => (
            actions.iter().map(|(_, n)| n).sum::<u64>().to_string(),
            "—".into(),
        ),
    };
    vec![
        c.control.id.clone(),
        c.control.title.clone(),
        c.status.clone(),
        events,
        exceptions,
    ]
}

/// Times to the second and event ids whole (wrapped, never cut): a
/// reviewer looks them up.
fn event_columns() -> Vec<Column> {
    vec![
        Column::new("Time (UTC)", 2.0),
        Column::new("Type", 2.1).cut(),
        Column::new("Outcome", 1.6),
        Column::new("User", 1.5).cut(),
        Column::new("Event id", 2.2),
    ]
}

fn event_row(e: &SearchHit) -> Vec<String> {
    vec![
        e.occurred_at
            .get(..19)
            .unwrap_or(&e.occurred_at)
            .replace('T', " "),
        e.event_type.clone(),
        e.outcome.clone(),
        e.user.clone().unwrap_or_default(),
        e.id.clone(),
    ]
}

fn control(doc: &mut Document, c: &ControlResult, evidence: Option<&Attachment>) -> Result<()> {
    doc.paragraph(&format!("Status: {}", c.status), BODY, Weight::Bold);
    match &c.finding {
        Finding::Events {
            count,
            exceptions,
            listed,
            query,
        } => {
            doc.paragraph(
                &format!(
                    "Evidence: the events of the period and scope matching `{query}`: {count}, of which {exceptions} exceptions."
                ),
                BODY,
                Weight::Regular,
            );
            if *count == 0 {
                doc.paragraph("No events: 0.", BODY, Weight::Regular);
                return Ok(());
            }
            let rows: Vec<Vec<String>> = listed.iter().map(event_row).collect();
            doc.table(&event_columns(), &rows)?;
            let more = count.saturating_sub(listed.len() as u64);
            if more > 0 {
                let attached = match evidence {
                    Some(a) => format!(
                        "all {count} are the rows of the attached {} whose `controls` column names {} ({} rows in all, SHA-256 {})",
                        a.name, c.control.id, a.rows, a.sha256
                    ),
                    None => "the full listing could not be attached".into(),
                };
                doc.paragraph(
                    &format!("The newest {LISTED} are printed; {more} more are not: {attached}."),
                    SMALL,
                    Weight::Regular,
                );
            }
        }
        Finding::ByUser {
            count,
            query,
            users,
        } => {
            doc.paragraph(
                &format!("Evidence: the events of the period and scope matching `{query}`: {count}, by user (every user listed)."),
                BODY,
                Weight::Regular,
            );
            if users.is_empty() {
                doc.paragraph("No events: 0.", BODY, Weight::Regular);
            } else {
                let rows: Vec<Vec<String>> = users
                    .iter()
                    .map(|(u, n)| vec![u.clone(), n.to_string()])
                    .collect();
                doc.table(
                    &[Column::new("User", 3.0), Column::new("Events", 1.0).right()],
                    &rows,
                )?;
            }
        }
        Finding::Conflict {
            query,
            with,
            users_query,
            users_with,
            users,
        } => {
            doc.paragraph(
                &format!(
                    "Evidence: the users with events of the period and scope matching both (1) `{query}` \
                     ({users_query} users) and (2) `{with}` ({users_with} users): {} users hold both duties \
                     (every one listed).",
                    users.len()
                ),
                BODY,
                Weight::Regular,
            );
            if users.is_empty() {
                doc.paragraph("No user holds both: 0 conflicts.", BODY, Weight::Regular);
            } else {
                let rows: Vec<Vec<String>> = users
                    .iter()
                    .map(|(u, a, b)| vec![u.clone(), a.to_string(), b.to_string()])
                    .collect();
                doc.table(
                    &[
                        Column::new("User", 3.0),
                        Column::new("Events (1)", 1.0).right(),
                        Column::new("Events (2)", 1.0).right(),
                    ],
                    &rows,
                )?;
            }
        }
        Finding::Cases { cases } => {
            if cases.is_empty() {
                doc.paragraph(
                    "No case holds bookmarked events of the period: 0 investigations.",
                    BODY,
                    Weight::Regular,
                );
            }
            for (case, timeline) in cases {
                doc.subheading(&format!("Case {} ({})", case.name, case.status));
                if !case.description.is_empty() {
                    doc.paragraph(&case.description, BODY, Weight::Regular);
                }
                let rows: Vec<Vec<String>> = timeline
                    .iter()
                    .map(|b| {
                        vec![
                            b.occurred_at.format("%Y-%m-%d %H:%M:%S").to_string(),
                            b.event_type.clone(),
                            b.outcome.clone(),
                            b.user.clone().unwrap_or_default(),
                            b.event_id.clone(),
                            b.note.clone(),
                        ]
                    })
                    .collect();
                let mut cols = event_columns();
                cols.push(Column::new("Note", 2.0));
                doc.table(&cols, &rows)?;
            }
        }
        Finding::Completeness { total, fields } => {
            let rows: Vec<Vec<String>> = fields
                .iter()
                .map(|(f, n)| {
                    let pct = if *total == 0 {
                        "—".to_string()
                    } else {
                        format!("{:.1} %", *n as f64 * 100.0 / *total as f64)
                    };
                    vec![f.clone(), n.to_string(), total.to_string(), pct]
                })
                .collect();
            doc.table(
                &[
                    Column::new("Field", 3.0),
                    Column::new("Events with it", 1.2).right(),
                    Column::new("Events", 1.0).right(),
                    Column::new("Share", 0.9).right(),
                ],
                &rows,
            )?;
        }
        Finding::Retention {
            first,
            last,
            twelve_months,
            three_months,
        } => {
            let span = match (first, last) {
                (Some(a), Some(b)) => format!("from {} to {}", when(a), when(b)),
                _ => "no events".into(),
            };
            doc.paragraph(
                &format!(
                    "The vault holds events {span}. Twelve months of history before the period's end: {}. Three months: {}.",
                    if *twelve_months { "held" } else { "not held" },
                    if *three_months { "held" } else { "not held" }
                ),
                BODY,
                Weight::Regular,
            );
        }
        Finding::Review { actions } => {
            if actions.is_empty() {
                doc.paragraph(
                    "The reviewer-activity log records no access to the audit trail in the period.",
                    BODY,
                    Weight::Regular,
                );
            } else {
                let rows: Vec<Vec<String>> = actions
                    .iter()
                    .map(|(a, n)| vec![a.clone(), n.to_string()])
                    .collect();
                doc.table(
                    &[
                        Column::new("Reviewer action (activity log)", 3.0),
                        Column::new("Times", 1.0).right(),
                    ],
                    &rows,
                )?;
            }
        }
    }
    Ok(())
}
