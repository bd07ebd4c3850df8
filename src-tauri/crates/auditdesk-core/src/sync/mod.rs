//! The sync engine (DESIGN §5): per source and run, a frozen window
//! `[start, stop]` walked page by page with `_count` ≤ 50; each page upserted
//! and checkpointed in one transaction; the watermark advanced only when the
//! whole window succeeded. A run killed or failed part-way is resumed from
//! its checkpoint by the next sync, before a new window is started.

pub mod runs;

use std::collections::{BTreeMap, HashSet};
use std::sync::atomic::Ordering;
use std::sync::mpsc;
use std::sync::{Condvar, Mutex};
use std::time::Instant;

use chrono::{DateTime, Duration, TimeZone as _, Utc};
use rusqlite::Connection;
use serde::Serialize;

use crate::Vault;
use crate::domain::Classifier;
use crate::error::{Error, Result};
use crate::events::{EventWriter, PreparedEvent, Upsert};
use crate::sources::redox::decode::decode_event;
use crate::sources::redox::{RedoxClient, RedoxConfig, RemoteError, Window};
use crate::sources::{self, Source};

pub use runs::{RunStatus, SyncRun};

/// Per-run choices on top of the source's stored settings.
#[derive(Debug, Clone, Default)]
pub struct SyncOptions {
    /// Start here instead of the watermark (or the first run's lookback).
    pub since: Option<DateTime<Utc>>,
    /// `KEY=VALUE` overrides of the source's settings, for this run only.
    pub overrides: Vec<String>,
    /// Talk to this host instead of the configured one (the embedded demo).
    pub host: Option<String>,
}

/// Reported after every committed page.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct SyncProgress {
    pub source: String,
    pub run_id: i64,
    pub pages: u64,
    pub events: u64,
    pub new: u64,
    pub updated: u64,
    pub unchanged: u64,
    pub requests: u64,
    pub events_per_second: f64,
    pub requests_per_second: f64,
    /// How much of the window is done, from the oldest event reached
    /// (pages come newest first).
    pub fraction: f64,
    pub eta_seconds: Option<f64>,
}

/// Syncs one Redox (or demo) source. Returns the runs it made: a resumed
/// one first when the last run did not complete, then the new window.
pub fn sync_source(
    vault: &mut Vault,
    name: &str,
    options: &SyncOptions,
    progress: &mut dyn FnMut(&SyncProgress),
) -> Result<Vec<SyncRun>> {
    let (source, mut config) = sources::redox_config(vault.conn(), name)?;
    for assignment in &options.overrides {
        config.settings.set(assignment)?;
    }
    let client = RedoxClient::new(&config, options.host.as_deref())?;
    let mut done = Vec::new();
    if let Some(run) = runs::unfinished(vault.conn(), source.id)? {
        if options.since.is_some() {
            // An explicit start replaces the interrupted window.
            runs::finish(
                vault.conn(),
                run.id,
                RunStatus::Failed,
                Some("abandoned: a later sync was started with --since"),
                &runs::PageTally::default(),
            )?;
        } else {
            runs::mark_resumed(vault.conn(), run.id)?;
            let window = Window {
                start: run.window_start,
                stop: run.window_stop,
            };
            let resumed = Walk {
                client: &client,
                config: &config,
                source: &source,
                run_id: run.id,
                window,
                first_page: run.next_page,
            };
            walk(vault, resumed, progress)?;
            done.push(runs::get(vault.conn(), run.id)?);
        }
    }
    let now = Utc::now();
    let window = next_window(vault.conn(), &source, &config, options.since, now)?;
    if window.start < window.stop {
        let id = runs::start(vault.conn(), source.id, window.start, window.stop)?;
        let fresh = Walk {
            client: &client,
            config: &config,
            source: &source,
            run_id: id,
            window,
            first_page: 1,
        };
        walk(vault, fresh, progress)?;
        done.push(runs::get(vault.conn(), id)?);
    }
    Ok(done)
}

/// What `source test` found: a token, then one page.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct ConnectionTest {
    pub source: String,
    pub host: String,
    pub algorithm: crate::sources::redox::KeyAlgorithm,
    pub window: Window,
    /// Events on the first page of the last day (at most the page size).
    pub first_page_events: usize,
    pub requests: u64,
}

