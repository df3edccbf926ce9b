//! Retrieving an action from the mock server, one behaviour per test.

use std::time::{Duration, Instant};

use droplet_action_mock::{DEFAULT_TOKEN, MockServer};
use droplet_action_model::{ActionStatus, ApiError, DecodeError, RateLimit, RetryAfter};
use droplet_action_transport::{Client, ClientBuilder, Error, ResponseDetails};

fn builder(server: &MockServer) -> ClientBuilder {
    Client::builder()
        .token(DEFAULT_TOKEN)
        .base_url(server.base_url())
        .backoff(Duration::from_millis(10), Duration::from_millis(50))
}

fn client(server: &MockServer) -> Client {
    builder(server).build().unwrap()
}

fn api_error(error: &Error) -> (&ApiError, &ResponseDetails) {
    match error {
        Error::Api { error, details } => (error, details),
        other => panic!("expected an API error, got {other:?}"),
    }
}

fn decode_error(error: &Error) -> (&DecodeError, &ResponseDetails) {
    match error {
        Error::Decode { error, details } => (error, details),
        other => panic!("expected a decode error, got {other:?}"),
    }
}

#[test]
fn documented_example_arrives_with_every_field_and_the_metadata() {
    let server = MockServer::start().unwrap();
    let answer = client(&server).get(3164444, 36804636).unwrap();
    let action = &answer.action;
    assert_eq!(action.id, Some(36804636));
    assert_eq!(action.status, Some(ActionStatus::Completed));
    assert_eq!(action.kind.as_deref(), Some("create"));
    assert_eq!(
        action.started_at.as_ref().unwrap().as_str(),
        "2020-11-14T16:29:21Z"
    );
    assert_eq!(
        action.completed_at.as_ref().unwrap().as_str(),
        "2020-11-14T16:30:06Z"
    );
    assert_eq!(action.resource_id, Some(3164444));
    assert_eq!(action.resource_type.as_deref(), Some("droplet"));
    assert_eq!(action.region_slug.as_deref(), Some("nyc3"));
    let region = action.region.as_ref().unwrap();
    assert_eq!(region.name.as_deref(), Some("New York 3"));
    assert_eq!(region.sizes.as_ref().unwrap().len(), 14);
    assert_eq!(region.features.as_ref().unwrap().len(), 7);
    assert_eq!(region.available, Some(true));

    assert_eq!(answer.status(), 200);
    assert_eq!(answer.attempts, 1);
    assert_eq!(
        answer.body,
        droplet_action_model::DOCUMENTED_ACTION_JSON.as_bytes()
    );
    let limit = answer.rate_limit().unwrap();
    assert_eq!((limit.limit, limit.remaining), (5000, 4999));
    assert!(answer.request_id().is_some());
}

#[test]
fn request_carries_token_user_agent_and_accept() {
    let server = MockServer::start().unwrap();
    client(&server).get(3164444, 36804636).unwrap();
    let requests = server.requests();
    assert_eq!(requests.len(), 1);
    let request = &requests[0];
    assert_eq!(request.method, "GET");
    assert_eq!(request.path, "/v2/droplets/3164444/actions/36804636");
    assert_eq!(request.header("authorization"), Some("Bearer mock-token"));
    assert_eq!(request.header("user-agent"), Some("droplet-action/0.1.0"));
    assert_eq!(request.header("accept"), Some("application/json"));
    assert_eq!(request.header("accept-encoding"), None);
}

#[test]
fn rate_limit_counts_down_over_one_kept_alive_connection() {
    let server = MockServer::start().unwrap();
    let client = client(&server);
    let remaining: Vec<i64> = (0..3)
        .map(|_| {
            let answer = client.get(3164444, 36804636).unwrap();
            answer.rate_limit().unwrap().remaining
        })
        .collect();
    assert_eq!(remaining, [4999, 4998, 4997]);
}

#[test]
fn not_found_is_an_api_error_with_id_message_and_request_id() {
    let server = MockServer::start().unwrap();
    let error = client(&server).get(1, 2).unwrap_err();
    let (api, details) = api_error(&error);
    assert_eq!(api.status, 404);
    assert_eq!(api.id.as_deref(), Some("not_found"));
    assert_eq!(
        api.message.as_deref(),
        Some("The resource you requested could not be found.")
    );
    let request_id = api.request_id.as_deref().unwrap();
    assert_eq!(details.meta.request_id.as_deref(), Some(request_id));
    assert_eq!(error.request_id(), Some(request_id));
    assert_eq!(error.attempts(), 1);
    assert_eq!(error.status(), Some(404));
    assert!(!error.is_retryable());
    assert!(error.rate_limit().is_some());
    assert_eq!(server.hits(1, 2), 1);
}

