//! The events the simulator serves, and how they change as its clock moves:
//! interim `attempted` events turn terminal some minutes after they
//! happened, a few events arrive late (visible only some minutes after their
//! `createdAt`, inside a client's overlap), and events dated after the clock
//! do not exist yet. Same parameters, same world.

use chrono::{DateTime, Utc};
use serde_json::Value;

use crate::Dataset;
use crate::rng::Rng;

/// What to generate.
#[derive(Debug, Clone)]
pub struct WorldSpec {
    pub seed: u64,
    pub start: DateTime<Utc>,
    /// Mean gap between events.
    pub spacing_ms: u64,
    /// At most this many events...
    pub max_events: u64,
    /// ...and none dated after this.
    pub until: DateTime<Utc>,
    /// Share of events that arrive late, and how late (ms).
    pub late_fraction: f64,
    pub late_ms: (i64, i64),
    /// How long an interim `attempted` event stays interim (ms).
    pub settle_ms: (i64, i64),
}

impl WorldSpec {
    /// `count` events ending about now, with the default dynamics.
    pub fn recent(seed: u64, count: u64, span: chrono::Duration, now: DateTime<Utc>) -> WorldSpec {
        // Gaps are random around the mean: aim a little short so that all
        // `count` events fit before `now`.
        let spacing_ms = (span.num_milliseconds().max(1) as u64 * 4 / 5 / count.max(1)).max(1);
        WorldSpec {
            seed,
            start: now - span,
            spacing_ms,
            max_events: count,
            until: now,
            late_fraction: 0.005,
            late_ms: (60_000, 30 * 60_000),
            settle_ms: (60_000, 20 * 60_000),
        }
    }
}

pub struct SimEvent {
    pub created_ms: i64,
    /// Visible from this server time on (late arrivals: after `created_ms`).
    pub visible_ms: i64,
    pub user_id: String,
    pub event_type: String,
    pub status: &'static str,
    /// Interim events: the terminal status and when they reach it.
    pub settles: Option<(&'static str, i64)>,
    /// The event's JSON without its status: `{"status":...,` + rest[1..].
    rest: Box<str>,
}

impl SimEvent {
    pub fn status_at(&self, clock_ms: i64) -> &'static str {
        match self.settles {
            Some((terminal, at)) if clock_ms >= at => terminal,
            Some(_) => "attempted",
            None => self.status,
        }
    }

    /// The event's id, as served.
    pub fn id(&self) -> String {
        let mut text = String::new();
        self.render(0, &mut text);
        serde_json::from_str::<Value>(&text)
            .ok()
            .and_then(|v| match &v["id"] {
                Value::String(s) => Some(s.clone()),
                Value::Number(n) => Some(n.to_string()),
                _ => None,
            })
            .unwrap_or_default()
    }

    pub fn render(&self, clock_ms: i64, out: &mut String) {
        out.push_str("{\"status\":\"");
        out.push_str(self.status_at(clock_ms));
        out.push_str("\",");
        out.push_str(&self.rest[1..]);
    }
}

const STATUSES: &[&str] = &["successful", "failed", "unauthorized", "unauthenticated"];

fn known_status(s: &str) -> &'static str {
    STATUSES
        .iter()
        .find(|k| **k == s)
        .copied()
        .unwrap_or("successful")
}

/// Newest first, as the API pages.
pub struct World {
    events: Vec<SimEvent>,
    /// Positions (ascending) of late arrivals.
    late: Vec<usize>,
}

/// Which events a request asks for.
#[derive(Debug, Clone, Default)]
pub struct Filter {
    pub user_id: Option<String>,
    pub status: Option<String>,
    pub action_type: Option<String>,
}

impl Filter {
    fn is_empty(&self) -> bool {
        self.user_id.is_none() && self.status.is_none() && self.action_type.is_none()
    }
}

fn between(rng: &mut Rng, (lo, hi): (i64, i64)) -> i64 {
    lo + rng.below((hi - lo).max(0) as u64 + 1) as i64
}

impl World {
    pub fn generate(spec: &WorldSpec) -> World {
        let dataset = Dataset::new(spec.seed, spec.start);
        let mut rng = Rng::new(spec.seed ^ 0x5eed_1a7e);
        let until = spec.until.timestamp_millis();
        let mut events: Vec<SimEvent> = Vec::new();
        for mut value in dataset.events(spec.max_events, spec.spacing_ms) {
            let Value::Object(map) = &mut value else {
                continue;
            };
            let created_ms = map
                .get("createdAt")
                .and_then(Value::as_str)
                .and_then(|t| DateTime::parse_from_rfc3339(t).ok())
                .map(|t| t.timestamp_millis())
                .unwrap_or(until);
            if created_ms > until {
                break;
            }
            let status = map
                .remove("status")
                .and_then(|s| s.as_str().map(str::to_string))
                .unwrap_or_default();
            let settles = (status == "attempted").then(|| {
                let terminal = if rng.below(10) < 7 {
                    "successful"
                } else {
                    "failed"
                };
                (terminal, created_ms + between(&mut rng, spec.settle_ms))
            });
            let late = (rng.below(1_000_000) as f64) < spec.late_fraction * 1_000_000.0;
            let visible_ms = if late {
                created_ms + between(&mut rng, spec.late_ms)
            } else {
                created_ms
            };
            let text = |k: &str| match map.get(k) {
                Some(Value::String(s)) => s.clone(),
                Some(other) => other.to_string(),
                None => String::new(),
            };
            events.push(SimEvent {
                created_ms,
                visible_ms,
                user_id: text("userId"),
                event_type: text("type"),
                status: known_status(&status),
                settles,
                rest: Value::Object(std::mem::take(map))
                    .to_string()
                    .into_boxed_str(),
            });
        }
        events.reverse();
        let late = (0..events.len())
            .filter(|&i| events[i].visible_ms > events[i].created_ms)
            .collect();
        World { events, late }
    }

