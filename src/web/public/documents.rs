//! The document registry's public side: `/documents` (search and filters
//! by type, issuer, year and status) and `/documents/{slug}` (the record
//! and the entries that cite it).

use std::borrow::Cow;

use actix_web::{HttpRequest, HttpResponse, web};
use serde::Serialize;

use super::{html, page_param, query};
use crate::domain::document::DocStatus;
use crate::domain::search::Query;
use crate::error::AppError;
use crate::storage::documents::{self, DocFilter, Document};
use crate::storage::entries;
use crate::web::AppState;
use crate::web::db;
use crate::web::pages::{self, Common};
use crate::web::views::{CardView, Link, Pagination};

pub use crate::service::entries::document_url;

/// A document as the registry shows it.
#[derive(Debug, Clone, Serialize)]
pub struct DocumentView {
    pub url: String,
    pub doc_type: String,
    pub number: String,
    pub issuer: String,
    /// `2022-03-29`, for `<time datetime>`; printed with the `date` filter.
    pub issued_iso: String,
    pub effective_iso: Option<String>,
    pub status: &'static str,
    pub abstract_text: String,
    pub file_url: Option<String>,
    /// The file's format, as readers know it: `PDF`, `DOCX`.
    pub file_kind: Option<String>,
    /// In bytes, where the record page knows it (from the attachment);
    /// printed with the `filesize` filter (`47 KB`).
    pub file_size: Option<u64>,
}

impl DocumentView {
    pub fn new(d: Document) -> Self {
        Self {
            url: document_url(&d.slug),
            issued_iso: d.issued_on.to_string(),
            effective_iso: d.effective_on.map(|e| e.to_string()),
            status: d.status.as_str(),
            file_url: d.file_path.as_ref().map(|p| format!("/uploads/{p}")),
            file_kind: d
                .file_path
                .as_ref()
                .and_then(|p| p.rsplit_once('.').map(|(_, ext)| ext.to_uppercase())),
            file_size: None,
            doc_type: d.doc_type,
            number: d.number,
            issuer: d.issuer,
            abstract_text: d.abstract_text,
        }
    }
}

/// An option of a filter.
#[derive(Serialize)]
struct Choice {
    /// What the form sends.
    value: String,
    /// What the reader sees.
    label: String,
    /// Whether it is the value asked for.
    selected: bool,
}

/// `documents/list.html`: the registry, searched and filtered.
#[derive(Serialize)]
struct DocumentsPage<'a> {
    #[serde(flatten)]
    common: Common<'a>,
    /// The words searched for, as typed.
    q: &'a str,
    /// Whether any search or filter is applied.
    filtered: bool,
    /// How many records match in all.
    total: i64,
    /// The document types to filter by.
    type_choices: Vec<Choice>,
    /// The issuers to filter by.
    issuer_choices: Vec<Choice>,
    /// The years of issue to filter by.
    year_choices: Vec<Choice>,
    /// The statuses to filter by, in the theme's words.
    status_choices: Vec<Choice>,
    /// This page's records.
    documents: Vec<DocumentView>,
    /// Where this page is among the results' pages.
    pagination: Pagination,
    /// A filtered view or a page past the first: not for search engines.
    noindex: bool,
}

/// `documents/show.html`: one record and the entries citing it.
#[derive(Serialize)]
struct DocumentPage<'a> {
    #[serde(flatten)]
    common: Common<'a>,
    /// The document's name as it is cited: "Kế hoạch số 171/KH-SVHTT
    /// ngày 29/3/2022".
    heading: &'a str,
    /// The record.
    document: &'a DocumentView,
    /// The public entries that cite its number, newest first.
    citing: Vec<CardView>,
}

fn choices(values: impl IntoIterator<Item = (String, String)>, selected: &str) -> Vec<Choice> {
    values
        .into_iter()
        .map(|(value, label)| Choice {
            selected: value == selected,
            value,
            label,
        })
        .collect()
}

