//! The request budget: when the next request may be sent, learned from every answer.

use std::collections::VecDeque;
use std::time::Duration;

use crate::{RateLimit, ResponseMeta};

mod config;
mod hour_count;

pub use config::BudgetConfig;
use hour_count::HourCount;

const NANOS_PER_SECOND: u64 = 1_000_000_000;
/// The rolling window of the per-minute limit.
const MINUTE: u64 = 60 * NANOS_PER_SECOND;
/// The hourly window: no honest `ratelimit-reset` or `retry-after` is further away than this.
const HOUR_SECONDS: i64 = 3600;
const HOUR: u64 = HOUR_SECONDS as u64 * NANOS_PER_SECOND;
/// The minute window's slots kept in memory from the start; it grows up to the limit.
const INITIAL_WINDOW_CAPACITY: usize = 1024;
/// Little is left of the hour when less than this fraction of the limit remains.
const LOW_REMAINING_DIVISOR: i64 = 50;

/// Why a [`Budget`] slowed down.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SlowdownReason {
    /// The API answered 429 Too Many Requests.
    TooManyRequests,
    /// Others hold part of the token's hour (`ratelimit-remaining` fell further than this
    /// process's own requests explain), and the token as a whole spends faster than its
    /// limits allow, or is nearly spent and still falling.
    SharedBudget,
}

/// A multiplicative decrease of a [`Budget`]'s share, as [`Budget::observe`] reports it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Slowdown {
    /// What caused it.
    pub reason: SlowdownReason,
    /// The share of the limits now used, in `(0, 1]`.
    pub share: f64,
}

/// The pace of the hourly spread, from the last answer's `ratelimit-*` headers.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Spread {
    /// What remains over the time to the reset: the time between two requests until then.
    until_reset: u64,
    /// When that no longer holds: the oldest request then expires and the window moves.
    until: u64,
    /// The hour over the hourly limit: the pace that keeps the window from filling up.
    sustained: u64,
    /// Requests allowed at once.
    burst: u32,
}

impl Spread {
    /// Time between two requests at a full share.
    fn interval(&self, now: u64) -> u64 {
        if now < self.until {
            self.until_reset.max(self.sustained)
        } else {
            self.sustained
        }
    }
}

/// A round of measuring how fast the token's `remaining` falls.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Round {
    start: u64,
    remaining: i64,
    own: u32,
    /// Requests per second the limits allow the whole token, at the round's start.
    allowed_rate: f64,
}

/// How long a call may wait for a request-budget slot before its request is sent: the time
/// left before the call's deadline (a get's per-call timeout, a wait's deadline). Waiting
/// for the budget is part of a call's total time, never of one attempt's (an attempt's
/// timeout starts when its request is sent), so a call without a deadline waits for its
/// slot however far the budget puts it, and can be cancelled meanwhile. Every driver, the
/// blocking get and every wait, asks this one rule.
///
/// ```
/// use std::time::Duration;
/// use droplet_action_model::budget_wait_allowed;
///
/// assert_eq!(budget_wait_allowed(Some(Duration::from_secs(5))), Duration::from_secs(5));
/// assert_eq!(budget_wait_allowed(None), Duration::MAX);
/// ```
pub fn budget_wait_allowed(time_left: Option<Duration>) -> Duration {
    time_left.unwrap_or(Duration::MAX)
}