#[test]
fn wrong_token_is_unauthorized_and_never_retried() {
    let server = MockServer::start().unwrap();
    let client = builder(&server).token("not-the-token").build().unwrap();
    let error = client.get(3164444, 36804636).unwrap_err();
    let (api, _) = api_error(&error);
    assert_eq!(api.status, 401);
    assert_eq!(api.id.as_deref(), Some("unauthorized"));
    assert_eq!(api.message.as_deref(), Some("Unable to authenticate you."));
    assert!(api.request_id.is_some());
    assert_eq!(error.attempts(), 1);
    assert!(!error.to_string().contains("not-the-token"));
    assert!(!format!("{error:?}").contains("not-the-token"));
}

#[test]
fn too_many_requests_is_retried_once_after_retry_after() {
    let server = MockServer::start().unwrap();
    let started = Instant::now();
    let answer = client(&server).get(7, 900429).unwrap();
    let elapsed = started.elapsed();
    assert_eq!(answer.attempts, 2);
    assert_eq!(server.hits(7, 900429), 2);
    assert_eq!(answer.action.status, Some(ActionStatus::Completed));
    assert!(elapsed >= Duration::from_millis(950), "{elapsed:?}");
    assert!(elapsed < Duration::from_millis(1900), "{elapsed:?}");
}

#[test]
fn retry_after_longer_than_the_cap_returns_the_error_with_the_wait() {
    let server = MockServer::start().unwrap();
    let client = builder(&server)
        .max_retry_after(Duration::from_millis(500))
        .build()
        .unwrap();
    let error = client.get(8, 900429).unwrap_err();
    assert_eq!(error.status(), Some(429));
    assert_eq!(error.attempts(), 1);
    assert_eq!(
        error.retry_after(),
        Some(RetryAfter::Delay(Duration::from_secs(1)))
    );
    assert_eq!(error.rate_limit().map(|l| l.remaining), Some(0));
}

#[test]
fn server_errors_twice_then_success_takes_three_attempts() {
    let server = MockServer::start().unwrap();
    let client = client(&server);
    for action in [900500, 900503] {
        let answer = client.get(9, action).unwrap();
        assert_eq!(answer.attempts, 3);
        assert_eq!(server.hits(9, action), 3);
        assert_eq!(answer.action.status, Some(ActionStatus::Completed));
    }
}

#[test]
fn always_500_fails_after_max_retries_plus_one_attempts() {
    let server = MockServer::start().unwrap();
    let error = client(&server).get(10, 900599).unwrap_err();
    assert_eq!(error.attempts(), 3);
    assert_eq!(server.hits(10, 900599), 3);
    let (api, _) = api_error(&error);
    assert_eq!(api.status, 500);
    assert_eq!(api.id.as_deref(), Some("server_error"));

    let patient = builder(&server).max_retries(4).build().unwrap();
    assert_eq!(patient.get(11, 900599).unwrap_err().attempts(), 5);
    let impatient = builder(&server).max_retries(0).build().unwrap();
    assert_eq!(impatient.get(12, 900599).unwrap_err().attempts(), 1);
}

#[test]
fn html_502_is_an_api_error_with_the_status_alone() {
    let server = MockServer::start().unwrap();
    let client = builder(&server).max_retries(0).build().unwrap();
    let error = client.get(13, 900502).unwrap_err();
    let (api, details) = api_error(&error);
    assert_eq!(api.status, 502);
    assert_eq!(api.id, None);
    assert_eq!(api.message, None);
    assert!(details.body.starts_with(b"<html>"));
    assert_eq!(
        error.to_string().split(" (request id").next().unwrap(),
        "HTTP 502 Bad Gateway (the body is not a JSON error object)"
    );
}

#[test]
fn malformed_json_is_a_decode_error_that_is_not_retried() {
    let server = MockServer::start().unwrap();
    let error = client(&server).get(14, 900600).unwrap_err();
    let (decode, details) = decode_error(&error);
    assert!(
        decode.message.starts_with("EOF while parsing"),
        "{}",
        decode.message
    );
    assert_eq!(details.meta.status, 200);
    assert_eq!(error.attempts(), 1);
}

