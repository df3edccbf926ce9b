//! Cancellation at every place a call can block, and the events a client reports.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use droplet_action_mock::{DEFAULT_TOKEN, MockServer};
use droplet_action_transport::{
    CallOptions, CancelToken, Client, ClientBuilder, Error, Level, WaitOptions,
};

fn builder(server: &MockServer) -> ClientBuilder {
    Client::builder()
        .token(DEFAULT_TOKEN)
        .base_url(server.base_url())
}

/// Cancels `token` after `after` from another thread; returns when it was cancelled.
fn cancel_after(token: &CancelToken, after: Duration) -> std::thread::JoinHandle<Instant> {
    let token = token.clone();
    std::thread::spawn(move || {
        std::thread::sleep(after);
        token.cancel();
        Instant::now()
    })
}

/// How long after the cancel the call returned.
fn latency(canceller: std::thread::JoinHandle<Instant>) -> Duration {
    let cancelled_at = canceller.join().unwrap();
    Instant::now().saturating_duration_since(cancelled_at)
}

const PROMPT: Duration = Duration::from_millis(100);

#[test]
fn a_slow_answer_is_cancelled_promptly() {
    let server = MockServer::start().unwrap();
    let client = builder(&server).build().unwrap();
    let token = CancelToken::new();
    let canceller = cancel_after(&token, Duration::from_millis(150));
    // 900800 with droplet 5000: the answer takes five seconds.
    let error = client
        .get_with_options(5000, 900800, &CallOptions::new().cancel(&token))
        .unwrap_err();
    assert!(latency(canceller) < PROMPT);
    assert!(
        matches!(
            error,
            Error::Cancelled {
                attempts: 1,
                polls: 0,
                last: None,
                last_error: None,
            }
        ),
        "{error:?}"
    );
    // The client still works.
    let answer = client.get(3164444, 36804636).unwrap();
    assert_eq!(answer.action.id, Some(36804636));
}

#[test]
fn a_backoff_is_cancelled_promptly() {
    let server = MockServer::start().unwrap();
    let client = builder(&server)
        .backoff(Duration::from_secs(5), Duration::from_secs(5))
        .max_retries(5)
        .build()
        .unwrap();
    let token = CancelToken::new();
    let canceller = cancel_after(&token, Duration::from_millis(300));
    // 900599: always 500, so the client backs off between attempts.
    let started = Instant::now();
    let error = client
        .get_with_options(1, 900599, &CallOptions::new().cancel(&token))
        .unwrap_err();
    assert!(latency(canceller) < PROMPT);
    assert!(started.elapsed() < Duration::from_secs(1));
    assert!(matches!(error, Error::Cancelled { .. }), "{error:?}");
    assert!(error.attempts() >= 1);
}

#[test]
fn the_sleep_between_polls_is_cancelled_promptly_with_the_last_state() {
    let server = MockServer::start().unwrap();
    let client = builder(&server).build().unwrap();
    let token = CancelToken::new();
    let canceller = cancel_after(&token, Duration::from_millis(300));
    // 900199: in progress for 99 polls; polls every 5 s.
    let options = WaitOptions::new(Duration::from_secs(60))
        .poll_interval(Duration::from_secs(5))
        .cancel(&token);
    let error = client.wait(1, 900199, options).unwrap_err();
    assert!(latency(canceller) < PROMPT);
    match error {
        Error::Cancelled {
            polls,
            last,
            attempts,
            last_error,
        } => {
            assert_eq!(polls, 1);
            assert_eq!(attempts, 1);
            assert_eq!(last.unwrap().action.id, Some(900199));
            assert!(last_error.is_none());
        }
        other => panic!("expected a cancellation, got {other:?}"),
    }
}

/// A listener whose accept queue is full: a further connect to it hangs.
fn unanswered_port() -> (u16, Vec<std::net::TcpStream>, rustix::fd::OwnedFd) {
    use rustix::net::{AddressFamily, SocketType, bind, listen, socket};
    let listener = socket(AddressFamily::INET, SocketType::STREAM, None).unwrap();
    bind(
        &listener,
        &"127.0.0.1:0".parse::<std::net::SocketAddr>().unwrap(),
    )
    .unwrap();
    listen(&listener, 0).unwrap();
    let address = rustix::net::getsockname(&listener).unwrap();
    let port = std::net::SocketAddr::try_from(address).unwrap().port();
    let mut fillers = Vec::new();
    for _ in 0..4 {
        match std::net::TcpStream::connect_timeout(
            &std::net::SocketAddr::from(([127, 0, 0, 1], port)),
            Duration::from_millis(100),
        ) {
            Ok(stream) => fillers.push(stream),
            Err(_) => break,
        }
    }
    (port, fillers, listener)
}