/// The pacing state of one client: when its next request may be sent.
///
/// DigitalOcean allows 250 requests a minute and 5,000 an hour per token. Each request
/// expires one hour after it was made, `ratelimit-reset` is the Unix time at which the oldest
/// one expires, and `retry-after` comes only with a burst 429. A budget paces every request
/// a client sends so that it stays inside both limits, even when other processes that it
/// does not know of spend the same token:
///
/// - **Minute window.** At most `requests_per_minute` slots in any rolling minute (plus a
///   margin), counted exactly: the budget keeps the times of the slots that may still bound
///   a later one, never more than the limit.
/// - **Hourly spread.** What `ratelimit-remaining` says is left is spread evenly over the
///   time until `ratelimit-reset` (a small burst allowed) instead of being spent at once and
///   followed by a stall, and never faster than the hourly limit over the hour, the pace
///   that keeps the window from filling up. `remaining: 0` holds every request until the
///   reset.
/// - **A fair share**, by additive increase and multiplicative decrease as TCP does. The
///   budget uses a share in `(0, 1]` of both limits. Its spending is measured in rounds: a
///   429, or a round in which others hold part of the hour (what it spent beyond this
///   process's own requests) while the token spends faster than the limits allow or is
///   nearly spent and still falling, halves the share, at most once a round; every other
///   answer raises it by a little per second. Processes sharing a token, each with its own
///   budget and no coordination, converge on equal shares.
/// - **`retry-after`** holds every request until it has passed.
///
/// Time comes in as a [`Duration`] since any fixed origin (a monotonic clock); every
/// computation saturates, so absurd headers or a clock that goes backwards never panic.
/// A decision costs O(1) amortised and allocates nothing once the minute window has grown.
///
/// Plain state with one owner: a client shared between threads keeps it behind a mutex.
/// Every request first takes a slot with [`try_reserve`](Self::try_reserve), and every
/// answer is shown to [`observe`](Self::observe).
///
/// ```
/// use std::time::Duration;
/// use droplet_action_model::{Budget, BudgetConfig, RateLimit};
///
/// let mut budget = Budget::new(BudgetConfig::default());
/// let now = Duration::from_secs(100);
/// // Nothing is known yet: the first request goes at once.
/// assert_eq!(budget.try_reserve(now, Duration::from_secs(30)), Ok(Duration::ZERO));
/// // The answer says 100 requests remain and the oldest expires in 1,000 s.
/// let unix_now = 1_700_000_000;
/// let rate_limit = RateLimit { limit: 5000, remaining: 100, reset: unix_now + 1000 };
/// budget.observe(now, unix_now, 200, Some(rate_limit), None);
/// // A burst of a tenth of what remains, then one request every 10.01 s (1 s margin).
/// let delays: Vec<Duration> = (0..12)
///     .map(|_| budget.try_reserve(now, Duration::MAX).unwrap())
///     .collect();
/// assert_eq!(delays[..10], [Duration::ZERO; 10]);
/// assert_eq!(delays[10..], [Duration::from_millis(10_010), Duration::from_millis(20_020)]);
/// // A call that may not wait that long takes nothing and says how long it would need.
/// let needed = Duration::from_millis(30_030);
/// assert_eq!(budget.try_reserve(now, Duration::from_secs(5)), Err(needed));
/// ```
///
/// The minute window alone:
///
/// ```
/// use std::time::Duration;
/// use droplet_action_model::{Budget, BudgetConfig};
///
/// let config = BudgetConfig::default().requests_per_minute(Some(2)).margin(Duration::ZERO);
/// let mut budget = Budget::new(config);
/// let t0 = Duration::from_secs(10);
/// assert_eq!(budget.try_reserve(t0, Duration::MAX), Ok(Duration::ZERO));
/// assert_eq!(budget.try_reserve(t0, Duration::MAX), Ok(Duration::ZERO));
/// // The third of the minute waits for the first one to leave the window.
/// let later = t0 + Duration::from_secs(15);
/// assert_eq!(budget.try_reserve(later, Duration::MAX), Ok(Duration::from_secs(45)));
/// ```
#[derive(Debug, Clone)]
pub struct Budget {
    config: BudgetConfig,
    /// Reserved slots (nanoseconds), oldest first, never decreasing: those that may still
    /// bound a later one. Empty when there is no minute window.
    slots: VecDeque<u64>,
    /// The latest slot reserved: slots are handed out in order.
    last_slot: Option<u64>,
    /// Nothing is sent before this (`retry-after`, an hourly budget spent).
    blocked_until: u64,
    spread: Option<Spread>,
    /// The hourly spread's theoretical arrival time (GCRA).
    spread_tat: u64,
    share: f64,
    last_increase: Option<u64>,
    last_decrease: Option<u64>,
    round: Option<Round>,
    own_in_hour: HourCount,
}

