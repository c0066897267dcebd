//! The API's resources: what each `/api/v1/…` answer holds, and the
//! handlers that read it (the same public reads as the pages).

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use chrono::{NaiveDate, NaiveDateTime, TimeZone};
use serde::Serialize;

use super::{Params, Problem, json, listed, rfc3339};
use crate::domain::document::DocStatus;
use crate::domain::entry::EntryKind;
use crate::domain::search::{self as words, Query};
use crate::service::entries::document_url;
use crate::storage::cards::EntryCard;
use crate::storage::documents::{self, DocFilter, Document};
use crate::storage::entries::{self, Entry, Filter};
use crate::storage::pages::Node;
use crate::storage::search::{self as index, SearchFilter};
use crate::storage::{self, tags};
use crate::web::AppState;
use crate::web::db;
use crate::web::languages::localized;
use crate::web::pages::{self as common_pages, Base};
use crate::web::public::pages as public_pages;

/// A category or a tag, as an entry names it.
#[derive(Serialize)]
struct Named {
    slug: String,
    name: String,
    url: String,
}

#[derive(Serialize)]
struct Image {
    url: String,
    alt: String,
    caption: Option<String>,
    width: Option<i32>,
    height: Option<i32>,
}

/// An entry in a list.
#[derive(Serialize)]
struct EntryItem {
    id: i32,
    kind: EntryKind,
    slug: String,
    url: String,
    title: String,
    summary: String,
    byline: String,
    published_at: Option<String>,
    category: Option<Named>,
    image: Option<Image>,
}

impl EntryItem {
    fn new(origin: &str, c: EntryCard) -> Self {
        let kind = c.kind();
        Self {
            id: c.id,
            kind,
            url: format!("{origin}{}", kind.entry_path(&c.slug)),
            published_at: c.publish_at.map(rfc3339),
            category: c
                .category_slug
                .zip(c.category_name)
                .map(|(slug, name)| Named {
                    url: format!("{origin}{}", crate::web::views::category_url(&slug)),
                    slug,
                    name,
                }),
            image: c.image_path.map(|p| Image {
                url: format!("{origin}/uploads/{p}"),
                alt: c.image_alt,
                caption: None,
                width: c.image_width,
                height: c.image_height,
            }),
            slug: c.slug,
            title: c.title,
            summary: c.summary,
            byline: c.byline,
        }
    }

    fn list(origin: &str, cards: Vec<EntryCard>) -> Vec<Self> {
        cards.into_iter().map(|c| Self::new(origin, c)).collect()
    }
}

/// A version of an entry or a page in another language.
#[derive(Serialize)]
struct Version {
    lang: String,
    url: String,
    title: String,
}

#[derive(Serialize)]
struct Attachment {
    url: String,
    title: String,
    mime: String,
    size: i32,
}

#[derive(Serialize)]
struct Citation {
    number: String,
    url: String,
}

#[derive(Serialize)]
struct Bulletin {
    series: Option<String>,
    number: Option<i32>,
    year: Option<i32>,
    /// The entries it gathers, in its order.
    items: Vec<EntryItem>,
}

/// One entry, whole.
#[derive(Serialize)]
struct EntryFull {
    #[serde(flatten)]
    item: EntryItem,
    updated_at: String,
    /// The body as the page shows it (rendered and cleaned at save).
    body_html: String,
    print_url: String,
    tags: Vec<Named>,
    attachments: Vec<Attachment>,
    /// The registry's documents the entry cites.
    documents: Vec<Citation>,
    bulletin: Option<Bulletin>,
    /// A leaflet's layout: `a4`, `a4-duplex` or `trifold`.
    leaflet_format: Option<String>,
    comments_open: bool,
    translations: Vec<Version>,
}

/// A public page in a list.
#[derive(Serialize)]
struct PageItem {
    path: String,
    url: String,
    title: String,
    summary: String,
    parent: Option<String>,
    position: i32,
    updated_at: String,
}

#[derive(Serialize)]
struct Contact {
    name: String,
    position: String,
    phone: String,
    email: String,
}

