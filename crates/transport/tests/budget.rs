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
    client.get_droplet_action(3164444, 36804636).unwrap();
    client.get_droplet_action(3164444, 36804636).unwrap();
    // The third request of the minute would wait about a minute: longer than the 30 s
    // an attempt may take, and than the 200 ms this call allows.
    for options in [
        CallOptions::new(),
        CallOptions::new().timeout(Duration::from_millis(200)),
    ] {
        let started = Instant::now();
        let error = client
            .get_droplet_action_with(3164444, 36804636, &options)
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
    client.get_droplet_action(3164444, 36804636).unwrap();
    let token = CancelToken::new();
    let remote = token.clone();
    let canceller = std::thread::spawn(move || {
        std::thread::sleep(Duration::from_millis(200));
        remote.cancel();
        Instant::now()
    });
    let error = client
        .get_droplet_action_with(3164444, 36804636, &CallOptions::new().cancel(&token))
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
        client.get_droplet_action(3164444, 36804636).unwrap();
    }
    let error = clients[0]
        .get_droplet_action(3164444, 36804636)
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
