//! The PDF drawing layer of the reports: an A4 document builder over
//! printpdf's low-level ops (no HTML layout), so that every position is ours
//! and the output is byte-for-byte reproducible.
//!
//! Layout is top-down with a cursor; content that does not fit on the current
//! page moves to a new one. Footers ("page N of M") are drawn only in
//! [`Document::finish`], once M is known.
//!
//! What printpdf 0.12 cannot do, and this module therefore does not: nested
//! outline entries (its outline is flat and ordered by page, then title) and
//! embedded file attachments (it has no `/EmbeddedFiles` support).

use chrono::{DateTime, Utc};
use printpdf::{
    Color, FontId, Line, LinePoint, Mm, Op, PageAnnotId, PageAnnotation, PaintMode, ParsedFont,
    PdfDocument, PdfFont, PdfFontHandle, PdfPage, PdfParseErrorSeverity, PdfSaveOptions, Point, Pt,
    Rect, Rgb, TextItem,
};
use sha2::{Digest, Sha256};
use std::io::Read;

use crate::error::{Error, Result};

#[path = "pdf_chart.rs"]
mod chart;
#[path = "pdf_table.rs"]
mod table;

pub use chart::{BarChart, PALETTE, Series, StackedBarChart};
pub use table::{Align, Column, Overflow, TableSummary};

// The fonts are embedded zlib-compressed (build.rs): half their size, which
// every binary carries, for ~10 ms of inflating per report.
const REGULAR_TTF: &[u8] = include_bytes!(concat!(env!("OUT_DIR"), "/DejaVuSans.ttf.z"));
const BOLD_TTF: &[u8] = include_bytes!(concat!(env!("OUT_DIR"), "/DejaVuSans-Bold.ttf.z"));

/// A4 portrait, in points.
pub const PAGE_WIDTH: f32 = 595.276;
pub const PAGE_HEIGHT: f32 = 841.89;
/// 20 mm side and top margins; the bottom one leaves room for the footer.
pub const MARGIN_X: f32 = 56.693;
pub const MARGIN_TOP: f32 = 56.693;
pub const MARGIN_BOTTOM: f32 = 62.362;
/// The width text and tables are laid out in.
pub const TEXT_WIDTH: f32 = PAGE_WIDTH - 2.0 * MARGIN_X;

const FOOTER_BASELINE: f32 = PAGE_HEIGHT - 34.0;
const FOOTER_SIZE: f32 = 7.5;
const LINE_FACTOR: f32 = 1.32;
const ELLIPSIS: char = '\u{2026}';
/// Shown for characters the font has no glyph for: visibly wrong beats an
/// invisible `.notdef` box a reviewer might not notice.
const REPLACEMENT: char = '\u{FFFD}';

pub(crate) const BLACK: [f32; 3] = [0.0, 0.0, 0.0];
pub(crate) const GREY: [f32; 3] = [0.42, 0.42, 0.42];
pub(crate) const RULE: [f32; 3] = [0.72, 0.72, 0.72];

/// Text weight; the two embedded DejaVu Sans faces.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Weight {
    Regular,
    Bold,
}

struct Face {
    font: ParsedFont,
    id: FontId,
    units_per_em: f32,
}

impl Face {
    fn load(compressed: &[u8], id: &str) -> Result<Self> {
        let mut bytes = Vec::new();
        flate2::read::ZlibDecoder::new(compressed)
            .read_to_end(&mut bytes)
            .map_err(|e| Error::Invalid(format!("embedded font {id} cannot be inflated: {e}")))?;
        let mut warnings = Vec::new();
        let font = ParsedFont::from_bytes(&bytes, 0, &mut warnings)
            .ok_or_else(|| Error::Invalid(format!("embedded font {id} cannot be parsed")))?;
        let units_per_em = f32::from(font.font_metrics.units_per_em.max(1));
        Ok(Face {
            font,
            // Fixed ids: printpdf's own are random and would change the bytes.
            id: FontId(id.to_string()),
            units_per_em,
        })
    }

    fn has_glyph(&self, c: char) -> bool {
        self.font
            .lookup_glyph_index(u32::from(c))
            .is_some_and(|g| g != 0)
    }