/// One page, whole.
#[derive(Serialize)]
struct PageFull {
    #[serde(flatten)]
    item: PageItem,
    body_html: String,
    contacts: Vec<Contact>,
    children: Vec<PageItem>,
    translations: Vec<Version>,
}

#[derive(Serialize)]
struct CategoryItem {
    slug: String,
    name: String,
    description: String,
    url: String,
    feed_url: String,
    /// Public entries in it.
    entries: i64,
}

#[derive(Serialize)]
struct TagItem {
    slug: String,
    name: String,
    url: String,
    entries: i64,
}

#[derive(Serialize)]
struct DocumentItem {
    slug: String,
    url: String,
    #[serde(rename = "type")]
    doc_type: String,
    number: String,
    issuer: String,
    issued_on: String,
    effective_on: Option<String>,
    status: &'static str,
    #[serde(rename = "abstract")]
    abstract_text: String,
    file_url: Option<String>,
}

impl DocumentItem {
    fn new(origin: &str, d: Document) -> Self {
        Self {
            url: format!("{origin}{}", document_url(&d.slug)),
            issued_on: d.issued_on.to_string(),
            effective_on: d.effective_on.map(|e| e.to_string()),
            status: d.status.as_str(),
            file_url: d.file_path.map(|p| format!("{origin}/uploads/{p}")),
            slug: d.slug,
            doc_type: d.doc_type,
            number: d.number,
            issuer: d.issuer,
            abstract_text: d.abstract_text,
        }
    }
}

#[derive(Serialize)]
struct DocumentFull {
    #[serde(flatten)]
    item: DocumentItem,
    /// The public entries that cite its number, newest first.
    cited_by: Vec<EntryItem>,
}

/// A search hit: the entry, and text around the first match.
#[derive(Serialize)]
struct Hit {
    #[serde(flatten)]
    item: EntryItem,
    snippet: String,
}

/// What a search adds to a list.
#[derive(Serialize)]
struct SearchExtra {
    /// More entries match than are ranked (`total`).
    more: bool,
    /// The department's pages that answer (first page, unfiltered).
    site_pages: Vec<PageLink>,
}

#[derive(Serialize)]
struct PageLink {
    url: String,
    title: String,
    summary: String,
}

/// `GET /api/v1/`: what there is.
pub async fn index(state: web::Data<AppState>, req: HttpRequest) -> Result<HttpResponse, Problem> {
    Params::of(&req, &[])?;
    let origin = common_pages::origin(&state, &req);
    let at = |p: &str| format!("{origin}/api/v1/{p}");
    json(
        &state,
        &serde_json::json!({
            "openapi": format!("{origin}/api/openapi.json"),
            "entries": at("entries"),
            "search": at("search"),
            "pages": at("pages"),
            "categories": at("categories"),
            "tags": at("tags"),
            "documents": at("documents"),
            "questions": at("questions"),
        }),
    )
}

/// `from` and `to`: a day (`2022-03-29`, in the site's zone; `to` takes
/// the whole day) or a moment (RFC 3339), as UTC.
fn moment(
    params: &Params,
    name: &str,
    end_of_day: bool,
    tz: chrono_tz::Tz,
) -> Result<Option<NaiveDateTime>, Problem> {
    let Some(raw) = params.get(name) else {
        return Ok(None);
    };
    if let Ok(t) = chrono::DateTime::parse_from_rfc3339(raw) {
        return Ok(Some(t.naive_utc()));
    }
    let day = NaiveDate::parse_from_str(raw, "%Y-%m-%d")
        .map_err(|_| Problem::bad(name, "api_not_a_date"))?;
    let day = if end_of_day {
        day.succ_opt()
    } else {
        Some(day)
    }
    .and_then(|d| d.and_hms_opt(0, 0, 0))
    .and_then(|d| tz.from_local_datetime(&d).earliest())
    .ok_or_else(|| Problem::bad(name, "api_not_a_date"))?;
    let utc = day.naive_utc();
    Ok(Some(if end_of_day {
        utc - chrono::Duration::seconds(1)
    } else {
        utc
    }))
}

