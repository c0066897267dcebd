//! Print layouts: `/{kind}/{slug}/print` for every entry — a clean A4
//! document with the site's name, its publication and update dates, link
//! addresses and a QR code to the online page. A leaflet is laid out in its
//! format (one A4 page, front and back, or a tri-fold's six panels in
//! folding order); a bulletin prints as one document, its entries after its
//! contents.

use crate::storage::Db;
use std::borrow::Cow;
use std::collections::HashMap;

use actix_web::{HttpRequest, HttpResponse, web};
use chrono::NaiveDateTime;
use serde::Serialize;

use super::kind_of;
use crate::domain::entry::{EntryKind, LeafletFormat};
use crate::domain::leaflet;
use crate::error::AppError;
use crate::render::{SafeHtml, doclinks, markdown, qr};
use crate::storage::categories::{self, Category};
use crate::storage::documents;
use crate::storage::entries::{self, Entry};
use crate::storage::tags::{self, Tag};
use crate::web::AppState;
use crate::web::db;
use crate::web::pages::{self, Base, Common};
use crate::web::views::EntryView;

/// Everything a print page shows, read in one blocking task.
pub(crate) struct PrintPage {
    base: Base,
    pub entry: Entry,
    category: Option<Category>,
    tags: Vec<Tag>,
    /// A bulletin's entries, whole, in its order.
    items: Vec<Entry>,
    /// Document number → record address, for the numbers the summary
    /// cites (bodies are stored linked).
    doc_links: HashMap<String, String>,
}

/// Reads `entry` and what its print page shows. The bulletin's items are
/// the public ones at `now`.
pub(crate) fn load(conn: &mut Db, entry: Entry, now: NaiveDateTime) -> Result<PrintPage, AppError> {
    let category = entry
        .category_id
        .map(|id| categories::find(conn, id))
        .transpose()?;
    let tags = tags::for_entry(conn, entry.id)?;
    let items = if entry.kind == EntryKind::Bulletin {
        entries::bulletin_entries_public(conn, entry.id, now)?
    } else {
        Vec::new()
    };
    // Bodies are stored linked; the summary is linked from the records
    // the entry cites.
    let doc_links = links_for(documents::cited_by(conn, entry.id)?);
    Ok(PrintPage {
        base: pages::load_base(conn)?,
        entry,
        category,
        tags,
        items,
        doc_links,
    })
}

/// Number → record address, from number → record slug.
pub(crate) fn links_for(slugs: HashMap<String, String>) -> HashMap<String, String> {
    slugs
        .into_iter()
        .map(|(n, slug)| (n, super::documents::document_url(&slug)))
        .collect()
}

/// `print/base.html`: an entry's print layout (also what staff PDFs are
/// printed from), rendered as `print/{kind}.html`, which extend it.
#[derive(Serialize)]
struct PrintView<'a> {
    #[serde(flatten)]
    common: Common<'a>,
    /// The entry; document numbers in its body link to absolute addresses.
    entry: &'a EntryView,
    /// The summary as HTML, its document numbers linked (print with `| safe`).
    summary_html: SafeHtml,
    /// The entry's absolute address, printed with the QR code.
    online_url: &'a str,
    /// A QR code to `online_url` as inline SVG (`is string` to test it).
    qr: Option<SafeHtml>,
    /// `<base href>` for a page opened from a file (PDF), else null.
    base_href: Option<&'a str>,
    /// A leaflet's format: `a4`, `a4-duplex`, `trifold` (leaflets only).
    #[serde(skip_serializing_if = "Option::is_none")]
    format: Option<&'static str>,
    /// The panel (from 1) that carries the QR code (leaflets only).
    #[serde(skip_serializing_if = "Option::is_none")]
    qr_panel: Option<usize>,
    /// The leaflet's sheets: each side's panels, each panel's sections of
    /// the body in folding order (leaflets only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pages: Option<Vec<leaflet::Page<SafeHtml>>>,
    /// A bulletin's entries, whole, in the order (else empty).
    items: Vec<EntryView>,
}

/// Renders the print page of `page`. `base_href` makes relative addresses
/// resolve against a server when the HTML is opened from a file (PDF).
pub(crate) fn render(
    state: &AppState,
    req: &HttpRequest,
    page: PrintPage,
    base_href: Option<&str>,
) -> Result<Vec<u8>, AppError> {
    let tz = state.config.tz();
    let origin = pages::origin(state, req);
    let leaflet_format = page.entry.leaflet_format();
    // On paper a link is its printed address: registry links are absolute.
    let links: HashMap<String, String> = page
        .doc_links
        .into_iter()
        .map(|(n, url)| (n, format!("{origin}{url}")))
        .collect();
    let mut entry = EntryView::new(page.entry, page.category, page.tags, tz);
    entry.body_html = doclinks::absolute(&entry.body_html, &origin);
    let summary_html = doclinks::link_text(&entry.summary, &links);
    let online_url = format!("{origin}{}", entry.url);
    let qr_label = state.theme.message("print_qr_label");
    let qr = qr::svg(&online_url, &qr_label);
    // The entries share one page: their ids get the item's number
    // (`b2-muc-tieu`) so no two elements have the same id, nor one of the
    // page's own (`item-2`, `item-2-title`).
    let items: Vec<EntryView> = page
        .items
        .into_iter()
        .enumerate()
        .map(|(i, e)| {
            let mut v = EntryView::new(e, None, Vec::new(), tz);
            let body = markdown::prefix_ids(&v.body_html, &format!("b{}-", i + 1));
            v.body_html = doclinks::absolute(&body, &origin);
            v
        })
        .collect();

    let mut common = Common::new(state, req, page.base);
    common.canonical_url.clone_from(&online_url);
    common.meta_title = Cow::Borrowed(&entry.title);
    let mut view = PrintView {
        common,
        online_url: &online_url,
        qr,
        base_href,
        format: None,
        qr_panel: None,
        pages: None,
        summary_html,
        items,
        entry: &entry,
    };
    if entry.kind == EntryKind::Leaflet {
        let format = leaflet_format.unwrap_or(LeafletFormat::A4);
        let sections = markdown::sections(&entry.body_html);
        view.format = Some(format.as_str());
        // The QR code goes on the last panel: the back.
        view.qr_panel = Some(match format {
            LeafletFormat::A4 => 1,
            LeafletFormat::A4Duplex => 2,
            LeafletFormat::Trifold => leaflet::TRIFOLD_PANELS,
        });
        view.pages = Some(leaflet::layout(format, &sections));
    }
    let template = format!("print/{}.html", entry.kind.as_str());
    Ok(state.theme.render_view(&template, &view)?)
}

/// `GET /{kind}/{slug}/print`: the print layout of a public entry.
pub async fn show_print(
    state: web::Data<AppState>,
    req: HttpRequest,
    slug: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let kind = kind_of(&req)?;
    let now = state.now();
    let slug = slug.into_inner();
    let page = db::run(&state, move |conn| {
        let entry = entries::find_public(conn, kind, &slug, now)?.ok_or(AppError::NotFound)?;
        load(conn, entry, now)
    })
    .await?;
    Ok(super::html(&state, render(&state, &req, page, None)?))
}
