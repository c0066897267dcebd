//! `/admin/ratings`: how useful readers found the entries and pages
//! ("Thông tin này có hữu ích không?"), for editors and admins.
//!
//! - The overview (`?days=30|90|365|0`, default 90; 0 is every answer):
//!   the site's count, average, satisfied share (4 and 5: the SIPAS
//!   target is 90 %) and distribution; the trend over 12 weeks as an
//!   inline SVG chart with the same figures in a table; per category; per
//!   entry and page, lowest average first; the latest comments.
//! - One entry's or page's answers, or a category's:
//!   `/admin/ratings/{entries|pages|categories}/{id}`, with their
//!   distribution, trend and comments.
//! - Every answer as CSV: `/admin/ratings.csv`.

use std::collections::HashMap;

use actix_web::http::{StatusCode, header};
use actix_web::{HttpRequest, HttpResponse, web};
use chrono::Duration;
use serde::Serialize;

use super::{AdminBase, page_view};
use crate::domain::rating::{self, Tally};
use crate::error::AppError;
use crate::render::SafeHtml;
use crate::render::dates::{ShownTime, show};
use crate::storage::ratings::{self as store, Answer, Scope, Target};
use crate::storage::{categories, entries, pages as page_store};
use crate::web::session::Staff;
use crate::web::{AppState, db, pages};

/// Weeks the trend covers.
const WEEKS: usize = 12;
/// Latest comments the overview lists.
const COMMENTS: i64 = 20;
/// Periods offered, in days (0: every answer).
const PERIODS: [i64; 4] = [30, 90, 365, 0];

/// A tally as the page shows it.
#[derive(Serialize)]
pub(super) struct Figures {
    count: i64,
    /// `4,3` (one decimal, the site's mark), or empty without answers.
    average: String,
    /// The average as a number (for sorting and the bar's width).
    average_value: f64,
    /// `90 %`, or empty.
    satisfied: String,
    /// Per score, best first: `score`, `label` (message key), `count`,
    /// `percent` (whole), `fill` (the chart's colour).
    distribution: Vec<Share>,
}

#[derive(Serialize)]
struct Share {
    score: i32,
    label: String,
    count: i64,
    percent: i64,
    fill: &'static str,
}

impl Figures {
    fn of(t: &Tally, decimal_mark: &str) -> Self {
        let total = t.total();
        let one = |v: f64| format!("{v:.1}").replace('.', decimal_mark);
        Figures {
            count: total,
            average: t.average().map(one).unwrap_or_default(),
            average_value: t.average().unwrap_or(0.0),
            satisfied: t
                .satisfied_percent()
                .map(|p| format!("{} %", one(p)))
                .unwrap_or_default(),
            distribution: rating::SCORES
                .iter()
                .rev()
                .map(|s| {
                    let n = t.counts[(*s - 1) as usize];
                    Share {
                        score: *s,
                        label: format!("rating_{s}"),
                        count: n,
                        percent: if total > 0 { n * 100 / total } else { 0 },
                        fill: crate::render::chart::fill(*s),
                    }
                })
                .collect(),
        }
    }
}

/// An entry or page with its answers.
#[derive(Serialize)]
struct Row {
    title: String,
    /// Its public address.
    url: String,
    /// Its answers' page in the admin.
    detail_url: String,
    /// `article`, `bulletin`, `leaflet` or `page`.
    kind: String,
    figures: Figures,
}

/// A category with the answers about its entries.
#[derive(Serialize)]
struct CategoryRow {
    name: String,
    /// Its page of answers (none for the entries without a category).
    detail_url: Option<String>,
    figures: Figures,
}

/// A week of the trend.
#[derive(Serialize)]
struct WeekRow {
    /// The Monday it starts on, `YYYY-MM-DD` (for the `date` filter).
    week: String,
    figures: Figures,
}

/// A comment left with an answer.
#[derive(Serialize)]
struct CommentRow {
    title: String,
    detail_url: String,
    score: i32,
    label: String,
    comment: String,
    at: ShownTime,
}

/// A period to choose.
#[derive(Serialize)]
struct PeriodChoice {
    days: i64,
    selected: bool,
}

/// `admin/ratings.html`.
#[derive(Serialize)]
struct OverviewPage<'a> {
    #[serde(flatten)]
    admin: AdminBase<'a>,
    /// The period: days back (0: every answer), and the choices.
    days: i64,
    periods: Vec<PeriodChoice>,
    /// The whole site's figures in the period.
    site: Figures,
    /// The trend over the last 12 weeks, as inline SVG (print with `| safe`).
    chart: SafeHtml,
    /// The same weeks as rows.
    weeks: Vec<WeekRow>,
    /// Per category (entries only), by name.
    categories: Vec<CategoryRow>,
    /// Per entry and page, lowest average first.
    rows: Vec<Row>,
    /// The latest answers with a comment.
    comments: Vec<CommentRow>,
}

