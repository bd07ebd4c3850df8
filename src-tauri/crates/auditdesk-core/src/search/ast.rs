//! The parsed form of a query. `Display` prints a query that parses back to
//! the same tree (the property tests hold it to that), so saved searches and
//! the UI can show a canonical spelling.

use std::fmt;
use std::net::IpAddr;

use crate::domain::Severity;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Expr {
    /// The empty query: every event.
    All,
    And(Vec<Expr>),
    Or(Vec<Expr>),
    Not(Box<Expr>),
    /// A bare word (`prefix` for `word*`): an exact, case-insensitive term
    /// of the event's text.
    Term {
        text: String,
        prefix: bool,
    },
    /// `"a phrase"`: the terms in order, adjacent.
    Phrase(String),
    Filter(Filter),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SeverityOp {
    Eq,
    Ge,
    Gt,
    Le,
    Lt,
}

impl SeverityOp {
    pub fn sql(self) -> &'static str {
        match self {
            SeverityOp::Eq => "=",
            SeverityOp::Ge => ">=",
            SeverityOp::Gt => ">",
            SeverityOp::Le => "<=",
            SeverityOp::Lt => "<",
        }
    }

    /// How the operator is written after the field name.
    pub fn spelling(self) -> &'static str {
        match self {
            SeverityOp::Eq => ":",
            SeverityOp::Ge => ">=",
            SeverityOp::Gt => ">",
            SeverityOp::Le => "<=",
            SeverityOp::Lt => "<",
        }
    }
}

/// Which end of a time range a bound sets.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TimeField {
    /// `after:D`: from the start of D (a date includes the whole day).
    After,
    /// `before:D`: up to, not including, the start of D.
    Before,
    /// `on:D`: the whole UTC day D.
    On,
}

impl TimeField {
    pub fn name(self) -> &'static str {
        match self {
            TimeField::After => "after",
            TimeField::Before => "before",
            TimeField::On => "on",
        }
    }
}

/// A CIDR block or a single address.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IpNet {
    pub addr: IpAddr,
    pub prefix: u8,
}

