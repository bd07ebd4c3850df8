//! A report's period: a calendar quarter (`2026Q3`) or a range of UTC
//! dates, `to` included (`--from 2026-07-01 --to 2026-09-30` is the third
//! quarter, the whole of 30 September with it).

use std::fmt;

use chrono::{DateTime, Datelike, Duration, NaiveDate, TimeZone, Utc};

use crate::error::{Error, Result};

/// `[start, end)` in UTC.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Period {
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
}

fn midnight(date: NaiveDate) -> DateTime<Utc> {
    Utc.from_utc_datetime(&date.and_time(chrono::NaiveTime::MIN))
}

fn date(text: &str, flag: &str) -> Result<NaiveDate> {
    NaiveDate::parse_from_str(text.trim(), "%Y-%m-%d")
        .map_err(|_| Error::Invalid(format!("{flag} {text:?} is not a date (YYYY-MM-DD, UTC)")))
}

impl Period {
    /// `2026Q3` (also `2026-Q3`, `q3 2026`).
    /// A quarter, or else a from/to pair: how both shells take a period.
    pub fn from_args(
        quarter: Option<&str>,
        from: Option<&str>,
        to: Option<&str>,
    ) -> Result<Period> {
        match (quarter, from, to) {
            (Some(q), _, _) => Period::quarter(q),
            (None, Some(f), Some(t)) => Period::dates(f, t),
            _ => Err(Error::Invalid(
                "give a quarter (2026Q3) or a from and a to date".into(),
            )),
        }
    }

    pub fn quarter(text: &str) -> Result<Period> {
        let bad = || Error::Invalid(format!("--quarter {text:?} is not a quarter like 2026Q3"));
        let norm: String = text
            .chars()
            .filter(|c| !c.is_whitespace() && *c != '-')
            .collect::<String>()
            .to_ascii_uppercase();
        let (year, q) = match norm.split_once('Q') {
            Some((y, q)) if !y.is_empty() => (y.to_string(), q.to_string()),
            Some((_, rest)) if rest.len() > 1 => (rest[1..].to_string(), rest[..1].to_string()),
            _ => return Err(bad()),
        };
        let year: i32 = year.parse().map_err(|_| bad())?;
        let q: u32 = q.parse().map_err(|_| bad())?;
        if !(1..=4).contains(&q) || !(1900..=2200).contains(&year) {
            return Err(bad());
        }
        let first = NaiveDate::from_ymd_opt(year, (q - 1) * 3 + 1, 1).ok_or_else(bad)?;
        let next = if q == 4 {
            NaiveDate::from_ymd_opt(year + 1, 1, 1)
        } else {
            NaiveDate::from_ymd_opt(year, q * 3 + 1, 1)
        }
        .ok_or_else(bad)?;
        Ok(Period {
            start: midnight(first),
            end: midnight(next),
        })
    }

    /// `from` and `to` are dates, both included.
    pub fn dates(from: &str, to: &str) -> Result<Period> {
        let (from, to) = (date(from, "--from")?, date(to, "--to")?);
        if to < from {
            return Err(Error::Invalid(format!("--to {to} is before --from {from}")));
        }
        Ok(Period {
            start: midnight(from),
            end: midnight(to) + Duration::days(1),
        })
    }

    /// The last day included.
    pub fn last_day(&self) -> NaiveDate {
        (self.end - Duration::days(1)).date_naive()
    }

    /// `2026Q3` when the period is exactly a calendar quarter.
    pub fn quarter_name(&self) -> Option<String> {
        let start = self.start.date_naive();
        let q = (start.month() - 1) / 3 + 1;
        let whole = Period::quarter(&format!("{}Q{q}", start.year())).ok()?;
        (whole == *self).then(|| format!("{}Q{q}", start.year()))
    }
}

impl fmt::Display for Period {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} to {} (UTC)",
            self.start.date_naive(),
            self.last_day()
        )?;
        if let Some(q) = self.quarter_name() {
            write!(f, ", {q}")?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quarters_and_date_ranges() {
        let q3 = Period::quarter("2026Q3").unwrap();
        assert_eq!(q3.start.to_rfc3339(), "2026-07-01T00:00:00+00:00");
        assert_eq!(q3.end.to_rfc3339(), "2026-10-01T00:00:00+00:00");
        assert_eq!(Period::quarter("q3 2026").unwrap(), q3);
        assert_eq!(Period::quarter("2026-Q3").unwrap(), q3);
        assert_eq!(Period::dates("2026-07-01", "2026-09-30").unwrap(), q3);
        assert_eq!(q3.to_string(), "2026-07-01 to 2026-09-30 (UTC), 2026Q3");
        let q4 = Period::quarter("2026Q4").unwrap();
        assert_eq!(q4.end.to_rfc3339(), "2027-01-01T00:00:00+00:00");
        let day = Period::dates("2026-08-15", "2026-08-15").unwrap();
        assert_eq!(day.end - day.start, Duration::days(1));
        assert_eq!(day.quarter_name(), None);
        for bad in ["2026Q5", "2026Q0", "Q3", "2026", "soon"] {
            assert!(Period::quarter(bad).is_err(), "{bad}");
        }
        assert!(Period::dates("2026-09-30", "2026-07-01").is_err());
        assert!(Period::dates("2026-13-01", "2026-12-01").is_err());
    }
}
