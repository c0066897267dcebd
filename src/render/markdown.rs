//! Markdown bodies to cleaned HTML, run once when an entry is saved.
//!
//! CommonMark plus tables, footnotes and strikethrough. Headings get ids from
//! their Vietnamese text (`Mục tiêu` → `muc-tieu`), unique within the body,
//! so they can be linked to. A `#` heading becomes `<h2>`: the entry title is
//! the page's only `<h1>`.

use std::collections::{BTreeSet, HashMap, HashSet};

use pulldown_cmark::{CowStr, Event, HeadingLevel, Options, Parser, Tag, TagEnd};

use super::SafeHtml;
use super::responsive;
use crate::domain::image::library_path;
use crate::domain::slug;

/// Width and height of library images, by stored path (`2026/11/ab….jpg`).
pub type ImageSizes = HashMap<String, (u32, u32)>;

fn options() -> Options {
    Options::ENABLE_TABLES
        | Options::ENABLE_FOOTNOTES
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_SMART_PUNCTUATION
}

/// Renders `markdown` and cleans the result with the body allow-list.
/// Images are plain `<img>`; see [`render_with`] for library images.
pub fn render(markdown: &str) -> SafeHtml {
    render_with(markdown, &ImageSizes::new())
}

/// Renders `markdown`; images from the media library whose size is in
/// `sizes` become `<picture>`/`srcset` with width and height, loaded
/// lazily (a body's images are below the fold).
pub fn render_with(markdown: &str, sizes: &ImageSizes) -> SafeHtml {
    let events: Vec<Event> = Parser::new_ext(markdown, options()).collect();
    let events = with_heading_ids(events);
    let events = with_pictures(events, sizes);
    let mut html = String::with_capacity(markdown.len() * 3 / 2);
    pulldown_cmark::html::push_html(&mut html, events.into_iter());
    SafeHtml::clean(&html)
}

/// A rendered body cut at its thematic breaks (`---` in Markdown, `<hr>`
/// once rendered): the sections a leaflet lays out on its panels. Empty
/// sections are dropped.
pub fn sections(html: &SafeHtml) -> Vec<SafeHtml> {
    // Stored bodies are ammonia's output, which writes every break as `<hr>`.
    html.as_str()
        .split("<hr>")
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(|s| SafeHtml::trusted(s.to_owned()))
        .collect()
}

