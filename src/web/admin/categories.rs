//! Categories and tags (editors and admins).

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use serde::Serialize;

use super::{AdminBase, Fields, change, field, page_view, see_other};
use crate::domain::slug;
use crate::error::AppError;
use crate::service::taxonomy;
use crate::storage::categories::{self, CategoryData};
use crate::storage::tags;
use crate::web::session::Staff;
use crate::web::{AppState, db, pages};

/// What was typed into one category's row when it came back with a problem.
#[derive(Serialize, Default)]
struct RowEdit {
    id: i32,
    name: String,
    description: String,
    position: String,
}

/// `admin/categories.html`: the categories, editable in place, and the
/// form to add one.
#[derive(Serialize)]
struct CategoriesPage<'a> {
    #[serde(flatten)]
    admin: AdminBase<'a>,
    /// Every category: `id`, `slug`, `name`, `description`, `position`.
    categories_all: &'a [categories::Category],
    /// What went wrong with the last change, or null.
    error: Option<&'a str>,
    /// The new category form's values, kept when it comes back.
    new_name: &'a str,
    new_slug: &'a str,
    new_description: &'a str,
    /// The id of the field the error summary links to.
    error_target: String,
    /// What was typed into the row that came back with a problem (`id` 0
    /// when none did): `id`, `name`, `description`, `position`.
    row_edit: RowEdit,
}

/// `admin/tags.html`: the tags with how many entries use each.
#[derive(Serialize)]
struct TagsPage<'a> {
    #[serde(flatten)]
    admin: AdminBase<'a>,
    /// Every tag: `id`, `slug`, `name`, `uses`, by name.
    tags_all: &'a [tags::TagUse],
    /// The tag whose rename failed, or null.
    error_id: Option<i32>,
    /// Why it failed, or null.
    error: Option<&'a str>,
}

async fn list_page(
    state: &web::Data<AppState>,
    req: &HttpRequest,
    staff: &Staff,
    error: Option<String>,
    values: (String, String, String),
    status: StatusCode,
) -> Result<HttpResponse, AppError> {
    list_page_with(state, req, staff, error, values, None, status).await
}

async fn list_page_with(
    state: &web::Data<AppState>,
    req: &HttpRequest,
    staff: &Staff,
    error: Option<String>,
    values: (String, String, String),
    row: Option<RowEdit>,
    status: StatusCode,
) -> Result<HttpResponse, AppError> {
    let (base, cats) = db::run(state, |conn| {
        Ok((pages::load_base(conn)?, categories::all(conn)?))
    })
    .await?;
    // The summary links to the field at fault: a row's name, or the new one.
    let target = row
        .as_ref()
        .map_or_else(|| "new-name".to_owned(), |r| format!("name-{}", r.id));
    let view = CategoriesPage {
        admin: AdminBase::new(state, req, base, staff),
        categories_all: &cats,
        error: error.as_deref(),
        new_name: &values.0,
        new_slug: &values.1,
        new_description: &values.2,
        error_target: target,
        row_edit: row.unwrap_or_default(),
    };
    page_view(staff.theme(state), "admin/categories.html", &view, status)
}

pub async fn list(
    state: web::Data<AppState>,
    req: HttpRequest,
    staff: Staff,
) -> Result<HttpResponse, AppError> {
    staff.require(staff.role().edits_all())?;
    list_page(
        &state,
        &req,
        &staff,
        None,
        Default::default(),
        StatusCode::OK,
    )
    .await
}

fn data_from(form: &Fields, position: i32) -> CategoryData {
    let name = field(form, "name").trim().to_owned();
    let given = field(form, "slug").trim();
    CategoryData {
        slug: if given.is_empty() {
            slug::slugify_or(&name, "chuyen-muc")
        } else {
            given.to_owned()
        },
        name,
        description: field(form, "description").trim().to_owned(),
        position: field(form, "position").trim().parse().unwrap_or(position),
    }
}

