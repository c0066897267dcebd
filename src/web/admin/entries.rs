//! Entries: the filtered list, the editor (every field of every kind), the
//! workflow's moves per role, preview, revisions with diffs and restore.

use std::collections::{BTreeMap, HashMap};

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use chrono::{NaiveDateTime, TimeZone};
use serde::Serialize;

use super::{Fields, change, context, field, page, see_other};
use crate::domain::entry::{EntryKind, LeafletFormat, Status, effective_status};
use crate::domain::slug;
use crate::domain::user::{may_edit, may_move};
use crate::error::AppError;
use crate::render::SafeHtml;
use crate::render::dates::{ShownTime, show};
use crate::render::markdown;
use crate::storage::entries::{self, AdminFilter, Entry, EntryData, Saver, Snapshot};
use crate::storage::{categories, revisions, tags, users};
use crate::web::session::Staff;
use crate::web::views::Pagination;
use crate::web::{AppState, db, pages};

const PER_PAGE: u32 = 25;

#[derive(Serialize)]
struct Row {
    #[serde(flatten)]
    row: entries::AdminRow,
    status_now: Status,
    updated: ShownTime,
    published: Option<ShownTime>,
    editable: bool,
}

/// `/admin/entries?kind=&status=&category=&author=&q=&page=`
pub async fn list(
    state: web::Data<AppState>,
    req: HttpRequest,
    staff: Staff,
) -> Result<HttpResponse, AppError> {
    staff.require(staff.role().writes())?;
    let q = crate::web::public::query(&req)?;
    let page_no = crate::web::public::page_param(&req)?;
    let filter = AdminFilter {
        kind: q.get("kind").and_then(|k| k.parse().ok()),
        status: q.get("status").and_then(|s| s.parse().ok()),
        category_id: q.get("category").and_then(|c| c.parse().ok()),
        // Authors see their own entries only.
        author_id: if staff.role().edits_all() {
            q.get("author").and_then(|a| a.parse().ok())
        } else {
            Some(staff.user.id)
        },
        text: q.get("q").cloned(),
    };
    let f = filter.clone();
    let (base, (rows, total), cats, people) = db::run(&state, move |conn| {
        let offset = i64::from(page_no - 1) * i64::from(PER_PAGE);
        Ok((
            pages::load_base(conn)?,
            entries::admin_list(conn, &f, offset, i64::from(PER_PAGE))?,
            categories::all(conn)?,
            users::all(conn)?,
        ))
    })
    .await?;
    let tz = state.config.tz();
    let now = state.now();
    let rows: Vec<Row> = rows
        .into_iter()
        .map(|row| Row {
            status_now: effective_status(row.status, row.publish_at, now),
            updated: show(row.updated_at, tz),
            published: row.publish_at.map(|t| show(t, tz)),
            editable: may_edit(
                staff.role(),
                row.author_id == Some(staff.user.id),
                row.status,
            ),
            row,
        })
        .collect();
    // Page links keep the filters.
    let mut link = String::from("/admin/entries?");
    for (k, v) in &q {
        if k != "page" && !v.is_empty() {
            link.push_str(&format!(
                "{}={}&",
                k,
                url::form_urlencoded::byte_serialize(v.as_bytes()).collect::<String>()
            ));
        }
    }
    let link = link.trim_end_matches(['&', '?']).to_owned();
    let pagination = if link.contains('?') {
        Pagination::with_query(&link, page_no, PER_PAGE, total)
    } else {
        Pagination::new(&link, page_no, PER_PAGE, total)
    };
    let mut ctx = context(&state, &req, base, &staff);
    ctx.insert("rows", &rows);
    ctx.insert("total", &total);
    ctx.insert("pagination", &pagination);
    ctx.insert("filter", &q);
    ctx.insert("categories_all", &cats);
    ctx.insert("people", &people);
    ctx.insert("statuses", &Status::ALL);
    ctx.insert("kinds_all", &EntryKind::ALL);
    page(&state, "admin/entries/list.html", &ctx, StatusCode::OK)
}

/// What the editor shows and sends back: every field as typed.
#[derive(Debug, Clone, Default, Serialize)]
struct Values {
    kind: String,
    title: String,
    slug: String,
    summary: String,
    body_md: String,
    byline: String,
    category_id: String,
    tags: String,
    comments_open: bool,
    featured: bool,
    publish_at: String,
    /// The featured image's library path (`2026/11/ab….jpg`), or empty.
    image_media: String,
    image_alt: String,
    image_caption: String,
    bulletin_series: String,
    bulletin_number: String,
    bulletin_year: String,
    bulletin_entries: String,
    leaflet_format: String,
    version: String,
}

impl Values {
    fn from_form(f: &HashMap<String, String>) -> Self {
        let s = |n: &str| field(f, n).to_owned();
        Values {
            kind: s("kind"),
            title: s("title"),
            slug: s("slug"),
            summary: s("summary"),
            body_md: s("body_md").replace("\r\n", "\n"),
            byline: s("byline"),
            category_id: s("category_id"),
            tags: s("tags"),
            comments_open: f.contains_key("comments_open"),
            featured: f.contains_key("featured"),
            publish_at: s("publish_at"),
            image_media: s("image_media"),
            image_alt: s("image_alt"),
            image_caption: s("image_caption"),
            bulletin_series: s("bulletin_series"),
            bulletin_number: s("bulletin_number"),
            bulletin_year: s("bulletin_year"),
            bulletin_entries: with_chosen(&s("bulletin_entries").replace("\r\n", "\n"), f),
            leaflet_format: s("leaflet_format"),
            version: s("version"),
        }
    }

