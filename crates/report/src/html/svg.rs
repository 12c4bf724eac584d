//! Line charts as inline SVG, drawn here: axes, ticks, grid, a legend and one polyline per
//! series (one per unbroken run of points where a series has gaps).
//!
//! Everything is in presentation attributes, not CSS, so a chart draws where a viewer's
//! content security policy blocks inline styles (Jenkins does). Coordinates have at most one
//! decimal to keep the file small. Hovering a line shows its name and range (an SVG `<title>`,
//! no script).

use std::fmt::Write as _;

use super::format::{coord, esc};
use super::timeline::Points;

const WIDTH: f64 = 576.0;
const HEIGHT: f64 = 230.0;
const LEFT: f64 = 66.0;
const RIGHT: f64 = 14.0;
const TOP: f64 = 28.0;
const BOTTOM: f64 = 34.0;
const PLOT_W: f64 = WIDTH - LEFT - RIGHT;
const PLOT_H: f64 = HEIGHT - TOP - BOTTOM;

/// Colours that stay distinct for the colour-blind (Tableau 10's first ones).
pub(crate) const BLUE: &str = "#1f77b4";
/// Second series colour.
pub(crate) const ORANGE: &str = "#ff7f0e";
/// Failures.
pub(crate) const RED: &str = "#d62728";
/// A further series colour.
pub(crate) const GREEN: &str = "#2ca02c";

/// One line of a chart: `None` points break it.
pub(crate) struct Line<'a> {
    /// The name in the legend (and `data-series`).
    pub name: &'a str,
    /// Its colour.
    pub color: &'static str,
    /// Its points `(x, y)`, in order of x.
    pub points: Points,
}

/// What the x axis holds.
#[derive(Clone, Copy)]
pub(crate) enum XAxis {
    /// Seconds since the round started.
    Seconds,
    /// Percentiles on a log scale: x is `log10(1 / (1 - q))`, so 1 is 90 %, 2 is 99 %, ...
    Percentile,
    /// The rate offered (asked of the generator), in transactions per second.
    Rate,
}

/// A chart.
pub(crate) struct Chart<'a> {
    /// What it shows (the SVG's title).
    pub title: String,
    /// The x axis.
    pub x: XAxis,
    /// Formats a y tick.
    pub y_label: fn(f64) -> String,
    /// Whether y counts whole things (transactions), so ticks are whole numbers.
    pub whole_y: bool,
    /// The lines.
    pub lines: Vec<Line<'a>>,
}

