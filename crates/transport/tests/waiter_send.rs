//! A sans-IO waiter driven by the caller's clock, its requests sent through a client.

use std::time::Duration;

use droplet_action_mock::MockServer;
use droplet_action_transport::model::WaitStep;
use droplet_action_transport::{Client, WaitOptions, Waiter};

#[test]
fn a_waiter_sends_through_a_client_on_the_callers_clock() {
    let server = MockServer::start().unwrap();
    let client = Client::builder()
        .token("mock-token")
        .base_url(server.base_url())
        .build()
        .unwrap();
    let options = WaitOptions::default().poll_interval(Duration::from_millis(10));
    let mut waiter = Waiter::new(9, 900102, &options, Duration::ZERO).unwrap();
    let mut clock = Duration::ZERO;
    let mut steps = Vec::new();
    for _ in 0..20 {
        let step = waiter.next(clock);
        steps.push(step);
        match step {
            WaitStep::Done(_) => break,
            WaitStep::Sleep { until } => clock = until,
            WaitStep::Send { .. } => {
                client.send_for(&mut waiter, clock, None);
            }
        }
    }
    assert!(matches!(steps.last(), Some(WaitStep::Done(_))), "{steps:?}");
    let answer = waiter.finish(clock).unwrap();
    assert_eq!((answer.polls, answer.attempts), (3, 3));
    assert_eq!(server.hits(9, 900102), 3);
}
