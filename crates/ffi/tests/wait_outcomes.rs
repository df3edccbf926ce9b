//! Whatever ends a wait through the C ABI, its result holds the last action seen, the last
//! HTTP status, the polls and all the requests; a spent hourly limit while the action runs
//! ends a wait at once with `DROPLET_STATUS_RATE_LIMITED` and its reset.

use std::ffi::{CStr, CString};
use std::ptr;

use droplet_action::{
    DropletStatus, droplet_action_ref, droplet_action_result, droplet_action_result_free,
    droplet_action_result_polls, droplet_action_wait_many, droplet_action_wait_with_options,
    droplet_call_options, droplet_client, droplet_client_builder_build, droplet_client_builder_new,
    droplet_client_builder_set_base_url, droplet_client_builder_set_max_retries,
    droplet_client_builder_set_token, droplet_client_free, droplet_wait_step, droplet_waiter_free,
    droplet_waiter_new, droplet_waiter_next, droplet_waiter_result, droplet_waiter_send,
};
use droplet_action_mock::{MockServer, RateLimit};

fn client(server: &MockServer) -> *mut droplet_client {
    client_retrying(server, None)
}

/// A client of `server`, with `max_retries` when given.
fn client_retrying(server: &MockServer, max_retries: Option<u32>) -> *mut droplet_client {
    let url = CString::new(server.base_url()).unwrap();
    let token = CString::new("mock-token").unwrap();
    let mut client = ptr::null_mut();
    // SAFETY: a fresh builder, live strings, a writable out pointer; the build frees it.
    unsafe {
        let builder = droplet_client_builder_new();
        assert_eq!(
            droplet_client_builder_set_token(builder, token.as_ptr()),
            DropletStatus::Ok
        );
        assert_eq!(
            droplet_client_builder_set_base_url(builder, url.as_ptr()),
            DropletStatus::Ok
        );
        if let Some(retries) = max_retries {
            assert_eq!(
                droplet_client_builder_set_max_retries(builder, retries),
                DropletStatus::Ok
            );
        }
        assert_eq!(
            droplet_client_builder_build(builder, &mut client),
            DropletStatus::Ok
        );
    }
    client
}

fn options(timeout_ms: u32, poll_interval_ms: u32) -> droplet_call_options {
    droplet_call_options {
        size: size_of::<droplet_call_options>(),
        cancel: ptr::null(),
        timeout_ms,
        poll_interval_ms,
        on_poll: None,
        on_poll_userdata: ptr::null_mut(),
    }
}

/// Status, HTTP status, attempts, polls, the action's id, and the message.
fn summary(result: &droplet_action_result) -> (DropletStatus, u16, u32, u32, Option<i64>, String) {
    // SAFETY: a live result; its action, when set, lives as long as it.
    unsafe {
        let action = result.action.as_ref().map(|a| a.id);
        let message = if result.error_message.is_null() {
            String::new()
        } else {
            CStr::from_ptr(result.error_message)
                .to_string_lossy()
                .into_owned()
        };
        (
            result.status,
            result.http_status,
            result.attempts,
            droplet_action_result_polls(result),
            action,
            message,
        )
    }
}

#[test]
fn a_spent_hourly_limit_while_running_ends_the_wait_at_once_rate_limited() {
    // Three requests an hour: the third answer shows none left, the action still running.
    let server = MockServer::builder()
        .rate_limit(RateLimit {
            per_minute: 250,
            per_hour: 3,
        })
        .start()
        .unwrap();
    let client = client(&server);
    let started = std::time::Instant::now();
    // SAFETY: a live client and options.
    let mut result =
        unsafe { droplet_action_wait_with_options(client, 7, 900199, &options(600_000, 10)) };
    assert!(
        started.elapsed() < std::time::Duration::from_secs(2),
        "{:?}",
        started.elapsed()
    );
    let (status, http, attempts, polls, action, message) = summary(&result);
    assert_eq!(
        (status, http, attempts, polls, action),
        (DropletStatus::RateLimited, 200, 3, 3, Some(900199))
    );
    assert!(
        message.starts_with("the rate limit is spent and resets in "),
        "{message}"
    );
    assert!(result.rate_limit.present);
    assert_eq!(
        (result.rate_limit.limit, result.rate_limit.remaining),
        (3, 0)
    );
    let now = jiff::Timestamp::now().as_second();
    assert!(
        (now + 3590..=now + 3601).contains(&result.rate_limit.reset),
        "{}",
        result.rate_limit.reset
    );
    assert_eq!(server.hits(7, 900199), 3);
    // SAFETY: the result and the client, freed once.
    unsafe {
        droplet_action_result_free(&mut result);
        droplet_client_free(client);
    }
}