    fn from_entry(e: &Entry, tag_names: &[String], items: &[String], tz: chrono_tz::Tz) -> Self {
        Values {
            kind: e.kind.as_str().into(),
            title: e.title.clone(),
            slug: e.slug.clone(),
            summary: e.summary.clone(),
            body_md: e.body_md.clone(),
            byline: e.byline.clone(),
            category_id: e.category_id.map(|c| c.to_string()).unwrap_or_default(),
            tags: tag_names.join(", "),
            comments_open: e.comments_open,
            featured: e.featured,
            publish_at: e
                .publish_at
                .map(|t| {
                    tz.from_utc_datetime(&t)
                        .format("%Y-%m-%dT%H:%M")
                        .to_string()
                })
                .unwrap_or_default(),
            image_media: e.image_path.clone().unwrap_or_default(),
            image_alt: e.image_alt.clone(),
            image_caption: e.image_caption.clone(),
            bulletin_series: e.bulletin_series.clone().unwrap_or_default(),
            bulletin_number: e.bulletin_number.map(|n| n.to_string()).unwrap_or_default(),
            bulletin_year: e.bulletin_year.map(|n| n.to_string()).unwrap_or_default(),
            bulletin_entries: items.join("\n"),
            leaflet_format: e.leaflet_format.clone().unwrap_or_default(),
            version: e.version.to_string(),
        }
    }

    fn tag_list(&self) -> Vec<String> {
        self.tags
            .split([',', ';'])
            .map(|t| t.trim().to_owned())
            .filter(|t| !t.is_empty())
            .collect()
    }

    fn item_slugs(&self) -> Vec<String> {
        self.bulletin_entries
            .lines()
            .map(|l| {
                l.trim()
                    .trim_start_matches('/')
                    .rsplit('/')
                    .next()
                    .unwrap_or("")
                    .to_owned()
            })
            .filter(|l| !l.is_empty())
            .collect()
    }
}

/// The bulletin's list of entries with the published entries ticked in the
/// chooser (`add_item_N` = slug, N its place in the chooser) added at the
/// end, in the chooser's order, each once. The editor then orders the lines.
fn with_chosen(list: &str, f: &HashMap<String, String>) -> String {
    let mut chosen: Vec<(usize, &str)> = f
        .iter()
        .filter_map(|(k, v)| {
            let n = k.strip_prefix("add_item_")?.parse().ok()?;
            Some((n, v.trim()))
        })
        .filter(|(_, slug)| !slug.is_empty())
        .collect();
    chosen.sort();
    let mut lines: Vec<String> = list
        .lines()
        .map(str::to_owned)
        .filter(|l| !l.trim().is_empty())
        .collect();
    for (_, slug) in chosen {
        let listed = lines
            .iter()
            .any(|l| l.trim().trim_start_matches('/').rsplit('/').next() == Some(slug));
        if !listed {
            lines.push(slug.to_owned());
        }
    }
    lines.join("\n")
}

/// A problem with one field: its name and a message key.
type Problem = (&'static str, &'static str);

/// The outcome of checking an editor form: the data to save and the
/// bulletin's item ids, or the problems to show.
type Checked = Result<(EntryData, Vec<i32>), Vec<Problem>>;

/// The workflow move a button asks for.
fn target_status(
    action: &str,
    current: Status,
    publish_at: Option<NaiveDateTime>,
    now: NaiveDateTime,
) -> Result<Status, AppError> {
    Ok(match action {
        "save" | "preview" => current,
        "submit" => Status::InReview,
        "withdraw" | "unpublish" => Status::Draft,
        "publish" => {
            if publish_at.is_some_and(|t| t > now) {
                Status::Scheduled
            } else {
                Status::Published
            }
        }
        "archive" => Status::Archived,
        _ => return Err(AppError::BadRequest("error_400_text")),
    })
}

/// Parses a publish time typed in the site's zone to UTC: as browsers send a
/// `datetime-local` field (`2026-11-27T10:00`), or as a person types it
/// where the browser shows a plain text box: `27/11/2026 10:00` (the
/// Vietnamese order the error message asks for), `27-11-2026 10:00`,
/// `2026-11-27 10:00`, seconds optional.
fn parse_local(s: &str, tz: chrono_tz::Tz) -> Option<NaiveDateTime> {
    const FORMATS: [&str; 8] = [
        "%Y-%m-%dT%H:%M",
        "%Y-%m-%dT%H:%M:%S",
        "%Y-%m-%d %H:%M",
        "%Y-%m-%d %H:%M:%S",
        "%d/%m/%Y %H:%M",
        "%d/%m/%Y %H:%M:%S",
        "%d-%m-%Y %H:%M",
        "%d-%m-%Y %H:%M:%S",
    ];
    let s = s.split_whitespace().collect::<Vec<_>>().join(" ");
    let local = FORMATS
        .iter()
        .find_map(|f| NaiveDateTime::parse_from_str(&s, f).ok())?;
    tz.from_local_datetime(&local)
        .earliest()
        .map(|t| t.naive_utc())
}

