//! The provider catalogue and trajectories. Anyone browses the offerings of approved
//! providers at `/aanbod` (filtered by kind, region, online and words); a signed-in person
//! registers a provider at `/aanbieders`, which an operator approves; the people of a provider
//! edit only its own offerings. A seeker composes a trajectory of chosen offerings with their
//! status at `/traject`; the coaches of the tables a seeker sits at read it at
//! `/traject/coach`.

use std::sync::Arc;

use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use chrono::Utc;
use serde::Deserialize;
use vindwerk_model::Role;
use vindwerk_store::{OFFERING_KINDS, Offering, Provider, TRAJECTORY_STATUSES, TrajectoryItem};

use super::circle::{clip, is_seeker};
use super::session::{PageError, SignedIn, Viewer, check_csrf};
use super::{CsrfForm, Portal, new_id, portal, with_store};
use crate::AppState;
use crate::pages::render;

const MAX_TITLE_CHARS: usize = 200;
const MAX_TEXT_CHARS: usize = 4000;
const MAX_SHORT_CHARS: usize = 100;
const MAX_LINK_CHARS: usize = 500;
/// The highest price accepted, in euros.
const MAX_PRICE: f64 = 100_000.0;

pub(crate) fn kind_label(kind: &str) -> &'static str {
    match kind {
        "training" => "Training of cursus",
        "coaching" => "Coaching",
        "workshop" => "Workshop",
        "advice" => "Advies",
        _ => "Anders",
    }
}

pub(crate) fn status_label(status: &str) -> &'static str {
    match status {
        "interested" => "Interesse",
        "enrolled" => "Ingeschreven",
        "done" => "Afgerond",
        _ => "Onbekend",
    }
}

/// An offering as the pages show it.
struct OfferingView {
    id: String,
    provider_name: String,
    kind: String,
    kind_label: &'static str,
    title: String,
    description: String,
    price: String,
    /// The price as the edit form shows it.
    price_input: String,
    duration: String,
    region: String,
    online: bool,
    where_label: String,
    link: String,
}

impl From<&Offering> for OfferingView {
    fn from(offering: &Offering) -> OfferingView {
        let price = match offering.price_euros {
            Some(price) if price > 0.0 => format!("€ {}", euros(price)),
            Some(_) => "gratis".to_owned(),
            None => "prijs op aanvraag".to_owned(),
        };
        let region = offering.region.clone().unwrap_or_default();
        let where_label = match (offering.online, region.is_empty()) {
            (true, true) => "online".to_owned(),
            (true, false) => format!("online en in {region}"),
            (false, true) => "in heel Nederland".to_owned(),
            (false, false) => format!("in {region}"),
        };
        OfferingView {
            id: offering.id.clone(),
            provider_name: offering.provider_name.clone(),
            kind: offering.kind.clone(),
            kind_label: kind_label(&offering.kind),
            title: offering.title.clone(),
            description: offering.description.clone(),
            price,
            price_input: offering.price_euros.map(euros).unwrap_or_default(),
            duration: offering.duration.clone(),
            region,
            online: offering.online,
            where_label,
            link: offering.link.clone(),
        }
    }
}

