//! Reading pages run only statements SQLite keeps prepared (issue 7).
//!
//! With the page cache off (or on a miss), every public page runs its
//! queries again. A statement diesel cannot cache (a boxed query, an `IN`
//! list of varying length, raw SQL) is parsed and planned by SQLite on
//! every request, which cost more than running it. diesel reports each
//! statement it caches; every statement a reading page runs must be one of
//! those.

use crate::common;

use std::collections::HashSet;
use std::sync::Mutex;

use common::TestSite;
use diesel::connection::{Instrumentation, InstrumentationEvent, set_default_instrumentation};

/// Statements started, and statements cached, by this test's connections.
static STARTED: Mutex<Vec<String>> = Mutex::new(Vec::new());
static CACHED: Mutex<Vec<String>> = Mutex::new(Vec::new());
/// This test's database: the instrumentation is process-wide, and other
/// tests of the same binary open connections to their own databases
/// meanwhile.
static DATABASE: Mutex<String> = Mutex::new(String::new());

fn record() -> Option<Box<dyn Instrumentation>> {
    let mut mine = false;
    Some(Box::new(
        move |event: InstrumentationEvent<'_>| match event {
            InstrumentationEvent::StartEstablishConnection { url, .. } => {
                let wanted = DATABASE.lock().unwrap();
                mine = !wanted.is_empty() && url == *wanted;
            }
            InstrumentationEvent::StartQuery { query, .. } if mine => {
                // Display gives the SQL, then ` -- binds: [...]`.
                let text = query.to_string();
                let sql = text.split(" -- binds:").next().unwrap_or("").to_owned();
                STARTED.lock().unwrap().push(sql);
            }
            InstrumentationEvent::CacheQuery { sql, .. } if mine => {
                CACHED.lock().unwrap().push(sql.to_owned());
            }
            _ => {}
        },
    ))
}

#[actix_web::test]
async fn reading_pages_reuse_prepared_statements() {
    set_default_instrumentation(record).unwrap();
    let site = TestSite::with_config(|c| {
        c.page_cache_mib = 0;
        *DATABASE.lock().unwrap() = c.database.clone();
    });
    site.import(&common::site_dir());
    let mut c = site.client().await;
    let pages = [
        "/",
        "/articles",
        "/categories/tin-nganh",
        "/tags/cai-cach-hanh-chinh",
        "/articles/so-vhtt-ha-noi-tang-cuong-thong-tin-tuyen-truyen-ve-cai-cach-hanh-chinh",
        "/articles/so-vhtt-ha-noi-tang-cuong-thong-tin-tuyen-truyen-ve-cai-cach-hanh-chinh/print",
        "/bulletins",
        "/bulletins/ban-tin-cai-cach-hanh-chinh-so-1-2022",
        "/leaflets",
        "/documents",
        "/feed.xml",
        "/sitemap.xml",
    ];
    // The first visit prepares; the second must only reuse.
    for path in pages {
        assert_eq!(c.get(path).await.status, 200, "{path}");
    }
    STARTED.lock().unwrap().clear();
    for path in pages {
        assert_eq!(c.get(path).await.status, 200, "{path}");
    }
    let cached: HashSet<String> = CACHED.lock().unwrap().iter().cloned().collect();
    let started = STARTED.lock().unwrap();
    assert!(
        started.len() > pages.len(),
        "queries were seen: {started:?}"
    );
    let mut parsed: Vec<&String> = started
        .iter()
        .filter(|sql| !cached.contains(*sql))
        .collect();
    parsed.dedup();
    assert!(
        parsed.is_empty(),
        "parsed again on every request:\n{}",
        parsed
            .iter()
            .map(|s| s.as_str())
            .collect::<Vec<_>>()
            .join("\n")
    );
}