#[test]
fn a_connect_that_hangs_is_cancelled_promptly() {
    let (port, _fillers, _listener) = unanswered_port();
    let client = Client::builder()
        .token(DEFAULT_TOKEN)
        .base_url(format!("http://127.0.0.1:{port}"))
        .connect_timeout(Duration::from_secs(30))
        .build()
        .unwrap();
    let token = CancelToken::new();
    let canceller = cancel_after(&token, Duration::from_millis(300));
    let started = Instant::now();
    let error = client
        .get_with_options(1, 2, &CallOptions::new().cancel(&token))
        .unwrap_err();
    assert!(latency(canceller) < PROMPT, "{error:?}");
    assert!(started.elapsed() >= Duration::from_millis(290));
    assert!(matches!(error, Error::Cancelled { .. }), "{error:?}");
}

#[test]
fn a_connect_that_hangs_times_out_at_the_connect_timeout_and_says_so() {
    let (port, _fillers, _listener) = unanswered_port();
    let client = Client::builder()
        .token(DEFAULT_TOKEN)
        .base_url(format!("http://127.0.0.1:{port}"))
        .connect_timeout(Duration::from_millis(300))
        .max_retries(0)
        .build()
        .unwrap();
    let started = Instant::now();
    let error = client.get(1, 2).unwrap_err();
    assert!(started.elapsed() < Duration::from_secs(2));
    assert!(
        matches!(error, Error::Timeout { timeout, attempts: 1 } if timeout == Duration::from_millis(300)),
        "{error:?}"
    );
    assert_eq!(
        error.to_string(),
        "no complete answer within 300ms (attempt 1)"
    );
}

#[test]
fn a_token_cancelled_before_the_call_sends_nothing() {
    let server = MockServer::start().unwrap();
    let client = builder(&server).build().unwrap();
    let token = CancelToken::new();
    token.cancel();
    let error = client
        .get_with_options(3164444, 36804636, &CallOptions::new().cancel(&token))
        .unwrap_err();
    assert!(matches!(error, Error::Cancelled { attempts: 0, .. }));
    assert_eq!(server.hits(3164444, 36804636), 0);
    assert_eq!(
        error.to_string(),
        "the call was cancelled after 0 attempt(s)"
    );
}

type Seen = Arc<Mutex<Vec<(Level, String)>>>;

fn logging(server: &MockServer, max: Level) -> (Client, Seen) {
    let seen: Seen = Arc::default();
    let sink = Arc::clone(&seen);
    let client = builder(server)
        .backoff(Duration::from_millis(1), Duration::from_millis(1))
        .log_hook(
            Arc::new(move |level, message: &str| {
                sink.lock().unwrap().push((level, message.to_owned()))
            }),
            max,
        )
        .build()
        .unwrap();
    (client, seen)
}

#[test]
fn retries_and_the_outcome_are_logged_with_the_request_id() {
    let server = MockServer::start().unwrap();
    let (client, seen) = logging(&server, Level::Debug);
    // 900503: 503 twice, then 200.
    let answer = client.get(7, 900503).unwrap();
    let request_id = answer.request_id().unwrap().to_owned();
    let seen = seen.lock().unwrap();
    let lines: Vec<String> = seen
        .iter()
        .map(|(level, message)| format!("{level} {message}"))
        .collect();
    assert_eq!(lines.len(), 6, "{lines:#?}");
    assert_eq!(
        lines[0],
        "DEBUG GET /v2/droplets/7/actions/900503: attempt 1"
    );
    assert!(
        lines[1].starts_with("INFO GET /v2/droplets/7/actions/900503: retrying in "),
        "{}",
        lines[1]
    );
    assert!(lines[1].contains("after attempt 1: "), "{}", lines[1]);
    assert_eq!(lines[1].matches("(request id ").count(), 1, "{}", lines[1]);
    assert_eq!(
        lines[2],
        "DEBUG GET /v2/droplets/7/actions/900503: attempt 2"
    );
    assert_eq!(
        lines[4],
        "DEBUG GET /v2/droplets/7/actions/900503: attempt 3"
    );
    assert_eq!(
        lines[5],
        format!(
            "DEBUG GET /v2/droplets/7/actions/900503: 200 after 3 attempt(s) (request id {request_id})"
        )
    );
}

#[test]
fn a_level_filters_what_is_logged() {
    let server = MockServer::start().unwrap();
    let (client, seen) = logging(&server, Level::Warn);
    client.get(3164444, 36804636).unwrap();
    assert!(seen.lock().unwrap().is_empty());
    client.get(7, 900404).unwrap_err();
    let seen = seen.lock().unwrap();
    assert_eq!(seen.len(), 1);
    assert_eq!(seen[0].0, Level::Warn);
    assert!(
        seen[0]
            .1
            .starts_with("GET /v2/droplets/7/actions/900404: failed after 1 attempt(s): "),
        "{}",
        seen[0].1
    );
}