/// Checks the values against the rules and the database; builds the data
/// to save. `existing` is the entry being edited (None for a new one).
fn validate(
    conn: &mut diesel::SqliteConnection,
    v: &Values,
    kind: EntryKind,
    existing: Option<&Entry>,
    status: Status,
    tz: chrono_tz::Tz,
    now: NaiveDateTime,
) -> Result<Checked, AppError> {
    let mut problems: Vec<Problem> = Vec::new();
    let title = v.title.trim();
    if title.is_empty() {
        problems.push(("title", "entry_title_required"));
    } else if title.chars().count() > 300 {
        problems.push(("title", "entry_title_too_long"));
    }
    let slug = if v.slug.trim().is_empty() {
        let base = slug::slugify_or(title, kind.as_str());
        slug::unique(&base, |s| {
            entries::slug_taken(conn, s, existing.map(|e| e.id)).unwrap_or(true)
        })
    } else {
        let s = v.slug.trim().to_owned();
        if !slug::is_valid(&s) {
            problems.push(("slug", "entry_slug_invalid"));
        } else if entries::slug_taken(conn, &s, existing.map(|e| e.id))? {
            problems.push(("slug", "entry_slug_taken"));
        }
        s
    };
    if v.summary.chars().count() > 1000 {
        problems.push(("summary", "entry_summary_too_long"));
    }
    let category_id = match v.category_id.trim() {
        "" => None,
        c => match c.parse::<i32>().ok().map(|id| categories::find(conn, id)) {
            Some(Ok(cat)) => Some(cat.id),
            _ => {
                problems.push(("category_id", "entry_category_unknown"));
                None
            }
        },
    };
    let mut publish_at = match v.publish_at.trim() {
        "" => None,
        s => match parse_local(s, tz) {
            Some(t) => Some(t),
            None => {
                problems.push(("publish_at", "entry_date_invalid"));
                None
            }
        },
    };
    if matches!(status, Status::Published | Status::Scheduled) && publish_at.is_none() {
        publish_at = Some(now);
    }
    let (mut series, mut number, mut year, mut items) = (None, None, None, Vec::new());
    if kind == EntryKind::Bulletin {
        if v.bulletin_series.trim().is_empty() {
            problems.push(("bulletin_series", "bulletin_series_required"));
        }
        series = Some(v.bulletin_series.trim().to_owned());
        match v.bulletin_number.trim().parse::<i32>() {
            Ok(n) if n >= 1 => number = Some(n),
            _ => problems.push(("bulletin_number", "bulletin_number_invalid")),
        }
        match v.bulletin_year.trim().parse::<i32>() {
            Ok(y) if (2000..=2100).contains(&y) => year = Some(y),
            _ => problems.push(("bulletin_year", "bulletin_year_invalid")),
        }
        for s in v.item_slugs() {
            match entries::find_by_slug(conn, &s)? {
                Some(e) if Some(e.id) != existing.map(|x| x.id) => items.push(e.id),
                _ => {
                    problems.push(("bulletin_entries", "bulletin_entry_unknown"));
                    break;
                }
            }
        }
    }
    let leaflet_format = if kind == EntryKind::Leaflet {
        match v.leaflet_format.parse::<LeafletFormat>() {
            Ok(f) => Some(f.as_str().to_owned()),
            Err(_) => {
                problems.push(("leaflet_format", "leaflet_format_invalid"));
                None
            }
        }
    } else {
        None
    };
    // The featured image: kept as it was, or one from the library (whose
    // alt text and caption fill the entry's when those are empty).
    let mut image_alt = v.image_alt.trim().to_owned();
    let mut image_caption = v.image_caption.trim().to_owned();
    let chosen = v.image_media.trim();
    let (image_path, image_width, image_height) = match existing {
        _ if chosen.is_empty() => (None, None, None),
        Some(e) if e.image_path.as_deref() == Some(chosen) => {
            (e.image_path.clone(), e.image_width, e.image_height)
        }
        _ => match crate::storage::media::find_by_path(conn, chosen)? {
            Some(m) => {
                if image_alt.is_empty() {
                    image_alt = m.alt.clone();
                }
                if image_caption.is_empty() {
                    image_caption = m.caption.clone();
                }
                (Some(m.path), Some(m.width), Some(m.height))
            }
            None => {
                problems.push(("image_media", "media_unknown"));
                (None, None, None)
            }
        },
    };
    if image_path.is_some() && image_alt.is_empty() {
        problems.push(("image_alt", "media_alt_required"));
    }
    if markdown::library_image_without_alt(&v.body_md) {
        problems.push(("body_md", "media_body_alt_required"));
    }
    if !problems.is_empty() {
        return Ok(Err(problems));
    }
    let data = EntryData {
        kind,
        slug,
        title: title.to_owned(),
        summary: v.summary.trim().to_owned(),
        body_html: crate::media::render_body(conn, &v.body_md)?.into_string(),
        body_md: v.body_md.clone(),
        byline: v.byline.trim().to_owned(),
        category_id,
        image_path,
        image_alt,
        image_caption,
        image_width,
        image_height,
        comments_open: v.comments_open,
        featured: v.featured,
        status,
        publish_at,
        bulletin_series: series,
        bulletin_number: number,
        bulletin_year: year,
        leaflet_format,
    };
    Ok(Ok((data, items)))
}

