//! Every request of a wait is observable through the C ABI: `droplet_call_options.on_poll`
//! sees each response's action status, or the failure a retry answers, with the polls, the
//! requests, the time since the wait started and the time until the next poll; on the
//! blocking waits, on a wait for many, and on the sans-IO waiter. A caller compiled against
//! the options' first version (without the callback) keeps working.

use std::ffi::{CStr, CString, c_void};
use std::ptr;

use droplet_action::{
    DROPLET_WAIT_DONE, DROPLET_WAIT_SEND, DropletActionStatus, DropletStatus, droplet_action_ref,
    droplet_action_result_free, droplet_action_wait_many, droplet_action_wait_with_options,
    droplet_call_options, droplet_client, droplet_client_builder_build, droplet_client_builder_new,
    droplet_client_builder_set_backoff_ms, droplet_client_builder_set_base_url,
    droplet_client_builder_set_token, droplet_client_free, droplet_header, droplet_poll_event,
    droplet_wait_step, droplet_waiter_feed, droplet_waiter_free, droplet_waiter_new,
    droplet_waiter_next, droplet_waiter_result, droplet_waiter_send,
};
use droplet_action_mock::MockServer;

/// What the callback saw, copied out of the event.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Seen {
    ids: (i64, i64),
    status: DropletActionStatus,
    status_text: Option<String>,
    http_status: u16,
    polls: u32,
    requests: u32,
    more: bool,
    next_poll_in_ms: u64,
    elapsed_ms: u64,
}

unsafe extern "C" fn record(userdata: *mut c_void, event: *const droplet_poll_event) {
    // SAFETY: the test's own Vec, and an event valid during the call.
    let (seen, event) = unsafe { (&mut *userdata.cast::<Vec<Seen>>(), &*event) };
    assert_eq!(event.size, size_of::<droplet_poll_event>());
    seen.push(Seen {
        ids: (event.droplet_id, event.action_id),
        status: event.status,
        status_text: (!event.status_text.is_null()).then(|| {
            // SAFETY: a NUL-terminated string valid during the call.
            unsafe { CStr::from_ptr(event.status_text) }
                .to_string_lossy()
                .into_owned()
        }),
        http_status: event.http_status,
        polls: event.polls,
        requests: event.requests,
        more: event.more,
        next_poll_in_ms: event.next_poll_in_ms,
        elapsed_ms: event.elapsed_ms,
    });
}

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
            droplet_client_builder_set_backoff_ms(builder, 10, 40),
            DropletStatus::Ok
        );
        assert_eq!(
            droplet_client_builder_build(builder, &mut client),
            DropletStatus::Ok
        );
    }
    client
}

fn options(seen: &mut Vec<Seen>, poll_interval_ms: u32) -> droplet_call_options {
    droplet_call_options {
        size: size_of::<droplet_call_options>(),
        cancel: ptr::null(),
        timeout_ms: 10_000,
        poll_interval_ms,
        on_poll: Some(record),
        on_poll_userdata: ptr::from_mut(seen).cast(),
    }
}

fn without_times(seen: &[Seen]) -> Vec<Seen> {
    seen.iter()
        .map(|s| Seen {
            elapsed_ms: 0,
            next_poll_in_ms: if s.more { 1 } else { 0 },
            ..s.clone()
        })
        .collect()
}

fn event(
    ids: (i64, i64),
    status: DropletActionStatus,
    http_status: u16,
    polls: u32,
    requests: u32,
    more: bool,
) -> Seen {
    let status_text = match status {
        DropletActionStatus::InProgress => Some("in-progress".to_owned()),
        DropletActionStatus::Completed => Some("completed".to_owned()),
        _ => None,
    };
    Seen {
        ids,
        status,
        status_text,
        http_status,
        polls,
        requests,
        more,
        next_poll_in_ms: u64::from(more),
        elapsed_ms: 0,
    }
}