/// `html` with every `id` and in-page link (`href="#…"`) given `prefix`,
/// so several bodies can share one page (a printed bulletin) without two
/// elements having the same id. Stored bodies come from ammonia, which
/// writes attributes as `name="value"` and escapes quotes in text.
pub fn prefix_ids(html: &SafeHtml, prefix: &str) -> SafeHtml {
    static ATTR: std::sync::LazyLock<regex::Regex> = std::sync::LazyLock::new(|| {
        regex::Regex::new(r##" (id="|href="#)([^"]*)""##).expect("valid regex")
    });
    let prefix = super::templates::escape(prefix);
    SafeHtml::trusted(
        ATTR.replace_all(html.as_str(), |c: &regex::Captures| {
            format!(" {}{prefix}{}\"", &c[1], &c[2])
        })
        .into_owned(),
    )
}

/// Gives each heading an id made from its text and demotes `h1` to `h2`.
fn with_heading_ids(mut events: Vec<Event<'_>>) -> Vec<Event<'_>> {
    // Ids the page uses count as taken, so `## Content` gets `content-2`.
    let mut used: HashSet<String> = super::sanitize::RESERVED_IDS
        .iter()
        .map(|s| s.to_string())
        .collect();
    let mut i = 0;
    while i < events.len() {
        if let Event::Start(Tag::Heading { id, level, .. }) = &events[i] {
            let text: String = events[i + 1..]
                .iter()
                .take_while(|e| !matches!(e, Event::End(TagEnd::Heading(_))))
                .filter_map(|e| match e {
                    Event::Text(t) | Event::Code(t) => Some(t.as_ref()),
                    _ => None,
                })
                .collect();
            let base = match id {
                Some(given) => slug::slugify_or(given, "muc"),
                None => slug::slugify_or(&text, "muc"),
            };
            let unique = slug::unique(&base, |s| used.contains(s) || s.starts_with("comment-"));
            used.insert(unique.clone());
            let level = if *level == HeadingLevel::H1 {
                HeadingLevel::H2
            } else {
                *level
            };
            if let Event::Start(Tag::Heading { id, level: l, .. }) = &mut events[i] {
                *id = Some(CowStr::from(unique));
                *l = level;
            }
            // Demote the matching end tag too.
            if let Some(end) = events[i + 1..]
                .iter_mut()
                .find(|e| matches!(e, Event::End(TagEnd::Heading(_))))
            {
                *end = Event::End(TagEnd::Heading(level));
            }
        }
        i += 1;
    }
    events
}

/// The library images a body shows (their stored paths).
pub fn image_paths(markdown: &str) -> BTreeSet<String> {
    Parser::new_ext(markdown, options())
        .filter_map(|e| match e {
            Event::Start(Tag::Image { dest_url, .. }) => library_path(&dest_url).map(str::to_owned),
            _ => None,
        })
        .collect()
}

/// Whether a library image in the body has no alt text (`![](/uploads/…)`):
/// such an image may not be published, as the library may not insert it.
pub fn library_image_without_alt(markdown: &str) -> bool {
    let mut in_library_image = false;
    let mut alt = String::new();
    for event in Parser::new_ext(markdown, options()) {
        match event {
            Event::Start(Tag::Image { dest_url, .. }) => {
                in_library_image = library_path(&dest_url).is_some();
                alt.clear();
            }
            Event::Text(t) | Event::Code(t) if in_library_image => alt.push_str(&t),
            Event::End(TagEnd::Image) if in_library_image => {
                if alt.trim().is_empty() {
                    return true;
                }
                in_library_image = false;
            }
            _ => {}
        }
    }
    false
}

/// Replaces each library image (`![alt](/uploads/…)`) with its responsive
/// markup; other images stay plain `<img>`.
fn with_pictures<'a>(events: Vec<Event<'a>>, sizes: &ImageSizes) -> Vec<Event<'a>> {
    if sizes.is_empty() {
        return events;
    }
    let mut out = Vec::with_capacity(events.len());
    let mut iter = events.into_iter();
    while let Some(event) = iter.next() {
        let Event::Start(Tag::Image {
            dest_url, title, ..
        }) = &event
        else {
            out.push(event);
            continue;
        };
        let found = library_path(dest_url)
            .and_then(|p| sizes.get(p).map(|(w, h)| (p, *w, *h)))
            .and_then(|(p, w, h)| responsive::responsive(p, w, h));
        let Some(r) = found else {
            out.push(event);
            continue;
        };
        let title = title.to_string();
        // The alt text is the image's inner text, up to its end.
        let mut alt = String::new();
        for inner in iter.by_ref() {
            match inner {
                Event::End(TagEnd::Image) => break,
                Event::Text(t) | Event::Code(t) => alt.push_str(&t),
                _ => {}
            }
        }
        out.push(Event::InlineHtml(CowStr::from(responsive::picture_html(
            &r,
            &alt,
            &title,
            responsive::SIZES_BODY,
            true,
        ))));
    }
    out
}

