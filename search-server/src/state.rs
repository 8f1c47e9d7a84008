//! What the handlers share: the live index, where vacancy details come from, the gazetteer,
//! the ESCO synonyms, and the vocabulary derived from the index generation being served.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, Weak};
use std::thread;
use std::thread::JoinHandle;
use std::time::Duration;

use chrono::{NaiveDate, Utc};
use vindwerk_indexer::index::{IndexHandle, IndexSnapshot};
use vindwerk_model::{Vacancy, VacancyId};
use vindwerk_store::{Store, StoreError};

use crate::error::ApiError;
use crate::geo::PlaceLookup;
use crate::internal::InternalIndexes;
use crate::portal::Portal;
use crate::search::SearchContext;
use crate::vocabulary::{Synonyms, Vocabulary, VocabularyCache};

/// How often the index handle looks for a newly published generation: well within the
/// second in which new results must show.
pub const INDEX_REFRESH: Duration = Duration::from_millis(250);

/// Where `/api/vacancies/{id}` and the vacancy page read a vacancy as the export has it: the
/// store in the binary, a map in tests. Called on a blocking thread.
pub trait VacancySource: Send + Sync {
    /// The vacancy `id` if everyone may see it, `None` when there is none (or it belongs to
    /// an organisation's internal labour market); an error is a failure to read.
    fn vacancy(&self, id: &VacancyId) -> Result<Option<Vacancy>, String> {
        Ok(self
            .any_vacancy(id)?
            .filter(|vacancy| vacancy.audience.is_public()))
    }

    /// The vacancy `id` whoever may see it: only for a caller that checks its audience
    /// against the viewer (see `internal::internal_vacancy`).
    fn any_vacancy(&self, id: &VacancyId) -> Result<Option<Vacancy>, String>;
}

/// Vacancies in memory, by id: for tests and for a demo without a store.
#[derive(Debug, Clone, Default)]
pub struct VacancyMap(pub HashMap<VacancyId, Vacancy>);

impl VacancyMap {
    pub fn new(vacancies: impl IntoIterator<Item = Vacancy>) -> VacancyMap {
        VacancyMap(vacancies.into_iter().map(|v| (v.id.clone(), v)).collect())
    }
}

impl VacancySource for VacancyMap {
    fn any_vacancy(&self, id: &VacancyId) -> Result<Option<Vacancy>, String> {
        Ok(self.0.get(id).cloned())
    }
}

/// Vacancy details from the store file, through read-only connections (readers never block
/// the indexer writing it). Connections are kept for reuse, one per concurrent reader.
pub struct StoreVacancies {
    path: PathBuf,
    idle: Mutex<Vec<Store>>,
}

impl StoreVacancies {
    /// Opens the store at `path` read-only once now, so that a wrong path fails at start.
    pub fn open(path: &Path) -> Result<StoreVacancies, StoreError> {
        let store = Store::open_readonly(path)?;
        Ok(StoreVacancies {
            path: path.to_owned(),
            idle: Mutex::new(vec![store]),
        })
    }

    fn take(&self) -> Result<Store, StoreError> {
        let idle = match self.idle.lock() {
            Ok(mut idle) => idle.pop(),
            Err(poisoned) => poisoned.into_inner().pop(),
        };
        match idle {
            Some(store) => Ok(store),
            None => Store::open_readonly(&self.path),
        }
    }

    fn give_back(&self, store: Store) {
        let mut idle = match self.idle.lock() {
            Ok(idle) => idle,
            Err(poisoned) => poisoned.into_inner(),
        };
        if idle.len() < MAX_IDLE_CONNECTIONS {
            idle.push(store);
        }
    }
}

/// Read-only connections kept open between requests.
const MAX_IDLE_CONNECTIONS: usize = 8;

impl VacancySource for StoreVacancies {
    fn any_vacancy(&self, id: &VacancyId) -> Result<Option<Vacancy>, String> {
        let store = self.take().map_err(|error| error.to_string())?;
        let found = store.vacancy(id).map_err(|error| error.to_string());
        // A connection that failed a read is dropped rather than reused.
        if found.is_ok() {
            self.give_back(store);
        }
        found
    }
}

/// The state of the server; cheap to clone (one `Arc`).
#[derive(Clone)]
pub struct AppState {
    inner: Arc<Inner>,
}

struct Inner {
    index: Arc<IndexHandle>,
    vacancies: Arc<dyn VacancySource>,
    places: Arc<dyn PlaceLookup>,
    synonyms: Arc<Synonyms>,
    vocabulary: VocabularyCache,
    /// A fixed "today" for tests; the clock's UTC day otherwise.
    today: Option<NaiveDate>,
    /// The portal's writable store; without it the portal's pages answer 503.
    portal: Option<Arc<Portal>>,
    /// Organisations' internal labour markets, for their members.
    internal: Arc<InternalIndexes>,
}

impl AppState {
    /// A state serving `index`, reading details from `vacancies` and places from `places`
    /// (the indexer's `Gazetteer` implements [`PlaceLookup`]). Without
    /// [`with_synonyms`](Self::with_synonyms) no ESCO synonyms are used.
    pub fn new(
        index: Arc<IndexHandle>,
        vacancies: Arc<dyn VacancySource>,
        places: Arc<dyn PlaceLookup>,
    ) -> AppState {
        AppState {
            inner: Arc::new(Inner {
                index,
                vacancies,
                places,
                synonyms: Arc::new(Synonyms::default()),
                vocabulary: VocabularyCache::default(),
                today: None,
                portal: None,
                internal: Arc::new(InternalIndexes::default()),
            }),
        }
    }

