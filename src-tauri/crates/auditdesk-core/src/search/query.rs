//! The query text → clauses. Errors carry the 0-based character position.

use crate::domain::{Severity, normalize_category, normalize_outcome};
use crate::error::{Error, Result};

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
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Clause {
    Term { text: String, prefix: bool },
    Phrase(String),
    Type(String),
    Outcome(String),
    Category(String),
    Severity(SeverityOp, Severity),
    Tag(String),
    Id(String),
    Source(String),
}

/// Clauses are ANDed. An empty query matches every event.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Query {
    pub clauses: Vec<Clause>,
}

const FIELDS: &str = "type, status, outcome, severity, category, tag, id, source";

pub fn parse(text: &str) -> Result<Query> {
    let chars: Vec<char> = text.chars().collect();
    let mut clauses = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        if chars[i].is_whitespace() {
            i += 1;
            continue;
        }
        let start = i;
        if chars[i] == '"' {
            let (value, next) = quoted(&chars, i)?;
            if has_word(&value) {
                clauses.push(Clause::Phrase(value));
            }
            i = next;
            continue;
        }
        // A bare token runs to the next whitespace, except inside quotes
        // (so `type:"a b"` is one token).
        let mut name = String::new();
        while i < chars.len() && (chars[i].is_alphanumeric() || chars[i] == '_') {
            name.push(chars[i]);
            i += 1;
        }
        let op = operator(&chars, i);
        // `10:30` or `fe80::1` is a word, not a field: field names are letters.
        let fieldlike = !name.is_empty() && name.chars().all(|c| c.is_alphabetic() || c == '_');
        if let (true, Some((op, len))) = (fieldlike, op) {
            let value_at = i + len;
            let (value, next) = if chars.get(value_at) == Some(&'"') {
                quoted(&chars, value_at)?
            } else {
                let mut j = value_at;
                while j < chars.len() && !chars[j].is_whitespace() {
                    j += 1;
                }
                (chars[value_at..j].iter().collect(), j)
            };
            if value.is_empty() {
                return Err(err(value_at, format!("{name}{op} needs a value")));
            }
            clauses.push(field_clause(
                &name.to_lowercase(),
                op,
                value,
                start,
                value_at,
            )?);
            i = next;
            continue;
        }
        let mut j = i;
        while j < chars.len() && !chars[j].is_whitespace() {
            j += 1;
        }
        let word: String = chars[start..j].iter().collect();
        i = j;
        let (word, prefix) = match word.strip_suffix('*') {
            Some(w) => (w.to_string(), true),
            None => (word, false),
        };
        if word.contains('*') {
            return Err(err(start, "`*` is only allowed at the end of a word"));
        }
        if has_word(&word) {
            clauses.push(Clause::Term { text: word, prefix });
        }
    }
    Ok(Query { clauses })
}

fn has_word(text: &str) -> bool {
    text.chars().any(char::is_alphanumeric)
}

fn err(position: usize, message: impl Into<String>) -> Error {
    Error::Query {
        position,
        message: message.into(),
    }
}

fn operator(chars: &[char], i: usize) -> Option<(&'static str, usize)> {
    let two: String = chars.iter().skip(i).take(2).collect();
    match two.as_str() {
        ">=" => Some((">=", 2)),
        "<=" => Some(("<=", 2)),
        _ => match chars.get(i) {
            Some(':') => Some((":", 1)),
            Some('>') => Some((">", 1)),
            Some('<') => Some(("<", 1)),
            _ => None,
        },
    }
}

/// A `"..."` string starting at `open`; `\"` escapes a quote.
fn quoted(chars: &[char], open: usize) -> Result<(String, usize)> {
    let mut out = String::new();
    let mut i = open + 1;
    while i < chars.len() {
        match chars[i] {
            '\\' if matches!(chars.get(i + 1), Some('"') | Some('\\')) => {
                out.push(chars[i + 1]);
                i += 2;
            }
            '"' => return Ok((out, i + 1)),
            c => {
                out.push(c);
                i += 1;
            }
        }
    }
    Err(err(open, "unterminated quote"))
}

fn field_clause(name: &str, op: &str, value: String, at: usize, value_at: usize) -> Result<Clause> {
    if name == "severity" {
        let op = match op {
            ":" => SeverityOp::Eq,
            ">=" => SeverityOp::Ge,
            ">" => SeverityOp::Gt,
            "<=" => SeverityOp::Le,
            _ => SeverityOp::Lt,
        };
        let severity = Severity::parse(&value).ok_or_else(|| {
            err(
                value_at,
                format!("unknown severity {value:?} (INFO, WARNING, ERROR, CRITICAL)"),
            )
        })?;
        return Ok(Clause::Severity(op, severity));
    }
    if op != ":" {
        return Err(err(
            at,
            format!("`{op}` only applies to severity; use {name}:VALUE"),
        ));
    }
    Ok(match name {
        "type" => Clause::Type(value),
        "status" | "outcome" => Clause::Outcome(normalize_outcome(&value)),
        "category" => Clause::Category(normalize_category(&value)),
        "tag" => Clause::Tag(value),
        "id" => Clause::Id(value),
        "source" => Clause::Source(value),
        other => {
            return Err(err(
                at,
                format!("unknown field {other:?} (known fields: {FIELDS})"),
            ));
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_terms_phrases_and_fields() {
        let q = parse(r#"role* "payload viewed" type:log-search severity>=warning tag:"PCI DSS""#)
            .unwrap();
        assert_eq!(
            q.clauses,
            vec![
                Clause::Term {
                    text: "role".into(),
                    prefix: true
                },
                Clause::Phrase("payload viewed".into()),
                Clause::Type("log-search".into()),
                Clause::Severity(SeverityOp::Ge, Severity::Warning),
                Clause::Tag("PCI DSS".into()),
            ]
        );
    }

    #[test]
    fn empty_query_matches_everything() {
        assert!(parse("   ").unwrap().clauses.is_empty());
    }

    #[test]
    fn errors_point_at_the_position() {
        match parse("ok color:red") {
            Err(Error::Query { position, .. }) => assert_eq!(position, 3),
            other => panic!("{other:?}"),
        }
        match parse(r#"a "open"#) {
            Err(Error::Query { position, .. }) => assert_eq!(position, 2),
            other => panic!("{other:?}"),
        }
        match parse("severity:loud") {
            Err(Error::Query { position, .. }) => assert_eq!(position, 9),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn email_ip_and_time_words_stay_terms() {
        let q = parse("ann@x.org 10.0.0.1 fe80::1 10:30").unwrap();
        assert_eq!(q.clauses.len(), 4);
        assert!(q.clauses.iter().all(|c| matches!(c, Clause::Term { .. })));
    }
}
