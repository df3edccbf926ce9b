//! The shared budget against a real `redis-server` that each test starts on 127.0.0.1.

use std::net::{TcpListener, TcpStream};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::thread;
use std::time::{Duration, Instant};

use droplet_action_model::{ResponseMeta, RetryAfter, Token};
use droplet_action_redis_budget::{
    RedisBudget, RedisBudgetConfig, RequestBudget, Source, Unreachable,
};

/// A `redis-server` on a free loopback port, without persistence, killed when dropped.
struct RedisServer {
    child: Child,
    port: u16,
}

impl RedisServer {
    fn start() -> Self {
        Self::start_on(free_port())
    }

    fn start_on(port: u16) -> Self {
        let child = Command::new("redis-server")
            .args(["--port", &port.to_string(), "--bind", "127.0.0.1"])
            .args(["--save", "", "--appendonly", "no"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("redis-server must be installed (bash .ci/run installs it)");
        let server = Self { child, port };
        let deadline = Instant::now() + Duration::from_secs(10);
        while redis::Client::open(server.url())
            .and_then(|client| client.get_connection_with_timeout(Duration::from_secs(1)))
            .and_then(|mut connection| redis::cmd("PING").query::<String>(&mut connection))
            .is_err()
        {
            assert!(Instant::now() < deadline, "redis-server did not start");
            thread::sleep(Duration::from_millis(20));
        }
        server
    }

    fn url(&self) -> String {
        format!("redis://127.0.0.1:{}/", self.port)
    }

    fn connection(&self) -> redis::Connection {
        redis::Client::open(self.url())
            .unwrap()
            .get_connection()
            .unwrap()
    }

    fn keys(&self) -> Vec<String> {
        redis::cmd("KEYS")
            .arg("*")
            .query(&mut self.connection())
            .unwrap()
    }
}

impl Drop for RedisServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A port nothing listens on (for a moment).
fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn token(text: &str) -> Token {
    Token::new(text).unwrap()
}

/// Windows alone, without margin.
fn windows(pairs: &[(u32, Duration)]) -> RedisBudgetConfig {
    pairs
        .iter()
        .fold(
            RedisBudgetConfig::without_windows(),
            |config, &(limit, length)| config.window(limit, length),
        )
        .margin(Duration::ZERO)
}

fn redis_slot(source: Source) -> Duration {
    match source {
        Source::Redis { slot } => slot,
        Source::Local => panic!("the local budget answered: Redis was expected"),
    }
}

#[test]
fn many_threads_over_many_instances_never_exceed_any_window() {
    let server = RedisServer::start();
    let short = (10, Duration::from_millis(200));
    let long = (25, Duration::from_secs(1));
    let (instances, threads, reservations) = (3, 4, 10);
    let budgets: Vec<Arc<RedisBudget>> = (0..instances)
        .map(|_| {
            let config = windows(&[short, long]);
            Arc::new(RedisBudget::new(&server.url(), &token("dop_v1_fleet"), config).unwrap())
        })
        .collect();
    let workers: Vec<_> = (0..instances * threads)
        .map(|worker| {
            let budget = Arc::clone(&budgets[worker % instances]);
            thread::spawn(move || {
                (0..reservations)
                    .map(|_| {
                        let reservation = budget.reserve(Duration::MAX).unwrap();
                        thread::sleep(reservation.delay);
                        redis_slot(reservation.source)
                    })
                    .collect::<Vec<_>>()
            })
        })
        .collect();
    let mut slots: Vec<Duration> = workers
        .into_iter()
        .flat_map(|worker| worker.join().unwrap())
        .collect();
    slots.sort();
    assert_eq!(slots.len(), instances * threads * reservations);
    for (limit, length) in [short, long] {
        let limit = limit as usize;
        // Any `limit + 1` consecutive slots span at least the window: no window holds more.
        for (i, &slot) in slots.iter().enumerate().skip(limit) {
            assert!(
                slot - slots[i - limit] >= length,
                "{} slots within {length:?}",
                limit + 1
            );
        }
        // And the window is used: some `limit` consecutive slots fit in it.
        assert!(
            slots
                .windows(limit)
                .any(|run| run[limit - 1] - run[0] < length)
        );
    }
}

#[test]
fn a_reservation_beyond_max_wait_takes_nothing() {
    let server = RedisServer::start();
    let config = windows(&[(3, Duration::from_secs(10))]);
    let budget = RedisBudget::new(&server.url(), &token("dop_v1_wait"), config).unwrap();
    for _ in 0..3 {
        assert_eq!(
            budget.reserve(Duration::ZERO).unwrap().delay,
            Duration::ZERO
        );
    }
    let needed = budget.reserve(Duration::from_secs(1)).unwrap_err();
    assert!(
        needed > Duration::from_secs(9) && needed <= Duration::from_secs(10),
        "{needed:?}"
    );
    let window = server
        .keys()
        .into_iter()
        .find(|key| key.contains(":window:"))
        .unwrap();
    let count: u64 = redis::cmd("ZCARD")
        .arg(&window)
        .query(&mut server.connection())
        .unwrap();
    assert_eq!(count, 3);
    assert!(budget.reserve(Duration::from_secs(10)).unwrap().delay > Duration::from_secs(9));
}

#[test]
fn keys_are_per_token_and_never_hold_it() {
    let server = RedisServer::start();
    let config = || windows(&[(2, Duration::from_secs(10))]);
    let first = RedisBudget::new(&server.url(), &token("dop_v1_first"), config()).unwrap();
    let again = RedisBudget::new(&server.url(), &token("dop_v1_first"), config()).unwrap();
    let second = RedisBudget::new(&server.url(), &token("dop_v1_second"), config()).unwrap();
    first.reserve(Duration::ZERO).unwrap();
    first.reserve(Duration::ZERO).unwrap();
    // The same token, from another instance, shares the window; another token does not.
    assert!(again.reserve(Duration::ZERO).is_err());
    assert_eq!(
        second.reserve(Duration::ZERO).unwrap().delay,
        Duration::ZERO
    );
    assert_eq!(first.key_hash(), again.key_hash());
    assert_ne!(first.key_hash(), second.key_hash());
    assert_eq!(first.key_hash().len(), 64);
    let keys = server.keys();
    assert_eq!(keys.len(), 4, "{keys:?}");
    for key in &keys {
        assert!(key.starts_with("droplet-action:budget:{"), "{key}");
        assert!(!key.contains("dop_v1"), "{key}");
        assert!(
            key.contains(first.key_hash()) || key.contains(second.key_hash()),
            "{key}"
        );
    }
}

#[test]
fn a_429_observed_by_one_instance_holds_every_instance() {
    let server = RedisServer::start();
    let one = RedisBudget::new(&server.url(), &token("dop_v1_hold"), windows(&[])).unwrap();
    let other = RedisBudget::new(&server.url(), &token("dop_v1_hold"), windows(&[])).unwrap();
    assert_eq!(other.reserve(Duration::MAX).unwrap().delay, Duration::ZERO);
    let meta = ResponseMeta {
        status: 429,
        rate_limit: None,
        request_id: None,
        retry_after: Some(RetryAfter::Delay(Duration::from_secs(2))),
    };
    one.observe(&meta);
    let delay = other.reserve(Duration::MAX).unwrap().delay;
    assert!(
        delay > Duration::from_millis(1_900) && delay <= Duration::from_secs(2),
        "{delay:?}"
    );
}

#[test]
fn falls_back_to_the_local_budget_while_redis_is_down_and_returns_to_it() {
    let port = free_port();
    let config = windows(&[(100, Duration::from_secs(60))])
        .retry_interval(Duration::from_millis(100))
        .io_timeout(Duration::from_millis(200));
    let url = format!("redis://127.0.0.1:{port}/");
    let budget = RedisBudget::new(&url, &token("dop_v1_down"), config).unwrap();
    let reservation = budget.reserve(Duration::MAX).unwrap();
    assert_eq!(reservation.source, Source::Local);
    assert!(budget.is_degraded());
    assert!(budget.last_error().is_some());

    let server = RedisServer::start_on(port);
    // Not tried again before the retry interval has passed.
    thread::sleep(Duration::from_millis(150));
    redis_slot(budget.reserve(Duration::MAX).unwrap().source);
    assert!(!budget.is_degraded());
    assert_eq!(budget.last_error(), None);

    // Redis dies: the next reservation falls back at once.
    drop(server);
    assert!(TcpStream::connect(("127.0.0.1", port)).is_err());
    let started = Instant::now();
    assert_eq!(budget.reserve(Duration::MAX).unwrap().source, Source::Local);
    assert!(started.elapsed() < Duration::from_millis(500));
    assert!(budget.is_degraded());
}

#[test]
fn refuses_while_redis_is_down_when_asked_to() {
    let url = format!("redis://127.0.0.1:{}/", free_port());
    let config = RedisBudgetConfig::default().on_unreachable(Unreachable::Refuse);
    let budget = RedisBudget::new(&url, &token("dop_v1_refuse"), config).unwrap();
    assert_eq!(budget.reserve(Duration::MAX), Err(Duration::MAX));
    assert_eq!(budget.try_reserve(Duration::MAX), Err(Duration::MAX));
    assert!(budget.is_degraded());
}

#[test]
fn a_bad_url_is_refused_at_once() {
    assert!(RedisBudget::new("http://x", &token("t"), RedisBudgetConfig::default()).is_err());
}
