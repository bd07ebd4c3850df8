//! Bar charts drawn from rectangles and lines: no images, so they stay sharp,
//! searchable (labels are text) and deterministic.

use super::{
    Document, GREY, MARGIN_BOTTOM, MARGIN_TOP, MARGIN_X, PAGE_HEIGHT, RULE, Style, TEXT_WIDTH,
    Weight,
};
use crate::error::{Error, Result};

/// Fixed series colours (Okabe–Ito), distinguishable with colour blindness
/// and in greyscale print.
pub const PALETTE: [[f32; 3]; 7] = [
    [0.0, 0.447, 0.698],
    [0.902, 0.624, 0.0],
    [0.0, 0.620, 0.451],
    [0.835, 0.369, 0.0],
    [0.800, 0.475, 0.655],
    [0.337, 0.706, 0.914],
    [0.941, 0.894, 0.259],
];

const TITLE: f32 = 10.0;
const LABEL: f32 = 7.5;
const AXIS: [f32; 3] = [0.3, 0.3, 0.3];

/// Horizontal bars, one per (label, value), e.g. top users.
#[derive(Debug, Clone)]
pub struct BarChart {
    pub title: String,
    /// Names the values, under the axis (e.g. "events").
    pub value_label: String,
    pub bars: Vec<(String, f64)>,
}

#[derive(Debug, Clone)]
pub struct Series {
    pub name: String,
    /// One value per x label.
    pub values: Vec<f64>,
}

/// Vertical bars stacked by series, e.g. events per week by severity.
#[derive(Debug, Clone)]
pub struct StackedBarChart {
    pub title: String,
    pub x_label: String,
    pub y_label: String,
    pub x_labels: Vec<String>,
    pub series: Vec<Series>,
}

impl Document {
    /// Draws a horizontal bar chart; it is kept on one page.
    pub fn bar_chart(&mut self, chart: &BarChart) -> Result<()> {
        check_values(&chart.title, chart.bars.iter().map(|b| b.1))?;
        const BAR: f32 = 11.0;
        const GAP: f32 = 5.0;
        let fixed = Style::new(TITLE, Weight::Bold).line_height() + 6.0 + 32.0;
        let page_body = PAGE_HEIGHT - MARGIN_TOP - MARGIN_BOTTOM;
        let n = chart.bars.len().max(1);
        let height = fixed + n as f32 * (BAR + GAP);
        if height > page_body {
            let most = ((page_body - fixed) / (BAR + GAP)).floor();
            return Err(Error::Invalid(format!(
                "chart {:?} has {} bars; at most {most} fit on a page",
                chart.title,
                chart.bars.len()
            )));
        }
        self.ensure(height);
        self.chart_title(&chart.title);

        let label_w = TEXT_WIDTH * 0.28;
        let x0 = MARGIN_X + label_w + 6.0;
        let plot_w = TEXT_WIDTH - label_w - 6.0 - 36.0;
        let max = chart.bars.iter().map(|b| b.1).fold(0.0, f64::max);
        let (axis_max, step) = nice_axis(max);
        let top = self.y;
        let bottom = top + n as f32 * (BAR + GAP);
        let scale = |v: f64| (v / axis_max) as f32 * plot_w;

        for t in ticks(axis_max, step) {
            let x = x0 + scale(t);
            self.line((x, top), (x, bottom), 0.3, RULE);
            let s = fmt_num(t);
            let w = self.text_width(&s, LABEL, Weight::Regular);
            self.text(
                x - w / 2.0,
                bottom + 3.0,
                &s,
                Style::new(LABEL, Weight::Regular).color(GREY),
            );
        }
        let label_style = Style::new(8.0, Weight::Regular);
        for (i, (label, value)) in chart.bars.iter().enumerate() {
            let bar_top = top + GAP / 2.0 + i as f32 * (BAR + GAP);
            let text_top = bar_top + (BAR - 8.0) / 2.0 - 0.5;
            let shown = self
                .cut(label, 8.0, Weight::Regular, label_w)
                .unwrap_or_else(|| label.clone());
            self.text(MARGIN_X, text_top, &shown, label_style);
            let w = scale(*value);
            if w > 0.0 {
                self.fill_rect(x0, bar_top, w, BAR, PALETTE[0]);
            }
            // Zero is written out too: a missing bar must not read as missing data.
            self.text(x0 + w + 3.0, text_top, &fmt_num(*value), label_style);
        }
        if chart.bars.is_empty() {
            self.text(
                x0 + 4.0,
                top + 3.0,
                "no data",
                Style::new(8.0, Weight::Regular).color(GREY),
            );
        }
        self.line((x0, top), (x0, bottom), 0.6, AXIS);
        self.line((x0, bottom), (x0 + plot_w, bottom), 0.6, AXIS);
        self.centered(&chart.value_label, x0, plot_w, bottom + 14.0);
        self.y = bottom + 14.0 + 12.0 + 6.0;
        Ok(())
    }