fn kind_param(params: &Params) -> Result<Option<EntryKind>, Problem> {
    params.parse("kind", "api_unknown_kind")
}

/// `GET /api/v1/entries`: public entries, newest first, filtered by kind,
/// category, tag, date range and words (`q`: then best first).
pub async fn entries(
    state: web::Data<AppState>,
    req: HttpRequest,
) -> Result<HttpResponse, Problem> {
    let params = Params::of(
        &req,
        &[
            "kind", "category", "tag", "from", "to", "q", "page", "per_page",
        ],
    )?;
    let paging = params.paging()?;
    let kind = kind_param(&params)?;
    let tz = state.config.tz();
    let since = moment(&params, "from", false, tz)?;
    let to = moment(&params, "to", true, tz)?;
    if let (Some(since), Some(to)) = (since, to)
        && since > to
    {
        return Err(Problem::bad("from", "api_range_reversed"));
    }
    let now = state.now();
    let until = to.map_or(now, |t| t.min(now));
    let category = params.get("category").map(str::to_owned);
    let tag = params.get("tag").map(str::to_owned);
    let query = params.get("q").map(Query::parse);
    let shared = state.clone();
    let found = db::run(&state, move |conn| {
        let base = common_pages::shared_base(conn, &shared.cache)?;
        let category_id = match category_id(&base, category.as_deref()) {
            Ok(id) => id,
            Err(problem) => return Ok(Err(problem)),
        };
        let tag_id = match &tag {
            Some(slug) => match tags::find_by_slug(conn, slug)? {
                Some(t) => Some(t.id),
                None => return Ok(Err(Problem::missing("tag", "api_unknown_tag"))),
            },
            None => None,
        };
        Ok(Ok(match &query {
            Some(q) if q.is_empty() => (Vec::new(), 0),
            Some(q) => {
                let filter = SearchFilter {
                    kind,
                    category_id,
                    tag_id,
                    since,
                };
                let (hits, total) =
                    index::search(conn, q, filter, until, paging.offset(), paging.limit())?;
                (
                    hits.into_iter().map(|h| h.card).collect(),
                    total.min(index::RANKED),
                )
            }
            None => {
                let filter = Filter {
                    kind,
                    category_id,
                    tag_id,
                    featured: false,
                };
                entries::list_public_between(
                    conn,
                    filter,
                    since,
                    until,
                    paging.offset(),
                    paging.limit(),
                )?
            }
        }))
    })
    .await?;
    let (cards, total) = found?;
    let origin = common_pages::origin(&state, &req);
    listed::<_, ()>(
        &state,
        &req,
        &params,
        paging,
        total,
        EntryItem::list(&origin, cards),
        None,
    )
}

/// The id of the category `slug` names, if one is asked for.
fn category_id(base: &Base, slug: Option<&str>) -> Result<Option<i32>, Problem> {
    slug.map(|slug| {
        base.sections
            .iter()
            .find(|c| c.slug == slug)
            .map(|c| c.id)
            .ok_or_else(|| Problem::missing("category", "api_unknown_category"))
    })
    .transpose()
}

/// `GET /api/v1/entries/{slug}`: one public entry, whole.
pub async fn entry(
    state: web::Data<AppState>,
    req: HttpRequest,
    slug: web::Path<String>,
) -> Result<HttpResponse, Problem> {
    Params::of(&req, &[])?;
    let now = state.now();
    let slug = slug.into_inner();
    let shared = state.clone();
    let (base, entry, tags, attachments, cited, items) = db::run(&state, move |conn| {
        let entry = entries::find_by_slug(conn, &slug)?
            .filter(|e| crate::domain::entry::is_public(e.status, e.publish_at, now))
            .ok_or(crate::error::AppError::NotFound)?;
        let base = common_pages::shared_base(conn, &shared.cache)?;
        let tags = tags::for_entry(conn, entry.id)?;
        let attachments = storage::media::attachments_of(conn, entry.id)?;
        let cited = documents::cited_by(conn, entry.id)?;
        let items = if entry.kind == EntryKind::Bulletin {
            entries::bulletin_items_public(conn, entry.id, now)?
        } else {
            Vec::new()
        };
        Ok((base, entry, tags, attachments, cited, items))
    })
    .await?;
    let origin = common_pages::origin(&state, &req);
    let mut cited: Vec<Citation> = cited
        .into_iter()
        .map(|(number, slug)| Citation {
            number,
            url: format!("{origin}{}", document_url(&slug)),
        })
        .collect();
    cited.sort_by(|a, b| a.number.cmp(&b.number));
    let path = entry.kind.entry_path(&entry.slug);
    let translations = entry_versions(&base, &origin, entry.id, &path);
    let full = full_entry(
        &origin,
        entry,
        &base,
        translations,
        tags,
        attachments,
        cited,
        items,
    );
    json(&state, &full)
}

