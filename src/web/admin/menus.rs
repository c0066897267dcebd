//! The header and footer menus (admins): every item of both menus as a
//! small form of its own (label, target, address, parent, order), saved or
//! deleted one at a time, and a form to add an item to each menu. One
//! level of submenu. Every change is audited; pages show it at once.

use std::collections::HashMap;

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use serde::Serialize;

use super::{AdminBase, Fields, field, page_view, see_other};
use crate::domain::entry::EntryKind;
use crate::domain::menu::{self, ItemInput, Menu, Target};
use crate::domain::page::Problem;
use crate::error::AppError;
use crate::storage::menus::{self, ItemData, MenuItem};
use crate::web::session::Staff;
use crate::web::{AppState, db};

/// One item's form (or the form of a new item).
#[derive(Serialize)]
struct ItemForm {
    /// The item's id; none for the new item's form.
    id: Option<i32>,
    /// What makes the form's field ids unique (`12`, `new-header`).
    key: String,
    values: ItemInput,
    /// Whether the item is in a submenu.
    sub: bool,
    /// Whether its category or page no longer exists (readers don't see it).
    missing: bool,
    /// The message beside each field with a problem.
    field_errors: HashMap<&'static str, String>,
}

#[derive(Serialize)]
struct MenuForms {
    /// `header` or `footer` (`menu_<name>` names it).
    menu: &'static str,
    items: Vec<ItemForm>,
    new_item: ItemForm,
    /// The items that may hold a submenu: `(id, label)`.
    parents: Vec<(i32, String)>,
}

/// A group of the target list: a heading and `(value, label)` choices.
#[derive(Serialize)]
struct TargetGroup {
    label: String,
    options: Vec<(String, String)>,
}

/// `admin/menus.html`
#[derive(Serialize)]
struct MenusPage<'a> {
    #[serde(flatten)]
    admin: AdminBase<'a>,
    menus: Vec<MenuForms>,
    /// Where an item may lead, grouped.
    targets: Vec<TargetGroup>,
    /// Every problem as (field id, message), for the error summary.
    errors: Vec<(String, String)>,
    /// `saved` or `deleted` after that action.
    notice: Option<&'static str>,
}

fn input_of(item: &MenuItem) -> ItemInput {
    ItemInput {
        label: item.label.clone(),
        target: item.target.clone(),
        url: item.url.clone(),
        parent_id: item.parent_id.map(|p| p.to_string()).unwrap_or_default(),
        position: item.position.to_string(),
    }
}

fn input_from(f: &HashMap<String, String>) -> ItemInput {
    ItemInput {
        label: field(f, "label").to_owned(),
        target: field(f, "target").to_owned(),
        url: field(f, "url").trim().to_owned(),
        parent_id: field(f, "parent_id").to_owned(),
        position: field(f, "position").to_owned(),
    }
}

/// A form that came back with problems: which one, what was typed.
struct Refused {
    key: String,
    values: ItemInput,
    problems: Vec<Problem>,
}

/// `GET /admin/menus`
pub async fn show(
    state: web::Data<AppState>,
    req: HttpRequest,
    staff: Staff,
) -> Result<HttpResponse, AppError> {
    staff.require(staff.role().administers())?;
    render(&state, &req, &staff, None, StatusCode::OK).await
}

