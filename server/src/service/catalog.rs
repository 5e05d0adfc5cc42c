//! What changes rarely, kept in memory for a moment: the origins sites allow and the polls'
//! definitions, the threads' and the sites' settings. A vote or a comment then reads
//! nothing before its write. Changes made through this
//! instance apply at once; those made through another within [`FRESH`]. Also the published
//! titles of proposal boxes, read again whenever the box's `titles_version` moved, and the
//! first pages anonymous readers see of comment threads, built again whenever the thread's
//! `comments_version` moved: a spike of readers costs one look-up of the thread each.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use tokio::sync::OnceCell;

use civique_api::{CommentPage, CommentSort, SiteSettings};

use crate::domain::comment::Thread;
use crate::domain::poll::Poll;
use crate::domain::proposal::ProposalBox;
use crate::domain::similar::TitleIndex;
use crate::store::{Result, Store};

/// How long a definition read from the database is trusted.
pub const FRESH: Duration = Duration::from_secs(2);

/// Origin → the sites that allow it.
type Origins = Arc<HashMap<String, Vec<String>>>;

/// Boxes whose titles are kept at most; beyond, the one used longest ago is forgotten.
const TITLED_BOXES: usize = 256;

/// A box's titles as of one version; built once however many requests wait for them.
#[derive(Debug)]
struct Titles {
    version: i64,
    used: Instant,
    index: Arc<OnceCell<Arc<TitleIndex>>>,
}

/// First pages kept at most (each some tens of kilobytes); beyond, the one used longest
/// ago is forgotten.
const KEPT_PAGES: usize = 256;

/// A first page as of one version of its thread.
#[derive(Debug)]
struct Page {
    version: i64,
    used: Instant,
    page: Arc<CommentPage>,
}

/// Forgets the entry of `map` used longest ago, when `map` holds `most` and not `key`.
fn make_room<T>(
    map: &mut HashMap<String, T>,
    key: &str,
    most: usize,
    used: impl Fn(&T) -> Instant,
) {
    if map.len() >= most && !map.contains_key(key) {
        let oldest = map
            .iter()
            .min_by_key(|(_, kept)| used(kept))
            .map(|(key, _)| key.clone());
        if let Some(oldest) = oldest {
            map.remove(&oldest);
        }
    }
}

#[derive(Debug, Default)]
pub struct Catalog {
    /// The origins, as read at the instant kept.
    origins: Mutex<Option<(Instant, Origins)>>,
    polls: Kept<Poll>,
    settings: Kept<SiteSettings>,
    threads: Kept<Thread>,
    titles: Mutex<HashMap<String, Titles>>,
    /// By thread and order.
    pages: Mutex<HashMap<String, Page>>,
}

fn page_key(thread: &Thread, sort: CommentSort) -> String {
    format!("{}\n{}", thread.id, sort.as_str())
}

fn fresh(at: Instant) -> bool {
    at.elapsed() < FRESH
}

/// Definitions by id, each trusted for [`FRESH`] after it was read.
#[derive(Debug)]
struct Kept<T> {
    by_id: Mutex<HashMap<String, (Instant, Arc<T>)>>,
}

impl<T> Default for Kept<T> {
    fn default() -> Self {
        Self {
            by_id: Mutex::default(),
        }
    }
}

impl<T> Kept<T> {
    /// The definition of `id`, from memory or else `load`ed (and kept when it exists).
    async fn get<F>(&self, id: &str, load: impl FnOnce() -> F) -> Result<Option<Arc<T>>>
    where
        F: std::future::Future<Output = Result<Option<T>>>,
    {
        let kept = self
            .by_id
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .get(id)
            .filter(|(at, _)| fresh(*at))
            .map(|(_, kept)| kept.clone());
        if kept.is_some() {
            return Ok(kept);
        }
        let Some(loaded) = load().await? else {
            return Ok(None);
        };
        let loaded = Arc::new(loaded);
        let mut by_id = self.by_id.lock().unwrap_or_else(PoisonError::into_inner);
        // Memory follows what is in use: stale entries go when the map grows.
        if by_id.len() > 10_000 {
            by_id.retain(|_, (at, _)| fresh(*at));
        }
        by_id.insert(id.to_owned(), (Instant::now(), loaded.clone()));
        Ok(Some(loaded))
    }

    fn forget(&self) {
        self.by_id
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clear();
    }
}

