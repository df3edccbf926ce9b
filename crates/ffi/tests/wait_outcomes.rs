//! Whatever ends a wait through the C ABI, its result holds the last action seen, the last
//! HTTP status, the polls and all the requests; a spent hourly limit while the action runs
//! ends a wait at once with `DROPLET_STATUS_RATE_LIMITED` and its reset.

use std::ffi::{CStr, CString};
use std::ptr;

use droplet_action::{
    DropletStatus, droplet_action_ref, droplet_action_result, droplet_action_result_free,
    droplet_action_result_polls, droplet_action_wait_many, droplet_action_wait_with_options,
    droplet_call_options, droplet_client, droplet_client_builder_build, droplet_client_builder_new,
    droplet_client_builder_set_base_url, droplet_client_builder_set_token, droplet_client_free,
};
use droplet_action_mock::{MockServer, RateLimit};

fn client(server: &MockServer) -> *mut droplet_client {
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
