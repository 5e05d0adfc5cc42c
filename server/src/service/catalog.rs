//! What changes rarely, kept in memory for a moment: the origins sites allow and the polls'
//! definitions. A vote then reads nothing before its write. Changes made through this
//! instance apply at once; those made through another within [`FRESH`].

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use crate::domain::poll::Poll;
use crate::store::{Result, Store};

/// How long a definition read from the database is trusted.
pub const FRESH: Duration = Duration::from_secs(2);

/// Origin → the sites that allow it.
type Origins = Arc<HashMap<String, Vec<String>>>;

#[derive(Debug, Default)]
pub struct Catalog {
    /// The origins, as read at the instant kept.
    origins: Mutex<Option<(Instant, Origins)>>,
    polls: Mutex<HashMap<String, (Instant, Arc<Poll>)>>,
}

fn fresh(at: Instant) -> bool {
    at.elapsed() < FRESH
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

    /// Forgets the origins (a site was created or changed here).
    pub fn forget_origins(&self) {
        *self.origins.lock().unwrap_or_else(PoisonError::into_inner) = None;
    }

    /// Poll `id`, from memory when read less than [`FRESH`] ago.
    pub async fn poll(&self, store: &dyn Store, id: &str) -> Result<Option<Arc<Poll>>> {
        let kept = self
            .polls
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .get(id)
            .filter(|(at, _)| fresh(*at))
            .map(|(_, poll)| poll.clone());
        if kept.is_some() {
            return Ok(kept);
        }
        let Some(poll) = store.poll(id).await? else {
            return Ok(None);
        };
        let poll = Arc::new(poll);
        let mut polls = self.polls.lock().unwrap_or_else(PoisonError::into_inner);
        // Memory follows the polls in use: stale entries go when the map grows.
        if polls.len() > 10_000 {
            polls.retain(|_, (at, _)| fresh(*at));
        }
        polls.insert(id.to_owned(), (Instant::now(), poll.clone()));
        Ok(Some(poll))
    }
}