impl Catalog {
    /// Is `origin` allowed by any site, or by `site_id` when given?
    pub async fn origin_allowed(
        &self,
        store: &dyn Store,
        origin: &str,
        site_id: Option<&str>,
    ) -> Result<bool> {
        let known = self
            .origins
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .as_ref()
            .filter(|(at, _)| fresh(*at))
            .map(|(_, origins)| origins.clone());
        let origins = match known {
            Some(origins) => origins,
            None => {
                let mut origins: HashMap<String, Vec<String>> = HashMap::new();
                for (origin, site) in store.origins().await? {
                    origins.entry(origin).or_default().push(site);
                }
                let origins = Arc::new(origins);
                *self.origins.lock().unwrap_or_else(PoisonError::into_inner) =
                    Some((Instant::now(), origins.clone()));
                origins
            }
        };
        Ok(origins
            .get(origin)
            .is_some_and(|sites| site_id.is_none_or(|site| sites.iter().any(|s| s == site))))
    }

    /// Poll `id`, from memory when read less than [`FRESH`] ago.
    pub async fn poll(&self, store: &dyn Store, id: &str) -> Result<Option<Arc<Poll>>> {
        self.polls.get(id, || store.poll(id)).await
    }

    /// The settings of site `id` (blocked words, report threshold…), from memory when read
    /// less than [`FRESH`] ago.
    pub async fn site_settings(
        &self,
        store: &dyn Store,
        id: &str,
    ) -> Result<Option<Arc<SiteSettings>>> {
        self.settings.get(id, || store.site_settings(id)).await
    }

    /// Thread `id`'s definition (site, moderation, lock), from memory when read less than
    /// [`FRESH`] ago. Its `comments_version` may be older than the database's.
    pub async fn thread(&self, store: &dyn Store, id: &str) -> Result<Option<Arc<Thread>>> {
        self.threads.get(id, || store.thread(id)).await
    }

    /// Forgets what is kept of polls (one was changed here).
    pub fn forget_polls(&self) {
        self.polls.forget();
    }

    /// Forgets what is kept of threads (one was changed here).
    pub fn forget_threads(&self) {
        self.threads.forget();
    }

    /// Forgets what is kept of sites (one was created or changed here).
    pub fn forget_sites(&self) {
        *self.origins.lock().unwrap_or_else(PoisonError::into_inner) = None;
        self.settings.forget();
    }

    /// The published titles of box `b` as of its `titles_version` (or newer), from memory
    /// when they were read since.
    pub async fn titles(&self, store: &dyn Store, b: &ProposalBox) -> Result<Arc<TitleIndex>> {
        let cell = {
            let mut boxes = self.titles.lock().unwrap_or_else(PoisonError::into_inner);
            match boxes.get_mut(&b.id) {
                Some(kept) if kept.version >= b.titles_version => {
                    kept.used = Instant::now();
                    kept.index.clone()
                }
                _ => {
                    make_room(&mut boxes, &b.id, TITLED_BOXES, |kept| kept.used);
                    let index = Arc::new(OnceCell::new());
                    boxes.insert(
                        b.id.clone(),
                        Titles {
                            version: b.titles_version,
                            used: Instant::now(),
                            index: index.clone(),
                        },
                    );
                    index
                }
            }
        };
        let index = cell
            .get_or_try_init(|| async {
                let titles = store.box_titles(&b.id).await?;
                Ok::<_, crate::store::StoreError>(Arc::new(TitleIndex::new(titles)))
            })
            .await?;
        Ok(index.clone())
    }

    /// The first page in `sort` order anonymous readers see of `thread`, if it was kept
    /// since the thread's comments last changed.
    pub fn first_page(&self, thread: &Thread, sort: CommentSort) -> Option<Arc<CommentPage>> {
        let mut pages = self.pages.lock().unwrap_or_else(PoisonError::into_inner);
        let kept = pages
            .get_mut(&page_key(thread, sort))
            .filter(|kept| kept.version == thread.comments_version)?;
        kept.used = Instant::now();
        Some(kept.page.clone())
    }

    /// Keeps `page`, built after `thread` was read, as its first page in `sort` order.
    pub fn keep_first_page(&self, thread: &Thread, sort: CommentSort, page: &CommentPage) {
        let key = page_key(thread, sort);
        let mut pages = self.pages.lock().unwrap_or_else(PoisonError::into_inner);
        make_room(&mut pages, &key, KEPT_PAGES, |kept| kept.used);
        pages.insert(
            key,
            Page {
                version: thread.comments_version,
                used: Instant::now(),
                page: Arc::new(page.clone()),
            },
        );
    }
}
