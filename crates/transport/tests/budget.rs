//! Every request goes through the client's request budget.

use std::sync::Arc;
use std::time::{Duration, Instant};

use droplet_action_mock::{DEFAULT_TOKEN, MockServer};
use droplet_action_transport::{
    CallOptions, CancelToken, Client, Error, LocalBudget, RequestBudget,
};

fn paced(server: &MockServer, per_minute: u32) -> Client {
    Client::builder()
        .token(DEFAULT_TOKEN)
        .base_url(server.base_url())
        .requests_per_minute(per_minute)
        .build()
        .unwrap()
}

#[test]
fn a_call_that_cannot_fit_its_time_in_the_budget_fails_at_once() {
    let server = MockServer::start().unwrap();
    let client = paced(&server, 2);
    client.get(3164444, 36804636).unwrap();
    client.get(3164444, 36804636).unwrap();
    // The third request of the minute would wait about a minute: longer than the 200 ms
    // this call allows, and than the 10 ms the next one allows.
    for options in [
        CallOptions::new().timeout(Duration::from_millis(200)),
        CallOptions::new().timeout(Duration::from_millis(10)),
    ] {
        let started = Instant::now();
        let error = client
            .get_with_options(3164444, 36804636, &options)
            .unwrap_err();
        assert!(started.elapsed() < Duration::from_millis(100));
        match error {
            Error::RateBudget {
                needed, attempts, ..
            } => {
                assert!(needed > Duration::from_secs(55), "{needed:?}");
                assert_eq!(attempts, 0);
            }
            other => panic!("expected the budget's refusal, got {other:?}"),
        }
    }
    assert_eq!(server.hits(3164444, 36804636), 2);
}

#[test]
fn a_wait_for_the_budget_is_cancelled_promptly() {
    let server = MockServer::start().unwrap();
    let client = Client::builder()
        .token(DEFAULT_TOKEN)
        .base_url(server.base_url())
        .requests_per_minute(1)
        .timeout(Duration::from_secs(120))
        .build()
        .unwrap();
    client.get(3164444, 36804636).unwrap();
    let token = CancelToken::new();
    let remote = token.clone();
    let canceller = std::thread::spawn(move || {
        std::thread::sleep(Duration::from_millis(200));
        remote.cancel();
        Instant::now()
    });
    let error = client
        .get_with_options(3164444, 36804636, &CallOptions::new().cancel(&token))
        .unwrap_err();
    let latency = Instant::now().saturating_duration_since(canceller.join().unwrap());
    assert!(latency < Duration::from_millis(100), "{latency:?}");
    assert!(
        matches!(error, Error::Cancelled { attempts: 0, .. }),
        "{error:?}"
    );
    assert_eq!(server.hits(3164444, 36804636), 1);
}

#[test]
fn clients_sharing_a_budget_share_its_slots() {
    let server = MockServer::start().unwrap();
    let budget: Arc<dyn RequestBudget> = Arc::new(LocalBudget::per_minute(3));
    let clients: Vec<Client> = (0..3)
        .map(|_| {
            Client::builder()
                .token(DEFAULT_TOKEN)
                .base_url(server.base_url())
                .budget(Arc::clone(&budget))
                .build()
                .unwrap()
        })
        .collect();
    for client in &clients {
        client.get(3164444, 36804636).unwrap();
    }
    // The fourth of the minute is a minute away: more than this call's second.
    let error = clients[0]
        .get_with_options(
            3164444,
            36804636,
            &CallOptions::new().timeout(Duration::from_secs(1)),
        )
        .unwrap_err();
    assert!(matches!(error, Error::RateBudget { .. }), "{error:?}");
    assert_eq!(server.hits(3164444, 36804636), 3);
}

#[test]
fn zero_requests_a_minute_is_refused() {
    let error = Client::builder()
        .token(DEFAULT_TOKEN)
        .requests_per_minute(0)
        .build()
        .unwrap_err();
    assert_eq!(
        error.to_string(),
        "invalid argument: requests_per_minute must be at least 1"
    );
}

/// A budget whose every slot is `delay` away.
#[derive(Debug)]
struct SlotsAway {
    delay: Duration,
    asked: std::sync::Mutex<Vec<Duration>>,
}

impl RequestBudget for SlotsAway {
    fn try_reserve(&self, max_wait: Duration) -> Result<Duration, Duration> {
        self.asked.lock().unwrap().push(max_wait);
        if self.delay <= max_wait {
            Ok(self.delay)
        } else {
            Err(self.delay)
        }
    }
}