#[test]
fn a_wait_reports_each_poll_with_its_status_counts_and_next_poll() {
    let server = MockServer::start().unwrap();
    let client = client(&server);
    let mut seen = Vec::new();
    let opts = options(&mut seen, 20);
    // SAFETY: a live client; options whose userdata outlives the call.
    let mut result = unsafe { droplet_action_wait_with_options(client, 7, 900102, &opts) };
    assert_eq!(result.status, DropletStatus::Ok);
    use DropletActionStatus::{Completed, InProgress};
    assert_eq!(
        without_times(&seen),
        vec![
            event((7, 900102), InProgress, 200, 1, 1, true),
            event((7, 900102), InProgress, 200, 2, 2, true),
            event((7, 900102), Completed, 200, 3, 3, false),
        ]
    );
    // The next poll is due one interval after each in-progress response.
    let next: Vec<u64> = seen.iter().map(|s| s.next_poll_in_ms).collect();
    assert_eq!(next, vec![20, 20, 0]);
    // Elapsed time grows by at least the interval between polls.
    assert!(seen[1].elapsed_ms >= seen[0].elapsed_ms + 20, "{seen:?}");
    assert!(seen[2].elapsed_ms >= seen[1].elapsed_ms + 20, "{seen:?}");
    // SAFETY: the result and the client, freed once.
    unsafe {
        droplet_action_result_free(&mut result);
        droplet_client_free(client);
    }
}

#[test]
fn a_failed_request_is_reported_with_its_http_status_and_the_retry_to_come() {
    let server = MockServer::start().unwrap();
    let client = client(&server);
    let mut seen = Vec::new();
    let opts = options(&mut seen, 20);
    // SAFETY: a live client; options whose userdata outlives the call.
    let mut result = unsafe { droplet_action_wait_with_options(client, 7, 900500, &opts) };
    assert_eq!(result.status, DropletStatus::Ok);
    use DropletActionStatus::{Completed, Unknown};
    assert_eq!(
        without_times(&seen),
        vec![
            event((7, 900500), Unknown, 500, 1, 1, true),
            event((7, 900500), Unknown, 500, 1, 2, true),
            event((7, 900500), Completed, 200, 1, 3, false),
        ]
    );
    // Retries wait the client's backoff (10 ms, doubling, at most 40), not the interval.
    assert!(seen[0].next_poll_in_ms <= 10, "{seen:?}");
    assert!(seen[1].next_poll_in_ms <= 20, "{seen:?}");
    // SAFETY: the result and the client, freed once.
    unsafe {
        droplet_action_result_free(&mut result);
        droplet_client_free(client);
    }
}

#[test]
fn a_wait_for_many_reports_each_action_by_its_ids() {
    let server = MockServer::start().unwrap();
    let client = client(&server);
    let mut seen = Vec::new();
    let opts = options(&mut seen, 20);
    let refs = [
        droplet_action_ref {
            droplet_id: 1,
            action_id: 900101,
        },
        droplet_action_ref {
            droplet_id: 2,
            action_id: 900102,
        },
    ];
    // SAFETY: all-zero results are the "empty" value; freed below.
    let mut results = [unsafe { std::mem::zeroed() }, unsafe { std::mem::zeroed() }];
    // SAFETY: a live client, two refs and two writable results.
    let status =
        unsafe { droplet_action_wait_many(client, refs.as_ptr(), 2, &opts, results.as_mut_ptr()) };
    assert_eq!(status, DropletStatus::Ok);
    let per_action = |ids: (i64, i64)| {
        without_times(&seen)
            .into_iter()
            .filter(|s| s.ids == ids)
            .map(|s| (s.status, s.polls, s.requests, s.more))
            .collect::<Vec<_>>()
    };
    use DropletActionStatus::{Completed, InProgress};
    assert_eq!(
        per_action((1, 900101)),
        vec![(InProgress, 1, 1, true), (Completed, 2, 2, false)]
    );
    assert_eq!(
        per_action((2, 900102)),
        vec![
            (InProgress, 1, 1, true),
            (InProgress, 2, 2, true),
            (Completed, 3, 3, false)
        ]
    );
    // SAFETY: each result and the client, freed once.
    unsafe {
        for result in &mut results {
            droplet_action_result_free(result);
        }
        droplet_client_free(client);
    }
}