    /// Uses `synonyms` (from the ESCO occupation labels) to expand query words.
    pub fn with_synonyms(self, synonyms: Synonyms) -> AppState {
        self.rebuild(|inner| inner.synonyms = Arc::new(synonyms))
    }

    /// Counts "posted within" and freshness from `today` instead of the clock (tests).
    pub fn with_today(self, today: NaiveDate) -> AppState {
        self.rebuild(|inner| inner.today = Some(today))
    }

    /// Serves the portal (accounts, circles, shortlists) on `portal`'s store.
    pub fn with_portal(self, portal: Portal) -> AppState {
        let portal = Arc::new(portal);
        self.rebuild(|inner| inner.portal = Some(portal))
    }

    /// Serves the internal labour markets whose indexes lie under `root`, the public
    /// index's directory, to their organisations' members.
    pub fn with_internal_indexes(self, root: &Path) -> AppState {
        let internal = Arc::new(InternalIndexes::under(root));
        self.rebuild(|inner| inner.internal = internal)
    }

    pub fn internal_indexes(&self) -> &InternalIndexes {
        &self.inner.internal
    }

    /// The portal, when the server has one.
    pub fn portal(&self) -> Option<&Arc<Portal>> {
        self.inner.portal.as_ref()
    }

    fn rebuild(self, change: impl FnOnce(&mut Inner)) -> AppState {
        let inner = &self.inner;
        let mut next = Inner {
            index: Arc::clone(&inner.index),
            vacancies: Arc::clone(&inner.vacancies),
            places: Arc::clone(&inner.places),
            synonyms: Arc::clone(&inner.synonyms),
            vocabulary: VocabularyCache::default(),
            today: inner.today,
            portal: inner.portal.clone(),
            internal: Arc::clone(&inner.internal),
        };
        change(&mut next);
        AppState {
            inner: Arc::new(next),
        }
    }

    /// Follows newly published index generations (the public index's and the opened
    /// internal ones) on a thread of its own, every [`INDEX_REFRESH`], for as long as the
    /// state is in use. The vocabulary of the served public generation is built at once (at
    /// start and after each swap), so that no seeker's search waits for it.
    pub fn follow_index(&self) -> JoinHandle<()> {
        let weak: Weak<Inner> = Arc::downgrade(&self.inner);
        thread::spawn(move || {
            if let Some(inner) = weak.upgrade() {
                let state = AppState { inner };
                if let Err(error) = state.vocabulary(&state.snapshot()) {
                    error.log();
                }
            }
            loop {
                thread::sleep(INDEX_REFRESH);
                let Some(inner) = weak.upgrade() else {
                    return;
                };
                let state = AppState { inner };
                state.internal_indexes().refresh();
                match state.inner.index.refresh() {
                    Ok(true) => {
                        if let Err(error) = state.vocabulary(&state.snapshot()) {
                            error.log();
                        }
                    }
                    Ok(false) => {}
                    Err(error) => tracing::warn!(%error, "cannot refresh the index"),
                }
            }
        })
    }

    pub fn index(&self) -> &Arc<IndexHandle> {
        &self.inner.index
    }

    pub fn snapshot(&self) -> IndexSnapshot {
        self.inner.index.snapshot()
    }

    pub fn places(&self) -> &dyn PlaceLookup {
        self.inner.places.as_ref()
    }

    pub fn synonyms(&self) -> &Synonyms {
        &self.inner.synonyms
    }

    /// What a search on `snapshot` (the public index's, or an organisation's) runs with.
    pub fn search_context<'a>(
        &'a self,
        snapshot: &'a IndexSnapshot,
        vocabulary: &'a Arc<Vocabulary>,
    ) -> SearchContext<'a> {
        SearchContext {
            snapshot,
            vocabulary,
            synonyms: self.synonyms(),
            places: self.places(),
            today: self.today(),
        }
    }

    pub fn vacancies(&self) -> &dyn VacancySource {
        self.inner.vacancies.as_ref()
    }

    pub fn today(&self) -> NaiveDate {
        self.inner.today.unwrap_or_else(|| Utc::now().date_naive())
    }

    /// The vocabulary of `snapshot`'s generation (built on first use after a swap).
    pub fn vocabulary(&self, snapshot: &IndexSnapshot) -> Result<Arc<Vocabulary>, ApiError> {
        vocabulary_of(&self.inner.vocabulary, snapshot)
    }

    /// Runs `work` on a blocking thread: searches and store reads must not stall the reactor.
    pub async fn blocking<T: Send + 'static>(
        &self,
        work: impl FnOnce(AppState) -> Result<T, ApiError> + Send + 'static,
    ) -> Result<T, ApiError> {
        let state = self.clone();
        tokio::task::spawn_blocking(move || work(state))
            .await
            .map_err(|error| ApiError::internal(format!("search task: {error}")))?
    }
}

/// The vocabulary of `snapshot`'s generation from `cache`, built on first use.
pub fn vocabulary_of(
    cache: &VocabularyCache,
    snapshot: &IndexSnapshot,
) -> Result<Arc<Vocabulary>, ApiError> {
    let fields = &snapshot.fields;
    cache
        .get(&snapshot.searcher, || {
            Vocabulary::build(
                &snapshot.searcher,
                &[fields.title, fields.occupation_text],
                fields.title,
            )
        })
        .map_err(|error| ApiError::Unavailable(format!("index vocabulary: {error}")))
}