/// "1.250" or "99,50".
fn euros(amount: f64) -> String {
    if amount.fract() == 0.0 {
        crate::pages::thousands(amount as u64)
    } else {
        format!("{amount:.2}").replace('.', ",")
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct CatalogueQuery {
    q: String,
    kind: String,
    region: String,
    online: String,
}

#[derive(Template)]
#[template(path = "catalogue.html")]
struct CataloguePage<'a> {
    query: &'a CatalogueQuery,
    kinds: Vec<(&'static str, &'static str)>,
    regions: Vec<String>,
    offerings: Vec<OfferingView>,
    /// For a signed-in seeker: the form that puts an offering in their trajectory.
    csrf: Option<String>,
    chosen: Vec<String>,
}

/// `GET /aanbod`: the offerings of approved providers.
pub async fn catalogue_page(
    State(state): State<AppState>,
    viewer: Viewer,
    Query(query): Query<CatalogueQuery>,
) -> Result<Response, PageError> {
    let portal = portal(&state)?;
    let seeker = viewer
        .session
        .as_ref()
        .filter(|session| is_seeker(&session.user))
        .map(|session| (session.user.id.clone(), session.csrf.clone()));
    let owner = seeker.as_ref().map(|(id, _)| id.clone());
    let (offerings, chosen) = with_store(&portal, move |store| {
        let chosen = match &owner {
            Some(owner) => store
                .trajectory(owner)?
                .into_iter()
                .map(|item| item.offering.id)
                .collect(),
            None => Vec::new(),
        };
        Ok((store.offerings(None)?, chosen))
    })
    .await?;
    let mut regions: Vec<String> = offerings
        .iter()
        .filter_map(|offering| offering.region.clone())
        .collect();
    regions.sort();
    regions.dedup();
    let words: Vec<String> = query.q.split_whitespace().map(str::to_lowercase).collect();
    let shown = offerings
        .iter()
        .filter(|offering| query.kind.is_empty() || offering.kind == query.kind)
        .filter(|offering| {
            query.region.is_empty()
                || offering.region.as_deref() == Some(query.region.as_str())
                || (offering.region.is_none() && !offering.online)
        })
        .filter(|offering| query.online.is_empty() || offering.online)
        .filter(|offering| {
            let text = format!(
                "{} {} {}",
                offering.title, offering.description, offering.provider_name
            )
            .to_lowercase();
            words.iter().all(|word| text.contains(word.as_str()))
        })
        .map(OfferingView::from)
        .collect();
    Ok(render(
        StatusCode::OK,
        &CataloguePage {
            query: &query,
            kinds: OFFERING_KINDS
                .iter()
                .map(|kind| (*kind, kind_label(kind)))
                .collect(),
            regions,
            offerings: shown,
            csrf: seeker.map(|(_, csrf)| csrf),
            chosen,
        },
    ))
}

#[derive(Template)]
#[template(path = "providers.html")]
struct ProvidersPage<'a> {
    mine: Vec<Provider>,
    /// Every provider, for an operator.
    all: Option<Vec<Provider>>,
    csrf: &'a str,
    problem: Option<&'a str>,
}

fn is_operator(signed_in: &SignedIn) -> bool {
    signed_in.session.user.has_role(Role::Operator)
}

/// `GET /aanbieders`: one's providers and the form that registers one; an operator sees
/// every provider, waiting ones first.
pub async fn providers_page(
    State(state): State<AppState>,
    signed_in: SignedIn,
) -> Result<Response, PageError> {
    providers_answer(&state, &signed_in, StatusCode::OK, None).await
}

async fn providers_answer(
    state: &AppState,
    signed_in: &SignedIn,
    status: StatusCode,
    problem: Option<&str>,
) -> Result<Response, PageError> {
    let portal = portal(state)?;
    let user = signed_in.session.user.id.clone();
    let operator = is_operator(signed_in);
    let (mine, all) = with_store(&portal, move |store| {
        let all = if operator {
            let mut all = store.providers()?;
            all.sort_by_key(|provider| provider.approved_at.is_some());
            Some(all)
        } else {
            None
        };
        Ok((store.providers_of(&user)?, all))
    })
    .await?;
    Ok(render(
        status,
        &ProvidersPage {
            mine,
            all,
            csrf: &signed_in.session.csrf,
            problem,
        },
    ))
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ProviderForm {
    csrf: String,
    name: String,
    website: String,
    description: String,
}

/// `POST /aanbieders`: registers a provider, waiting for an operator's approval.
pub async fn register_provider(
    State(state): State<AppState>,
    signed_in: SignedIn,
    Form(form): Form<ProviderForm>,
) -> Result<Response, PageError> {
    let portal = portal(&state)?;
    check_csrf(&signed_in.session.csrf, &form.csrf)?;
    let name = clip(&form.name, MAX_SHORT_CHARS);
    let website = clip(&form.website, MAX_LINK_CHARS);
    if name.is_empty() || !is_web_address(&website) {
        return providers_answer(
            &state,
            &signed_in,
            StatusCode::BAD_REQUEST,
            Some("Geef de naam van de aanbieder en het adres van de website (https://…)."),
        )
        .await;
    }
    let provider = Provider {
        id: new_id('p')?,
        name,
        website,
        description: clip(&form.description, MAX_TEXT_CHARS),
        approved_at: None,
        created_at: Utc::now(),
    };
    let member = signed_in.session.user.id.clone();
    let id = provider.id.clone();
    with_store(&portal, move |store| {
        Ok(store.write(|batch| batch.create_provider(&provider, &member))?)
    })
    .await?;
    Ok(Redirect::to(&format!("/aanbieders/{id}")).into_response())
}

/// An amount as people write it: "1.250", "1.250,50", "99,50", "99.50" or "450".
fn parse_euros(text: &str) -> Option<f64> {
    let normal = if text.contains(',') {
        text.replace('.', "").replace(',', ".")
    } else if text
        .rsplit_once('.')
        .is_some_and(|(_, cents)| cents.len() == 3)
    {
        text.replace('.', "")
    } else {
        text.to_owned()
    };
    normal
        .parse::<f64>()
        .ok()
        .filter(|amount| amount.is_finite())
}

/// Whether `text` is an address a browser opens as a web page (http or https, with a host).
fn is_web_address(text: &str) -> bool {
    url::Url::parse(text)
        .is_ok_and(|url| matches!(url.scheme(), "http" | "https") && url.host_str().is_some())
        && !text.contains(char::is_whitespace)
}

/// Whether `signed_in` works for provider `id`; `(provider, member)`. 404 for a provider
/// that does not exist or that neither they work for nor, as operator, approve.
async fn provider_for(
    portal: &Arc<Portal>,
    signed_in: &SignedIn,
    id: String,
) -> Result<(Provider, bool), PageError> {
    let user = signed_in.session.user.id.clone();
    let operator = is_operator(signed_in);
    with_store(portal, move |store| {
        let Some(provider) = store.provider(&id)? else {
            return Err(PageError::NotFound);
        };
        let member = store.providers_of(&user)?.iter().any(|p| p.id == id);
        if member || operator {
            Ok((provider, member))
        } else {
            Err(PageError::NotFound)
        }
    })
    .await
}

#[derive(Template)]
#[template(path = "provider.html")]
struct ProviderPage<'a> {
    provider: &'a Provider,
    member: bool,
    operator: bool,
    offerings: Vec<OfferingView>,
    kinds: Vec<(&'static str, &'static str)>,
    csrf: &'a str,
    problem: Option<String>,
}