#[test]
fn the_sans_io_waiter_reports_what_is_fed_and_what_it_sends() {
    let mut seen = Vec::new();
    let opts = options(&mut seen, 1000);
    // SAFETY: options whose userdata outlives the waiter.
    let waiter = unsafe { droplet_waiter_new(3, 4, &opts, 5_000) };
    assert!(!waiter.is_null());
    let mut step = droplet_wait_step::default();
    let name = CString::new("content-type").unwrap();
    let value = CString::new("application/json").unwrap();
    let header = droplet_header {
        name: name.as_ptr(),
        value: value.as_ptr(),
    };
    let running = br#"{"action":{"id":4,"status":"in-progress"}}"#;
    // SAFETY: a live waiter, a writable step, a header and a body that outlive the calls.
    unsafe {
        assert_eq!(
            droplet_waiter_next(waiter, 5_000, &mut step),
            DropletStatus::Ok
        );
        assert_eq!(step.kind, DROPLET_WAIT_SEND);
        let status = droplet_waiter_feed(
            waiter,
            5_030,
            200,
            &header,
            1,
            running.as_ptr(),
            running.len(),
        );
        assert_eq!(status, DropletStatus::Ok);
        // A request that got no response: reported with HTTP status 0.
        assert_eq!(
            droplet_waiter_next(waiter, 6_030, &mut step),
            DropletStatus::Ok
        );
        assert_eq!(step.kind, DROPLET_WAIT_SEND);
        let status = droplet_waiter_feed(waiter, 6_100, 0, ptr::null(), 0, ptr::null(), 0);
        assert_eq!(status, DropletStatus::Ok);
    }
    assert_eq!(seen.len(), 2, "{seen:?}");
    assert_eq!(
        seen[0],
        Seen {
            ids: (3, 4),
            status: DropletActionStatus::InProgress,
            status_text: Some("in-progress".to_owned()),
            http_status: 200,
            polls: 1,
            requests: 1,
            more: true,
            next_poll_in_ms: 1000,
            elapsed_ms: 30,
        }
    );
    assert_eq!(
        (
            seen[1].status,
            seen[1].status_text.clone(),
            seen[1].http_status,
            seen[1].polls,
            seen[1].requests,
            seen[1].more,
            seen[1].elapsed_ms
        ),
        (DropletActionStatus::Unknown, None, 0, 2, 2, true, 1_100)
    );

    // droplet_waiter_send reports the response it fed.
    let server = MockServer::start().unwrap();
    let client = client(&server);
    let mut sent = Vec::new();
    let opts = options(&mut sent, 1000);
    // SAFETY: a live client and waiter, options whose userdata outlives them.
    unsafe {
        let waiter2 = droplet_waiter_new(7, 900101, &opts, 0);
        assert_eq!(
            droplet_waiter_next(waiter2, 0, &mut step),
            DropletStatus::Ok
        );
        assert_eq!(droplet_waiter_send(client, waiter2, 0), DropletStatus::Ok);
        assert_eq!(
            without_times(&sent),
            vec![event(
                (7, 900101),
                DropletActionStatus::InProgress,
                200,
                1,
                1,
                true
            )]
        );
        assert_eq!(
            droplet_waiter_next(waiter2, 2_000, &mut step),
            DropletStatus::Ok
        );
        assert_eq!(step.kind, DROPLET_WAIT_SEND);
        assert_eq!(
            droplet_waiter_send(client, waiter2, 2_000),
            DropletStatus::Ok
        );
        assert_eq!(sent.len(), 2);
        assert_eq!(
            (sent[1].status, sent[1].more),
            (DropletActionStatus::Completed, false)
        );
        assert_eq!(
            droplet_waiter_next(waiter2, 2_000, &mut step),
            DropletStatus::Ok
        );
        assert_eq!(step.kind, DROPLET_WAIT_DONE);
        let mut result = droplet_waiter_result(waiter2, 2_000);
        assert_eq!(result.status, DropletStatus::Ok);
        droplet_action_result_free(&mut result);
        droplet_waiter_free(waiter2);
        droplet_waiter_free(waiter);
        droplet_client_free(client);
    }
}

/// The options as a caller compiled against their first version lays them out.
#[repr(C)]
struct FirstOptions {
    size: usize,
    cancel: *const c_void,
    timeout_ms: u32,
    poll_interval_ms: u32,
}

#[test]
fn options_of_the_first_version_still_work_and_a_torn_size_is_refused() {
    let server = MockServer::start().unwrap();
    let client = client(&server);
    let first = FirstOptions {
        size: size_of::<FirstOptions>(),
        cancel: ptr::null(),
        timeout_ms: 10_000,
        poll_interval_ms: 10,
    };
    assert_eq!(first.size, 24);
    // SAFETY: a live client; the options of the first version, as such a caller passes them.
    let mut result = unsafe {
        droplet_action_wait_with_options(client, 7, 900102, ptr::from_ref(&first).cast())
    };
    assert_eq!((result.status, result.attempts), (DropletStatus::Ok, 3));
    // SAFETY: freed once.
    unsafe { droplet_action_result_free(&mut result) };

    // A size that ends inside the callback's pointer is neither version.
    let mut seen = Vec::new();
    let mut torn = options(&mut seen, 10);
    torn.size = 28;
    // SAFETY: a live client and options.
    let mut result = unsafe { droplet_action_wait_with_options(client, 7, 900101, &torn) };
    assert_eq!(result.status, DropletStatus::InvalidArgument);
    // SAFETY: a NUL-terminated message owned by the result.
    let message = unsafe { CStr::from_ptr(result.error_message) }.to_string_lossy();
    assert_eq!(
        message,
        "invalid argument: droplet_call_options.size is 28, neither the 24 bytes of its first \
         version nor at least the 40 of this one (set it to sizeof(droplet_call_options))"
    );
    assert!(seen.is_empty());
    // SAFETY: freed once.
    unsafe {
        droplet_action_result_free(&mut result);
        droplet_client_free(client);
    }
}