    /// Advance of `c` in em units; missing glyphs measure as their replacement.
    fn advance(&self, c: char) -> f32 {
        let gid = self
            .font
            .lookup_glyph_index(u32::from(c))
            .filter(|&g| g != 0)
            .or_else(|| self.font.lookup_glyph_index(u32::from(REPLACEMENT)))
            .unwrap_or(0);
        f32::from(self.font.get_horizontal_advance(gid)) / self.units_per_em
    }
}

/// How a run of text is drawn.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Style {
    pub size: f32,
    pub weight: Weight,
    pub color: [f32; 3],
}

impl Style {
    pub(crate) fn new(size: f32, weight: Weight) -> Self {
        Style {
            size,
            weight,
            color: BLACK,
        }
    }

    pub(crate) fn color(self, color: [f32; 3]) -> Self {
        Style { color, ..self }
    }

    pub(crate) fn line_height(self) -> f32 {
        self.size * LINE_FACTOR
    }
}

/// A report PDF under construction. Positions are in points; `y` runs down
/// from the top edge of the page.
pub struct Document {
    title: String,
    generated_at: DateTime<Utc>,
    regular: Face,
    bold: Face,
    done: Vec<Vec<Op>>,
    ops: Vec<Op>,
    y: f32,
    outline: Vec<(String, usize)>,
}

impl Document {
    /// Starts a document. `generated_at` is the report's recorded generation
    /// time (`--as-of`); it is the only time written into the file.
    pub fn new(title: &str, generated_at: DateTime<Utc>) -> Result<Self> {
        Ok(Document {
            title: title.to_string(),
            generated_at,
            regular: Face::load(REGULAR_TTF, "F1")?,
            bold: Face::load(BOLD_TTF, "F2")?,
            done: Vec::new(),
            ops: Vec::new(),
            y: MARGIN_TOP,
            outline: Vec::new(),
        })
    }

    /// Pages laid out so far, counting the current one.
    pub fn page_count(&self) -> usize {
        self.done.len() + 1
    }

    /// Width of `text` in points when set in `size` and `weight`.
    pub fn text_width(&self, text: &str, size: f32, weight: Weight) -> f32 {
        let face = self.face(weight);
        text.chars().map(|c| face.advance(c)).sum::<f32>() * size
    }

    /// A section title (16 pt bold) with an outline entry pointing at it.
    /// Returns the (1-based) page it landed on, for a table of contents.
    pub fn heading(&mut self, text: &str) -> usize {
        let style = Style::new(16.0, Weight::Bold);
        // Keep the heading with at least a few lines of what follows it.
        self.space_before(14.0, style.line_height() + 48.0);
        let page = self.page_count();
        self.outline.push((text.to_string(), page));
        self.paragraph_styled(text, style);
        self.y += 4.0;
        page
    }

    /// A subsection title (11.5 pt bold), not in the outline.
    pub fn subheading(&mut self, text: &str) {
        let style = Style::new(11.5, Weight::Bold);
        self.space_before(8.0, style.line_height() + 36.0);
        self.paragraph_styled(text, style);
        self.y += 2.0;
    }

    /// Text wrapped to the text width; `\n` starts a new line.
    pub fn paragraph(&mut self, text: &str, size: f32, weight: Weight) {
        self.paragraph_styled(text, Style::new(size, weight));
        self.y += size * 0.5;
    }

    /// Vertical space, dropped at the top of a page.
    pub fn space(&mut self, mm: f32) {
        if self.y > MARGIN_TOP {
            self.y += Pt::from(Mm(mm)).0;
        }
    }

    pub fn page_break(&mut self) {
        if !self.ops.is_empty() {
            self.new_page();
        }
    }

