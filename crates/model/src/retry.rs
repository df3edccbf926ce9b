//! Which answers are worth another attempt.

use std::time::Duration;

/// Whether an HTTP status is transient and the same request may succeed if sent again:
/// 408 (request timeout), 429 (rate limited) and every 5xx. Other 4xx never are.
///
/// ```
/// use droplet_action_model::is_retryable_status;
/// assert!(is_retryable_status(429));
/// assert!(is_retryable_status(503));
/// assert!(!is_retryable_status(404));
/// assert!(!is_retryable_status(200));
/// ```
pub fn is_retryable_status(status: u16) -> bool {
    matches!(status, 408 | 429 | 500..=599)
}

/// Exponential backoff with full jitter: a wait drawn in `[0, min(cap, base * 2^retry)]`.
///
/// `retry` counts from 0 for the first retry; `unit` is a random number in `[0, 1)` supplied
/// by the caller, so this function stays deterministic.
///
/// ```
/// use std::time::Duration;
/// use droplet_action_model::backoff_delay;
/// let base = Duration::from_millis(100);
/// let cap = Duration::from_secs(2);
/// assert_eq!(backoff_delay(base, cap, 2, 0.5), Duration::from_millis(200));
/// assert_eq!(backoff_delay(base, cap, 30, 0.5), Duration::from_secs(1));
/// ```
pub fn backoff_delay(base: Duration, cap: Duration, retry: u32, unit: f64) -> Duration {
    let ceiling = base
        .checked_mul(1u32.checked_shl(retry).unwrap_or(u32::MAX))
        .unwrap_or(cap)
        .min(cap);
    ceiling.mul_f64(unit.clamp(0.0, 1.0))
}

/// How a failed request is retried: how many times, the backoff, and the longest wait
/// asked for by the server that is honoured.
///
/// ```
/// use std::time::Duration;
/// use droplet_action_model::RetryPolicy;
/// let policy = RetryPolicy::default();
/// assert_eq!(policy.max_retries, 2);
/// assert_eq!(policy.max_retry_after, Duration::from_secs(60));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryPolicy {
    /// How many times a failed request is sent again.
    pub max_retries: u32,
    /// The first backoff ceiling; it doubles with every retry.
    pub backoff_base: Duration,
    /// The largest backoff ceiling.
    pub backoff_max: Duration,
    /// The longest wait asked for by the server (`retry-after`, or a spent rate limit's
    /// reset) that is honoured; a longer one ends the call.
    pub max_retry_after: Duration,
}

impl Default for RetryPolicy {
    /// 2 retries, backoff from 200 ms doubling to 5 s, `retry-after` honoured up to 60 s.
    fn default() -> Self {
        Self {
            max_retries: crate::DEFAULTS.max_retries,
            backoff_base: crate::DEFAULTS.backoff_base,
            backoff_max: crate::DEFAULTS.backoff_max,
            max_retry_after: crate::DEFAULTS.max_retry_after,
        }
    }
}

/// Why a retry decision came out as it did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RetryAdvice {
    /// Send the request again after this pause.
    RetryAfter(Duration),
    /// The failure is not transient (a 4xx other than 408 and 429, a TLS failure, ...).
    NotRetryable,
    /// Every retry allowed was made.
    RetriesExhausted,
    /// The server asked for a longer wait than the policy honours (the wait asked for).
    WaitTooLong(Duration),
}

impl RetryPolicy {
    /// Decides whether attempt number `attempt` (1-based) that failed is sent again, and
    /// after what pause.
    ///
    /// `retryable` says whether the failure is transient (see [`is_retryable_status`]);
    /// `server_delay` is what the server asked for ([`ResponseMeta::server_delay`]), which
    /// replaces the backoff; `unit` is a random number in `[0, 1)` for the jitter.
    ///
    /// ```
    /// use std::time::Duration;
    /// use droplet_action_model::{RetryAdvice, RetryPolicy};
    /// let policy = RetryPolicy::default();
    /// assert_eq!(policy.advise(1, true, None, 0.5), RetryAdvice::RetryAfter(Duration::from_millis(100)));
    /// assert_eq!(policy.advise(1, true, Some(Duration::from_secs(3)), 0.5),
    ///            RetryAdvice::RetryAfter(Duration::from_secs(3)));
    /// assert_eq!(policy.advise(3, true, None, 0.5), RetryAdvice::RetriesExhausted);
    /// assert_eq!(policy.advise(1, false, None, 0.5), RetryAdvice::NotRetryable);
    /// ```
    ///
    /// [`ResponseMeta::server_delay`]: crate::ResponseMeta::server_delay
    pub fn advise(
        &self,
        attempt: u32,
        retryable: bool,
        server_delay: Option<Duration>,
        unit: f64,
    ) -> RetryAdvice {
        if !retryable {
            return RetryAdvice::NotRetryable;
        }
        if attempt > self.max_retries {
            return RetryAdvice::RetriesExhausted;
        }
        match server_delay {
            Some(delay) if delay > self.max_retry_after => RetryAdvice::WaitTooLong(delay),
            Some(delay) => RetryAdvice::RetryAfter(delay),
            None => RetryAdvice::RetryAfter(backoff_delay(
                self.backoff_base,
                self.backoff_max,
                attempt.saturating_sub(1),
                unit,
            )),
        }
    }
}

/// Turns a 64-bit random number into a unit in `[0, 1)`, as [`RetryPolicy::advise`] wants.
///
/// ```
/// assert_eq!(droplet_action_model::unit_from_random(0), 0.0);
/// assert!(droplet_action_model::unit_from_random(u64::MAX) < 1.0);
/// ```
pub fn unit_from_random(random: u64) -> f64 {
    // The top 53 bits fill an f64 mantissa exactly.
    (random >> 11) as f64 / (1u64 << 53) as f64
}
