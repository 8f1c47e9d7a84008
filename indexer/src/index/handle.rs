//! The search server's view of the index: the live generation, followed as runs publish new
//! ones.
//!
//! [`IndexHandle::refresh`] re-reads `CURRENT` and, when it names another generation, opens it
//! and swaps it in; searches already running keep the searcher they hold. The server calls it
//! on a timer ([`IndexHandle::spawn_refresher`] does so on a thread of its own), so a new
//! generation is served within a second of its publication.

use std::path::{Path, PathBuf};
use std::sync::{Arc, RwLock, Weak};
use std::thread::{self, JoinHandle};
use std::time::Duration;

use tantivy::{Index, IndexReader, ReloadPolicy, Searcher};
use tracing::{info, warn};

use super::IndexError;
use super::generation::{current_generation, open_index};
use super::schema::{Fields, register_analysers};

/// One generation as served: the index (for query parsing with its analysers), its fields and
/// a searcher over its committed state.
#[derive(Clone)]
pub struct IndexSnapshot {
    pub index: Index,
    pub fields: Fields,
    pub searcher: Searcher,
    /// The generation's directory name; `"ram"` for an index in memory.
    pub generation: String,
}

struct Live {
    snapshot: IndexSnapshot,
    reader: IndexReader,
}

/// The live index, shared by the server's request handlers.
pub struct IndexHandle {
    root: Option<PathBuf>,
    live: RwLock<Arc<Live>>,
}

impl IndexHandle {
    /// Opens the live generation under `root`.
    pub fn open(root: &Path) -> Result<IndexHandle, IndexError> {
        let (index, fields, generation) = open_index(root)?;
        let live = Live::new(index, fields, generation)?;
        Ok(IndexHandle {
            root: Some(root.to_owned()),
            live: RwLock::new(Arc::new(live)),
        })
    }

    /// Serves an index that lives outside any generation directory, e.g. one made with
    /// [`create_in_ram`](super::create_in_ram) in tests; [`refresh`](Self::refresh) then
    /// reloads its reader to see new commits.
    pub fn from_index(index: Index) -> Result<IndexHandle, IndexError> {
        register_analysers(index.tokenizers());
        let fields = Fields::from_schema(&index.schema())?;
        let live = Live::new(index, fields, "ram".to_owned())?;
        Ok(IndexHandle {
            root: None,
            live: RwLock::new(Arc::new(live)),
        })
    }

    /// The live generation, to run one search on (parse, search and read hits from the same
    /// snapshot).
    pub fn snapshot(&self) -> IndexSnapshot {
        self.current().snapshot.clone()
    }

    /// A searcher over the live generation.
    pub fn searcher(&self) -> Searcher {
        self.current().snapshot.searcher.clone()
    }

    /// The fields of the schema.
    pub fn fields(&self) -> Fields {
        self.current().snapshot.fields
    }

    /// Follows `CURRENT` to a newly published generation, or reloads the reader of an index
    /// without generations. Returns whether the live snapshot changed.
    pub fn refresh(&self) -> Result<bool, IndexError> {
        let current = self.current();
        let Some(root) = &self.root else {
            let before = current.snapshot.searcher.generation().segments().clone();
            current
                .reader
                .reload()
                .map_err(|source| IndexError::tantivy(Path::new("ram"), source))?;
            let searcher = current.reader.searcher();
            if *searcher.generation().segments() == before {
                return Ok(false);
            }
            let mut snapshot = current.snapshot.clone();
            snapshot.searcher = searcher;
            self.replace(Live {
                snapshot,
                reader: current.reader.clone(),
            });
            return Ok(true);
        };
        let Some(name) = current_generation(root)? else {
            return Ok(false);
        };
        if name == current.snapshot.generation {
            return Ok(false);
        }
        let (index, fields, generation) = open_index(root)?;
        let live = Live::new(index, fields, generation)?;
        info!(generation = %live.snapshot.generation, "serving new index generation");
        self.replace(live);
        Ok(true)
    }

    /// Calls [`refresh`](Self::refresh) every `every` on a thread of its own, until the last
    /// other reference to the handle is dropped. Failures are logged and retried.
    pub fn spawn_refresher(handle: &Arc<IndexHandle>, every: Duration) -> JoinHandle<()> {
        let weak: Weak<IndexHandle> = Arc::downgrade(handle);
        thread::spawn(move || {
            loop {
                thread::sleep(every);
                let Some(handle) = weak.upgrade() else {
                    return;
                };
                if let Err(error) = handle.refresh() {
                    warn!(%error, "cannot refresh the index");
                }
            }
        })
    }

    fn current(&self) -> Arc<Live> {
        // A poisoned lock only means a refresh panicked while swapping an `Arc`: the value
        // inside is still a complete snapshot.
        match self.live.read() {
            Ok(live) => Arc::clone(&live),
            Err(poisoned) => Arc::clone(&poisoned.into_inner()),
        }
    }

    fn replace(&self, live: Live) {
        let mut guard = match self.live.write() {
            Ok(guard) => guard,
            Err(poisoned) => poisoned.into_inner(),
        };
        *guard = Arc::new(live);
    }
}

impl Live {
    fn new(index: Index, fields: Fields, generation: String) -> Result<Live, IndexError> {
        let reader = index
            .reader_builder()
            .reload_policy(ReloadPolicy::Manual)
            .try_into()
            .map_err(|source| IndexError::tantivy(Path::new(&generation), source))?;
        let searcher = reader.searcher();
        Ok(Live {
            snapshot: IndexSnapshot {
                index,
                fields,
                searcher,
                generation,
            },
            reader,
        })
    }
}