/// `admin/rating.html`: one entry's or page's answers.
#[derive(Serialize)]
struct DetailPage<'a> {
    #[serde(flatten)]
    admin: AdminBase<'a>,
    /// Its title, public address and kind.
    title: String,
    url: String,
    kind: String,
    figures: Figures,
    chart: SafeHtml,
    weeks: Vec<WeekRow>,
    comments: Vec<CommentRow>,
}

fn allowed(staff: &Staff) -> Result<(), AppError> {
    staff.require(staff.role().edits_all())
}

/// Where an answer's entry or page is read, and its admin page.
fn addresses(a: &Answer) -> (String, String, String) {
    match (a.entry_id, a.page_id) {
        (Some(id), _) => {
            let kind = a.kind.clone().unwrap_or_default();
            let url = kind
                .parse::<crate::domain::entry::EntryKind>()
                .map(|k| k.entry_path(a.slug.as_deref().unwrap_or("")))
                .unwrap_or_default();
            (kind, url, format!("/admin/ratings/entries/{id}"))
        }
        (None, Some(id)) => (
            "page".to_owned(),
            crate::web::public::pages::url(a.path.as_deref().unwrap_or("")),
            format!("/admin/ratings/pages/{id}"),
        ),
        (None, None) => Default::default(),
    }
}

fn comment_rows(answers: Vec<Answer>, tz: chrono_tz::Tz) -> Vec<CommentRow> {
    answers
        .into_iter()
        .map(|a| {
            let (_, _, detail_url) = addresses(&a);
            CommentRow {
                title: a.title.clone().unwrap_or_default(),
                detail_url,
                score: a.score,
                label: format!("rating_{}", a.score),
                comment: a.comment,
                at: show(a.updated_at, tz),
            }
        })
        .collect()
}

fn trend(
    answers: Vec<(chrono::NaiveDateTime, i32)>,
    now: chrono::NaiveDateTime,
    theme: &crate::render::templates::Theme,
) -> (SafeHtml, Vec<WeekRow>) {
    let weeks = rating::by_week(answers, now, WEEKS);
    let chart = crate::render::chart::weekly(
        &weeks,
        &theme.message("ratings_trend"),
        &theme.message("ratings_trend_description"),
    );
    let mark = theme.message("decimal_mark");
    let rows = weeks
        .iter()
        .map(|(w, t)| WeekRow {
            week: w.to_string(),
            figures: Figures::of(t, &mark),
        })
        .collect();
    (chart, rows)
}

