//! Services: every operation of the endpoint (vote, post, moderate, answer, create, seed…).
//!
//! HTTP, the command line, the seed import and the staff console all go through them. Staff
//! actions are audited here, with their actor, in the transaction that makes them.

mod catalog;
pub mod comments;
mod devices;
mod email;
pub mod exports;
mod personal;
pub mod polls;
pub mod proposals;
pub mod seed;
pub mod sites;
pub mod staff;
pub mod team;
pub mod tokens;
pub mod widgets;

use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use civique_api::{is_valid_token, Participation};
use tokio::sync::{broadcast, OnceCell};

use crate::config::Config;
use crate::domain::site::participant_key;
use crate::domain::Error as Refusal;
use crate::domain::{device, sso};
use crate::live::{Hub, Signal};
use crate::mail::Mailer;
use crate::metrics::Metrics;
use crate::store::{Store, StoreError};
use catalog::Catalog;

/// A refused operation, or a storage failure.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error(transparent)]
    Refused(#[from] Refusal),
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The SMTP server did not take a message.
    #[error("the e-mail could not be sent: {0}")]
    Mail(String),
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

/// How fast one kind of content may be posted: per participant (in one thread or box) and
/// per site; 0 means no limit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PostingLimits {
    pub participant_per_minute: u32,
    pub site_per_minute: u32,
}

/// The settings services apply.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Settings {
    /// Authors may edit or delete a comment this long after posting it.
    pub edit_window: Duration,
    pub comments: PostingLimits,
    pub proposals: PostingLimits,
    /// New participants one network may bring a site a minute (0: unlimited).
    pub newcomers_per_minute: u32,
    /// The proof of work's bound (0: none asked, see `ParticipationConfig`).
    pub proof_of_work: u64,
}

/// Who is asking, as a resident-facing request says: the page's origin and the participant
/// token, when the request carries them. Staff operations take an [`Actor`] instead.
///
/// [`Actor`]: crate::domain::audit::Actor
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Caller {
    pub origin: Option<String>,
    pub token: Option<String>,
    /// The daily keyed name of the client's network ([`crate::domain::network`]), when
    /// known: per-network limits key on it.
    pub network: Option<String>,
}

/// A participant as the token sent names them on one site: their key, and the level that
/// token vouches for (a device's own token, or one the endpoint issued to a site user).
#[derive(Debug, Clone, PartialEq, Eq)]
struct Identity {
    key: String,
    level: Participation,
}

/// A participant as one site knows them: their key (if a token came) and their id (if they
/// ever wrote or supported anything).
#[derive(Debug, Clone, Default)]
pub struct Reader {
    pub key: Option<String>,
    pub id: Option<i64>,
}

/// The services over one store; cheap to clone.
#[derive(Clone)]
pub struct Service {
    store: Arc<dyn Store>,
    live: Hub,
    metrics: Metrics,
    settings: Arc<Settings>,
    catalog: Arc<Catalog>,
    /// The key of the participant tokens the endpoint issues (site accounts), read once.
    token_key: Arc<OnceCell<String>>,
    /// Sends the codes of verified addresses, when `[email]` is set.
    mailer: Option<Mailer>,
}

impl std::fmt::Debug for Service {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Service")
            .field("store", &self.store.backend())
            .field("settings", &self.settings)
            .finish_non_exhaustive()
    }
}

impl From<&Config> for Settings {
    fn from(config: &Config) -> Self {
        Self {
            edit_window: Duration::from_secs(config.comments.edit_window_secs),
            comments: PostingLimits {
                participant_per_minute: config.comments.participant_per_minute,
                site_per_minute: config.comments.site_per_minute,
            },
            proposals: PostingLimits {
                participant_per_minute: config.proposals.participant_per_minute,
                site_per_minute: config.proposals.site_per_minute,
            },
            newcomers_per_minute: config.participation.newcomers_per_network_per_minute,
            proof_of_work: config.participation.proof_of_work_max_number,
        }
    }
}

impl Service {
    /// Opens the configured database (creating and migrating it as needed) and applies the
    /// sites the configuration lists.
    pub async fn open(config: &Config) -> Result<Self> {
        let store = crate::store::connect(&config.database_url, config.durability).await?;
        let mut service = Self::new(store, Hub::default(), Metrics::default(), config.into());
        if let Some(email) = &config.email {
            service.mailer = Some(Mailer::new(email).map_err(Error::Mail)?);
        }
        service.apply_configured_sites(&config.sites).await?;
        Ok(service)
    }

    pub fn new(store: Arc<dyn Store>, live: Hub, metrics: Metrics, settings: Settings) -> Self {
        Self {
            store,
            live,
            metrics,
            settings: Arc::new(settings),
            catalog: Arc::default(),
            token_key: Arc::default(),
            mailer: None,
        }
    }

    pub fn store(&self) -> &Arc<dyn Store> {
        &self.store
    }

    pub fn live(&self) -> &Hub {
        &self.live
    }

    pub fn metrics(&self) -> &Metrics {
        &self.metrics
    }