/// `GET /aanbieders/{id}`: the provider's offerings, edited by its people; an operator
/// approves it here.
pub async fn provider_page(
    State(state): State<AppState>,
    Path(id): Path<String>,
    signed_in: SignedIn,
) -> Result<Response, PageError> {
    let portal = portal(&state)?;
    let (provider, member) = provider_for(&portal, &signed_in, id).await?;
    provider_answer(&portal, &signed_in, &provider, member, None).await
}

async fn provider_answer(
    portal: &Arc<Portal>,
    signed_in: &SignedIn,
    provider: &Provider,
    member: bool,
    problem: Option<String>,
) -> Result<Response, PageError> {
    let id = provider.id.clone();
    let offerings = with_store(portal, move |store| Ok(store.offerings(Some(&id))?)).await?;
    let status = if problem.is_some() {
        StatusCode::BAD_REQUEST
    } else {
        StatusCode::OK
    };
    Ok(render(
        status,
        &ProviderPage {
            provider,
            member,
            operator: is_operator(signed_in),
            offerings: offerings.iter().map(OfferingView::from).collect(),
            kinds: OFFERING_KINDS
                .iter()
                .map(|kind| (*kind, kind_label(kind)))
                .collect(),
            csrf: &signed_in.session.csrf,
            problem,
        },
    ))
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct OfferingForm {
    csrf: String,
    /// Empty for a new offering.
    offering: String,
    kind: String,
    title: String,
    description: String,
    price: String,
    duration: String,
    region: String,
    online: Option<String>,
    link: String,
}

/// The offering `form` describes, or what is wrong with it.
fn offering_of(form: &OfferingForm, provider: &Provider, id: String) -> Result<Offering, String> {
    if !OFFERING_KINDS.contains(&form.kind.as_str()) {
        return Err("Kies wat voor aanbod het is.".to_owned());
    }
    let title = clip(&form.title, MAX_TITLE_CHARS);
    if title.is_empty() {
        return Err("Geef het aanbod een titel.".to_owned());
    }
    let link = clip(&form.link, MAX_LINK_CHARS);
    if !link.is_empty() && !is_web_address(&link) {
        return Err("De link moet een webadres zijn (https://…).".to_owned());
    }
    let price = form.price.trim().trim_start_matches('€').trim();
    let price_euros = if price.is_empty() {
        None
    } else {
        match parse_euros(price) {
            Some(amount) if (0.0..=MAX_PRICE).contains(&amount) => Some(amount),
            _ => return Err(format!("De prijs {price:?} is geen bedrag in euro's.")),
        }
    };
    let region = clip(&form.region, MAX_SHORT_CHARS);
    Ok(Offering {
        id,
        provider: provider.id.clone(),
        provider_name: provider.name.clone(),
        kind: form.kind.clone(),
        title,
        description: clip(&form.description, MAX_TEXT_CHARS),
        price_euros,
        duration: clip(&form.duration, MAX_SHORT_CHARS),
        region: (!region.is_empty()).then_some(region),
        online: form.online.is_some(),
        link,
        updated_at: Utc::now(),
    })
}

/// `POST /aanbieders/{id}/aanbod`: the provider's people add an offering or change one of
/// theirs.
pub async fn put_offering(
    State(state): State<AppState>,
    Path(id): Path<String>,
    signed_in: SignedIn,
    Form(form): Form<OfferingForm>,
) -> Result<Response, PageError> {
    let portal = portal(&state)?;
    check_csrf(&signed_in.session.csrf, &form.csrf)?;
    let (provider, member) = provider_for(&portal, &signed_in, id).await?;
    if !member {
        return Err(PageError::Forbidden);
    }
    let offering_id = if form.offering.is_empty() {
        new_id('o')?
    } else {
        form.offering.clone()
    };
    let offering = match offering_of(&form, &provider, offering_id) {
        Ok(offering) => offering,
        Err(problem) => {
            return provider_answer(&portal, &signed_in, &provider, member, Some(problem)).await;
        }
    };
    let editing = !form.offering.is_empty();
    let provider_id = provider.id.clone();
    with_store(&portal, move |store| {
        if editing
            && store
                .offering(&offering.id)?
                .is_none_or(|existing| existing.provider != provider_id)
        {
            return Err(PageError::NotFound);
        }
        Ok(store.write(|batch| batch.put_offering(&offering))?)
    })
    .await?;
    Ok(Redirect::to(&format!("/aanbieders/{}", provider.id)).into_response())
}

/// `POST /aanbieders/{id}/aanbod/{offering}/weg`
pub async fn delete_offering(
    State(state): State<AppState>,
    Path((id, offering)): Path<(String, String)>,
    signed_in: SignedIn,
    Form(form): Form<CsrfForm>,
) -> Result<Response, PageError> {
    let portal = portal(&state)?;
    check_csrf(&signed_in.session.csrf, &form.csrf)?;
    let (provider, member) = provider_for(&portal, &signed_in, id).await?;
    if !member {
        return Err(PageError::Forbidden);
    }
    let provider_id = provider.id.clone();
    let deleted = with_store(&portal, move |store| {
        Ok(store.write(|batch| batch.delete_offering(&provider_id, &offering))?)
    })
    .await?;
    if !deleted {
        return Err(PageError::NotFound);
    }
    Ok(Redirect::to(&format!("/aanbieders/{}", provider.id)).into_response())
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ApproveForm {
    csrf: String,
    approved: String,
}

/// `POST /aanbieders/{id}/goedkeuren`: an operator approves a provider (`approved=ja`) or
/// withdraws the approval; its offerings enter or leave the catalogue.
pub async fn approve_provider(
    State(state): State<AppState>,
    Path(id): Path<String>,
    signed_in: SignedIn,
    Form(form): Form<ApproveForm>,
) -> Result<Response, PageError> {
    let portal = portal(&state)?;
    check_csrf(&signed_in.session.csrf, &form.csrf)?;
    let (provider, _) = provider_for(&portal, &signed_in, id).await?;
    if !is_operator(&signed_in) {
        return Err(PageError::Forbidden);
    }
    let approved_at = (form.approved == "ja").then(Utc::now);
    let provider_id = provider.id.clone();
    with_store(&portal, move |store| {
        Ok(store.write(|batch| batch.approve_provider(&provider_id, approved_at))?)
    })
    .await?;
    Ok(Redirect::to(&format!("/aanbieders/{}", provider.id)).into_response())
}

struct ItemView {
    offering: OfferingView,
    status: String,
    status_label: &'static str,
    note: String,
    updated: String,
}

impl From<&TrajectoryItem> for ItemView {
    fn from(item: &TrajectoryItem) -> ItemView {
        ItemView {
            offering: OfferingView::from(&item.offering),
            status: item.status.clone(),
            status_label: status_label(&item.status),
            note: item.note.clone(),
            updated: super::amsterdam(item.updated_at)
                .format("%d-%m-%Y")
                .to_string(),
        }
    }
}

#[derive(Template)]
#[template(path = "trajectory.html")]
struct TrajectoryPage<'a> {
    /// (id, name, items) per seeker: one's own, or a coach's seekers'.
    seekers: Vec<(String, String, Vec<ItemView>)>,
    own: bool,
    statuses: Vec<(&'static str, &'static str)>,
    csrf: &'a str,
}

/// `GET /traject`: one's trajectory (seekers).
pub async fn trajectory_page(
    State(state): State<AppState>,
    signed_in: SignedIn,
) -> Result<Response, PageError> {
    let portal = portal(&state)?;
    if !is_seeker(&signed_in.session.user) {
        return Err(PageError::Forbidden);
    }
    let owner = signed_in.session.user.id.clone();
    let items = with_store(&portal, move |store| Ok(store.trajectory(&owner)?)).await?;
    Ok(render(
        StatusCode::OK,
        &TrajectoryPage {
            seekers: vec![(
                signed_in.session.user.id.to_string(),
                signed_in.session.user.name.clone(),
                items.iter().map(ItemView::from).collect(),
            )],
            own: true,
            statuses: TRAJECTORY_STATUSES
                .iter()
                .map(|status| (*status, status_label(status)))
                .collect(),
            csrf: &signed_in.session.csrf,
        },
    ))
}

/// `GET /traject/coach`: the trajectories of the seekers at one's tables (coaches).
pub async fn coach_trajectories_page(
    State(state): State<AppState>,
    signed_in: SignedIn,
) -> Result<Response, PageError> {
    let portal = portal(&state)?;
    if !signed_in.session.user.has_role(Role::Coach) {
        return Err(PageError::Forbidden);
    }
    let coach = signed_in.session.user.id.clone();
    let seekers = with_store(&portal, move |store| {
        let mut seekers = Vec::new();
        for (seeker, name) in store.seekers_of_coach(&coach)? {
            let items = store.trajectory(&seeker)?;
            seekers.push((
                seeker.to_string(),
                name,
                items.iter().map(ItemView::from).collect(),
            ));
        }
        Ok(seekers)
    })
    .await?;
    Ok(render(
        StatusCode::OK,
        &TrajectoryPage {
            seekers,
            own: false,
            statuses: Vec::new(),
            csrf: &signed_in.session.csrf,
        },
    ))
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct TrajectoryForm {
    csrf: String,
    offering: String,
    status: String,
    note: String,
}

/// `POST /traject`: a seeker puts an offering of the catalogue in their trajectory, or
/// changes its status and note.
pub async fn put_in_trajectory(
    State(state): State<AppState>,
    signed_in: SignedIn,
    Form(form): Form<TrajectoryForm>,
) -> Result<Response, PageError> {
    let portal = portal(&state)?;
    check_csrf(&signed_in.session.csrf, &form.csrf)?;
    if !is_seeker(&signed_in.session.user) {
        return Err(PageError::Forbidden);
    }
    let status = if form.status.is_empty() {
        "interested".to_owned()
    } else {
        form.status.clone()
    };
    if !TRAJECTORY_STATUSES.contains(&status.as_str()) {
        return Err(PageError::NotFound);
    }
    let seeker = signed_in.session.user.id.clone();
    let note = clip(&form.note, MAX_TEXT_CHARS);
    let offering = form.offering.clone();
    with_store(&portal, move |store| {
        // An offering already chosen stays choosable; a new one must be in the catalogue.
        let chosen = store
            .trajectory(&seeker)?
            .iter()
            .any(|item| item.offering.id == offering);
        if !chosen && !store.offering_listed(&offering)? {
            return Err(PageError::NotFound);
        }
        Ok(store.write(|batch| {
            batch.put_in_trajectory(&seeker, &offering, &status, &note, Utc::now())
        })?)
    })
    .await?;
    Ok(Redirect::to("/traject").into_response())
}

/// `POST /traject/{offering}/weg`
pub async fn take_from_trajectory(
    State(state): State<AppState>,
    Path(offering): Path<String>,
    signed_in: SignedIn,
    Form(form): Form<CsrfForm>,
) -> Result<Response, PageError> {
    let portal = portal(&state)?;
    check_csrf(&signed_in.session.csrf, &form.csrf)?;
    if !is_seeker(&signed_in.session.user) {
        return Err(PageError::Forbidden);
    }
    let seeker = signed_in.session.user.id.clone();
    let taken = with_store(&portal, move |store| {
        Ok(store.write(|batch| batch.take_from_trajectory(&seeker, &offering))?)
    })
    .await?;
    if !taken {
        return Err(PageError::NotFound);
    }
    Ok(Redirect::to("/traject").into_response())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prices_are_read_as_people_write_them() {
        for (text, amount) in [
            ("450", Some(450.0)),
            ("1.250", Some(1250.0)),
            ("1.250,50", Some(1250.5)),
            ("99,50", Some(99.5)),
            ("99.50", Some(99.5)),
            ("gratis", None),
            ("inf", None),
        ] {
            assert_eq!(parse_euros(text), amount, "{text}");
        }
        assert_eq!(euros(1250.0), "1.250");
        assert_eq!(euros(99.5), "99,50");
        assert_eq!(parse_euros(&euros(1250.0)), Some(1250.0));
    }
}
