//! Turning bytes into records, keeping the line each record starts on.

use std::io::BufRead;

use serde_json::Value;

use super::ImportError;
use super::record::{Record, normalize_header};
use crate::error::{Error, Result};

const BOM: &[u8] = b"\xEF\xBB\xBF";

fn skip_bom<R: BufRead>(reader: &mut R, file: &str) -> Result<()> {
    let buf = reader
        .fill_buf()
        .map_err(|e| ImportError::whole_file(file, e.to_string()))?;
    if buf.starts_with(BOM) {
        reader.consume(BOM.len());
    }
    Ok(())
}

fn object_record(value: Value, line: u64, file: &str) -> Result<Record> {
    match value {
        Value::Object(raw) => Ok(Record {
            line,
            raw,
            columns: None,
            from_csv: false,
        }),
        other => Err(ImportError::at(
            file,
            line,
            None,
            format!("expected a JSON object, found {}", kind_of(&other)),
        )
        .into()),
    }
}

use crate::sources::json_kind as kind_of;

/// One JSON object per line; blank lines are skipped.
pub fn read_ndjson<R: BufRead>(
    reader: &mut R,
    file: &str,
    handle: &mut dyn FnMut(Record) -> Result<()>,
) -> Result<()> {
    skip_bom(reader, file)?;
    let mut buf = Vec::with_capacity(4096);
    let mut line = 0u64;
    loop {
        buf.clear();
        let n = reader
            .read_until(b'\n', &mut buf)
            .map_err(|e| ImportError::whole_file(file, e.to_string()))?;
        if n == 0 {
            return Ok(());
        }
        line += 1;
        let text = buf.trim_ascii();
        if text.is_empty() {
            continue;
        }
        let value: Value = serde_json::from_slice(text).map_err(|e| {
            ImportError::at(
                file,
                line,
                None,
                format!("invalid JSON at column {}: {e}", e.column()),
            )
        })?;
        handle(object_record(value, line, file)?)?;
    }
}

/// A JSON array of events, a Redox envelope (`payload.results`), an object
/// holding an `events`/`results` array, a single event, or NDJSON saved
/// with a `.json` name.
pub fn read_json<R: BufRead>(
    reader: &mut R,
    file: &str,
    handle: &mut dyn FnMut(Record) -> Result<()>,
) -> Result<()> {
    let mut bytes = Vec::new();
    reader
        .read_to_end(&mut bytes)
        .map_err(|e| ImportError::whole_file(file, e.to_string()))?;
    let text = bytes.strip_prefix(BOM).unwrap_or(&bytes);
    let Some(start) = text.iter().position(|b| !b.is_ascii_whitespace()) else {
        return Err(ImportError::whole_file(file, "the file is empty").into());
    };
    match text[start] {
        b'[' => read_array(text, start, file, handle),
        b'{' => match serde_json::from_slice::<Value>(text) {
            Ok(Value::Object(map)) => {
                let path = ["results", "events", "data", "items", "records"]
                    .into_iter()
                    .find_map(|k| array_path(&map, k));
                match path.and_then(|p| find_path_array(text, start, &p)) {
                    Some(at) => read_array(text, at, file, handle),
                    None => handle(object_record(
                        Value::Object(map),
                        line_of(text, start),
                        file,
                    )?),
                }
            }
            Ok(_) => Err(ImportError::whole_file(file, "unexpected JSON document").into()),
            // Several objects one after another: NDJSON under a .json name.
            Err(_) if first_line_is_json(&text[start..]) => {
                read_ndjson(&mut std::io::Cursor::new(text), file, handle)
            }
            Err(e) => Err(ImportError::at(
                file,
                e.line() as u64,
                None,
                format!("invalid JSON at column {}: {e}", e.column()),
            )
            .into()),
        },
        other => Err(ImportError::at(
            file,
            line_of(text, start),
            None,
            format!(
                "expected a JSON array or object, found {:?}",
                char::from(other)
            ),
        )
        .into()),
    }
}