    /// Draws a vertical stacked bar chart with a legend; it is kept on one page.
    pub fn stacked_bar_chart(&mut self, chart: &StackedBarChart) -> Result<()> {
        let n = chart.x_labels.len();
        if chart.series.is_empty() {
            return Err(Error::Invalid(format!(
                "chart {:?} has no series",
                chart.title
            )));
        }
        if chart.series.len() > PALETTE.len() {
            return Err(Error::Invalid(format!(
                "chart {:?} has {} series; the palette has {} colours",
                chart.title,
                chart.series.len(),
                PALETTE.len()
            )));
        }
        if let Some(s) = chart.series.iter().find(|s| s.values.len() != n) {
            return Err(Error::Invalid(format!(
                "chart {:?}: series {:?} has {} values for {n} x labels",
                chart.title,
                s.name,
                s.values.len()
            )));
        }
        check_values(
            &chart.title,
            chart.series.iter().flat_map(|s| s.values.iter().copied()),
        )?;

        const PLOT_H: f32 = 160.0;
        const GUTTER: f32 = 34.0;
        let legend = self.legend_rows(&chart.series, TEXT_WIDTH - GUTTER);
        let legend_h = legend.len() as f32 * 12.0;
        let height =
            Style::new(TITLE, Weight::Bold).line_height() + 6.0 + legend_h + 14.0 + PLOT_H + 40.0;
        self.ensure(height);
        self.chart_title(&chart.title);

        let x0 = MARGIN_X + GUTTER;
        let plot_w = TEXT_WIDTH - GUTTER;
        for (r, row) in legend.iter().enumerate() {
            let top = self.y + r as f32 * 12.0;
            let mut x = x0;
            for &(i, w) in row {
                self.fill_rect(x, top + 1.0, 8.0, 8.0, PALETTE[i]);
                self.text(
                    x + 11.0,
                    top + 0.5,
                    &chart.series[i].name,
                    Style::new(LABEL, Weight::Regular),
                );
                x += w;
            }
        }
        self.y += legend_h + 4.0;
        self.text(
            MARGIN_X,
            self.y,
            &chart.y_label,
            Style::new(LABEL, Weight::Regular).color(GREY),
        );
        let top = self.y + 18.0;
        let bottom = top + PLOT_H;

        let totals: Vec<f64> = (0..n)
            .map(|j| chart.series.iter().map(|s| s.values[j]).sum())
            .collect();
        let (axis_max, step) = nice_axis(totals.iter().copied().fold(0.0, f64::max));
        let scale = |v: f64| (v / axis_max) as f32 * PLOT_H;
        for t in ticks(axis_max, step) {
            let y = bottom - scale(t);
            self.line((x0, y), (x0 + plot_w, y), 0.3, RULE);
            let s = fmt_num(t);
            let w = self.text_width(&s, LABEL, Weight::Regular);
            self.text(
                x0 - 4.0 - w,
                y - LABEL * 0.6,
                &s,
                Style::new(LABEL, Weight::Regular).color(GREY),
            );
        }

        let slot = plot_w / n.max(1) as f32;
        let bar_w = (slot * 0.7).min(40.0);
        // Label every k-th bar so that labels never overlap; bars keep their order.
        let widest = chart
            .x_labels
            .iter()
            .map(|l| self.text_width(l, LABEL, Weight::Regular))
            .fold(0.0, f32::max);
        let every = ((widest + 4.0) / slot).ceil().clamp(1.0, 8.0) as usize;
        for j in 0..n {
            let x = x0 + j as f32 * slot + (slot - bar_w) / 2.0;
            let mut acc = 0.0;
            for (i, s) in chart.series.iter().enumerate() {
                let h = scale(s.values[j]);
                if h > 0.0 {
                    self.fill_rect(x, bottom - acc - h, bar_w, h, PALETTE[i]);
                }
                acc += h;
            }
            if j % every == 0 {
                let room = slot * every as f32 - 2.0;
                let label = &chart.x_labels[j];
                let shown = self
                    .cut(label, LABEL, Weight::Regular, room)
                    .unwrap_or_else(|| label.clone());
                let w = self.text_width(&shown, LABEL, Weight::Regular);
                let cx = x0 + j as f32 * slot + slot / 2.0;
                let lx = (cx - w / 2.0).max(x0);
                self.text(lx, bottom + 3.0, &shown, Style::new(LABEL, Weight::Regular));
            }
        }
        self.line((x0, top), (x0, bottom), 0.6, AXIS);
        self.line((x0, bottom), (x0 + plot_w, bottom), 0.6, AXIS);
        self.centered(&chart.x_label, x0, plot_w, bottom + 14.0);
        self.y = bottom + 14.0 + 12.0 + 6.0;
        Ok(())
    }