    pub fn len(&self) -> usize {
        self.events.len()
    }

    pub fn is_empty(&self) -> bool {
        self.events.is_empty()
    }

    /// Every event, newest first, whether visible yet or not.
    pub fn all(&self) -> &[SimEvent] {
        &self.events
    }

    /// Every event as the API shows it at `clock_ms`, oldest first: what
    /// a complete sync of everything up to the clock must hold.
    pub fn visible(&self, clock_ms: i64) -> impl Iterator<Item = &SimEvent> {
        self.events
            .iter()
            .rev()
            .filter(move |e| e.visible_ms <= clock_ms && e.created_ms <= clock_ms)
    }

    /// One page of the window `[start, stop]` (inclusive, ms) as seen at
    /// `clock_ms`: newest first, `count` per page, `page` from 1.
    pub fn page(
        &self,
        start: i64,
        stop: i64,
        clock_ms: i64,
        page: u64,
        count: u64,
        filter: &Filter,
    ) -> Vec<&SimEvent> {
        let stop = stop.min(clock_ms);
        let lo = self.events.partition_point(|e| e.created_ms > stop);
        let hi = self.events.partition_point(|e| e.created_ms >= start);
        if lo >= hi {
            return Vec::new();
        }
        let skip = page.saturating_sub(1).saturating_mul(count);
        let visible = |e: &SimEvent| e.visible_ms <= clock_ms;
        if !filter.is_empty() {
            return self.events[lo..hi]
                .iter()
                .filter(|e| visible(e) && matches(e, filter, clock_ms))
                .skip(skip as usize)
                .take(count as usize)
                .collect();
        }
        // Only late arrivals can be invisible; step over those before the
        // offset instead of scanning the whole window.
        let from = self.late.partition_point(|&i| i < lo);
        let mut pos = lo as u64 + skip;
        for &i in &self.late[from..] {
            if i >= hi || i as u64 > pos {
                break;
            }
            if !visible(&self.events[i]) {
                pos += 1;
            }
        }
        let mut out = Vec::with_capacity(count as usize);
        let mut i = pos as usize;
        while i < hi && (out.len() as u64) < count {
            if visible(&self.events[i]) {
                out.push(&self.events[i]);
            }
            i += 1;
        }
        out
    }
}

fn matches(e: &SimEvent, filter: &Filter, clock_ms: i64) -> bool {
    filter.user_id.as_ref().is_none_or(|u| *u == e.user_id)
        && filter
            .status
            .as_ref()
            .is_none_or(|s| s == e.status_at(clock_ms))
        && filter
            .action_type
            .as_ref()
            .is_none_or(|t| *t == e.event_type)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone as _;

    fn world(late_fraction: f64) -> (World, i64) {
        let now = Utc.with_ymd_and_hms(2026, 6, 1, 0, 0, 0).unwrap();
        let mut spec = WorldSpec::recent(7, 2_000, chrono::Duration::hours(2), now);
        spec.late_fraction = late_fraction;
        let world = World::generate(&spec);
        assert_eq!(world.len(), 2_000, "every event fits before now");
        // The clock just after the newest event.
        let newest = world.all()[0].created_ms;
        (world, newest + 1)
    }

    fn ids(events: &[&SimEvent]) -> Vec<String> {
        events
            .iter()
            .map(|e| {
                let mut s = String::new();
                e.render(0, &mut s);
                serde_json::from_str::<Value>(&s).unwrap()["id"]
                    .as_str()
                    .unwrap()
                    .to_string()
            })
            .collect()
    }

    #[test]
    fn pages_walk_the_window_newest_first_without_gaps_or_repeats() {
        let (world, now) = world(0.05);
        let late_later = now + 3_600_000;
        for clock in [now, late_later] {
            let mut walked = Vec::new();
            for page in 1.. {
                let events = world.page(0, now, clock, page, 50, &Filter::default());
                assert!(
                    events
                        .windows(2)
                        .all(|w| w[0].created_ms >= w[1].created_ms)
                );
                walked.extend(ids(&events));
                if events.len() < 50 {
                    break;
                }
            }
            let expected: Vec<&SimEvent> = world.visible(clock).collect();
            assert_eq!(walked.len(), expected.len());
            let unique: std::collections::HashSet<_> = walked.iter().collect();
            assert_eq!(unique.len(), walked.len());
        }
        let hidden_now = world.len() - world.visible(now).count();
        assert!(hidden_now > 0, "some events arrive late");
        assert_eq!(world.visible(late_later).count(), world.len());
    }

    #[test]
    fn interim_events_turn_terminal_as_the_clock_moves() {
        let (world, now) = world(0.0);
        let interim: Vec<&SimEvent> = world
            .events
            .iter()
            .filter(|e| e.settles.is_some())
            .collect();
        assert!(!interim.is_empty());
        assert!(interim.iter().any(|e| e.status_at(now) == "attempted"));
        assert!(
            interim
                .iter()
                .all(|e| e.status_at(now + 3_600_000) != "attempted")
        );
    }

    #[test]
    fn filters_and_the_clock_limit_what_is_served() {
        let (world, now) = world(0.0);
        let filter = Filter {
            action_type: Some("log-search".into()),
            ..Filter::default()
        };
        let page = world.page(0, now, now, 1, 50, &filter);
        assert!(!page.is_empty() && page.iter().all(|e| e.event_type == "log-search"));
        let early = now - 3_600_000;
        let page = world.page(0, now, early, 1, 50, &Filter::default());
        assert!(page.iter().all(|e| e.created_ms <= early));
    }
}