/// `GET /admin/ratings`.
pub async fn overview(
    state: web::Data<AppState>,
    req: HttpRequest,
    staff: Staff,
) -> Result<HttpResponse, AppError> {
    allowed(&staff)?;
    let days: i64 = crate::web::public::query(&req)?
        .get("days")
        .map(|d| {
            d.parse()
                .map_err(|_| AppError::BadRequest("error_400_text"))
        })
        .transpose()?
        .unwrap_or(90);
    if !PERIODS.contains(&days) {
        return Err(AppError::BadRequest("error_400_text"));
    }
    let now = state.now();
    let since = (days > 0).then(|| now - Duration::days(days));
    let trend_since = now - Duration::weeks(WEEKS as i64 + 1);
    let (base, counts, cards, nodes, cats, of_entries, recent, comments) =
        db::run(&state, move |conn| {
            let counts = store::counts(conn, since)?;
            let ids: Vec<i32> = counts.iter().filter_map(|c| c.0).collect();
            let cards = entries::cards_in_order(conn, &ids)?;
            let of_entries = store::categories_of(conn, &ids)?;
            Ok((
                pages::load_base(conn)?,
                counts,
                cards,
                page_store::all(conn)?,
                categories::all(conn)?,
                of_entries,
                store::answers(conn, Scope::All, trend_since)?,
                store::with_comments(conn, None, COMMENTS)?,
            ))
        })
        .await?;
    let theme = staff.theme(&state);
    let mark = theme.message("decimal_mark");
    let mut site = Tally::default();
    let mut per_entry: HashMap<i32, Tally> = HashMap::new();
    let mut per_page: HashMap<i32, Tally> = HashMap::new();
    for (entry, page, score, n) in &counts {
        site.add(*score, *n);
        match (entry, page) {
            (Some(e), _) => per_entry.entry(*e).or_default().add(*score, *n),
            (None, Some(p)) => per_page.entry(*p).or_default().add(*score, *n),
            _ => {}
        }
    }
    let category_of: HashMap<i32, Option<i32>> = of_entries.into_iter().collect();
    let mut per_category: HashMap<Option<i32>, Tally> = HashMap::new();
    for (id, t) in &per_entry {
        let cat = category_of.get(id).copied().flatten();
        let sum = per_category.entry(cat).or_default();
        for (score, n) in rating::SCORES.iter().zip(t.counts) {
            sum.add(*score, n);
        }
    }
    let mut categories: Vec<CategoryRow> = cats
        .iter()
        .filter_map(|c| {
            per_category.get(&Some(c.id)).map(|t| CategoryRow {
                name: c.name.clone(),
                detail_url: Some(format!("/admin/ratings/categories/{}", c.id)),
                figures: Figures::of(t, &mark),
            })
        })
        .collect();
    if let Some(t) = per_category.get(&None) {
        categories.push(CategoryRow {
            name: theme.message("ratings_no_category"),
            detail_url: None,
            figures: Figures::of(t, &mark),
        });
    }
    let mut rows: Vec<Row> = cards
        .into_iter()
        .filter_map(|c| {
            let t = per_entry.get(&c.id)?;
            Some(Row {
                url: c.kind().entry_path(&c.slug),
                detail_url: format!("/admin/ratings/entries/{}", c.id),
                kind: c.kind().as_str().to_owned(),
                title: c.title,
                figures: Figures::of(t, &mark),
            })
        })
        .chain(nodes.iter().filter_map(|n| {
            let t = per_page.get(&n.id)?;
            Some(Row {
                url: crate::web::public::pages::url(&n.path),
                detail_url: format!("/admin/ratings/pages/{}", n.id),
                kind: "page".to_owned(),
                title: n.title.clone(),
                figures: Figures::of(t, &mark),
            })
        }))
        .collect();
    rows.sort_by(|a, b| {
        a.figures
            .average_value
            .total_cmp(&b.figures.average_value)
            .then(b.figures.count.cmp(&a.figures.count))
    });
    let (chart, weeks) = trend(recent, now, theme);
    let view = OverviewPage {
        days,
        periods: PERIODS
            .iter()
            .map(|d| PeriodChoice {
                days: *d,
                selected: *d == days,
            })
            .collect(),
        site: Figures::of(&site, &mark),
        chart,
        weeks,
        categories,
        rows,
        comments: comment_rows(comments, state.config.tz()),
        admin: AdminBase::new(&state, &req, base, &staff),
    };
    page_view(theme, "admin/ratings.html", &view, StatusCode::OK)
}

/// `GET /admin/ratings/{entries|pages|categories}/{id}`: one entry's or
/// page's answers, or those about a category's entries.
pub async fn detail(
    state: web::Data<AppState>,
    req: HttpRequest,
    staff: Staff,
    path: web::Path<(String, i32)>,
) -> Result<HttpResponse, AppError> {
    allowed(&staff)?;
    let (what, id) = path.into_inner();
    let scope = match what.as_str() {
        "entries" => Scope::Target(Target::Entry(id)),
        "pages" => Scope::Target(Target::Page(id)),
        "categories" => Scope::Category(id),
        _ => return Err(AppError::NotFound),
    };
    let now = state.now();
    let (base, (title, url, kind), counts, recent, comments) = db::run(&state, move |conn| {
        let named = match scope {
            Scope::Target(Target::Entry(id)) => {
                let e = entries::find(conn, id)?;
                (
                    e.title,
                    e.kind.entry_path(&e.slug),
                    e.kind.as_str().to_owned(),
                )
            }
            Scope::Target(Target::Page(id)) => {
                let p = page_store::find(conn, id)?;
                (
                    p.title,
                    crate::web::public::pages::url(&p.path),
                    "page".to_owned(),
                )
            }
            Scope::Category(cat) => {
                let c = categories::find(conn, cat)?;
                (
                    c.name,
                    crate::web::views::category_url(&c.slug),
                    "category".to_owned(),
                )
            }
            Scope::All => return Err(AppError::NotFound),
        };
        let all = store::counts(conn, None)?;
        // A category's entries, among the rated ones.
        let in_category: Vec<i32> = match scope {
            Scope::Category(cat) => {
                let ids: Vec<i32> = all.iter().filter_map(|c| c.0).collect();
                store::categories_of(conn, &ids)?
                    .into_iter()
                    .filter(|(_, c)| *c == Some(cat))
                    .map(|(e, _)| e)
                    .collect()
            }
            _ => Vec::new(),
        };
        let about = |entry: Option<i32>, page: Option<i32>| match scope {
            Scope::Target(Target::Entry(id)) => entry == Some(id),
            Scope::Target(Target::Page(id)) => page == Some(id),
            Scope::Category(_) => entry.is_some_and(|e| in_category.contains(&e)),
            Scope::All => true,
        };
        let counts: Vec<(i32, i64)> = all
            .iter()
            .filter(|(e, p, _, _)| about(*e, *p))
            .map(|(_, _, s, n)| (*s, *n))
            .collect();
        let comments: Vec<Answer> = match scope {
            Scope::Target(t) => store::with_comments(conn, Some(t), 200)?,
            _ => store::with_comments(conn, None, 1000)?
                .into_iter()
                .filter(|a| about(a.entry_id, a.page_id))
                .take(200)
                .collect(),
        };
        Ok((
            pages::load_base(conn)?,
            named,
            counts,
            store::answers(conn, scope, now - Duration::weeks(WEEKS as i64 + 1))?,
            comments,
        ))
    })
    .await?;
    let theme = staff.theme(&state);
    let mut tally = Tally::default();
    for (s, n) in counts {
        tally.add(s, n);
    }
    let (chart, weeks) = trend(recent, now, theme);
    let view = DetailPage {
        admin: AdminBase::new(&state, &req, base, &staff),
        title,
        url,
        kind,
        figures: Figures::of(&tally, &theme.message("decimal_mark")),
        chart,
        weeks,
        comments: comment_rows(comments, state.config.tz()),
    };
    page_view(theme, "admin/rating.html", &view, StatusCode::OK)
}

