//! The shared budget against a real `redis-server` that each test starts on 127.0.0.1.

mod common;

use std::net::TcpStream;
use std::sync::Arc;
use std::thread;
use std::time::{Duration, Instant};

use common::{RedisServer, free_port, redis_slot, token, windows};
use droplet_action_model::{ResponseMeta, RetryAfter};
use droplet_action_redis_budget::{
    RedisBudget, RedisBudgetConfig, RequestBudget, Source, Unreachable,
};

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
    // Per token: the members, their limits and the one window (the state only once a
    // 429 holds it).
    let mut keys = server.keys();
    keys.sort();
    assert_eq!(keys.len(), 6, "{keys:?}");
    let mut suffixes: Vec<&str> = keys
        .iter()
        .map(|key| key.rsplit_once("}:").unwrap().1)
        .collect();
    suffixes.sort();
    assert_eq!(
        suffixes,
        [
            "limits",
            "limits",
            "members",
            "members",
            "window:10000000",
            "window:10000000"
        ]
    );
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

#[test]
fn one_token_at_two_origins_counts_in_two_windows() {
    let server = RedisServer::start();
    let config = || windows(&[(1, Duration::from_secs(10))]);
    let api = RedisBudget::new(&server.url(), &token("dop_v1_origin"), config()).unwrap();
    let other = RedisBudget::new(
        &server.url(),
        &token("dop_v1_origin"),
        config().origin("http://127.0.0.1:3000"),
    )
    .unwrap();
    let same = RedisBudget::new(
        &server.url(),
        &token("dop_v1_origin"),
        config().origin("https://api.digitalocean.com/"),
    )
    .unwrap();
    assert_eq!(api.reserve(Duration::ZERO).unwrap().delay, Duration::ZERO);
    assert_eq!(other.reserve(Duration::ZERO).unwrap().delay, Duration::ZERO);
    assert_ne!(api.key_hash(), other.key_hash());
    // The default origin, with or without its trailing slash, is one budget.
    assert_eq!(api.key_hash(), same.key_hash());
    assert!(same.reserve(Duration::ZERO).is_err());
}

#[test]
fn members_with_different_limits_obey_the_lowest_in_one_window() {
    let server = RedisServer::start();
    let length = Duration::from_secs(10);
    let low = RedisBudget::new(
        &server.url(),
        &token("dop_v1_mixed"),
        windows(&[(6, length)]),
    )
    .unwrap();
    let high = RedisBudget::new(
        &server.url(),
        &token("dop_v1_mixed"),
        windows(&[(12, length)]),
    )
    .unwrap();
    redis_slot(low.reserve(Duration::ZERO).unwrap().source);
    let mut granted = 0;
    while high.reserve(Duration::ZERO).is_ok() {
        granted += 1;
        assert!(granted <= 12, "the higher limit was obeyed");
    }
    assert_eq!(granted, 5, "six in all, the lower limit");
    assert!(high.is_limit_lowered());
    assert!(!low.is_limit_lowered());
    assert_eq!(server.keys_with(":window:").len(), 1);
    assert_eq!(high.members(), 2);
    // The low member counts in the same, full window.
    assert!(low.reserve(Duration::ZERO).is_err());
}