fn entry_versions(base: &Base, origin: &str, id: i32, path: &str) -> Vec<Version> {
    crate::domain::translation::LANGUAGES
        .iter()
        .filter_map(|lang| {
            base.translations.entry(id, lang).map(|t| Version {
                lang: (*lang).to_owned(),
                url: format!("{origin}{}", localized(lang, path)),
                title: t.title.clone(),
            })
        })
        .collect()
}

#[allow(clippy::too_many_arguments)]
fn full_entry(
    origin: &str,
    e: Entry,
    base: &Base,
    translations: Vec<Version>,
    tags: Vec<crate::storage::tags::Tag>,
    attachments: Vec<crate::storage::media::Attachment>,
    documents: Vec<Citation>,
    items: Vec<EntryCard>,
) -> EntryFull {
    let path = e.kind.entry_path(&e.slug);
    let category = e.category_id.and_then(|id| base.category(id));
    let item = EntryItem {
        id: e.id,
        kind: e.kind,
        url: format!("{origin}{path}"),
        published_at: e.publish_at.map(rfc3339),
        category: category.map(|c| Named {
            url: format!("{origin}{}", crate::web::views::category_url(&c.slug)),
            slug: c.slug,
            name: c.name,
        }),
        image: e.image_path.clone().map(|p| Image {
            url: format!("{origin}/uploads/{p}"),
            alt: e.image_alt.clone(),
            caption: Some(e.image_caption.clone()),
            width: e.image_width,
            height: e.image_height,
        }),
        slug: e.slug.clone(),
        title: e.title.clone(),
        summary: e.summary.clone(),
        byline: e.byline.clone(),
    };
    EntryFull {
        item,
        updated_at: rfc3339(e.updated_at),
        print_url: format!("{origin}{path}/print"),
        tags: tags
            .into_iter()
            .map(|t| Named {
                url: format!("{origin}{}", crate::web::views::tag_url(&t.slug)),
                slug: t.slug,
                name: t.name,
            })
            .collect(),
        attachments: attachments
            .into_iter()
            .map(|a| Attachment {
                url: format!("{origin}/uploads/{}", a.path),
                title: a.title,
                mime: a.mime,
                size: a.size_bytes,
            })
            .collect(),
        documents,
        bulletin: (e.kind == EntryKind::Bulletin).then(|| Bulletin {
            series: e.bulletin_series.clone(),
            number: e.bulletin_number,
            year: e.bulletin_year,
            items: EntryItem::list(origin, items),
        }),
        leaflet_format: e.leaflet_format.clone(),
        comments_open: e.comments_open,
        translations,
        body_html: e.body_html,
    }
}

