//! Organisations' internal labour markets in the portal. A member sees the organisation's
//! internal vacancies beside the public ones (a box on the search page, the organisation's
//! page, the vacancy pages); an administrator of the organisation adds and removes members
//! by the email address of their account. Anyone else gets 404 for all of it: the page of an
//! organisation one does not belong to does not exist for them.

use std::sync::Arc;

use askama::Template;
use axum::Form;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use chrono::Utc;
use serde::Deserialize;
use vindwerk_model::UserId;
use vindwerk_store::{Member, Membership};

use super::session::{PageError, SignedIn, Viewer, check_csrf};
use super::{Portal, portal, with_store};
use crate::AppState;
use crate::api::read_vacancy;
use crate::api::{Pairs, pairs};
use crate::internal::internal_search;
use crate::pages::{HitView, hit_view, href_at, render};
use crate::params::{Counted, Page, SearchRequest};
use vindwerk_model::Vacancy;

/// Internal vacancies shown beside a public search.
pub const BESIDE_PUBLIC: usize = 5;
/// Internal vacancies per page of an organisation's page.
const PER_PAGE: usize = 20;

/// The organisations `viewer` belongs to; none without a session or a portal.
pub(crate) async fn memberships(state: &AppState, viewer: &Viewer) -> Vec<Membership> {
    let (Some(session), Some(portal)) = (&viewer.session, state.portal()) else {
        return Vec::new();
    };
    let user = session.user.id.clone();
    with_store(portal, move |store| Ok(store.memberships_of(&user)?))
        .await
        .inspect_err(|error| tracing::warn!(%error, "cannot read memberships"))
        .unwrap_or_default()
}

/// The internal vacancies of one organisation that match a public search.
pub(crate) struct InternalBox {
    pub(crate) slug: String,
    pub(crate) name: String,
    pub(crate) summary: String,
    pub(crate) hits: Vec<HitView>,
    pub(crate) href: String,
}

/// For each of `viewer`'s organisations with an internal index: the best few of its
/// vacancies that `request` finds. Empty for everyone else.
pub(crate) async fn beside_public(
    state: &AppState,
    viewer: &Viewer,
    request: &SearchRequest,
) -> Vec<InternalBox> {
    let mut boxes = Vec::new();
    for membership in memberships(state, viewer).await {
        let organisation = membership.organisation;
        let beside = SearchRequest {
            counted: Counted::none(),
            page: Page::Number(1),
            per_page: BESIDE_PUBLIC,
            ..request.clone()
        };
        match internal_search(state, organisation.slug.clone(), beside).await {
            Ok(Some(results)) => boxes.push(InternalBox {
                href: href_at(
                    &format!("/organisatie/{}", organisation.slug),
                    &request.to_pairs(),
                ),
                summary: count_label(results.total),
                hits: results.hits.iter().map(hit_view).collect(),
                slug: organisation.slug,
                name: organisation.name,
            }),
            Ok(None) => {}
            Err(error) => error.log(),
        }
    }
    boxes
}

/// Vacancy `id` when it belongs to the internal labour market of one of `viewer`'s
/// organisations: the vacancy and the organisation's name.
pub(crate) async fn members_vacancy(
    state: &AppState,
    viewer: &Viewer,
    id: &str,
) -> Option<(Vacancy, String)> {
    let memberships = memberships(state, viewer).await;
    if memberships.is_empty() {
        return None;
    }
    let vacancy = read_vacancy(state, id.to_owned(), |source, id| source.any_vacancy(id))
        .await
        .inspect_err(|error| error.log())
        .ok()??;
    let slug = vacancy.audience.organisation_slug()?;
    let organisation = memberships
        .into_iter()
        .find(|membership| membership.organisation.slug == slug)?
        .organisation;
    Some((vacancy, organisation.name))
}

fn count_label(total: u64) -> String {
    match total {
        0 => "geen interne vacatures".to_owned(),
        1 => "1 interne vacature".to_owned(),
        n => format!("{n} interne vacatures"),
    }
}

/// `signed_in`'s membership of organisation `slug`; 404 when they have none.
async fn membership(
    portal: &Arc<Portal>,
    signed_in: &SignedIn,
    slug: String,
) -> Result<Membership, PageError> {
    let user = signed_in.session.user.id.clone();
    with_store(portal, move |store| {
        store
            .memberships_of(&user)?
            .into_iter()
            .find(|membership| membership.organisation.slug == slug)
            .ok_or(PageError::NotFound)
    })
    .await
}

#[derive(Template)]
#[template(path = "organisation.html")]
struct OrganisationPage<'a> {
    slug: &'a str,
    name: &'a str,
    q: &'a str,
    summary: String,
    hits: Vec<HitView>,
    prev_href: Option<String>,
    next_href: Option<String>,
    /// The members, for an administrator.
    members: Option<Vec<MemberView>>,
    me: &'a str,
    csrf: &'a str,
    problem: Option<String>,
}

struct MemberView {
    id: String,
    name: String,
    email: String,
    admin: bool,
}

impl From<Member> for MemberView {
    fn from(member: Member) -> MemberView {
        MemberView {
            id: member.user.to_string(),
            name: member.name,
            email: member.email,
            admin: member.admin,
        }
    }
}