    /// Is `origin` allowed by any site (CORS), or by `site_id` when given?
    pub async fn origin_allowed(&self, origin: &str, site_id: Option<&str>) -> Result<bool> {
        Ok(self
            .catalog
            .origin_allowed(self.store.as_ref(), origin, site_id)
            .await?)
    }

    /// Refuses a caller whose page origin `site_id` does not list (requests without an
    /// Origin header, such as curl's, pass).
    async fn check_origin(&self, caller: &Caller, site_id: &str) -> Result<()> {
        if let Some(origin) = &caller.origin {
            if !self.origin_allowed(origin, Some(site_id)).await? {
                return Err(Refusal::OriginNotAllowed.into());
            }
        }
        Ok(())
    }

    /// Who the caller's token names on `site_id`, if one came; a malformed, forged or
    /// expired token is refused.
    async fn identity(&self, caller: &Caller, site_id: &str) -> Result<Option<Identity>> {
        let Some(token) = caller.token.as_deref() else {
            return Ok(None);
        };
        if sso::is_issued(token) {
            let (key, level) = sso::issued_key(self.token_key().await?, site_id, token, now_secs())
                .map_err(Refusal::Sso)?;
            return Ok(Some(Identity { key, level }));
        }
        if !is_valid_token(token) {
            return Err(Refusal::InvalidParticipant.into());
        }
        if device::is_issued(token) {
            device::check(self.token_key().await?, token).map_err(Refusal::Proof)?;
        }
        Ok(Some(Identity {
            key: participant_key(site_id, token),
            level: Participation::Device,
        }))
    }

    /// The site-scoped participant key, required by operations that change something.
    async fn participant(&self, caller: &Caller, site_id: &str) -> Result<String> {
        self.participant_at(caller, site_id, Participation::Device, "site")
            .await
    }

    /// As [`Service::participant`], for a widget (`what`) that takes part at `level`: where
    /// devices take part, any token serves; elsewhere, only a token issued at that level (a
    /// site user's, a verified address's).
    async fn participant_at(
        &self,
        caller: &Caller,
        site_id: &str,
        level: Participation,
        what: &'static str,
    ) -> Result<String> {
        let identity = self
            .identity(caller, site_id)
            .await?
            .ok_or(Refusal::MissingParticipant)?;
        if level != Participation::Device && identity.level != level {
            return Err(Refusal::ParticipationRequired {
                what,
                level,
                site: site_id.to_owned(),
            }
            .into());
        }
        Ok(identity.key)
    }

    /// The key of the participant tokens the endpoint issues, made at first need and shared
    /// by instances.
    async fn token_key(&self) -> Result<&str> {
        let key = self
            .token_key
            .get_or_try_init(|| async {
                Ok::<_, Error>(
                    self.store
                        .secret("participants", &random_hex::<32>()?)
                        .await?,
                )
            })
            .await?;
        Ok(key)
    }

    /// Admits participant `key` about to take part on `site_id`: see [`Service::newcomer`]
    /// when the site does not know them yet.
    async fn admit(&self, caller: &Caller, site_id: &str, key: &str) -> Result<()> {
        let limited = self.settings.newcomers_per_minute > 0 && caller.network.is_some();
        if !limited && self.proven(caller) {
            return Ok(());
        }
        match self.store.find_participant(site_id, key).await? {
            Some(_) => Ok(()),
            None => self.newcomer(caller, site_id).await,
        }
    }

    /// Admits a participant `site_id` has never seen: a device must have proven its work
    /// (when the endpoint asks for it), and the newcomer counts against the caller's
    /// network: one network may bring [`Settings::newcomers_per_minute`] a minute. A script
    /// that mints a fresh token per ballot, support or mark is refused, while residents who
    /// took part before, and every other network, go on.
    async fn newcomer(&self, caller: &Caller, site_id: &str) -> Result<()> {
        if !self.proven(caller) {
            return Err(Refusal::Proof(device::Problem::Required).into());
        }
        let per_minute = self.settings.newcomers_per_minute;
        let Some(network) = caller.network.as_deref().filter(|_| per_minute > 0) else {
            return Ok(());
        };
        let bucket = format!("newcomer:{site_id}:{network}");
        if self.store.take_token(&bucket, per_minute, now_ms()).await? {
            Ok(())
        } else {
            Err(Refusal::RateLimited.into())
        }
    }

    /// May the caller's token take part without more proof? Tokens the endpoint issued
    /// (checked by [`Service::identity`]) may, and any token when no proof is asked.
    fn proven(&self, caller: &Caller) -> bool {
        self.settings.proof_of_work == 0
            || caller
                .token
                .as_deref()
                .is_some_and(|token| device::is_issued(token) || sso::is_issued(token))
    }

    /// The reader behind `caller`; a site user's expired token reads as no token at all.
    async fn reader(&self, caller: &Caller, site_id: &str) -> Result<Reader> {
        let key = match self.identity(caller, site_id).await {
            Ok(identity) => identity.map(|identity| identity.key),
            Err(Error::Refused(Refusal::Sso(sso::Problem::Expired))) => None,
            Err(error) => return Err(error),
        };
        let id = match &key {
            Some(key) => self.store.find_participant(site_id, key).await?,
            None => None,
        };
        Ok(Reader { key, id })
    }