/// Gets a token and one page of the last day's events; writes nothing.
pub fn test_connection(vault: &Vault, name: &str, host: Option<&str>) -> Result<ConnectionTest> {
    let (source, config) = sources::redox_config(vault.conn(), name)?;
    let client = RedoxClient::new(&config, host)?;
    let stop = Utc::now() - Duration::seconds(config.settings.lag_s);
    let window = Window {
        start: stop - Duration::days(1),
        stop,
    };
    let page = client.audit_page(&window, 1)?;
    Ok(ConnectionTest {
        source: source.name,
        host: client.host().to_string(),
        algorithm: client.algorithm(),
        window,
        first_page_events: page.events.len(),
        requests: client.stats.requests.load(Ordering::Relaxed),
    })
}

/// stop = now − lag; start = min(watermark − overlap, the oldest interim
/// event younger than the re-poll age); the first run starts at `since` or
/// the lookback.
pub fn next_window(
    conn: &Connection,
    source: &Source,
    config: &RedoxConfig,
    since: Option<DateTime<Utc>>,
    now: DateTime<Utc>,
) -> Result<Window> {
    let s = &config.settings;
    let stop = now - Duration::seconds(s.lag_s);
    let start = match (since, runs::watermark(conn, source.id)?) {
        (Some(since), _) => since,
        (None, None) => now - Duration::days(s.lookback_days),
        (None, Some(watermark)) => {
            let overlap = watermark - Duration::seconds(s.overlap_s);
            let repoll_from = (now - Duration::seconds(s.max_repoll_age_s)).timestamp_millis();
            let oldest_interim: Option<i64> = conn.query_row(
                "SELECT min(occurred_at) FROM events INDEXED BY events_interim
                 WHERE source_id = ?1 AND outcome = 'attempted' AND occurred_at >= ?2",
                rusqlite::params![source.id, repoll_from],
                |r| r.get(0),
            )?;
            match oldest_interim.and_then(|ms| Utc.timestamp_millis_opt(ms).single()) {
                Some(t) if t < overlap => t,
                _ => overlap,
            }
        }
    };
    Ok(Window { start, stop })
}

/// Pages are committed once the writer keeps up (a paced sync against
/// Redox's rate limit always does), after waiting `MIN_TX_TIME` for more.
/// When pages arrive
/// faster than it writes them, the transaction stays open for those waiting,
/// up to these bounds: every commit rewrites the index pages it touched (50
/// random ids touch ~50 of them) and flushes a full-text segment, so a
/// commit per page would make the writer, not the API, the limit of an
/// unpaced sync. A kill loses at most what the open transaction held.
const MAX_BATCH_EVENTS: usize = 1_000;
const MAX_TX_EVENTS: usize = 20_000;
const MAX_TX_TIME: std::time::Duration = std::time::Duration::from_secs(1);
/// How long an open transaction waits for the next page before committing
/// when the writer has caught up: under Redox's pacing (a page every ~30 ms)
/// a few pages share a commit, and a kill loses at most this much work.
const MIN_TX_TIME: std::time::Duration = std::time::Duration::from_millis(250);

/// A page fetched and decoded by a fetcher thread, ready to write.
struct Fetched {
    count: usize,
    events: Vec<PreparedEvent>,
    oldest: Option<DateTime<Utc>>,
}

/// Fetchers take page numbers in order, at most `ahead` past the last
/// written page, until the writer says where the window ends.
struct Schedule {
    next: u32,
    written: u32,
    end: Option<u32>,
}

/// One run's walk over its window, from `first_page` on.
#[derive(Clone, Copy)]
struct Walk<'a> {
    client: &'a RedoxClient,
    config: &'a RedoxConfig,
    source: &'a Source,
    run_id: i64,
    window: Window,
    first_page: u32,
}

