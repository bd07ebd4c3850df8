//! The one pass a report makes over the events it covers. The wide `events`
//! rows of a quarter are read once, in time order, for everything that needs
//! them: the evidence manifest, each control's count, exceptions and newest
//! events, the per-user counts, the field completeness, and the attached
//! listing. Which events belong to which control comes from one cursor per
//! control query walked in step (all ascend by rowid), so the query language
//! keeps a single meaning: SQL's.

use std::collections::{BTreeMap, HashMap, VecDeque};

use rusqlite::{Connection, Row, params_from_iter};

use super::attach::{Attachment, Listing};
use super::evidence::{self, Manifest};
use super::period::Period;
use crate::domain::Severity;
use crate::error::{Error, Result};
use crate::events::millis_to_utc;
use crate::search::{self, Query};

/// A control whose events the pass follows.
pub(crate) struct Tracked {
    /// The control the listing names for these events (none: not listed).
    pub id: Option<String>,
    pub query: Query,
    /// Count its events per user label too.
    pub by_user: bool,
}

#[derive(Debug, Default)]
pub(crate) struct Tally {
    pub count: u64,
    pub exceptions: u64,
    /// The newest `keep` rowids, oldest first.
    pub newest: VecDeque<i64>,
    pub users: BTreeMap<String, u64>,
}

pub(crate) struct Outcome {
    pub manifest: Manifest,
    pub tallies: Vec<Tally>,
    pub exceptions: u64,
    /// The newest `keep` exceptions' rowids, oldest first.
    pub newest_exceptions: VecDeque<i64>,
    /// Events carrying: a user label, an IP address, a route or resource.
    pub with_user: u64,
    pub with_ip: u64,
    pub with_resource: u64,
    /// Every covered event as CSV, when asked for.
    pub listing: Option<Attachment>,
}

/// The name of the attached listing.
pub const EVIDENCE_FILE: &str = "evidence.csv";

/// Reads the events of `period` and `scope` once. `exception` is the query
/// of the exceptions (within the scope); `keep` is how many of each
/// control's newest events to remember; `listing` makes the CSV of every
/// event with the controls it is evidence for and whether it is an
/// exception (a section's full listing is the rows naming its control).
pub(crate) fn run(
    conn: &Connection,
    period: &Period,
    scope: &Query,
    tracked: &[Tracked],
    exception: &Query,
    keep: usize,
    listing: bool,
) -> Result<Outcome> {
    let mut statements = Vec::with_capacity(tracked.len() + 1);
    for q in tracked.iter().map(|t| &t.query).chain([exception]) {
        let c = search::compile::compile(&q.expr);
        let sql = format!(
            "SELECT f.id FROM {} WHERE {} ORDER BY f.id",
            c.from(false),
            c.cond
        );
        statements.push((conn.prepare(&sql)?, c.params));
    }
    let mut cursors = Vec::with_capacity(statements.len());
    for (stmt, params) in &mut statements {
        cursors.push(Members {
            rows: stmt.query(params_from_iter(params.iter()))?,
            at: None,
            started: false,
        });
    }
    let mut exceptions = cursors
        .pop()
        .ok_or_else(|| Error::Invalid("report pass without an exception query".into()))?;

    let mut out = if listing {
        let mut header: Vec<&str> = crate::export::COLUMNS.to_vec();
        header.extend(["controls", "exception"]);
        Some(Listing::new(EVIDENCE_FILE, &header)?)
    } else {
        None
    };
    let mut tallies: Vec<Tally> = tracked.iter().map(|_| Tally::default()).collect();
    let mut users: Vec<HashMap<String, u64>> = tracked.iter().map(|_| HashMap::new()).collect();
    let (mut ex_total, mut with_user, mut with_ip, mut with_resource) = (0, 0, 0, 0);
    let mut newest_exceptions = VecDeque::new();
    let mut ids: Vec<&str> = Vec::new();
    let manifest = evidence::scan(conn, period, scope, COLUMNS, |row| {
        let rowid: i64 = row.get(4)?;
        let exception = exceptions.contains(rowid)?;
        if exception {
            ex_total += 1;
            keep_newest(&mut newest_exceptions, keep, rowid);
        }
        let r = Fields::read(row)?;
        let user = r.user();
        with_user += u64::from(user.is_some());
        with_ip += u64::from(r.ip.is_some());
        with_resource += u64::from(
            r.route.is_some()
                || r.resource_type.is_some()
                || r.resource_id.is_some()
                || r.resource_name.is_some(),
        );
        ids.clear();
        for (i, m) in cursors.iter_mut().enumerate() {
            if !m.contains(rowid)? {
                continue;
            }
            let t = &mut tallies[i];
            t.count += 1;
            t.exceptions += u64::from(exception);
            keep_newest(&mut t.newest, keep, rowid);
            if tracked[i].by_user
                && let Some(u) = user
            {
                match users[i].get_mut(u) {
                    Some(n) => *n += 1,
                    None => {
                        users[i].insert(u.to_string(), 1);
                    }
                }
            }
            if let Some(id) = &tracked[i].id {
                ids.push(id.as_str());
            }
        }
        if let Some(out) = &mut out {
            let mut cells = r.cells(row)?;
            cells[25] = ids.join("; ");
            cells[26] = if exception { "yes" } else { "no" }.into();
            out.record(&cells)?;
        }
        Ok(())
    })?;
    for (t, u) in tallies.iter_mut().zip(users) {
        t.users = u.into_iter().collect();
    }
    Ok(Outcome {
        manifest,
        tallies,
        exceptions: ex_total,
        newest_exceptions,
        with_user,
        with_ip,
        with_resource,
        listing: out.map(Listing::finish).transpose()?,
    })
}

