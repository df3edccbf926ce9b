//! `classify` and `parse_action` on any answer, and the retry decision it leads to.
//!
//! Input: the answer format of `droplet_action_fuzz` (status line, header lines, empty
//! line, body). Beyond "never panics", it checks that:
//! - `classify` agrees with `parse_action` on 2xx and makes every other status an API error;
//! - the metadata is what the header parsers read, and the body is kept byte for byte;
//! - the messages of both errors can be shown;
//! - `ResponseMeta::server_delay` and `RetryPolicy::advise` decide within the policy: no
//!   retry of a status that is not transient, none past the last attempt, no wait longer
//!   than the policy honours.
#![no_main]

use std::time::Duration;

use droplet_action_fuzz::Answer;
use droplet_action_model::{
    RateLimit, ResponseError, ResponseMeta, RetryAdvice, RetryAfter, RetryPolicy, classify,
    is_retryable_status, parse_action, request_id_from_headers,
};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Answer {
        status,
        headers,
        body,
        ..
    } = Answer::parse(data);
    let success = (200..300).contains(&status);
    let parsed = parse_action(&body);
    if let Err(decode) = &parsed {
        let _ = decode.to_string();
    }
    let expected_meta = ResponseMeta {
        status,
        rate_limit: RateLimit::from_headers(&headers),
        request_id: request_id_from_headers(&headers),
        retry_after: RetryAfter::from_headers(&headers),
    };

    let meta = match classify(status, &headers, body.clone()) {
        Ok(answer) => {
            assert!(success, "status {status} classified as a success");
            assert_eq!(parsed.as_ref().ok(), Some(&answer.action));
            assert_eq!(answer.body(), &body[..]);
            assert_eq!(answer.meta, expected_meta);
            answer.meta
        }
        Err(answer) => {
            let _ = answer.to_string();
            let _ = format!("{answer:?}");
            assert_eq!(answer.body, body);
            assert_eq!(answer.meta, expected_meta);
            match &answer.error {
                ResponseError::Decode(decode) => {
                    assert!(success, "status {status} decoded as an action");
                    assert_eq!(parsed.as_ref().err(), Some(decode));
                }
                ResponseError::Api(api) => {
                    assert!(!success, "status {status} classified as an API error");
                    assert_eq!(api.status, status);
                    if api.request_id.is_none() {
                        assert_eq!(answer.meta.request_id, None);
                    }
                }
            }
            answer.meta
        }
    };

    // The retry decision, at a fixed instant (the headers target varies the clock).
    let now = jiff::Timestamp::from_second(1_445_412_480).unwrap();
    let policy = RetryPolicy::default();
    let server_delay = meta.server_delay(now);
    if meta.retry_after.is_none() && status != 429 {
        assert_eq!(server_delay, None);
    }
    let retryable = is_retryable_status(status);
    let unit = f64::from(data.len() as u32 % 1000) / 1000.0;
    for attempt in [0, 1, 2, 3, u32::MAX] {
        match policy.advise(attempt, retryable, server_delay, unit) {
            RetryAdvice::RetryAfter(delay) => {
                assert!(retryable && attempt <= policy.max_retries);
                let ceiling = match server_delay {
                    Some(_) => policy.max_retry_after,
                    None => policy.backoff_max,
                };
                assert!(delay <= ceiling, "{delay:?} above {ceiling:?}");
            }
            RetryAdvice::NotRetryable => assert!(!retryable),
            RetryAdvice::RetriesExhausted => assert!(attempt > policy.max_retries),
            RetryAdvice::WaitTooLong(delay) => {
                assert!(delay > policy.max_retry_after && delay > Duration::ZERO);
            }
        }
    }
});
