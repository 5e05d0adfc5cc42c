//! Prometheus metrics: requests by route and status with their latency, what residents
//! did, open event streams and the database pool, in the text exposition format.

use std::sync::Arc;

use prometheus_client::encoding::text::encode;
use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::Histogram;
use prometheus_client::registry::Registry;

use crate::store::PoolStats;

#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RequestLabels {
    method: String,
    /// The matched route template (`/api/v1/polls/{id}`), never the raw path.
    route: String,
    status: u16,
}

#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RouteLabels {
    method: String,
    route: String,
}

#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
struct ActionLabels {
    action: &'static str,
}

/// What residents did, counted by [`Metrics::count`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    Vote,
    VoteWithdrawn,
    Comment,
    Proposal,
    Support,
    SupportWithdrawn,
}

impl Action {
    fn label(self) -> &'static str {
        match self {
            Self::Vote => "vote",
            Self::VoteWithdrawn => "vote_withdrawn",
            Self::Comment => "comment",
            Self::Proposal => "proposal",
            Self::Support => "support",
            Self::SupportWithdrawn => "support_withdrawn",
        }
    }
}

/// The registry and its metrics; cheap to clone.
#[derive(Debug, Clone)]
pub struct Metrics {
    inner: Arc<Inner>,
}

#[derive(Debug)]
struct Inner {
    registry: Registry,
    requests: Family<RequestLabels, Counter>,
    latency: Family<RouteLabels, Histogram>,
    actions: Family<ActionLabels, Counter>,
    subscribers: Gauge,
    pool_size: Gauge,
    pool_idle: Gauge,
}

fn latency_histogram() -> Histogram {
    // 1 ms to about 16 s.
    Histogram::new(prometheus_client::metrics::histogram::exponential_buckets(
        0.001, 2.0, 15,
    ))
}

impl Default for Metrics {
    fn default() -> Self {
        let mut registry = Registry::with_prefix("civique");
        let requests = Family::<RequestLabels, Counter>::default();
        registry.register(
            "http_requests",
            "HTTP requests answered, by method, route and status",
            requests.clone(),
        );
        let latency =
            Family::<RouteLabels, Histogram>::new_with_constructor(latency_histogram as fn() -> _);
        registry.register(
            "http_request_duration_seconds",
            "Time to answer HTTP requests (until the response head; streams excluded)",
            latency.clone(),
        );
        let actions = Family::<ActionLabels, Counter>::default();
        registry.register(
            "participations",
            "Votes, comments, proposals and supports accepted, and their withdrawals",
            actions.clone(),
        );
        let subscribers = Gauge::default();
        registry.register(
            "sse_subscribers",
            "Open live-update streams",
            subscribers.clone(),
        );
        let pool_size = Gauge::default();
        registry.register(
            "db_pool_connections",
            "Open database connections",
            pool_size.clone(),
        );
        let pool_idle = Gauge::default();
        registry.register(
            "db_pool_idle_connections",
            "Open database connections not in use",
            pool_idle.clone(),
        );
        Self {
            inner: Arc::new(Inner {
                registry,
                requests,
                latency,
                actions,
                subscribers,
                pool_size,
                pool_idle,
            }),
        }
    }
}

impl Metrics {
    pub fn request(&self, method: &str, route: &str, status: u16, seconds: f64) {
        self.inner
            .requests
            .get_or_create(&RequestLabels {
                method: method.to_owned(),
                route: route.to_owned(),
                status,
            })
            .inc();
        self.inner
            .latency
            .get_or_create(&RouteLabels {
                method: method.to_owned(),
                route: route.to_owned(),
            })
            .observe(seconds);
    }

    pub fn count(&self, action: Action) {
        self.inner
            .actions
            .get_or_create(&ActionLabels {
                action: action.label(),
            })
            .inc();
    }

    /// The exposition text, with the gauges read now.
    pub fn render(&self, subscribers: usize, pool: PoolStats) -> String {
        let inner = &self.inner;
        inner
            .subscribers
            .set(i64::try_from(subscribers).unwrap_or(i64::MAX));
        inner.pool_size.set(i64::from(pool.size));
        inner.pool_idle.set(i64::from(pool.idle));
        let mut text = String::new();
        if let Err(error) = encode(&mut text, &inner.registry) {
            tracing::error!(%error, "metrics encoding failed");
        }
        text
    }
}
