//! The query parser on arbitrary input: it must never panic, errors must
//! point inside the input, and the canonical printing of a parsed query
//! must parse again and print the same (a fixed point), so saved searches
//! and the UI can round-trip what they show.
#![no_main]

use auditdesk_core::Error;
use auditdesk_core::search;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    match search::parse(text) {
        Ok(query) => {
            let printed = query.expr.to_string();
            let again = search::parse(&printed).expect("the canonical form parses");
            assert_eq!(again.expr.to_string(), printed, "printing is a fixed point");
        }
        Err(Error::Query { position, .. }) => assert!(position <= text.chars().count()),
        Err(other) => panic!("not a query error: {other}"),
    }
});