impl Default for Budget {
    fn default() -> Self {
        Self::new(BudgetConfig::default())
    }
}

impl Budget {
    /// A budget with nothing spent, at a full share.
    pub fn new(config: BudgetConfig) -> Self {
        let capacity = config
            .requests_per_minute
            .map_or(0, |n| usize::try_from(n).unwrap_or(usize::MAX))
            .min(INITIAL_WINDOW_CAPACITY);
        Self {
            config,
            slots: VecDeque::with_capacity(capacity),
            last_slot: None,
            blocked_until: 0,
            spread: None,
            spread_tat: 0,
            share: 1.0,
            last_increase: None,
            last_decrease: None,
            round: None,
            own_in_hour: HourCount::default(),
        }
    }

    /// The configuration.
    pub fn config(&self) -> &BudgetConfig {
        &self.config
    }

    /// The share of the limits this budget uses now, in `(0, 1]`: 1 until a slowdown.
    pub fn share(&self) -> f64 {
        self.share
    }

    /// Takes the next request slot, if it is at most `max_wait` after `now`.
    ///
    /// `Ok(delay)`: the slot at `now + delay` is taken; wait `delay`, then send. Slots are
    /// handed out in order. `Err(needed)`: the next free slot is `needed` after `now`, more
    /// than `max_wait`, and nothing was taken.
    pub fn try_reserve(&mut self, now: Duration, max_wait: Duration) -> Result<Duration, Duration> {
        let now = nanos(now);
        let (slot, spread_interval) = self.earliest_slot(now);
        let delay = slot.saturating_sub(now);
        if delay > nanos(max_wait) {
            return Err(Duration::from_nanos(delay));
        }
        if self.config.requests_per_minute.is_some() {
            self.slots.push_back(slot);
            self.forget_slots_before(now);
        }
        self.last_slot = Some(slot);
        if let Some(interval) = spread_interval {
            self.spread_tat = self.spread_tat.max(slot).saturating_add(interval);
        }
        Ok(Duration::from_nanos(delay))
    }

    /// How long a reservation made at `now` would wait, without taking it.
    pub fn peek(&self, now: Duration) -> Duration {
        let now = nanos(now);
        Duration::from_nanos(self.earliest_slot(now).0.saturating_sub(now))
    }

    /// Counts a request slot that another budget granted: a shared budget this one stands
    /// in for while that one cannot be reached. `now` and `slot` are on this budget's clock
    /// (`slot` is `now` plus the other budget's delay). A fallback to this budget then
    /// starts from what was really sent in the last minute, not from an empty one.
    ///
    /// ```
    /// use std::time::Duration;
    /// use droplet_action_model::{Budget, BudgetConfig};
    ///
    /// let config = BudgetConfig::default().requests_per_minute(Some(2)).spread(false);
    /// let mut budget = Budget::new(config);
    /// let now = Duration::from_secs(10);
    /// budget.record(now, now);
    /// budget.record(now, now);
    /// // Both of the minute's requests went out elsewhere: the next waits for the window.
    /// assert_eq!(budget.try_reserve(now, Duration::MAX), Ok(Duration::from_secs(61)));
    /// ```
    pub fn record(&mut self, now: Duration, slot: Duration) {
        if self.config.requests_per_minute.is_none() {
            return;
        }
        let slot = nanos(slot);
        let index = self.slots.partition_point(|&s| s <= slot);
        self.slots.insert(index, slot);
        self.forget_slots_before(nanos(now));
    }

    /// Changes the requests allowed in a rolling minute (`None`: no minute window), keeping
    /// what was reserved: a fleet member's share of the limit changes as members come and
    /// go.
    ///
    /// ```
    /// use std::time::Duration;
    /// use droplet_action_model::{Budget, BudgetConfig};
    ///
    /// let mut budget = Budget::new(BudgetConfig::default().spread(false));
    /// let now = Duration::from_secs(1);
    /// assert_eq!(budget.try_reserve(now, Duration::MAX), Ok(Duration::ZERO));
    /// budget.set_requests_per_minute(Some(1));
    /// assert_eq!(budget.config().requests_per_minute_limit(), Some(1));
    /// assert_eq!(budget.try_reserve(now, Duration::MAX), Ok(Duration::from_secs(61)));
    /// ```
    pub fn set_requests_per_minute(&mut self, limit: Option<u32>) {
        self.config = std::mem::take(&mut self.config).requests_per_minute(limit);
    }