#[test]
fn html_with_status_200_is_a_decode_error() {
    let server = MockServer::start().unwrap();
    let error = client(&server).get(15, 900606).unwrap_err();
    let (decode, _) = decode_error(&error);
    assert_eq!(decode.message, "expected value");
}

#[test]
fn truncated_body_is_a_transport_error_after_retries() {
    let server = MockServer::start().unwrap();
    let error = client(&server).get(16, 900900).unwrap_err();
    let Error::Transport {
        attempts,
        retryable,
        ..
    } = &error
    else {
        panic!("expected a transport error, got {error:?}");
    };
    assert_eq!(*attempts, 3);
    assert!(*retryable);
}

#[test]
fn connection_closed_without_answer_is_a_transport_error() {
    let server = MockServer::start().unwrap();
    let error = client(&server).get(17, 900901).unwrap_err();
    assert!(
        matches!(error, Error::Transport { attempts: 3, .. }),
        "{error:?}"
    );
    assert_eq!(server.hits(17, 900901), 3);
}

#[test]
fn body_over_the_cap_is_refused() {
    let server = MockServer::start().unwrap();
    let client = builder(&server).body_limit(64 * 1024).build().unwrap();
    let error = client.get(18, 900700).unwrap_err();
    let Error::BodyTooLarge { limit, details } = &error else {
        panic!("expected body too large, got {error:?}");
    };
    assert_eq!(*limit, 64 * 1024);
    assert_eq!(details.meta.status, 200);
    assert!(details.body.is_empty());
    assert_eq!(
        error.to_string(),
        "the answer body is larger than the 65536-byte limit"
    );
}

#[test]
fn gzip_bomb_is_never_inflated() {
    let server = MockServer::start().unwrap();
    let error = client(&server).get(19, 900701).unwrap_err();
    let (_, details) = decode_error(&error);
    assert!(details.body.len() < 1024 * 1024, "{}", details.body.len());
}

#[test]
fn slow_answer_times_out_within_the_timeout_and_a_margin() {
    let server = MockServer::start().unwrap();
    let client = builder(&server)
        .timeout(Duration::from_millis(300))
        .max_retries(0)
        .build()
        .unwrap();
    let started = Instant::now();
    let error = client.get(3000, 900800).unwrap_err();
    let elapsed = started.elapsed();
    assert!(
        matches!(error, Error::Timeout { timeout, attempts: 1 } if timeout == Duration::from_millis(300)),
        "{error:?}"
    );
    assert!(elapsed >= Duration::from_millis(290), "{elapsed:?}");
    assert!(elapsed < Duration::from_millis(800), "{elapsed:?}");
    assert_eq!(
        error.to_string(),
        "no complete answer within 300ms (attempt 1)"
    );
}

#[test]
fn slow_answer_within_the_timeout_succeeds() {
    let server = MockServer::start().unwrap();
    let answer = client(&server).get(200, 900800).unwrap();
    assert_eq!(answer.action.status, Some(ActionStatus::Completed));
}

#[test]
fn trickling_body_times_out() {
    let server = MockServer::start().unwrap();
    let client = builder(&server)
        .timeout(Duration::from_millis(400))
        .max_retries(0)
        .build()
        .unwrap();
    let started = Instant::now();
    let error = client.get(20, 900801).unwrap_err();
    assert!(matches!(error, Error::Timeout { .. }), "{error:?}");
    assert!(started.elapsed() < Duration::from_millis(900));
}

#[test]
fn dead_port_fails_fast_with_a_transport_error() {
    let port = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        listener.local_addr().unwrap().port()
    };
    let client = Client::builder()
        .token(DEFAULT_TOKEN)
        .base_url(format!("http://127.0.0.1:{port}"))
        .backoff(Duration::from_millis(10), Duration::from_millis(50))
        .build()
        .unwrap();
    let started = Instant::now();
    let error = client.get(1, 1).unwrap_err();
    assert!(started.elapsed() < Duration::from_secs(1));
    let Error::Transport {
        message,
        attempts,
        retryable,
    } = &error
    else {
        panic!("expected a transport error, got {error:?}");
    };
    assert_eq!(*attempts, 3);
    assert!(*retryable);
    assert!(message.starts_with("connection failed"), "{message}");
    assert_eq!(error.status(), None);
}