/// `GET /documents`: the registry, searchable and filtered.
pub async fn list(state: web::Data<AppState>, req: HttpRequest) -> Result<HttpResponse, AppError> {
    let params = query(&req)?;
    let page = page_param(&req)?;
    let get = |k: &str| {
        params
            .get(k)
            .map(|v| v.trim().to_owned())
            .unwrap_or_default()
    };
    let q = get("q");
    let doc_type = get("type");
    let issuer = get("issuer");
    let year_raw = get("year");
    let status_raw = get("status");
    let year = match year_raw.as_str() {
        "" => None,
        y => Some(
            y.parse::<i32>()
                .ok()
                .filter(|y| (1900..=2200).contains(y))
                .ok_or(AppError::BadRequest("error_400_text"))?,
        ),
    };
    let status = match status_raw.as_str() {
        "" => None,
        s => Some(
            s.parse::<DocStatus>()
                .map_err(|_| AppError::BadRequest("error_400_text"))?,
        ),
    };
    let parsed = Query::parse(&q);
    let filter = DocFilter {
        query: (!parsed.is_empty()).then(|| parsed.clone()),
        doc_type: (!doc_type.is_empty()).then(|| doc_type.clone()),
        issuer: (!issuer.is_empty()).then(|| issuer.clone()),
        year,
        status,
    };
    let filtered = filter.query.is_some()
        || filter.doc_type.is_some()
        || filter.issuer.is_some()
        || year.is_some()
        || status.is_some();
    let per_page = state.config.per_page;
    let shared = state.clone();
    let (base, rows, total, (types, issuers, years)) = db::run(&state, move |conn| {
        let offset = i64::from(page - 1) * i64::from(per_page);
        let (rows, total) = documents::search(conn, &filter, offset, i64::from(per_page))?;
        Ok((
            pages::shared_base(conn, &shared.cache)?,
            rows,
            total,
            documents::facets(conn)?,
        ))
    })
    .await?;
    // The list's own address with its filters, for the page links.
    let kept: Vec<(&str, &str)> = [
        ("q", q.as_str()),
        ("type", doc_type.as_str()),
        ("issuer", issuer.as_str()),
        ("year", year_raw.as_str()),
        ("status", status_raw.as_str()),
    ]
    .into_iter()
    .filter(|(_, v)| !v.is_empty())
    .collect();
    let pagination = if kept.is_empty() {
        Pagination::new("/documents", page, per_page, total)
    } else {
        let qs = url::form_urlencoded::Serializer::new(String::new())
            .extend_pairs(&kept)
            .finish();
        Pagination::with_query(&format!("/documents?{qs}"), page, per_page, total)
    };
    if page > pagination.pages {
        return Err(AppError::NotFound);
    }
    let theme = &state.theme;
    let mut common = Common::new(&state, &req, base);
    common.meta_title = Cow::Owned(theme.message("documents_title"));
    common.meta_description = Cow::Owned(theme.message("documents_description"));
    let view = DocumentsPage {
        common,
        q: &q,
        filtered,
        total,
        type_choices: choices(types.into_iter().map(|t| (t.clone(), t)), &doc_type),
        issuer_choices: choices(issuers.into_iter().map(|t| (t.clone(), t)), &issuer),
        year_choices: choices(
            years.into_iter().map(|y| (y.to_string(), y.to_string())),
            &year_raw,
        ),
        status_choices: choices(
            DocStatus::ALL.into_iter().map(|s| {
                (
                    s.as_str().to_owned(),
                    theme.message(&format!("document_status_{}", s.as_str())),
                )
            }),
            &status_raw,
        ),
        documents: rows.into_iter().map(DocumentView::new).collect(),
        pagination,
        // Filtered views are not pages of their own for search engines.
        noindex: filtered || page > 1,
    };
    Ok(html(
        &state,
        theme.render_view("documents/list.html", &view)?,
    ))
}

/// schema.org `Legislation` (the type search engines read for legal and
/// administrative documents) plus the breadcrumbs, as JSON-LD.
fn document_graph(
    origin: &str,
    d: &DocumentView,
    name: &str,
    trail: &[Link],
) -> crate::render::SafeHtml {
    let force = match d.status {
        "in_force" | "amended" => "https://schema.org/InForce",
        _ => "https://schema.org/NotInForce",
    };
    let mut doc = serde_json::json!({
        "@type": "Legislation",
        "@id": format!("{origin}{}", d.url),
        "url": format!("{origin}{}", d.url),
        "name": name,
        "legislationIdentifier": d.number,
        "legislationType": d.doc_type,
        "legislationDate": d.issued_iso,
        "legislationLegalForce": force,
        "legislationPassedBy": { "@type": "GovernmentOrganization", "name": d.issuer },
        "abstract": d.abstract_text,
        "inLanguage": "vi",
    });
    if let Some(e) = &d.effective_iso {
        doc["legislationDateVersion"] = serde_json::Value::String(e.clone());
    }
    crate::web::seo::script_json(&serde_json::json!({
        "@context": "https://schema.org",
        "@graph": [doc, crate::web::seo::breadcrumbs(origin, trail)],
    }))
}

/// `GET /documents/{slug}`: one document and the public entries citing it.
pub async fn show(
    state: web::Data<AppState>,
    req: HttpRequest,
    slug: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let now = state.now();
    let slug = slug.into_inner();
    let shared = state.clone();
    let (base, doc, citing) = db::run(&state, move |conn| {
        let doc = documents::find_by_slug(conn, &slug)?.ok_or(AppError::NotFound)?;
        let citing = entries::citing_public(conn, &doc.number, now)?;
        let size = match &doc.file_path {
            Some(path) => crate::storage::media::attachment_by_path(conn, path)?
                .map(|a| u64::try_from(a.size_bytes).unwrap_or(0)),
            None => None,
        };
        Ok((
            pages::shared_base(conn, &shared.cache)?,
            (doc, size),
            citing,
        ))
    })
    .await?;
    let (doc, size) = doc;
    let issued = doc.issued_on;
    let mut view = DocumentView::new(doc);
    view.file_size = size;
    let theme = &state.theme;
    // The document's name as it is cited: "Kế hoạch số 171/KH-SVHTT ngày
    // 29/3/2022" (in Vietnamese, day and month without leading zeros, as
    // documents write it: the catalogue's `format_document_date`).
    let issued =
        crate::render::dates::format(&issued.to_string(), &theme.message("format_document_date"))
            .map_err(AppError::internal)?;
    let heading = format!(
        "{} {} {} {} {}",
        view.doc_type,
        theme.message("document_number_word"),
        view.number,
        theme.message("document_date_word"),
        issued
    );
    let mut common = Common::new(&state, &req, base);
    let trail = [
        Link {
            name: theme.message("home"),
            url: "/".into(),
        },
        Link {
            name: theme.message("documents_title"),
            url: "/documents".into(),
        },
        Link {
            name: format!("{} {}", view.doc_type, view.number),
            url: view.url.clone(),
        },
    ];
    common.json_ld = Some(document_graph(&common.origin, &view, &heading, &trail));
    common.meta_title = Cow::Borrowed(&heading);
    common.meta_description = Cow::Borrowed(&view.abstract_text);
    let page = DocumentPage {
        common,
        heading: &heading,
        document: &view,
        citing: CardView::list(citing, state.config.tz()),
    };
    Ok(html(
        &state,
        theme.render_view("documents/show.html", &page)?,
    ))
}