fn walk(vault: &mut Vault, walk: Walk<'_>, progress: &mut dyn FnMut(&SyncProgress)) -> Result<()> {
    let run_id = walk.run_id;
    // Page commits are checkpoints, not acknowledgements: NORMAL in WAL mode
    // survives a killed process (the OS holds the pages) and at worst loses
    // the last pages on power loss, which the checkpoint then refetches.
    // The run's completion, which moves the watermark, commits with FULL.
    // A larger WAL between checkpoints too: pages the sync rewrites again
    // and again (index interiors, the FTS structure) are copied back once.
    vault
        .conn()
        .execute_batch("PRAGMA synchronous = NORMAL; PRAGMA wal_autocheckpoint = 8192;")?;
    let walked = walk_pages(vault, walk, progress);
    vault
        .conn()
        .execute_batch("PRAGMA synchronous = FULL; PRAGMA wal_autocheckpoint = 1000;")?;
    let unreported = runs::PageTally::default();
    match walked {
        Ok(()) => runs::finish(
            vault.conn(),
            run_id,
            RunStatus::Completed,
            None,
            &unreported,
        ),
        Err(e) => {
            let message = e.to_string();
            runs::finish(
                vault.conn(),
                run_id,
                RunStatus::Failed,
                Some(&message),
                &unreported,
            )?;
            Err(e)
        }
    }
}

