//! The request budget every request of a client goes through.

use std::fmt;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use droplet_action_model::{Budget, BudgetConfig, ResponseMeta};

/// Paces the requests of a client: every request takes a slot first, every answer is shown
/// to it. The client's own is a [`LocalBudget`]; a fleet can share one across processes and
/// machines (the `droplet-action-redis-budget` crate implements this trait on Redis).
pub trait RequestBudget: Send + Sync + fmt::Debug {
    /// Takes one request slot, waiting at most `max_wait`: `Ok(delay)` means sleep that
    /// long, then send (the slot is taken); `Err(needed)` means the next slot is further
    /// away than `max_wait`, and nothing was taken.
    fn try_reserve(&self, max_wait: Duration) -> Result<Duration, Duration>;

    /// Learns from an answer: its status, rate limit and `retry-after`.
    fn observe(&self, meta: &ResponseMeta) {
        let _ = meta;
    }
}

/// The budget of one process: [`droplet_action_model::Budget`] behind a lock, on this
/// process's monotonic clock. It keeps to the requests per minute it is given, spreads
/// what remains of the hourly budget over the time to its reset, and slows down when
/// `429`s or a falling `ratelimit-remaining` show other users of the token.
///
/// ```
/// use std::time::Duration;
/// use droplet_action_transport::{LocalBudget, RequestBudget};
///
/// let budget = LocalBudget::per_minute(2);
/// assert_eq!(budget.try_reserve(Duration::ZERO), Ok(Duration::ZERO));
/// assert_eq!(budget.try_reserve(Duration::ZERO), Ok(Duration::ZERO));
/// // The third request of the minute would have to wait a minute.
/// assert!(budget.try_reserve(Duration::from_secs(1)).is_err());
/// ```
pub struct LocalBudget {
    origin: Instant,
    budget: Mutex<Budget>,
}

impl fmt::Debug for LocalBudget {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let share = self.budget.lock().map(|b| b.share()).unwrap_or_default();
        f.debug_struct("LocalBudget")
            .field("share", &share)
            .finish_non_exhaustive()
    }
}

impl LocalBudget {
    /// A budget with these settings.
    pub fn new(config: BudgetConfig) -> Self {
        Self {
            origin: Instant::now(),
            budget: Mutex::new(Budget::new(config)),
        }
    }

    /// DigitalOcean's pacing with at most `requests` requests a minute.
    pub fn per_minute(requests: u32) -> Self {
        Self::new(BudgetConfig::default().requests_per_minute(Some(requests)))
    }

    fn now(&self) -> Duration {
        self.origin.elapsed()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Budget> {
        // A panic while holding the lock leaves plain numbers behind: keep using them.
        self.budget
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

impl RequestBudget for LocalBudget {
    fn try_reserve(&self, max_wait: Duration) -> Result<Duration, Duration> {
        let now = self.now();
        self.lock().try_reserve(now, max_wait)
    }

    fn observe(&self, meta: &ResponseMeta) {
        let now = self.now();
        let unix_now = jiff::Timestamp::now().as_second();
        self.lock().observe_meta(now, unix_now, meta);
    }
}
