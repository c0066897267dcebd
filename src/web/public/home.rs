//! `/`: featured entries, the latest, and a block per category.

use actix_web::{HttpRequest, HttpResponse, web};
use serde::Serialize;

use super::html;
use crate::error::AppError;
use crate::storage::entries::{self, Filter};
use crate::web::AppState;
use crate::web::db;
use crate::web::pages::{self, Link};
use crate::web::views::{CardView, category_url};

const FEATURED: i64 = 3;
const LATEST: i64 = 10;
const PER_CATEGORY: i32 = 4;

#[derive(Serialize)]
struct CategoryBlock {
    category: Link,
    entries: Vec<CardView>,
}

pub async fn home(state: web::Data<AppState>, req: HttpRequest) -> Result<HttpResponse, AppError> {
    let now = state.now();
    let (base, featured, latest, blocks) = db::run(&state, move |conn| {
        let base = pages::load_base(conn)?;
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
    let origin = pages::origin(&state, &req);
    let name = base.site.get("name").cloned().unwrap_or_default();
    let mut ctx = pages::context(&state, &req, base);
    ctx.insert(
        "json_ld",
        &crate::web::seo::site_graph(&origin, &name, None),
    );
    ctx.insert("featured", &CardView::list(featured, tz));
    ctx.insert("latest", &latest);
    ctx.insert("blocks", &grouped);
    Ok(html(state.theme.render("home.html", ctx)?))
}
