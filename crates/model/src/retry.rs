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
