//! Protocol headers: rate limit, `retry-after` and `x-request-id`.

use std::time::Duration;

use http::HeaderMap;

/// The account's rate limit as the API reports it on every answer.
///
/// ```
/// use droplet_action_model::RateLimit;
/// let mut headers = http::HeaderMap::new();
/// headers.insert("ratelimit-limit", "5000".parse().unwrap());
/// headers.insert("ratelimit-remaining", "4816".parse().unwrap());
/// headers.insert("ratelimit-reset", "1444931833".parse().unwrap());
/// let limit = RateLimit::from_headers(&headers).unwrap();
/// assert_eq!((limit.limit, limit.remaining, limit.reset), (5000, 4816, 1444931833));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct RateLimit {
    /// `ratelimit-limit`: requests allowed in the window.
    pub limit: i64,
    /// `ratelimit-remaining`: requests left in the window.
    pub remaining: i64,
    /// `ratelimit-reset`: Unix seconds at which the oldest request expires.
    pub reset: i64,
}

impl RateLimit {
    /// Reads the three `ratelimit-*` headers; `None` unless all three are present integers.
    pub fn from_headers(headers: &HeaderMap) -> Option<Self> {
        Some(Self {
            limit: integer_header(headers, "ratelimit-limit")?,
            remaining: integer_header(headers, "ratelimit-remaining")?,
            reset: integer_header(headers, "ratelimit-reset")?,
        })
    }

    /// `ratelimit-reset` as an instant, when it is within the range of time.
    pub fn reset_at(&self) -> Option<jiff::Timestamp> {
        jiff::Timestamp::from_second(self.reset).ok()
    }

    /// The time from `now` until `ratelimit-reset`; zero when it is past.
    ///
    /// ```
    /// use std::time::Duration;
    /// use droplet_action_model::RateLimit;
    /// let limit = RateLimit { limit: 5000, remaining: 0, reset: 1_700_000_060 };
    /// let now = jiff::Timestamp::from_second(1_700_000_000).unwrap();
    /// assert_eq!(limit.delay_until_reset(now), Duration::from_secs(60));
    /// ```
    pub fn delay_until_reset(&self, now: jiff::Timestamp) -> Duration {
        let seconds = self.reset.saturating_sub(now.as_second()).max(0);
        Duration::from_secs(seconds.unsigned_abs())
    }
}

fn integer_header(headers: &HeaderMap, name: &str) -> Option<i64> {
    headers.get(name)?.to_str().ok()?.trim().parse().ok()
}

/// The `retry-after` header: a number of seconds or an HTTP date.
///
/// ```
/// use std::time::Duration;
/// use droplet_action_model::RetryAfter;
/// let now: jiff::Timestamp = "2015-10-21T07:28:00Z".parse().unwrap();
/// assert_eq!(RetryAfter::parse("1").unwrap().delay_from(now), Duration::from_secs(1));
/// let date = RetryAfter::parse("Wed, 21 Oct 2015 07:28:30 GMT").unwrap();
/// assert_eq!(date.delay_from(now), Duration::from_secs(30));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RetryAfter {
    /// Wait this long.
    Delay(Duration),
    /// Wait until this instant.
    At(jiff::Timestamp),
}

impl RetryAfter {
    /// Parses a `retry-after` value: delta-seconds or an HTTP date (RFC 9110); else `None`.
    pub fn parse(value: &str) -> Option<Self> {
        let value = value.trim();
        if !value.is_empty() && value.bytes().all(|b| b.is_ascii_digit()) {
            // Absurd values saturate instead of failing: the caller caps the wait anyway.
            let seconds = value.parse::<u64>().unwrap_or(u64::MAX);
            return Some(Self::Delay(Duration::from_secs(seconds)));
        }
        jiff::fmt::rfc2822::parse(value)
            .ok()
            .map(|zoned| Self::At(zoned.timestamp()))
    }

    /// Reads the `retry-after` header, if present and well formed.
    pub fn from_headers(headers: &HeaderMap) -> Option<Self> {
        Self::parse(headers.get(http::header::RETRY_AFTER)?.to_str().ok()?)
    }

    /// How long to wait, counted from `now` (the caller's clock; a date in the past is zero).
    pub fn delay_from(&self, now: jiff::Timestamp) -> Duration {
        match *self {
            Self::Delay(delay) => delay,
            Self::At(at) => {
                let span = at.duration_since(now);
                Duration::try_from(span).unwrap_or(Duration::ZERO)
            }
        }
    }
}

/// The `x-request-id` header, when present and printable.
pub fn request_id_from_headers(headers: &HeaderMap) -> Option<String> {
    let value = headers.get("x-request-id")?.to_str().ok()?.trim();
    (!value.is_empty()).then(|| value.to_owned())
}
