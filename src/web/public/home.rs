//! `/`: featured entries, the latest, and a block per category.

use actix_web::{HttpRequest, HttpResponse, web};
use serde::Serialize;

use super::html;
use crate::error::AppError;
use crate::storage::entries::{self, Filter};
use crate::web::AppState;
use crate::web::db;
use crate::web::pages::{self, Common, Link};
use crate::web::views::{CardView, category_url};

const FEATURED: i64 = 3;
const LATEST: i64 = 10;
const PER_CATEGORY: i32 = 4;

/// A category's latest entries on the home page.
#[derive(Serialize)]
struct CategoryBlock {
    /// The category's name and listing address.
    category: Link,
    /// Its latest public entries, newest first.
    entries: Vec<CardView>,
}

/// `home.html`.
#[derive(Serialize)]
struct HomePage<'a> {
    #[serde(flatten)]
    common: Common<'a>,
    /// The featured entries, newest first (up to 3).
    featured: Vec<CardView>,
    /// The latest entries not among `featured` (up to 10).
    latest: Vec<CardView>,
    /// A block per category that has public entries, in the categories' order.
    blocks: Vec<CategoryBlock>,
}

pub async fn home(state: web::Data<AppState>, req: HttpRequest) -> Result<HttpResponse, AppError> {
    let now = state.now();
    let shared = state.clone();
    let (base, featured, latest, blocks) = db::run(&state, move |conn| {
        let base = pages::shared_base(conn, &shared.cache)?;
        let featured = entries::latest_public(
            conn,
            Filter {
                featured: true,
                ..Default::default()
            },
            now,
            FEATURED,
        )?;
        let latest = entries::latest_public(conn, Filter::default(), now, LATEST)?;
        let blocks = entries::latest_per_category(conn, now, PER_CATEGORY)?;
        Ok((base, featured, latest, blocks))
    })
    .await?;
    let tz = state.config.tz();
    let mut grouped: Vec<CategoryBlock> = Vec::new();
    for card in blocks {
        let (Some(slug), Some(name)) = (card.category_slug.clone(), card.category_name.clone())
        else {
            continue;
        };
        match grouped.last_mut() {
            Some(b) if b.category.url == category_url(&slug) => {
                b.entries.push(CardView::new(card, tz))
            }
            _ => grouped.push(CategoryBlock {
                category: Link {
                    url: category_url(&slug),
                    name,
                },
                entries: vec![CardView::new(card, tz)],
            }),
        }
    }
    let featured_urls: Vec<String> = featured
        .iter()
        .map(|c| c.kind().entry_path(&c.slug))
        .collect();
    let latest: Vec<CardView> = CardView::list(latest, tz)
        .into_iter()
        .filter(|c| !featured_urls.contains(&c.url))
        .collect();
    let mut common = Common::new(&state, &req, base);
    common.versions(&state, "/");
    let name = common.base.site.get("name").map_or("", String::as_str);
    common.json_ld = Some(crate::web::seo::site_graph(&common, name, None));
    let view = HomePage {
        common,
        featured: CardView::list(featured, tz),
        latest,
        blocks: grouped,
    };
    Ok(html(&state, state.theme.render_view("home.html", &view)?))
}