#[test]
fn an_event_says_the_wait_is_over_when_the_deadline_comes_before_the_next_poll() {
    let mut seen = Vec::new();
    let mut opts = options(&mut seen, 3000);
    opts.timeout_ms = 1000;
    // SAFETY: options whose userdata outlives the waiter.
    let waiter = unsafe { droplet_waiter_new(3, 4, &opts, 0) };
    let mut step = droplet_wait_step::default();
    let running = br#"{"action":{"id":4,"status":"in-progress"}}"#;
    // SAFETY: a live waiter, a writable step, a body that outlives the calls.
    unsafe {
        assert_eq!(droplet_waiter_next(waiter, 0, &mut step), DropletStatus::Ok);
        let status = droplet_waiter_feed(
            waiter,
            30,
            200,
            ptr::null(),
            0,
            running.as_ptr(),
            running.len(),
        );
        assert_eq!(status, DropletStatus::Ok);
        assert_eq!(
            droplet_waiter_next(waiter, 30, &mut step),
            DropletStatus::Ok
        );
        // The deadline (1000) comes before the next poll (3030): no poll is due any more.
        assert_eq!(
            (step.kind, step.until_ms),
            (droplet_action::DROPLET_WAIT_SLEEP, 1000)
        );
        droplet_waiter_free(waiter);
    }
    assert_eq!(
        (seen.len(), seen[0].more, seen[0].next_poll_in_ms),
        (1, false, 0)
    );
}

#[test]
fn nothing_is_fed_sent_or_reported_when_no_request_is_out() {
    let server = MockServer::start().unwrap();
    let client = client(&server);
    let mut seen = Vec::new();
    let opts = options(&mut seen, 1000);
    let done = br#"{"action":{"id":900101,"status":"completed"}}"#;
    let mut step = droplet_wait_step::default();
    // SAFETY: a live client and waiter, options whose userdata outlives them.
    unsafe {
        let waiter = droplet_waiter_new(7, 900101, &opts, 0);
        // Fed before it asked for anything: ignored.
        let status = droplet_waiter_feed(waiter, 0, 200, ptr::null(), 0, done.as_ptr(), done.len());
        assert_eq!(status, DropletStatus::Ok);
        // Sent before it asked: nothing goes out.
        assert_eq!(droplet_waiter_send(client, waiter, 0), DropletStatus::Ok);
        assert_eq!(server.hits(7, 900101), 0);
        assert_eq!(droplet_waiter_next(waiter, 0, &mut step), DropletStatus::Ok);
        assert_eq!(step.kind, DROPLET_WAIT_SEND);
        assert_eq!(droplet_waiter_send(client, waiter, 0), DropletStatus::Ok);
        assert_eq!(server.hits(7, 900101), 1);
        // Fed again after the response was taken: ignored, no second event.
        let status = droplet_waiter_feed(waiter, 5, 200, ptr::null(), 0, done.as_ptr(), done.len());
        assert_eq!(status, DropletStatus::Ok);
        droplet_waiter_free(waiter);
        droplet_client_free(client);
    }
    assert_eq!(
        without_times(&seen),
        vec![event(
            (7, 900101),
            DropletActionStatus::InProgress,
            200,
            1,
            1,
            true
        )]
    );
}

#[test]
fn a_deadline_beyond_the_clocks_range_is_refused() {
    let mut seen = Vec::new();
    let opts = options(&mut seen, 1000);
    // SAFETY: options of the current version.
    let waiter = unsafe { droplet_waiter_new(3, 4, &opts, u64::MAX - 250) };
    assert!(waiter.is_null());
    // SAFETY: a NUL-terminated message of this thread.
    let message = unsafe { CStr::from_ptr(droplet_action::droplet_last_error_message()) };
    assert_eq!(
        message.to_str().unwrap(),
        "waiter_new: invalid argument: the deadline (now plus the timeout) lies beyond the \
         clock's range"
    );
}