#[derive(Serialize)]
struct ErrorLine {
    field: &'static str,
    message: String,
}

#[derive(Serialize)]
struct ConflictView {
    by: String,
    at: ShownTime,
    changes: Vec<DiffLine>,
}

#[derive(Serialize, Clone)]
struct DiffLine {
    /// `ins`, `del` or `same`.
    tag: &'static str,
    text: String,
}

/// The parts of an entry a person edits, as lines to compare.
fn snapshot_text(s: &Snapshot) -> String {
    let d = &s.data;
    format!(
        "Tiêu đề: {}\nĐường dẫn: {}\nTrạng thái: {}\nTóm tắt: {}\nTác giả: {}\nTừ khóa: {}\n\n{}\n",
        d.title,
        d.slug,
        d.status.as_str(),
        d.summary,
        d.byline,
        s.tags.join(", "),
        d.body_md
    )
}

fn diff_lines(old: &str, new: &str) -> Vec<DiffLine> {
    similar::TextDiff::from_lines(old, new)
        .iter_all_changes()
        .map(|c| DiffLine {
            tag: match c.tag() {
                similar::ChangeTag::Insert => "ins",
                similar::ChangeTag::Delete => "del",
                similar::ChangeTag::Equal => "same",
            },
            text: c.value().trim_end_matches('\n').to_owned(),
        })
        .collect()
}

/// Everything the editor page needs besides the values.
struct EditorState {
    entry: Option<Entry>,
    kind: EntryKind,
    errors: Vec<Problem>,
    preview: Option<SafeHtml>,
    conflict: Option<ConflictView>,
    saved: bool,
    /// The person may no longer change this entry (its state moved on
    /// while they typed): their text is shown, with no buttons.
    locked: bool,
    /// Why an attachment was refused (a message key).
    attachment_error: Option<&'static str>,
}

async fn editor(
    state: &web::Data<AppState>,
    req: &HttpRequest,
    staff: &Staff,
    values: Values,
    es: EditorState,
    status: StatusCode,
) -> Result<HttpResponse, AppError> {
    let now = state.now();
    let tz = state.config.tz();
    let entry_id = es.entry.as_ref().map(|e| e.id);
    let (base, cats, choices, images, attachments) = db::run(state, move |conn| {
        Ok((
            pages::load_base(conn)?,
            categories::all(conn)?,
            entries::public_choices(conn, now, 200)?,
            super::media::choosable(conn, tz)?,
            match entry_id {
                Some(id) => crate::storage::media::attachments_of(conn, id)?,
                None => Vec::new(),
            },
        ))
    })
    .await?;
    let role = staff.role();
    let own = es
        .entry
        .as_ref()
        .is_none_or(|e| e.author_id == Some(staff.user.id));
    let current = es.entry.as_ref().map_or(Status::Draft, |e| e.status);
    let actions: Vec<&str> = [
        "save",
        "submit",
        "withdraw",
        "publish",
        "unpublish",
        "archive",
    ]
    .into_iter()
    .filter(|a| {
        let to = target_status(a, current, None, now).unwrap_or(current);
        let meaningful = match *a {
            "save" => true,
            "publish" => true,
            other => to != current || other == "submit" && current == Status::Draft,
        };
        meaningful && to_allowed(a, current) && may_move(role, own, current, to)
    })
    .collect();
    let mut ctx = context(state, req, base, staff);
    ctx.insert("values", &values);
    ctx.insert("kind", &es.kind);
    ctx.insert("is_new", &es.entry.is_none());
    if let Some(e) = &es.entry {
        ctx.insert("entry_id", &e.id);
        ctx.insert(
            "entry_status",
            &effective_status(e.status, e.publish_at, now),
        );
        ctx.insert("entry_url", &e.kind.entry_path(&e.slug));
        ctx.insert("entry_updated", &show(e.updated_at, tz));
    }
    let errors: Vec<ErrorLine> = es
        .errors
        .iter()
        .map(|(f, key)| ErrorLine {
            field: f,
            message: state.theme.message(key),
        })
        .collect();
    let field_errors: BTreeMap<&str, String> = errors
        .iter()
        .map(|e| (e.field, e.message.clone()))
        .collect();
    ctx.insert("errors", &errors);
    ctx.insert("field_errors", &field_errors);
    ctx.insert("categories_all", &cats);
    ctx.insert("choices", &choices);
    ctx.insert("actions", &if es.locked { Vec::new() } else { actions });
    ctx.insert("locked", &es.locked);
    ctx.insert("preview", &es.preview);
    ctx.insert("conflict", &es.conflict);
    ctx.insert("saved", &es.saved);
    ctx.insert("formats", &["a4", "a4-duplex", "trifold"]);
    ctx.insert("images", &images);
    let attachments: Vec<crate::web::views::AttachmentView> = attachments
        .iter()
        .map(crate::web::views::AttachmentView::from_row)
        .collect();
    ctx.insert("attachments", &attachments);
    ctx.insert(
        "attachment_error",
        &es.attachment_error.map(|k| state.theme.message(k)),
    );
    page(state, "admin/entries/edit.html", &ctx, status)
}

impl EditorState {
    /// The editor for `entry` (None: a new one of `kind`), nothing to report.
    fn new(kind: EntryKind, entry: Option<Entry>) -> Self {
        Self {
            entry,
            kind,
            errors: vec![],
            preview: None,
            conflict: None,
            saved: false,
            locked: false,
            attachment_error: None,
        }
    }
}

