//! XLSX export with `rust_xlsxwriter` in constant-memory mode: rows go out
//! as they are read, so memory stays flat however large the result. That
//! mode spills each sheet to an unnamed temporary file (unlinked at
//! creation on Linux); it is created beside the export itself, the place
//! the user chose for this plaintext, never in a shared temp directory.

use std::path::Path;

use rust_xlsxwriter::{Format, Workbook, Worksheet, XlsxError};

use super::{COLUMNS, Options, cells, hit};
use crate::error::{Error, Result};
use crate::search::{self, Query};

/// Excel's limits: rows per sheet (the header takes one) and characters per
/// cell.
const ROWS_PER_SHEET: u32 = 1_048_576;
const MAX_CELL_CHARS: usize = 32_767;

/// Widths (in characters) that make the sheet readable when opened.
fn width(column: &str) -> f64 {
    match column {
        "occurred_at" => 23.0,
        "type" | "user" | "user_email" | "resource_name" | "route" => 28.0,
        "description" | "details" => 48.0,
        "id" | "request_id" | "session_id" | "user_id" | "resource_id" => 24.0,
        _ => 14.0,
    }
}

fn xlsx_err(path: &Path) -> impl Fn(XlsxError) -> Error + '_ {
    move |e| Error::Invalid(format!("writing {}: {e}", path.display()))
}

fn new_sheet<'w>(
    workbook: &'w mut Workbook,
    number: usize,
    bold: &Format,
) -> Result<&'w mut Worksheet, XlsxError> {
    let sheet = workbook.add_worksheet_with_constant_memory()?;
    sheet.set_name(if number == 1 {
        "events".to_string()
    } else {
        format!("events {number}")
    })?;
    for (col, name) in COLUMNS.iter().enumerate() {
        let col = col as u16;
        sheet.set_column_width(col, width(name))?;
        sheet.write_string_with_format(0, col, *name, bold)?;
    }
    sheet.set_freeze_panes(1, 0)?;
    Ok(sheet)
}

/// Milliseconds since the Unix epoch as an Excel serial date (days since
/// 1899-12-30), which Excel shows with the date format: a typed cell.
fn excel_date(ms: i64) -> f64 {
    ms as f64 / 86_400_000.0 + 25_569.0
}

fn fit(text: &str) -> std::borrow::Cow<'_, str> {
    if text.chars().count() <= MAX_CELL_CHARS {
        return text.into();
    }
    let total = text.chars().count();
    let note = format!(
        " … [cut at Excel's cell limit: {total} characters in all; the CSV and JSON exports hold the whole value]"
    );
    let keep: String = text
        .chars()
        .take(MAX_CELL_CHARS - note.chars().count())
        .collect();
    format!("{keep}{note}").into()
}

pub(super) fn write(
    conn: &rusqlite::Connection,
    query: &Query,
    options: &Options,
    path: &Path,
) -> Result<u64> {
    let err = xlsx_err(path);
    let dir = path
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let mut workbook = Workbook::new();
    workbook.set_tempdir(dir).map_err(&err)?;
    let bold = Format::new().set_bold();
    let date = Format::new().set_num_format("yyyy-mm-dd hh:mm:ss.000");
    new_sheet(&mut workbook, 1, &bold).map_err(&err)?;
    let mut sheet_no = 1;
    let mut row: u32 = 0;
    let n = search::for_each(conn, query, &options.sort, |event| {
        let at = event.event.occurred_at.timestamp_millis();
        let values = cells(&hit(event, options.redact));
        row += 1;
        if row >= ROWS_PER_SHEET {
            sheet_no += 1;
            new_sheet(&mut workbook, sheet_no, &bold).map_err(&err)?;
            row = 1;
        }
        let sheet = workbook.worksheet_from_index(sheet_no - 1).map_err(&err)?;
        for (col, value) in values.iter().enumerate() {
            let col = col as u16;
            if COLUMNS[col as usize] == "occurred_at" {
                sheet
                    .write_number_with_format(row, col, excel_date(at), &date)
                    .map_err(&err)?;
            } else if !value.is_empty() {
                sheet.write_string(row, col, fit(value)).map_err(&err)?;
            }
        }
        Ok(())
    })?;
    workbook.save(path).map_err(&err)?;
    Ok(n)
}
