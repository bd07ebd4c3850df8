//! Timestamps as exports write them. Anything without an offset is UTC.

use chrono::{DateTime, FixedOffset, NaiveDate, NaiveDateTime, TimeZone, Utc};

const WITH_OFFSET: &[&str] = &[
    "%Y-%m-%dT%H:%M:%S%.f%:z",
    "%Y-%m-%d %H:%M:%S%.f%:z",
    "%Y-%m-%dT%H:%M:%S%.f%z",
    "%Y-%m-%d %H:%M:%S%.f%z",
    "%Y-%m-%d %H:%M:%S%.f %:z",
    "%Y-%m-%d %H:%M:%S%.f %z",
    "%Y-%m-%dT%H:%M%:z",
];

const NAIVE: &[&str] = &[
    "%Y-%m-%dT%H:%M:%S%.f",
    "%Y-%m-%d %H:%M:%S%.f",
    "%Y-%m-%dT%H:%M",
    "%Y-%m-%d %H:%M",
    "%Y/%m/%d %H:%M:%S%.f",
    "%Y/%m/%d %H:%M",
    "%m/%d/%Y %H:%M:%S%.f",
    "%m/%d/%Y %I:%M:%S %p",
    "%m/%d/%Y %I:%M %p",
    "%m/%d/%Y %H:%M",
    "%d.%m.%Y %H:%M:%S",
    "%d %b %Y %H:%M:%S",
    "%b %d, %Y %I:%M:%S %p",
    "%b %d, %Y %H:%M:%S",
];

const DATES: &[&str] = &["%Y-%m-%d", "%Y/%m/%d", "%m/%d/%Y", "%d.%m.%Y"];

/// Parses RFC 3339 and the usual export spellings (space or `T`, optional
/// fraction, `Z`/`UTC`/offset, US `MM/DD/YYYY` with AM/PM, date only) and
/// Unix epochs in seconds or milliseconds. Years outside 1900–2200 are
/// rejected: they are nearly always a wrong column.
pub fn parse_timestamp(text: &str) -> Option<DateTime<Utc>> {
    let text = text.trim();
    if text.is_empty() {
        return None;
    }
    let parsed = parse_epoch(text).or_else(|| parse_text(text))?;
    let year = chrono::Datelike::year(&parsed);
    (1900..=2200).contains(&year).then_some(parsed)
}

fn parse_epoch(text: &str) -> Option<DateTime<Utc>> {
    let (int, frac) = text.split_once('.').unwrap_or((text, ""));
    if int.is_empty() || !int.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    if !frac.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let whole: i64 = int.parse().ok()?;
    match int.len() {
        9 | 10 => {
            let millis = format!("{frac:0<3}").get(..3)?.parse::<i64>().ok()?;
            Utc.timestamp_millis_opt(whole.checked_mul(1000)? + millis)
                .single()
        }
        13 => Utc.timestamp_millis_opt(whole).single(),
        _ => None,
    }
}

fn parse_text(text: &str) -> Option<DateTime<Utc>> {
    if let Ok(t) = DateTime::parse_from_rfc3339(text) {
        return Some(t.with_timezone(&Utc));
    }
    for f in WITH_OFFSET {
        if let Ok(t) = DateTime::<FixedOffset>::parse_from_str(text, f) {
            return Some(t.with_timezone(&Utc));
        }
    }
    if let Ok(t) = DateTime::parse_from_rfc2822(text) {
        return Some(t.with_timezone(&Utc));
    }
    let naive = strip_utc_suffix(text);
    for f in NAIVE {
        if let Ok(t) = NaiveDateTime::parse_from_str(naive, f) {
            return Some(t.and_utc());
        }
    }
    for f in DATES {
        if let Ok(d) = NaiveDate::parse_from_str(naive, f) {
            return d.and_hms_opt(0, 0, 0).map(|t| t.and_utc());
        }
    }
    None
}

fn strip_utc_suffix(text: &str) -> &str {
    for suffix in [" UTC", " GMT", "UTC", "Z", "z"] {
        if let Some(stripped) = text.strip_suffix(suffix) {
            return stripped.trim_end();
        }
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepted_spellings_agree() {
        let want = "2026-03-04T05:06:07.089Z";
        let cases = [
            "2026-03-04T05:06:07.089Z",
            "2026-03-04T07:06:07.089+02:00",
            "2026-03-04 05:06:07.089",
            "2026-03-04 05:06:07.089 UTC",
            "2026-03-04T05:06:07.089",
            "2026-03-04 00:06:07.089-0500",
            "1772600767089",
            "1772600767.089",
        ];
        for c in cases {
            let t = parse_timestamp(c).unwrap_or_else(|| panic!("{c} did not parse"));
            assert_eq!(
                t.to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
                want,
                "{c}"
            );
        }
        let us = parse_timestamp("03/04/2026 5:06:07 PM").unwrap();
        assert_eq!(us.to_rfc3339(), "2026-03-04T17:06:07+00:00");
        assert_eq!(
            parse_timestamp("2026-03-04").unwrap().to_rfc3339(),
            "2026-03-04T00:00:00+00:00"
        );
    }

    #[test]
    fn garbage_and_out_of_range_years_are_rejected() {
        for c in [
            "",
            "yesterday",
            "2026-13-01",
            "12",
            "0000-01-01T00:00:00Z",
            "99999999999999",
        ] {
            assert!(parse_timestamp(c).is_none(), "{c}");
        }
    }
}