/// Whether the text up to its first newline is a whole JSON value: the mark
/// of NDJSON, as opposed to one pretty-printed document.
pub(super) fn first_line_is_json(text: &[u8]) -> bool {
    let line = text.split(|b| *b == b'\n').next().unwrap_or_default();
    serde_json::from_slice::<Value>(line.trim_ascii()).is_ok()
}

/// The key path of the events array: `key` at the top level, or inside one
/// object (a Redox envelope's `payload.results`).
fn array_path(map: &serde_json::Map<String, Value>, key: &str) -> Option<Vec<String>> {
    if let Some(Value::Array(_)) = map.get(key) {
        return Some(vec![key.to_string()]);
    }
    map.iter().find_map(|(parent, v)| match v {
        Value::Object(inner) => match inner.get(key) {
            Some(Value::Array(_)) => Some(vec![parent.clone(), key.to_string()]),
            _ => None,
        },
        _ => None,
    })
}

/// Offset of the `[` of the array at `path`, walking the object that starts
/// at `open` member by member (strings and nesting respected).
fn find_path_array(text: &[u8], open: usize, path: &[String]) -> Option<usize> {
    let (first, rest) = path.split_first()?;
    let mut i = open + 1;
    loop {
        while text.get(i)?.is_ascii_whitespace() || text.get(i)? == &b',' {
            i += 1;
        }
        if text.get(i)? != &b'"' {
            return None;
        }
        let key_end = string_end(text, i)?;
        let key = &text[i + 1..key_end - 1];
        i = key_end;
        while text.get(i)?.is_ascii_whitespace() {
            i += 1;
        }
        if text.get(i)? != &b':' {
            return None;
        }
        i += 1;
        while text.get(i)?.is_ascii_whitespace() {
            i += 1;
        }
        if key == first.as_bytes() {
            return match (rest.is_empty(), text.get(i)?) {
                (true, b'[') => Some(i),
                (false, b'{') => find_path_array(text, i, rest),
                _ => None,
            };
        }
        i = element_end(text, i)?;
    }
}

/// End (exclusive) of the string literal whose opening quote is at `open`.
fn string_end(text: &[u8], open: usize) -> Option<usize> {
    let mut escaped = false;
    for (i, &b) in text.iter().enumerate().skip(open + 1) {
        match (escaped, b) {
            (true, _) => escaped = false,
            (false, b'\\') => escaped = true,
            (false, b'"') => return Some(i + 1),
            _ => {}
        }
    }
    None
}

fn line_of(text: &[u8], offset: usize) -> u64 {
    1 + text[..offset].iter().filter(|b| **b == b'\n').count() as u64
}

/// Walks the array starting at `open` element by element so each element
/// is parsed alone and reported with the line it starts on.
fn read_array(
    text: &[u8],
    open: usize,
    file: &str,
    handle: &mut dyn FnMut(Record) -> Result<()>,
) -> Result<()> {
    let mut i = open + 1;
    let mut line = line_of(text, open);
    let count_lines = |from: usize, to: usize, line: &mut u64| {
        *line += text[from..to].iter().filter(|b| **b == b'\n').count() as u64;
    };
    loop {
        let ws_start = i;
        while i < text.len() && (text[i].is_ascii_whitespace() || text[i] == b',') {
            i += 1;
        }
        count_lines(ws_start, i, &mut line);
        match text.get(i) {
            None => {
                return Err(
                    ImportError::at(file, line, None, "the JSON array is not closed").into(),
                );
            }
            Some(b']') => return Ok(()),
            Some(_) => {}
        }
        let start = i;
        let end = element_end(text, start).ok_or_else(|| {
            Error::from(ImportError::at(file, line, None, "unterminated JSON value"))
        })?;
        let value: Value = serde_json::from_slice(&text[start..end]).map_err(|e| {
            ImportError::at(
                file,
                line + e.line() as u64 - 1,
                None,
                format!("invalid JSON: {e}"),
            )
        })?;
        handle(object_record(value, line, file)?)?;
        count_lines(start, end, &mut line);
        i = end;
    }
}

