//! The state both listeners of a server share: the mock's clock, the counters of each
//! scenario, the record of requests, the rate limit and what every answer announces.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicI64, AtomicU64, Ordering};
use std::sync::{Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use crate::RecordedRequest;
use crate::ratelimit::{Limiter, RateLimit, Verdict};
use crate::stats::Stats;

/// The rate limit every answer announces when no [`RateLimit`] is played.
const RATE_LIMIT: i64 = 5000;

pub(crate) fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

/// Per `(droplet_id, action_id)` counters.
#[derive(Debug, Default, Clone, Copy)]
pub(crate) struct Counters {
    /// Every request received for the path.
    pub(crate) hits: usize,
    /// Requests that reached the scenario (authorized GETs the rate limit let through).
    pub(crate) served: u64,
    /// When the first of those came, in mock time.
    pub(crate) first_served: Option<Duration>,
}

/// Mock time: real time since the start, multiplied by the time scale.
#[derive(Debug)]
pub(crate) struct Clock {
    started: Instant,
    started_wall: SystemTime,
    scale: f64,
}

impl Clock {
    pub(crate) fn now(&self) -> Duration {
        self.started.elapsed().mul_f64(self.scale)
    }

    /// The real duration of a mock duration.
    fn real(&self, mock: Duration) -> Duration {
        mock.div_f64(self.scale)
    }

    /// The Unix time, in whole seconds rounded up, at which mock time reaches `mock`.
    fn unix_at(&self, mock: Duration) -> i64 {
        let at = self.started_wall + self.real(mock);
        let since = at.duration_since(UNIX_EPOCH).unwrap_or_default();
        i64::try_from(since.as_secs()).unwrap_or(i64::MAX) + i64::from(since.subsec_nanos() > 0)
    }
}

/// What every answer carries: rate limit and request id.
#[derive(Debug, Clone)]
pub(crate) struct Meta {
    pub(crate) limit: i64,
    pub(crate) remaining: i64,
    pub(crate) reset: i64,
    pub(crate) request_id: String,
}

/// The state both listeners share.
pub(crate) struct Shared {
    pub(crate) tokens: Vec<String>,
    pub(crate) record: bool,
    pub(crate) scheme: &'static str,
    pub(crate) clock: Clock,
    limiter: Option<Mutex<Limiter>>,
    pub(crate) stats: Mutex<Stats>,
    remaining: AtomicI64,
    reset: i64,
    next_request: AtomicU64,
    request_id_prefix: u32,
    pub(crate) requests: Mutex<Vec<RecordedRequest>>,
    pub(crate) target_requests: Mutex<Vec<RecordedRequest>>,
    pub(crate) counters: Mutex<HashMap<(i64, i64), Counters>>,
    /// The addresses clients connect to: the API, and the redirect target.
    pub(crate) main_addr: SocketAddr,
    pub(crate) target_addr: SocketAddr,
}

/// What [`Shared::new`] is made from.
pub(crate) struct Setup {
    pub(crate) tokens: Vec<String>,
    pub(crate) record: bool,
    pub(crate) tls: bool,
    pub(crate) rate_limit: Option<RateLimit>,
    pub(crate) time_scale: f64,
    pub(crate) main_addr: SocketAddr,
    pub(crate) target_addr: SocketAddr,
}

impl Shared {
    pub(crate) fn new(setup: Setup) -> Shared {
        let started_wall = SystemTime::now();
        let now = started_wall
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_secs() as i64);
        Shared {
            tokens: setup.tokens,
            record: setup.record,
            scheme: if setup.tls { "https" } else { "http" },
            clock: Clock {
                started: Instant::now(),
                started_wall,
                scale: setup.time_scale,
            },
            limiter: setup
                .rate_limit
                .map(|limit| Mutex::new(Limiter::new(limit))),
            stats: Mutex::new(Stats::default()),
            remaining: AtomicI64::new(RATE_LIMIT),
            reset: now + 3600,
            next_request: AtomicU64::new(0),
            request_id_prefix: u32::from(setup.main_addr.port()),
            requests: Mutex::new(Vec::new()),
            target_requests: Mutex::new(Vec::new()),
            counters: Mutex::new(HashMap::new()),
            main_addr: setup.main_addr,
            target_addr: setup.target_addr,
        }
    }

    pub(crate) fn requests(&self) -> Vec<RecordedRequest> {
        lock(&self.requests).clone()
    }

    pub(crate) fn target_requests(&self) -> Vec<RecordedRequest> {
        lock(&self.target_requests).clone()
    }

    pub(crate) fn hits(&self, droplet_id: i64, action_id: i64) -> usize {
        lock(&self.counters)
            .get(&(droplet_id, action_id))
            .map_or(0, |c| c.hits)
    }

    pub(crate) fn stats(&self) -> Stats {
        lock(&self.stats).clone()
    }

    fn request_id(&self) -> String {
        let number = self.next_request.fetch_add(1, Ordering::Relaxed) + 1;
        format!(
            "{:08x}-0000-4000-8000-{:012x}",
            self.request_id_prefix,
            number & 0xffff_ffff_ffff
        )
    }

    /// Takes the rate limit and request id of one answer, without a rate limit to play: one
    /// budget for the server, counted down by every answer.
    pub(crate) fn next_meta(&self) -> Meta {
        let previous = self
            .remaining
            .fetch_update(Ordering::Relaxed, Ordering::Relaxed, |r| {
                Some((r - 1).max(0))
            })
            .unwrap_or(0);
        Meta {
            limit: RATE_LIMIT,
            remaining: (previous - 1).max(0),
            reset: self.reset,
            request_id: self.request_id(),
        }
    }

    /// Takes the rate limit and request id of an API request presenting `token`; with a rate
    /// limit to play, also whether it is refused and for how many seconds.
    pub(crate) fn admit(&self, token: Option<&str>) -> (Meta, Option<u64>) {
        let Some(limiter) = &self.limiter else {
            return (self.next_meta(), None);
        };
        let mut limiter = lock(limiter);
        // Read under the lock, so that each token's window stays in time order.
        let now = self.clock.now();
        let verdict = limiter.check(token, now);
        let limit = i64::from(limiter.limit().per_hour);
        drop(limiter);
        let (remaining, resets_at, retry_after) = match verdict {
            Verdict::Allowed {
                remaining,
                resets_at,
            } => (remaining, resets_at, None),
            Verdict::Limited {
                remaining,
                resets_at,
                frees_at,
            } => {
                let wait = self.clock.real(frees_at.saturating_sub(now));
                let seconds = wait.as_secs() + u64::from(wait.subsec_nanos() > 0);
                (remaining, resets_at, Some(seconds.max(1)))
            }
        };
        let meta = Meta {
            limit,
            remaining: i64::from(remaining),
            reset: self.clock.unix_at(resets_at),
            request_id: self.request_id(),
        };
        (meta, retry_after)
    }
}