pub async fn create(
    state: web::Data<AppState>,
    req: HttpRequest,
    staff: Staff,
    form: Fields,
) -> Result<HttpResponse, AppError> {
    staff.check_csrf(&state, field(&form, "csrf_token"))?;
    staff.require(staff.role().edits_all())?;
    let data = data_from(&form, 100);
    let values = (
        data.name.clone(),
        field(&form, "slug").to_owned(),
        data.description.clone(),
    );
    let problem = if data.name.is_empty() {
        Some("category_name_required")
    } else if !slug::is_valid(&data.slug) {
        Some("entry_slug_invalid")
    } else {
        None
    };
    if let Some(key) = problem {
        return list_page(
            &state,
            &req,
            &staff,
            Some(staff.theme(&state).message(key)),
            values,
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
    }
    let auditor = super::auditor(&state, &req, &staff);
    let taken = db::run(&state, move |conn| {
        if categories::find_by_slug(conn, &data.slug)?.is_some() {
            return Ok(true);
        }
        categories::upsert(conn, &data)?;
        auditor.record(conn, "category.create", &data.slug, &data.name)?;
        Ok(false)
    })
    .await?;
    if taken {
        return list_page(
            &state,
            &req,
            &staff,
            Some(staff.theme(&state).message("entry_slug_taken")),
            values,
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
    }
    Ok(see_other("/admin/categories"))
}

pub async fn update(
    state: web::Data<AppState>,
    req: HttpRequest,
    staff: Staff,
    id: web::Path<i32>,
    form: Fields,
) -> Result<HttpResponse, AppError> {
    staff.check_csrf(&state, field(&form, "csrf_token"))?;
    staff.require(staff.role().edits_all())?;
    let id = id.into_inner();
    let auditor = super::auditor(&state, &req, &staff);
    let name = field(&form, "name").trim().to_owned();
    let description = field(&form, "description").trim().to_owned();
    let typed_position = field(&form, "position").trim().to_owned();
    // Empty keeps the current place; anything else must be a whole number.
    let position: Result<Option<i32>, _> = match typed_position.as_str() {
        "" => Ok(None),
        p => p.parse().map(Some),
    };
    let folded = slug::fold(&name);
    let other_named = db::run(&state, move |conn| {
        Ok(categories::all(conn)?
            .into_iter()
            .any(|c| c.id != id && slug::fold(&c.name) == folded))
    })
    .await?;
    let problem = if name.is_empty() {
        Some("category_name_required")
    } else if other_named {
        Some("category_name_taken")
    } else if position.is_err() {
        Some("category_position_invalid")
    } else {
        None
    };
    if let Some(key) = problem {
        // Back with the row as typed, the message at its name.
        let row = RowEdit {
            id,
            name,
            description: field(&form, "description").to_owned(),
            position: typed_position,
        };
        return list_page_with(
            &state,
            &req,
            &staff,
            Some(staff.theme(&state).message(key)),
            Default::default(),
            Some(row),
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
    }
    let position = position.ok().flatten();
    db::run(&state, move |conn| {
        let c = categories::find(conn, id)?;
        let data = CategoryData {
            slug: c.slug.clone(),
            name,
            description,
            position: position.unwrap_or(c.position),
        };
        taxonomy::update_category(conn, id, &data)?;
        auditor.record(
            conn,
            "category.update",
            &c.slug,
            &format!("{} → {}", c.name, data.name),
        )
    })
    .await?;
    Ok(see_other("/admin/categories"))
}

pub async fn delete(
    state: web::Data<AppState>,
    req: HttpRequest,
    staff: Staff,
    id: web::Path<i32>,
    form: Fields,
) -> Result<HttpResponse, AppError> {
    let id = id.into_inner();
    // A category that still files entries is not deleted: its entries
    // would lose their section (and their place in its listing and feed)
    // without anyone choosing so. They are moved in the editor first.
    let in_use = change(
        &state,
        &req,
        &staff,
        field(&form, "csrf_token"),
        staff.role().edits_all(),
        move |conn, audit| {
            let c = categories::find(conn, id)?;
            let n = categories::entry_count(conn, id)?;
            if n > 0 {
                return Ok(Some((c, n)));
            }
            taxonomy::delete_category(conn, id)?;
            audit.record(conn, "category.delete", &c.slug, &c.name)?;
            Ok(None)
        },
    )
    .await?;
    if let Some((c, n)) = in_use {
        let row = RowEdit {
            id,
            name: c.name,
            description: c.description,
            position: c.position.to_string(),
        };
        let message = state
            .theme
            .message("category_in_use")
            .replace("{n}", &n.to_string());
        return list_page_with(
            &state,
            &req,
            &staff,
            Some(message),
            Default::default(),
            Some(row),
            StatusCode::CONFLICT,
        )
        .await;
    }
    Ok(see_other("/admin/categories"))
}

pub async fn tags(
    state: web::Data<AppState>,
    req: HttpRequest,
    staff: Staff,
) -> Result<HttpResponse, AppError> {
    staff.require(staff.role().edits_all())?;
    tags_page(&state, &req, &staff, None, StatusCode::OK).await
}

/// The tags page; `error` is a row's id and message when a rename failed.
async fn tags_page(
    state: &web::Data<AppState>,
    req: &HttpRequest,
    staff: &Staff,
    error: Option<(i32, String)>,
    status: StatusCode,
) -> Result<HttpResponse, AppError> {
    let (base, rows) = db::run(state, |conn| {
        Ok((pages::load_base(conn)?, tags::all_with_counts(conn)?))
    })
    .await?;
    let view = TagsPage {
        admin: AdminBase::new(state, req, base, staff),
        tags_all: &rows,
        error_id: error.as_ref().map(|e| e.0),
        error: error.as_ref().map(|e| e.1.as_str()),
    };
    page_view(staff.theme(state), "admin/tags.html", &view, status)
}

pub async fn rename_tag(
    state: web::Data<AppState>,
    req: HttpRequest,
    staff: Staff,
    id: web::Path<i32>,
    form: Fields,
) -> Result<HttpResponse, AppError> {
    let id = id.into_inner();
    let name = field(&form, "name").trim().to_owned();
    if name.is_empty() {
        staff.check_csrf(&state, field(&form, "csrf_token"))?;
        staff.require(staff.role().edits_all())?;
        let message = staff.theme(&state).message("tag_name_required");
        return tags_page(
            &state,
            &req,
            &staff,
            Some((id, message)),
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
    }
    change(
        &state,
        &req,
        &staff,
        field(&form, "csrf_token"),
        staff.role().edits_all(),
        move |conn, audit| {
            let t = taxonomy::rename_tag(conn, id, &name)?;
            audit.record(conn, "tag.rename", &t.slug, &format!("{} → {name}", t.name))
        },
    )
    .await?;
    Ok(see_other("/admin/tags"))
}

pub async fn delete_tag(
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
            let t = taxonomy::delete_tag(conn, id)?;
            audit.record(conn, "tag.delete", &t.slug, &t.name)
        },
    )
    .await?;
    Ok(see_other("/admin/tags"))
}
