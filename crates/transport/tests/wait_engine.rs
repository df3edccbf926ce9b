//! Waits driven by the model's engine: what ends a wait early keeps what the wait knew, a
//! spent hourly limit ends a running wait at once, and a budget's delay is bounded by the
//! wait's deadline and longest pause.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use droplet_action_mock::MockServer;
use droplet_action_transport::{
    CancelToken, Client, Error, LocalBudget, RequestBudget, Taken, WaitOptions,
};

const RUNNING: &str = r#"{"action":{"id":2,"status":"in-progress","type":"reboot"}}"#;
const BROKEN: &str = r#"{"id":"server_error","message":"Unexpected server-side error"}"#;
const DENIED: &str = r#"{"id":"unauthorized","message":"Unable to authenticate you."}"#;

type Answer = (u16, Vec<(&'static str, String)>, &'static str);

/// Serves the answers in order (the last one again and again) on 127.0.0.1; counts requests.
struct Scripted {
    url: String,
    count: Arc<AtomicUsize>,
    server: Arc<tiny_http::Server>,
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
        Self { url, count, server }
    }

    fn requests(&self) -> usize {
        self.count.load(Ordering::SeqCst)
    }
}

impl Drop for Scripted {
    fn drop(&mut self) {
        self.server.unblock();
    }
}

fn spent_hour() -> Vec<(&'static str, String)> {
    vec![
        ("ratelimit-limit", "5000".to_owned()),
        ("ratelimit-remaining", "0".to_owned()),
        (
            "ratelimit-reset",
            (jiff::Timestamp::now().as_second() + 3500).to_string(),
        ),
    ]
}

fn client(url: &str) -> Client {
    Client::builder()
        .token("mock-token")
        .base_url(url)
        .backoff(Duration::from_millis(10), Duration::from_millis(20))
        .build()
        .unwrap()
}

#[test]
fn a_spent_hourly_limit_while_running_ends_the_wait_at_once_with_its_reset() {
    let server = Scripted::start(vec![(200, spent_hour(), RUNNING)]);
    let started = Instant::now();
    let error = client(&server.url)
        .wait(1, 2, WaitOptions::new(Duration::from_secs(300)))
        .unwrap_err();
    assert!(
        started.elapsed() < Duration::from_millis(500),
        "{:?}",
        started.elapsed()
    );
    let Error::RateLimited {
        reset_in,
        polls,
        requests,
        last,
    } = &error
    else {
        panic!("expected RateLimited, got {error:?}");
    };
    assert!((3495..=3500).contains(&reset_in.as_secs()), "{reset_in:?}");
    assert_eq!((*polls, *requests, server.requests()), (1, 1, 1));
    assert_eq!(last.as_ref().unwrap().action.id, Some(2));
    assert_eq!(error.rate_limit().unwrap().remaining, 0);
    assert_eq!(error.status(), Some(200));
    assert!(
        error
            .to_string()
            .starts_with("the rate limit is spent and resets in "),
        "{error}"
    );
}

#[test]
fn a_terminal_answer_with_a_spent_limit_still_ends_the_wait_normally() {
    let done = r#"{"action":{"id":2,"status":"completed"}}"#;
    let server = Scripted::start(vec![(200, spent_hour(), done)]);
    let answer = client(&server.url)
        .wait(1, 2, WaitOptions::new(Duration::from_secs(300)))
        .unwrap();
    assert_eq!((answer.polls, server.requests()), (1, 1));
}

#[test]
fn a_401_after_polls_keeps_the_polls_the_requests_and_the_last_action() {
    let server = Scripted::start(vec![
        (200, vec![], RUNNING),
        (500, vec![], BROKEN),
        (200, vec![], RUNNING),
        (401, vec![], DENIED),
    ]);
    let options =
        WaitOptions::new(Duration::from_secs(10)).poll_interval(Duration::from_millis(20));
    let error = client(&server.url).wait(1, 2, options).unwrap_err();
    let Error::WaitEnded {
        error: cause,
        polls,
        requests,
        last,
    } = &error
    else {
        panic!("expected WaitEnded, got {error:?}");
    };
    assert!(matches!(**cause, Error::Api { .. }));
    assert_eq!((*polls, *requests), (3, 4));
    assert_eq!(last.as_ref().unwrap().action.id, Some(2));
    assert_eq!(error.status(), Some(401));
    assert_eq!(error.attempts(), 4);
    assert_eq!(error.last_seen().unwrap().action.id, Some(2));
    assert_eq!(error.to_string(), cause.to_string());
}

