//! `classify` and `parse_action` on any answer, and the C result laid out from a success.
//!
//! Input: the answer format of `droplet_action_fuzz` (status line, header lines, empty
//! line, body). Beyond "never panics", it checks that:
//! - `classify` agrees with `parse_action` on 2xx and makes every other status an API error;
//! - the metadata is what the header parsers read, and the body is kept byte for byte;
//! - the C result of a success (`result_from_answer`, what `droplet_action_get` returns)
//!   points at exactly the action's strings, or is `DROPLET_STATUS_DECODE` when one of them
//!   holds a NUL byte, and frees cleanly (twice, as the header allows).
#![no_main]

use std::ffi::{CStr, c_char};

use droplet_action::{DropletStatus, droplet_action_result, droplet_action_result_free};
use droplet_action_fuzz::Answer;
use droplet_action_model::{
    Action, ActionStatus, RateLimit, ResponseError, ResponseMeta, RetryAfter, classify,
    parse_action, request_id_from_headers,
};
use droplet_action_transport::ActionAnswer;
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

    match classify(status, &headers, body.clone()) {
        Ok(answer) => {
            assert!(success, "status {status} classified as a success");
            assert_eq!(parsed.as_ref().ok(), Some(&answer.action));
            assert_eq!(answer.body(), &body[..]);
            assert_eq!(answer.meta, expected_meta);
            let (action, meta, body) = answer.into_parts();
            check_c_result(&ActionAnswer {
                action,
                meta,
                attempts: 1,
                body,
            });
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
        }
    }
});

/// Every string the C result holds for `action`, in the order the library checks them.
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

fn check_c_result(answer: &ActionAnswer) {
    let mut result: droplet_action_result = droplet_action::result_from_answer(answer);
    let action = &answer.action;
    let holds_nul = action_strings(action).iter().any(|s| s.contains('\0'));
    assert_eq!(result.http_status, answer.meta.status);
    assert_eq!(result.attempts, answer.attempts);
    assert_eq!(result.rate_limit.present, answer.meta.rate_limit.is_some());
    if let Some(limit) = answer.meta.rate_limit {
        assert_eq!(
            (
                result.rate_limit.limit,
                result.rate_limit.remaining,
                result.rate_limit.reset
            ),
            (limit.limit, limit.remaining, limit.reset)
        );
    }
    assert_eq!(result.raw_body_len, answer.body.len());
    // SAFETY: every pointer below comes from `result`, which lives until it is freed at the
    // end of this function; the raw body is `raw_body_len` bytes followed by a NUL.
    unsafe {
        let raw = std::slice::from_raw_parts(result.raw_body.cast::<u8>(), result.raw_body_len + 1);
        assert_eq!(&raw[..answer.body.len()], &answer.body[..]);
        assert_eq!(raw[answer.body.len()], 0);
        // A header value is visible ASCII, so no NUL needs escaping here.
        assert_eq!(text(result.request_id), answer.meta.request_id.as_deref());
        assert!(result.error_id.is_null());
        if holds_nul {
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
                (expected, got) => panic!(
                    "region {} in the action, {} in the C result",
                    if expected.is_some() {
                        "present"
                    } else {
                        "absent"
                    },
                    if got.is_some() { "present" } else { "NULL" },
                ),
            }
        }
        droplet_action_result_free(&mut result);
        // A second free does nothing, as the header promises.
        droplet_action_result_free(&mut result);
    }
}
