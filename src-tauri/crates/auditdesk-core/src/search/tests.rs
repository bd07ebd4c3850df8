use proptest::prelude::*;
use rusqlite::Connection;

use super::*;
use crate::domain::Severity;
use crate::error::Error;

fn term(t: &str) -> Expr {
    Expr::Term {
        text: t.into(),
        prefix: false,
    }
}

fn text(field: TextField, v: &str) -> Expr {
    Expr::Filter(Filter::Text {
        field,
        value: v.into(),
    })
}

fn position(q: &str) -> usize {
    match parse::parse(q) {
        Err(Error::Query { position, .. }) => position,
        other => panic!("{q:?} should not parse: {other:?}"),
    }
}

#[test]
fn precedence_is_not_then_and_then_or() {
    assert_eq!(
        parse::parse("a b OR c -d").unwrap(),
        Expr::Or(vec![
            Expr::And(vec![term("a"), term("b")]),
            Expr::And(vec![term("c"), Expr::Not(Box::new(term("d")))]),
        ])
    );
    assert_eq!(
        parse::parse("NOT (a OR b) AND type:x").unwrap(),
        Expr::And(vec![
            Expr::Not(Box::new(Expr::Or(vec![term("a"), term("b")]))),
            text(TextField::Type, "x"),
        ])
    );
    assert_eq!(
        parse::parse("(a (b c))").unwrap(),
        Expr::And(vec![term("a"), term("b"), term("c")])
    );
}

#[test]
fn fields_parse_to_filters() {
    let q = parse::parse(
        r#"severity>=warning status:Success category:"user mgmt" ip:10.0.0.0/8 bookmarked:true on:2026-07-01 user:ann@x.org"#,
    )
    .unwrap();
    let Expr::And(items) = q else { panic!("{q:?}") };
    assert_eq!(
        items[0],
        Expr::Filter(Filter::Severity(SeverityOp::Ge, Severity::Warning))
    );
    assert_eq!(items[1], text(TextField::Outcome, "successful"));
    assert_eq!(items[2], text(TextField::Category, "USER_MGMT"));
    assert!(matches!(&items[3], Expr::Filter(Filter::Ip { net, .. }) if net.prefix == 8));
    assert_eq!(items[4], Expr::Filter(Filter::Bookmarked(true)));
    let day = chrono::DateTime::parse_from_rfc3339("2026-07-01T00:00:00Z")
        .unwrap()
        .timestamp_millis();
    assert_eq!(
        items[5],
        Expr::Filter(Filter::Time {
            field: TimeField::On,
            text: "2026-07-01".into(),
            from: Some(day),
            to: Some(day + 86_400_000),
        })
    );
    assert_eq!(items[6], text(TextField::User, "ann@x.org"));
}

#[test]
fn times_take_offsets_and_default_to_utc() {
    let at = |q: &str| match parse::parse(q).unwrap() {
        Expr::Filter(Filter::Time { from, to, .. }) => from.or(to).unwrap(),
        other => panic!("{other:?}"),
    };
    let utc = chrono::DateTime::parse_from_rfc3339("2026-07-01T09:30:00Z")
        .unwrap()
        .timestamp_millis();
    assert_eq!(at("after:2026-07-01T09:30"), utc);
    assert_eq!(at("after:2026-07-01T09:30:00Z"), utc);
    assert_eq!(at("before:2026-07-01T11:30:00+02:00"), utc);
}