    /// Serialises the document: footers, outline, metadata and a document id
    /// derived from the title and generation time only.
    pub fn finish(self) -> Result<Vec<u8>> {
        let Document {
            title,
            generated_at,
            regular,
            bold,
            mut done,
            ops,
            outline,
            ..
        } = self;
        done.push(ops);
        let total = done.len();

        let footer = FooterFaces {
            regular: &regular,
            title: &title,
        };
        let pages = done
            .into_iter()
            .enumerate()
            .map(|(i, mut ops)| {
                footer.draw(&mut ops, i + 1, total);
                PdfPage::new(Mm(210.0), Mm(297.0), ops)
            })
            .collect();

        let mut pdf = PdfDocument::new(&title);
        let when = printpdf::OffsetDateTime::from_unix_timestamp(generated_at.timestamp())
            .map_err(|e| Error::Invalid(format!("report time {generated_at}: {e}")))?;
        let id = document_id(&title, generated_at);
        let info = &mut pdf.metadata.info;
        info.creation_date = when;
        info.modification_date = when;
        info.metadata_date = when;
        info.creator = "AuditDesk".to_string();
        info.producer = concat!("AuditDesk ", env!("CARGO_PKG_VERSION")).to_string();
        info.identifier = id.clone();
        for face in [regular, bold] {
            pdf.resources
                .fonts
                .map
                .insert(face.id.clone(), PdfFont::new(face.font));
        }
        for (i, (name, page)) in outline.into_iter().enumerate() {
            // Ordered keys; printpdf sorts by (page, title) anyway.
            pdf.bookmarks.map.insert(
                PageAnnotId(format!("B{i:06}")),
                PageAnnotation { name, page },
            );
        }
        pdf.pages = pages;

        let mut warnings = Vec::new();
        let mut doc = pdf.to_lopdf_document(&PdfSaveOptions::default(), &mut warnings);
        if let Some(w) = warnings
            .iter()
            .find(|w| w.severity == PdfParseErrorSeverity::Error)
        {
            return Err(Error::Invalid(format!("PDF page {}: {}", w.page, w.msg)));
        }
        // printpdf fills /ID with strings from a process-wide counter, so two
        // identical documents built in one process would differ.
        let ids = doc
            .trailer
            .get_mut(b"ID")
            .and_then(|o| o.as_array_mut())
            .map_err(|e| Error::Invalid(format!("PDF trailer: {e}")))?;
        for slot in ids.iter_mut() {
            *slot
                .as_str_mut()
                .map_err(|e| Error::Invalid(format!("PDF trailer: {e}")))? = id.as_bytes().to_vec();
        }
        // printpdf always writes /GTS_PDFXVersion, claiming a PDF/X
        // conformance this file does not have.
        if let Ok(info) = doc.trailer.get(b"Info").and_then(|o| o.as_reference())
            && let Ok(info) = doc.get_object_mut(info).and_then(|o| o.as_dict_mut())
        {
            info.remove(b"GTS_PDFXVersion");
        }
        doc.compress();
        let mut bytes = Vec::new();
        doc.save_to(&mut bytes)
            .map_err(|e| Error::Invalid(format!("writing PDF: {e}")))?;
        Ok(bytes)
    }

    fn face(&self, weight: Weight) -> &Face {
        match weight {
            Weight::Regular => &self.regular,
            Weight::Bold => &self.bold,
        }
    }

    /// Room left on the current page below the cursor.
    pub(crate) fn remaining(&self) -> f32 {
        PAGE_HEIGHT - MARGIN_BOTTOM - self.y
    }

    /// Moves to a new page unless `height` fits below the cursor.
    pub(crate) fn ensure(&mut self, height: f32) {
        if height > self.remaining() && self.y > MARGIN_TOP {
            self.new_page();
        }
    }

    fn space_before(&mut self, gap: f32, keep: f32) {
        self.ensure(gap + keep);
        if self.y > MARGIN_TOP {
            self.y += gap;
        }
    }

    pub(crate) fn new_page(&mut self) {
        self.done.push(std::mem::take(&mut self.ops));
        self.y = MARGIN_TOP;
    }

    fn paragraph_styled(&mut self, text: &str, style: Style) {
        for line in self.wrap(text, style.size, style.weight, TEXT_WIDTH) {
            self.ensure(style.line_height());
            let top = self.y;
            self.text(MARGIN_X, top, &line, style);
            self.y += style.line_height();
        }
    }

