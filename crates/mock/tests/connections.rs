//! Many kept-alive connections at once: each is served as its requests come, whatever the
//! others do.

mod common;

use std::sync::Barrier;
use std::time::{Duration, Instant};

use droplet_action_mock::{DEFAULT_TOKEN, MockServer};
use droplet_action_model::DOCUMENTED_ACTION_JSON;

const CONNECTIONS: usize = 64;

/// An agent that keeps one connection, and gives up on an answer after 10 s.
fn one_connection_agent() -> ureq::Agent {
    ureq::Agent::config_builder()
        .max_idle_connections(1)
        .max_idle_connections_per_host(1)
        .timeout_global(Some(Duration::from_secs(10)))
        .build()
        .into()
}

fn fetch(agent: &ureq::Agent, url: &str) -> Result<String, String> {
    agent
        .get(url)
        .header("Authorization", format!("Bearer {DEFAULT_TOKEN}"))
        .call()
        .and_then(|mut response| response.body_mut().read_to_string())
        .map_err(|e| e.to_string())
}

/// 64 clients open their connections at the same moment and keep them: each gets its first
/// answer while all 64 are open, then a second one on the same connection.
#[test]
fn sixty_four_kept_alive_connections_opened_at_once_are_all_answered() {
    let server = MockServer::builder()
        .record_requests(false)
        .start()
        .unwrap();
    let url = format!("{}/v2/droplets/3164444/actions/36804636", server.base_url());
    let start = Barrier::new(CONNECTIONS);
    let all_answered = Barrier::new(CONNECTIONS);
    let outcomes: Vec<_> = std::thread::scope(|scope| {
        let clients: Vec<_> = (0..CONNECTIONS)
            .map(|_| {
                scope.spawn(|| {
                    let agent = one_connection_agent();
                    start.wait();
                    let sent = Instant::now();
                    let first = fetch(&agent, &url);
                    let waited = sent.elapsed();
                    // No connection closes until every client has its first answer.
                    all_answered.wait();
                    let second = fetch(&agent, &url);
                    (first, second, waited)
                })
            })
            .collect();
        clients.into_iter().map(|c| c.join().unwrap()).collect()
    });
    let longest = outcomes.iter().map(|(_, _, waited)| *waited).max().unwrap();
    eprintln!("{CONNECTIONS} connections: the longest wait for a first answer was {longest:?}");
    for (first, second, _) in &outcomes {
        assert_eq!(first.as_deref(), Ok(DOCUMENTED_ACTION_JSON));
        assert_eq!(second.as_deref(), Ok(DOCUMENTED_ACTION_JSON));
    }
    assert_eq!(server.hits(3164444, 36804636), 2 * CONNECTIONS);
}