impl Chart<'_> {
    /// Appends the chart's `<svg>` to `out`.
    pub(crate) fn draw(&self, out: &mut String) {
        let open = |out: &mut String, axes: &str| {
            let _ = write!(
                out,
                r##"<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{HEIGHT}" viewBox="0 0 {WIDTH} {HEIGHT}" font-family="DejaVu Sans,Arial,sans-serif" font-size="11" role="img" aria-label="{t}"{axes}><title>{t}</title>"##,
                t = esc(&self.title)
            );
        };
        let points = || self.lines.iter().flat_map(|l| l.points.iter().flatten());
        let x_max = points().map(|p| p.0).fold(0.0_f64, f64::max);
        let y_max = points().map(|p| p.1).filter(|y| y.is_finite()).fold(0.0_f64, f64::max);
        if points().next().is_none() {
            open(out, "");
            let _ = write!(
                out,
                r##"<text x="{}" y="{}" text-anchor="middle" fill="#666">no data</text></svg>"##,
                WIDTH / 2.0,
                HEIGHT / 2.0
            );
            return;
        }
        let (y_step, y_top) = match nice_axis(y_max) {
            (step, top) if self.whole_y && step < 1.0 => (1.0, top.ceil()),
            axis => axis,
        };
        let (x_top, x_ticks): (f64, Vec<(f64, String)>) = match self.x {
            XAxis::Seconds => {
                // The axis ends at the last second; ticks are whole seconds (a short round has
                // 0, 1, 2 s, not 0.2 s) at round steps up to it.
                let top = x_max.max(1.0);
                let step = nice_axis(top).0.max(1.0);
                let ticks = ticks(step, (top / step).floor() * step);
                (top, ticks.into_iter().map(|v| (v, format!("{v} s"))).collect())
            }
            XAxis::Rate => {
                let top = x_max.max(1.0);
                let (step, _) = nice_axis(top);
                let ticks = ticks(step, (top / step).floor() * step);
                (top, ticks.into_iter().map(|v| (v, format!("{v} tx/s"))).collect())
            }
            XAxis::Percentile => {
                let nines = x_max.ceil().max(1.0) as u32;
                (f64::from(nines), (0..=nines).map(|i| (f64::from(i), percentile_label(i))).collect())
            }
        };
        // The page's optional script reads the axes to show the values under the pointer.
        // y: `i` whole counts, `n` other numbers, `s` seconds; x: `t` seconds, `p` percentiles.
        let y_kind = match self.whole_y {
            true if points().all(|p| p.1.fract() == 0.0) => "i",
            true => "n",
            false => "s",
        };
        let x_kind = match self.x {
            XAxis::Seconds => "t",
            XAxis::Percentile => "p",
            XAxis::Rate => "r",
        };
        open(
            out,
            &format!(r#" data-axes="{LEFT} {PLOT_W} {x_top} {TOP} {PLOT_H} {y_top} {y_kind} {x_kind}""#),
        );
        let px = |x: f64| coord(LEFT + x / x_top * PLOT_W);
        let py = |y: f64| coord(TOP + PLOT_H - y.clamp(0.0, y_top) / y_top * PLOT_H);

        // Grid and y ticks.
        out.push_str(r##"<g stroke="#ddd">"##);
        for y in ticks(y_step, y_top) {
            let _ = write!(out, r#"<line x1="{LEFT}" x2="{}" y1="{1}" y2="{1}"/>"#, LEFT + PLOT_W, py(y));
        }
        out.push_str("</g>");
        out.push_str(r##"<g text-anchor="end" fill="#333">"##);
        for y in ticks(y_step, y_top) {
            let _ =
                write!(out, r#"<text x="{}" y="{}">{}</text>"#, LEFT - 6.0, py(y) + 4.0, (self.y_label)(y));
        }
        out.push_str(r##"</g><g text-anchor="middle" fill="#333">"##);
        for (x, label) in &x_ticks {
            // A label at the right edge would be cut in half: it ends there instead.
            let end = if *x >= x_top { r#" text-anchor="end""# } else { "" };
            let _ = write!(out, r#"<text x="{}" y="{}"{end}>{label}</text>"#, px(*x), TOP + PLOT_H + 16.0);
        }
        out.push_str("</g>");
        let _ = write!(
            out,
            r##"<path d="M{LEFT} {TOP}V{}H{}" fill="none" stroke="#333"/>"##,
            TOP + PLOT_H,
            LEFT + PLOT_W
        );

        // Legend, then the lines.
        let mut legend_x = LEFT;
        for line in &self.lines {
            let _ = write!(
                out,
                r#"<path d="M{legend_x} 12h16" stroke="{c}" stroke-width="3"/><text x="{}" y="16">{}</text>"#,
                legend_x + 20.0,
                esc(line.name),
                c = line.color
            );
            legend_x += 34.0 + 6.5 * line.name.chars().count() as f64;
        }
        for line in &self.lines {
            let ys = line.points.iter().flatten().map(|p| p.1);
            let (lo, hi) = ys.fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), y| (lo.min(y), hi.max(y)));
            let _ = write!(
                out,
                r#"<g data-series="{n}" fill="none" stroke="{c}" stroke-width="1.5" stroke-linejoin="round"><title>{n}: {} to {}</title>"#,
                (self.y_label)(lo),
                (self.y_label)(hi),
                n = esc(line.name),
                c = line.color,
            );
            for run in line.points.split(Option::is_none).filter(|r| !r.is_empty()) {
                out.push_str(r#"<polyline points=""#);
                for (i, (x, y)) in run.iter().flatten().enumerate() {
                    let sep = if i == 0 { "" } else { " " };
                    let _ = write!(out, "{sep}{},{}", px(*x), py(*y));
                }
                out.push_str(r#""/>"#);
                if let [Some((x, y))] = run {
                    // A lone point draws no line: mark it.
                    let _ = write!(
                        out,
                        r#"<circle cx="{}" cy="{}" r="2" fill="{}"/>"#,
                        px(*x),
                        py(*y),
                        line.color
                    );
                }
            }
            out.push_str("</g>");
        }
        // Shown and filled by the page's script, when scripts run.
        let _ = write!(
            out,
            r##"<g class="hover" visibility="hidden" pointer-events="none"><line y1="{TOP}" y2="{}" stroke="#888"/><rect height="18" fill="#fff" fill-opacity="0.9" stroke="#bbb"/><text y="{}" fill="#222"></text></g></svg>"##,
            TOP + PLOT_H,
            TOP + 13.0
        );
    }
}

/// The label of a percentile tick: 0 %, 90 %, 99 %, 99.9 %, ...
fn percentile_label(nines: u32) -> String {
    match nines {
        0 => "0%".to_owned(),
        1 => "90%".to_owned(),
        n => format!("99.{}%", "9".repeat(n as usize - 2)).replace(".%", "%"),
    }
}

/// A tick step of 1, 2 or 5 times a power of ten giving about five ticks up to `max`, and
/// the top of the axis (a whole number of steps at or above `max`).
fn nice_axis(max: f64) -> (f64, f64) {
    let max = if max.is_finite() && max > 0.0 { max } else { 1.0 };
    let raw = max / 5.0;
    let magnitude = 10f64.powf(raw.log10().floor());
    let step = [1.0, 2.0, 5.0, 10.0].into_iter().map(|m| m * magnitude).find(|s| *s >= raw).unwrap_or(raw);
    (step, (max / step).ceil() * step)
}

/// The ticks `0, step, 2 step, ... top`, rounded so labels read `0.3`, not `0.30000000000000004`.
fn ticks(step: f64, top: f64) -> Vec<f64> {
    let n = (top / step).round() as usize;
    (0..=n.min(20)).map(|i| ((i as f64 * step) * 1e9).round() / 1e9).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn plain(y: f64) -> String {
        y.to_string()
    }

    #[test]
    fn axes_are_round_numbers() {
        assert_eq!(nice_axis(97.0), (20.0, 100.0));
        assert_eq!(nice_axis(0.0123), (0.005, 0.015));
        assert_eq!(nice_axis(0.0), (0.2, 1.0));
        assert_eq!(ticks(0.1, 0.3), [0.0, 0.1, 0.2, 0.3]);
        assert_eq!(percentile_label(0), "0%");
        assert_eq!(percentile_label(2), "99%");
        assert_eq!(percentile_label(4), "99.99%");
    }

    #[test]
    fn a_line_with_a_gap_is_two_polylines_and_names_are_escaped() {
        let chart = Chart {
            title: "t<".to_owned(),
            x: XAxis::Seconds,
            y_label: plain,
            whole_y: false,
            lines: vec![Line {
                name: "</script><b>x",
                color: BLUE,
                points: vec![Some((0.0, 1.0)), Some((1.0, 2.0)), None, Some((3.0, 2.0)), Some((4.0, 0.0))],
            }],
        };
        let mut svg = String::new();
        chart.draw(&mut svg);
        assert_eq!(svg.matches("<polyline").count(), 2, "{svg}");
        assert!(!svg.contains("<b>") && svg.contains("&lt;/script&gt;"), "{svg}");
        assert!(svg.starts_with("<svg") && svg.ends_with("</svg>"));
    }

    #[test]
    fn a_chart_without_points_says_so() {
        let chart = Chart {
            title: "t".to_owned(),
            x: XAxis::Percentile,
            y_label: plain,
            whole_y: false,
            lines: vec![],
        };
        let mut svg = String::new();
        chart.draw(&mut svg);
        assert!(svg.contains("no data"), "{svg}");
    }
}
