//! What each query field means, for the app's suggestions and help.

use serde::Serialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct FieldHelp {
    pub name: &'static str,
    pub description: &'static str,
    pub example: &'static str,
}

const fn f(name: &'static str, description: &'static str, example: &'static str) -> FieldHelp {
    FieldHelp {
        name,
        description,
        example,
    }
}

/// One entry per name in `FIELD_NAMES`, in the same order.
pub const FIELDS: &[FieldHelp] = &[
    f("type", "the event type (wildcards with *)", "type:user-*"),
    f(
        "category",
        "AUTH, DATA_ACCESS, PERMISSION, …",
        "category:permission",
    ),
    f(
        "severity",
        "level, or a bound with >= > <= <",
        "severity>=warning",
    ),
    f(
        "outcome",
        "successful, failed, unauthorized, …",
        "outcome:failed",
    ),
    f("status", "the same as outcome", "status:attempted"),
    f("user", "user id, e-mail or name", "user:alice@example.com"),
    f("email", "the user's e-mail address", "email:*@example.com"),
    f("ip", "an address or a CIDR range", "ip:10.0.0.0/8"),
    f(
        "resource",
        "resource id, name, type or route",
        "resource:patient*",
    ),
    f("org", "organisation id", "org:1234"),
    f("env", "environment id", "env:production"),
    f("tag", "compliance tag", "tag:phi"),
    f("source", "the source the event came from", "source:demo"),
    f("case", "events bookmarked in a case", "case:INC-1"),
    f("bookmarked", "bookmarked or not", "bookmarked:true"),
    f(
        "after",
        "on or after a date or time (UTC)",
        "after:2026-08-01",
    ),
    f(
        "before",
        "before a date or time (UTC)",
        "before:2026-09-01T12:00",
    ),
    f("on", "on a day (UTC)", "on:2026-08-15"),
    f("id", "the event id", "id:9f3c…"),
];

#[cfg(test)]
mod tests {
    #[test]
    fn every_field_is_described_once_in_parser_order() {
        let names: Vec<&str> = super::FIELDS.iter().map(|f| f.name).collect();
        assert_eq!(names, super::super::FIELD_NAMES);
    }
}