#[test]
fn a_wait_cancelled_while_backing_off_after_a_500_keeps_its_status() {
    let server = Scripted::start(vec![(500, vec![], BROKEN)]);
    let client = Client::builder()
        .token("mock-token")
        .base_url(&server.url)
        .backoff(Duration::from_secs(5), Duration::from_secs(5))
        .build()
        .unwrap();
    let token = CancelToken::new();
    let trigger = token.clone();
    let canceller = std::thread::spawn(move || {
        std::thread::sleep(Duration::from_millis(200));
        trigger.cancel();
    });
    let options = WaitOptions::new(Duration::from_secs(60)).cancel(&token);
    let error = client.wait(1, 2, options).unwrap_err();
    canceller.join().unwrap();
    assert!(matches!(error, Error::Cancelled { .. }), "{error:?}");
    assert_eq!(error.status(), Some(500));
    assert_eq!((error.polls(), error.attempts()), (1, 1));
}

/// A budget that always puts its next slot `delay` away, and counts what it gave back.
#[derive(Debug)]
struct Far {
    delay: Duration,
    given_back: Mutex<u32>,
}

impl RequestBudget for Far {
    fn try_reserve(&self, _max_wait: Duration) -> Result<Duration, Duration> {
        Ok(self.delay)
    }

    fn try_take(&self, _allowed: Duration) -> Result<Taken, Duration> {
        // A careless budget: it hands out the far slot whatever the call allows.
        Ok(Taken {
            delay: self.delay,
            slot: Some(self.delay),
        })
    }

    fn give_back(&self, _slot: &Taken) {
        *self.given_back.lock().unwrap() += 1;
    }
}

#[test]
fn a_budget_delay_past_the_deadline_or_the_longest_pause_ends_the_wait_at_once() {
    let server = MockServer::start().unwrap();
    for (timeout, delay) in [
        (Duration::from_secs(2), Duration::from_secs(30)),
        (Duration::from_secs(600), Duration::from_secs(61)),
    ] {
        let far = Arc::new(Far {
            delay,
            given_back: Mutex::new(0),
        });
        let client = Client::builder()
            .token("mock-token")
            .base_url(server.base_url())
            .budget(far.clone())
            .build()
            .unwrap();
        let started = Instant::now();
        let error = client
            .wait(1, 900102, WaitOptions::new(timeout))
            .unwrap_err();
        assert!(
            started.elapsed() < Duration::from_millis(300),
            "{:?}",
            started.elapsed()
        );
        let Error::WaitEnded {
            error: cause,
            polls,
            requests,
            ..
        } = &error
        else {
            panic!("expected WaitEnded, got {error:?}");
        };
        assert!(
            matches!(**cause, Error::RateBudget { needed, .. } if needed == delay),
            "{cause:?}"
        );
        assert_eq!((*polls, *requests), (0, 0));
        assert_eq!(*far.given_back.lock().unwrap(), 1);
    }
    assert_eq!(server.hits(1, 900102), 0);
}

#[test]
fn a_budget_timeout_after_polls_keeps_the_last_action_and_the_polls() {
    let server = MockServer::start().unwrap();
    // One request a minute: the second poll's slot lies a minute away, past the deadline.
    let client = Client::builder()
        .token("mock-token")
        .base_url(server.base_url())
        .budget(Arc::new(LocalBudget::per_minute(1)))
        .build()
        .unwrap();
    let options = WaitOptions::new(Duration::from_secs(5)).poll_interval(Duration::from_millis(50));
    let error = client.wait(1, 900105, options).unwrap_err();
    assert!(
        matches!(error.cause(), Error::RateBudget { .. }),
        "{error:?}"
    );
    assert_eq!((error.polls(), error.attempts()), (1, 1));
    assert_eq!(error.last_seen().unwrap().action.id, Some(900105));
    assert_eq!(error.status(), None);
}
