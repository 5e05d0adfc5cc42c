//! In-memory token buckets limiting how fast comments and proposals are posted, per
//! participant and per site.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

/// Buckets hold `per_minute` tokens and refill continuously; a key with no bucket is full.
#[derive(Debug, Clone)]
pub struct RateLimiter {
    per_minute: u32,
    buckets: Arc<Mutex<HashMap<String, (f64, Instant)>>>,
}

impl RateLimiter {
    /// `per_minute == 0` disables the limit.
    pub fn new(per_minute: u32) -> Self {
        Self {
            per_minute,
            buckets: Arc::default(),
        }
    }

    /// Takes one token for `key`; `false` when the bucket is empty.
    pub fn allow(&self, key: &str) -> bool {
        self.allow_at(key, Instant::now())
    }

    fn allow_at(&self, key: &str, now: Instant) -> bool {
        if self.per_minute == 0 {
            return true;
        }
        let capacity = f64::from(self.per_minute);
        let mut buckets = self.buckets.lock().unwrap_or_else(PoisonError::into_inner);
        // Full buckets carry no information: drop them so memory follows recent activity.
        if buckets.len() > 10_000 {
            buckets.retain(|_, (_, at)| now.duration_since(*at) < Duration::from_secs(60));
        }
        let (tokens, at) = buckets.entry(key.to_owned()).or_insert((capacity, now));
        let refill = now.duration_since(*at).as_secs_f64() * capacity / 60.0;
        *tokens = (*tokens + refill).min(capacity);
        *at = now;
        if *tokens >= 1.0 {
            *tokens -= 1.0;
            true
        } else {
            false
        }
    }
}

/// How fast one kind of content may be posted: per participant (in one thread or box) and
/// per site.
#[derive(Debug, Clone)]
pub struct PostingLimits {
    /// Keyed by scope (thread or box) and participant.
    pub participant: RateLimiter,
    /// Keyed by site.
    pub site: RateLimiter,
}

impl PostingLimits {
    /// `0` disables a limit.
    pub fn new(participant_per_minute: u32, site_per_minute: u32) -> Self {
        Self {
            participant: RateLimiter::new(participant_per_minute),
            site: RateLimiter::new(site_per_minute),
        }
    }

    /// Takes a token for participant `key` in `scope`, then one for `site`; `false` as soon
    /// as a bucket is empty.
    pub fn allow(&self, scope: &str, key: &str, site: &str) -> bool {
        self.participant.allow(&format!("{scope}:{key}")) && self.site.allow(site)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn buckets_empty_then_refill() {
        let limiter = RateLimiter::new(2);
        let start = Instant::now();
        assert!(limiter.allow_at("a", start));
        assert!(limiter.allow_at("a", start));
        assert!(!limiter.allow_at("a", start));
        assert!(limiter.allow_at("b", start));
        assert!(limiter.allow_at("a", start + Duration::from_secs(30)));
        assert!(RateLimiter::new(0).allow_at("a", start));
    }
}