async fn render(
    state: &web::Data<AppState>,
    req: &HttpRequest,
    staff: &Staff,
    refused: Option<Refused>,
    status: StatusCode,
) -> Result<HttpResponse, AppError> {
    let (base, items, nodes) = db::run(state, |conn| {
        Ok((
            crate::web::pages::load_base(conn)?,
            menus::all(conn)?,
            crate::storage::pages::all(conn)?,
        ))
    })
    .await?;
    let theme = staff.theme(state);
    let categories: Vec<(i32, String)> = base
        .sections
        .iter()
        .map(|c| (c.id, c.name.clone()))
        .collect();
    let public: std::collections::HashSet<i32> = crate::web::public::pages::public_nodes(&nodes)
        .map(|n| n.id)
        .collect();
    let exists = |t: &Target| match t {
        Target::Category(id) => categories.iter().any(|c| c.0 == *id),
        Target::Page(id) => public.contains(id),
        _ => true,
    };
    let message = |p: &Problem| theme.message(p.key);
    let mut errors = Vec::new();
    // An item's form; the one that was refused comes back as typed, with
    // its problems (which also go to the error summary).
    let mut form_of = |key: String, values: ItemInput, sub: bool, missing: bool| {
        let mut field_errors = HashMap::new();
        let mut values = values;
        if let Some(r) = refused.as_ref().filter(|r| r.key == key) {
            for p in &r.problems {
                errors.push((format!("{}-{key}", p.field), message(p)));
                field_errors.insert(p.field, message(p));
            }
            values = r.values.clone();
        }
        ItemForm {
            id: key.parse().ok(),
            key,
            values,
            sub,
            missing,
            field_errors,
        }
    };
    let mut forms = Vec::new();
    for which in Menu::ALL {
        let ours: Vec<&MenuItem> = items.iter().filter(|i| i.menu == which.as_str()).collect();
        let mut listed = Vec::new();
        for top in ours.iter().filter(|i| i.parent_id.is_none()) {
            let children = ours.iter().filter(|i| i.parent_id == Some(top.id));
            for (item, sub) in std::iter::once((top, false)).chain(children.map(|c| (c, true))) {
                let missing = Target::parse(&item.target, &item.url).is_none_or(|t| !exists(&t));
                listed.push(form_of(item.id.to_string(), input_of(item), sub, missing));
            }
        }
        let new_key = format!("new-{}", which.as_str());
        let new_item = form_of(new_key, ItemInput::default(), false, false);
        forms.push(MenuForms {
            menu: which.as_str(),
            items: listed,
            new_item,
            parents: ours
                .iter()
                .filter(|i| i.parent_id.is_none())
                .map(|i| (i.id, i.label.clone()))
                .collect(),
        });
    }
    let page_choices = super::pages::tree(nodes)
        .into_iter()
        .map(|(n, depth)| {
            (
                format!("page:{}", n.id),
                format!("{}{}", "— ".repeat(depth), n.title),
            )
        })
        .collect();
    let targets = vec![
        TargetGroup {
            label: theme.message("menu_target_site"),
            options: std::iter::once(("home".to_owned(), theme.message("home")))
                .chain(EntryKind::ALL.into_iter().map(|k| {
                    (
                        format!("kind:{}", k.as_str()),
                        theme.message(&format!("kind_{}_plural", k.as_str())),
                    )
                }))
                .chain(std::iter::once((
                    "documents".to_owned(),
                    theme.message("documents_title"),
                )))
                .chain(std::iter::once((
                    "url".to_owned(),
                    theme.message("menu_target_url"),
                )))
                .collect(),
        },
        TargetGroup {
            label: theme.message("admin_categories"),
            options: categories
                .iter()
                .map(|(id, name)| (format!("category:{id}"), name.clone()))
                .collect(),
        },
        TargetGroup {
            label: theme.message("admin_pages"),
            options: page_choices,
        },
    ];
    let notice = crate::web::public::query(req)?
        .get("done")
        .and_then(|d| ["saved", "deleted"].into_iter().find(|n| n == d));
    let view = MenusPage {
        admin: AdminBase::new(state, req, base, staff),
        menus: forms,
        targets,
        errors,
        notice,
    };
    page_view(staff.theme(state), "admin/menus.html", &view, status)
}

