//! The search server: the JSON search API of CONTRACT.md, the portal's search pages, and the
//! OpenAPI document, as one axum [`Router`] built by [`app`].
//!
//! It owns query parsing ([`params`], [`understand`]), search execution on the live index
//! generation with disjunctive facets and distance ([`search`]), every wire shape (JSON and
//! HTML), and the one error shape ([`error`]). It does not write the index (the indexer's
//! generations do) nor the store; it reads vacancy details through [`VacancySource`], places
//! through [`PlaceLookup`], and follows new index generations through the indexer's
//! `IndexHandle` ([`AppState::follow_index`]), so a swap never fails a request: a search
//! keeps the snapshot it started with.
//!
//! The binary calls:
//! ```text
//! let index = Arc::new(IndexHandle::open(&index_dir)?);
//! let vacancies = Arc::new(StoreVacancies::open(&db_path)?);
//! let state = AppState::new(index, vacancies, Arc::new(Gazetteer::load()?))
//!     .with_synonyms(Synonyms::from_esco(&Occupations::load()?));
//! state.follow_index();
//! axum::serve(listener, vindwerk_search_server::app(state)).await?;
//! ```

pub mod api;
pub mod collect;
pub mod cursor;
pub mod error;
pub mod export;
pub mod geo;
pub mod history;
pub mod internal;
pub mod map;
pub mod openapi;
pub mod ordinals;
pub mod pages;
pub mod params;
pub mod portal;
pub mod search;
pub mod snippet;
pub mod state;
pub mod text;
pub mod understand;
pub mod vocabulary;

use axum::Router;
use axum::http::{HeaderValue, header};
use axum::routing::get;
use tower_http::compression::CompressionLayer;
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::trace::TraceLayer;

pub use error::{ApiError, ErrorCode};
pub use geo::{GeoPoint, Place, PlaceLookup, PlaceTable, haversine_km};
pub use params::SearchRequest;
pub use portal::{Portal, PortalConfig};
pub use search::SearchResults;
pub use state::{AppState, StoreVacancies, VacancyMap, VacancySource};
pub use vocabulary::Synonyms;

/// The paths of the JSON API, as the router and the OpenAPI document name them.
pub mod routes {
    pub const SEARCH: &str = "/api/search";
    pub const EXPORT: &str = "/api/search.csv";
    pub const VACANCY: &str = "/api/vacancies/{id}";
    pub const SIMILAR: &str = "/api/vacancies/{id}/similar";
    pub const SUGGEST: &str = "/api/suggest";
    pub const MAP: &str = "/api/map";
    pub const EMPLOYER_HISTORY: &str = "/api/employers/{name}/history";
    /// `{file}` is `{id}.csv`; answers only with the list's key (`?token=`).
    pub const SHORTLIST_CSV: &str = "/api/shortlists/{file}";
    pub const OPENAPI: &str = "/api/openapi.json";
    pub const HEALTH: &str = "/healthz";
    /// Every API route; the OpenAPI document must describe each.
    pub const API: &[&str] = &[
        SEARCH,
        EXPORT,
        VACANCY,
        SIMILAR,
        SUGGEST,
        MAP,
        EMPLOYER_HISTORY,
        SHORTLIST_CSV,
        OPENAPI,
        HEALTH,
    ];
}

const CONTENT_SECURITY_POLICY: &str = "default-src 'self'; img-src 'self' data:; frame-ancestors 'none'; base-uri 'none'; form-action 'self'";

/// The whole server: JSON API and pages.
pub fn app(state: AppState) -> Router {
    let api = Router::new()
        .route(routes::SEARCH, get(api::search_handler))
        .route(routes::EXPORT, get(export::export_handler))
        .route(routes::VACANCY, get(api::vacancy_handler))
        .route(routes::SIMILAR, get(api::similar_handler))
        .route(routes::SUGGEST, get(api::suggest_handler))
        .route(routes::MAP, get(map::map_handler))
        .route(routes::EMPLOYER_HISTORY, get(history::history_handler))
        .route(
            routes::OPENAPI,
            get(|| async { axum::Json(openapi::document()) }),
        )
        .route(routes::HEALTH, get(api::health_handler))
        .route("/api/{*rest}", get(api::api_not_found))
        .route("/", get(pages::search_page))
        .route("/vacature/{id}", get(pages::vacancy_page))
        .route("/kaart", get(pages::map_page))
        .route("/werkgever/{name}", get(pages::employer_page))
        .route("/static/vindwerk.css", get(pages::style))
        .route("/static/vindwerk.js", get(pages::script))
        .merge(portal::routes())
        .fallback(pages::not_found_page)
        .method_not_allowed_fallback(|| async { ApiError::MethodNotAllowed });
    api.with_state(state)
        .layer(SetResponseHeaderLayer::if_not_present(
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        ))
        // Pages load only their own stylesheet and script: injected markup could run nothing.
        .layer(SetResponseHeaderLayer::if_not_present(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(CONTENT_SECURITY_POLICY),
        ))
        .layer(CompressionLayer::new())
        .layer(TraceLayer::new_for_http())
}
