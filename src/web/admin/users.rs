//! `/admin/users` (admins only): create accounts, change roles, reset
//! passwords, disable and enable.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use serde::Serialize;

use super::{AdminBase, Fields, field, page_view, see_other};
use crate::auth;
use crate::domain::user::{self, Role};
use crate::error::AppError;
use crate::storage::users;
use crate::web::session::Staff;
use crate::web::{AppState, db, pages};

/// `admin/users.html`: the accounts and the form to add one.
#[derive(Serialize)]
struct UsersPage<'a> {
    #[serde(flatten)]
    admin: AdminBase<'a>,
    /// Every account: `id`, `username`, `display_name`, `role`,
    /// `disabled`, `created_at`.
    users_all: &'a [users::User],
    /// The roles, lowest first (`role_<role>` messages name them).
    roles: &'a [Role],
    /// The id of the element the error summary links to.
    error_target: &'a str,
    /// What went wrong with the last change, or null.
    error: Option<&'a str>,
    /// The new account form's values, kept when it comes back.
    new_username: &'a str,
    new_display_name: &'a str,
    /// The role chosen in the new account form (`author` at first).
    new_role: &'a str,
}

async fn list_page(
    state: &web::Data<AppState>,
    req: &HttpRequest,
    staff: &Staff,
    error: Option<String>,
    form: Option<&Fields>,
    status: StatusCode,
) -> Result<HttpResponse, AppError> {
    let (base, all) = db::run(state, |conn| {
        Ok((pages::load_base(conn)?, users::all(conn)?))
    })
    .await?;
    // The summary links to the field at fault.
    let target = match error.as_deref() {
        Some(e)
            if e == staff.theme(state).message("password_too_short")
                || e == staff.theme(state).message("password_is_username") =>
        {
            if form.is_some() {
                "new-password"
            } else {
                "users-table"
            }
        }
        Some(e) if e == staff.theme(state).message("user_role_invalid") => "new-role",
        Some(e) if e == staff.theme(state).message("user_not_self") => "users-table",
        _ => "new-username",
    };
    let v = |n: &str| form.map_or("", |f| field(f, n));
    let view = UsersPage {
        admin: AdminBase::new(state, req, base, staff),
        users_all: &all,
        roles: &Role::ALL,
        error_target: target,
        error: error.as_deref(),
        new_username: v("username"),
        new_display_name: v("display_name"),
        new_role: form.map_or("author", |f| field(f, "role")),
    };
    page_view(staff.theme(state), "admin/users.html", &view, status)
}

pub async fn list(
    state: web::Data<AppState>,
    req: HttpRequest,
    staff: Staff,
) -> Result<HttpResponse, AppError> {
    staff.require(staff.role().administers())?;
    list_page(&state, &req, &staff, None, None, StatusCode::OK).await
}

pub async fn create(
    state: web::Data<AppState>,
    req: HttpRequest,
    staff: Staff,
    form: Fields,
) -> Result<HttpResponse, AppError> {
    staff.check_csrf(&state, field(&form, "csrf_token"))?;
    staff.require(staff.role().administers())?;
    let username = field(&form, "username").trim().to_lowercase();
    let password = field(&form, "password").to_owned();
    let role: Option<Role> = field(&form, "role").parse().ok();
    let problem = if !user::username_ok(&username) {
        Some("user_name_invalid")
    } else if role.is_none() {
        Some("user_role_invalid")
    } else {
        user::password_problem(&password, &username)
    };
    if let Some(key) = problem {
        return list_page(
            &state,
            &req,
            &staff,
            Some(staff.theme(&state).message(key)),
            Some(&form),
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
    }
    let role = role.unwrap_or(Role::Author);
    let hash = web::block(move || auth::hash(&password))
        .await?
        .map_err(|e| AppError::internal(format!("password hash: {e}")))?;
    let display = field(&form, "display_name").trim().to_owned();
    let now = state.now();
    let auditor = super::auditor(&state, &req, &staff);
    let name = username.clone();
    let taken = db::run(&state, move |conn| {
        if users::find_by_username(conn, &name)?.is_some() {
            return Ok(true);
        }
        users::create(conn, &name, &display, &hash, role, now)?;
        auditor.record(conn, "user.add", &name, role.as_str())?;
        Ok(false)
    })
    .await?;
    if taken {
        return list_page(
            &state,
            &req,
            &staff,
            Some(staff.theme(&state).message("user_name_taken")),
            Some(&form),
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
    }
    Ok(see_other("/admin/users"))
}

/// One change to an account, named by the button pressed (`do`).
pub async fn update(
    state: web::Data<AppState>,
    req: HttpRequest,
    staff: Staff,
    id: web::Path<i32>,
    form: Fields,
) -> Result<HttpResponse, AppError> {
    staff.check_csrf(&state, field(&form, "csrf_token"))?;
    staff.require(staff.role().administers())?;
    let id = id.into_inner();
    let action = field(&form, "do").to_owned();
    // An admin cannot lock themselves out.
    if id == staff.user.id && matches!(action.as_str(), "disable" | "role") {
        return list_page(
            &state,
            &req,
            &staff,
            Some(staff.theme(&state).message("user_not_self")),
            None,
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
    }
    let hash = if action == "password" {
        let password = field(&form, "password").to_owned();
        let target = db::run(&state, move |conn| {
            users::find(conn, id)?.ok_or(AppError::NotFound)
        })
        .await?;
        if let Some(key) = user::password_problem(&password, &target.username) {
            return list_page(
                &state,
                &req,
                &staff,
                Some(staff.theme(&state).message(key)),
                None,
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await;
        }
        Some(
            web::block(move || auth::hash(&password))
                .await?
                .map_err(|e| AppError::internal(format!("password hash: {e}")))?,
        )
    } else {
        None
    };
    let role: Option<Role> = field(&form, "role").parse().ok();
    let auditor = super::auditor(&state, &req, &staff);
    db::run(&state, move |conn| {
        let target = users::find(conn, id)?.ok_or(AppError::NotFound)?;
        let name = target.username.clone();
        match (action.as_str(), role, hash) {
            ("role", Some(role), _) => {
                users::set_role(conn, id, role)?;
                auditor.record(
                    conn,
                    "user.role",
                    &name,
                    &format!("{} → {role}", target.role),
                )
            }
            ("password", _, Some(hash)) => {
                users::set_password(conn, id, &hash)?;
                auditor.record(conn, "user.password", &name, "")
            }
            ("disable", _, _) => {
                users::set_disabled(conn, id, true)?;
                auditor.record(conn, "user.disable", &name, "")
            }
            ("enable", _, _) => {
                users::set_disabled(conn, id, false)?;
                auditor.record(conn, "user.enable", &name, "")
            }
            _ => Err(AppError::BadRequest("error_400_text")),
        }
    })
    .await?;
    Ok(see_other("/admin/users"))
}
