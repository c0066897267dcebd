//! `/search?q=…&kind=…&category=…&page=N`: Vietnamese full-text search.

use std::borrow::Cow;

use actix_web::{HttpRequest, HttpResponse, web};
use serde::Serialize;

use super::{page_param, query};
use crate::domain::entry::EntryKind;
use crate::domain::search::{self, Piece, Query};
use crate::error::AppError;
use crate::storage::search::{self as index, SearchFilter};
use crate::web::AppState;
use crate::web::db;
use crate::web::pages::{self, Common};
use crate::web::views::{CardView, Pagination};

/// Characters of context around the first match.
const SNIPPET_WIDTH: usize = 220;

/// A search hit: its card's fields, with the matched words marked.
#[derive(Serialize)]
struct ResultView {
    #[serde(flatten)]
    card: CardView,
    /// The title in pieces, `hit` where a searched word matched.
    title_pieces: Vec<Piece>,
    /// Text around the first match in the summary and body, in pieces.
    snippet: Vec<Piece>,
}

/// An option of a filter's `<select>`.
#[derive(Serialize)]
pub(crate) struct Choice {
    /// What the form sends.
    pub value: String,
    /// What the reader sees.
    pub label: String,
    /// Whether it is the value asked for.
    pub selected: bool,
}

/// `search.html`.
#[derive(Serialize)]
struct SearchPage<'a> {
    #[serde(flatten)]
    common: Common<'a>,
    /// The query as typed (cut to 256 characters).
    q: &'a str,
    /// Whether a query was typed (else the page shows only the form).
    searched: bool,
    /// A query was typed but holds no word to search for.
    no_words: bool,
    /// This page's hits, best first.
    results: Vec<ResultView>,
    /// The department's pages whose title and summary hold every word of
    /// the query (first page of an unfiltered search only; at most 5).
    pages: Vec<crate::web::pages::PageCard>,
    /// How many entries match in all, or [`index::RANKED`] when more do.
    total: i64,
    /// More than [`index::RANKED`] entries match: the page says "more
    /// than", and only the newest [`index::RANKED`] are ranked and paged.
    more: bool,
    /// `total` with its thousands grouped (`1.000`).
    total_text: String,
    /// Where this page is among the results' pages.
    pagination: Pagination,
    /// The kinds to filter by.
    kind_choices: Vec<Choice>,
    /// The categories to filter by.
    category_choices: Vec<Choice>,
}

/// As `maxlength` on the search boxes.
const MAX_QUERY_CHARS: usize = 256;

pub async fn search(
    state: web::Data<AppState>,
    req: HttpRequest,
) -> Result<HttpResponse, AppError> {
    let params = query(&req)?;
    let page = page_param(&req)?;
    // The box's own limit (maxlength), kept by the server too: a longer
    // query is cut, not echoed whole into the page's title and box.
    let q: String = params
        .get("q")
        .map(|q| q.chars().take(MAX_QUERY_CHARS).collect())
        .unwrap_or_default();
    let kind: Option<EntryKind> = params.get("kind").and_then(|k| k.parse().ok());
    let category_slug = params.get("category").cloned().filter(|s| !s.is_empty());
    let parsed = Query::parse(&q);
    let per_page = state.config.per_page;
    let now = state.now();
    let query = parsed.clone();
    let empty = parsed.is_empty();
    let shared = state.clone();
    let (base, cats, hits, total) = db::run(&state, move |conn| {
        let base = pages::shared_base(conn, &shared.cache)?;
        let cats = base.sections.clone();
        let category_id = category_slug
            .as_deref()
            .and_then(|s| cats.iter().find(|c| c.slug == s))
            .map(|c| c.id);
        let (hits, total) = if empty {
            (Vec::new(), 0)
        } else {
            let offset = i64::from(page - 1) * i64::from(per_page);
            index::search(
                conn,
                &query,
                SearchFilter {
                    kind,
                    category_id,
                    ..SearchFilter::default()
                },
                now,
                offset,
                i64::from(per_page),
            )?
        };
        Ok((base, cats, hits, total))
    })
    .await?;

    // The department's pages ("liên hệ", "cơ cấu tổ chức") come first on
    // the first page of a search that is not narrowed to a kind or category.
    let found_pages = if page == 1 && kind.is_none() && !params.contains_key("category") {
        base.pages_answering(&q)
    } else {
        Vec::new()
    };
    let mut link = format!("/search?q={}", urlencode(&q));
    if let Some(k) = kind {
        link.push_str(&format!("&kind={}", k.as_str()));
    }
    let category = params.get("category").cloned().unwrap_or_default();
    if !category.is_empty() {
        link.push_str(&format!("&category={}", urlencode(&category)));
    }
    // Above `RANKED`, the count says only "more than": the pages cover the
    // ranked matches.
    let more = total > index::RANKED;
    let total = total.min(index::RANKED);
    let pagination = Pagination::with_query(&link, page, per_page, total);
    if page > pagination.pages {
        return Err(AppError::NotFound);
    }
    let tz = state.config.tz();
    let results: Vec<ResultView> = hits
        .into_iter()
        .map(|h| {
            let text = format!(
                "{}\n\n{}",
                h.card.summary,
                crate::service::index::searchable_body(&h.image_caption, "", &h.body_md)
            );
            let title_pieces = search::snippet(&h.card.title, &parsed, usize::MAX / 2);
            ResultView {
                snippet: search::snippet(&text, &parsed, SNIPPET_WIDTH),
                title_pieces,
                card: CardView::new(h.card, tz),
            }
        })
        .collect();
    let kinds: Vec<Choice> = EntryKind::ALL
        .into_iter()
        .map(|k| Choice {
            value: k.as_str().into(),
            label: state.theme.message(&format!("kind_{}_plural", k.as_str())),
            selected: Some(k) == kind,
        })
        .collect();
    let categories: Vec<Choice> = cats
        .into_iter()
        .map(|c| Choice {
            selected: c.slug == category,
            value: c.slug,
            label: c.name,
        })
        .collect();

    let mut common = Common::new(&state, &req, base);
    common.meta_title = Cow::Owned(state.theme.message("search"));
    common.meta_description = Cow::Owned(state.theme.message("search_description"));
    let view = SearchPage {
        common,
        pages: found_pages,
        q: &q,
        // Something typed that holds no word (`"`, `*`, an emoji) is a
        // search that found nothing, with a hint, not a page without an
        // answer.
        searched: !q.trim().is_empty(),
        no_words: empty && !q.trim().is_empty(),
        results,
        total,
        more,
        total_text: crate::render::numbers::grouped(total, &state.theme.message("thousands_mark")),
        pagination,
        kind_choices: kinds,
        category_choices: categories,
    };
    Ok(HttpResponse::Ok()
        .content_type("text/html; charset=utf-8")
        .insert_header(("Cache-Control", state.config.public_cache_control(60)))
        .body(state.theme.render_view("search.html", &view)?))
}

fn urlencode(s: &str) -> String {
    url::form_urlencoded::byte_serialize(s.as_bytes()).collect()
}