/// `GET /api/v1/search?q=…`: entries best first with a snippet, and on
/// the first page of an unfiltered search the department's pages that
/// answer.
pub async fn search(state: web::Data<AppState>, req: HttpRequest) -> Result<HttpResponse, Problem> {
    let params = Params::of(&req, &["q", "kind", "category", "page", "per_page"])?;
    let paging = params.paging()?;
    let kind = kind_param(&params)?;
    if !params.given("q") {
        return Err(Problem::bad("q", "api_q_required"));
    }
    let q = params.get("q").unwrap_or_default().to_owned();
    let query = Query::parse(&q);
    let category = params.get("category").map(str::to_owned);
    let now = state.now();
    let shared = state.clone();
    let searched = query.clone();
    let found = db::run(&state, move |conn| {
        let base = common_pages::shared_base(conn, &shared.cache)?;
        let category_id = match category_id(&base, category.as_deref()) {
            Ok(id) => id,
            Err(problem) => return Ok(Err(problem)),
        };
        let (hits, total) = if searched.is_empty() {
            (Vec::new(), 0)
        } else {
            let filter = SearchFilter {
                kind,
                category_id,
                ..SearchFilter::default()
            };
            index::search(
                conn,
                &searched,
                filter,
                now,
                paging.offset(),
                paging.limit(),
            )?
        };
        Ok(Ok((base, hits, total)))
    })
    .await?;
    let (base, hits, total) = found?;
    let origin = common_pages::origin(&state, &req);
    let site_pages = if paging.page == 1 && kind.is_none() && params.get("category").is_none() {
        base.pages_answering(&q)
            .into_iter()
            .map(|p| PageLink {
                url: format!("{origin}{}", p.url),
                title: p.title,
                summary: p.summary,
            })
            .collect()
    } else {
        Vec::new()
    };
    let items: Vec<Hit> = hits
        .into_iter()
        .map(|h| {
            let text = format!(
                "{}\n\n{}",
                h.card.summary,
                crate::service::index::searchable_body(&h.image_caption, "", &h.body_md)
            );
            let snippet = words::snippet(&text, &query, 220)
                .into_iter()
                .map(|p| p.text)
                .collect::<String>();
            Hit {
                item: EntryItem::new(&origin, h.card),
                snippet,
            }
        })
        .collect();
    let extra = SearchExtra {
        more: total > index::RANKED,
        site_pages,
    };
    listed(
        &state,
        &req,
        &params,
        paging,
        total.min(index::RANKED),
        items,
        Some(extra),
    )
}

fn page_item(origin: &str, n: &Node, parent: Option<&str>) -> PageItem {
    PageItem {
        url: format!("{origin}{}", public_pages::url(&n.path)),
        path: n.path.clone(),
        title: n.title.clone(),
        summary: n.summary.clone(),
        parent: parent.map(str::to_owned),
        position: n.position,
        updated_at: rfc3339(n.updated_at),
    }
}

/// The public pages in tree order, each with its parent's path.
fn public_tree(nodes: &[Node]) -> Vec<(&Node, Option<&str>)> {
    let public: Vec<&Node> = public_pages::public_nodes(nodes).collect();
    public
        .iter()
        .map(|n| {
            let parent = n
                .parent_id
                .and_then(|p| public.iter().find(|o| o.id == p))
                .map(|p| p.path.as_str());
            (*n, parent)
        })
        .collect()
}

/// `GET /api/v1/pages`: every public page, in tree order.
pub async fn pages(state: web::Data<AppState>, req: HttpRequest) -> Result<HttpResponse, Problem> {
    let params = Params::of(&req, &["page", "per_page"])?;
    let paging = params.paging()?;
    let nodes = db::run(&state, |conn| Ok(storage::pages::all(conn)?)).await?;
    let origin = common_pages::origin(&state, &req);
    let tree = public_tree(&nodes);
    let total = tree.len() as i64;
    let items = tree
        .into_iter()
        .skip(paging.offset() as usize)
        .take(paging.per_page as usize)
        .map(|(n, parent)| page_item(&origin, n, parent))
        .collect();
    listed::<_, ()>(&state, &req, &params, paging, total, items, None)
}