/// Waiting for the budget is part of a call's total time, not of one attempt's: a call
/// without a per-call timeout waits for a slot further away than its attempt timeout.
#[test]
fn a_call_without_a_timeout_waits_for_a_slot_beyond_the_attempt_timeout() {
    let server = MockServer::start().unwrap();
    let budget = Arc::new(SlotsAway {
        delay: Duration::from_millis(600),
        asked: std::sync::Mutex::new(Vec::new()),
    });
    let client = Client::builder()
        .token(DEFAULT_TOKEN)
        .base_url(server.base_url())
        .timeout(Duration::from_millis(200))
        .budget(Arc::clone(&budget) as Arc<dyn RequestBudget>)
        .build()
        .unwrap();
    let started = Instant::now();
    let answer = client.get(3164444, 36804636).unwrap();
    assert!(started.elapsed() >= Duration::from_millis(600));
    assert_eq!(answer.meta.status, 200);
    assert_eq!(answer.attempts, 1);
    assert_eq!(*budget.asked.lock().unwrap(), [Duration::MAX]);
    // With a per-call timeout, the slot must fit in what is left of it.
    let error = client
        .get_with_options(
            3164444,
            36804636,
            &CallOptions::new().timeout(Duration::from_millis(400)),
        )
        .unwrap_err();
    match error {
        Error::RateBudget {
            needed, allowed, ..
        } => {
            assert_eq!(needed, Duration::from_millis(600));
            assert!(allowed <= Duration::from_millis(400), "{allowed:?}");
        }
        other => panic!("expected the budget's refusal, got {other:?}"),
    }
    assert_eq!(server.hits(3164444, 36804636), 1);
}

/// A call cancelled while it waits for its slot gives the slot back: after several such
/// cancels the budget paces as if they had never been made.
#[test]
fn a_call_cancelled_while_it_waits_for_the_budget_gives_its_slot_back() {
    let server = MockServer::start().unwrap();
    let budget = Arc::new(LocalBudget::per_minute(1));
    let client = Client::builder()
        .token(DEFAULT_TOKEN)
        .base_url(server.base_url())
        .budget(Arc::clone(&budget) as Arc<dyn RequestBudget>)
        .build()
        .unwrap();
    client.get(3164444, 36804636).unwrap();
    for _ in 0..3 {
        let token = CancelToken::new();
        let trigger = token.clone();
        let canceller = std::thread::spawn(move || {
            std::thread::sleep(Duration::from_millis(50));
            trigger.cancel();
        });
        let error = client
            .get_with_options(3164444, 36804636, &CallOptions::new().cancel(&token))
            .unwrap_err();
        canceller.join().unwrap();
        assert!(
            matches!(error, Error::Cancelled { attempts: 0, .. }),
            "{error:?}"
        );
    }
    // The next slot is the one a minute after the first request, not three minutes later.
    let needed = budget.try_reserve(Duration::ZERO).unwrap_err();
    assert!(
        needed > Duration::from_secs(55) && needed <= Duration::from_secs(61),
        "{needed:?}"
    );
    assert_eq!(server.hits(3164444, 36804636), 1);
}

/// An attempt that could not connect sent nothing: its slot goes back to the budget.
#[test]
fn an_attempt_that_could_not_connect_gives_its_slot_back() {
    let dead = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://127.0.0.1:{}", dead.local_addr().unwrap().port());
    drop(dead);
    let budget = Arc::new(LocalBudget::per_minute(2));
    let client = Client::builder()
        .token(DEFAULT_TOKEN)
        .base_url(url)
        .max_retries(0)
        .budget(Arc::clone(&budget) as Arc<dyn RequestBudget>)
        .build()
        .unwrap();
    for _ in 0..4 {
        let error = client
            .get_with_options(
                3164444,
                36804636,
                &CallOptions::new().timeout(Duration::from_millis(500)),
            )
            .unwrap_err();
        assert!(matches!(error, Error::Transport { .. }), "{error:?}");
    }
    assert_eq!(budget.try_reserve(Duration::ZERO), Ok(Duration::ZERO));
    assert_eq!(budget.try_reserve(Duration::ZERO), Ok(Duration::ZERO));
    assert!(budget.try_reserve(Duration::ZERO).is_err());
}