/// Plain text of a Markdown body (for summaries and search), paragraphs
/// separated by blank lines.
pub fn plain_text(markdown: &str) -> String {
    let mut out = String::with_capacity(markdown.len());
    for event in Parser::new_ext(markdown, options()) {
        match event {
            Event::Text(t) | Event::Code(t) => out.push_str(&t),
            Event::SoftBreak | Event::HardBreak => out.push(' '),
            Event::End(TagEnd::Paragraph | TagEnd::Heading(_) | TagEnd::Item) => {
                out.push_str("\n\n")
            }
            _ => {}
        }
    }
    out.trim().to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn html(md: &str) -> String {
        render(md).into_string()
    }

    #[test]
    fn ids_and_in_page_links_get_a_prefix() {
        let body = render("## Mục tiêu\n\n[lên](#muc-tieu) [ngoài](https://a.vn/#x)\n");
        let out = prefix_ids(&body, "item-2-");
        assert!(
            out.as_str().contains(r#"<h2 id="item-2-muc-tieu">"#),
            "{}",
            out.as_str()
        );
        assert!(out.as_str().contains(r##"href="#item-2-muc-tieu""##));
        assert!(out.as_str().contains(r##"href="https://a.vn/#x""##));
    }

    #[test]
    fn thematic_breaks_cut_sections() {
        let parts = sections(&render("Một\n\n---\n\n## Hai\n\n***\n\n---\n\nBa"));
        let parts: Vec<&str> = parts.iter().map(SafeHtml::as_str).collect();
        assert_eq!(
            parts,
            vec!["<p>Một</p>", "<h2 id=\"hai\">Hai</h2>", "<p>Ba</p>"]
        );
    }

    #[test]
    fn headings_get_vietnamese_ids_and_h1_is_demoted() {
        let out = html("# Mục tiêu\n\n## Đối tượng\n\n## Mục tiêu\n");
        assert!(out.contains(r#"<h2 id="muc-tieu">Mục tiêu</h2>"#), "{out}");
        assert!(
            out.contains(r#"<h2 id="doi-tuong">Đối tượng</h2>"#),
            "{out}"
        );
        assert!(out.contains(r#"<h2 id="muc-tieu-2">"#), "{out}");
        assert!(!out.contains("<h1"), "{out}");
    }

    #[test]
    fn tables_footnotes_strikethrough() {
        let out = html("| a | b |\n|---|---|\n| 1 | 2 |\n\nx[^1] ~~cũ~~\n\n[^1]: Ghi chú.\n");
        assert!(out.contains("<table>"), "{out}");
        assert!(out.contains("<td>2</td>"), "{out}");
        assert!(out.contains("<del>cũ</del>"), "{out}");
        assert!(out.contains("footnote-definition"), "{out}");
    }

    #[test]
    fn raw_html_and_links_are_made_harmless() {
        let out = html(
            "<script>alert(1)</script>\n\n[x](javascript:alert(1)) <img src=\"a.png\" onerror=\"alert(1)\">\n\n<a href=\"#\" onclick=\"steal()\">y</a>",
        );
        for bad in ["<script", "javascript:", "onerror", "onclick", "alert("] {
            assert!(!out.contains(bad), "{bad} in {out}");
        }
    }

    #[test]
    fn library_images_become_srcset_and_others_do_not() {
        let p = "2026/11/0123456789abcdef01234567.jpg";
        let md = format!(
            "Trước\n\n![Hội nghị *CCHC*](/uploads/{p} \"Ảnh\")\n\n![x](https://example.com/a.jpg)\n"
        );
        assert_eq!(image_paths(&md).into_iter().collect::<Vec<_>>(), [p]);
        let sizes: ImageSizes = [(p.to_owned(), (1000, 500))].into();
        let out = render_with(&md, &sizes).into_string();
        assert!(
            out.contains(r#"srcset="/uploads/2026/11/0123456789abcdef01234567-320.jpg 320w"#),
            "{out}"
        );
        assert!(
            out.contains(r#"sizes="(min-width: 46rem) 44rem, calc(100vw - 2rem)""#),
            "{out}"
        );
        assert!(
            out.contains(r#"<picture><source type="image/webp" srcset="/uploads/2026/11/0123456789abcdef01234567-320.webp 320w"#),
            "{out}"
        );
        assert!(out.contains(r#"width="1000" height="500""#), "{out}");
        assert!(out.contains(r#"alt="Hội nghị CCHC""#), "{out}");
        assert!(out.contains(r#"loading="lazy""#), "{out}");
        assert!(
            out.contains(r#"<img src="https://example.com/a.jpg" alt="x""#),
            "{out}"
        );
    }

    #[test]
    fn library_images_need_alt_text() {
        let p = "/uploads/2026/11/0123456789abcdef01234567.jpg";
        assert!(library_image_without_alt(&format!("x ![]({p}) y")));
        assert!(library_image_without_alt(&format!("![ ]({p})")));
        assert!(!library_image_without_alt(&format!("![Hội nghị]({p})")));
        assert!(!library_image_without_alt("![](https://example.com/a.jpg)"));
    }

    #[test]
    fn a_hand_written_srcset_is_dropped() {
        let out = html(
            r#"<img src="/a.jpg" srcset="https://evil.example/x.jpg 1w"><picture><source srcset="javascript:alert(1)"></picture>"#,
        );
        assert!(
            !out.contains("evil") && !out.contains("javascript"),
            "{out}"
        );
    }

    #[test]
    fn plain_text_drops_markup() {
        assert_eq!(
            plain_text("## Tiêu đề\n\nMột **hai** `ba`."),
            "Tiêu đề\n\nMột hai ba."
        );
    }
}