fn walk_pages(
    vault: &mut Vault,
    walk: Walk<'_>,
    progress: &mut dyn FnMut(&SyncProgress),
) -> Result<()> {
    let Walk {
        client,
        config,
        source,
        run_id,
        window,
        first_page,
    } = walk;
    let settings = &config.settings;
    let page_size = settings.page_size as usize;
    // Fetchers may run this many pages ahead of the last commit.
    let ahead = settings.concurrency * 16;
    let last_allowed = first_page.saturating_add(settings.max_pages);
    let schedule = Mutex::new(Schedule {
        next: first_page,
        written: first_page - 1,
        end: None,
    });
    let turn = Condvar::new();
    let classifier = Classifier::builtin();
    let started = Instant::now();
    let requests_at_start = client.stats.requests.load(Ordering::Relaxed);
    let mut last_requests = requests_at_start;
    let mut last_retries = client.stats.retries.load(Ordering::Relaxed);
    let mut totals = runs::get(vault.conn(), run_id)?;
    let events_before = totals.events;
    let mut seen: HashSet<String> = HashSet::new();

    let stop_fetchers = |end: u32| {
        let mut s = schedule.lock().unwrap_or_else(|p| p.into_inner());
        s.end = Some(s.end.map_or(end, |e| e.min(end)));
        turn.notify_all();
    };

    std::thread::scope(|scope| -> Result<()> {
        let (sender, receiver) = mpsc::channel::<(u32, Result<Fetched>)>();
        for _ in 0..settings.concurrency {
            let sender = sender.clone();
            let (schedule, turn, classifier) = (&schedule, &turn, &classifier);
            scope.spawn(move || {
                loop {
                    let page = {
                        let mut s = schedule.lock().unwrap_or_else(|p| p.into_inner());
                        // One page at a time until the first comes back
                        // full: a window of one short page costs one request.
                        let lead = if s.written >= first_page { ahead } else { 1 };
                        while s.end.is_none_or(|e| s.next <= e) && s.next > s.written + lead {
                            s = turn.wait(s).unwrap_or_else(|p| p.into_inner());
                        }
                        if s.end.is_some_and(|e| s.next > e) {
                            return;
                        }
                        s.next += 1;
                        s.next - 1
                    };
                    let fetched = client
                        .audit_page(&window, page)
                        .map_err(Error::from)
                        .and_then(|p| prepare(p.events, page, &source.name, classifier));
                    let failed = fetched.is_err();
                    if sender.send((page, fetched)).is_err() || failed {
                        return;
                    }
                }
            });
        }
        drop(sender);

        let mut waiting: BTreeMap<u32, Fetched> = BTreeMap::new();
        let mut open_since: Option<Instant> = None;
        let mut open_events = 0usize;
        let mut expected = first_page;
        let mut outcome: Result<()> = Ok(());
        'receive: loop {
            // Unless the next page is already here, wait for one to arrive;
            // then take whatever else is ready.
            let first = if waiting.contains_key(&expected) {
                None
            } else {
                match receiver.recv() {
                    Ok(item) => Some(item),
                    Err(_) => break,
                }
            };
            let mut failed = None;
            for (page, fetched) in first.into_iter().chain(receiver.try_iter()) {
                match fetched {
                    Ok(f) => {
                        waiting.insert(page, f);
                    }
                    Err(e) => failed = failed.or(Some(e)),
                }
            }
            // The pages ready in order, up to where the window ends.
            let mut batch: Vec<Fetched> = Vec::new();
            let mut batch_events = 0;
            let mut end = false;
            while batch_events < MAX_BATCH_EVENTS {
                let page = expected + batch.len() as u32;
                let Some(fetched) = waiting.remove(&page) else {
                    break;
                };
                // An empty page, or one of ids already seen (an API that
                // ignores `_page`), means the window is done.
                if fetched.count == 0 || fetched.events.iter().all(|e| seen.contains(e.event_id()))
                {
                    end = true;
                    break;
                }
                if page >= last_allowed {
                    failed = Some(Error::Remote(RemoteError::InvalidResponse {
                        url: client.host().to_string(),
                        message: format!(
                            "more than {} full pages in one window; the API seems to ignore _page",
                            settings.max_pages
                        ),
                    }));
                    break;
                }
                for e in &fetched.events {
                    seen.insert(e.event_id().to_string());
                }
                let short = fetched.count < page_size;
                batch_events += fetched.count;
                batch.push(fetched);
                if short {
                    end = true;
                    break;
                }
            }
            if !batch.is_empty() {
                let last_page = expected + batch.len() as u32 - 1;
                let oldest = batch.iter().filter_map(|f| f.oldest).min();
                let requests = client.stats.requests.load(Ordering::Relaxed);
                let retries = client.stats.retries.load(Ordering::Relaxed);
                let mut tally = runs::PageTally {
                    pages: batch.len() as u64,
                    events: batch_events as u64,
                    requests: requests - last_requests,
                    retries: retries - last_retries,
                    ..Default::default()
                };
                let events = batch.into_iter().flat_map(|f| f.events);
                let written = match open_since {
                    Some(_) => Ok(()),
                    None => vault
                        .conn()
                        .execute_batch("BEGIN IMMEDIATE")
                        .map_err(Error::from),
                }
                .and_then(|()| {
                    open_since.get_or_insert_with(Instant::now);
                    write_pages(vault.conn(), source, run_id, last_page, events, &mut tally)
                });
                if let Err(e) = written {
                    outcome = Err(e);
                    break 'receive;
                }
                open_events += batch_events;
                (last_requests, last_retries) = (requests, retries);
                totals.pages += tally.pages;
                totals.events += tally.events;
                totals.new += tally.new;
                totals.updated += tally.updated;
                totals.unchanged += tally.unchanged;
                {
                    let mut s = schedule.lock().unwrap_or_else(|p| p.into_inner());
                    s.written = last_page;
                    turn.notify_all();
                }
                expected = last_page + 1;
                progress(&report(
                    source,
                    run_id,
                    &totals,
                    events_before,
                    started,
                    requests - requests_at_start,
                    &window,
                    oldest,
                ));
            }
            // Pages that arrived while writing mean the writer is behind:
            // keep the transaction open for them, within bounds.
            for (page, fetched) in receiver.try_iter() {
                match fetched {
                    Ok(f) => {
                        waiting.insert(page, f);
                    }
                    Err(e) => failed = failed.or(Some(e)),
                }
            }
            // Caught up: a commit rewrites every index page the transaction
            // touched, so before committing give the next page a moment to
            // arrive (fetchers finish out of order).
            if let Some(since) = open_since
                && !end
                && failed.is_none()
            {
                let deadline = since + MIN_TX_TIME;
                while !waiting.contains_key(&expected) {
                    let Some(left) = deadline.checked_duration_since(Instant::now()) else {
                        break;
                    };
                    match receiver.recv_timeout(left) {
                        Ok((page, Ok(f))) => {
                            waiting.insert(page, f);
                        }
                        Ok((_, Err(e))) => {
                            failed = Some(e);
                            break;
                        }
                        Err(_) => break,
                    }
                }
            }
            let behind = waiting.contains_key(&expected);
            if let Some(since) = open_since
                && (end
                    || failed.is_some()
                    || !behind
                    || open_events >= MAX_TX_EVENTS
                    || since.elapsed() >= MAX_TX_TIME)
            {
                if let Err(e) = vault.conn().execute_batch("COMMIT") {
                    outcome = Err(e.into());
                    break;
                }
                open_since = None;
                open_events = 0;
            }
            if let Some(e) = failed {
                outcome = Err(e);
                break;
            }
            if end {
                break;
            }
        }
        if open_since.is_some() {
            // Only an error leaves a transaction open: what it wrote since
            // the last commit goes, the checkpoint with it.
            let _ = vault.conn().execute_batch("ROLLBACK");
        }
        // Whatever ended the walk, no fetcher takes another page; those in
        // flight finish (or fail) and find the channel closed.
        stop_fetchers(expected.saturating_sub(1));
        drop(receiver);
        outcome
    })?;
    // Requests made for pages past the end (prefetch) count too.
    let extra = runs::PageTally {
        requests: client.stats.requests.load(Ordering::Relaxed) - last_requests,
        retries: client.stats.retries.load(Ordering::Relaxed) - last_retries,
        ..Default::default()
    };
    runs::checkpoint_extra(vault.conn(), run_id, &extra)
}