    /// Replaces characters the face cannot draw.
    fn printable(&self, text: &str, weight: Weight) -> String {
        let face = self.face(weight);
        text.chars()
            .map(|c| {
                if c == '\t' {
                    ' '
                } else if face.has_glyph(c) {
                    c
                } else {
                    REPLACEMENT
                }
            })
            .collect()
    }

    /// Greedy word wrap to `width`; words wider than a line are broken
    /// between characters. Never returns an empty list.
    pub(crate) fn wrap(&self, text: &str, size: f32, weight: Weight, width: f32) -> Vec<String> {
        let space = self.text_width(" ", size, weight);
        let mut lines = Vec::new();
        for para in text.split('\n') {
            let mut line = String::new();
            let mut line_w = 0.0;
            for word in para.split_whitespace() {
                let mut word_w = self.text_width(word, size, weight);
                let sep = if line.is_empty() { 0.0 } else { space };
                if line_w + sep + word_w <= width {
                    if !line.is_empty() {
                        line.push(' ');
                    }
                    line.push_str(word);
                    line_w += sep + word_w;
                    continue;
                }
                if !line.is_empty() {
                    lines.push(std::mem::take(&mut line));
                }
                let mut rest = word;
                while word_w > width {
                    let cut = self.fit_prefix(rest, size, weight, width);
                    lines.push(rest[..cut].to_string());
                    rest = &rest[cut..];
                    word_w = self.text_width(rest, size, weight);
                }
                line.push_str(rest);
                line_w = word_w;
            }
            lines.push(line);
        }
        lines
    }

    /// Byte length of the longest prefix of `text` no wider than `width`;
    /// at least one character so wrapping always makes progress.
    fn fit_prefix(&self, text: &str, size: f32, weight: Weight, width: f32) -> usize {
        let face = self.face(weight);
        let mut w = 0.0;
        for (i, c) in text.char_indices() {
            w += face.advance(c) * size;
            if w > width {
                return if i == 0 { c.len_utf8() } else { i };
            }
        }
        text.len()
    }

    /// `text` cut to `width` with a trailing ellipsis; `None` if it fits.
    pub(crate) fn cut(&self, text: &str, size: f32, weight: Weight, width: f32) -> Option<String> {
        if self.text_width(text, size, weight) <= width {
            return None;
        }
        let room = (width - self.text_width("\u{2026}", size, weight)).max(0.0);
        let end = self.fit_prefix(text, size, weight, room);
        let end = if self.text_width(&text[..end], size, weight) > room {
            0
        } else {
            end
        };
        let mut out = text[..end].trim_end().to_string();
        out.push(ELLIPSIS);
        Some(out)
    }

    /// Draws one line of text with its top at `top`.
    pub(crate) fn text(&mut self, x: f32, top: f32, text: &str, style: Style) {
        let baseline = top + style.size * 1.0;
        let text = self.printable(text, style.weight);
        let font = self.face(style.weight).id.clone();
        push_text(&mut self.ops, font, x, baseline, text, style);
    }

    pub(crate) fn fill_rect(&mut self, x: f32, top: f32, width: f32, height: f32, color: [f32; 3]) {
        self.ops.push(Op::SetFillColor { col: rgb(color) });
        self.ops.push(Op::DrawRectangle {
            rectangle: Rect {
                x: Pt(x),
                y: Pt(PAGE_HEIGHT - top - height),
                width: Pt(width),
                height: Pt(height),
                mode: Some(PaintMode::Fill),
                winding_order: None,
            },
        });
    }

    pub(crate) fn line(
        &mut self,
        from: (f32, f32),
        to: (f32, f32),
        thickness: f32,
        color: [f32; 3],
    ) {
        self.ops.push(Op::SetOutlineColor { col: rgb(color) });
        self.ops.push(Op::SetOutlineThickness { pt: Pt(thickness) });
        let point = |(x, y): (f32, f32)| LinePoint {
            p: Point {
                x: Pt(x),
                y: Pt(PAGE_HEIGHT - y),
            },
            bezier: false,
        };
        self.ops.push(Op::DrawLine {
            line: Line {
                points: vec![point(from), point(to)],
                is_closed: false,
            },
        });
    }
}