/// Checks an item against the stored ones: its parent is a top-level
/// item of the same menu, not itself, and an item with a submenu stays
/// at the top (one level).
fn check_tree(
    items: &[MenuItem],
    which: Menu,
    id: Option<i32>,
    parent: Option<i32>,
) -> Result<(), Problem> {
    let Some(parent) = parent else { return Ok(()) };
    let ok = Some(parent) != id
        && items
            .iter()
            .any(|i| i.id == parent && i.menu == which.as_str() && i.parent_id.is_none())
        && id.is_none_or(|id| !items.iter().any(|i| i.parent_id == Some(id)));
    if ok {
        Ok(())
    } else {
        Err(Problem::at("parent_id", "menu_parent_invalid"))
    }
}

/// `POST /admin/menus`: a new item in the menu named by `menu`.
pub async fn create(
    state: web::Data<AppState>,
    req: HttpRequest,
    staff: Staff,
    form_data: Fields,
) -> Result<HttpResponse, AppError> {
    let which =
        Menu::parse(field(&form_data, "menu")).ok_or(AppError::BadRequest("error_400_text"))?;
    save(state, req, staff, which, None, form_data).await
}

/// `POST /admin/menus/{id}`: `action=save` or `action=delete`.
pub async fn update(
    state: web::Data<AppState>,
    req: HttpRequest,
    staff: Staff,
    id: web::Path<i32>,
    form_data: Fields,
) -> Result<HttpResponse, AppError> {
    let id = id.into_inner();
    if field(&form_data, "action") == "delete" {
        let allowed = staff.role().administers();
        super::change(
            &state,
            &req,
            &staff,
            field(&form_data, "csrf_token"),
            allowed,
            move |conn, auditor| {
                let item = menus::find(conn, id)?.ok_or(AppError::NotFound)?;
                crate::storage::write(conn, |conn| menus::delete(conn, id))?;
                auditor.record(conn, "menu.delete", &id.to_string(), &item.label)
            },
        )
        .await?;
        return Ok(see_other("/admin/menus?done=deleted"));
    }
    staff.check_csrf(&state, field(&form_data, "csrf_token"))?;
    let item = db::run(&state, move |conn| Ok(menus::find(conn, id)?))
        .await?
        .ok_or(AppError::NotFound)?;
    let which = Menu::parse(&item.menu).ok_or_else(|| AppError::internal("unknown menu"))?;
    save(state, req, staff, which, Some(id), form_data).await
}

async fn save(
    state: web::Data<AppState>,
    req: HttpRequest,
    staff: Staff,
    which: Menu,
    id: Option<i32>,
    form_data: Fields,
) -> Result<HttpResponse, AppError> {
    staff.check_csrf(&state, field(&form_data, "csrf_token"))?;
    staff.require(staff.role().administers())?;
    let input = input_from(&form_data);
    let key = id.map_or_else(|| format!("new-{}", which.as_str()), |i| i.to_string());
    let auditor = super::auditor(&state, &req, &staff);
    let checked = menu::validate(&input);
    let typed = input.clone();
    let outcome = db::run(&state, move |conn| {
        let valid = match checked {
            Ok(v) => v,
            Err(problems) => return Ok(Err(problems)),
        };
        crate::storage::write(conn, |conn| {
            let items = menus::all(conn)?;
            if let Err(p) = check_tree(&items, which, id, valid.parent_id) {
                return Ok(Err(vec![p]));
            }
            let (target, url) = valid.target.stored();
            let data = ItemData {
                menu: which.as_str().to_owned(),
                parent_id: valid.parent_id,
                position: valid.position,
                label: valid.label.clone(),
                target,
                url,
            };
            let (action, saved) = match id {
                Some(id) => {
                    menus::update(conn, id, &data)?;
                    ("menu.update", id)
                }
                None => ("menu.create", menus::insert(conn, &data)?),
            };
            auditor.record(conn, action, &saved.to_string(), &valid.label)?;
            Ok(Ok(()))
        })
    })
    .await?;
    match outcome {
        Ok(()) => Ok(see_other("/admin/menus?done=saved")),
        Err(problems) => {
            let refused = Refused {
                key,
                values: typed,
                problems,
            };
            render(
                &state,
                &req,
                &staff,
                Some(refused),
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
    }
}