/// End (exclusive) of the JSON value starting at `start`: the first `,`,
/// `]` or `}` at depth zero outside strings.
fn element_end(text: &[u8], start: usize) -> Option<usize> {
    let mut depth = 0i64;
    let mut in_string = false;
    let mut escaped = false;
    for (i, &b) in text.iter().enumerate().skip(start) {
        if in_string {
            match (escaped, b) {
                (true, _) => escaped = false,
                (false, b'\\') => escaped = true,
                (false, b'"') => in_string = false,
                _ => {}
            }
            continue;
        }
        match b {
            b'"' => in_string = true,
            b'{' | b'[' => depth += 1,
            b'}' | b']' if depth > 0 => depth -= 1,
            b',' | b']' | b'}' if depth == 0 => return Some(i),
            _ => {}
        }
    }
    None
}

/// CSV with a header row. The delimiter is sniffed from the header line
/// (comma, semicolon or tab); quoted fields may hold delimiters and newlines.
pub fn read_csv<R: BufRead>(
    reader: &mut R,
    file: &str,
    handle: &mut dyn FnMut(Record) -> Result<()>,
) -> Result<()> {
    skip_bom(reader, file)?;
    let delimiter = {
        let buf = reader
            .fill_buf()
            .map_err(|e| ImportError::whole_file(file, e.to_string()))?;
        sniff_delimiter(buf)
    };
    let mut csv = csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .has_headers(true)
        .flexible(false)
        .from_reader(reader);
    let headers = csv
        .headers()
        .map_err(|e| ImportError::at(file, 1, None, format!("cannot read the header row: {e}")))?
        .clone();
    if headers.is_empty() || headers.iter().all(|h| h.trim().is_empty()) {
        return Err(ImportError::whole_file(file, "the file is empty (no header row)").into());
    }
    let has_time = headers.iter().any(|h| {
        matches!(
            normalize_header(h).as_str(),
            "timestamp"
                | "timestamputc"
                | "createdat"
                | "occurredat"
                | "eventtime"
                | "time"
                | "datetime"
                | "date"
                | "dateandtime"
                | "created"
                | "when"
        )
    });
    if !has_time {
        return Err(ImportError::at(
            file,
            1,
            Some("header".into()),
            format!(
                "no timestamp column among {:?}",
                headers.iter().collect::<Vec<_>>()
            ),
        )
        .into());
    }
    let headers: Vec<String> = headers.iter().map(|h| h.trim().to_string()).collect();
    let mut record = csv::StringRecord::new();
    loop {
        match csv.read_record(&mut record) {
            Ok(false) => return Ok(()),
            Ok(true) => {}
            Err(e) => return Err(csv_error(file, &e).into()),
        }
        let line = record.position().map(|p| p.line()).unwrap_or(0);
        if record.iter().all(|cell| cell.trim().is_empty()) {
            continue;
        }
        handle(Record::from_cells(line, &headers, &record))?;
    }
}

fn csv_error(file: &str, e: &csv::Error) -> ImportError {
    match e.kind() {
        csv::ErrorKind::UnequalLengths {
            pos,
            expected_len,
            len,
        } => ImportError::at(
            file,
            pos.as_ref().map(|p| p.line()).unwrap_or(0),
            None,
            format!("expected {expected_len} fields (as in the header), found {len}"),
        ),
        csv::ErrorKind::Utf8 { pos, err } => ImportError::at(
            file,
            pos.as_ref().map(|p| p.line()).unwrap_or(0),
            Some(format!("column {}", err.field() + 1)),
            "not valid UTF-8 text",
        ),
        _ => ImportError::whole_file(file, e.to_string()),
    }
}