    fn chart_title(&mut self, title: &str) {
        let style = Style::new(TITLE, Weight::Bold);
        let shown = self
            .cut(title, TITLE, Weight::Bold, TEXT_WIDTH)
            .unwrap_or_else(|| title.to_string());
        self.text(MARGIN_X, self.y, &shown, style);
        self.y += style.line_height() + 6.0;
    }

    fn centered(&mut self, text: &str, x: f32, width: f32, top: f32) {
        let style = Style::new(LABEL, Weight::Regular).color(GREY);
        let shown = self
            .cut(text, LABEL, Weight::Regular, width)
            .unwrap_or_else(|| text.to_string());
        let w = self.text_width(&shown, LABEL, Weight::Regular);
        self.text(x + (width - w) / 2.0, top, &shown, style);
    }

    /// Legend entries (series index, advance) flowed into rows.
    fn legend_rows(&self, series: &[Series], width: f32) -> Vec<Vec<(usize, f32)>> {
        let mut rows: Vec<Vec<(usize, f32)>> = vec![Vec::new()];
        let mut used = 0.0;
        for (i, s) in series.iter().enumerate() {
            let w = 11.0 + self.text_width(&s.name, LABEL, Weight::Regular) + 14.0;
            if used + w > width && used > 0.0 {
                rows.push(Vec::new());
                used = 0.0;
            }
            if let Some(row) = rows.last_mut() {
                row.push((i, w));
            }
            used += w;
        }
        rows
    }
}

fn check_values(title: &str, values: impl Iterator<Item = f64>) -> Result<()> {
    for v in values {
        if !(v.is_finite() && v >= 0.0) {
            return Err(Error::Invalid(format!(
                "chart {title:?}: values must be finite and not negative, got {v}"
            )));
        }
    }
    Ok(())
}

/// A round axis maximum and tick step with about four ticks above zero.
fn nice_axis(max: f64) -> (f64, f64) {
    if max <= 0.0 {
        return (4.0, 1.0);
    }
    let raw = max / 4.0;
    let mag = 10f64.powf(raw.log10().floor());
    let step = [1.0, 2.0, 2.5, 5.0, 10.0]
        .iter()
        .map(|m| m * mag)
        .find(|s| *s >= raw)
        .unwrap_or(10.0 * mag);
    ((max / step).ceil() * step, step)
}

fn ticks(axis_max: f64, step: f64) -> impl Iterator<Item = f64> {
    let n = (axis_max / step).round() as usize;
    (0..=n).map(move |i| i as f64 * step)
}

fn fmt_num(v: f64) -> String {
    if (v - v.round()).abs() < 1e-9 && v.abs() < 1e15 {
        format!("{}", v.round() as i64)
    } else {
        let s = format!("{v:.2}");
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    }
}