    /// Gives back a slot that was reserved and will not be used (a cancelled call): `slot`
    /// is the `now` given to [`try_reserve`](Self::try_reserve) plus the delay it returned.
    /// Returns whether the minute window held that slot (always true without a window).
    ///
    /// ```
    /// use std::time::Duration;
    /// use droplet_action_model::{Budget, BudgetConfig};
    ///
    /// let mut budget = Budget::new(BudgetConfig::default().requests_per_minute(Some(1)));
    /// let now = Duration::from_secs(1);
    /// let delay = budget.try_reserve(now, Duration::MAX).unwrap();
    /// assert!(budget.release(now + delay));
    /// assert_eq!(budget.try_reserve(now, Duration::MAX), Ok(Duration::ZERO));
    /// ```
    pub fn release(&mut self, slot: Duration) -> bool {
        let slot = nanos(slot);
        let found = if self.config.requests_per_minute.is_some() {
            match self.slots.iter().rposition(|&s| s == slot) {
                Some(index) => {
                    self.slots.remove(index);
                    if self.last_slot == Some(slot) {
                        self.last_slot = self.slots.back().copied();
                    }
                    true
                }
                None => false,
            }
        } else {
            true
        };
        if found && let Some(interval) = self.spread_interval(slot) {
            self.spread_tat = self.spread_tat.saturating_sub(interval);
        }
        found
    }

    /// Learns from an answer: `now` on the same clock as [`try_reserve`](Self::try_reserve),
    /// `unix_now` the wall clock in Unix seconds (the answer's `Date` is best, as
    /// `ratelimit-reset` is on the server's clock), the HTTP status, the `ratelimit-*`
    /// headers and `retry-after` as a delay. Show it every answer, errors included.
    ///
    /// Returns the slowdown it caused, if any.
    ///
    /// ```
    /// use std::time::Duration;
    /// use droplet_action_model::{Budget, SlowdownReason};
    ///
    /// let mut budget = Budget::default();
    /// let now = Duration::from_secs(50);
    /// let slowdown = budget.observe(now, 1_700_000_000, 429, None, Some(Duration::from_secs(3)));
    /// assert_eq!(slowdown.unwrap().reason, SlowdownReason::TooManyRequests);
    /// assert_eq!(budget.share(), 0.5);
    /// assert_eq!(budget.peek(now), Duration::from_secs(3));
    /// ```
    pub fn observe(
        &mut self,
        now: Duration,
        unix_now: i64,
        status: u16,
        rate_limit: Option<RateLimit>,
        retry_after: Option<Duration>,
    ) -> Option<Slowdown> {
        let now = nanos(now);
        if let Some(wait) = retry_after {
            self.hold_until(now.saturating_add(nanos(wait).min(HOUR)));
        }
        let until_reset = rate_limit.map(|limit| self.until_reset(limit, unix_now));
        if let (Some(limit), Some(until_reset)) = (rate_limit, until_reset)
            && self.config.spread
        {
            self.learn_spread(now, limit, until_reset);
        }
        if !self.config.adaptive {
            return None;
        }
        if status == 429 {
            return self.slow_down(now, SlowdownReason::TooManyRequests);
        }
        // The API counts every request it answered other than with a 429.
        self.own_in_hour.record(now);
        if let Some(round) = self.round.as_mut() {
            round.own = round.own.saturating_add(1);
        }
        if let (Some(limit), Some(until_reset)) = (rate_limit, until_reset)
            && self.shared_budget_overspent(now, limit, until_reset)
        {
            return self.slow_down(now, SlowdownReason::SharedBudget);
        }
        self.speed_up(now);
        None
    }

