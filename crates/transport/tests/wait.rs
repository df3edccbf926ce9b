//! Waiting for an action: completed, errored, and the deadline.

use std::time::{Duration, Instant};

use droplet_action_mock::{DEFAULT_TOKEN, MockServer};
use droplet_action_model::ActionStatus;
use droplet_action_transport::{Client, Error, WaitOptions};

fn client(server: &MockServer) -> Client {
    Client::builder()
        .token(DEFAULT_TOKEN)
        .base_url(server.base_url())
        .backoff(Duration::from_millis(10), Duration::from_millis(50))
        .build()
        .unwrap()
}

fn quick(timeout_ms: u64) -> WaitOptions {
    WaitOptions::new(Duration::from_millis(timeout_ms)).poll_interval(Duration::from_millis(20))
}

#[test]
fn wait_returns_the_action_once_completed() {
    let server = MockServer::start().unwrap();
    let answer = client(&server).wait(30, 900103, quick(5000)).unwrap();
    assert_eq!(answer.action.status, Some(ActionStatus::Completed));
    assert!(answer.action.completed_at.is_some());
    assert_eq!(server.hits(30, 900103), 4);
}

#[test]
fn wait_reports_errored_as_an_error_carrying_the_action() {
    let server = MockServer::start().unwrap();
    let error = client(&server).wait(31, 900202, quick(5000)).unwrap_err();
    let Error::ActionErrored { answer } = &error else {
        panic!("expected an errored action, got {error:?}");
    };
    assert_eq!(answer.action.status, Some(ActionStatus::Errored));
    assert_eq!(answer.action.id, Some(900202));
    assert_eq!(server.hits(31, 900202), 3);
    assert_eq!(error.to_string(), "action 900202 ended with status errored");
}

#[test]
fn wait_honours_its_deadline_and_keeps_the_last_state() {
    let server = MockServer::start().unwrap();
    let started = Instant::now();
    let error = client(&server).wait(32, 900199, quick(300)).unwrap_err();
    let elapsed = started.elapsed();
    let Error::DeadlineExceeded {
        last, last_error, ..
    } = &error
    else {
        panic!("expected the deadline, got {error:?}");
    };
    assert_eq!(
        last.as_ref().unwrap().action.status,
        Some(ActionStatus::InProgress)
    );
    assert!(last_error.is_none());
    assert!(elapsed >= Duration::from_millis(290), "{elapsed:?}");
    assert!(elapsed < Duration::from_millis(600), "{elapsed:?}");
    assert!(
        error.to_string().ends_with("(last status: in-progress)"),
        "{error}"
    );
}

#[test]
fn wait_cuts_a_slow_answer_at_the_deadline() {
    let server = MockServer::start().unwrap();
    let started = Instant::now();
    let error = client(&server).wait(5000, 900800, quick(300)).unwrap_err();
    let elapsed = started.elapsed();
    let Error::DeadlineExceeded {
        last, last_error, ..
    } = &error
    else {
        panic!("expected the deadline, got {error:?}");
    };
    assert!(last.is_none());
    assert!(
        matches!(last_error.as_deref(), Some(Error::Timeout { .. })),
        "{last_error:?}"
    );
    assert!(elapsed < Duration::from_millis(700), "{elapsed:?}");
}

#[test]
fn wait_rides_out_transient_server_errors() {
    let server = MockServer::start().unwrap();
    let answer = client(&server).wait(33, 900500, quick(5000)).unwrap();
    assert_eq!(answer.action.status, Some(ActionStatus::Completed));
    assert_eq!(server.hits(33, 900500), 3);
}

#[test]
fn wait_stops_at_once_on_not_found() {
    let server = MockServer::start().unwrap();
    let error = client(&server).wait(34, 35, quick(5000)).unwrap_err();
    assert_eq!(error.status(), Some(404));
    assert_eq!(server.hits(34, 35), 1);
}

#[test]
fn wait_rejects_invalid_ids_before_any_request() {
    let server = MockServer::start().unwrap();
    let error = client(&server).wait(0, 1, quick(100)).unwrap_err();
    assert!(matches!(error, Error::InvalidArgument { .. }));
    assert!(server.requests().is_empty());
}
