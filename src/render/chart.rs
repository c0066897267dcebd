//! The ratings' trend as inline SVG: one stacked bar per week, its parts
//! the answers of each score. No script, no library; the admin page puts
//! the same figures in a table beside it for those who do not see it.

use std::fmt::Write;

use chrono::NaiveDate;

use super::SafeHtml;
use crate::domain::html::escape;
use crate::domain::rating::{SCORES, Tally};

/// Fill of each score's part, 1 to 5: red through grey to green, each at
/// least 3:1 against white.
const FILLS: [&str; 5] = ["#b10e1e", "#c4501b", "#6b7075", "#3d7f3f", "#00703c"];

const WIDTH: u32 = 640;
const HEIGHT: u32 = 220;
/// Room for the axis labels.
const LEFT: u32 = 36;
const BOTTOM: u32 = 28;
const TOP: u32 = 10;

/// The chart of `weeks` (oldest first), titled `title`, described by
/// `description`; weeks labelled `dd/mm`.
pub fn weekly(weeks: &[(NaiveDate, Tally)], title: &str, description: &str) -> SafeHtml {
    let max = weeks
        .iter()
        .map(|(_, t)| t.total())
        .max()
        .unwrap_or(0)
        .max(1);
    let plot_h = (HEIGHT - BOTTOM - TOP) as f64;
    let slot = (WIDTH - LEFT) as f64 / weeks.len().max(1) as f64;
    let bar = (slot * 0.7).max(1.0);
    let mut svg = String::with_capacity(4096);
    let _ = write!(
        svg,
        "<svg class=\"chart\" viewBox=\"0 0 {WIDTH} {HEIGHT}\" role=\"img\" \
         aria-labelledby=\"chart-title chart-desc\" xmlns=\"http://www.w3.org/2000/svg\">\
         <title id=\"chart-title\">{}</title><desc id=\"chart-desc\">{}</desc>",
        escape(title),
        escape(description)
    );
    // The axis: 0 and the largest week's count.
    let base = HEIGHT - BOTTOM;
    let _ = write!(
        svg,
        "<line x1=\"{LEFT}\" y1=\"{base}\" x2=\"{WIDTH}\" y2=\"{base}\" stroke=\"#1d1d1f\"/>\
         <text x=\"{}\" y=\"{}\" text-anchor=\"end\" font-size=\"12\">0</text>\
         <text x=\"{}\" y=\"{}\" text-anchor=\"end\" font-size=\"12\">{max}</text>",
        LEFT - 6,
        base,
        LEFT - 6,
        TOP + 10
    );
    for (i, (week, tally)) in weeks.iter().enumerate() {
        let x = LEFT as f64 + slot * i as f64 + (slot - bar) / 2.0;
        let mut y = base as f64;
        for (score, n) in SCORES.iter().zip(tally.counts) {
            if n == 0 {
                continue;
            }
            let h = plot_h * n as f64 / max as f64;
            y -= h;
            let _ = write!(
                svg,
                "<rect x=\"{x:.1}\" y=\"{y:.1}\" width=\"{bar:.1}\" height=\"{h:.1}\" fill=\"{}\"/>",
                FILLS[(*score - 1) as usize]
            );
        }
        // Every other week labelled, the latest always.
        if (weeks.len() - 1 - i).is_multiple_of(2) {
            let _ = write!(
                svg,
                "<text x=\"{:.1}\" y=\"{}\" text-anchor=\"middle\" font-size=\"12\">{}</text>",
                x + bar / 2.0,
                HEIGHT - 8,
                week.format("%d/%m")
            );
        }
    }
    svg.push_str("</svg>");
    SafeHtml::trusted(svg)
}

/// The fill of `score` in the chart, for the legend.
pub fn fill(score: i32) -> &'static str {
    FILLS
        .get(usize::try_from(score - 1).unwrap_or(0))
        .copied()
        .unwrap_or(FILLS[0])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_week_is_a_bar_of_its_scores_and_text_is_escaped() {
        let mut a = Tally::default();
        a.add(5, 3);
        a.add(1, 1);
        let weeks = [
            (
                NaiveDate::from_ymd_opt(2026, 11, 23).unwrap(),
                Tally::default(),
            ),
            (NaiveDate::from_ymd_opt(2026, 11, 30).unwrap(), a),
        ];
        let svg = weekly(&weeks, "Xu hướng <12 tuần>", "mô tả").into_string();
        assert!(svg.starts_with("<svg") && svg.ends_with("</svg>"));
        assert_eq!(svg.matches("<rect").count(), 2, "{svg}");
        assert!(svg.contains(FILLS[4]) && svg.contains(FILLS[0]));
        assert!(svg.contains("Xu hướng &lt;12 tuần&gt;"));
        assert!(svg.contains(">30/11<"));
        // The tallest week reaches the top.
        assert!(svg.contains(">4</text>"));
    }
}