    /// [`observe`](Self::observe) for an answer's metadata; `retry-after` dates are read
    /// against `unix_now`.
    pub fn observe_meta(
        &mut self,
        now: Duration,
        unix_now: i64,
        meta: &ResponseMeta,
    ) -> Option<Slowdown> {
        let retry_after = meta.retry_after.map(|retry_after| {
            let wall = jiff::Timestamp::from_second(unix_now).unwrap_or(if unix_now < 0 {
                jiff::Timestamp::MIN
            } else {
                jiff::Timestamp::MAX
            });
            retry_after.delay_from(wall)
        });
        self.observe(now, unix_now, meta.status, meta.rate_limit, retry_after)
    }

    /// The earliest slot a reservation at `now` may take, and the spread interval it pays.
    fn earliest_slot(&self, now: u64) -> (u64, Option<u64>) {
        let mut slot = now.max(self.blocked_until);
        if let Some(last) = self.last_slot {
            slot = slot.max(last);
        }
        if let Some(allowed) = self.minute_allowance() {
            let len = self.slots.len();
            if len >= allowed {
                let anchor = self.slots[len - allowed];
                slot = slot.max(anchor.saturating_add(self.minute_window()));
            }
        }
        let spread_interval = self.spread_interval(now);
        if let (Some(interval), Some(spread)) = (spread_interval, self.spread) {
            let tolerance = interval.saturating_mul(u64::from(spread.burst - 1));
            slot = slot.max(self.spread_tat.saturating_sub(tolerance));
        }
        (slot, spread_interval)
    }

    /// Requests allowed in a rolling minute at the current share.
    fn minute_allowance(&self) -> Option<usize> {
        let limit = self.config.requests_per_minute?;
        // Float-to-integer casts saturate; the share is never NaN.
        let allowed = (f64::from(limit) * self.share).floor() as usize;
        Some(allowed.max(1))
    }

    /// Drops the slots whose minute has passed at `at`. Every slot that can still bound a
    /// later one stays, so that a slot given back (`release`) leaves the window as it would
    /// have been without it.
    fn forget_slots_before(&mut self, at: u64) {
        let window = self.minute_window();
        while self
            .slots
            .front()
            .is_some_and(|&oldest| oldest.saturating_add(window) <= at)
        {
            self.slots.pop_front();
        }
    }

    fn minute_window(&self) -> u64 {
        MINUTE.saturating_add(nanos(self.config.margin))
    }

    /// The spread's interval at the current share, while the last answer's headers hold.
    fn spread_interval(&self, now: u64) -> Option<u64> {
        let spread = self.spread?;
        Some(scale(spread.interval(now), 1.0 / self.share))
    }

    /// Time until `ratelimit-reset`, within an hour, plus the margin.
    fn until_reset(&self, limit: RateLimit, unix_now: i64) -> u64 {
        let seconds = limit.reset.saturating_sub(unix_now).clamp(0, HOUR_SECONDS);
        (seconds as u64 * NANOS_PER_SECOND).saturating_add(nanos(self.config.margin))
    }

    fn hold_until(&mut self, until: u64) {
        self.blocked_until = self.blocked_until.max(until);
    }

    fn learn_spread(&mut self, now: u64, limit: RateLimit, until_reset: u64) {
        if limit.remaining <= 0 {
            // Spent: the oldest request frees one slot at the reset, then the next answer tells.
            self.hold_until(now.saturating_add(until_reset));
        }
        let remaining = u64::try_from(limit.remaining).unwrap_or(0).max(1);
        let spread = Spread {
            until_reset: until_reset / remaining,
            until: now.saturating_add(until_reset),
            sustained: u64::try_from(limit.limit).map_or(0, |limit| HOUR / limit.max(1)),
            burst: u32::try_from(remaining / 10)
                .unwrap_or(u32::MAX)
                .clamp(1, self.config.spread_burst),
        };
        // A debt run up at the old pace is repaid at the new one (a token bucket).
        if let Some(old) = self.spread
            && self.spread_tat > now
        {
            let (old, new) = (old.interval(now), spread.interval(now));
            if old > 0 {
                let debt = self.spread_tat - now;
                self.spread_tat = now.saturating_add(scale(debt, new as f64 / old as f64));
            }
        }
        self.spread = Some(spread);
    }