/// `GET /admin/ratings.csv`: every answer, oldest first, for a
/// spreadsheet (UTF-8 with a byte-order mark, which Excel needs to read
/// Vietnamese).
pub async fn csv(state: web::Data<AppState>, staff: Staff) -> Result<HttpResponse, AppError> {
    allowed(&staff)?;
    let answers = db::run(&state, |conn| Ok(store::all(conn)?)).await?;
    let tz = state.config.tz();
    let cell = |s: &str| {
        // Formulas are not run when the file is opened (CSV injection).
        let s = if s.starts_with(['=', '+', '-', '@']) {
            format!("'{s}")
        } else {
            s.to_owned()
        };
        format!("\"{}\"", s.replace('"', "\"\""))
    };
    let mut out = String::from("\u{feff}id,kind,title,url,score,comment,created,updated\r\n");
    for a in &answers {
        let (kind, url, _) = addresses(a);
        let local = |t: chrono::NaiveDateTime| {
            use chrono::TimeZone;
            tz.from_utc_datetime(&t)
                .format("%Y-%m-%d %H:%M")
                .to_string()
        };
        out.push_str(&format!(
            "{},{},{},{},{},{},{},{}\r\n",
            a.id,
            kind,
            cell(a.title.as_deref().unwrap_or("")),
            cell(&url),
            a.score,
            cell(&a.comment),
            local(a.created_at),
            local(a.updated_at),
        ));
    }
    Ok(HttpResponse::Ok()
        .content_type("text/csv; charset=utf-8")
        .insert_header((
            header::CONTENT_DISPOSITION,
            "attachment; filename=\"danh-gia.csv\"",
        ))
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .body(out))
}

/// The dashboard's list: recently rated entries with the lowest average
/// (answers of the last 30 days, at least 3 of them).
pub(super) async fn lowest(
    state: &web::Data<AppState>,
    theme: &crate::render::templates::Theme,
) -> Result<Vec<(String, String, Figures)>, AppError> {
    let now = state.now();
    let (counts, cards) = db::run(state, move |conn| {
        let counts = store::counts(conn, Some(now - Duration::days(30)))?;
        let ids: Vec<i32> = counts.iter().filter_map(|c| c.0).collect();
        Ok((counts, entries::cards_in_order(conn, &ids)?))
    })
    .await?;
    let mut per_entry: HashMap<i32, Tally> = HashMap::new();
    for (entry, _, score, n) in counts {
        if let Some(e) = entry {
            per_entry.entry(e).or_default().add(score, n);
        }
    }
    let mark = theme.message("decimal_mark");
    let mut rows: Vec<(String, String, Figures)> = cards
        .into_iter()
        .filter_map(|c| {
            let t = per_entry.get(&c.id).filter(|t| t.total() >= 3)?;
            Some((
                c.title,
                format!("/admin/ratings/entries/{}", c.id),
                Figures::of(t, &mark),
            ))
        })
        .collect();
    rows.sort_by(|a, b| a.2.average_value.total_cmp(&b.2.average_value));
    rows.truncate(5);
    Ok(rows)
}