#[test]
fn invalid_ids_fail_before_any_request() {
    let server = MockServer::start().unwrap();
    let client = client(&server);
    for (droplet, action, message) in [
        (
            0,
            1,
            "invalid argument: invalid droplet id: 0 (ids are integers >= 1)",
        ),
        (
            -1,
            1,
            "invalid argument: invalid droplet id: -1 (ids are integers >= 1)",
        ),
        (
            1,
            0,
            "invalid argument: invalid action id: 0 (ids are integers >= 1)",
        ),
        (
            1,
            i64::MIN,
            "invalid argument: invalid action id: -9223372036854775808 (ids are integers >= 1)",
        ),
    ] {
        let error = client.get(droplet, action).unwrap_err();
        assert_eq!(error.to_string(), message);
        assert_eq!(error.attempts(), 0);
    }
    assert!(server.requests().is_empty());
}

#[test]
fn token_follows_a_same_origin_redirect() {
    let server = MockServer::start().unwrap();
    let answer = client(&server).get(21, 900302).unwrap();
    assert_eq!(answer.action.id, Some(36804636));
    let requests = server.requests();
    assert_eq!(requests.len(), 2);
    assert_eq!(requests[1].path, "/v2/droplets/3164444/actions/36804636");
    assert_eq!(
        requests[1].header("authorization"),
        Some("Bearer mock-token")
    );
}

#[test]
fn token_never_follows_a_redirect_to_another_origin() {
    let server = MockServer::start().unwrap();
    let answer = client(&server).get(22, 900301).unwrap();
    assert_eq!(answer.status(), 200);
    let elsewhere = server.redirect_target_requests();
    assert_eq!(elsewhere.len(), 1);
    assert_eq!(elsewhere[0].path, "/v2/droplets/22/actions/900301");
    assert_eq!(elsewhere[0].header("authorization"), None);
}

#[test]
fn unknown_status_type_and_fields_parse() {
    let server = MockServer::start().unwrap();
    let answer = client(&server).get(23, 900601).unwrap();
    assert_eq!(
        answer.action.status,
        Some(ActionStatus::Unknown("paused".into()))
    );
    assert_eq!(answer.action.kind.as_deref(), Some("teleport"));
}

#[test]
fn nulls_read_as_none() {
    let server = MockServer::start().unwrap();
    let action = client(&server).get(24, 900602).unwrap().action;
    assert_eq!(action.status, Some(ActionStatus::InProgress));
    assert_eq!(action.completed_at, None);
    assert_eq!(action.resource_id, None);
    assert_eq!(action.region_slug, None);
    assert_eq!(action.region, None);
}

#[test]
fn ids_near_i64_max_parse() {
    let server = MockServer::start().unwrap();
    let action = client(&server).get(25, 900603).unwrap().action;
    assert_eq!(action.id, Some(i64::MAX));
    assert_eq!(action.resource_id, Some(i64::MAX - 1));
}

#[test]
fn empty_action_has_every_field_absent() {
    let server = MockServer::start().unwrap();
    let action = client(&server).get(26, 900604).unwrap().action;
    assert_eq!(action, droplet_action_model::Action::default());
}

#[test]
fn timestamps_with_fractions_and_offsets_arrive_parsed() {
    let server = MockServer::start().unwrap();
    let action = client(&server).get(27, 900607).unwrap().action;
    let started = action.started_at.unwrap();
    assert_eq!(started.as_str(), "2020-11-14T17:29:21.123456+01:00");
    assert_eq!(started.unix_seconds(), 1_605_371_361);
    assert_eq!(action.completed_at.unwrap().unix_seconds(), 1_605_371_406);
}

#[test]
fn eight_threads_share_one_client_for_a_thousand_calls_each() {
    let server = MockServer::start().unwrap();
    let client = client(&server);
    std::thread::scope(|scope| {
        for _ in 0..8 {
            let client = client.clone();
            scope.spawn(move || {
                for _ in 0..1000 {
                    let answer = client.get(3164444, 36804636).unwrap();
                    assert_eq!(answer.action.id, Some(36804636));
                }
            });
        }
    });
    assert_eq!(server.hits(3164444, 36804636), 8000);
}

#[test]
fn rate_limit_of_an_error_is_reported() {
    let server = MockServer::start().unwrap();
    let error = client(&server).get(1, 2).unwrap_err();
    let RateLimit {
        limit, remaining, ..
    } = error.rate_limit().unwrap();
    assert_eq!((limit, remaining), (5000, 4999));
}