#[test]
fn a_401_inside_a_wait_for_many_keeps_the_polls_and_requests() {
    let server = MockServer::start().unwrap();
    let client = client(&server);
    let refs = [
        droplet_action_ref {
            droplet_id: 1,
            action_id: 900103,
        },
        droplet_action_ref {
            droplet_id: 1,
            action_id: 900401,
        },
    ];
    // SAFETY: a plain C struct of integers and pointers, for which all zeroes is valid.
    let mut results: [droplet_action_result; 2] = unsafe { std::mem::zeroed() };
    // SAFETY: a live client, two refs, two writable results.
    let status = unsafe {
        droplet_action_wait_many(
            client,
            refs.as_ptr(),
            2,
            &options(10_000, 10),
            results.as_mut_ptr(),
        )
    };
    assert_eq!(status, DropletStatus::ApiError);
    let (status, http, attempts, polls, action, _) = summary(&results[0]);
    assert_eq!(
        (status, http, attempts, polls, action),
        (DropletStatus::Ok, 200, 4, 4, Some(900103))
    );
    let (status, http, attempts, polls, action, message) = summary(&results[1]);
    assert_eq!(
        (status, http, attempts, polls, action),
        (DropletStatus::ApiError, 401, 1, 1, None)
    );
    assert!(
        message.starts_with("HTTP 401 Unauthorized: unauthorized"),
        "{message}"
    );
    // SAFETY: the results and the client, freed once.
    unsafe {
        for result in &mut results {
            droplet_action_result_free(result);
        }
        droplet_client_free(client);
    }
}

/// Drives a waiter for (droplet, 900599: a 500 every time) through `client` with
/// `droplet_waiter_send` on a fake clock that jumps to each sleep's end, until the deadline
/// of 10 s with polls every 4 s; returns the result's summary.
fn drive_waiter_on_500s(
    client: *const droplet_client,
    droplet_id: i64,
) -> (DropletStatus, u16, u32, u32, Option<i64>, String) {
    let opts = options(10_000, 4_000);
    let mut now = 1_000u64;
    // SAFETY: live client and options; the waiter is used by this thread only and freed.
    unsafe {
        let waiter = droplet_waiter_new(droplet_id, 900599, &opts, now);
        assert!(!waiter.is_null());
        let mut step = droplet_wait_step::default();
        loop {
            assert_eq!(
                droplet_waiter_next(waiter, now, &mut step),
                DropletStatus::Ok
            );
            match step.kind {
                0 => assert_eq!(droplet_waiter_send(client, waiter, now), DropletStatus::Ok),
                1 => now = step.until_ms,
                _ => break,
            }
        }
        let mut result = droplet_waiter_result(waiter, now);
        let summary = summary(&result);
        droplet_action_result_free(&mut result);
        droplet_waiter_free(waiter);
        summary
    }
}

#[test]
fn a_waiter_sent_through_a_client_retries_as_that_client_does() {
    let server = MockServer::start().unwrap();
    let once = client_retrying(&server, Some(0));
    let default = client(&server);
    // Polls at 0, 4 and 8 s of the 10 s: with no retry, one request each.
    let (status, http, attempts, polls, _, _) = drive_waiter_on_500s(once, 71);
    assert_eq!(
        (status, http, attempts, polls),
        (DropletStatus::Timeout, 500, 3, 3)
    );
    assert_eq!(server.hits(71, 900599), 3);
    // The default client retries twice in a poll (1 + 2 requests), its pauses within 5 s.
    let (status, http, attempts, _, _, _) = drive_waiter_on_500s(default, 72);
    assert_eq!((status, http), (DropletStatus::Timeout, 500));
    assert_eq!(server.hits(72, 900599) as u32, attempts);
    assert!(attempts > 3, "{attempts} requests");
    // SAFETY: live clients, freed once.
    unsafe {
        droplet_client_free(once);
        droplet_client_free(default);
    }
}