#[test]
fn errors_point_at_the_position() {
    assert_eq!(position("ok color:red"), 3);
    assert_eq!(position(r#"a "open"#), 2);
    assert_eq!(position("severity:loud"), 9);
    assert_eq!(position("a (b"), 2);
    assert_eq!(position("a b)"), 3);
    assert_eq!(position("a OR"), 2);
    assert_eq!(position("OR a"), 0);
    assert_eq!(position("a AND OR b"), 2);
    assert_eq!(position("x ()"), 2);
    assert_eq!(position("ab*c"), 2);
    assert_eq!(position("ip:10.0.0.0/33"), 12);
    assert_eq!(position("ip:nope"), 3);
    assert_eq!(position("after:yesterday"), 6);
    assert_eq!(position("on:2026-07-01T10:00"), 3);
    assert_eq!(position("type>x"), 0);
    assert_eq!(position("NOT"), 0);
}

#[test]
fn values_that_normalise_to_nothing_are_refused() {
    // The fuzz target's first find: `outcome:" "` parsed, printed as
    // `outcome:""`, and that did not parse.
    for q in [r#"outcome:" ""#, r#"status:"  ""#, r#"category:" ""#] {
        assert!(position(q) > 0, "{q}");
    }
    assert!(parse::parse(r#"outcome:" failed ""#).is_ok());
}

#[test]
fn words_that_look_like_fields_stay_words() {
    let q = parse::parse("ann@x.org 10.0.0.1 fe80::1 10:30").unwrap();
    let Expr::And(items) = q else { panic!("{q:?}") };
    assert_eq!(items.len(), 4);
    assert!(items.iter().all(|c| matches!(c, Expr::Term { .. })));
    assert_eq!(parse::parse("  ").unwrap(), Expr::All);
    assert_eq!(parse::parse("... a").unwrap(), term("a"));
}

#[test]
fn cidr_containment() {
    let net = |t: &str| match parse::parse(&format!("ip:{t}")).unwrap() {
        Expr::Filter(Filter::Ip { net, .. }) => net,
        other => panic!("{other:?}"),
    };
    let ip = |t: &str| t.parse::<std::net::IpAddr>().unwrap();
    assert!(net("10.0.0.0/8").contains(&ip("10.200.3.4")));
    assert!(!net("10.0.0.0/8").contains(&ip("11.0.0.1")));
    assert!(net("0.0.0.0/0").contains(&ip("8.8.8.8")));
    assert!(net("10.1.2.3").contains(&ip("10.1.2.3")));
    assert!(!net("10.1.2.3").contains(&ip("10.1.2.4")));
    assert!(net("fe80::/10").contains(&ip("fe80::1")));
    assert!(!net("fe80::/10").contains(&ip("2001:db8::1")));
    assert!(net("10.0.0.0/8").contains(&ip("::ffff:10.9.9.9")));
}

#[test]
fn sorts_parse_and_cursors_round_trip() {
    assert_eq!(Sort::parse("").ok(), None);
    assert_eq!(Sort::parse("-type").unwrap().to_string(), "type:desc");
    assert_eq!(Sort::parse("type").unwrap().to_string(), "type:asc");
    assert_eq!(Sort::parse("time").unwrap().to_string(), "occurred_at:desc");
    assert!(Sort::parse("type:sideways").is_err());
    let sort = Sort::parse("user").unwrap();
    let c = sort.cursor(&rusqlite::types::Value::Text("ann".into()), 42);
    assert_eq!(Cursor::decode(&c.encode()).unwrap(), c);
    assert!(Cursor::decode("not a cursor").is_err());
}

pub(super) fn schema() -> Connection {
    let conn = Connection::open_in_memory().unwrap();
    crate::vault::migrations::migrate(&conn).unwrap();
    register_functions(&conn).unwrap();
    conn
}

// ---- properties ----------------------------------------------------------

fn word() -> impl Strategy<Value = String> {
    "[a-z0-9][a-z0-9_.@-]{0,8}".prop_filter("not a keyword", |w| {
        !matches!(w.as_str(), "and" | "or" | "not")
    })
}

fn value() -> impl Strategy<Value = String> {
    prop_oneof![
        "[a-z0-9][a-z0-9_.@-]{0,8}".prop_map(String::from),
        "[a-zA-Z0-9 ]{1,8}".prop_map(String::from),
        "[a-z]{1,4}\\*".prop_map(String::from),
    ]
}

fn leaf() -> impl Strategy<Value = Expr> {
    let text_fields = prop::sample::select(
        TextField::ALL
            .into_iter()
            .filter(|f| !matches!(f, TextField::Category | TextField::Outcome))
            .collect::<Vec<_>>(),
    );
    prop_oneof![
        (word(), any::<bool>()).prop_map(|(text, prefix)| Expr::Term { text, prefix }),
        "[a-z]{1,5}( [a-z]{1,5}){1,3}".prop_map(Expr::Phrase),
        (text_fields, value())
            .prop_map(|(field, value)| Expr::Filter(Filter::Text { field, value })),
        prop::sample::select(vec!["AUTH", "USER_MGMT", "DATA_ACCESS"])
            .prop_map(|v| text(TextField::Category, v)),
        prop::sample::select(vec!["failed", "successful", "attempted"])
            .prop_map(|v| text(TextField::Outcome, v)),
        (0..5usize, 0..4usize).prop_map(|(op, s)| {
            let op = [
                SeverityOp::Eq,
                SeverityOp::Ge,
                SeverityOp::Gt,
                SeverityOp::Le,
                SeverityOp::Lt,
            ][op];
            Expr::Filter(Filter::Severity(op, Severity::ALL[s]))
        }),
        any::<bool>().prop_map(|b| Expr::Filter(Filter::Bookmarked(b))),
        prop::sample::select(vec!["10.0.0.0/8", "10.1.2.3", "fe80::/10"])
            .prop_map(|t| parse::parse(&format!("ip:{t}")).unwrap()),
        prop::sample::select(vec![
            "after:2026-07-01",
            "before:2026-07-01T10:00",
            "on:2026-02-28",
            "after:2026-07-01T10:00:00+02:00",
        ])
        .prop_map(|t| parse::parse(t).unwrap()),
    ]
}

fn expr() -> impl Strategy<Value = Expr> {
    leaf().prop_recursive(4, 24, 4, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 2..4).prop_map(|items| flat(items, false)),
            prop::collection::vec(inner.clone(), 2..4).prop_map(|items| flat(items, true)),
            inner.prop_map(|e| match e {
                Expr::Not(inner) => *inner,
                e => Expr::Not(Box::new(e)),
            }),
        ]
    })
}

/// The tree the parser builds: nested ANDs (ORs) merged into their parent.
fn flat(items: Vec<Expr>, or: bool) -> Expr {
    let mut out = Vec::new();
    for item in items {
        match item {
            Expr::Or(inner) if or => out.extend(inner),
            Expr::And(inner) if !or => out.extend(inner),
            item => out.push(item),
        }
    }
    if or { Expr::Or(out) } else { Expr::And(out) }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn printing_a_query_parses_back_to_it(e in expr()) {
        let printed = e.to_string();
        let again = parse::parse(&printed);
        prop_assert_eq!(again.as_ref().ok(), Some(&e), "printed as {:?}: {:?}", printed, again);
    }

    #[test]
    fn any_input_parses_or_fails_cleanly(input in "\\PC{0,40}") {
        match parse::parse(&input) {
            // What `Display` prints parses back and prints the same (the
            // fuzz target checks this too): a fixed point.
            Ok(expr) => {
                let printed = expr.to_string();
                let again = parse::parse(&printed);
                prop_assert!(again.is_ok(), "{printed:?}: {again:?}");
                prop_assert_eq!(again.map(|e| e.to_string()).ok(), Some(printed));
            }
            Err(Error::Query { position, .. }) => {
                prop_assert!(position <= input.chars().count());
            }
            Err(other) => prop_assert!(false, "not a query error: {other:?}"),
        }
    }

    #[test]
    fn queries_from_query_characters_never_break_sql(
        input in "[a-z\"()*: <>=@./\\-]{0,30}|(type|ip|after|user|tag|case|severity)[:<>=]{1,2}[a-z0-9\"*()./:-]{0,12}"
    ) {
        let conn = schema();
        if let Ok(query) = parse(&input) {
            let page = search(&conn, &query, &Request { facets: true, ..Request::default() });
            prop_assert!(page.is_ok(), "{input:?} → {:?}", page.err());
        }
    }

    #[test]
    fn generated_queries_run(e in expr()) {
        let conn = schema();
        let query = Query { text: e.to_string(), expr: e };
        prop_assert!(count(&conn, &query).is_ok());
    }
}

/// Tag values and stored tags with what JSON and LIKE treat specially.
fn tag_text() -> impl Strategy<Value = String> {
    "[aAbB%_\\\\\"\u{7}é É*]{1,4}"
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    /// `tag:` rules rows out with LIKE on the stored JSON before json_each
    /// checks them: the prefilter must never drop a row json_each accepts.
    #[test]
    fn the_tag_prefilter_keeps_every_match(
        tags in prop::collection::vec(tag_text(), 0..4),
        value in tag_text(),
    ) {
        prop_assume!(!value.contains('*'));
        let conn = Connection::open_in_memory().unwrap();
        conn.execute_batch("CREATE TABLE who (tags TEXT NOT NULL)").unwrap();
        conn.execute("INSERT INTO who VALUES (?1)", [serde_json::to_string(&tags).unwrap()])
            .unwrap();
        let c = compile::compile(&Expr::Filter(Filter::Text { field: TextField::Tag, value: value.clone() }));
        let with_prefilter: i64 = conn
            .query_row(
                &format!("SELECT count(*) FROM who AS w WHERE {}", c.cond),
                rusqlite::params_from_iter(c.params.iter()),
                |r| r.get(0),
            )
            .unwrap();
        let exact: i64 = conn
            .query_row(
                "SELECT count(*) FROM who AS w WHERE EXISTS
                   (SELECT 1 FROM json_each(w.tags) AS t WHERE t.value = ?1 COLLATE NOCASE)",
                [&value],
                |r| r.get(0),
            )
            .unwrap();
        prop_assert_eq!(with_prefilter, exact, "tags {:?}, tag:{:?}", tags, value);
    }
}