/// Buttons that make sense from `current`.
fn to_allowed(action: &str, current: Status) -> bool {
    use Status::*;
    match action {
        "submit" => current == Draft,
        "withdraw" => current == InReview,
        "unpublish" => matches!(current, Published | Scheduled),
        "archive" => matches!(current, Published | Scheduled),
        _ => true,
    }
}

fn kind_param(req: &HttpRequest) -> EntryKind {
    web::Query::<HashMap<String, String>>::from_query(req.query_string())
        .ok()
        .and_then(|q| q.get("kind").and_then(|k| k.parse().ok()))
        .unwrap_or(EntryKind::Article)
}

/// `GET /admin/entries/new?kind=…`
pub async fn new(
    state: web::Data<AppState>,
    req: HttpRequest,
    staff: Staff,
) -> Result<HttpResponse, AppError> {
    staff.require(staff.role().writes())?;
    let kind = kind_param(&req);
    let values = Values {
        kind: kind.as_str().into(),
        byline: staff.user.shown_name().to_owned(),
        comments_open: kind != EntryKind::Leaflet,
        leaflet_format: "trifold".into(),
        bulletin_year: chrono::Datelike::year(&state.now()).to_string(),
        ..Default::default()
    };
    let es = EditorState::new(kind, None);
    editor(&state, &req, &staff, values, es, StatusCode::OK).await
}

