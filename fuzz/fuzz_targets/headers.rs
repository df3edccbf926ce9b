//! The protocol header parsers: `RateLimit::from_headers`, `RetryAfter::parse`,
//! `RetryAfter::from_headers`, `RetryAfter::delay_from` and `request_id_from_headers`, and
//! the waits they lead to: `RateLimit::delay_until_reset` and `ResponseMeta::server_delay`.
//!
//! Input: 12 bytes that `arbitrary` turns into the caller's clock (`now`, any instant jiff
//! can hold, clamped into range), then header lines `name: value` as in the answer format of
//! `droplet_action_fuzz`. `RetryAfter::parse` also sees every line's value when it is UTF-8,
//! even one the `http` crate would refuse. `delay_from` is asked from `now` and from the
//! extremes of time, and its answer is checked: a delay is the delay, a date in the past is
//! zero, a date in the future is exactly the time until it.
#![no_main]

use std::time::Duration;

use arbitrary::{Arbitrary, Unstructured};
use droplet_action_fuzz::parse_header_block;
use droplet_action_model::{RateLimit, ResponseMeta, RetryAfter, request_id_from_headers};
use jiff::{SignedDuration, Timestamp};
use libfuzzer_sys::fuzz_target;

/// The caller's clock: any second and nanosecond, brought into jiff's range.
#[derive(Debug, Arbitrary)]
struct Clock {
    second: i64,
    nanosecond: i32,
}

impl Clock {
    fn now(&self) -> Timestamp {
        let second = self
            .second
            .clamp(Timestamp::MIN.as_second(), Timestamp::MAX.as_second());
        let nanosecond = self.nanosecond % 1_000_000_000;
        Timestamp::new(second, nanosecond).unwrap_or(if second < 0 {
            Timestamp::MIN
        } else {
            Timestamp::MAX
        })
    }
}

fn check_retry_after(retry_after: RetryAfter, now: Timestamp) {
    for clock in [now, Timestamp::MIN, Timestamp::UNIX_EPOCH, Timestamp::MAX] {
        let delay = retry_after.delay_from(clock);
        match retry_after {
            RetryAfter::Delay(expected) => assert_eq!(delay, expected),
            RetryAfter::At(at) if at <= clock => assert_eq!(delay, Duration::ZERO),
            RetryAfter::At(at) => {
                let signed = SignedDuration::try_from(delay).expect("fits: both are instants");
                assert_eq!(clock.checked_add(signed).ok(), Some(at), "delay {delay:?}");
            }
        }
    }
}

fuzz_target!(|data: &[u8]| {
    let mut input = Unstructured::new(data);
    let Ok(clock) = Clock::arbitrary(&mut input) else {
        return;
    };
    let now = clock.now();
    let (headers, raw_values, _) = parse_header_block(input.take_rest());

    if let Some(limit) = RateLimit::from_headers(&headers) {
        let _ = limit.reset_at();
        for clock in [now, Timestamp::MIN, Timestamp::UNIX_EPOCH, Timestamp::MAX] {
            let wait = limit.delay_until_reset(clock);
            if limit.reset <= clock.as_second() {
                assert_eq!(wait, Duration::ZERO);
            } else {
                // Saturates at i64::MAX seconds, which is as good as forever.
                let expected = limit.reset.abs_diff(clock.as_second()).min(i64::MAX as u64);
                assert_eq!(wait, Duration::from_secs(expected));
            }
        }
    }
    for status in [429, 503] {
        let meta = ResponseMeta::new(status, &headers);
        let delay = meta.server_delay(now);
        match (meta.retry_after, meta.rate_limit) {
            (Some(retry_after), _) => assert_eq!(delay, Some(retry_after.delay_from(now))),
            (None, Some(limit)) if status == 429 && limit.remaining <= 0 => {
                assert_eq!(delay, Some(limit.delay_until_reset(now)));
            }
            _ => assert_eq!(delay, None),
        }
    }
    if let Some(id) = request_id_from_headers(&headers) {
        assert!(!id.is_empty() && id.trim() == id, "request id {id:?}");
    }
    let from_headers = RetryAfter::from_headers(&headers);
    if let Some(retry_after) = from_headers {
        check_retry_after(retry_after, now);
    }
    for value in &raw_values {
        let Ok(text) = std::str::from_utf8(value) else {
            continue;
        };
        let parsed = RetryAfter::parse(text);
        let trimmed = text.trim();
        if !trimmed.is_empty() && trimmed.bytes().all(|b| b.is_ascii_digit()) {
            let seconds = trimmed.parse::<u64>().unwrap_or(u64::MAX);
            assert_eq!(
                parsed,
                Some(RetryAfter::Delay(Duration::from_secs(seconds)))
            );
        }
        if let Some(retry_after) = parsed {
            check_retry_after(retry_after, now);
        }
    }
});
