//! Organisations' internal labour markets on the server. Their vacancies live in indexes of
//! their own beside the public one (`<index>/org-<slug>/`, written by the indexer), so that
//! nothing the public index serves (hits, facet counts, suggestions, the map, employer
//! histories, feeds) can hold one. A member's search runs on the public index and, beside it,
//! on each of their organisations' indexes; whether a viewer is a member is the portal's
//! question (see `portal::organisations`), asked before any of this is read.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use vindwerk_indexer::index::{IndexHandle, current_generation, internal_root};
use vindwerk_model::{Audience, Vacancy, VacancyId};

use crate::error::ApiError;
use crate::params::SearchRequest;
use crate::search::{SearchContext, SearchResults, search};
use crate::state::AppState;
use crate::vocabulary::VocabularyCache;

/// The internal indexes found under the public index's directory, opened on first use.
#[derive(Default)]
pub struct InternalIndexes {
    root: Option<PathBuf>,
    open: Mutex<HashMap<String, Arc<InternalIndex>>>,
}

/// One organisation's index and the vocabulary of its live generation.
pub struct InternalIndex {
    pub handle: IndexHandle,
    pub vocabulary: VocabularyCache,
}

impl InternalIndexes {
    /// The internal indexes under `root`, the public index's directory.
    pub fn under(root: &Path) -> InternalIndexes {
        InternalIndexes {
            root: Some(root.to_owned()),
            open: Mutex::default(),
        }
    }

    /// The index of organisation `slug`, following its newest generation; `None` when it
    /// has none (no internal source of it was ever indexed).
    pub fn get(&self, slug: &str) -> Result<Option<Arc<InternalIndex>>, ApiError> {
        let Some(root) = &self.root else {
            return Ok(None);
        };
        let mut open = match self.open.lock() {
            Ok(guard) => guard,
            Err(poisoned) => poisoned.into_inner(),
        };
        if let Some(index) = open.get(slug) {
            index.handle.refresh().map_err(|error| {
                ApiError::Unavailable(format!("internal index {slug}: {error}"))
            })?;
            return Ok(Some(Arc::clone(index)));
        }
        let path = internal_root(root, slug);
        let unavailable = |error: vindwerk_indexer::index::IndexError| {
            ApiError::Unavailable(format!("{}: {error}", path.display()))
        };
        if current_generation(&path).map_err(unavailable)?.is_none() {
            return Ok(None);
        }
        let index = Arc::new(InternalIndex {
            handle: IndexHandle::open(&path).map_err(unavailable)?,
            vocabulary: VocabularyCache::default(),
        });
        open.insert(slug.to_owned(), Arc::clone(&index));
        Ok(Some(index))
    }
}

/// Runs `request` on organisation `slug`'s internal index, for a viewer known to be one of
/// its members; `None` when the organisation has no index.
pub async fn internal_search(
    state: &AppState,
    slug: String,
    request: SearchRequest,
) -> Result<Option<SearchResults>, ApiError> {
    state
        .blocking(move |state| {
            let Some(index) = state.internal_indexes().get(&slug)? else {
                return Ok(None);
            };
            let snapshot = index.handle.snapshot();
            let vocabulary = crate::state::vocabulary_of(&index.vocabulary, &snapshot)?;
            let context = SearchContext {
                snapshot: &snapshot,
                vocabulary: &vocabulary,
                synonyms: state.synonyms(),
                places: state.places(),
                today: state.today(),
            };
            search(&request, &context).map(Some)
        })
        .await
}

/// Reads vacancy `id` of organisation `slug`'s internal labour market, for a viewer known to
/// be one of its members; `None` when there is none or it belongs to another audience.
pub async fn internal_vacancy(
    state: &AppState,
    slug: String,
    id: String,
) -> Result<Option<Vacancy>, ApiError> {
    if id.is_empty() || id.chars().count() > 200 {
        return Ok(None);
    }
    state
        .blocking(move |state| {
            let vacancy = state
                .vacancies()
                .any_vacancy(&VacancyId::new(id.clone()))
                .map_err(|error| {
                    ApiError::Unavailable(format!("reading vacancy {id:?}: {error}"))
                })?;
            Ok(vacancy.filter(|vacancy| vacancy.audience == Audience::Organisation(slug)))
        })
        .await
}
