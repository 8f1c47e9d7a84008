//! The home page of a signed-in person (`/mijn`): for a seeker the week at a glance, what is
//! new for their saved searches and the pluimen they received lately; for a circle member the
//! seekers they follow; for a coach their Werkestafettes; and the way to everything else.

use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use vindwerk_model::Role;

use super::circle::{Week, week_at_a_glance};
use super::saved::{canonical_query, counts};
use super::session::{PageError, SignedIn};
use super::{portal, with_store};
use crate::AppState;
use crate::pages::render;

/// Pluimen listed on the home page, the newest.
const RECENT_KUDOS: usize = 5;

#[derive(Template)]
#[template(path = "home.html")]
struct HomePage<'a> {
    name: &'a str,
    seeker: bool,
    coach: bool,
    week: Option<Week>,
    /// (id, name, new since the last visit) per saved search.
    searches: Vec<(String, String, u64)>,
    /// (who, message, on which step) of the newest pluimen.
    kudos: Vec<(String, String, String)>,
    /// (id, name) of the seekers whose circle one is in.
    following: Vec<(String, String)>,
    /// (id, name) of one's Werkestafette rounds.
    rounds: Vec<(String, String)>,
    /// (slug, name) of the organisations whose internal vacancies one sees.
    organisations: Vec<(String, String)>,
}

/// `GET /mijn`
pub async fn home_page(
    State(state): State<AppState>,
    signed_in: SignedIn,
) -> Result<Response, PageError> {
    let portal = portal(&state)?;
    let user = signed_in.session.user.clone();
    let seeker = user.has_role(Role::Seeker);
    let id = user.id.clone();
    let (actions, kudos, saved, following, rounds, organisations) =
        with_store(&portal, move |store| {
            let (actions, kudos, saved) = if seeker {
                (
                    store.actions_of(&id, false)?,
                    store.kudos_for_seeker(&id)?,
                    store.saved_searches_of(&id)?,
                )
            } else {
                (Vec::new(), Vec::new(), Vec::new())
            };
            Ok((
                actions,
                kudos,
                saved,
                store.circles_joined(&id)?,
                store.rounds_of(&id)?,
                store.memberships_of(&id)?,
            ))
        })
        .await?;
    let mut searches = Vec::new();
    for search in &saved {
        if let Ok((request, _)) = canonical_query(&search.query)
            && let Ok((_, new)) = counts(&state, &request, search.visited_at).await
        {
            searches.push((search.id.clone(), search.name.clone(), new));
        }
    }
    let mut newest: Vec<&vindwerk_store::Kudos> = kudos.iter().collect();
    newest.sort_by_key(|k| std::cmp::Reverse(k.given_at));
    let recent = newest
        .into_iter()
        .take(RECENT_KUDOS)
        .map(|k| {
            let step = actions
                .iter()
                .find(|a| a.id == k.action)
                .map(|a| {
                    if a.position.is_empty() {
                        a.kind.label().to_owned()
                    } else {
                        format!("{}: {}", a.kind.label(), a.position)
                    }
                })
                .unwrap_or_default();
            (k.member_name.clone(), k.message.clone(), step)
        })
        .collect();
    let page = HomePage {
        name: &user.name,
        seeker,
        coach: user.has_role(Role::Coach),
        week: seeker.then(|| week_at_a_glance(&actions, &kudos, super::today_in_amsterdam())),
        searches,
        kudos: recent,
        following: following
            .into_iter()
            .map(|person| (person.user.to_string(), person.name))
            .collect(),
        rounds: rounds.into_iter().map(|r| (r.id, r.name)).collect(),
        organisations: organisations
            .into_iter()
            .map(|m| (m.organisation.slug, m.organisation.name))
            .collect(),
    };
    Ok(render(StatusCode::OK, &page))
}