struct FooterFaces<'a> {
    regular: &'a Face,
    title: &'a str,
}

impl FooterFaces<'_> {
    fn draw(&self, ops: &mut Vec<Op>, page: usize, total: usize) {
        let style = Style::new(FOOTER_SIZE, Weight::Regular).color(GREY);
        let width = |s: &str| s.chars().map(|c| self.regular.advance(c)).sum::<f32>() * FOOTER_SIZE;
        let rule_y = FOOTER_BASELINE - FOOTER_SIZE - 4.0;
        ops.push(Op::SetOutlineColor { col: rgb(RULE) });
        ops.push(Op::SetOutlineThickness { pt: Pt(0.4) });
        ops.push(Op::DrawLine {
            line: Line {
                points: [MARGIN_X, PAGE_WIDTH - MARGIN_X]
                    .into_iter()
                    .map(|x| LinePoint {
                        p: Point {
                            x: Pt(x),
                            y: Pt(PAGE_HEIGHT - rule_y),
                        },
                        bezier: false,
                    })
                    .collect(),
                is_closed: false,
            },
        });
        let number = format!("page {page} of {total}");
        let number_w = width(&number);
        // The title is cut, visibly, rather than run into the page number.
        let room = TEXT_WIDTH - number_w - 24.0;
        let mut title: String = self
            .title
            .chars()
            .map(|c| {
                if self.regular.has_glyph(c) {
                    c
                } else {
                    REPLACEMENT
                }
            })
            .collect();
        if width(&title) > room {
            while !title.is_empty() && width(&title) + width("\u{2026}") > room {
                title.pop();
            }
            title.push(ELLIPSIS);
        }
        let id = self.regular.id.clone();
        push_text(ops, id.clone(), MARGIN_X, FOOTER_BASELINE, title, style);
        let x = PAGE_WIDTH - MARGIN_X - number_w;
        push_text(ops, id, x, FOOTER_BASELINE, number, style);
    }
}

fn push_text(ops: &mut Vec<Op>, font: FontId, x: f32, baseline: f32, text: String, style: Style) {
    if text.is_empty() {
        return;
    }
    ops.push(Op::SetFillColor {
        col: rgb(style.color),
    });
    ops.push(Op::StartTextSection);
    ops.push(Op::SetFont {
        font: PdfFontHandle::External(font),
        size: Pt(style.size),
    });
    ops.push(Op::SetTextCursor {
        pos: Point {
            x: Pt(x),
            y: Pt(PAGE_HEIGHT - baseline),
        },
    });
    ops.push(Op::ShowText {
        items: vec![TextItem::Text(text)],
    });
    ops.push(Op::EndTextSection);
}

pub(crate) fn rgb([r, g, b]: [f32; 3]) -> Color {
    Color::Rgb(Rgb {
        r,
        g,
        b,
        icc_profile: None,
    })
}

/// 32 hex digits naming the document; the same title and time give the same id.
fn document_id(title: &str, generated_at: DateTime<Utc>) -> String {
    let mut h = Sha256::new();
    h.update(title.as_bytes());
    h.update([0]);
    h.update(generated_at.to_rfc3339().as_bytes());
    hex::encode(&h.finalize()[..16])
}

#[cfg(test)]
mod tests {
    use std::ffi::OsStr;
    use std::process::Command;

    use chrono::TimeZone;

    use super::*;

    const USERS: [&str; 5] = [
        "Łukasz Żółkiewski",
        "José Álvarez",
        "Zoë Ødegaard",
        "Mary O'Brien",
        "Σωκράτης Παπαδόπουλος",
    ];

