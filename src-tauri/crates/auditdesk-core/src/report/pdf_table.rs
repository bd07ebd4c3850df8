//! Tables: rows split across pages with the header row repeated, and cells
//! that either wrap or are cut with a visible ellipsis (never silently).

use super::{
    Document, MARGIN_BOTTOM, MARGIN_TOP, MARGIN_X, PAGE_HEIGHT, RULE, Style, TEXT_WIDTH, Weight,
};
use crate::error::{Error, Result};

const SIZE: f32 = 8.0;
const PAD_X: f32 = 3.0;
const PAD_Y: f32 = 2.5;
const HEADER_FILL: [f32; 3] = [0.89, 0.91, 0.94];
const ZEBRA_FILL: [f32; 3] = [0.965, 0.965, 0.965];
const FRAME: [f32; 3] = [0.25, 0.25, 0.25];

/// What a cell does with text wider than its column.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Overflow {
    /// Wrap onto more lines; the row grows.
    Wrap,
    /// One line, cut with "…".
    Ellipsis,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Align {
    Left,
    Right,
}

#[derive(Debug, Clone)]
pub struct Column {
    pub title: String,
    /// Relative to the other columns' widths; the table spans the text width.
    pub width: f32,
    pub overflow: Overflow,
    pub align: Align,
}

impl Column {
    /// A left-aligned, wrapping column.
    pub fn new(title: &str, width: f32) -> Self {
        Column {
            title: title.to_string(),
            width,
            overflow: Overflow::Wrap,
            align: Align::Left,
        }
    }

    /// Cut overlong cells with an ellipsis instead of wrapping.
    pub fn cut(self) -> Self {
        Column {
            overflow: Overflow::Ellipsis,
            ..self
        }
    }

    /// Right-align (numbers).
    pub fn right(self) -> Self {
        Column {
            align: Align::Right,
            ..self
        }
    }
}

/// What [`Document::table`] had to do to make the rows fit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TableSummary {
    pub rows: usize,
    /// Cells shown shortened with "…"; callers can say so next to the table,
    /// or list the full values in an appendix.
    pub cut_cells: usize,
}

struct Laid {
    lines: Vec<Vec<String>>,
    height: f32,
}

impl Document {
    /// Draws a table at the cursor. Every row must have one cell per column.
    pub fn table(&mut self, columns: &[Column], rows: &[Vec<String>]) -> Result<TableSummary> {
        if columns.is_empty() {
            return Err(Error::Invalid("a table needs at least one column".into()));
        }
        if columns
            .iter()
            .any(|c| !(c.width.is_finite() && c.width > 0.0))
        {
            return Err(Error::Invalid(
                "table column widths must be positive".into(),
            ));
        }
        if let Some((i, row)) = rows
            .iter()
            .enumerate()
            .find(|(_, r)| r.len() != columns.len())
        {
            return Err(Error::Invalid(format!(
                "table row {} has {} cells for {} columns",
                i + 1,
                row.len(),
                columns.len()
            )));
        }
        let total: f32 = columns.iter().map(|c| c.width).sum();
        let widths: Vec<f32> = columns
            .iter()
            .map(|c| c.width / total * TEXT_WIDTH)
            .collect();
        let lh = Style::new(SIZE, Weight::Regular).line_height();

        let header = self.lay_header(columns, &widths, lh);
        // A row may take a whole page under the header, no more.
        let page_body = PAGE_HEIGHT - MARGIN_TOP - MARGIN_BOTTOM;
        let max_lines = (((page_body - header.height - 2.0 * PAD_Y) / lh).floor() as usize).max(1);

        self.ensure(header.height + lh + 2.0 * PAD_Y);
        self.y += 2.0;
        self.draw_header(columns, &widths, &header);

        let mut cut_cells = 0;
        for (i, row) in rows.iter().enumerate() {
            let mut lines = Vec::with_capacity(row.len());
            for ((cell, col), &w) in row.iter().zip(columns).zip(&widths) {
                let (cell_lines, cut) =
                    self.lay_cell(cell, col.overflow, w - 2.0 * PAD_X, max_lines);
                cut_cells += usize::from(cut);
                lines.push(cell_lines);
            }
            let n = lines.iter().map(Vec::len).max().unwrap_or(1);
            let laid = Laid {
                lines,
                height: n as f32 * lh + 2.0 * PAD_Y,
            };
            if laid.height > self.remaining() {
                self.bottom_rule();
                self.new_page();
                self.draw_header(columns, &widths, &header);
            }
            if i % 2 == 1 {
                self.fill_rect(MARGIN_X, self.y, TEXT_WIDTH, laid.height, ZEBRA_FILL);
            }
            self.draw_cells(columns, &widths, &laid, Style::new(SIZE, Weight::Regular));
            self.y += laid.height;
            self.line(
                (MARGIN_X, self.y),
                (MARGIN_X + TEXT_WIDTH, self.y),
                0.25,
                RULE,
            );
        }
        if rows.is_empty() {
            // An empty table still says so, rather than showing a bare header.
            let h = lh + 2.0 * PAD_Y;
            let style = Style::new(SIZE, Weight::Regular).color(super::GREY);
            self.text(MARGIN_X + PAD_X, self.y + PAD_Y, "no rows", style);
            self.y += h;
        }
        self.bottom_rule();
        self.y += SIZE;
        Ok(TableSummary {
            rows: rows.len(),
            cut_cells,
        })
    }

