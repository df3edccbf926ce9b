//! Rate limit, `retry-after`, `x-request-id` and the retry rules.

use std::time::Duration;

use droplet_action_model::{
    RateLimit, RetryAfter, backoff_delay, is_retryable_status, request_id_from_headers,
};
use http::HeaderMap;

fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
    let mut map = HeaderMap::new();
    for (name, value) in pairs {
        map.insert(*name, value.parse().unwrap());
    }
    map
}

#[test]
fn rate_limit_needs_all_three_integer_headers() {
    let full = headers(&[
        ("ratelimit-limit", "5000"),
        ("ratelimit-remaining", "0"),
        ("ratelimit-reset", "1444931833"),
    ]);
    let limit = RateLimit::from_headers(&full).unwrap();
    assert_eq!(
        limit.reset_at().unwrap().to_string(),
        "2015-10-15T17:57:13Z"
    );
    let partial = headers(&[("ratelimit-limit", "5000"), ("ratelimit-remaining", "1")]);
    assert_eq!(RateLimit::from_headers(&partial), None);
    let garbled = headers(&[
        ("ratelimit-limit", "lots"),
        ("ratelimit-remaining", "1"),
        ("ratelimit-reset", "1"),
    ]);
    assert_eq!(RateLimit::from_headers(&garbled), None);
}

#[test]
fn retry_after_reads_seconds_and_http_dates() {
    let now: jiff::Timestamp = "2015-10-21T07:28:00Z".parse().unwrap();
    assert_eq!(
        RetryAfter::parse("120"),
        Some(RetryAfter::Delay(Duration::from_secs(120)))
    );
    assert_eq!(
        RetryAfter::parse(" 0 ").unwrap().delay_from(now),
        Duration::ZERO
    );
    let date = RetryAfter::parse("Wed, 21 Oct 2015 07:29:00 GMT").unwrap();
    assert_eq!(date.delay_from(now), Duration::from_secs(60));
    let past = RetryAfter::parse("Wed, 21 Oct 2015 07:00:00 GMT").unwrap();
    assert_eq!(past.delay_from(now), Duration::ZERO);
    assert_eq!(
        RetryAfter::parse("99999999999999999999999"),
        Some(RetryAfter::Delay(Duration::from_secs(u64::MAX)))
    );
    for bad in ["", "-1", "1.5", "soon", "Wed, 99 Oct 2015 07:29:00 GMT"] {
        assert_eq!(RetryAfter::parse(bad), None, "{bad:?}");
    }
    let map = headers(&[("retry-after", "3")]);
    assert_eq!(
        RetryAfter::from_headers(&map),
        Some(RetryAfter::Delay(Duration::from_secs(3)))
    );
}

#[test]
fn request_id_header_is_read_when_present() {
    let map = headers(&[("x-request-id", "abc-123")]);
    assert_eq!(request_id_from_headers(&map).as_deref(), Some("abc-123"));
    assert_eq!(
        request_id_from_headers(&headers(&[("x-request-id", " ")])),
        None
    );
    assert_eq!(request_id_from_headers(&HeaderMap::new()), None);
}

#[test]
fn only_408_429_and_5xx_are_retried() {
    let retried: Vec<u16> = (100..=599).filter(|s| is_retryable_status(*s)).collect();
    let mut expected = vec![408, 429];
    expected.extend(500..=599);
    assert_eq!(retried, expected);
}

#[test]
fn backoff_grows_exponentially_under_the_cap_with_full_jitter() {
    let base = Duration::from_millis(100);
    let cap = Duration::from_secs(5);
    let ceilings: Vec<Duration> = (0..8).map(|r| backoff_delay(base, cap, r, 1.0)).collect();
    assert_eq!(
        ceilings,
        [100, 200, 400, 800, 1600, 3200, 5000, 5000].map(Duration::from_millis)
    );
    assert_eq!(backoff_delay(base, cap, 3, 0.0), Duration::ZERO);
    assert_eq!(
        backoff_delay(base, cap, 3, 0.25),
        Duration::from_millis(200)
    );
    assert_eq!(
        backoff_delay(base, cap, u32::MAX, 0.5),
        Duration::from_millis(2500)
    );
}