fn sniff_delimiter(buf: &[u8]) -> u8 {
    let line_end = buf.iter().position(|b| *b == b'\n').unwrap_or(buf.len());
    let header = &buf[..line_end];
    let mut in_quotes = false;
    let mut counts = [(b',', 0usize), (b';', 0), (b'\t', 0)];
    for &b in header {
        if b == b'"' {
            in_quotes = !in_quotes;
        } else if !in_quotes && let Some(slot) = counts.iter_mut().find(|(d, _)| *d == b) {
            slot.1 += 1;
        }
    }
    counts
        .iter()
        .max_by_key(|(d, n)| (*n, *d == b','))
        .map(|(d, _)| *d)
        .unwrap_or(b',')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn delimiter_sniffing() {
        assert_eq!(sniff_delimiter(b"a,b,c\n1;2"), b',');
        assert_eq!(sniff_delimiter(b"a;b;c\n"), b';');
        assert_eq!(sniff_delimiter(b"a\tb\n"), b'\t');
        assert_eq!(sniff_delimiter(b"\"x;y\",b\n"), b',');
    }

    #[test]
    fn array_elements_end_at_the_right_place() {
        let t = br#"[{"a":"x,]"},{"b":[1,2]}]"#;
        assert_eq!(element_end(t, 1), Some(12));
        assert_eq!(element_end(t, 13), Some(24));
    }
}

#[cfg(test)]
mod properties {
    use proptest::prelude::*;

    use super::*;

    type Handler<'a> = &'a mut dyn FnMut(Record) -> Result<()>;
    type Reader = fn(&mut &[u8], &str, Handler<'_>) -> Result<()>;

    /// Feeds `bytes` through a reader, mapping every record as an import
    /// would. Whatever the input, the reader must return (never panic), and
    /// any failure must be an import error naming the file.
    fn run(read: Reader, bytes: &[u8]) {
        let mut handle = |record: Record| -> Result<()> {
            let line = record.line;
            record
                .to_event()
                .map(|_| ())
                .map_err(|e| ImportError::at("f", line, Some(e.field), e.message).into())
        };
        match read(&mut &bytes[..], "f", &mut handle) {
            Ok(()) => {}
            Err(Error::Import(e)) => assert_eq!(e.file, "f"),
            Err(other) => panic!("unexpected error kind: {other:?}"),
        }
    }

    fn csv(r: &mut &[u8], f: &str, h: Handler<'_>) -> Result<()> {
        read_csv(r, f, h)
    }
    fn ndjson(r: &mut &[u8], f: &str, h: Handler<'_>) -> Result<()> {
        read_ndjson(r, f, h)
    }
    fn json(r: &mut &[u8], f: &str, h: Handler<'_>) -> Result<()> {
        read_json(r, f, h)
    }

    /// Bytes biased towards the characters these formats care about.
    fn structured() -> impl Strategy<Value = Vec<u8>> {
        let pieces = prop::sample::select(vec![
            "\"",
            ",",
            ";",
            "\n",
            "\r\n",
            "{",
            "}",
            "[",
            "]",
            ":",
            "\\",
            "Timestamp",
            "id",
            "2026-01-02T03:04:05Z",
            "type",
            "x",
            " ",
            "\u{feff}",
            "null",
            "1",
            "\"a\"",
        ]);
        prop::collection::vec(pieces, 0..60).prop_map(|p| p.concat().into_bytes())
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(400))]

        #[test]
        fn readers_never_panic_on_arbitrary_bytes(bytes in prop::collection::vec(any::<u8>(), 0..400)) {
            run(csv, &bytes);
            run(ndjson, &bytes);
            run(json, &bytes);
        }

        #[test]
        fn readers_never_panic_on_near_valid_input(bytes in structured()) {
            run(csv, &bytes);
            run(ndjson, &bytes);
            run(json, &bytes);
        }
    }
}