    /// All-empty titles (a key/value table) mean no header row at all.
    fn lay_header(&self, columns: &[Column], widths: &[f32], lh: f32) -> Laid {
        if columns.iter().all(|c| c.title.trim().is_empty()) {
            return Laid {
                lines: Vec::new(),
                height: 0.0,
            };
        }
        let lines: Vec<Vec<String>> = columns
            .iter()
            .zip(widths)
            .map(|(c, &w)| self.wrap(&c.title, SIZE, Weight::Bold, w - 2.0 * PAD_X))
            .collect();
        let n = lines.iter().map(Vec::len).max().unwrap_or(1);
        Laid {
            lines,
            height: n as f32 * lh + 2.0 * PAD_Y,
        }
    }

    fn draw_header(&mut self, columns: &[Column], widths: &[f32], header: &Laid) {
        self.line(
            (MARGIN_X, self.y),
            (MARGIN_X + TEXT_WIDTH, self.y),
            0.8,
            FRAME,
        );
        if header.height == 0.0 {
            return;
        }
        self.fill_rect(MARGIN_X, self.y, TEXT_WIDTH, header.height, HEADER_FILL);
        self.draw_cells(columns, widths, header, Style::new(SIZE, Weight::Bold));
        self.y += header.height;
        self.line(
            (MARGIN_X, self.y),
            (MARGIN_X + TEXT_WIDTH, self.y),
            0.6,
            FRAME,
        );
    }

    fn bottom_rule(&mut self) {
        self.line(
            (MARGIN_X, self.y),
            (MARGIN_X + TEXT_WIDTH, self.y),
            0.8,
            FRAME,
        );
    }

    fn draw_cells(&mut self, columns: &[Column], widths: &[f32], laid: &Laid, style: Style) {
        let lh = style.line_height();
        let mut x = MARGIN_X;
        for ((col, &w), lines) in columns.iter().zip(widths).zip(&laid.lines) {
            for (k, line) in lines.iter().enumerate() {
                let top = self.y + PAD_Y + k as f32 * lh;
                let tx = match col.align {
                    Align::Left => x + PAD_X,
                    Align::Right => x + w - PAD_X - self.text_width(line, style.size, style.weight),
                };
                self.text(tx, top, line, style);
            }
            x += w;
        }
    }

    /// The lines of one cell and whether anything was cut.
    fn lay_cell(
        &self,
        cell: &str,
        overflow: Overflow,
        width: f32,
        max_lines: usize,
    ) -> (Vec<String>, bool) {
        match overflow {
            Overflow::Ellipsis => {
                let flat = cell.split_whitespace().collect::<Vec<_>>().join(" ");
                match self.cut(&flat, SIZE, Weight::Regular, width) {
                    Some(short) => (vec![short], true),
                    None => (vec![flat], false),
                }
            }
            Overflow::Wrap => {
                let mut lines = self.wrap(cell, SIZE, Weight::Regular, width);
                if lines.len() <= max_lines {
                    return (lines, false);
                }
                lines.truncate(max_lines);
                if let Some(last) = lines.last_mut() {
                    let marked = format!("{last}\u{2026}");
                    *last = self
                        .cut(&marked, SIZE, Weight::Regular, width)
                        .unwrap_or(marked);
                }
                (lines, true)
            }
        }
    }
}
