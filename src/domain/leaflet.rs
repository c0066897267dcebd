//! How a leaflet's text is laid out on paper, whatever it is rendered to.
//!
//! The editor divides the leaflet's body with thematic breaks (`---` on a
//! line of its own in Markdown). The sections then fill the chosen format:
//!
//! - **A4**: one page; the breaks stay as dividing lines.
//! - **A4 front/back**: the first section (up to the first break) is the
//!   front page, everything after it the back page.
//! - **Tri-fold**: one A4 sheet, landscape, printed on both sides and
//!   folded in three (letter fold). Sections 1–6 fill panels 1–6; any
//!   further sections join panel 6. Panel 1 is the front cover (it also
//!   shows the title and summary), panels 2–4 the inside, panel 5 the flap
//!   that folds in, panel 6 the back cover (it also shows the QR code).
//!   On paper, left to right: outside = panels 5, 6, 1; inside = 2, 3, 4.

use serde::Serialize;

use super::entry::LeafletFormat;

/// Panels on a tri-fold.
pub const TRIFOLD_PANELS: usize = 6;

/// The outside of the sheet, left to right: the inside flap, the back
/// cover, the front cover.
pub const TRIFOLD_OUTSIDE: [usize; 3] = [5, 6, 1];
/// The inside of the sheet, left to right.
pub const TRIFOLD_INSIDE: [usize; 3] = [2, 3, 4];

/// Which side of the sheet a page of the layout is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Side {
    Front,
    Back,
    Outside,
    Inside,
}

/// One panel: its number in reading order (1 = front cover) and content.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Panel<T> {
    pub number: usize,
    pub sections: Vec<T>,
}

/// One printed page (one side of a sheet) and its panels, left to right.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Page<T> {
    pub side: Side,
    pub panels: Vec<Panel<T>>,
}

/// Lays `sections` (the body split at its thematic breaks) out in
/// `format`, page by page, panels left to right as printed.
pub fn layout<T: Clone>(format: LeafletFormat, sections: &[T]) -> Vec<Page<T>> {
    match format {
        LeafletFormat::A4 => vec![Page {
            side: Side::Front,
            panels: vec![Panel {
                number: 1,
                sections: sections.to_vec(),
            }],
        }],
        LeafletFormat::A4Duplex => {
            let (front, back) = sections.split_at(sections.len().min(1));
            vec![
                Page {
                    side: Side::Front,
                    panels: vec![Panel {
                        number: 1,
                        sections: front.to_vec(),
                    }],
                },
                Page {
                    side: Side::Back,
                    panels: vec![Panel {
                        number: 2,
                        sections: back.to_vec(),
                    }],
                },
            ]
        }
        LeafletFormat::Trifold => {
            let panel = |n: usize| Panel {
                number: n,
                sections: if n < TRIFOLD_PANELS {
                    sections.get(n - 1).cloned().into_iter().collect()
                } else {
                    sections.iter().skip(n - 1).cloned().collect()
                },
            };
            vec![
                Page {
                    side: Side::Outside,
                    panels: TRIFOLD_OUTSIDE.iter().map(|&n| panel(n)).collect(),
                },
                Page {
                    side: Side::Inside,
                    panels: TRIFOLD_INSIDE.iter().map(|&n| panel(n)).collect(),
                },
            ]
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn numbers(pages: &[Page<&str>]) -> Vec<Vec<usize>> {
        pages
            .iter()
            .map(|p| p.panels.iter().map(|x| x.number).collect())
            .collect()
    }

    #[test]
    fn trifold_prints_outside_5_6_1_then_inside_2_3_4() {
        let s = ["a", "b", "c", "d", "e", "f", "g"];
        let pages = layout(LeafletFormat::Trifold, &s);
        assert_eq!(numbers(&pages), vec![vec![5, 6, 1], vec![2, 3, 4]]);
        assert_eq!(pages[0].side, Side::Outside);
        assert_eq!(pages[0].panels[2].sections, vec!["a"]);
        assert_eq!(pages[0].panels[0].sections, vec!["e"]);
        // Sections past the sixth join the back cover.
        assert_eq!(pages[0].panels[1].sections, vec!["f", "g"]);
    }

    #[test]
    fn short_trifold_leaves_later_panels_empty() {
        let pages = layout(LeafletFormat::Trifold, &["a", "b"]);
        assert_eq!(pages[1].panels[0].sections, vec!["b"]);
        assert!(pages[1].panels[1].sections.is_empty());
        assert!(pages[0].panels[1].sections.is_empty());
    }

    #[test]
    fn duplex_front_is_the_first_section() {
        let pages = layout(LeafletFormat::A4Duplex, &["a", "b", "c"]);
        assert_eq!(pages[0].panels[0].sections, vec!["a"]);
        assert_eq!(pages[1].panels[0].sections, vec!["b", "c"]);
        let one = layout(LeafletFormat::A4, &["a", "b"]);
        assert_eq!(one.len(), 1);
        assert_eq!(one[0].panels[0].sections, vec!["a", "b"]);
    }
}
