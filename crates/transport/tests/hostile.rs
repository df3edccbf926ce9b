//! A hostile or strict server: absurd `retry-after`, a spent rate limit, redirects that
//! would downgrade or leave loopback in clear text. Each answer is scripted.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use droplet_action_model::DOCUMENTED_ACTION_JSON;
use droplet_action_transport::{CallOptions, Client, Error, WaitOptions};

/// One scripted answer: status, headers, body.
type Answer = (u16, Vec<(&'static str, String)>, &'static str);

/// Serves the answers in order (the last one again and again) on 127.0.0.1; counts requests.
struct Scripted {
    url: String,
    count: Arc<AtomicUsize>,
    _server: Arc<tiny_http::Server>,
}

impl Scripted {
    fn start(answers: Vec<Answer>) -> Self {
        let server = Arc::new(tiny_http::Server::http("127.0.0.1:0").unwrap());
        let url = format!("http://{}", server.server_addr().to_ip().unwrap());
        let count = Arc::new(AtomicUsize::new(0));
        let (worker, counter) = (Arc::clone(&server), Arc::clone(&count));
        std::thread::spawn(move || {
            for request in worker.incoming_requests() {
                let n = counter.fetch_add(1, Ordering::SeqCst);
                let (status, headers, body) = answers[n.min(answers.len() - 1)].clone();
                let mut response = tiny_http::Response::from_string(body).with_status_code(status);
                for (name, value) in headers {
                    response.add_header(tiny_http::Header::from_bytes(name, value).unwrap());
                }
                let _ = request.respond(response);
            }
        });
        Self {
            url,
            count,
            _server: server,
        }
    }

    fn requests(&self) -> usize {
        self.count.load(Ordering::SeqCst)
    }
}

impl Drop for Scripted {
    fn drop(&mut self) {
        self._server.unblock();
    }
}

fn client(url: &str) -> Client {
    Client::builder()
        .token("mock-token")
        .base_url(url)
        .backoff(Duration::from_millis(10), Duration::from_millis(50))
        .build()
        .unwrap()
}

const UNAVAILABLE: &str = r#"{"id":"service_unavailable","message":"Service Unavailable"}"#;
const TOO_MANY: &str = r#"{"id":"too_many_requests","message":"API rate limit exceeded."}"#;

fn now() -> i64 {
    jiff::Timestamp::now().as_second()
}

fn spent_limit(reset: i64) -> Vec<(&'static str, String)> {
    vec![
        ("ratelimit-limit", "5000".to_owned()),
        ("ratelimit-remaining", "0".to_owned()),
        ("ratelimit-reset", reset.to_string()),
    ]
}

/// The status of the API error that ended a call (a wait's comes wrapped in `WaitEnded`).
fn api_status(error: &Error) -> u16 {
    match error.cause() {
        Error::Api { error, .. } => error.status,
        other => panic!("expected an API error, got {other:?}"),
    }
}

#[test]
fn an_absurd_retry_after_ends_a_get_at_once_without_a_panic() {
    let server = Scripted::start(vec![(
        503,
        vec![("retry-after", "99999999999999999999".to_owned())],
        UNAVAILABLE,
    )]);
    let started = Instant::now();
    let error = client(&server.url).get(1, 2).unwrap_err();
    assert_eq!(api_status(&error), 503);
    assert_eq!(error.attempts(), 1);
    assert_eq!(server.requests(), 1);
    assert!(started.elapsed() < Duration::from_millis(500));
}

#[test]
fn an_absurd_retry_after_ends_a_wait_at_once_without_a_panic() {
    let server = Scripted::start(vec![(
        503,
        vec![("retry-after", "99999999999999999999".to_owned())],
        UNAVAILABLE,
    )]);
    let options =
        WaitOptions::new(Duration::from_secs(3)).poll_interval(Duration::from_millis(100));
    let started = Instant::now();
    let error = client(&server.url).wait(1, 2, options).unwrap_err();
    assert_eq!(api_status(&error), 503);
    assert_eq!(server.requests(), 1);
    assert!(started.elapsed() < Duration::from_millis(500));
}

#[test]
fn an_absurd_retry_after_ends_a_wait_without_a_deadline_at_once() {
    let server = Scripted::start(vec![(
        503,
        vec![("retry-after", "99999999999999999999".to_owned())],
        UNAVAILABLE,
    )]);
    let started = Instant::now();
    let error = client(&server.url)
        .wait(1, 2, WaitOptions::new(Duration::MAX))
        .unwrap_err();
    assert_eq!(api_status(&error), 503);
    assert_eq!(server.requests(), 1);
    assert!(started.elapsed() < Duration::from_millis(500));
}

#[test]
fn a_retry_after_date_far_in_the_future_ends_the_call() {
    let server = Scripted::start(vec![(
        503,
        vec![("retry-after", "Fri, 01 Jan 2100 00:00:00 GMT".to_owned())],
        UNAVAILABLE,
    )]);
    let error = client(&server.url).get(1, 2).unwrap_err();
    assert_eq!(api_status(&error), 503);
    assert_eq!(server.requests(), 1);
}

#[test]
fn a_wait_without_an_end_works() {
    let server = Scripted::start(vec![(200, vec![], DOCUMENTED_ACTION_JSON)]);
    let answer = client(&server.url)
        .wait(1, 2, WaitOptions::new(Duration::MAX))
        .unwrap();
    assert_eq!(answer.action.id, Some(36804636));
    assert_eq!(answer.polls, 1);
    let answer = client(&server.url)
        .get_with_options(1, 2, &CallOptions::new().timeout(Duration::MAX))
        .unwrap();
    assert_eq!(answer.attempts, 1);
}

#[test]
fn a_429_with_a_reset_far_ahead_is_not_hammered_by_a_get() {
    let server = Scripted::start(vec![(429, spent_limit(now() + 3600), TOO_MANY)]);
    let started = Instant::now();
    let error = client(&server.url).get(1, 2).unwrap_err();
    assert_eq!(api_status(&error), 429);
    assert_eq!(error.rate_limit().unwrap().remaining, 0);
    assert_eq!(server.requests(), 1);
    assert!(started.elapsed() < Duration::from_millis(500));
}

#[test]
fn a_429_with_a_reset_far_ahead_is_not_hammered_by_a_wait() {
    let server = Scripted::start(vec![(429, spent_limit(now() + 3600), TOO_MANY)]);
    let options =
        WaitOptions::new(Duration::from_secs(3)).poll_interval(Duration::from_millis(100));
    let started = Instant::now();
    let error = client(&server.url).wait(1, 2, options).unwrap_err();
    assert_eq!(api_status(&error), 429);
    assert_eq!(error.rate_limit().unwrap().reset, now() + 3600);
    assert_eq!(server.requests(), 1);
    assert!(started.elapsed() < Duration::from_millis(500));
}

#[test]
fn a_429_waits_for_the_reset_when_it_is_near() {
    let server = Scripted::start(vec![
        (429, spent_limit(now() + 2), TOO_MANY),
        (200, vec![], DOCUMENTED_ACTION_JSON),
    ]);
    let started = Instant::now();
    let answer = client(&server.url).get(1, 2).unwrap();
    assert_eq!(answer.attempts, 2);
    assert!(started.elapsed() >= Duration::from_millis(900));
    assert!(started.elapsed() < Duration::from_millis(2500));
}

#[test]
fn a_429_whose_reset_passes_the_call_time_limit_stops_at_once() {
    let server = Scripted::start(vec![
        (429, spent_limit(now() + 3), TOO_MANY),
        (200, vec![], DOCUMENTED_ACTION_JSON),
    ]);
    let started = Instant::now();
    let options = CallOptions::new().timeout(Duration::from_millis(500));
    let error = client(&server.url)
        .get_with_options(1, 2, &options)
        .unwrap_err();
    assert_eq!(api_status(&error), 429);
    assert_eq!(server.requests(), 1);
    assert!(started.elapsed() < Duration::from_millis(400));
}

fn redirect_to(location: &str) -> Vec<Answer> {
    vec![(301, vec![("location", location.to_owned())], "")]
}

fn refused_redirect(error: &Error) -> &str {
    match error {
        Error::Transport {
            message,
            retryable: false,
            ..
        } => message,
        other => panic!("expected a refused redirect, got {other:?}"),
    }
}

#[test]
fn a_redirect_to_plain_http_on_a_remote_host_is_refused() {
    let server = Scripted::start(redirect_to(
        "http://api.example.com/v2/droplets/1/actions/2",
    ));
    let error = client(&server.url).get(1, 2).unwrap_err();
    assert_eq!(
        refused_redirect(&error),
        "refusing to follow a redirect to http://api.example.com/v2/droplets/1/actions/2: plain \
         http to a host that is not loopback (allow insecure http explicitly)"
    );
    assert_eq!(error.attempts(), 1);
    assert_eq!(server.requests(), 1);
}

#[test]
fn a_redirect_never_shows_credentials() {
    let server = Scripted::start(redirect_to("http://user:hunter2@api.example.com/x"));
    let error = client(&server.url).get(1, 2).unwrap_err();
    assert_eq!(
        refused_redirect(&error),
        "refusing to follow a redirect to http://***@api.example.com/x: plain http to a host \
         that is not loopback (allow insecure http explicitly)"
    );
}

#[test]
fn a_redirect_to_plain_http_on_loopback_is_followed() {
    let target = Scripted::start(vec![(200, vec![], DOCUMENTED_ACTION_JSON)]);
    let server = Scripted::start(redirect_to(&format!(
        "{}/v2/droplets/1/actions/2",
        target.url
    )));
    let answer = client(&server.url).get(1, 2).unwrap();
    assert_eq!(answer.action.id, Some(36804636));
    assert_eq!(target.requests(), 1);
}

#[test]
fn timeouts_are_retried_within_the_overall_time_limit() {
    let server = droplet_action_mock::MockServer::start().unwrap();
    let client = Client::builder()
        .token("mock-token")
        .base_url(server.base_url())
        .timeout(Duration::from_millis(150))
        .backoff(Duration::from_millis(1), Duration::from_millis(1))
        .max_retries(5)
        .build()
        .unwrap();
    // 900800 with droplet 1000: each answer takes a second, longer than the timeout.
    let started = Instant::now();
    let error = client.get(1000, 900800).unwrap_err();
    assert!(
        matches!(error, Error::Timeout { attempts: 6, .. }),
        "{error:?}"
    );
    assert!(started.elapsed() >= Duration::from_millis(900));
    let started = Instant::now();
    let options = CallOptions::new().timeout(Duration::from_millis(400));
    let error = client.get_with_options(1000, 900800, &options).unwrap_err();
    let elapsed = started.elapsed();
    assert!(
        matches!(error, Error::Timeout { attempts: 3, .. }),
        "{error:?}"
    );
    assert!(elapsed >= Duration::from_millis(390), "{elapsed:?}");
    assert!(elapsed < Duration::from_millis(600), "{elapsed:?}");
}

#[test]
fn a_token_the_server_echoes_back_never_shows_in_errors_or_logs() {
    let token = "dop_v1_echoed_secret";
    let body: &'static str = Box::leak(
        format!(r#"{{"id":"not_found {token}","message":"bad token Bearer {token}"}}"#)
            .into_boxed_str(),
    );
    let server = Scripted::start(vec![(
        404,
        vec![("x-request-id", format!("Bearer {token}"))],
        body,
    )]);
    let lines = Arc::new(std::sync::Mutex::new(Vec::new()));
    let sink = Arc::clone(&lines);
    let client = Client::builder()
        .token(token)
        .base_url(&server.url)
        .log_hook(
            Arc::new(move |_, message: &str| sink.lock().unwrap().push(message.to_owned())),
            droplet_action_transport::Level::Debug,
        )
        .build()
        .unwrap();
    let error = client.get(1, 2).unwrap_err();
    let Error::Api {
        error: api,
        details,
    } = &error
    else {
        panic!("expected an API error, got {error:?}");
    };
    assert_eq!(api.id.as_deref(), Some("not_found <redacted>"));
    assert_eq!(api.message.as_deref(), Some("bad token Bearer <redacted>"));
    assert_eq!(error.request_id(), Some("Bearer <redacted>"));
    assert_eq!(
        details.meta.request_id.as_deref(),
        Some("Bearer <redacted>")
    );
    let mut shown = vec![error.to_string()];
    shown.extend(lines.lock().unwrap().iter().cloned());
    assert_eq!(shown.len(), 3, "{shown:?}");
    for text in shown {
        assert!(!text.contains(token), "{text}");
    }
    // The body itself stays exactly as received.
    assert_eq!(details.body, body.as_bytes());
}

#[test]
fn a_decode_error_never_echoes_the_token_either() {
    let token = "dop_v1_echoed_secret";
    let body: &'static str =
        Box::leak(format!(r#"{{"action":{{"id":"{token}"}}}}"#).into_boxed_str());
    let server = Scripted::start(vec![(200, vec![], body)]);
    let client = Client::builder()
        .token(token)
        .base_url(&server.url)
        .build()
        .unwrap();
    let error = client.get(1, 2).unwrap_err();
    assert!(matches!(error, Error::Decode { .. }), "{error:?}");
    assert!(!error.to_string().contains(token), "{error}");
    assert!(error.to_string().contains("<redacted>"), "{error}");
}