/// `GET /organisatie/{slug}`: the organisation's internal vacancies (searchable), and for its
/// administrators its members.
pub async fn organisation_page(
    State(state): State<AppState>,
    Path(slug): Path<String>,
    signed_in: SignedIn,
    query: Pairs,
) -> Result<Response, PageError> {
    let portal = portal(&state)?;
    let membership = membership(&portal, &signed_in, slug).await?;
    let request = pairs(query)
        .and_then(|pairs| SearchRequest::from_pairs(&pairs))
        .unwrap_or_default();
    show(&state, &portal, &signed_in, &membership, &request, None).await
}

async fn show(
    state: &AppState,
    portal: &Arc<Portal>,
    signed_in: &SignedIn,
    membership: &Membership,
    request: &SearchRequest,
    problem: Option<String>,
) -> Result<Response, PageError> {
    let organisation = &membership.organisation;
    let page = match request.page {
        Page::Number(page) => page,
        Page::After(_) => 1,
    };
    let paged = SearchRequest {
        counted: Counted::none(),
        page: Page::Number(page),
        per_page: PER_PAGE,
        ..request.clone()
    };
    let results = internal_search(state, organisation.slug.clone(), paged)
        .await
        .inspect_err(|error| error.log())
        .ok()
        .flatten();
    let members = if membership.admin {
        let slug = organisation.slug.clone();
        Some(
            with_store(portal, move |store| Ok(store.members_of(&slug)?))
                .await?
                .into_iter()
                .map(MemberView::from)
                .collect(),
        )
    } else {
        None
    };
    let base = format!("/organisatie/{}", organisation.slug);
    let href = |page: usize| {
        let mut pairs = request.to_pairs();
        pairs.push(("page".to_owned(), page.to_string()));
        href_at(&base, &pairs)
    };
    let total = results.as_ref().map_or(0, |results| results.total);
    let status = if problem.is_some() {
        StatusCode::BAD_REQUEST
    } else {
        StatusCode::OK
    };
    Ok(render(
        status,
        &OrganisationPage {
            slug: &organisation.slug,
            name: &organisation.name,
            q: &request.q,
            summary: count_label(total),
            hits: results
                .as_ref()
                .map(|results| results.hits.iter().map(hit_view).collect())
                .unwrap_or_default(),
            prev_href: (page > 1).then(|| href(page - 1)),
            next_href: ((page as u64) * (PER_PAGE as u64) < total).then(|| href(page + 1)),
            members,
            me: signed_in.session.user.id.as_str(),
            csrf: &signed_in.session.csrf,
            problem,
        },
    ))
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct AddMemberForm {
    csrf: String,
    email: String,
    admin: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct RemoveMemberForm {
    csrf: String,
}

/// `signed_in`'s membership of `slug` when they administer it: 404 for outsiders, 403 for
/// members.
async fn administered(
    portal: &Arc<Portal>,
    signed_in: &SignedIn,
    slug: String,
) -> Result<Membership, PageError> {
    let membership = membership(portal, signed_in, slug).await?;
    if membership.admin {
        Ok(membership)
    } else {
        Err(PageError::Forbidden)
    }
}

/// `POST /organisatie/{slug}/leden`: an administrator adds the account with an email address.
pub async fn add_member(
    State(state): State<AppState>,
    Path(slug): Path<String>,
    signed_in: SignedIn,
    Form(form): Form<AddMemberForm>,
) -> Result<Response, PageError> {
    let portal = portal(&state)?;
    check_csrf(&signed_in.session.csrf, &form.csrf)?;
    let membership = administered(&portal, &signed_in, slug.clone()).await?;
    let email = form.email.trim().to_owned();
    let admin = form.admin.is_some();
    let added = with_store(&portal, move |store| {
        let Some(user) = store.user_by_email(&email)? else {
            return Ok(None);
        };
        store.write(|batch| batch.put_member(&slug, &user.id, admin, Utc::now()))?;
        Ok(Some(user.name))
    })
    .await?;
    match added {
        Some(_) => Ok(Redirect::to(&format!(
            "/organisatie/{}",
            membership.organisation.slug
        ))
        .into_response()),
        None => {
            show(
                &state,
                &portal,
                &signed_in,
                &membership,
                &SearchRequest::default(),
                Some(format!(
                    "Er is geen account met het e-mailadres {}. Vraag je collega eerst een account aan te maken bij vindwerk.",
                    form.email.trim()
                )),
            )
            .await
        }
    }
}

/// `POST /organisatie/{slug}/leden/{user}/weg`: an administrator takes a member out; the
/// last administrator stays.
pub async fn remove_member(
    State(state): State<AppState>,
    Path((slug, user)): Path<(String, String)>,
    signed_in: SignedIn,
    Form(form): Form<RemoveMemberForm>,
) -> Result<Response, PageError> {
    let portal = portal(&state)?;
    check_csrf(&signed_in.session.csrf, &form.csrf)?;
    let membership = administered(&portal, &signed_in, slug.clone()).await?;
    let user = UserId::new(user);
    let outcome = with_store(&portal, move |store| {
        let members = store.members_of(&slug)?;
        let Some(member) = members.iter().find(|member| member.user == user) else {
            return Err(PageError::NotFound);
        };
        let admins = members.iter().filter(|member| member.admin).count();
        if member.admin && admins == 1 {
            return Ok(false);
        }
        store.write(|batch| batch.remove_member(&slug, &user))?;
        Ok(true)
    })
    .await?;
    if outcome {
        Ok(Redirect::to(&format!("/organisatie/{}", membership.organisation.slug)).into_response())
    } else {
        show(
            &state,
            &portal,
            &signed_in,
            &membership,
            &SearchRequest::default(),
            Some("De laatste beheerder blijft: maak eerst iemand anders beheerder.".to_owned()),
        )
        .await
    }
}
