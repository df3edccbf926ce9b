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

    /// [`try_reserve`](Self::try_reserve) that also says which slot was taken, so that it
    /// can be given back with [`give_back`](Self::give_back) when its request is never
    /// sent. The default knows no slot (`slot: None`): its slots are kept.
    fn try_take(&self, max_wait: Duration) -> Result<Taken, Duration> {
        self.try_reserve(max_wait)
            .map(|delay| Taken { delay, slot: None })
    }

    /// Gives back a slot taken with [`try_take`](Self::try_take) whose request was never
    /// sent (the call was cancelled or timed out while it waited, or its connection failed
    /// before anything was written). The default does nothing.
    fn give_back(&self, taken: &Taken) {
        let _ = taken;
    }
}

/// A slot taken from a [`RequestBudget`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Taken {
    /// Wait this long, then send.
    pub delay: Duration,
    /// The slot on the budget's own clock, for [`RequestBudget::give_back`]; `None` when the
    /// budget cannot take it back.
    pub slot: Option<Duration>,
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
    /// The Unix time at `origin`, for the scaled clock.
    origin_unix: i64,
    /// How many times faster than real time the budget's clock runs (1 but in tests).
    scale: f64,
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
        Self::time_scaled(config, 1.0)
    }

    /// A budget whose clock runs `scale` times faster than real time (from 0.001 to
    /// 1,000,000), for playing against a server whose clock does the same, such as the
    /// mock's `--time-scale`: at 60 its minute lasts a real second and its hour a real
    /// minute. The headers it reads stay real (`ratelimit-reset` a real Unix time,
    /// `retry-after` real seconds), and the delays it gives are real.
    pub fn time_scaled(config: BudgetConfig, scale: f64) -> Self {
        let scale = if scale.is_finite() {
            scale.clamp(0.001, 1_000_000.0)
        } else {
            1.0
        };
        Self {
            origin: Instant::now(),
            origin_unix: jiff::Timestamp::now().as_second(),
            scale,
            budget: Mutex::new(Budget::new(config)),
        }
    }

    /// DigitalOcean's pacing with at most `requests` requests a minute.
    pub fn per_minute(requests: u32) -> Self {
        Self::new(BudgetConfig::default().requests_per_minute(Some(requests)))
    }

    /// Counts a request that another budget let through after `delay` (real time), as
    /// [`Budget::record`] does: for a budget that stands in for a shared one while that one
    /// cannot be reached.
    pub fn record(&self, delay: Duration) {
        let now = self.now();
        self.lock()
            .record(now, now.saturating_add(self.scaled(delay)));
    }

    /// Changes the requests allowed in a rolling minute, keeping what was reserved, as
    /// [`Budget::set_requests_per_minute`] does.
    pub fn set_requests_per_minute(&self, limit: Option<u32>) {
        self.lock().set_requests_per_minute(limit);
    }

    /// The budget's clock: real time since the budget was made, times the scale.
    fn now(&self) -> Duration {
        self.scaled(self.origin.elapsed())
    }

    fn scaled(&self, real: Duration) -> Duration {
        if self.scale == 1.0 {
            real
        } else {
            Duration::try_from_secs_f64(real.as_secs_f64() * self.scale).unwrap_or(Duration::MAX)
        }
    }

    fn real(&self, scaled: Duration) -> Duration {
        if self.scale == 1.0 {
            scaled
        } else {
            Duration::try_from_secs_f64(scaled.as_secs_f64() / self.scale).unwrap_or(Duration::MAX)
        }
    }

    /// A real Unix time on the budget's clock.
    fn scaled_unix(&self, unix: i64) -> i64 {
        if self.scale == 1.0 {
            return unix;
        }
        let since = unix.saturating_sub(self.origin_unix) as f64 * self.scale;
        self.origin_unix.saturating_add(since as i64)
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
        self.try_take(max_wait).map(|taken| taken.delay)
    }

    fn try_take(&self, max_wait: Duration) -> Result<Taken, Duration> {
        let now = self.now();
        let delay = self
            .lock()
            .try_reserve(now, self.scaled(max_wait))
            .map_err(|needed| self.real(needed))?;
        Ok(Taken {
            delay: self.real(delay),
            slot: Some(now.saturating_add(delay)),
        })
    }

    fn give_back(&self, taken: &Taken) {
        if let Some(slot) = taken.slot {
            self.lock().release(slot);
        }
    }

    fn observe(&self, meta: &ResponseMeta) {
        let now = self.now();
        let real_now = jiff::Timestamp::now();
        if self.scale == 1.0 {
            self.lock().observe_meta(now, real_now.as_second(), meta);
            return;
        }
        let unix_now = self.scaled_unix(real_now.as_second());
        let rate_limit = meta.rate_limit.map(|mut limit| {
            limit.reset = self.scaled_unix(limit.reset);
            limit
        });
        let retry_after = meta
            .retry_after
            .map(|after| self.scaled(after.delay_from(real_now)));
        self.lock()
            .observe(now, unix_now, meta.status, rate_limit, retry_after);
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use droplet_action_model::{BudgetConfig, RateLimit, ResponseMeta};

    use super::{LocalBudget, RequestBudget};

    #[test]
    fn a_scaled_budget_gives_real_delays() {
        let config = BudgetConfig::default().requests_per_minute(Some(2));
        let budget = LocalBudget::time_scaled(config, 60.0);
        assert_eq!(budget.try_reserve(Duration::ZERO), Ok(Duration::ZERO));
        assert_eq!(budget.try_reserve(Duration::ZERO), Ok(Duration::ZERO));
        // A scaled minute and its one-second margin: about a real second.
        let delay = budget.try_reserve(Duration::from_secs(5)).unwrap();
        assert!(delay > Duration::from_millis(950), "{delay:?}");
        assert!(delay <= Duration::from_millis(1020), "{delay:?}");
    }

    #[test]
    fn a_scaled_budget_reads_a_spent_hour_in_real_seconds() {
        let budget = LocalBudget::time_scaled(BudgetConfig::default(), 60.0);
        let reset = jiff::Timestamp::now().as_second() + 2;
        let meta = ResponseMeta {
            status: 200,
            rate_limit: Some(RateLimit {
                limit: 5000,
                remaining: 0,
                reset,
            }),
            request_id: None,
            retry_after: None,
        };
        budget.observe(&meta);
        // Held until the reset, one to two real seconds away, plus a scaled second.
        let needed = budget.try_reserve(Duration::ZERO).unwrap_err();
        assert!(needed > Duration::from_millis(900), "{needed:?}");
        assert!(needed < Duration::from_millis(2100), "{needed:?}");
    }
}