/// `GET /api/v1/pages/{path}`: one public page, whole.
pub async fn page(
    state: web::Data<AppState>,
    req: HttpRequest,
    path: web::Path<String>,
) -> Result<HttpResponse, Problem> {
    Params::of(&req, &[])?;
    let path = path.into_inner().trim_end_matches('/').to_owned();
    let shared = state.clone();
    let (base, nodes, page) = db::run(&state, move |conn| {
        let nodes = storage::pages::all(conn)?;
        let id = public_pages::public_nodes(&nodes)
            .find(|n| n.path == path)
            .map(|n| n.id)
            .ok_or(crate::error::AppError::NotFound)?;
        let page = storage::pages::find(conn, id)?;
        Ok((common_pages::shared_base(conn, &shared.cache)?, nodes, page))
    })
    .await?;
    let origin = common_pages::origin(&state, &req);
    let tree = public_tree(&nodes);
    let (node, parent) = tree
        .iter()
        .find(|(n, _)| n.id == page.id)
        .copied()
        .ok_or(Problem::new(StatusCode::NOT_FOUND, "api_not_found"))?;
    let children = tree
        .iter()
        .filter(|(n, _)| n.parent_id == Some(page.id))
        .map(|(n, p)| page_item(&origin, n, *p))
        .collect();
    let site_path = public_pages::url(&page.path);
    let translations = crate::domain::translation::LANGUAGES
        .iter()
        .filter_map(|lang| {
            base.translations.page(page.id, lang).map(|t| Version {
                lang: (*lang).to_owned(),
                url: format!("{origin}{}", localized(lang, &site_path)),
                title: t.title.clone(),
            })
        })
        .collect();
    let contacts = crate::service::pages::contacts_of(&page)
        .into_iter()
        .map(|c| Contact {
            name: c.name,
            position: c.position,
            phone: c.phone,
            email: c.email,
        })
        .collect();
    let full = PageFull {
        item: page_item(&origin, node, parent),
        body_html: page.body_html,
        contacts,
        children,
        translations,
    };
    json(&state, &full)
}

/// `GET /api/v1/categories`: the sections, in navigation order.
pub async fn categories(
    state: web::Data<AppState>,
    req: HttpRequest,
) -> Result<HttpResponse, Problem> {
    Params::of(&req, &[])?;
    let now = state.now();
    let shared = state.clone();
    let (base, counts) = db::run(&state, move |conn| {
        Ok((
            common_pages::shared_base(conn, &shared.cache)?,
            entries::public_per_category(conn, now)?,
        ))
    })
    .await?;
    let origin = common_pages::origin(&state, &req);
    let items: Vec<CategoryItem> = base
        .sections
        .iter()
        .map(|c| {
            let url = crate::web::views::category_url(&c.slug);
            CategoryItem {
                slug: c.slug.clone(),
                name: c.name.clone(),
                description: c.description.clone(),
                feed_url: format!("{origin}{url}/feed.xml"),
                url: format!("{origin}{url}"),
                entries: counts
                    .iter()
                    .find(|(id, _)| *id == c.id)
                    .map_or(0, |(_, n)| *n),
            }
        })
        .collect();
    json(&state, &serde_json::json!({ "items": items }))
}

/// `GET /api/v1/tags`: the tags of public entries, by name.
pub async fn tags(state: web::Data<AppState>, req: HttpRequest) -> Result<HttpResponse, Problem> {
    Params::of(&req, &[])?;
    let now = state.now();
    let found = db::run(&state, move |conn| Ok(tags::public_with_counts(conn, now)?)).await?;
    let origin = common_pages::origin(&state, &req);
    let items: Vec<TagItem> = found
        .into_iter()
        .map(|t| TagItem {
            url: format!("{origin}{}", crate::web::views::tag_url(&t.slug)),
            slug: t.slug,
            name: t.name,
            entries: t.uses,
        })
        .collect();
    json(&state, &serde_json::json!({ "items": items }))
}

/// `GET /api/v1/documents`: the registry, newest first, with its filters
/// (`q`, `type`, `issuer`, `year`, `status`).
pub async fn documents(
    state: web::Data<AppState>,
    req: HttpRequest,
) -> Result<HttpResponse, Problem> {
    let params = Params::of(
        &req,
        &["q", "type", "issuer", "year", "status", "page", "per_page"],
    )?;
    let paging = params.paging()?;
    let year: Option<i32> = params.parse("year", "api_not_a_year")?;
    if year.is_some_and(|y| !(1900..=2200).contains(&y)) {
        return Err(Problem::bad("year", "api_not_a_year"));
    }
    let status: Option<DocStatus> = params.parse("status", "api_unknown_status")?;
    let parsed = params.get("q").map(Query::parse).filter(|q| !q.is_empty());
    let filter = DocFilter {
        query: parsed,
        doc_type: params.get("type").map(str::to_owned),
        issuer: params.get("issuer").map(str::to_owned),
        year,
        status,
    };
    let (rows, total) = db::run(&state, move |conn| {
        Ok(documents::search(
            conn,
            &filter,
            paging.offset(),
            paging.limit(),
        )?)
    })
    .await?;
    let origin = common_pages::origin(&state, &req);
    let items = rows
        .into_iter()
        .map(|d| DocumentItem::new(&origin, d))
        .collect();
    listed::<_, ()>(&state, &req, &params, paging, total, items, None)
}