/// Remembers `rowid` among the newest `keep` (rowids come ascending).
fn keep_newest(newest: &mut VecDeque<i64>, keep: usize, rowid: i64) {
    if keep == 0 {
        return;
    }
    if newest.len() == keep {
        newest.pop_front();
    }
    newest.push_back(rowid);
}

/// The columns the pass reads besides the manifest's four (see
/// `evidence::scan`, so from index 4): the export columns, straight from
/// their stored form (no raw JSON read or parsed).
const COLUMNS: &str = "f.id, e.type, e.category, e.severity, e.outcome, e.user_id,
    e.user_email, e.user_name, e.user_role, e.ip, e.route, e.resource_type, e.resource_id,
    e.resource_name, e.action, e.description, e.request_id, e.session_id, e.org_id, e.env_id,
    e.tags, e.details";

/// The nullable columns every row needs.
struct Fields {
    user_id: Option<String>,
    email: Option<String>,
    name: Option<String>,
    ip: Option<String>,
    route: Option<String>,
    resource_type: Option<String>,
    resource_id: Option<String>,
    resource_name: Option<String>,
}

impl Fields {
    fn read(row: &Row<'_>) -> Result<Fields> {
        Ok(Fields {
            user_id: row.get(9)?,
            email: row.get(10)?,
            name: row.get(11)?,
            ip: row.get(13)?,
            route: row.get(14)?,
            resource_type: row.get(15)?,
            resource_id: row.get(16)?,
            resource_name: row.get(17)?,
        })
    }

    /// The label a result row shows (`Actor::label`): e-mail, else name, else id.
    fn user(&self) -> Option<&str> {
        self.email
            .as_deref()
            .or(self.name.as_deref())
            .or(self.user_id.as_deref())
    }

    /// `export::COLUMNS` as `export::cells` writes them, and two cells left
    /// for the controls and the exception flag.
    fn cells(self, row: &Row<'_>) -> Result<[String; 27]> {
        let text = |i: usize| -> Result<String> {
            Ok(row.get::<_, Option<String>>(i)?.unwrap_or_default())
        };
        let ms: i64 = row.get(0)?;
        let rank: i64 = row.get(7)?;
        let severity = Severity::from_rank(rank).ok_or_else(|| {
            Error::Invalid(format!("severity rank {rank} is not one AuditDesk writes"))
        })?;
        let tags: Vec<String> = serde_json::from_str(&row.get::<_, String>(24)?)
            .map_err(|e| Error::Invalid(format!("stored tags: {e}")))?;
        let user = self.user().unwrap_or_default().to_string();
        Ok([
            row.get(1)?,
            row.get(2)?,
            millis_to_utc(ms).to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
            row.get(5)?,
            row.get(6)?,
            severity.as_str().to_string(),
            row.get(8)?,
            user,
            self.user_id.unwrap_or_default(),
            self.email.unwrap_or_default(),
            self.name.unwrap_or_default(),
            text(12)?,
            self.ip.unwrap_or_default(),
            self.route.unwrap_or_default(),
            self.resource_type.unwrap_or_default(),
            self.resource_id.unwrap_or_default(),
            self.resource_name.unwrap_or_default(),
            text(18)?,
            text(19)?,
            text(20)?,
            text(21)?,
            text(22)?,
            text(23)?,
            tags.join("; "),
            // Stored as canonical JSON, which is what the export writes.
            text(25)?,
            String::new(),
            String::new(),
        ])
    }
}

/// One control's (or the exceptions') matching rowids, read in step with
/// the pass.
struct Members<'s> {
    rows: rusqlite::Rows<'s>,
    at: Option<i64>,
    started: bool,
}

impl Members<'_> {
    /// Whether `rowid` is a member; called with ascending rowids.
    fn contains(&mut self, rowid: i64) -> Result<bool> {
        loop {
            match self.at {
                Some(at) if at >= rowid => return Ok(at == rowid),
                None if self.started => return Ok(false),
                _ => {
                    self.started = true;
                    self.at = match self.rows.next()? {
                        Some(r) => Some(r.get(0)?),
                        None => None,
                    };
                }
            }
        }
    }
}
