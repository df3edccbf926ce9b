//! `droplet_response_parse`, `droplet_retry_advice` and `droplet_action_result_free`: the
//! classification a binding with its own HTTP stack hands its answers to.
//!
//! Input: 17 bytes that `arbitrary` turns into the retry advice's arguments (`attempt`,
//! `max_retries`, `random`) and a byte of flags (bit 0: `headers` NULL, bit 1: `body` NULL,
//! bit 2: the first header's name NULL, bit 3: `delay_ms_out` NULL, bit 4: the body padded
//! with spaces to one byte over the 4 MiB body limit), then an answer in the
//! format of `droplet_action_fuzz`. Header names and values go in as C strings, so each ends
//! at its first NUL byte, as a C caller's would.
//!
//! The result must be what the model's `classify` says (status, HTTP status, error id,
//! request id, rate limit, the action field by field, the raw body byte for byte), with
//! `DROPLET_STATUS_DECODE` when an action's string holds a NUL byte and
//! `DROPLET_STATUS_BODY_TOO_LARGE` over the limit; NULL arguments with a
//! length are `INVALID_ARGUMENT`; the retry advice must stay within the default policy; the
//! result must free cleanly, twice. No panic may happen, not even one the boundary catches.
#![no_main]

use std::ffi::{CStr, CString, c_char};
use std::ptr;
use std::time::Duration;

use arbitrary::{Arbitrary, Unstructured};
use droplet_action::{
    DropletStatus, droplet_action_result, droplet_action_result_free, droplet_header,
    droplet_response_parse, droplet_retry_advice,
};
use droplet_action_fuzz::{Answer, abort_on_every_panic};
use droplet_action_model::{
    Action, ActionStatus, ResponseError, ResponseMeta, RetryAdvice, RetryAfter, RetryPolicy,
    classify, is_retryable_status, unit_from_random,
};
use droplet_action_transport::DEFAULT_BODY_LIMIT;
use http::{HeaderMap, HeaderName, HeaderValue};
use libfuzzer_sys::fuzz_target;

#[derive(Debug, Arbitrary)]
struct Advice {
    attempt: u32,
    max_retries: u32,
    random: u64,
    flags: u8,
}

/// The bytes of a C string made from `bytes`: up to the first NUL.
fn c_string(bytes: &[u8]) -> CString {
    let end = bytes.iter().position(|&b| b == 0).unwrap_or(bytes.len());
    CString::new(&bytes[..end]).unwrap()
}

/// Every string the C result holds for `action`.
fn action_strings(action: &Action) -> Vec<&str> {
    let mut strings: Vec<&str> = [
        action.status.as_ref().map(ActionStatus::as_str),
        action.kind.as_deref(),
        action.resource_type.as_deref(),
        action.region_slug.as_deref(),
        action.started_at.as_ref().map(|t| t.as_str()),
        action.completed_at.as_ref().map(|t| t.as_str()),
    ]
    .into_iter()
    .flatten()
    .collect();
    if let Some(region) = &action.region {
        strings.extend(region.name.as_deref());
        strings.extend(region.slug.as_deref());
        for list in [&region.sizes, &region.features].into_iter().flatten() {
            strings.extend(list.iter().map(String::as_str));
        }
    }
    strings
}

/// A list as the C result shows it: an empty one is absent.
fn non_empty(list: &Option<Vec<String>>) -> Option<Vec<&str>> {
    list.as_ref()
        .filter(|l| !l.is_empty())
        .map(|l| l.iter().map(String::as_str).collect())
}

/// Diagnostic text as the C result shows it: a NUL byte becomes `\0`.
fn lossy(text: Option<&str>) -> Option<String> {
    text.map(|t| t.replace('\0', "\\0"))
}

/// Reads a C string the result points at; `None` for NULL.
///
/// # Safety
/// `ptr` is NULL or points into a live result.
unsafe fn text<'a>(ptr: *const c_char) -> Option<&'a str> {
    if ptr.is_null() {
        return None;
    }
    // SAFETY: a NUL-terminated string inside a live result, by this function's contract.
    Some(
        unsafe { CStr::from_ptr(ptr) }
            .to_str()
            .expect("C strings are UTF-8"),
    )
}

/// Reads a list of C strings; an empty list is NULL with length 0.
///
/// # Safety
/// `ptr` is NULL or points at `len` strings of a live result.
unsafe fn list<'a>(ptr: *const *const c_char, len: usize) -> Option<Vec<&'a str>> {
    if len == 0 {
        assert!(ptr.is_null(), "an empty list is NULL");
        return None;
    }
    // SAFETY: `len` pointers inside a live result, by this function's contract.
    let pointers = unsafe { std::slice::from_raw_parts(ptr, len) };
    // SAFETY: each one points at a string of the same result.
    Some(
        pointers
            .iter()
            .map(|&p| unsafe { text(p) }.unwrap())
            .collect(),
    )
}