/// `GET /api/v1/documents/{slug}`: one record and the entries citing it.
pub async fn document(
    state: web::Data<AppState>,
    req: HttpRequest,
    slug: web::Path<String>,
) -> Result<HttpResponse, Problem> {
    Params::of(&req, &[])?;
    let now = state.now();
    let slug = slug.into_inner();
    let (doc, citing) = db::run(&state, move |conn| {
        let doc = documents::find_by_slug(conn, &slug)?.ok_or(crate::error::AppError::NotFound)?;
        let citing = entries::citing_public(conn, &doc.number, now)?;
        Ok((doc, citing))
    })
    .await?;
    let origin = common_pages::origin(&state, &req);
    json(
        &state,
        &DocumentFull {
            item: DocumentItem::new(&origin, doc),
            cited_by: EntryItem::list(&origin, citing),
        },
    )
}

/// A published question with its answer: no personal data (the question
/// with personal numbers masked, no name, email or phone).
#[derive(Serialize)]
struct QuestionItem {
    id: i32,
    url: String,
    topic: String,
    question: String,
    answer_html: String,
    asked_at: String,
    answered_at: Option<String>,
}

impl QuestionItem {
    fn new(origin: &str, q: crate::storage::questions::Question) -> Self {
        Self {
            url: format!("{origin}{}", crate::web::public::questions::url(q.id)),
            id: q.id,
            topic: q.topic,
            question: q.question_public,
            answer_html: q.answer_html,
            asked_at: rfc3339(q.created_at),
            answered_at: q.published_at.map(rfc3339),
        }
    }
}

/// `GET /api/v1/questions`: published questions and answers, newest
/// answer first, by `topic` and words (`q`).
pub async fn questions(
    state: web::Data<AppState>,
    req: HttpRequest,
) -> Result<HttpResponse, Problem> {
    let params = Params::of(&req, &["topic", "q", "page", "per_page"])?;
    let paging = params.paging()?;
    let topic = params.get("topic").map(str::to_owned);
    let words = params
        .get("q")
        .map(|q| words::tokens(&crate::domain::slug::fold(q)))
        .unwrap_or_default();
    let (rows, total) = db::run(&state, move |conn| {
        Ok(crate::storage::questions::published(
            conn,
            topic.as_deref(),
            &words,
            paging.offset(),
            paging.limit(),
        )?)
    })
    .await?;
    let origin = common_pages::origin(&state, &req);
    let items = rows
        .into_iter()
        .map(|q| QuestionItem::new(&origin, q))
        .collect();
    listed::<_, ()>(&state, &req, &params, paging, total, items, None)
}

/// `GET /api/v1/questions/{id}`: one published question.
pub async fn question(
    state: web::Data<AppState>,
    req: HttpRequest,
    id: web::Path<String>,
) -> Result<HttpResponse, Problem> {
    Params::of(&req, &[])?;
    let id: i32 = id
        .parse()
        .map_err(|_| Problem::new(StatusCode::NOT_FOUND, "api_not_found"))?;
    let q = db::run(&state, move |conn| {
        crate::storage::questions::find(conn, id)?
            .filter(|q| q.status() == crate::domain::question::QuestionStatus::Published)
            .ok_or(crate::error::AppError::NotFound)
    })
    .await?;
    let origin = common_pages::origin(&state, &req);
    json(&state, &QuestionItem::new(&origin, q))
}