/// `POST /admin/entries/new`
pub async fn create(
    state: web::Data<AppState>,
    req: HttpRequest,
    staff: Option<Staff>,
    form: Fields,
) -> Result<HttpResponse, AppError> {
    let Some(staff) = staff else {
        return expired(&state, &req, &form).await;
    };
    if let Some(res) = check_token(&state, &req, &staff, &form).await {
        return res;
    }
    staff.require(staff.role().writes())?;
    let values = Values::from_form(&form);
    let kind: EntryKind = values
        .kind
        .parse()
        .map_err(|_| AppError::BadRequest("error_400_text"))?;
    let action = field(&form, "action").to_owned();
    let now = state.now();
    let tz = state.config.tz();
    if action == "preview" {
        let es = EditorState {
            preview: Some(markdown::render(&values.body_md)),
            ..EditorState::new(kind, None)
        };
        return editor(&state, &req, &staff, values, es, StatusCode::OK).await;
    }
    let wanted = parse_local(&values.publish_at, tz);
    let status = target_status(&action, Status::Draft, wanted, now)?;
    staff.require(may_move(staff.role(), true, Status::Draft, status))?;
    let v = values.clone();
    let auditor = super::auditor(&state, &req, &staff);
    let author = staff.user.id;
    let outcome = db::run(&state, move |conn| {
        let (data, items) = match validate(conn, &v, kind, None, status, tz, now)? {
            Ok(ok) => ok,
            Err(problems) => return Ok(Err(problems)),
        };
        let id = match entries::create(
            conn,
            &data,
            &v.tag_list(),
            author,
            Saver {
                name: auditor.who(),
                now,
            },
        ) {
            Ok(id) => id,
            Err(e) if is_unique_violation(&e) => {
                return Ok(Err(vec![("bulletin_number", "bulletin_number_taken")]));
            }
            Err(e) => return Err(e.into()),
        };
        if kind == EntryKind::Bulletin {
            entries::set_bulletin_items(conn, id, &items)?;
        }
        auditor.record(conn, "entry.create", &data.slug, status.as_str())?;
        if matches!(status, Status::Published | Status::Scheduled) {
            auditor.record(conn, "entry.publish", &data.slug, status.as_str())?;
        }
        Ok(Ok(id))
    })
    .await?;
    match outcome {
        Ok(id) => Ok(see_other(&format!("/admin/entries/{id}/edit?saved=1"))),
        Err(problems) => {
            let es = EditorState {
                errors: problems,
                ..EditorState::new(kind, None)
            };
            editor(
                &state,
                &req,
                &staff,
                values,
                es,
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
    }
}

/// An editor form sent after the session ended (expired, or signed out
/// elsewhere): nothing is saved (403), but the text comes back to copy,
/// with a link to sign in again in another tab.
async fn expired(
    state: &web::Data<AppState>,
    req: &HttpRequest,
    form: &Fields,
) -> Result<HttpResponse, AppError> {
    if !from_this_site(state, req) {
        return Err(AppError::SessionEnded(crate::web::session::form_page(req)));
    }
    kept(state, req, form, None).await
}

/// Whether the browser says the form was sent from this site's own pages
/// (`Sec-Fetch-Site`, else `Origin`, else `Referer`): only then is the
/// text it carries shown back as the person's own, since a page on
/// another site can send any text to this address.
fn from_this_site(state: &AppState, req: &HttpRequest) -> bool {
    use actix_web::http::header;
    let headers = req.headers();
    let value = |name| headers.get(name).and_then(|v| v.to_str().ok());
    if let Some(site) = value(header::HeaderName::from_static("sec-fetch-site")) {
        return site == "same-origin";
    }
    let origin = pages::origin(state, req);
    if let Some(o) = value(header::ORIGIN) {
        return o == origin;
    }
    value(header::REFERER)
        .and_then(|r| r.strip_prefix(origin.as_str()))
        .is_some_and(|rest| rest.starts_with('/'))
}

/// The text of an editor form that cannot be saved, shown read-only (403)
/// so that nothing typed is lost: after the session ended, or (with
/// `reopen`, the editor's address) when its token is not the session's —
/// a page opened before signing in again. Only for forms sent from this
/// site ([`from_this_site`]), and never as a live form.
async fn kept(
    state: &web::Data<AppState>,
    req: &HttpRequest,
    form: &Fields,
    reopen: Option<String>,
) -> Result<HttpResponse, AppError> {
    let base = db::run(state, |conn| Ok(pages::load_base(conn)?)).await?;
    let mut ctx = crate::web::pages::context(state, req, base);
    ctx.insert("values", &Values::from_form(form));
    if let Some(url) = reopen {
        ctx.insert("reopen_url", &url);
    }
    page(state, "admin/expired.html", &ctx, StatusCode::FORBIDDEN)
}

/// Checks the form's token; a stale one gives the typed text back.
async fn check_token(
    state: &web::Data<AppState>,
    req: &HttpRequest,
    staff: &Staff,
    form: &Fields,
) -> Option<Result<HttpResponse, AppError>> {
    let token = field(form, "csrf_token");
    match staff.check_csrf(state, token) {
        Ok(()) => None,
        // No token at all is no editor page of ours: nothing to give back.
        Err(e) if token.is_empty() || !from_this_site(state, req) => Some(Err(e)),
        Err(_) => {
            let reopen = match req.path() {
                "/admin/entries/new" => format!(
                    "/admin/entries/new?kind={}",
                    field(form, "kind")
                        .parse::<EntryKind>()
                        .unwrap_or(EntryKind::Article)
                        .as_str()
                ),
                path => path.to_owned(),
            };
            Some(kept(state, req, form, Some(reopen)).await)
        }
    }
}

fn is_unique_violation(e: &diesel::result::Error) -> bool {
    matches!(
        e,
        diesel::result::Error::DatabaseError(diesel::result::DatabaseErrorKind::UniqueViolation, _)
    )
}

async fn load(
    state: &web::Data<AppState>,
    id: i32,
) -> Result<(Entry, Vec<String>, Vec<String>), AppError> {
    db::run(state, move |conn| {
        let e = entries::find(conn, id)?;
        let t = tags::names_for_entry(conn, id)?;
        let items = entries::bulletin_item_slugs(conn, id)?;
        Ok((e, t, items))
    })
    .await
}

/// `GET /admin/entries/{id}/edit`
pub async fn edit(
    state: web::Data<AppState>,
    req: HttpRequest,
    staff: Staff,
    id: web::Path<i32>,
) -> Result<HttpResponse, AppError> {
    let (e, t, items) = load(&state, id.into_inner()).await?;
    staff.require(may_edit(
        staff.role(),
        e.author_id == Some(staff.user.id),
        e.status,
    ))?;
    let values = Values::from_entry(&e, &t, &items, state.config.tz());
    let saved = req.query_string().contains("saved=1");
    let es = EditorState {
        saved,
        ..EditorState::new(e.kind, Some(e))
    };
    editor(&state, &req, &staff, values, es, StatusCode::OK).await
}

/// `POST /admin/entries/{id}/edit`: save, or a workflow move, or preview.
pub async fn save(
    state: web::Data<AppState>,
    req: HttpRequest,
    staff: Option<Staff>,
    id: web::Path<i32>,
    form: Fields,
) -> Result<HttpResponse, AppError> {
    let Some(staff) = staff else {
        return expired(&state, &req, &form).await;
    };
    if let Some(res) = check_token(&state, &req, &staff, &form).await {
        return res;
    }
    let id = id.into_inner();
    let (e, _, _) = load(&state, id).await?;
    let own = e.author_id == Some(staff.user.id);
    let values = Values::from_form(&form);
    if !may_edit(staff.role(), own, e.status) {
        if !staff.role().writes() {
            return Err(AppError::Forbidden);
        }
        // Typically: an editor published it while its author was typing.
        // Nothing typed is lost: the text comes back, without buttons.
        let es = EditorState {
            locked: true,
            ..EditorState::new(e.kind, Some(e))
        };
        return editor(&state, &req, &staff, values, es, StatusCode::FORBIDDEN).await;
    }
    let action = field(&form, "action").to_owned();
    let now = state.now();
    let tz = state.config.tz();
    if action == "preview" {
        let es = EditorState {
            preview: Some(markdown::render(&values.body_md)),
            ..EditorState::new(e.kind, Some(e))
        };
        return editor(&state, &req, &staff, values, es, StatusCode::OK).await;
    }
    let status = target_status(&action, e.status, parse_local(&values.publish_at, tz), now)?;
    staff.require(may_move(staff.role(), own, e.status, status))?;
    let expected: i32 = values
        .version
        .parse()
        .map_err(|_| AppError::BadRequest("error_400_text"))?;
    let v = values.clone();
    let auditor = super::auditor(&state, &req, &staff);
    let kind = e.kind;
    let before = e.clone();
    enum Outcome {
        Saved,
        Invalid(Vec<Problem>),
        Conflict(Box<Entry>, Option<ConflictView>),
    }
    let outcome = db::run(&state, move |conn| {
        let (data, items) = match validate(conn, &v, kind, Some(&before), status, tz, now)? {
            Ok(ok) => ok,
            Err(problems) => return Ok(Outcome::Invalid(problems)),
        };
        match entries::update(
            conn,
            id,
            expected,
            &data,
            &v.tag_list(),
            Saver {
                name: auditor.who(),
                now,
            },
        ) {
            Ok(Ok(_)) => {}
            Ok(Err(conflict)) => {
                // What changed between the version this form started from
                // and the one saved meanwhile.
                let then = revisions::at_version(conn, id, expected)?.and_then(|r| r.snapshot());
                let latest = revisions::at_version(conn, id, conflict.current.version)?;
                let view = latest.map(|rev| ConflictView {
                    by: rev.saved_by.clone(),
                    at: show(rev.created_at, tz),
                    changes: diff_lines(
                        &then.as_ref().map(snapshot_text).unwrap_or_default(),
                        &rev.snapshot()
                            .as_ref()
                            .map(snapshot_text)
                            .unwrap_or_default(),
                    ),
                });
                return Ok(Outcome::Conflict(Box::new(conflict.current), view));
            }
            Err(e) if is_unique_violation(&e) => {
                return Ok(Outcome::Invalid(vec![(
                    "bulletin_number",
                    "bulletin_number_taken",
                )]));
            }
            Err(e) => return Err(e.into()),
        }
        if kind == EntryKind::Bulletin {
            entries::set_bulletin_items(conn, id, &items)?;
        }
        if status != before.status {
            let action = match status {
                Status::Published | Status::Scheduled => "entry.publish",
                Status::Archived => "entry.archive",
                Status::InReview => "entry.submit",
                Status::Draft => "entry.unpublish",
            };
            auditor.record(
                conn,
                action,
                &data.slug,
                &format!("{} → {}", before.status.as_str(), status.as_str()),
            )?;
        }
        Ok(Outcome::Saved)
    })
    .await?;
    match outcome {
        Outcome::Saved => Ok(see_other(&format!("/admin/entries/{id}/edit?saved=1"))),
        Outcome::Invalid(problems) => {
            let es = EditorState {
                errors: problems,
                ..EditorState::new(e.kind, Some(e))
            };
            editor(
                &state,
                &req,
                &staff,
                values,
                es,
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
        Outcome::Conflict(current, view) => {
            // Keep what this person typed; the form now carries the newest
            // version, so saving again overwrites knowingly.
            let mut values = values;
            values.version = current.version.to_string();
            let es = EditorState {
                conflict: view,
                ..EditorState::new(current.kind, Some(*current))
            };
            editor(&state, &req, &staff, values, es, StatusCode::CONFLICT).await
        }
    }
}

/// `POST /admin/entries/{id}/delete` (editors and admins).
pub async fn delete(
    state: web::Data<AppState>,
    req: HttpRequest,
    staff: Staff,
    id: web::Path<i32>,
    form: Fields,
) -> Result<HttpResponse, AppError> {
    let id = id.into_inner();
    change(
        &state,
        &req,
        &staff,
        field(&form, "csrf_token"),
        staff.role().edits_all(),
        move |conn, audit| {
            let e = entries::find(conn, id)?;
            entries::delete(conn, id)?;
            audit.record(conn, "entry.delete", &e.slug, &e.title)
        },
    )
    .await?;
    Ok(see_other("/admin/entries"))
}

/// The editor of entry `id` with an attachment refused (422): the form
/// shows the entry as saved, and the reason beside the attachment form.
pub(super) async fn attachment_refused(
    state: &web::Data<AppState>,
    req: &HttpRequest,
    staff: &Staff,
    id: i32,
    key: &'static str,
) -> Result<HttpResponse, AppError> {
    let (e, t, items) = load(state, id).await?;
    let values = Values::from_entry(&e, &t, &items, state.config.tz());
    let es = EditorState {
        attachment_error: Some(key),
        ..EditorState::new(e.kind, Some(e))
    };
    editor(
        state,
        req,
        staff,
        values,
        es,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await
}

/// `POST /admin/preview`: the body as it will read (the live preview).
pub async fn preview(
    state: web::Data<AppState>,
    staff: Staff,
    form: Fields,
) -> Result<HttpResponse, AppError> {
    staff.check_csrf(&state, field(&form, "csrf_token"))?;
    staff.require(staff.role().writes())?;
    let md = field(&form, "body_md").to_owned();
    let html = db::run(&state, move |conn| {
        Ok(crate::media::render_body(conn, &md)?)
    })
    .await?;
    Ok(HttpResponse::Ok()
        .content_type("text/html; charset=utf-8")
        .insert_header(("Cache-Control", "no-store"))
        .body(html.into_string()))
}

#[derive(Serialize)]
struct RevisionView {
    id: i32,
    version: i32,
    by: String,
    at: ShownTime,
}

/// `GET /admin/entries/{id}/revisions`
pub async fn revisions(
    state: web::Data<AppState>,
    req: HttpRequest,
    staff: Staff,
    id: web::Path<i32>,
) -> Result<HttpResponse, AppError> {
    staff.require(staff.role().edits_all())?;
    let id = id.into_inner();
    let (base, e, revs) = db::run(&state, move |conn| {
        Ok((
            pages::load_base(conn)?,
            entries::find(conn, id)?,
            revisions::for_entry(conn, id)?,
        ))
    })
    .await?;
    let tz = state.config.tz();
    let revs: Vec<RevisionView> = revs
        .into_iter()
        .map(|r| RevisionView {
            id: r.id,
            version: r.version,
            by: r.saved_by,
            at: show(r.created_at, tz),
        })
        .collect();
    let mut ctx = context(&state, &req, base, &staff);
    ctx.insert("entry_id", &id);
    ctx.insert("entry_title", &e.title);
    ctx.insert("revisions", &revs);
    page(&state, "admin/entries/revisions.html", &ctx, StatusCode::OK)
}

/// `GET /admin/entries/{id}/revisions/diff?from=A&to=B`
pub async fn diff(
    state: web::Data<AppState>,
    req: HttpRequest,
    staff: Staff,
    id: web::Path<i32>,
) -> Result<HttpResponse, AppError> {
    staff.require(staff.role().edits_all())?;
    let id = id.into_inner();
    let q = web::Query::<HashMap<String, String>>::from_query(req.query_string())
        .map_err(|_| AppError::BadRequest("error_400_text"))?;
    let rev = |name: &str| {
        q.get(name)
            .and_then(|v| v.parse::<i32>().ok())
            .ok_or(AppError::BadRequest("error_400_text"))
    };
    let (from, to) = (rev("from")?, rev("to")?);
    let (base, e, a, b) = db::run(&state, move |conn| {
        Ok((
            pages::load_base(conn)?,
            entries::find(conn, id)?,
            revisions::find(conn, id, from)?.ok_or(AppError::NotFound)?,
            revisions::find(conn, id, to)?.ok_or(AppError::NotFound)?,
        ))
    })
    .await?;
    let text =
        |r: &revisions::Revision| r.snapshot().as_ref().map(snapshot_text).unwrap_or_default();
    let tz = state.config.tz();
    let mut ctx = context(&state, &req, base, &staff);
    ctx.insert("entry_id", &id);
    ctx.insert("entry_title", &e.title);
    ctx.insert(
        "from",
        &RevisionView {
            id: a.id,
            version: a.version,
            by: a.saved_by.clone(),
            at: show(a.created_at, tz),
        },
    );
    ctx.insert(
        "to",
        &RevisionView {
            id: b.id,
            version: b.version,
            by: b.saved_by.clone(),
            at: show(b.created_at, tz),
        },
    );
    ctx.insert("lines", &diff_lines(&text(&a), &text(&b)));
    page(&state, "admin/entries/diff.html", &ctx, StatusCode::OK)
}

/// `POST /admin/entries/{id}/revisions/{rev}/restore`: the revision's
/// content comes back as a new revision; state, date and address stay.
pub async fn restore(
    state: web::Data<AppState>,
    req: HttpRequest,
    staff: Staff,
    path: web::Path<(i32, i32)>,
    form: Fields,
) -> Result<HttpResponse, AppError> {
    let (id, rev) = path.into_inner();
    let now = state.now();
    change(
        &state,
        &req,
        &staff,
        field(&form, "csrf_token"),
        staff.role().edits_all(),
        move |conn, audit| {
            let who = audit.who().to_owned();
            let current = entries::find(conn, id)?;
            let snap = revisions::find(conn, id, rev)?
                .and_then(|r| r.snapshot())
                .ok_or(AppError::NotFound)?;
            // The revision's words come back; everything else stays as it is
            // now (state, date, address, category, options, image, bulletin).
            let mut data = current.data();
            data.title = snap.data.title;
            data.summary = snap.data.summary;
            data.body_md = snap.data.body_md;
            data.body_html = crate::media::render_body(conn, &data.body_md)?.into_string();
            data.byline = snap.data.byline;
            data.image_alt = snap.data.image_alt;
            data.image_caption = snap.data.image_caption;
            if let Err(e) = entries::update(
                conn,
                id,
                current.version,
                &data,
                &snap.tags,
                Saver { name: &who, now },
            )? {
                return Err(AppError::internal(format!(
                    "entry {} changed during restore (v{})",
                    id, e.current.version
                )));
            }
            audit.record(
                conn,
                "entry.restore",
                &current.slug,
                &format!("revision {rev}"),
            )
        },
    )
    .await?;
    Ok(see_other(&format!("/admin/entries/{id}/edit?saved=1")))
}

#[cfg(test)]
mod tests {
    use super::parse_local;

    #[test]
    fn publish_times_are_read_as_browsers_send_them_and_as_people_type_them() {
        let tz = chrono_tz::Asia::Ho_Chi_Minh;
        let utc = |s| chrono::NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M").unwrap();
        for typed in [
            "2026-11-27T10:00",
            "2026-11-27T10:00:00",
            "2026-11-27 10:00",
            "27/11/2026 10:00",
            " 27/11/2026   10:00 ",
            "27-11-2026 10:00:00",
        ] {
            assert_eq!(
                parse_local(typed, tz),
                Some(utc("2026-11-27 03:00")),
                "{typed}"
            );
        }
        assert_eq!(
            parse_local("1/12/2026 8:05", tz),
            Some(utc("2026-12-01 01:05"))
        );
        for bad in ["", "27/11/2026", "31/02/2026 10:00", "10:00", "ngày mai"] {
            assert_eq!(parse_local(bad, tz), None, "{bad}");
        }
    }
}