impl IpNet {
    pub fn contains(&self, ip: &IpAddr) -> bool {
        match (self.addr, ip) {
            (IpAddr::V4(net), IpAddr::V4(ip)) => {
                let mask = u32::MAX
                    .checked_shl(32 - u32::from(self.prefix))
                    .unwrap_or(0);
                u32::from(net) & mask == u32::from(*ip) & mask
            }
            (IpAddr::V6(net), IpAddr::V6(ip)) => {
                let mask = u128::MAX
                    .checked_shl(128 - u32::from(self.prefix))
                    .unwrap_or(0);
                u128::from(net) & mask == u128::from(*ip) & mask
            }
            // An IPv4 address written as IPv6 (::ffff:a.b.c.d) is the same host.
            (IpAddr::V4(_), IpAddr::V6(v6)) => v6
                .to_ipv4_mapped()
                .is_some_and(|v4| self.contains(&IpAddr::V4(v4))),
            (IpAddr::V6(_), IpAddr::V4(_)) => false,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Filter {
    /// Text fields compared case-insensitively; `*` in the value is a
    /// wildcard. `field` is the canonical field name.
    Text {
        field: TextField,
        value: String,
    },
    Severity(SeverityOp, Severity),
    Ip {
        text: String,
        net: IpNet,
    },
    Bookmarked(bool),
    /// `text` as the user wrote it (for display); `from`/`to` in ms, `to`
    /// exclusive.
    Time {
        field: TimeField,
        text: String,
        from: Option<i64>,
        to: Option<i64>,
    },
}

/// The fields whose value is a (wildcard) string.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TextField {
    Type,
    Category,
    Outcome,
    User,
    Email,
    Resource,
    Org,
    Env,
    Tag,
    Source,
    Case,
    Id,
}

impl TextField {
    pub const ALL: [TextField; 12] = [
        TextField::Type,
        TextField::Category,
        TextField::Outcome,
        TextField::User,
        TextField::Email,
        TextField::Resource,
        TextField::Org,
        TextField::Env,
        TextField::Tag,
        TextField::Source,
        TextField::Case,
        TextField::Id,
    ];

    pub fn name(self) -> &'static str {
        match self {
            TextField::Type => "type",
            TextField::Category => "category",
            TextField::Outcome => "outcome",
            TextField::User => "user",
            TextField::Email => "email",
            TextField::Resource => "resource",
            TextField::Org => "org",
            TextField::Env => "env",
            TextField::Tag => "tag",
            TextField::Source => "source",
            TextField::Case => "case",
            TextField::Id => "id",
        }
    }
}

/// Every field name the parser knows, aliases included, for suggestions and
/// error messages.
pub const FIELD_NAMES: &[&str] = &[
    "type",
    "category",
    "severity",
    "outcome",
    "status",
    "user",
    "email",
    "ip",
    "resource",
    "org",
    "env",
    "tag",
    "source",
    "case",
    "bookmarked",
    "after",
    "before",
    "on",
    "id",
];

impl fmt::Display for Expr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Expr::All => Ok(()),
            Expr::And(items) => join(f, items, " ", |e| matches!(e, Expr::Or(_) | Expr::All)),
            Expr::Or(items) => join(f, items, " OR ", |e| matches!(e, Expr::All)),
            Expr::Not(inner) => match inner.as_ref() {
                Expr::And(_) | Expr::Or(_) | Expr::Not(_) | Expr::All => write!(f, "-({inner})"),
                _ => write!(f, "-{inner}"),
            },
            Expr::Term { text, prefix } => {
                if is_plain_word(text) {
                    write!(f, "{text}")?;
                } else {
                    write!(f, "{}", quote(text))?;
                }
                if *prefix { write!(f, "*") } else { Ok(()) }
            }
            Expr::Phrase(text) => write!(f, "{}", quote(text)),
            Expr::Filter(filter) => write!(f, "{filter}"),
        }
    }
}

fn join(
    f: &mut fmt::Formatter<'_>,
    items: &[Expr],
    sep: &str,
    needs_parens: impl Fn(&Expr) -> bool,
) -> fmt::Result {
    for (i, item) in items.iter().enumerate() {
        if i > 0 {
            f.write_str(sep)?;
        }
        if needs_parens(item) {
            write!(f, "({item})")?;
        } else {
            write!(f, "{item}")?;
        }
    }
    Ok(())
}

impl fmt::Display for Filter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Filter::Text { field, value } => write!(f, "{}:{}", field.name(), value_text(value)),
            Filter::Severity(op, s) => write!(f, "severity{}{}", op.spelling(), s.as_str()),
            Filter::Ip { text, .. } => write!(f, "ip:{}", value_text(text)),
            Filter::Bookmarked(b) => write!(f, "bookmarked:{b}"),
            Filter::Time { field, text, .. } => write!(f, "{}:{}", field.name(), value_text(text)),
        }
    }
}

/// A word that reads back as the same single term.
fn is_plain_word(text: &str) -> bool {
    !text.is_empty()
        && !matches!(text, "AND" | "OR" | "NOT")
        && !text.starts_with('-')
        && !text.contains(['*', '"', '(', ')', ':', '<', '>', '='])
        && !text.chars().any(char::is_whitespace)
}

fn value_text(value: &str) -> String {
    if !value.is_empty()
        && !value.starts_with('"')
        && !value.contains(['(', ')'])
        && !value.chars().any(char::is_whitespace)
    {
        value.to_string()
    } else {
        quote(value)
    }
}

fn quote(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    for c in text.chars() {
        if c == '"' || c == '\\' {
            out.push('\\');
        }
        out.push(c);
    }
    out.push('"');
    out
}
