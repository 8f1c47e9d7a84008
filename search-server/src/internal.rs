//! Organisations' internal labour markets on the server. Their vacancies live in indexes of
//! their own beside the public one (`<index>/org-<slug>/`, written by the indexer), so that
//! nothing the public index serves (hits, facet counts, suggestions, the map, employer
//! histories, feeds) can hold one. A member's search runs on the public index and, beside it,
//! on each of their organisations' indexes; whether a viewer is a member is the portal's
//! question (see `portal::organisations`), asked before any of this is read.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use vindwerk_indexer::index::{IndexHandle, current_generation, internal_root};

use crate::error::ApiError;
use crate::params::SearchRequest;
use crate::search::{SearchResults, search};
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

    /// The index of organisation `slug`, opened at its live generation on first use (the
    /// state's follower moves it on, see [`refresh`](Self::refresh)); `None` when it has
    /// none (no internal source of it was ever indexed).
    pub fn get(&self, slug: &str) -> Result<Option<Arc<InternalIndex>>, ApiError> {
        let Some(root) = &self.root else {
            return Ok(None);
        };
        let mut open = self.opened();
        if let Some(index) = open.get(slug) {
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

impl InternalIndexes {
    /// The indexes opened so far. A poisoned lock only means a panic while inserting an
    /// `Arc`: the map is still whole.
    fn opened(&self) -> MutexGuard<'_, HashMap<String, Arc<InternalIndex>>> {
        self.open.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Follows each opened index to its newly published generation (called with the public
    /// index's refresh, never on a request). Failures are logged; the index keeps serving
    /// the generation it has.
    pub fn refresh(&self) {
        // Refreshed outside the lock, so that no member's search waits for the disk.
        let open: Vec<(String, Arc<InternalIndex>)> = self
            .opened()
            .iter()
            .map(|(slug, index)| (slug.clone(), Arc::clone(index)))
            .collect();
        for (slug, index) in open {
            if let Err(error) = index.handle.refresh() {
                tracing::warn!(%error, organisation = %slug, "cannot refresh an internal index");
            }
        }
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
            let context = state.search_context(&snapshot, &vocabulary);
            search(&request, &context).map(Some)
        })
        .await
}