    /// Whether a round just ended in which others held part of the token's hour and the
    /// token as a whole spent too fast: faster than the limits allow, or with little left
    /// and still falling. Starts the next round.
    fn shared_budget_overspent(&mut self, now: u64, limit: RateLimit, until_reset: u64) -> bool {
        let allowed_rate = self.allowed_rate(limit, until_reset);
        let Some(round) = self.round else {
            self.start_round(now, limit.remaining, allowed_rate);
            return false;
        };
        let elapsed = now.saturating_sub(round.start);
        if elapsed < nanos(self.config.round) {
            return false;
        }
        self.start_round(now, limit.remaining, allowed_rate);
        let threshold = i64::from(self.config.others_threshold) + i64::from(round.own / 8);
        let fallen = round.remaining.saturating_sub(limit.remaining);
        // Others hold what the hour spent beyond this process's own requests, or spent
        // during the round more than this process did.
        let spent = limit.limit.saturating_sub(limit.remaining.max(0));
        let own_in_hour = i64::from(self.own_in_hour.total());
        let others = spent
            .saturating_sub(own_in_hour)
            .max(fallen.saturating_sub(i64::from(round.own)));
        if others <= threshold {
            return false;
        }
        let allowed = round.allowed_rate * (elapsed as f64 / NANOS_PER_SECOND as f64);
        let too_fast = fallen as f64 > allowed + threshold as f64;
        let low = limit.remaining < limit.limit / LOW_REMAINING_DIVISOR && fallen > 0;
        too_fast || low
    }

    /// Requests per second the limits allow the whole token: the slowest of the minute
    /// window's pace, what remains of the hour over the time to its reset, and the hourly
    /// limit over the hour.
    fn allowed_rate(&self, limit: RateLimit, until_reset: u64) -> f64 {
        let per_second = |count: f64, over: u64| {
            if over == 0 {
                f64::INFINITY
            } else {
                count * NANOS_PER_SECOND as f64 / over as f64
            }
        };
        let minute = self.config.requests_per_minute.map_or(f64::INFINITY, |n| {
            per_second(f64::from(n), self.minute_window())
        });
        let remaining = per_second(limit.remaining.max(0) as f64, until_reset);
        let sustained = if limit.limit > 0 {
            per_second(limit.limit as f64, HOUR)
        } else {
            f64::INFINITY
        };
        minute.min(remaining).min(sustained)
    }

    fn start_round(&mut self, now: u64, remaining: i64, allowed_rate: f64) {
        self.round = Some(Round {
            start: now,
            remaining,
            own: 0,
            allowed_rate,
        });
    }

    fn slow_down(&mut self, now: u64, reason: SlowdownReason) -> Option<Slowdown> {
        let round = nanos(self.config.round);
        if let Some(last) = self.last_decrease
            && now.saturating_sub(last) < round
        {
            return None;
        }
        self.share = (self.share * self.config.decrease_factor).max(self.config.min_share);
        self.last_decrease = Some(now);
        self.last_increase = Some(now);
        self.round = None;
        Some(Slowdown {
            reason,
            share: self.share,
        })
    }

    fn speed_up(&mut self, now: u64) {
        let since = self
            .last_increase
            .map_or(0, |last| now.saturating_sub(last))
            .min(nanos(self.config.round));
        self.last_increase = Some(self.last_increase.map_or(now, |last| last.max(now)));
        let step = self.config.increase_per_second * since as f64 / NANOS_PER_SECOND as f64;
        self.share = (self.share + step).min(1.0);
    }
}

/// A duration in nanoseconds, saturating at about 584 years.
fn nanos(duration: Duration) -> u64 {
    u64::try_from(duration.as_nanos()).unwrap_or(u64::MAX)
}

/// `value * factor`, saturating (float-to-integer casts saturate, NaN gives 0).
fn scale(value: u64, factor: f64) -> u64 {
    (value as f64 * factor) as u64
}