fn prepare(
    events: Vec<serde_json::Value>,
    page: u32,
    source: &str,
    classifier: &Classifier,
) -> Result<Fetched> {
    let count = events.len();
    let mut prepared = Vec::with_capacity(count);
    let mut oldest: Option<DateTime<Utc>> = None;
    for (index, raw) in events.into_iter().enumerate() {
        let mut event = decode_event(raw, index).map_err(|e| {
            Error::Remote(RemoteError::InvalidResponse {
                url: "audit-events".into(),
                message: format!("page {page}, {e}"),
            })
        })?;
        let id = event.event_id.take().unwrap_or_default();
        oldest = Some(oldest.map_or(event.occurred_at, |o| o.min(event.occurred_at)));
        prepared.push(PreparedEvent::new(source, classifier.normalize(event, id)));
    }
    Ok(Fetched {
        count,
        events: prepared,
        oldest,
    })
}

/// Writes pages and moves the checkpoint past the last of them, inside the
/// caller's transaction: a page is never half-written, and a resumed run
/// starts exactly after what was committed.
fn write_pages(
    conn: &Connection,
    source: &Source,
    run_id: i64,
    last_page: u32,
    events: impl Iterator<Item = PreparedEvent>,
    tally: &mut runs::PageTally,
) -> Result<()> {
    let mut writer = EventWriter::new(conn, source.id, &source.name)?;
    for event in events {
        match writer.upsert(event)? {
            Upsert::New => tally.new += 1,
            Upsert::Updated => tally.updated += 1,
            Upsert::Unchanged => tally.unchanged += 1,
        }
    }
    writer.finish()?;
    runs::checkpoint(conn, run_id, last_page + 1, tally)
}

#[allow(clippy::too_many_arguments)]
fn report(
    source: &Source,
    run_id: i64,
    totals: &SyncRun,
    events_before: u64,
    started: Instant,
    requests: u64,
    window: &Window,
    oldest: Option<DateTime<Utc>>,
) -> SyncProgress {
    let elapsed = started.elapsed().as_secs_f64().max(1e-3);
    let span = (window.stop - window.start).num_milliseconds().max(1) as f64;
    let fraction = oldest
        .map(|o| ((window.stop - o).num_milliseconds() as f64 / span).clamp(0.0, 1.0))
        .unwrap_or(0.0);
    SyncProgress {
        source: source.name.clone(),
        run_id,
        pages: totals.pages,
        events: totals.events,
        new: totals.new,
        updated: totals.updated,
        unchanged: totals.unchanged,
        requests: totals.requests + requests,
        events_per_second: (totals.events - events_before) as f64 / elapsed,
        requests_per_second: requests as f64 / elapsed,
        fraction,
        eta_seconds: (fraction > 0.0).then(|| elapsed * (1.0 - fraction) / fraction),
    }
}