    /// Takes a token for participant `key` in `scope` (a thread or box), then one for the
    /// site; `RateLimited` as soon as a bucket is empty. The buckets live in the database,
    /// so they hold whichever instance answers.
    ///
    /// Between the two, one network (a /24 or /56, see `Caller::network`) may take at most
    /// [`NETWORK_SHARE`] of the site's allowance: one abuser with fresh tokens cannot use it
    /// all and lock the town's other residents out.
    async fn allow(
        &self,
        kind: &str,
        limits: PostingLimits,
        scope: &str,
        key: &str,
        site_id: &str,
        network: Option<&str>,
    ) -> Result<()> {
        let now = now_ms();
        let mut buckets = vec![(
            format!("{kind}:{scope}:{key}"),
            limits.participant_per_minute,
        )];
        if let Some(network) = network.filter(|_| limits.site_per_minute > 0) {
            let share = (limits.site_per_minute / NETWORK_SHARE).max(1);
            buckets.push((format!("{kind}-net:{site_id}:{network}"), share));
        }
        buckets.push((format!("{kind}-site:{site_id}"), limits.site_per_minute));
        for (bucket, per_minute) in buckets {
            if per_minute > 0 && !self.store.take_token(&bucket, per_minute, now).await? {
                return Err(Refusal::RateLimited.into());
            }
        }
        Ok(())
    }

    /// Refuses a network that sent [`ADMIN_FAILURES_PER_MINUTE`] wrong staff tokens lately,
    /// whatever it sends now: guesses cannot go faster than that.
    pub async fn admin_attempt_allowed(&self, network: Option<&str>) -> Result<()> {
        let Some(network) = network else {
            return Ok(());
        };
        let bucket = format!("admin-fail:{network}");
        if self
            .store
            .has_token(&bucket, ADMIN_FAILURES_PER_MINUTE, now_ms())
            .await?
        {
            Ok(())
        } else {
            Err(Refusal::RateLimited.into())
        }
    }

    /// Counts a wrong staff token from `network`.
    pub async fn admin_attempt_failed(&self, network: Option<&str>) -> Result<()> {
        if let Some(network) = network {
            let bucket = format!("admin-fail:{network}");
            self.store
                .take_token(&bucket, ADMIN_FAILURES_PER_MINUTE, now_ms())
                .await?;
        }
        Ok(())
    }

    /// The key of the daily network names, made at first start and shared by instances.
    pub async fn network_secret(&self) -> Result<String> {
        Ok(self.store.secret("network", &random_hex::<32>()?).await?)
    }

    /// Forgets the rate-limit buckets that are full again (untouched for a minute).
    pub async fn forget_full_buckets(&self) -> Result<u64> {
        Ok(self.store.forget_buckets(now_ms() - 60_000).await?)
    }

    /// Sends an event to the viewers of `topic`; `replaces`, see [`Hub::publish`].
    fn signal<T: serde::Serialize>(
        &self,
        topic: &str,
        event: &str,
        data: &T,
        replaces: Option<String>,
    ) {
        match serde_json::to_string(data) {
            Ok(data) => self.live.publish(topic, event, data, replaces),
            Err(error) => tracing::error!(%error, event, "unserializable event"),
        }
    }

    /// The events of `topic` from now on; `None` when the endpoint is shutting down.
    fn watch(&self, topic: &str) -> Option<broadcast::Receiver<Signal>> {
        self.live.subscribe(topic)
    }
}

/// One network may take at most 1/`NETWORK_SHARE` of a site's posting allowance.
pub const NETWORK_SHARE: u32 = 4;

/// Wrong staff tokens one network may send a minute.
pub const ADMIN_FAILURES_PER_MINUTE: u32 = 10;

/// 32 random bytes in hex.
/// `N` random bytes in hex.
fn random_hex<const N: usize>() -> Result<String> {
    let fresh: [u8; N] = random_bytes()?;
    Ok(fresh.iter().map(|b| format!("{b:02x}")).collect())
}

fn random_bytes<const N: usize>() -> Result<[u8; N]> {
    let mut fresh = [0u8; N];
    getrandom::getrandom(&mut fresh).map_err(|error| {
        StoreError::Unavailable(sqlx::Error::Protocol(format!("no randomness: {error}")))
    })?;
    Ok(fresh)
}

/// An expiry (Unix seconds) as the API writes it (RFC 3339).
fn expiry_time(secs: i64) -> String {
    time::OffsetDateTime::from_unix_timestamp(secs)
        .map_or_else(|_| String::new(), crate::domain::time::format_time)
}

fn now_secs() -> i64 {
    now_ms() / 1000
}

fn now_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
}

/// Fails with `NotFound(what)` when `found` is `None`.
fn found<T>(found: Option<T>, what: &'static str) -> Result<T> {
    found.ok_or(Refusal::NotFound(what).into())
}