    fn at(day: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 7, day, 9, 30, 0).unwrap()
    }

    fn sample(generated_at: DateTime<Utc>) -> Vec<u8> {
        let mut doc = Document::new("PCI DSS v4.0 — Requirement 10, 2026Q2", generated_at).unwrap();
        doc.heading("Data coverage");
        doc.paragraph(
            "This report covers events held in the vault for the period 2026-04-01 to \
             2026-06-30 (UTC). Sources synchronised without gaps except where listed below; \
             retention caveats of each source apply. Prepared for Łukasz Żółkiewski and \
             José Álvarez.",
            10.0,
            Weight::Regular,
        );
        doc.paragraph("Zero counts are shown, never hidden.", 10.0, Weight::Bold);
        doc.subheading("Activity");
        let weeks: Vec<String> = (14..27).map(|w| format!("2026-W{w}")).collect();
        let series = ["critical", "high", "medium", "low"]
            .iter()
            .enumerate()
            .map(|(k, name)| Series {
                name: name.to_string(),
                values: (0..weeks.len())
                    .map(|w| ((w * 7 + k * 13) % 11) as f64 * (k + 1) as f64)
                    .collect(),
            })
            .collect();
        doc.stacked_bar_chart(&StackedBarChart {
            title: "Events per week by severity".into(),
            x_label: "ISO week".into(),
            y_label: "events".into(),
            x_labels: weeks,
            series,
        })
        .unwrap();
        doc.bar_chart(&BarChart {
            title: "Top users".into(),
            value_label: "events".into(),
            bars: USERS
                .iter()
                .enumerate()
                .map(|(i, u)| (u.to_string(), (50 - i * 11) as f64))
                .collect(),
        })
        .unwrap();

        doc.table(
            &[Column::new("", 1.0), Column::new("", 3.0)],
            &[
                vec!["Framework".into(), "PCI DSS v4.0".into()],
                vec!["Period".into(), "2026-04-01 to 2026-06-30 (UTC)".into()],
            ],
        )
        .unwrap();
        let evidence_page = doc.heading("Evidence");
        assert_eq!(evidence_page, doc.page_count());
        let columns = [
            Column::new("Time (UTC)", 2.2),
            Column::new("User", 2.4),
            Column::new("Action", 3.0),
            Column::new("Resource", 2.2).cut(),
            Column::new("Count", 0.9).right(),
        ];
        let rows: Vec<Vec<String>> = (0..140)
            .map(|i| {
                vec![
                    format!("2026-05-{:02} {:02}:{:02}:00", i % 28 + 1, i % 24, i % 60),
                    USERS[i % USERS.len()].to_string(),
                    if i % 9 == 0 {
                        "role assignment changed for a privileged group, approved by change ticket CHG-1042".to_string()
                    } else {
                        "user.login".to_string()
                    },
                    format!("/subscriptions/prod-eu/resourceGroups/payments-{i}/vault"),
                    (i * 3 % 17).to_string(),
                ]
            })
            .collect();
        let summary = doc.table(&columns, &rows).unwrap();
        assert_eq!(summary.rows, 140);
        assert!(
            summary.cut_cells > 0,
            "the resource column is too narrow and must report cuts"
        );
        doc.finish().unwrap()
    }

    /// Runs a poppler tool; a missing tool fails the test rather than skipping it.
    fn poppler(tool: &str, args: &[&OsStr]) -> String {
        let out = Command::new(tool).args(args).output().unwrap_or_else(|e| {
            panic!(
                "cannot run {tool} ({e}); install poppler-utils \
                 (apt-get install poppler-utils, or `make deps`)"
            )
        });
        assert!(
            out.status.success(),
            "{tool} failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).unwrap()
    }

    #[test]
    fn same_content_same_bytes() {
        let a = sample(at(1));
        assert_eq!(a, sample(at(1)));
        assert_ne!(a, sample(at(2)));
        let text = String::from_utf8_lossy(&a);
        assert!(
            text.contains("D:20260701093000"),
            "the input time is the recorded time"
        );
        assert!(text.contains("/Outlines"), "sections appear in the outline");
    }

    #[test]
    fn poppler_reads_the_report() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("report.pdf");
        std::fs::write(&file, sample(at(1))).unwrap();

        let pdf = file.as_os_str();
        let info = poppler("pdfinfo", &[pdf]);
        let pages: usize = info
            .lines()
            .find_map(|l| l.strip_prefix("Pages:"))
            .map(|n| n.trim().parse().unwrap())
            .expect("pdfinfo prints the page count");
        assert!(pages >= 3, "{info}");

        let fonts = poppler("pdffonts", &[pdf]);
        let rows: Vec<Vec<&str>> = fonts
            .lines()
            .skip_while(|l| !l.starts_with("---"))
            .skip(1)
            .map(|l| l.split_whitespace().collect())
            .collect();
        assert!(rows.len() >= 2, "both faces are used: {fonts}");
        for row in &rows {
            // name type encoding emb sub uni object-number generation
            assert_eq!(row[row.len() - 5], "yes", "font not embedded: {fonts}");
        }

        let text =
            poppler("pdftotext", &["-layout".as_ref(), pdf, "-".as_ref()]).replace('\u{a0}', " ");
        let pages_text: Vec<&str> = text.split('\u{c}').collect();
        assert!(text.contains("Evidence"), "{text}");
        assert!(
            text.contains("Łukasz Żółkiewski") && text.contains("José Álvarez"),
            "{text}"
        );
        assert!(text.contains("Σωκράτης"), "{text}");
        assert!(text.contains("page 2 of"), "{text}");
        assert!(text.contains('\u{2026}'), "cut cells show an ellipsis");
        let with_header: Vec<usize> = pages_text
            .iter()
            .enumerate()
            .filter(|(_, p)| p.contains("Time (UTC)") && p.contains("Resource"))
            .map(|(i, _)| i)
            .collect();
        assert!(with_header.len() >= 2, "header repeated: {with_header:?}");
        assert!(with_header.iter().any(|&i| i >= 1));
        assert!(pages_text[0].contains(&format!("page 1 of {pages}")));
    }

    #[test]
    fn wrapping_and_cutting_stay_inside_the_width() {
        let doc = Document::new("t", at(1)).unwrap();
        let text = "Łukasz reviewed an unusually long identifier: \
                    aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
        let lines = doc.wrap(text, 10.0, Weight::Regular, 120.0);
        assert!(lines.len() > 3);
        for l in &lines {
            assert!(doc.text_width(l, 10.0, Weight::Regular) <= 120.0, "{l}");
        }
        assert_eq!(lines.concat().replace(' ', ""), text.replace(' ', ""));
        let cut = doc
            .cut("José Álvarez de la Fuente", 10.0, Weight::Bold, 50.0)
            .unwrap();
        assert!(cut.ends_with('\u{2026}'));
        assert!(doc.text_width(&cut, 10.0, Weight::Bold) <= 50.0);
        assert_eq!(doc.cut("José", 10.0, Weight::Bold, 50.0), None);
        assert!(
            doc.text_width("WWW", 10.0, Weight::Bold) > doc.text_width("iii", 10.0, Weight::Bold)
        );
    }

    #[test]
    fn bad_input_is_an_invalid_error() {
        let mut doc = Document::new("t", at(1)).unwrap();
        let err = doc
            .table(
                &[Column::new("a", 1.0), Column::new("b", 1.0)],
                &[vec!["x".into()]],
            )
            .unwrap_err();
        assert_eq!(err.code(), Error::Invalid(String::new()).code());
        assert!(doc.table(&[], &[]).is_err());
        let chart = StackedBarChart {
            title: "c".into(),
            x_label: String::new(),
            y_label: String::new(),
            x_labels: vec!["a".into(), "b".into()],
            series: vec![Series {
                name: "s".into(),
                values: vec![1.0],
            }],
        };
        assert!(doc.stacked_bar_chart(&chart).is_err());
        let bars = BarChart {
            title: "b".into(),
            value_label: String::new(),
            bars: vec![("x".into(), f64::NAN)],
        };
        assert!(doc.bar_chart(&bars).is_err());
        // An empty table and an empty chart still render.
        assert_eq!(doc.table(&[Column::new("a", 1.0)], &[]).unwrap().rows, 0);
        doc.bar_chart(&BarChart {
            title: "none".into(),
            value_label: String::new(),
            bars: Vec::new(),
        })
        .unwrap();
        assert!(!doc.finish().unwrap().is_empty());
    }
}