/// Checks the action of a result against the parsed one.
///
/// # Safety
/// `result` is live and its action is set.
unsafe fn check_action(result: &droplet_action_result, action: &Action) {
    // SAFETY: by this function's contract; every pointer read lives in the result.
    unsafe {
        let c = &*result.action;
        assert_eq!(
            (c.has_id, c.id),
            (action.id.is_some(), action.id.unwrap_or(0))
        );
        assert_eq!(
            (c.has_resource_id, c.resource_id),
            (
                action.resource_id.is_some(),
                action.resource_id.unwrap_or(0)
            )
        );
        assert_eq!(
            text(c.status_text),
            action.status.as_ref().map(ActionStatus::as_str)
        );
        assert_eq!(text(c.r#type), action.kind.as_deref());
        assert_eq!(text(c.resource_type), action.resource_type.as_deref());
        assert_eq!(text(c.region_slug), action.region_slug.as_deref());
        for (ptr, has, unix, timestamp) in [
            (
                c.started_at,
                c.has_started_at,
                c.started_at_unix,
                &action.started_at,
            ),
            (
                c.completed_at,
                c.has_completed_at,
                c.completed_at_unix,
                &action.completed_at,
            ),
        ] {
            assert_eq!(text(ptr), timestamp.as_ref().map(|t| t.as_str()));
            assert_eq!(has, timestamp.is_some());
            assert_eq!(unix, timestamp.as_ref().map_or(0, |t| t.unix_seconds()));
        }
        match (&action.region, c.region.as_ref()) {
            (None, None) => {}
            (Some(region), Some(r)) => {
                assert_eq!(text(r.name), region.name.as_deref());
                assert_eq!(text(r.slug), region.slug.as_deref());
                assert_eq!(list(r.sizes, r.sizes_len), non_empty(&region.sizes));
                assert_eq!(
                    list(r.features, r.features_len),
                    non_empty(&region.features)
                );
                assert_eq!(
                    (r.has_available, r.available),
                    (
                        region.available.is_some(),
                        region.available.unwrap_or(false)
                    )
                );
            }
            (expected, _) => panic!(
                "region {} in the action but not in the C result, or the reverse",
                if expected.is_some() {
                    "present"
                } else {
                    "absent"
                },
            ),
        }
    }
}

fuzz_target!(|data: &[u8]| {
    abort_on_every_panic();
    let mut input = Unstructured::new(data);
    let Ok(advice) = Advice::arbitrary(&mut input) else {
        return;
    };
    let answer = Answer::parse(input.take_rest());
    let status = answer.status;
    let mut body = answer.body;
    let too_large = advice.flags & 16 != 0;
    if too_large {
        let limit = usize::try_from(DEFAULT_BODY_LIMIT).unwrap();
        body.resize(body.len().max(limit + 1), b' ');
    }
    let strings: Vec<(CString, CString)> = answer
        .raw_headers
        .iter()
        .map(|(name, value)| (c_string(name), c_string(value)))
        .collect();
    let mut headers = HeaderMap::new();
    for (name, value) in &strings {
        if let (Ok(name), Ok(value)) = (
            HeaderName::from_bytes(name.to_bytes()),
            HeaderValue::from_bytes(value.to_bytes()),
        ) {
            headers.append(name, value);
        }
    }
    let mut pairs: Vec<droplet_header> = strings
        .iter()
        .map(|(name, value)| droplet_header {
            name: name.as_ptr(),
            value: value.as_ptr(),
        })
        .collect();
    let headers_null = advice.flags & 1 != 0;
    let body_null = advice.flags & 2 != 0;
    let name_null = advice.flags & 4 != 0 && !pairs.is_empty();
    if name_null {
        pairs[0].name = ptr::null();
    }
    let invalid =
        (headers_null && !pairs.is_empty()) || (body_null && !body.is_empty()) || name_null;

    // SAFETY: NULL or `pairs.len()` headers of live C strings; NULL or `body.len()` bytes.
    let mut result = unsafe {
        droplet_response_parse(
            status,
            if headers_null {
                ptr::null()
            } else {
                pairs.as_ptr()
            },
            pairs.len(),
            if body_null {
                ptr::null()
            } else {
                body.as_ptr()
            },
            body.len(),
        )
    };
    assert_ne!(result.status, DropletStatus::Panic);
    // SAFETY: every pointer read below lives in `result` until it is freed at the end.
    unsafe {
        if invalid {
            assert_eq!(result.status, DropletStatus::InvalidArgument);
            assert_eq!(result.http_status, 0);
            assert!(result.action.is_null() && result.raw_body.is_null());
            assert!(
                text(result.error_message)
                    .unwrap()
                    .starts_with("invalid argument")
            );
        } else if too_large {
            let meta = ResponseMeta::new(status, &headers);
            assert_eq!(result.status, DropletStatus::BodyTooLarge);
            assert_eq!(result.http_status, status);
            assert!(result.action.is_null() && result.raw_body.is_null());
            assert_eq!(result.raw_body_len, 0);
            assert!(result.error_id.is_null());
            assert_eq!(text(result.request_id), meta.request_id.as_deref());
            assert_eq!(result.rate_limit.present, meta.rate_limit.is_some());
            assert!(!text(result.error_message).unwrap().is_empty());
        } else {
            assert_eq!(result.http_status, status);
            assert_eq!(result.attempts, 0);
            let classified = classify(status, &headers, body.clone());
            let meta = match &classified {
                Ok(answer) => &answer.meta,
                Err(error) => &error.meta,
            };
            assert_eq!(result.rate_limit.present, meta.rate_limit.is_some());
            if let Some(limit) = meta.rate_limit {
                let c = &result.rate_limit;
                assert_eq!(
                    (c.limit, c.remaining, c.reset),
                    (limit.limit, limit.remaining, limit.reset)
                );
            }
            // The raw body, then a NUL; an error with an empty body keeps none.
            if result.raw_body.is_null() {
                assert!(body.is_empty() && classified.is_err());
                assert_eq!(result.raw_body_len, 0);
            } else {
                let raw = std::slice::from_raw_parts(
                    result.raw_body.cast::<u8>(),
                    result.raw_body_len + 1,
                );
                assert_eq!(&raw[..body.len()], &body[..]);
                assert_eq!(raw[body.len()], 0);
            }
            match &classified {
                Ok(answer) => {
                    assert!(result.error_id.is_null());
                    assert_eq!(text(result.request_id), answer.meta.request_id.as_deref());
                    if action_strings(&answer.action)
                        .iter()
                        .any(|s| s.contains('\0'))
                    {
                        assert_eq!(result.status, DropletStatus::Decode);
                        assert!(result.action.is_null());
                        assert!(
                            text(result.error_message)
                                .unwrap()
                                .contains("holds a NUL byte")
                        );
                    } else {
                        assert_eq!(result.status, DropletStatus::Ok);
                        assert!(result.error_message.is_null());
                        check_action(&result, &answer.action);
                    }
                }
                Err(error) => {
                    assert!(result.action.is_null());
                    assert!(!text(result.error_message).unwrap().is_empty());
                    match &error.error {
                        ResponseError::Decode(_) => {
                            assert_eq!(result.status, DropletStatus::Decode);
                            assert!(result.error_id.is_null());
                            assert_eq!(text(result.request_id), error.meta.request_id.as_deref());
                        }
                        ResponseError::Api(api) => {
                            assert_eq!(result.status, DropletStatus::ApiError);
                            assert_eq!(
                                text(result.error_id).map(str::to_owned),
                                lossy(api.id.as_deref())
                            );
                            let request_id = api
                                .request_id
                                .as_deref()
                                .or(error.meta.request_id.as_deref());
                            assert_eq!(
                                text(result.request_id).map(str::to_owned),
                                lossy(request_id)
                            );
                        }
                    }
                }
            }
        }

        // The retry advice, with the default policy and the caller's retry limit.
        const SENTINEL: u64 = 0x5eed;
        let mut delay_ms = SENTINEL;
        let delay_null = advice.flags & 8 != 0;
        let retry = droplet_retry_advice(
            &result,
            advice.attempt,
            advice.max_retries,
            advice.random,
            if delay_null {
                ptr::null_mut()
            } else {
                &mut delay_ms
            },
        );
        assert!(!droplet_retry_advice(ptr::null(), 1, 2, 0, &mut delay_ms));
        if retry {
            assert!(!delay_null);
            assert_eq!(result.status, DropletStatus::ApiError);
            assert!(is_retryable_status(result.http_status));
            assert!(advice.attempt.max(1) <= advice.max_retries);
            assert!(delay_ms <= 60_000, "advised to wait {delay_ms} ms");
            // Where the server's wait does not depend on the clock, the advice is exact.
            let meta = ResponseMeta::new(status, &headers);
            let clock_free = match meta.retry_after {
                Some(RetryAfter::Delay(_)) => true,
                Some(RetryAfter::At(_)) => false,
                None => !(status == 429 && meta.rate_limit.is_some_and(|l| l.remaining <= 0)),
            };
            if clock_free {
                let policy = RetryPolicy {
                    max_retries: advice.max_retries,
                    ..RetryPolicy::default()
                };
                let server_delay = meta.server_delay(jiff::Timestamp::UNIX_EPOCH);
                let want = policy.advise(
                    advice.attempt.max(1),
                    true,
                    server_delay,
                    unit_from_random(advice.random),
                );
                let RetryAdvice::RetryAfter(want) = want else {
                    panic!("the C advice retries, the model says {want:?}");
                };
                assert_eq!(
                    Duration::from_millis(delay_ms),
                    Duration::from_millis(u64::try_from(want.as_millis()).unwrap())
                );
            }
        } else {
            assert_eq!(delay_ms, SENTINEL);
        }

        droplet_action_result_free(&mut result);
        assert!(result.action.is_null() && result.internal.is_null());
        // A second free does nothing, as the header promises.
        droplet_action_result_free(&mut result);
    }
});
